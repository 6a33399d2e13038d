package daemon

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/clock"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/slack/testserver"
	"github.com/drift-schema/drift/internal/store"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// TestRunSchedulesServesOpsAndShutsDownGracefully runs the daemon, on a fake clock, with one
// target every two seconds that answers and one every second that hangs: overlapping ticks are
// skipped, the operations endpoints answer, and SIGTERM (ctx cancel) waits for the running
// check.
func TestRunSchedulesServesOpsAndShutsDownGracefully(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	st, _ := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	p := newProxy(t)
	direct := pgtest.NewDB(t)
	pgtest.Exec(t, direct, baseSchema)
	slow := targetFor(t, "slow", p.dsn(dbName(t, direct), "Slow-Pw-2"), direct)
	slow.Schedule = "* * * * * *"
	p.set("hang")
	addr := freeAddr(t)
	clk := fakeClock()
	d, checker, logs := newDaemon(t, st, []Target{app, slow}, webhook(srv), Options{
		Schedule: "*/2 * * * * *", HTTPAddr: addr, ShutdownTimeout: 20 * time.Second, Clock: clk, FailureThreshold: 1})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()

	// Each step waits for both schedules to wait for their next tick, then moves time on by
	// their common period: every step fires one tick of each.
	step := func() {
		clk.BlockUntil(2)
		clk.Advance(2 * time.Second)
	}
	step()
	eventually(t, 30*time.Second, "app checked and slow stuck", func() bool {
		return checker.count("app") == 1 && checker.count("slow") == 1
	})
	eventually(t, 10*time.Second, "app announced", func() bool { return len(srv.Posts()) == 1 })
	step()
	eventually(t, 30*time.Second, "app's second run recorded", func() bool {
		runs, err := st.Runs(context.Background(), "app", 10)
		require.NoError(t, err)
		return len(runs) == 2 && !runs[0].FinishedAt.IsZero()
	})
	require.Equal(t, 2, checker.count("app"))
	eventually(t, 10*time.Second, "the slow schedule skipping ticks", func() bool {
		return strings.Contains(logs.String(), "previous run still going")
	})
	require.Len(t, srv.Posts(), 1, "app announced once across ticks")
	require.Equal(t, 1, checker.count("slow"), "no overlapping run of a busy schedule")
	runs, err := st.Runs(context.Background(), "app", 10)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	require.Equal(t, epoch.Add(4*time.Second), runs[0].ScheduledFor, "ticks are the schedule's, on the daemon's clock")
	require.Equal(t, epoch.Add(2*time.Second), runs[1].ScheduledFor)

	code, body := get(t, "http://"+addr+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok\n", body)
	code, _ = get(t, "http://"+addr+"/readyz")
	require.Equal(t, http.StatusOK, code)
	code, body = get(t, "http://"+addr+"/metrics")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{
		`drift_checks_total{target="app",status="drift"} 2`,
		`drift_open_findings{target="app",severity="warning"} 1`,
		`drift_last_successful_check_timestamp_seconds{target="app"} `,
		`drift_check_duration_seconds_bucket{target="app",le="+Inf"} 2`,
		`drift_notifications_sent_total{kind="drift"} 1`,
		`drift_ticks_skipped_total{schedule="* * * * * *"} `,
		`drift_store_up 1`,
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, `target="slow",status=`, "the stuck check has not finished")

	// Shut down while slow is stuck; let its database answer shortly after. Run must wait for
	// the check to finish and be recorded, rather than drop it.
	cancel()
	eventually(t, 10*time.Second, "shutdown to begin", func() bool { return strings.Contains(logs.String(), "shutting down") })
	select {
	case <-errc:
		t.Fatal("Run returned while a check was running")
	case <-time.After(100 * time.Millisecond):
	}
	p.set("pass") // closes the hung connection: the check fails and is recorded
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return")
	}
	runs, err = st.Runs(context.Background(), "slow", 10)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, store.RunError, runs[0].Status, "the running check was waited for and recorded")
	posts := srv.Posts()
	require.Len(t, posts, 2)
	require.Equal(t, "Cannot check slow", posts[1].Text, "what it recorded during shutdown was sent before stopping")
	_, err = http.Get("http://" + addr + "/healthz")
	require.Error(t, err, "the operations server is stopped")
}

// TestShutdownIsBounded checks that a check that never ends does not hold shutdown forever:
// after ShutdownTimeout on the daemon's clock, the check is cancelled.
func TestShutdownIsBounded(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t, "")
	p := newProxy(t)
	direct := pgtest.NewDB(t)
	pgtest.Exec(t, direct, baseSchema)
	slow := targetFor(t, "slow", p.dsn(dbName(t, direct), "Slow-Pw-3"), direct)
	p.set("hang")
	clk := fakeClock()
	d, checker, logs := newDaemon(t, st, []Target{slow}, slack.NewLogNotifier(nil, nil), Options{
		Schedule: "* * * * * *", ShutdownTimeout: time.Minute, Clock: clk})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	clk.BlockUntil(1)
	clk.Advance(time.Second)
	eventually(t, 20*time.Second, "slow stuck", func() bool { return checker.count("slow") == 1 })
	cancel()
	eventually(t, 10*time.Second, "shutdown to begin", func() bool { return strings.Contains(logs.String(), "shutting down") })
	clk.BlockUntil(1) // the shutdown timer
	clk.Advance(59 * time.Second)
	select {
	case <-errc:
		t.Fatal("Run returned before its shutdown timeout")
	case <-time.After(200 * time.Millisecond):
	}
	clk.Advance(time.Second)
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its shutdown timeout")
	}
	require.Contains(t, logs.String(), "did not finish in time")
	runs, err := st.Runs(context.Background(), "slow", 10)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, store.RunRunning, runs[0].Status, "cut off, not recorded: its claim goes stale and is taken over")
}

// TestCatchUpRunsTheMissedTickOnce starts two daemons with a yearly schedule: the first runs
// the tick it missed, the second sees it done and does nothing.
func TestCatchUpRunsTheMissedTickOnce(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	st, storeDSN := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	const yearly = "0 0 1 1 *"
	want := time.Date(epoch.Year(), 1, 1, 0, 0, 0, 0, time.UTC)

	for i := range 2 {
		s, _ := newStore(t, storeDSN)
		clk := fakeClock()
		d, checker, logs := newDaemon(t, s, []Target{app}, webhook(srv), Options{Schedule: yearly, CatchUp: true, Clock: clk})
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- d.Run(ctx) }()
		eventually(t, 30*time.Second, "the catch-up tick", func() bool { return strings.Contains(logs.String(), "tick done") })
		eventually(t, 10*time.Second, "the drift announced", func() bool { return len(srv.Posts()) == 1 })
		cancel()
		require.NoError(t, <-errc)
		require.Equal(t, 1-i, checker.count("app"), "daemon %d", i)
	}
	runs, err := st.Runs(context.Background(), "app", 10)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, want, runs[0].ScheduledFor)
	require.Len(t, srv.Posts(), 1)
}

func TestParseScheduleAndPrevious(t *testing.T) {
	t.Parallel()
	_, err := ParseSchedule("@every 5m")
	require.ErrorContains(t, err, "replicas would disagree on the tick")
	_, err = ParseSchedule("61 * * * *")
	require.Error(t, err)
	at := time.Date(2026, 3, 4, 13, 7, 30, 0, time.UTC)
	for spec, prev := range map[string]time.Time{
		config.DefaultSchedule:  time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC),
		"*/2 * * * * *":         time.Date(2026, 3, 4, 13, 7, 30, 0, time.UTC),
		"@daily":                time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
		"0 0 1 1 *":             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		"30 2 * * 1":            time.Date(2026, 3, 2, 2, 30, 0, 0, time.UTC),
		"0 0 29 2 *":            time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		"CRON_TZ=UTC 5 * * * *": time.Date(2026, 3, 4, 13, 5, 0, 0, time.UTC),
	} {
		s, err := ParseSchedule(spec)
		require.NoError(t, err, spec)
		if spec == "0 0 29 2 *" {
			require.True(t, previous(s, at).IsZero(), "more than a year back: none")
			continue
		}
		require.Equal(t, prev, previous(s, at), spec)
		require.True(t, s.Next(previous(s, at)).After(at), "%s: nothing between previous and now", spec)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t, "")
	n := slack.NewLogNotifier(nil, nil)
	r := newRunner(nil)
	a := Target{}
	a.Name = "a"
	_, err := New(withDefaults(Options{Targets: []Target{a, a}}), st, r, n, nil)
	require.ErrorContains(t, err, "listed twice")
	b := a
	b.Schedule = "@every 1h"
	_, err = New(withDefaults(Options{Targets: []Target{b}}), st, r, n, nil)
	require.ErrorContains(t, err, "@every")
	_, err = New(withDefaults(Options{}), nil, r, n, nil)
	require.Error(t, err)

	// No second set of defaults: a value left zero is a wiring mistake, named.
	_, err = New(Options{Targets: []Target{a}}, st, r, n, nil)
	require.ErrorContains(t, err, "options without a valid value: schedule, concurrency, timeout, failure threshold, shutdown timeout, claim grace, notify timeout, post timeout, retry backoff")
	opts := withDefaults(Options{Targets: []Target{a}})
	opts.RetryBackoffMax = opts.RetryBackoff / 2
	_, err = New(opts, st, r, n, nil)
	require.ErrorContains(t, err, "maximum retry backoff")

	d, err := New(withDefaults(Options{Targets: []Target{a}}), st, r, n, nil)
	require.NoError(t, err)
	require.Len(t, d.groups, 1)
	require.Equal(t, config.DefaultSchedule, d.groups[0].spec)
	require.NotEmpty(t, d.ReplicaID())
	require.Equal(t, clock.Real, d.clock, "no clock: the wall clock")
}

func TestPlan(t *testing.T) {
	t.Parallel()
	claim := func(id int64, n alert.Notification, ts string) store.Claim {
		return store.Claim{Alert: alert.Alert{ID: id, Pending: n, SlackChannel: "C1", SlackTS: ts}}
	}
	claims := []store.Claim{
		claim(1, alert.NotifyOpened, ""),
		claim(2, alert.NotifyResolved, "100.1"),
		claim(3, alert.NotifyChanged, "100.1"),
		claim(4, alert.NotifyResolved, "200.2"),
		claim(5, alert.NotifyResolved, ""),
		claim(6, alert.NotifyResolved, "100.1"),
	}
	ids := func(dl delivery) []int64 {
		var out []int64
		for _, c := range dl.claims {
			out = append(out, c.Alert.ID)
		}
		return out
	}
	withBot := plan(claims, true)
	require.Len(t, withBot, 4)
	require.False(t, withBot[0].resolution)
	require.Equal(t, []int64{1, 3}, ids(withBot[0]), "new and changed drift in one message")
	require.Equal(t, slack.Ref{Channel: "C1", TS: "100.1"}, withBot[1].original)
	require.Equal(t, []int64{2, 6}, ids(withBot[1]), "one reply per announcing message")
	require.Equal(t, []int64{4}, ids(withBot[2]))
	require.True(t, withBot[3].original.IsZero())
	require.Equal(t, []int64{5}, ids(withBot[3]), "never announced: a new message")

	withHook := plan(claims, false)
	require.Len(t, withHook, 2)
	require.Equal(t, []int64{2, 4, 5, 6}, ids(withHook[1]), "a webhook cannot reply: one resolution message")
	require.Empty(t, plan(nil, true))
}
