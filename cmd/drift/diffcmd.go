package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/snapshot"
)

type diffOptions struct {
	from, to    string
	schemas     []string
	columnOrder bool
	shadowDSN   string
	out         outputOptions
}

func newDiffCmd(g *globals) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff --from SOURCE --to SOURCE",
		Short: "Compare two schemas: expected (--from) against actual (--to)",
		Long: `Compare two schemas. SOURCE is a live database (postgres://… URL or key=value DSN,
neo4j:// or bolt:// URI),
a snapshot .json file written by ` + "`drift snapshot`" + `, or a migration directory (replayed
into a throwaway shadow database).

--from is the expected side, --to the actual one: "missing" means in --from and not in --to.
Exit codes: 0 no finding at or above --fail-on, 1 drift, 2 a source could not be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			failOn, err := o.out.validate()
			if err != nil {
				return err
			}
			if o.from == "" || o.to == "" {
				return usageErr("diff needs both --from and --to")
			}
			w := newWiring(nil, o.shadowDSN, g.logger())
			res := o.run(cmd.Context(), w)
			if err := o.out.render(g.stdout, []check.Result{res}); err != nil {
				return &exitError{code: check.ExitError, err: fmt.Errorf("writing the report: %w", err)}
			}
			return exitWith(check.ExitCode([]check.Result{res}, failOn, o.out.failOnPending))
		},
	}
	cmd.Flags().StringVar(&o.from, "from", "", "expected schema: database URL or snapshot file")
	cmd.Flags().StringVar(&o.to, "to", "", "actual schema: database URL or snapshot file")
	cmd.Flags().StringSliceVar(&o.schemas, "schema", nil, "only these PostgreSQL schemas (repeatable; default all)")
	cmd.Flags().BoolVar(&o.columnOrder, "column-order", false, "also report columns in a different order")
	cmd.Flags().StringVar(&o.shadowDSN, "shadow-dsn", "", "PostgreSQL server for shadow databases")
	addOutputFlags(cmd, &o.out)
	return cmd
}

func (o *diffOptions) run(ctx context.Context, w *wiring) check.Result {
	// Expected from a file or a migration directory against a live database is exactly what
	// drift check does for a target, so it goes through the same runner: the live server's
	// version, its applied migrations and its roles all count.
	if engine := liveEngine(o.to); engine != "" {
		if st, err := os.Stat(o.from); err == nil {
			t := check.Target{Name: "diff", Engine: engine, DSN: o.to, Schemas: o.schemas, ColumnOrder: o.columnOrder, Expected: check.ExpectSnapshot, SnapshotPath: o.from}
			if st.IsDir() {
				t.Expected, t.SnapshotPath, t.MigrationsDir = check.ExpectMigrations, "", o.from
			}
			return w.Runner().Check(ctx, t)
		}
	}
	res := check.Result{Name: "diff", Findings: []diff.Finding{}, Started: time.Now()}
	src := sourceOptions{schemas: o.schemas}
	expected, expHealth, err := loadSource(ctx, w, o.from, src)
	if err != nil {
		res.Status, res.Error = check.StatusError, fmt.Sprintf("reading --from: %v", err)
		return res
	}
	actual, health, err := loadSource(ctx, w, o.to, src)
	if err != nil {
		res.Status, res.Error = check.StatusError, fmt.Sprintf("reading --to: %v", err)
		return res
	}
	_ = expHealth // health of the expected side is not drift of the actual one
	res.Engine = actual.Engine
	if expected.Engine != actual.Engine {
		res.Status, res.Error = check.StatusError, fmt.Sprintf("cannot compare a %s schema with a %s schema", expected.Engine, actual.Engine)
		return res
	}
	res.Warnings = check.VersionWarnings(expected, actual)
	res.Findings = check.Compare(expected, actual, health, diff.Options{Target: "diff", ColumnOrder: o.columnOrder})
	if len(res.Findings) > 0 {
		res.Status = check.StatusDrift
	} else {
		res.Status = check.StatusClean
	}
	return res
}

// sourceOptions narrow what is read from a source.
type sourceOptions struct {
	schemas []string
}

// loadSource reads a SOURCE: a live database or a snapshot file.
func loadSource(ctx context.Context, w *wiring, spec string, o sourceOptions) (*snapshot.Snapshot, []diff.Finding, error) {
	switch {
	case isPostgresDSN(spec):
		t := check.Target{Name: "source", Engine: snapshot.EnginePostgres, DSN: spec, Schemas: o.schemas}
		s, health, err := w.Runner().Engines[snapshot.EnginePostgres].Live.Live(ctx, t)
		return s, health, redact.Error(err, spec)
	case isNeo4jURI(spec):
		t := check.Target{Name: "source", Engine: snapshot.EngineNeo4j, DSN: spec}
		s, health, err := w.Runner().Engines[snapshot.EngineNeo4j].Live.Live(ctx, t)
		return s, health, redact.Error(err, spec)
	}
	st, err := os.Stat(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is neither a database URL nor a readable file: %w", redact.String(spec), err)
	}
	if st.IsDir() {
		s, warnings, err := w.buildFromMigrations(ctx, "", spec, o.schemas)
		for _, warning := range warnings {
			w.log.Warn(warning, "source", spec)
		}
		return s, nil, err
	}
	s, err := snapshot.ReadFile(spec)
	return s, nil, err
}

// liveEngine is the engine of a live-database SOURCE, or "" for a file or directory.
func liveEngine(spec string) string {
	switch {
	case isPostgresDSN(spec):
		return snapshot.EnginePostgres
	case isNeo4jURI(spec):
		return snapshot.EngineNeo4j
	}
	return ""
}

func isNeo4jURI(s string) bool {
	for _, scheme := range []string{"neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://"} {
		if strings.HasPrefix(s, scheme) {
			return true
		}
	}
	return false
}

func isPostgresDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") ||
		(strings.Contains(s, "=") && (strings.Contains(s, "host=") || strings.Contains(s, "dbname=")))
}
