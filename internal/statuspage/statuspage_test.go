package statuspage

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// now is the real time: the store stamps runs with its own clock.
var now = time.Now().UTC().Truncate(time.Second)

// seed records what a daemon would have: app drifted (three findings), billing could not be
// checked, calm is clean, fresh has never run.
func seed(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDB(t), nil)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(ctx))
	f := func(kind, object string, change diff.Change, sev diff.Severity, summary, exp, act, d string) diff.Finding {
		return diff.Finding{Kind: kind, Object: object, Change: change, Severity: sev, Summary: summary,
			Expected: exp, Actual: act, Diff: d, Fingerprint: diff.Fingerprint("app", kind, object, change)}
	}
	record := func(target string, status store.RunStatus, errText string, fs []diff.Finding, at time.Time) {
		run, ok, err := st.ClaimRun(ctx, target, at, "replica-1", time.Hour)
		require.NoError(t, err)
		require.True(t, ok)
		out := store.RunOutcome{Status: status, Error: errText, FinishedAt: at.Add(1700 * time.Millisecond), Duration: 1700 * time.Millisecond, Findings: len(fs)}
		for _, x := range fs {
			switch x.Severity {
			case diff.Critical:
				out.Critical++
			case diff.Warning:
				out.Warning++
			default:
				out.Info++
			}
		}
		_, err = st.RecordRun(ctx, run, out, func(stored []alert.Alert, failures int) []alert.Action {
			obs := alert.Observation{Target: target, Findings: fs}
			if status == store.RunError {
				obs = alert.Observation{Target: target, CheckError: errText, Failures: failures}
			}
			return alert.Decide(stored, obs, at, alert.Options{FailureThreshold: 1})
		})
		require.NoError(t, err)
	}
	record("app", store.RunDrift, "", []diff.Finding{
		f("column", "public.orders.total_cents", diff.Changed, diff.Critical, "column public.orders.total_cents: type changed from integer to bigint",
			"not_null: true\ntype: integer", "not_null: true\ntype: bigint", "  not_null: true\n- type: integer\n+ type: bigint"),
		f("index", "public.tmp_report_idx", diff.Unexpected, diff.Warning, "index public.tmp_report_idx is unexpected", "",
			"CREATE INDEX tmp_report_idx ON public.orders USING btree (created_at)", ""),
		f("comment", "public.users", diff.Changed, diff.Info, "comment on public.users changed", "text: Registered users", "text: users", "- text: Registered users\n+ text: users"),
	}, now.Add(-3*time.Hour))
	record("billing", store.RunError, "reading the live schema: connecting: dial tcp 10.0.0.7:5432: connect: connection refused", nil, now.Add(-time.Hour))
	record("calm", store.RunClean, "", nil, now.Add(-2*time.Hour))
	return st
}

func newPage(st *store.Store) *Page {
	return New(st, Options{Environment: "production", Now: func() time.Time { return now },
		Targets: []Target{{"app", "postgres", "0 */6 * * *"}, {"billing", "postgres", "30 * * * *"}, {"calm", "neo4j", "0 */6 * * *"}, {"fresh", "postgres", "@daily"}}})
}

func serve(p *Page) *httptest.Server {
	mux := http.NewServeMux()
	p.Register(mux)
	return httptest.NewServer(mux)
}

func TestStatusJSON(t *testing.T) {
	t.Parallel()
	srv := serve(newPage(seed(t)))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/status")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var raw map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&raw))
	targets := raw["targets"].([]any)
	require.Len(t, targets, 4)
	app := targets[0].(map[string]any)
	for _, k := range []string{"name", "engine", "schedule", "last_run", "open_alerts"} {
		require.Contains(t, app, k, "the documented shape")
	}
	open := app["open_alerts"].([]any)
	require.Len(t, open, 3)
	first := open[0].(map[string]any)
	require.Equal(t, "critical", first["severity"], "worst first")
	require.Contains(t, first, "id")
	require.Len(t, first["findings"], 1)
	billing := targets[1].(map[string]any)
	require.Equal(t, "error", billing["last_run"].(map[string]any)["status"])
	require.Len(t, billing["open_alerts"], 1, "the cannot-check alert")
	require.Nil(t, targets[3].(map[string]any)["last_run"], "never run: null, not a zero run")
}

// TestStatusPageInABrowser renders the page in a real headless Chromium, on a phone's screen:
// it renders, every target is there, nothing is wider than the screen, the alert link leads to
// the alert's page with its definitions, and the way back works. Screenshots of both pages go
// to the test's artifacts.
func TestStatusPageInABrowser(t *testing.T) {
	st := seed(t)
	b := startBrowser(t)
	srv := serve(newPage(st))
	defer srv.Close()
	dir := artifactDir(t)

	b.viewport(390, 844, true)
	b.navigate(srv.URL + "/")
	var page struct {
		Title    string
		H1       string
		Targets  []string
		Alerts   []string
		Overflow bool
		Badges   []string
	}
	b.eval(`({
		Title: document.title,
		H1: document.querySelector("h1").textContent,
		Targets: [...document.querySelectorAll("section.target h2")].map(h => h.firstChild.textContent.trim()),
		Alerts: [...document.querySelectorAll("ul.alerts a")].map(a => a.getAttribute("href")),
		Overflow: document.documentElement.scrollWidth > window.innerWidth,
		Badges: [...document.querySelectorAll(".badge")].map(b => b.textContent.trim()),
	})`, &page)
	require.Equal(t, "drift · production", page.Title)
	require.Equal(t, "drift · production", page.H1)
	require.Equal(t, []string{"app", "billing", "calm", "fresh"}, page.Targets)
	require.Len(t, page.Alerts, 4, "three on app, the cannot-check alert on billing")
	require.False(t, page.Overflow, "readable on a phone: nothing wider than the screen")
	require.Contains(t, page.Badges, "drift")
	require.Contains(t, page.Badges, "error")
	require.Contains(t, page.Badges, "clean")
	require.Contains(t, page.Badges, "1 critical")
	var text string
	b.eval(`document.body.innerText`, &text)
	require.Contains(t, text, "not checked yet", "the target that never ran says so")
	require.Contains(t, text, "connection refused", "the failed run says why")
	b.screenshot(filepath.Join(dir, "status-phone.png"))

	// Follow the first alert's link, as a person would.
	b.eval(`document.querySelector("ul.alerts a").click(), true`, nil)
	b.waitLoaded(func(href string) bool { return strings.HasPrefix(href, srv.URL+"/alerts/") })
	var alertPage struct {
		H1, Text string
		Pres     int
		Overflow bool
		Added    []string
	}
	b.eval(`({
		H1: document.querySelector("h1").textContent,
		Text: document.body.innerText,
		Pres: document.querySelectorAll("pre").length,
		Overflow: document.documentElement.scrollWidth > window.innerWidth,
		Added: [...document.querySelectorAll("pre .add")].map(s => s.textContent),
	})`, &alertPage)
	require.Contains(t, alertPage.H1, "column public.orders.total_cents changed")
	require.Contains(t, alertPage.Text, "type changed from integer to bigint")
	require.Equal(t, 3, alertPage.Pres, "expected → actual, expected, actual")
	require.Equal(t, []string{"+ type: bigint"}, alertPage.Added)
	require.False(t, alertPage.Overflow)
	b.screenshot(filepath.Join(dir, "alert-phone.png"))

	b.eval(`document.querySelector("header a").click(), true`, nil)
	b.waitLoaded(func(href string) bool { return href == srv.URL+"/" })

	b.viewport(1280, 900, false)
	b.navigate(srv.URL + "/")
	b.screenshot(filepath.Join(dir, "status-desktop.png"))

	b.navigate(srv.URL + "/alerts/424242")
	var missing string
	b.eval(`document.querySelector("h1").textContent`, &missing)
	require.Equal(t, "no such alert: 424242", missing)
	t.Logf("screenshots in %s", dir)
}

// BenchmarkStatusPage50Targets2000Alerts: the page and its JSON for 50 targets with 40 open
// alerts each, read from a real store per request.
func BenchmarkStatusPage50Targets2000Alerts(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDB(b), nil)
	require.NoError(b, err)
	defer st.Close()
	require.NoError(b, st.Migrate(ctx))
	var targets []Target
	for i := range 50 {
		name := fmt.Sprintf("db%02d", i)
		targets = append(targets, Target{name, "postgres", "0 */6 * * *"})
		var fs []diff.Finding
		for j := range 40 {
			obj := fmt.Sprintf("public.t%02d.c", j)
			fs = append(fs, diff.Finding{Kind: "column", Object: obj, Change: diff.Changed, Severity: diff.Warning,
				Summary: "column " + obj + ": type changed from integer to bigint", Expected: "type: integer", Actual: "type: bigint",
				Diff: "- type: integer\n+ type: bigint", Fingerprint: diff.Fingerprint(name, "column", obj, diff.Changed)})
		}
		run, _, err := st.ClaimRun(ctx, name, now, "r", time.Hour)
		require.NoError(b, err)
		_, err = st.RecordRun(ctx, run, store.RunOutcome{Status: store.RunDrift, FinishedAt: now, Duration: time.Second, Findings: 40, Warning: 40},
			func(stored []alert.Alert, _ int) []alert.Action {
				return alert.Decide(stored, alert.Observation{Target: name, Findings: fs}, now, alert.Options{FailureThreshold: 2})
			})
		require.NoError(b, err)
	}
	srv := serve(New(st, Options{Targets: targets}))
	defer srv.Close()
	for name, path := range map[string]string{"html": "/", "json": "/api/v1/status"} {
		b.Run(name, func(b *testing.B) {
			size := 0
			for b.Loop() {
				resp, err := http.Get(srv.URL + path)
				require.NoError(b, err)
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				require.Equal(b, http.StatusOK, resp.StatusCode)
				size = int(n)
			}
			b.ReportMetric(float64(size)/1024, "KiB/page")
		})
	}
}
