package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/snapshot"
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
	src, err := w.runner.Source(o.from)
	if err != nil {
		return &exitError{code: check.ExitError, err: fmt.Errorf("reading --from: %w", err)}
	}
	s, warnings, err := w.runner.Snapshot(ctx, src, check.Options{Name: name, Schemas: o.schemas, Timeout: o.timeout})
	if err != nil {
		return &exitError{code: check.ExitError, err: fmt.Errorf("reading --from: %w", err)}
	}
	for _, warning := range warnings {
		fmt.Fprintf(g.stderr, "warning: %s\n", warning)
	}
	if name != "" {
		s.Target = name
	}
	if o.out == "-" {
		// Streamed: a large schema's JSON is never held in memory whole.
		if err := snapshot.Encode(g.stdout, s); err != nil {
			return &exitError{code: check.ExitError, err: err}
		}
		return nil
	}
	if err := writeSnapshot(g, o.out, s); err != nil {
		return &exitError{code: check.ExitError, err: err}
	}
	fmt.Fprintf(g.stderr, "wrote %s (%d objects)\n", o.out, len(s.Objects))
	return nil
}

// all rebuilds (or verifies) every selected target's committed snapshot from its migrations.
func (o *snapshotOptions) all(ctx context.Context, g *globals) error {
	cfg, targets, err := loadTargets(o.configPath, o.targets)
	if err != nil {
		return err
	}
	g.secure(cfg)
	defer g.showProgress(fmt.Sprintf("building %s from migrations", plural(len(targets), "snapshot")))()
	w := newWiring(g, cfg, o.shadowDSN)
	code := check.ExitClean
	var errs []error
	for _, t := range targets {
		if t.Migrations == "" {
			if len(o.targets) > 0 {
				errs = append(errs, fmt.Errorf("target %s: has no migrations directory to build a snapshot from", t.Name))
			}
			continue
		}
		path := cfg.SnapshotPath(t)
		stale, err := o.target(ctx, g, w, cfg, t, path)
		if err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", t.Name, err))
			continue
		}
		if stale {
			code = check.ExitDrift
		}
	}
	if len(errs) > 0 {
		return &exitError{code: check.ExitError, err: errors.Join(errs...)}
	}
	return exitWith(code)
}

func (o *snapshotOptions) target(ctx context.Context, g *globals, w *wiring, cfg *config.Config, t config.Target, path string) (stale bool, err error) {
	migs := check.Source{Kind: check.SourceMigrations, Engine: t.Engine, Path: cfg.Resolve(t.Migrations)}
	opts := check.Options{Name: t.Name, Schemas: t.Schemas, Tracking: migrations.TrackingOptions{Table: t.Tracking.Table, Column: t.Tracking.Column}, Timeout: o.timeout}
	opts.Replay, opts.Partitions = t.ReplaySettings, t.Partitions == config.PartitionsAll
	s, warnings, err := w.runner.Snapshot(ctx, migs, opts)
	if err != nil {
		return false, err
	}
	for _, warning := range warnings {
		fmt.Fprintf(g.stderr, "target %s: warning: %s\n", t.Name, warning)
	}
	s.Target = t.Name
	same, exists, err := snapshot.SameAsFile(path, s)
	if err != nil {
		return false, err
	}
	if same {
		fmt.Fprintf(g.stderr, "%s is up to date\n", path)
		return false, nil
	}
	if exists {
		// A server minor update changes the recorded server version and nothing else: the
		// committed file still describes the schema, so it is neither stale nor rewritten.
		if old, err := snapshot.ReadFile(path); err == nil && old.SameSchema(s) {
			fmt.Fprintf(g.stderr, "%s is up to date (only the server version differs: committed from %s, rebuilt on %s)\n", path, old.ServerVersion, s.ServerVersion)
			return false, nil
		}
	}
	if o.verify {
		if !exists {
			fmt.Fprintf(g.stdout, "%s is missing: run `drift snapshot` and commit it\n", path)
			return true, nil
		}
		fmt.Fprintf(g.stdout, "%s is stale against %s: run `drift snapshot` and commit it\n", path, t.Migrations)
		// Say what differs: the committed file against what the migrations build, by the same
		// comparison drift check runs (the build is cached, so this replays nothing again).
		res := w.runner.Check(ctx, migs, check.Source{Kind: check.SourceSnapshot, Path: path}, opts)
		switch {
		case res.Status == check.StatusError:
			fmt.Fprintf(g.stdout, "  (cannot compare them: %s)\n", res.Error)
		case len(res.Findings) == 0:
			fmt.Fprintf(g.stdout, "  the schema is the same; the recorded source differs (committed from %s at %s, the migrations are at %s)\n",
				res.Actual.Source.Checksum, res.Actual.Source.Version, s.Source.Version)
		}
		for _, f := range res.Findings {
			fmt.Fprintf(g.stdout, "  %s: %s\n", f.Severity, f.Summary)
		}
		return true, nil
	}
	if err := writeSnapshot(g, path, s); err != nil {
		return false, err
	}
	fmt.Fprintf(g.stderr, "wrote %s (%d objects)\n", path, len(s.Objects))
	return false, nil
}

// writeSnapshot writes a snapshot file safely (internal/safefile) and says what it created.
func writeSnapshot(g *globals, path string, s *snapshot.Snapshot) error {
	out, err := snapshot.Write(path, s)
	for _, dir := range out.Created {
		fmt.Fprintf(g.stderr, "created directory %s\n", dir)
	}
	return err
}
