// Command drift-bench is the harness behind `make bench`: it generates schemas of thousands of
// tables, loads each into a database, and times `drift snapshot` against `pg_dump
// --schema-only` on it, alternating the two so that neither benefits from running second or from
// a quieter moment of the machine. It prints the medians, their ratios and whether drift meets
// its target: at least twice as fast as pg_dump, with a lower peak memory.
//
// A FAIL is a measured result, not an error: the exit code is non-zero only when the harness
// itself could not do its job (bad flags, no PostgreSQL, a tool that failed to run).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Exit codes.
const (
	exitOK           = 0 // measured and reported, whether the target was met or not
	exitHarnessError = 1 // the benchmark could not be run to the end
	exitUsage        = 2 // bad flags
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// options are the parsed flags.
type options struct {
	sizes    []int
	runs     int
	drift    []string // command template for one drift run, split into words
	driftBin string   // the drift binary, for the check path and fix SQL; empty with -drift-cmd
	pgDump   string
	dsn      string
	pgMajor  int
	schemas  int
	sqlDir   string
	timeout  time.Duration
	verbose  bool
	driftSrc string // the template as given, for the report
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "drift-bench:", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()

	level := slog.LevelInfo
	if opts.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	b := &bench{opts: opts, log: log, out: stdout}
	results, err := b.all(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "drift-bench:", err)
		return exitHarnessError
	}
	if err := writeReport(stdout, b.env, results); err != nil {
		fmt.Fprintln(stderr, "drift-bench: writing the report:", err)
		return exitHarnessError
	}
	return exitOK
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("drift-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: drift-bench [flags]

Generates schemas of the given sizes, loads each into a throwaway PostgreSQL cluster (or a
database on -dsn), and times drift snapshot against pg_dump --schema-only, alternating runs.
With -drift (not -drift-cmd) it also times drift diff of the database against a drifted copy
of its snapshot, with and without --format sql, to measure what writing the fix SQL adds.

-drift-cmd is a command template with the placeholders {dsn} (a postgres:// URL of the
benchmark database), {out} (a scratch output file) and {pgbin} (the directory of the pg_dump in
use), split into words like a shell would, without any expansion.

flags:
`)
		fs.PrintDefaults()
	}
	var (
		o        options
		sizes    = fs.String("sizes", "2000,10000", "comma-separated numbers of tables to benchmark")
		driftBin = fs.String("drift", "./bin/drift", "the drift binary; run as: DRIFT snapshot --from {dsn} --out {out}")
		driftCmd = fs.String("drift-cmd", "", "command template to time instead of -drift (see above)")
	)
	fs.IntVar(&o.runs, "runs", 3, "timed runs of each tool per size")
	fs.StringVar(&o.pgDump, "pgdump", "", "pg_dump to compare with (default: /usr/lib/postgresql/<server major>/bin/pg_dump, else the cluster's, else PATH)")
	fs.StringVar(&o.dsn, "dsn", "", "superuser DSN of an existing server to use instead of a throwaway cluster; drift-bench creates and drops drift_bench_<size> there")
	fs.IntVar(&o.pgMajor, "pg-major", 0, "PostgreSQL major version of the throwaway cluster (0: the newest installed)")
	fs.IntVar(&o.schemas, "schemas", 0, "schemas the tables are spread over (0: one per ten tables, at most 8)")
	fs.StringVar(&o.sqlDir, "sql-dir", "", "also write each generated schema to DIR/schema_<size>.sql")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Hour, "give up after this long")
	fs.BoolVar(&o.verbose, "v", false, "log progress in detail")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-sizes: %q is not a positive number of tables", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.runs < 1 {
		return o, fmt.Errorf("-runs must be at least 1, got %d", o.runs)
	}
	driftSet := false
	fs.Visit(func(f *flag.Flag) { driftSet = driftSet || f.Name == "drift" })
	switch {
	case *driftCmd != "" && driftSet:
		return o, errors.New("-drift and -drift-cmd are mutually exclusive")
	case *driftCmd != "":
		words, err := splitWords(*driftCmd)
		if err != nil {
			return o, fmt.Errorf("-drift-cmd: %w", err)
		}
		if len(words) == 0 {
			return o, errors.New("-drift-cmd is empty")
		}
		o.drift, o.driftSrc = words, *driftCmd
	default:
		o.drift = []string{*driftBin, "snapshot", "--from", "{dsn}", "--out", "{out}"}
		o.driftBin = *driftBin
		o.driftSrc = *driftBin + " snapshot --from {dsn} --out {out}"
	}
	// A program named through a placeholder ({pgbin}/psql) can only be checked when it runs.
	if _, err := exec.LookPath(o.drift[0]); err != nil && !strings.Contains(o.drift[0], "{") {
		hint := ""
		if *driftCmd == "" {
			hint = " (build it first, or time another command with -drift-cmd)"
		}
		return o, fmt.Errorf("the drift command %s cannot be run: %w%s", o.drift[0], err, hint)
	}
	if o.sqlDir != "" {
		if st, err := os.Stat(o.sqlDir); err != nil || !st.IsDir() {
			return o, fmt.Errorf("-sql-dir %s is not a directory", o.sqlDir)
		}
	}
	return o, nil
}

// environment describes where the benchmark ran, for the report.
type environment struct {
	serverVersion string
	pgDump        string
	pgDumpVersion string
	driftCmd      string
}

// findPgDump picks the pg_dump to compare with: the flag, else the one of the server's major
// version in Debian's layout, else the one beside the throwaway cluster's server, else PATH's.
func findPgDump(flagPath string, major int, clusterBin string) (string, error) {
	if flagPath != "" {
		p, err := exec.LookPath(flagPath)
		if err != nil {
			return "", fmt.Errorf("finding pg_dump %s: %w", flagPath, err)
		}
		return p, nil
	}
	candidates := []string{fmt.Sprintf("/usr/lib/postgresql/%d/bin/pg_dump", major)}
	if clusterBin != "" {
		candidates = append(candidates, filepath.Join(clusterBin, "pg_dump"))
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return c, nil
		}
	}
	p, err := exec.LookPath("pg_dump")
	if err != nil {
		return "", fmt.Errorf("finding pg_dump for PostgreSQL %d: %w", major, err)
	}
	return p, nil
}

// cores is the number of CPUs the benchmark may use.
func cores() int { return runtime.NumCPU() }
