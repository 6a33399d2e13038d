package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
)

type snapshotOptions struct {
	from       string
	out        string
	targets    []string
	schemas    []string
	shadowDSN  string
	configPath string
	verify     bool
	timeout    time.Duration
}

func newSnapshotCmd(g *globals) *cobra.Command {
	o := &snapshotOptions{}
	cmd := &cobra.Command{
		Use:   "snapshot [--from SOURCE --out FILE] [--verify]",
		Short: "Write schema snapshots (deterministic JSON) of a source, or of every target's migrations",
		Long: `Write a schema snapshot: deterministic JSON with no OIDs, timestamps, statistics or sequence
positions, so the same schema always gives the same bytes and the file can be committed under
snapshots/ and reviewed in pull requests.

With --from SOURCE --out FILE: snapshot one source (database URL, snapshot file or migration
directory); --out - writes to standard output.

Without --from: rebuild snapshots/<target>.json of every configured target (or the --target
ones) from its migrations. With --verify nothing is written; the command exits 1 when a committed
snapshot is stale against its migrations (for CI) and 2 when one cannot be built.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.from != "" {
				return o.one(cmd.Context(), g)
			}
			if o.out != "" {
				return usageErr("--out goes with --from; without --from every target's snapshot is written to its own file")
			}
			return o.all(cmd.Context(), g)
		},
	}
	cmd.Flags().StringVar(&o.from, "from", "", "schema source: database URL, snapshot file or migration directory")
	cmd.Flags().StringVar(&o.out, "out", "", "file to write, or - for standard output (with --from)")
	cmd.Flags().StringArrayVarP(&o.targets, "target", "t", nil, "with --from: the target name recorded in the snapshot; without: only these targets")
	cmd.Flags().StringSliceVar(&o.schemas, "schema", nil, "only these PostgreSQL schemas (repeatable; default all)")
	cmd.Flags().StringVar(&o.shadowDSN, "shadow-dsn", "", "PostgreSQL server for shadow databases")
	cmd.Flags().StringVarP(&o.configPath, "config", "c", "", "config file, without --from (default: $DRIFT_CONFIG, else drift.yaml)")
	cmd.Flags().BoolVar(&o.verify, "verify", false, "without --from: write nothing, exit 1 when a committed snapshot is stale")
	cmd.Flags().DurationVar(&o.timeout, "timeout", config.DefaultTimeout, "give up reading a source (replay included) after this long")
	return cmd
}

func (o *snapshotOptions) one(ctx context.Context, g *globals) error {
	if o.out == "" {
		return usageErr("snapshot --from needs --out FILE (or --out -)")
	}
	if len(o.targets) > 1 {
		return usageErr("snapshot --from records one --target name")
	}
	defer g.showProgress("reading the schema")()
	w := newWiring(g, nil, o.shadowDSN)
	name := ""
	if len(o.targets) == 1 {
		name = o.targets[0]
	}
	opts := check.Options{Name: name, Schemas: o.schemas, Timeout: o.timeout}
	if err := w.runner.WriteSnapshotOf(ctx, o.from, opts, check.SnapshotFile{Path: o.out, Out: g.stdout, Log: g.stderr}); err != nil {
		return fail(err)
	}
	return nil
}

// all rebuilds (or verifies) every selected target's committed snapshot from its migrations,
// each read within --timeout.
func (o *snapshotOptions) all(ctx context.Context, g *globals) error {
	cfg, targets, err := g.load(o.configPath, o.targets...)
	if err != nil {
		return err
	}
	defer g.showProgress(fmt.Sprintf("building %s from migrations", plural(len(targets), "snapshot")))()
	w := newWiring(g, cfg, o.shadowDSN)
	checked := check.TargetsFrom(cfg, targets)
	for i := range checked {
		checked[i].Timeout = o.timeout
	}
	stale, err := w.runner.RefreshSnapshots(ctx, checked, len(o.targets) > 0, check.SnapshotFile{Verify: o.verify, Out: g.stdout, Log: g.stderr})
	switch {
	case err != nil:
		return fail(err)
	case stale:
		return exitWith(check.ExitDrift)
	}
	return nil
}
