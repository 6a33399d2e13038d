// Command drift-demo is `make demo`: it starts a throwaway local PostgreSQL, creates the demo
// shop database from configs/demo/migrations, checks it (clean), applies the hand-made changes
// of configs/demo/hotfixes.sql, checks again (drift), and runs one daemon tick that stores the
// alerts and prints the Slack message it would send — so a newcomer sees real findings within a
// minute. Everything it started is stopped and removed at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/pgbin"
	"github.com/drift-schema/drift/internal/pgcluster"
)

func main() { os.Exit(run()) }

func run() int {
	driftBin := flag.String("drift", "bin/drift", "the drift binary to demonstrate")
	demoDir := flag.String("dir", "configs/demo", "the demo's migrations and hotfixes")
	major := flag.Int("pg-major", pgbin.DefaultMajor, "the PostgreSQL major version of the demo database (13 to 18): a local install of it, else binaries downloaded once into the cache")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo(ctx, *driftBin, *demoDir, *major); err != nil {
		fmt.Fprintln(os.Stderr, "drift-demo:", err)
		return 2
	}
	return 0
}

func demo(ctx context.Context, driftBin, demoDir string, major int) (err error) {
	driftBin, _ = filepath.Abs(driftBin)
	demoDir, _ = filepath.Abs(demoDir)
	step(fmt.Sprintf("finding PostgreSQL %d server binaries (downloaded once into the cache when not installed)", major))
	bins, err := pgbin.Resolve(ctx, major, pgbin.Options{BaseURL: os.Getenv("DRIFT_PG_BINARIES_URL"), Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Printf("   %s (%s)\n", bins.Dir, bins.From)
	step(fmt.Sprintf("starting a throwaway PostgreSQL %d cluster", bins.Major))
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{BinDir: bins.Dir, Major: bins.Major})
	if err != nil {
		return err
	}
	defer func() {
		step("stopping the throwaway cluster and removing its files")
		err = errors.Join(err, cluster.Stop(context.Background()))
	}()
	work, err := os.MkdirTemp("", "drift-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	if err := execSQL(ctx, cluster.DSN("postgres"), "CREATE DATABASE shop"); err != nil {
		return err
	}
	shop := cluster.DSN("shop")
	step("creating database shop from " + rel(filepath.Join(demoDir, "migrations")))
	ups, err := filepath.Glob(filepath.Join(demoDir, "migrations", "*.up.sql"))
	if err != nil {
		return err
	}
	sort.Strings(ups)
	for _, f := range ups {
		if err := execFile(ctx, shop, f); err != nil {
			return err
		}
		fmt.Println("   applied", filepath.Base(f))
	}

	if err := execSQL(ctx, cluster.DSN("postgres"), "CREATE DATABASE drift_store"); err != nil {
		return err
	}
	config := filepath.Join(work, "drift.yaml")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(`# written by make demo
store:
  dsn: "%s"
shadow:
  # no postgres_dsn: migrations replay into a throwaway local cluster; the cache keeps the
  # expected schema between runs, so only the first check replays
  cache_dir: %s
targets:
  - name: shop
    engine: postgres
    dsn: "%s"
    migrations: %s
    expected: migrations
`, cluster.DSN("drift_store"), filepath.Join(work, "cache"), shop, filepath.Join(demoDir, "migrations"))), 0o600); err != nil {
		return err
	}
	step("drift check on the untouched database: its migrations replayed into a throwaway shadow vs the live catalog (expect: clean, exit 0)")
	if code, err := drift(ctx, driftBin, "check", "--config", config); err != nil || code != 0 {
		return fmt.Errorf("a fresh database should be clean: exit %d: %v", code, err)
	}

	step("making hand-made changes: " + rel(filepath.Join(demoDir, "hotfixes.sql")))
	if err := execFile(ctx, shop, filepath.Join(demoDir, "hotfixes.sql")); err != nil {
		return err
	}
	step("drift check on the drifted database (expect: findings, exit 1)")
	code, err := drift(ctx, driftBin, "check", "--config", config)
	if err != nil {
		return err
	}
	if code != 1 {
		return fmt.Errorf("drift check exited %d on a drifted database; want 1", code)
	}
	step("the same, as JSON for machines (first lines)")
	if _, err := driftHead(ctx, driftBin, 25, "check", "--config", config, "--format", "json"); err != nil {
		return err
	}
	step("one daemon tick (drift daemon --once): alerts stored in schema_drift_alerts; with no Slack configured, the message it would post is printed")
	if code, err := driftHead(ctx, driftBin, 40, "daemon", "--config", config, "--once", "--log-level", "warn"); err != nil || code != 1 {
		return fmt.Errorf("drift daemon --once exited %d on a drifted database; want 1: %v", code, err)
	}
	step("the stored alerts (drift alerts list)")
	if code, err := drift(ctx, driftBin, "alerts", "list", "--config", config); err != nil || code != 0 {
		return fmt.Errorf("drift alerts list exited %d: %v", code, err)
	}
	return nil
}

func step(msg string) { fmt.Printf("\n\033[1m==> %s\033[0m\n", msg) }

func rel(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(wd, p); err == nil {
			return r
		}
	}
	return p
}

// drift runs the drift binary with output to the terminal and returns its exit code.
func drift(ctx context.Context, bin string, args ...string) (int, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return exitCode(cmd.Run())
}

// driftHead runs drift and prints only the first n lines of its output.
func driftHead(ctx context.Context, bin string, n int, args ...string) (int, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	lines := strings.SplitAfter(string(out), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("   … (%d more lines)\n", len(lines)-n))
	}
	fmt.Print(strings.Join(lines, ""))
	return exitCode(err)
}

func exitCode(err error) (int, error) {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

func execFile(ctx context.Context, dsn, path string) error {
	sql, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := execSQL(ctx, dsn, string(sql)); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func execSQL(ctx context.Context, dsn, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	return err
}
