package daemon

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/slack/testserver"
	"github.com/drift-schema/drift/internal/store"
)

// newDaemon builds a daemon on the real runner, counting its checks.
func newDaemon(t testing.TB, st *store.Store, targets []Target, n Notifier, opts Options) (*Daemon, *countingChecker, *syncBuffer) {
	t.Helper()
	logger, logs := testLogger(t)
	checker := &countingChecker{inner: newRunner(logger)}
	opts.Targets = targets
	d, err := New(withDefaults(opts), st, checker, n, logger)
	require.NoError(t, err)
	return d, checker, logs
}

func webhook(srv *testserver.Server) *slack.Webhook {
	return slack.NewWebhook(srv.WebhookURL(), slack.SenderOptions{Retry: fastRetry})
}

func bot(srv *testserver.Server) *slack.Bot {
	return slack.NewBot(testserver.Token, "#db-drift", slack.SenderOptions{APIURL: srv.APIURL(), Retry: fastRetry})
}

// texts returns the notification texts of the posts.
func texts(ms []testserver.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

func TestDriftPostsOnceStaysQuietThenResolves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, _ := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	d, checker, _ := newDaemon(t, st, []Target{app}, webhook(srv), Options{})

	outs := d.RunOnce(ctx)
	require.Len(t, outs, 1)
	require.True(t, outs[0].Checked)
	require.NoError(t, outs[0].Err)
	require.Equal(t, check.StatusDrift, outs[0].Result.Status, outs[0].Result.Error)
	require.Len(t, outs[0].Result.Findings, 1)
	require.Equal(t, "public.tmp_report_idx", outs[0].Result.Findings[0].Object)
	posts := srv.Posts()
	require.Len(t, posts, 1, "first run posts once")
	require.True(t, strings.HasPrefix(posts[0].Text, "Warning drift on app: 1 warning open"), posts[0].Text)
	require.Contains(t, string(posts[0].Blocks), "public.tmp_report_idx")
	require.Contains(t, string(posts[0].Blocks), "CREATE INDEX tmp_report_idx ON public.orders USING btree (total)")
	// The message carries the statement reverting the drift, and the alert keeps it for the
	// status page.
	require.Contains(t, string(posts[0].Blocks), "Fix (revert; drift never runs it)")
	require.Contains(t, string(posts[0].Blocks), "DROP INDEX CONCURRENTLY IF EXISTS public.tmp_report_idx;")
	require.Contains(t, string(posts[0].Blocks), "every fix: `drift check --target app --fix revert`")
	open, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
	require.NoError(t, err)
	require.Len(t, open, 1)
	require.Contains(t, open[0].Fix, "DROP INDEX CONCURRENTLY IF EXISTS public.tmp_report_idx;")

	outs = d.RunOnce(ctx)
	require.Equal(t, alert.OpTouch, outs[0].Actions[0].Op)
	require.Equal(t, alert.ReasonStillPresent, outs[0].Actions[0].Reason)
	require.Len(t, srv.Posts(), 1, "an unchanged second run posts nothing")

	pgtest.Exec(t, app.DSN, fixed)
	outs = d.RunOnce(ctx)
	require.Equal(t, check.StatusClean, outs[0].Result.Status)
	posts = srv.Posts()
	require.Len(t, posts, 2, "fixing the drift posts a resolution")
	require.True(t, strings.HasPrefix(posts[1].Text, "Resolved on app: 1 finding gone, nothing open"), posts[1].Text)

	d.RunOnce(ctx)
	require.Len(t, srv.Posts(), 2, "nothing more once resolved")
	require.Equal(t, 4, checker.count("app"))

	as, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
	require.NoError(t, err)
	require.Len(t, as, 1)
	require.Equal(t, alert.Resolved, as[0].Status)
	require.Equal(t, alert.NotifyNone, as[0].Pending)
	runs, err := st.Runs(ctx, "app", 10)
	require.NoError(t, err)
	var statuses []store.RunStatus
	for _, r := range runs {
		statuses = append(statuses, r.Status)
		require.Equal(t, d.ReplicaID(), r.ReplicaID)
	}
	require.Equal(t, []store.RunStatus{"clean", "clean", "drift", "drift"}, statuses, "newest first")
	snaps, err := st.Snapshots(ctx, "app")
	require.NoError(t, err)
	require.Len(t, snaps, 2, "a snapshot per distinct live schema: drifted, then fixed")
}

func TestBotTokenEditsTheOriginalOnResolution(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, _ := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	d, _, _ := newDaemon(t, st, []Target{app}, bot(srv), Options{})

	d.RunOnce(ctx)
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	original := msgs[0]
	require.Equal(t, "chat.postMessage", original.Method)
	require.Empty(t, original.ThreadTS)
	as, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
	require.NoError(t, err)
	require.Equal(t, original.TS, as[0].SlackTS, "the alert remembers the message that announced it")
	require.Equal(t, testserver.ChannelID, as[0].SlackChannel)
	require.NotEmpty(t, as[0].NotifyKey)
	require.Contains(t, string(original.Metadata), `"idempotency_key":"`+as[0].NotifyKey+`"`, "the message carries its key")

	d.RunOnce(ctx)
	require.Len(t, srv.Messages(), 1)

	pgtest.Exec(t, app.DSN, fixed)
	d.RunOnce(ctx)
	msgs = srv.Messages()
	require.Len(t, msgs, 3, "an edit of the original and a reply in its thread")
	require.Equal(t, "chat.update", msgs[1].Method)
	require.Equal(t, original.TS, msgs[1].TS)
	require.Contains(t, string(msgs[1].Blocks), "Resolved · Drift on app: nothing open")
	require.Contains(t, string(msgs[1].Blocks), ":white_check_mark: *resolved*")
	require.Equal(t, "chat.postMessage", msgs[2].Method)
	require.Equal(t, original.TS, msgs[2].ThreadTS, "the details go in the thread")
	require.True(t, strings.HasPrefix(msgs[2].Text, "Resolved on app: 1 finding gone"))

	d.RunOnce(ctx)
	require.Len(t, srv.Messages(), 3)
}

func TestAcknowledgingSilencesUntilItExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, _ := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	clk := fakeClock()
	d, _, _ := newDaemon(t, st, []Target{app}, webhook(srv), Options{Clock: clk})

	d.RunOnce(ctx)
	require.Len(t, srv.Posts(), 1)
	as, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
	require.NoError(t, err)
	until := clk.Now().Add(6 * time.Hour)
	_, err = st.Ack(ctx, as[0].ID, store.AckOptions{By: "alice", Reason: "reporting index, removal planned", Until: until, Now: clk.Now()})
	require.NoError(t, err)

	// The drift changes while acknowledged: stored, not announced.
	pgtest.Exec(t, app.DSN, fixed+"; CREATE INDEX tmp_report_idx ON public.orders (user_id)")
	clk.Advance(time.Hour)
	outs := d.RunOnce(ctx)
	require.Len(t, outs[0].Actions, 1)
	require.Equal(t, alert.NotifyNone, outs[0].Actions[0].Notify)
	require.Equal(t, alert.ReasonAcknowledged, outs[0].Actions[0].Reason)
	require.Contains(t, outs[0].Actions[0].Text(), "acknowledged by alice")
	require.Len(t, srv.Posts(), 1, "acknowledging silences")
	got, err := st.Alert(ctx, as[0].ID)
	require.NoError(t, err)
	require.Equal(t, alert.Acknowledged, got.Status)
	require.Contains(t, got.Actual, "(user_id)", "the stored definition is kept current")

	clk.Set(until.Add(-time.Minute))
	d.RunOnce(ctx)
	require.Len(t, srv.Posts(), 1, "a minute before the acknowledgement ends: still silent")

	clk.Set(until.Add(time.Minute))
	outs = d.RunOnce(ctx)
	require.Equal(t, alert.ReasonAckExpired, outs[0].Actions[0].Reason)
	posts := srv.Posts()
	require.Len(t, posts, 2, "the acknowledgement expired and the drift is still there")
	require.Contains(t, string(posts[1].Blocks), "acknowledgement by alice expired")
	clk.Advance(time.Hour)
	d.RunOnce(ctx)
	require.Len(t, srv.Posts(), 2)
}

func TestSlackOutageDelaysButNeverLosesOrDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, _ := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	clk := fakeClock()
	d, _, _ := newDaemon(t, st, []Target{app}, webhook(srv), Options{Clock: clk})

	// A short outage inside one call: 500, then 429 with Retry-After, then 200.
	srv.FailNext(testserver.Response{Status: 500}, testserver.Response{Status: 429, RetryAfter: 1})
	d.RunOnce(ctx)
	require.Equal(t, 3, srv.Requests())
	require.Len(t, srv.Posts(), 1, "delivered once, after the outage")

	// A long outage: every attempt of the call fails. The message stays pending and backs off.
	pgtest.Exec(t, app.DSN, "ALTER TABLE public.users ADD COLUMN nickname text")
	srv.FailNext(testserver.Response{Status: 503}, testserver.Response{Status: 503}, testserver.Response{Status: 503}, testserver.Response{Status: 503})
	clk.Advance(time.Hour)
	failedAt := clk.Now()
	d.RunOnce(ctx)
	require.Len(t, srv.Posts(), 1)
	pending, err := st.Alerts(ctx, store.AlertFilter{Target: "app", Statuses: []alert.Status{alert.Open}})
	require.NoError(t, err)
	var nick alert.Alert
	for _, a := range pending {
		if a.Object == "public.users.nickname" {
			nick = a
		}
	}
	require.Equal(t, alert.NotifyOpened, nick.Pending)
	require.Equal(t, 1, nick.NotifyAttempts)
	require.Contains(t, nick.LastNotifyError, "503")
	require.Equal(t, failedAt.Add(config.DefaultRetryBackoff), nick.RetryAt, "the first retry waits one backoff step")

	// Slack is back, but the message waits out its backoff: a tick meanwhile does not send it.
	requests := srv.Requests()
	clk.Advance(config.DefaultRetryBackoff / 2)
	d.RunOnce(ctx)
	require.Equal(t, requests, srv.Requests(), "no attempt before the backoff is over")

	// Once it is over, the next tick delivers it, once.
	clk.Advance(config.DefaultRetryBackoff)
	d.RunOnce(ctx)
	posts := srv.Posts()
	require.Len(t, posts, 2)
	require.Contains(t, string(posts[1].Blocks), "public.users.nickname")
	require.NotContains(t, string(posts[1].Blocks), "tmp_report_idx", "only what was pending")
	clk.Advance(time.Hour)
	d.RunOnce(ctx)
	require.Len(t, srv.Posts(), 2)
}

func TestStoreUnreachableSendsNothingAndCatchesUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	p := newProxy(t)
	storeDB := pgtest.NewDB(t)
	st, _ := newStore(t, p.dsn(dbName(t, storeDB), "Store-Pw-7781"))
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	clk := fakeClock()
	d, checker, _ := newDaemon(t, st, []Target{app}, webhook(srv), Options{Clock: clk})
	ops := httptest.NewServer(d.Handler())
	defer ops.Close()

	// Slack is down for the first tick: the message waits in the store.
	srv.FailNext(testserver.Response{Status: 503}, testserver.Response{Status: 503}, testserver.Response{Status: 503}, testserver.Response{Status: 503})
	d.RunOnce(ctx)
	require.Empty(t, srv.Posts())
	requests := srv.Requests()

	// Now the store goes away (and Slack comes back): nothing is checked, nothing sent, even
	// once the message's backoff is over.
	p.set("refuse")
	clk.Advance(time.Hour)
	outs := d.RunOnce(ctx)
	require.False(t, outs[0].Checked)
	require.Error(t, outs[0].Err)
	require.Equal(t, requests, srv.Requests(), "no Slack call without the store")
	require.Equal(t, 1, checker.count("app"), "no check that could not be recorded")
	resp, err := http.Get(ops.URL + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)

	// The store is back: the next tick checks and delivers the message, once.
	p.set("pass")
	clk.Advance(time.Hour)
	outs = d.RunOnce(ctx)
	require.True(t, outs[0].Checked)
	require.NoError(t, outs[0].Err)
	require.Len(t, srv.Posts(), 1)
	clk.Advance(time.Hour)
	d.RunOnce(ctx)
	require.Len(t, srv.Posts(), 1)
	resp, err = http.Get(ops.URL + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestCannotCheckAlertAfterConsecutiveFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, _ := newStore(t, "")
	p := newProxy(t)
	direct := pgtest.NewDB(t)
	pgtest.Exec(t, direct, baseSchema)
	app := targetFor(t, "app", p.dsn(dbName(t, direct), "App-Pw-5521"), direct)
	app.Timeout = 10 * time.Second
	d, _, _ := newDaemon(t, st, []Target{app}, webhook(srv), Options{})

	p.set("refuse")
	outs := d.RunOnce(ctx)
	require.Equal(t, check.StatusError, outs[0].Result.Status)
	require.Empty(t, outs[0].Result.Findings, "a target that cannot be checked is not drift")
	require.Empty(t, srv.Posts(), "one failure is a run error, not an alert")

	d.RunOnce(ctx)
	posts := srv.Posts()
	require.Len(t, posts, 1)
	require.Equal(t, "Cannot check app", posts[0].Text)
	d.RunOnce(ctx)
	require.Len(t, srv.Posts(), 1, "one cannot-check alert, not one per failure")

	p.set("pass")
	outs = d.RunOnce(ctx)
	require.Equal(t, check.StatusClean, outs[0].Result.Status, outs[0].Result.Error)
	posts = srv.Posts()
	require.Len(t, posts, 2)
	require.Equal(t, "Resolved: app can be checked again", posts[1].Text)

	runs, err := st.Runs(ctx, "app", 10)
	require.NoError(t, err)
	require.Len(t, runs, 4)
	require.Equal(t, store.RunStatus("error"), runs[1].Status)
	require.NotEmpty(t, runs[1].Error)
}
