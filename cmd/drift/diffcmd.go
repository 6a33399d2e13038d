package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/report"
)

type diffOptions struct {
	from, to    string
	schemas     []string
	columnOrder bool
	partitions  bool
	shadowDSN   string
	timeout     time.Duration
	out         outputOptions

	// tracking and trackingColumn name a custom migration tracking table, like a target's
	// tracking: {table, column}; replay are settings for every replayed migration, like a
	// target's replay_settings.
	tracking, trackingColumn string
	replay                   map[string]string
	prelude                  []string
	placeholders             map[string]string
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

--format sql prints the statements that turn --from into --to (the migra and Atlas
convention): --from the live database --to the expected schema reverts drift, --from the
expected schema --to the live database is the migration that adopts it. drift prints them and
never runs them. --format markdown carries the same fix per finding.

Exit codes: 0 no finding at or above --fail-on, 1 drift, 2 a source could not be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.out.validate(g, "text", "json", "markdown", "sql"); err != nil {
				return err
			}
			if o.from == "" || o.to == "" {
				return usageErr("diff needs both --from and --to")
			}
			g.secure(nil, config.SecretPlaceholders(o.placeholders)...)
			stop := g.showProgress("comparing")
			w := newWiring(g, nil, o.shadowDSN)
			res := o.run(cmd.Context(), w)
			var err error
			stop()
			if o.out.format == "sql" {
				err = report.FixScript(g.stdout, []check.Result{res}, "drift diff: the statements that turn the --from schema into the --to schema")
				if err == nil && res.Status == check.StatusError {
					fmt.Fprintln(g.stderr, "drift diff:", res.Error)
				}
			} else {
				err = o.out.render(g.stdout, []check.Result{res})
			}
			if err != nil {
				return fail(fmt.Errorf("writing the report: %w", err))
			}
			return exitWith(o.out.policy.ExitCode([]check.Result{res}))
		},
	}
	cmd.Flags().StringVar(&o.from, "from", "", "expected schema: database URL, migration directory or snapshot file")
	cmd.Flags().StringVar(&o.to, "to", "", "actual schema: database URL, migration directory or snapshot file")
	cmd.Flags().StringSliceVar(&o.schemas, "schema", nil, "only these PostgreSQL schemas (repeatable; default all)")
	cmd.Flags().BoolVar(&o.columnOrder, "column-order", false, "also report columns in a different order")
	cmd.Flags().BoolVar(&o.partitions, "partitions", false, "compare every partition as a table, as a target's partitions: all (default: the partitioned tables, and a summary of their partitions)")
	cmd.Flags().StringVar(&o.shadowDSN, "shadow-dsn", "", "PostgreSQL server for shadow databases")
	cmd.Flags().DurationVar(&o.timeout, "timeout", config.DefaultTimeout, "give up the comparison (replay included) after this long")
	addOutputFlags(cmd, &o.out)
	cmd.Flags().StringVar(&o.tracking, "tracking", "", "migration tracking table to read the applied version from (name or schema.name; default: the tools' own tables)")
	cmd.Flags().StringVar(&o.trackingColumn, "tracking-column", "", "column of --tracking holding applied file names or versions")
	cmd.Flags().StringToStringVar(&o.replay, "replay-setting", nil, "run-time parameter set for every replayed migration, as name=value (repeatable)")
	cmd.Flags().StringArrayVar(&o.prelude, "replay-prelude", nil, "SQL run before the first replayed migration, for what setup creates outside the migrations (repeatable)")
	cmd.Flags().StringToStringVar(&o.placeholders, "placeholder", nil, "value of a Flyway placeholder ${name} in the migrations, as name=value (repeatable)")
	cmd.Flags().Lookup("format").Usage = "output format: text, json, markdown, or sql (the statements turning --from into --to)"
	return cmd
}

func (o *diffOptions) run(ctx context.Context, w *wiring) check.Result {
	opts := check.Options{Name: "diff", Schemas: o.schemas, ColumnOrder: o.columnOrder, Partitions: o.partitions, Timeout: o.timeout}
	if o.out.format == "sql" || o.out.format == "markdown" {
		opts.Fix = check.FixAdopt // the fix of a diff turns --from (the expected side) into --to
	}
	opts.Tracking = migrations.TrackingOptions{Table: o.tracking, Column: o.trackingColumn}
	opts.Replay, opts.Prelude, opts.Placeholders = o.replay, o.prelude, o.placeholders
	return w.runner.Diff(ctx, o.from, o.to, opts)
}
