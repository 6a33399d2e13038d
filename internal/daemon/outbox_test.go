package daemon

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/slack/testserver"
	"github.com/drift-schema/drift/internal/store"
)

// TestHangingSlackNeverHoldsATick: Slack takes every request and never answers (issue 12.2:
// one tick held for minutes, eleven ticks skipped, four copies). The daemon runs on a fake
// clock, a tick a minute, for ten minutes. Ticks keep their schedule, the healthy target is
// checked every minute, and the drift message reaches Slack once per backoff step, the step
// counted from when an attempt gave up: with a backoff of 1m doubling to 4m, at minutes 1 (given
// up at 2, the clock having moved on while it hung), 3, 5 and 9 — four copies in ten minutes,
// any of which Slack may have posted. (With the defaults, 30s doubling to 1h: at most
// 1 + ⌊log2(1 + T/30s)⌋ copies in the first T ≤ 1h of an outage, 7 in that hour, then one an
// hour.)
func TestHangingSlackNeverHoldsATick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, _ := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	calm := newTarget(t, "calm")
	clk := fakeClock()
	d, checker, logs := newDaemon(t, st, []Target{app, calm}, webhook(srv), Options{Clock: clk,
		Schedule: "* * * * *", PostTimeout: 3 * time.Second, RetryBackoff: time.Minute, RetryBackoffMax: 4 * time.Minute})
	srv.Hang(true)

	runCtx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- d.Run(runCtx) }()
	finished := func(at time.Time) bool {
		runs, err := st.Runs(ctx, "", 100)
		require.NoError(t, err)
		n := 0
		for _, r := range runs {
			if r.ScheduledFor.Equal(at) && !r.FinishedAt.IsZero() {
				n++
			}
		}
		// The runs are recorded before the tick's goroutine returns: moving the clock before
		// it has would skip the next tick as "previous run still going".
		return n == 2 && d.idle()
	}
	attempts := func() int {
		as, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
		require.NoError(t, err)
		if len(as) == 0 {
			return 0
		}
		return as[0].NotifyAttempts
	}

	// Minute 1: the tick records the drift; the outbox posts, and the post hangs.
	clk.BlockUntil(1)
	clk.Advance(time.Minute)
	eventually(t, 30*time.Second, "tick 1 recorded", func() bool { return finished(epoch.Add(time.Minute)) })
	eventually(t, 10*time.Second, "the first post hanging", func() bool { return srv.Requests() == 1 })

	// While that post hangs, the next tick runs on time and finishes.
	clk.BlockUntil(1)
	clk.Advance(time.Minute)
	eventually(t, 10*time.Second, "tick 2 recorded while Slack hangs", func() bool { return finished(epoch.Add(2 * time.Minute)) })
	require.Zero(t, srv.Abandoned(), "the post was still hanging: the tick did not wait for it")
	eventually(t, 10*time.Second, "the hung post given up", func() bool { return srv.Abandoned() == 1 && attempts() == 1 })

	// Minutes 3 to 10: let every due attempt give up before moving on, so the count is exact.
	for minute := 3; minute <= 10; minute++ {
		clk.BlockUntil(1)
		clk.Advance(time.Minute)
		at := epoch.Add(time.Duration(minute) * time.Minute)
		eventually(t, 10*time.Second, "a tick recorded", func() bool { return finished(at) })
		eventually(t, 10*time.Second, "every attempt given up and recorded", func() bool {
			return srv.Abandoned() == srv.Requests() && attempts() == srv.Requests()
		})
	}
	require.Equal(t, 10, checker.count("calm"), "the healthy target checked every minute")
	require.Equal(t, 10, checker.count("app"))
	require.NotContains(t, logs.String(), "skipping this tick")
	require.Equal(t, 4, srv.Requests(), "copies that reached Slack: minutes 1, 3, 5 and 9")
	require.Empty(t, srv.Posts())
	as, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
	require.NoError(t, err)
	require.Equal(t, alert.NotifyOpened, as[0].Pending, "still pending: never lost")
	require.Equal(t, epoch.Add(13*time.Minute), as[0].RetryAt, "the next attempt, 4 minutes after the one at minute 9")

	// Slack answers again: the message goes out once, on the next attempt.
	srv.Hang(false)
	clk.Set(as[0].RetryAt)
	eventually(t, 10*time.Second, "delivered", func() bool { return len(srv.Posts()) == 1 })
	cancel()
	require.NoError(t, <-errc)
	require.Equal(t, 5, srv.Requests())
}

// TestLogNotifierLeavesMessagesPendingForSlack: a daemon without Slack shows the messages of
// its own targets, once per process, and marks none of them sent; another target's messages are
// not its business. A daemon with Slack then delivers them.
func TestLogNotifierLeavesMessagesPendingForSlack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, storeDSN := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	billing := newTarget(t, "billing")
	pgtest.Exec(t, billing.DSN, drifted)

	var out bytes.Buffer
	quiet, _, _ := newDaemon(t, st, []Target{billing}, slack.NewLogNotifier(nil, &out), Options{})
	// app's message, recorded by a replica whose Slack is down.
	other, _ := newStore(t, storeDSN)
	srv.FailNext(testserver.Response{Status: 400})
	loud, _, _ := newDaemon(t, other, []Target{app}, webhook(srv), Options{})
	loud.RunOnce(ctx)
	require.Empty(t, srv.Posts())

	quiet.RunOnce(ctx)
	require.Contains(t, out.String(), "Warning drift on billing")
	require.NotContains(t, out.String(), "drift on app", "not its target")
	shown := out.Len()
	quiet.RunOnce(ctx)
	require.Equal(t, shown, out.Len(), "shown once per process")
	for _, target := range []string{"app", "billing"} {
		as, err := st.Alerts(ctx, store.AlertFilter{Target: target})
		require.NoError(t, err)
		require.Equal(t, alert.NotifyOpened, as[0].Pending, "%s: still pending", target)
		require.True(t, as[0].NotifiedAt.IsZero(), target)
	}

	withSlack, _, _ := newDaemon(t, st, []Target{billing}, webhook(srv), Options{})
	withSlack.RunOnce(ctx)
	posts := srv.Posts()
	require.Len(t, posts, 1, "billing's message, not app's")
	require.True(t, strings.HasPrefix(posts[0].Text, "Warning drift on billing"), posts[0].Text)
}

// TestSentButNotRecordedIsNotSentAgain: Slack accepts a message, then the store is unreachable
// before the daemon can record it. The process remembers the message's key: once its claim is
// free again, it records the message as sent instead of posting it a second time.
func TestSentButNotRecordedIsNotSentAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	p := newProxy(t)
	storeDB := pgtest.NewDB(t)
	st, _ := newStore(t, p.dsn(dbName(t, storeDB), "Store-Pw-99"))
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	d, _, logs := newDaemon(t, st, []Target{app}, webhook(srv), Options{NotifyTimeout: 2 * time.Second})
	d.tick(ctx, time.Now().UTC().Truncate(time.Second), window{}, []Target{app})

	arrived, release := srv.HoldNext()
	var wg sync.WaitGroup
	wg.Go(func() { d.drain(ctx, ctx) })
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the message never reached Slack")
	}
	p.set("refuse")
	release()
	wg.Wait()
	require.Len(t, srv.Posts(), 1)
	require.Contains(t, logs.String(), "message sent but not recorded as sent")

	p.set("pass")
	eventually(t, 20*time.Second, "the message recorded once its claim is stale", func() bool {
		d.drain(ctx, ctx)
		as, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
		require.NoError(t, err)
		return as[0].Pending == alert.NotifyNone
	})
	require.Len(t, srv.Posts(), 1, "not posted again")
	require.Contains(t, logs.String(), "recorded a message sent earlier; not sending it again")
}

// TestBackoffDoublesAndHonoursRetryAfter: each failed delivery doubles the wait before the next
// attempt, and Slack's Retry-After, when longer, is waited out instead.
func TestBackoffDoublesAndHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, _ := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	clk := fakeClock()
	d, _, _ := newDaemon(t, st, []Target{app}, webhook(srv), Options{Clock: clk,
		RetryBackoff: time.Minute, RetryBackoffMax: 5 * time.Minute})
	retryAt := func() time.Time {
		as, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
		require.NoError(t, err)
		require.Equal(t, alert.NotifyOpened, as[0].Pending)
		return as[0].RetryAt
	}
	down := func() {
		srv.FailNext(testserver.Response{Status: 503}, testserver.Response{Status: 503}, testserver.Response{Status: 503}, testserver.Response{Status: 503})
	}

	down()
	d.RunOnce(ctx)
	require.Equal(t, clk.Now().Add(time.Minute), retryAt(), "first failure: one step")
	clk.Set(retryAt())
	down()
	d.RunOnce(ctx)
	require.Equal(t, clk.Now().Add(2*time.Minute), retryAt(), "second failure: doubled")
	clk.Set(retryAt())
	srv.FailNext(testserver.Response{Status: 429, RetryAfter: 3600})
	d.RunOnce(ctx)
	require.Equal(t, clk.Now().Add(time.Hour), retryAt(), "third failure: Retry-After, longer than 4m, is honoured")
	clk.Set(retryAt())
	down()
	d.RunOnce(ctx)
	require.Equal(t, clk.Now().Add(5*time.Minute), retryAt(), "fourth failure: 8m, capped at the maximum")
	require.Empty(t, srv.Posts())

	clk.Set(retryAt())
	d.RunOnce(ctx)
	require.Len(t, srv.Posts(), 1)
}
