package metrics

import (
	"bytes"
	"flag"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}

func TestWriteText(t *testing.T) {
	r := New()
	checks := r.Counter("drift_checks_total", "Checks run by this replica, by target and status.", "target", "status")
	open := r.Gauge("drift_open_findings", "Open findings by target and severity.", "target", "severity")
	dur := r.Histogram("drift_check_duration_seconds", "Check duration.", []float64{1, 0.5, 5}, "target")
	up := r.Gauge("drift_up", "Constant 1.\nSecond line with a \\ backslash.")

	checks.Inc("billing", "drift")
	checks.Inc("app", "clean")
	checks.Add(2, "app", "clean")
	checks.Inc(`we"ird\name`+"\n", "error")
	open.Set(3, "app", "critical")
	open.Set(math.Inf(1), "app", "info")
	dur.Observe(0.2, "app")
	dur.Observe(0.5, "app")
	dur.Observe(3, "app")
	dur.Observe(12.5, "app")
	up.Set(1)

	var b bytes.Buffer
	require.NoError(t, r.WriteText(&b))
	golden(t, "metrics.txt", b.Bytes())

	open.Reset()
	open.Set(1, "billing", "warning")
	b.Reset()
	require.NoError(t, r.WriteText(&b))
	require.NotContains(t, b.String(), `drift_open_findings{target="app"`)
	require.Contains(t, b.String(), `drift_open_findings{target="billing",severity="warning"} 1`)
}

func TestMisuse(t *testing.T) {
	r := New()
	c := r.Counter("x_total", "x", "a")
	require.Panics(t, func() { c.Inc() }, "wrong number of label values")
	require.Panics(t, func() { c.Add(-1, "v") }, "counters never decrease")
	require.Panics(t, func() { r.Gauge("x_total", "again") }, "duplicate name")
}

func TestHandler(t *testing.T) {
	r := New()
	g := r.Gauge("drift_targets", "Targets.")
	called := 0
	srv := httptest.NewServer(r.Handler(func(*http.Request) { called++; g.Set(float64(called)) }))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, ContentType, resp.Header.Get("Content-Type"))
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "# HELP drift_targets Targets.\n# TYPE drift_targets gauge\ndrift_targets 1\n", b.String())
}
