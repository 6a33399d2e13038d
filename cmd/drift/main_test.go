package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// drift runs the CLI in-process and returns exit code, stdout and stderr.
func drift(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

const schemaSQL = `
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE INDEX users_email_idx ON users (email);
`

type jsonReport struct {
	Targets []struct {
		Name     string `json:"name"`
		Engine   string `json:"engine"`
		Status   string `json:"status"`
		Error    string `json:"error"`
		Findings []struct {
			Kind, Object, Change, Severity, Expected, Actual, Diff, Fingerprint string
		} `json:"findings"`
	} `json:"targets"`
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "snapshots"), 0o755))
	path := filepath.Join(dir, "drift.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

func TestCheckCleanDriftAndExitCodes(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	pgtest.Exec(t, live, schemaSQL)
	cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n", live))
	snap := filepath.Join(filepath.Dir(cfg), "snapshots", "app.json")

	code, _, stderr := drift(t, "snapshot", "--from", live, "--out", snap)
	require.Equal(t, 0, code, stderr)

	code, out, stderr := drift(t, "check", "--config", cfg)
	require.Equal(t, 0, code, "clean database: %s %s", out, stderr)

	pgtest.Exec(t, live, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL; CREATE INDEX users_id_email_idx ON users (id, email);")
	code, out, _ = drift(t, "check", "--config", cfg, "--format", "json")
	require.Equal(t, 1, code, out)
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	require.Len(t, rep.Targets, 1)
	tg := rep.Targets[0]
	require.Equal(t, "app", tg.Name)
	require.Equal(t, "postgres", tg.Engine)
	require.Equal(t, "drift", tg.Status)
	kinds := map[string]string{}
	for _, f := range tg.Findings {
		kinds[f.Kind+" "+f.Object] = f.Change + " " + f.Severity
		require.NotEmpty(t, f.Fingerprint)
	}
	require.Equal(t, "changed critical", kinds["column public.users.email"], out)
	require.Equal(t, "unexpected warning", kinds["index public.users_id_email_idx"], out)

	// Only the critical one counts with --fail-on critical; warnings alone would pass.
	code, _, _ = drift(t, "check", "--config", cfg, "--fail-on", "critical")
	require.Equal(t, 1, code)
	pgtest.Exec(t, live, "ALTER TABLE users ALTER COLUMN email SET NOT NULL")
	code, _, _ = drift(t, "check", "--config", cfg, "--fail-on", "critical")
	require.Equal(t, 0, code, "only a warning is left")
	code, _, _ = drift(t, "check", "--config", cfg)
	require.Equal(t, 1, code, "the warning fails the default --fail-on warning")

	for _, format := range []string{"text", "markdown"} {
		code, out, _ = drift(t, "check", "--config", cfg, "--format", format)
		require.Equal(t, 1, code)
		require.Contains(t, out, "public.users_id_email_idx", format)
	}
}

func TestUnreachableTargetIsExit2AndOthersStillChecked(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	pgtest.Exec(t, live, schemaSQL)
	cfg := writeConfig(t, fmt.Sprintf(`targets:
  - name: down
    dsn: "postgres://app:hunter2secret@127.0.0.1:1/nope?sslmode=disable&connect_timeout=2"
  - name: up
    dsn: %q
`, live))
	for _, name := range []string{"up", "down"} {
		code, _, stderr := drift(t, "snapshot", "--from", live, "--out", filepath.Join(filepath.Dir(cfg), "snapshots", name+".json"))
		require.Equal(t, 0, code, stderr)
	}
	code, out, stderr := drift(t, "check", "--config", cfg, "--format", "json")
	require.Equal(t, 2, code, stderr)
	require.NotContains(t, out+stderr, "hunter2secret")
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, "error", rep.Targets[0].Status)
	require.Contains(t, rep.Targets[0].Error, "reading the live schema")
	require.Equal(t, "clean", rep.Targets[1].Status, "the reachable target is still checked")
}

func TestMissingSnapshotIsExit2(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n", live))
	code, out, _ := drift(t, "check", "--config", cfg)
	require.Equal(t, 2, code)
	require.Contains(t, out, "app")
	require.Contains(t, out, "expected snapshot")
}

func TestBadConfigIsExit2(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, "targets:\n  - name: app\n    dsn: x\n    colour: red\n")
	code, _, stderr := drift(t, "check", "--config", cfg)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "colour")
	require.Contains(t, stderr, cfg)
}

func TestBadFlagsAreExit2(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"check", "--format", "yaml"},
		{"check", "--fail-on", "bad"},
		{"diff", "--from", "x"},
		{"check", "--nope"},
	} {
		code, _, stderr := drift(t, args...)
		require.Equal(t, 2, code, "%v: %s", args, stderr)
		require.NotEmpty(t, strings.TrimSpace(stderr))
	}
}

func TestDiffSnapshotAgainstLive(t *testing.T) {
	t.Parallel()
	a, b := pgtest.NewDB(t), pgtest.NewDB(t)
	pgtest.Exec(t, a, schemaSQL)
	pgtest.Exec(t, b, schemaSQL+"ALTER TABLE users ADD COLUMN nickname text;")
	file := filepath.Join(t.TempDir(), "a.json")
	code, _, stderr := drift(t, "snapshot", "--from", a, "--out", file)
	require.Equal(t, 0, code, stderr)
	code, out, _ := drift(t, "diff", "--from", file, "--to", b, "--format", "json")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, `"object": "public.users.nickname"`)
	require.Contains(t, out, `"change": "unexpected"`)
	code, _, _ = drift(t, "diff", "--from", file, "--to", a)
	require.Equal(t, 0, code)
}

// TestDiffPartitions: a partition made at run time is no drift by default; --partitions
// compares every partition as a table, as a target's partitions: all.
func TestDiffPartitions(t *testing.T) {
	t.Parallel()
	const logs = "CREATE TABLE logs (at date NOT NULL) PARTITION BY RANGE (at);"
	a := pgtest.Build(t, logs)
	b := pgtest.Build(t, logs+"CREATE TABLE logs_2024 PARTITION OF logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');")
	code, out, stderr := drift(t, "diff", "--from", a, "--to", b)
	require.Equal(t, 0, code, "%s%s", out, stderr)
	code, out, _ = drift(t, "diff", "--from", a, "--to", b, "--partitions", "--format", "json")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, `"object": "public.logs_2024"`)
}

func TestSnapshotIsByteStable(t *testing.T) {
	t.Parallel()
	a := pgtest.NewDB(t)
	pgtest.Exec(t, a, schemaSQL)
	code, one, _ := drift(t, "snapshot", "--from", a, "--out", "-")
	require.Equal(t, 0, code)
	pgtest.Exec(t, a, "INSERT INTO users VALUES (1, 'a@b'); ANALYZE users;")
	code, two, _ := drift(t, "snapshot", "--from", a, "--out", "-")
	require.Equal(t, 0, code)
	require.Equal(t, one, two)
	require.NotContains(t, one, "oid")
}
