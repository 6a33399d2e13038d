// Command drift finds schema drift: differences between what a database's migrations say its
// schema should be and what the live catalog holds.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/buildinfo"
	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/progress"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/report"
)

func main() {
	// A comparison holds a large schema (hundreds of thousands of objects at 10,000 tables) for
	// most of its short life: collecting garbage at half the default growth keeps its peak memory
	// about a fifth lower for little CPU, which a client mostly waiting on the server has to
	// spare (make bench measures both). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exitError carries an exit code out of a cobra command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitWith returns an error that makes drift exit with code without printing anything more.
func exitWith(code int) error { return &exitError{code: code} }

// globals are the flags every command shares, and the process's one redaction point.
type globals struct {
	logLevel  string
	logFormat string
	// logFormatSet: --log-format was given, so the config's log_format does not apply.
	logFormatSet bool
	stdout       io.Writer
	stderr       io.Writer
	// redactor knows every secret the command has been given; every log line and printed
	// error passes it.
	redactor *redact.Redactor
	// jsonErrors: the command was asked for JSON (--format json), so a failure is printed as
	// a JSON error object on stdout too, for the program reading it.
	jsonErrors bool
	// progress is the status line of a long run on a terminal (nil elsewhere).
	progress *progress.Line
	// postgresBinDir is --postgres-bin-dir: server binaries for the throwaway shadow cluster.
	postgresBinDir string
}

// secure registers secrets (a config's, a flag's) with the redactor, and adopts the config's
// log format unless --log-format was given.
func (g *globals) secure(cfg *config.Config, extra ...string) {
	if cfg != nil {
		extra = append(extra, cfg.Secrets()...)
		if !g.logFormatSet && cfg.LogFormat != "" {
			g.logFormat = cfg.LogFormat
		}
	}
	g.redactor = g.redactor.With(extra...)
}

func (g *globals) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(g.stderr, opts)
	if g.logFormat == "json" {
		h = slog.NewJSONHandler(g.stderr, opts)
	}
	// Redaction comes first, so neither the log nor the status line ever sees a secret.
	return slog.New(g.redactor.Handler(g.progress.Handler(h)))
}

// showProgress starts the status line of a long run, when stderr is a terminal and logs are
// for people (text); it returns the function that clears it.
func (g *globals) showProgress(what string) func() {
	if g.logFormat == "json" {
		return func() {}
	}
	g.progress = progress.New(g.stderr)
	g.progress.Start(what)
	return g.progress.Stop
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g := &globals{stdout: stdout, stderr: stderr}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return check.ExitClean
	}
	code := check.ExitError
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		err = ee.err
	}
	if err != nil {
		msg := g.redactor.String(err.Error())
		fmt.Fprintln(stderr, "drift:", msg)
		if g.jsonErrors {
			_ = report.JSONError(stdout, err, msg, code, g.redactor)
		}
	}
	return code
}

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "drift",
		Short:         "Find schema drift between migrations and live databases",
		Long:          "drift compares the schema your migrations describe with the schema your live PostgreSQL and Neo4j\ndatabases actually have, and reports each difference as a typed finding with a severity.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "error", "log level: debug, info, warn or error (logs go to stderr; the report itself goes to stdout)")
	root.PersistentFlags().StringVar(&g.postgresBinDir, "postgres-bin-dir", "", "PostgreSQL server binaries (initdb, pg_ctl, postgres) for the throwaway shadow cluster (default: shadow.postgres_bin_dir, else a local install of the live server's major, else a download into the cache)")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", config.DefaultLogFormat, "log format: text, or json (one JSON object a line, for a log collector); default: the config's log_format")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		g.logFormat = strings.ToLower(strings.TrimSpace(g.logFormat))
		if !oneOf(g.logFormat, "text", "json") {
			return usageErr("--log-format must be text or json, not %q", g.logFormat)
		}
		g.logFormatSet = cmd.Flags().Changed("log-format")
		return nil
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fail(fmt.Errorf("%w\nsee `%s --help`", err, c.CommandPath()))
	})
	root.AddCommand(
		newCheckCmd(g),
		newDiffCmd(g),
		newSnapshotCmd(g),
		newDaemonCmd(g),
		newAlertsCmd(g),
		newRunsCmd(g),
		newInitCmd(g),
		newConfigCmd(g),
		newVersionCmd(g),
	)
	return root
}

// Build information, stamped by `make build` (-ldflags "-X main.version=… -X main.commit=…
// -X main.date=…"). A plain `go build` leaves the defaults, and `drift version` then reads
// what the Go toolchain recorded (the module version, the VCS revision and time).
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func newVersionCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print drift's version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := buildinfo.Read(version, commit, date).Write(g.stdout, format); err != nil {
				return fail(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

// fail is a command that could not do its work: exit 2 with err.
func fail(err error) error { return &exitError{code: check.ExitError, err: err} }

// usageErr is a mistake on the command line: exit 2 with the message.
func usageErr(format string, args ...any) error {
	return fail(fmt.Errorf(format, args...))
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return true
		}
	}
	return false
}

// currentUser names who runs the command, for acknowledgements; $USER, else "unknown".
func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}
