package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

// repeatedPrefix returns the part of an error that says what it was doing twice ("opening the
// store: opening store: …", "config x: config x: …"), or "".
func repeatedPrefix(msg string) string {
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.ReplaceAll(strings.ToLower(s), "the ", "")), " ")
	}
	for _, line := range strings.Split(msg, "\n") {
		seen := map[string]bool{}
		for _, part := range strings.Split(line, ": ") {
			p := norm(part)
			if len(p) < 4 {
				continue
			}
			if seen[p] {
				return part
			}
			seen[p] = true
		}
	}
	return ""
}

func TestRunsListsTheDaemonsRuns(t *testing.T) {
	t.Parallel()
	live, storeDSN := pgtest.NewDB(t), pgtest.NewDB(t)
	pgtest.Exec(t, live, schemaSQL)
	cfg := writeConfig(t, fmt.Sprintf("store: {dsn: %q}\ntargets:\n  - {name: app, dsn: %q}\n  - {name: down, dsn: \"postgres://u:Runs-Pw-77@127.0.0.1:1/x?connect_timeout=1\"}\n", storeDSN, live))
	snaps := filepath.Join(filepath.Dir(cfg), "snapshots")
	for _, n := range []string{"app", "down"} {
		code, _, stderr := drift(t, "snapshot", "--from", live, "--out", filepath.Join(snaps, n+".json"))
		require.Equal(t, 0, code, stderr)
	}
	code, _, stderr := drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 2, code, stderr)
	pgtest.Exec(t, live, "CREATE INDEX users_tmp_idx ON users (id, email)")
	time.Sleep(1100 * time.Millisecond) // the next --once is another tick (second resolution)
	code, _, stderr = drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 2, code, stderr)

	code, out, stderr := drift(t, "runs", "--config", cfg)
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 5, out)
	require.Regexp(t, `^TARGET\s+SCHEDULED\s+STARTED\s+DURATION\s+RESULT\s+FINDINGS\s+REPLICA\s+ERROR`, lines[0])
	require.Regexp(t, `^app\s.*\sdrift\s+1 warning\s`, lines[1], "newest first")
	require.Regexp(t, `^app\s.*\sclean\s+-\s`, lines[2])
	require.Regexp(t, `^down\s.*\serror\s.*connect`, lines[3])
	require.NotContains(t, out, "Runs-Pw-77")

	code, out, stderr = drift(t, "runs", "--config", cfg, "--target", "app", "--limit", "1", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var runs struct {
		Runs []struct {
			Target, Status, Error string
			Warning               int
			DurationMS            int64 `json:"duration_ms"`
			FinishedAt            *time.Time
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &runs), out)
	require.Len(t, runs.Runs, 1)
	require.Equal(t, "app", runs.Runs[0].Target)
	require.Equal(t, "drift", runs.Runs[0].Status)
	require.Equal(t, 1, runs.Runs[0].Warning)
	require.Positive(t, runs.Runs[0].DurationMS)

	code, out, stderr = drift(t, "runs", "--config", cfg, "--target", "ap", "--format", "json")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `no target named "ap"`)
	require.Contains(t, stderr, "(did you mean app?); configured: app, down", "an unknown target lists the configured ones")
	require.Contains(t, out, `"exit_code": 2`, "asked for JSON, the error is JSON too")
}

// TestInitWritesAConfigDriftUses: drift init on a database and its migration folder writes a
// commented config that drift check then runs as it is, the connection string coming from the
// variable init named.
func TestInitWritesAConfigDriftUses(t *testing.T) {
	live := pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 4, false)
	live += " password=Init-Pw-9" // the test server does not ask for it; drift must not write it
	out := filepath.Join(t.TempDir(), "conf", "drift.yaml")
	code, stdout, stderr := drift(t, "init", live, dir, "--out", out)
	require.Equal(t, 0, code, stderr)
	require.Empty(t, stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	text := string(data)
	name := regexp.MustCompile(`(?m)^  - name: (\S+)$`).FindStringSubmatch(text)
	require.NotNil(t, name, text)
	envVar := strings.ToUpper(strings.ReplaceAll(name[1], "-", "_")) + "_DATABASE_URL"
	require.Contains(t, text, "dsn: ${"+envVar+"}")
	require.Contains(t, text, "4 sql migrations, golang-migrate convention")
	require.Contains(t, text, "expected: migrations")
	require.Contains(t, text, "# store:", "the daemon's settings are there, commented")
	require.NotContains(t, text, "Init-Pw-9", "the connection string stays in the environment")
	require.Contains(t, text, "password=<secret>", "a comment says which database, without its password")
	require.Contains(t, stderr, "export "+envVar+"=")
	require.NotContains(t, stderr, "Init-Pw-9")

	code, _, stderr = drift(t, "check", "--config", out)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, envVar+" is not set", "the variable init named is the one check asks for")

	t.Setenv(envVar, live)
	t.Setenv("DRIFT_SHADOW_DSN", pgtest.AdminDSN(t))
	code, report, stderr := drift(t, "check", "--config", out)
	require.Equal(t, 0, code, "%s\n%s", report, stderr)

	code, _, stderr = drift(t, "init", live, dir, "--out", out)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "exists: drift init does not overwrite")
	code, _, stderr = drift(t, "init", dir)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "comes before any database")
}

func TestAlertsCommandsCheckTheirArguments(t *testing.T) {
	t.Parallel()
	code, _, stderr := drift(t, "alerts", "ack", "3", "--reason", "known", "--until", "2020-01-01")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--until 2020-01-01T00:00:00Z is in the past")
	code, _, stderr = drift(t, "alerts", "ack", "3", "--reason", "known", "--until", "soon")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "not a date")
	// The values --until reads are tested with alert.ParseUntil.

	code, out, _ := drift(t, "alerts", "unack", "--help")
	require.Equal(t, 0, code)
	require.Contains(t, out, "Nothing is\nposted now")
	require.Contains(t, out, "resolution, is posted as usual")
}

func TestConfigErrorsAsJSONAndWithoutRepeats(t *testing.T) {
	t.Parallel()
	bad := writeConfig(t, "targets:\n  - name: app\n    engine: postgress\n    dsn: x\n    colour: red\n")
	code, out, stderr := drift(t, "check", "--config", bad, "--format", "JSON")
	require.Equal(t, 2, code)
	var obj struct {
		Error struct {
			Message  string
			ExitCode int `json:"exit_code"`
			File     string
			Problems []struct {
				Line         int
				Key, Message string
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &obj), "stdout is JSON: %s", out)
	require.Equal(t, 2, obj.Error.ExitCode)
	require.Equal(t, bad, obj.Error.File)
	require.Len(t, obj.Error.Problems, 2)
	require.Equal(t, 3, obj.Error.Problems[0].Line)
	require.Equal(t, "targets[0].engine", obj.Error.Problems[0].Key)
	require.Contains(t, obj.Error.Problems[0].Message, "did you mean postgres?")
	require.Equal(t, 5, obj.Error.Problems[1].Line)
	require.Contains(t, stderr, bad+":5: targets[0].colour: unknown setting")

	unset := writeConfig(t, "store: {dsn: '${NOT_SET_STORE_DSN}'}\ntargets: [{name: app, dsn: x}]\n")
	unreachable := writeConfig(t, "store: {dsn: 'postgres://drift:Store-Pw-1@127.0.0.1:1/s?connect_timeout=1'}\ntargets: [{name: app, dsn: x}]\n")
	for _, args := range [][]string{
		{"check", "--config", bad},
		{"daemon", "--config", unset, "--once"},
		{"daemon", "--config", unreachable, "--once"},
		{"alerts", "list", "--config", unreachable},
		{"runs", "--config", unreachable},
		{"check", "--config", unset, "--target", "nope"},
		{"check", "--config", filepath.Join(t.TempDir(), "missing.yaml")},
		{"version", "--format", "yaml"},
		{"check", "--log-format", "xml"},
	} {
		code, _, stderr := drift(t, args...)
		require.Equal(t, 2, code, "%v: %s", args, stderr)
		require.Equal(t, 1, strings.Count(stderr, "drift:"), "%v: one error: %s", args, stderr)
		require.Empty(t, repeatedPrefix(stderr), "%v says something twice: %s", args, stderr)
		require.NotContains(t, stderr, "Store-Pw-1")
	}
}

func TestLogFormatJSON(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, "log_format: json\ntargets:\n  - {name: down, dsn: \"postgres://u:Log-Pw-5@127.0.0.1:1/x?connect_timeout=1\"}\n")
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(cfg), "snapshots", "down.json"), []byte(`{"format_version":1,"engine":"postgres","objects":[]}`), 0o644))
	for _, args := range [][]string{
		{"check", "--config", cfg, "--log-level", "info"},
		{"check", "--config", cfg, "--log-level", "info", "--log-format", "JSON"},
	} {
		_, _, stderr := drift(t, args...)
		var logged int
		sc := bufio.NewScanner(strings.NewReader(stderr))
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "drift: ") || strings.TrimSpace(line) == "" {
				continue
			}
			var rec map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &rec), "a JSON object a line: %q", line)
			require.Contains(t, rec, "level")
			require.Contains(t, rec, "msg")
			logged++
		}
		require.Positive(t, logged, stderr)
		require.NotContains(t, stderr, "Log-Pw-5")
	}
	_, _, stderr := drift(t, "check", "--config", cfg, "--log-level", "info", "--log-format", "text")
	require.Contains(t, stderr, "level=WARN", "--log-format wins over the config")
}

// buildDrift builds the binary as `make build` does, with the version stamped: once per test
// run, shared by the tests that start it (TestMain removes it).
func buildDrift(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "drift-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		bin := filepath.Join(dir, "drift")
		ld := "-X main.version=v9.8.7 -X main.commit=0123456789abcdef0123 -X main.date=2026-03-01T10:00:00Z"
		// Built with the test binary's own settings, so the build reuses the packages go test
		// compiled (CGO_ENABLED=0 recompiled every package that imports net: most of drift's
		// dependencies, on a fresh machine). The static build is make build's; the Dockerfile
		// test holds that.
		cmd := exec.Command("go", "build", "-ldflags", ld, "-o", bin, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		built.bin = bin
	})
	require.NoError(t, built.err)
	return built.bin
}

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// TestTheBinary runs the built binary as a user's shell would: a stamped version, no escape
// code in output that is redirected, and a daemon that serves its status page and exits 0 on
// SIGTERM.
func TestTheBinary(t *testing.T) {
	t.Parallel()
	bin := buildDrift(t)

	out, err := exec.Command(bin, "version").CombinedOutput()
	require.NoError(t, err)
	require.Regexp(t, `^drift v9\.8\.7 \(commit 0123456789ab, 2026-03-01T10:00:00Z\) go1\.`, string(out))

	live, storeDSN := pgtest.NewDB(t), pgtest.NewDB(t)
	pgtest.Exec(t, live, schemaSQL)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cfg := writeConfig(t, fmt.Sprintf("environment: test\nschedule: \"* * * * * *\"\nstore: {dsn: %q}\ndaemon: {http_address: %q, shutdown_timeout: 30s}\ntargets:\n  - {name: app, dsn: %q}\n", storeDSN, addr, live))
	snap := filepath.Join(filepath.Dir(cfg), "snapshots", "app.json")
	require.NoError(t, exec.Command(bin, "snapshot", "--from", live, "--out", snap).Run())
	pgtest.Exec(t, live, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL")

	// Redirected to files: text for a file, no colour, no progress line.
	stdout, stderr := filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "err")
	o, _ := os.Create(stdout)
	e, _ := os.Create(stderr)
	cmd := exec.Command(bin, "check", "--config", cfg, "--log-level", "debug")
	cmd.Stdout, cmd.Stderr = o, e
	err = cmd.Run()
	o.Close()
	e.Close()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 1, exit.ExitCode())
	for _, f := range []string{stdout, stderr} {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NotEmpty(t, data)
		require.NotContains(t, string(data), "\x1b", "no escape codes in %s", filepath.Base(f))
		require.NotContains(t, string(data), "\r")
	}

	// The daemon: ticks every second, serves the page between them, exits 0 on SIGTERM.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := exec.CommandContext(ctx, bin, "daemon", "--config", cfg)
	var logs strings.Builder
	d.Stderr = &logs
	require.NoError(t, d.Start())
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/v1/status")
		if err == nil {
			var st struct {
				Targets []struct {
					LastRun *struct{ Status string } `json:"last_run"`
				}
			}
			_ = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if len(st.Targets) == 1 && st.Targets[0].LastRun != nil && st.Targets[0].LastRun.Status == "drift" {
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "the daemon's page never showed its run:\n%s", logs.String())
		time.Sleep(200 * time.Millisecond)
	}
	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, d.Process.Signal(syscall.SIGTERM))
	err = d.Wait()
	require.NoError(t, err, "SIGTERM is a normal stop: exit 0\n%s", logs.String())
	require.Contains(t, logs.String(), "daemon stopped")
}
