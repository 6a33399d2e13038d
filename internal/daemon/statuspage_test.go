package daemon

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/slack/testserver"
	"github.com/drift-schema/drift/internal/statuspage"
	"github.com/drift-schema/drift/internal/store"
)

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// TestStatusPageIsTheStoresState: the page and its JSON come from the store, so a replica that
// checked nothing shows exactly what the one that did the work shows.
func TestStatusPageIsTheStoresState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, storeDSN := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	calm := newTarget(t, "calm")
	opts := Options{Clock: fakeClock(), Message: slack.Options{Environment: "production", PublicURL: "https://drift.example.com"}}
	worker, _, _ := newDaemon(t, st, []Target{app, calm}, webhook(srv), opts)
	worker.RunOnce(ctx)

	other, _ := newStore(t, storeDSN)
	idle, _, _ := newDaemon(t, other, []Target{app, calm}, webhook(srv), opts)
	a := httptest.NewServer(worker.Handler())
	defer a.Close()
	b := httptest.NewServer(idle.Handler())
	defer b.Close()

	code, fromWorker := fetch(t, a.URL+"/api/v1/status")
	require.Equal(t, http.StatusOK, code)
	_, fromIdle := fetch(t, b.URL+"/api/v1/status")
	require.JSONEq(t, fromWorker, fromIdle, "every replica shows the same")

	var status statuspage.Status
	require.NoError(t, json.Unmarshal([]byte(fromWorker), &status))
	require.Equal(t, "production", status.Environment)
	require.Len(t, status.Targets, 2)
	ap := status.Targets[0]
	require.Equal(t, "app", ap.Name)
	require.Equal(t, "postgres", ap.Engine)
	require.Equal(t, "0 */6 * * *", ap.Schedule)
	require.NotNil(t, ap.LastRun)
	require.Equal(t, "drift", ap.LastRun.Status)
	require.NotNil(t, ap.LastRun.FinishedAt)
	require.Equal(t, 1, ap.LastRun.Warning)
	require.Len(t, ap.OpenAlerts, 1)
	open := ap.OpenAlerts[0]
	require.Equal(t, "warning", open.Severity)
	require.Equal(t, "public.tmp_report_idx", open.Findings[0].Object)
	require.Equal(t, "sent", open.Notification)
	require.Empty(t, open.Findings[0].Actual, "definitions are on the alert's own page")
	require.Equal(t, "clean", status.Targets[1].LastRun.Status)
	require.Empty(t, status.Targets[1].OpenAlerts)

	code, html := fetch(t, b.URL+"/")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, html, `<h1>drift · production</h1>`)
	require.Contains(t, html, `id="target-app"`)
	require.Contains(t, html, `href="alerts/`+itoa(open.ID)+`"`)

	code, page := fetch(t, b.URL+"/alerts/"+itoa(open.ID))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, page, "CREATE INDEX tmp_report_idx ON public.orders USING btree (total)")
	require.Contains(t, page, "drift alerts ack "+itoa(open.ID))
	require.Contains(t, page, "DROP INDEX CONCURRENTLY IF EXISTS public.tmp_report_idx;", "the fix is on the alert's page")

	code, body := fetch(t, b.URL+"/api/v1/alerts/"+itoa(open.ID))
	require.Equal(t, http.StatusOK, code)
	var one statuspage.Alert
	require.NoError(t, json.Unmarshal([]byte(body), &one))
	require.Contains(t, one.Findings[0].Actual, "CREATE INDEX tmp_report_idx")
	require.Contains(t, one.Findings[0].Fix, "DROP INDEX CONCURRENTLY IF EXISTS public.tmp_report_idx;")

	code, _ = fetch(t, b.URL+"/alerts/999999")
	require.Equal(t, http.StatusNotFound, code)
	code, body = fetch(t, b.URL+"/api/v1/alerts/nope")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, `"error"`)

	// The Slack message linked to that page.
	posts := srv.Posts()
	require.Len(t, posts, 1)
	require.Contains(t, string(posts[0].Blocks), "https://drift.example.com/alerts/"+itoa(open.ID)+"|#"+itoa(open.ID))
	require.True(t, strings.HasPrefix(posts[0].Text, "Warning drift on app (production): 1 warning open"), posts[0].Text)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestInfoFindingsAreStoredNotPosted: an info finding (a comment changed by hand) is an alert
// on the page, not a Slack message — unless slack.post_info says so.
func TestInfoFindingsAreStoredNotPosted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, postInfo := range []bool{false, true} {
		srv := testserver.New(t)
		st, _ := newStore(t, "")
		app := newTarget(t, "app")
		pgtest.Exec(t, app.DSN, "COMMENT ON TABLE public.users IS 'edited by hand'")
		clk := fakeClock()
		d, _, _ := newDaemon(t, st, []Target{app}, webhook(srv), Options{Clock: clk, PostInfo: postInfo})
		outs := d.RunOnce(ctx)
		require.Len(t, outs[0].Result.Findings, 1, outs[0].Result.Error)
		require.Equal(t, "info", string(outs[0].Result.Findings[0].Severity))
		as, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
		require.NoError(t, err)
		require.Len(t, as, 1, "stored either way")
		require.Equal(t, alert.NotifyNone, as[0].Pending, "nothing left waiting")
		if postInfo {
			require.Len(t, srv.Posts(), 1, "post_info: posted")
			continue
		}
		require.Empty(t, srv.Posts(), "not posted by default")
		require.True(t, as[0].NotifiedAt.IsZero())
		pgtest.Exec(t, app.DSN, "COMMENT ON TABLE public.users IS NULL")
		clk.Advance(time.Hour)
		d.RunOnce(ctx)
		require.Empty(t, srv.Posts(), "nor is its resolution: nobody was told it began")
	}
}

// TestHeaderCountsEveryOpenFinding: the second message announces one new finding, and its
// header counts both that are open.
func TestHeaderCountsEveryOpenFinding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, _ := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	clk := fakeClock()
	d, _, _ := newDaemon(t, st, []Target{app}, webhook(srv), Options{Clock: clk})
	d.RunOnce(ctx)
	pgtest.Exec(t, app.DSN, "CREATE INDEX tmp_other_idx ON public.users (created_at)")
	clk.Advance(time.Hour)
	d.RunOnce(ctx)
	posts := srv.Posts()
	require.Len(t, posts, 2)
	require.True(t, strings.HasPrefix(posts[1].Text, "Warning drift on app: 2 warning open — 1 new"), posts[1].Text)
	require.Contains(t, string(posts[1].Blocks), "tmp_other_idx")
	require.NotContains(t, string(posts[1].Blocks), "tmp_report_idx", "the one already announced is counted, not repeated")
}

// TestOpenFindingsExportedAtZero: a clean target has its drift_open_findings series at 0, so an
// alert rule has something to compare.
func TestOpenFindingsExportedAtZero(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t, "")
	calm := newTarget(t, "calm")
	d, _, _ := newDaemon(t, st, []Target{calm}, webhook(testserver.New(t)), Options{Clock: fakeClock()})
	d.RunOnce(context.Background())
	ops := httptest.NewServer(d.Handler())
	defer ops.Close()
	_, body := fetch(t, ops.URL+"/metrics")
	for _, sev := range []string{"critical", "warning", "info"} {
		require.Contains(t, body, `drift_open_findings{target="calm",severity="`+sev+`"} 0`)
	}
	require.Contains(t, body, `drift_cannot_check{target="calm"} 0`)
}
