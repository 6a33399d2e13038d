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

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/redact"
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
	logLevel string
	stdout   io.Writer
	stderr   io.Writer
	// redactor knows every secret the command has been given; every log line and printed
	// error passes it.
	redactor *redact.Redactor
}

// secure registers secrets (a config's, a flag's) with the redactor.
func (g *globals) secure(cfg *config.Config, extra ...string) {
	if cfg != nil {
		extra = append(extra, secretsOf(cfg)...)
	}
	g.redactor = g.redactor.With(extra...)
}

func (g *globals) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		level = slog.LevelError
	}
	return slog.New(g.redactor.Handler(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level})))
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
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "drift:", g.redactor.String(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "drift:", g.redactor.String(err.Error()))
	return check.ExitError
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
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: check.ExitError, err: fmt.Errorf("%w\nsee `%s --help`", err, c.CommandPath())}
	})
	root.AddCommand(
		newCheckCmd(g),
		newDiffCmd(g),
		newSnapshotCmd(g),
		newDaemonCmd(g),
		newAlertsCmd(g),
		newVersionCmd(g),
	)
	return root
}

// version is set by the build (-ldflags "-X main.version=...").
var version = "dev"

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print drift's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(g.stdout, "drift", version)
			return nil
		},
	}
}

// usageErr is a mistake on the command line: exit 2 with the message.
func usageErr(format string, args ...any) error {
	return &exitError{code: check.ExitError, err: fmt.Errorf(format, args...)}
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
