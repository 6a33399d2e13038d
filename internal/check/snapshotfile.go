package check

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/drift-schema/drift/internal/snapshot"
)

// SnapshotFile is a committed expected snapshot that `drift snapshot` rebuilds from its target's
// migrations, and where it says what it did.
type SnapshotFile struct {
	Path string
	// Migrations names the migration folder in messages, as the config writes it.
	Migrations string
	// Verify writes nothing: a missing or stale file is reported on Out, with what differs.
	Verify bool
	// Out receives the verdicts of Verify (the command's report); Log the rest: warnings, what
	// was written, what was up to date.
	Out, Log io.Writer
}

// RefreshSnapshot builds the snapshot migs describes and compares it with the committed file:
// an identical file (or one whose only difference is the recorded server version, as after a
// server minor update) is left alone; any other is rewritten, or with Verify reported stale.
func (r *Runner) RefreshSnapshot(ctx context.Context, migs Source, opts Options, f SnapshotFile) (stale bool, err error) {
	s, warnings, err := r.Snapshot(ctx, migs, opts)
	if err != nil {
		return false, err
	}
	for _, warning := range warnings {
		fmt.Fprintf(f.Log, "target %s: warning: %s\n", opts.Name, warning)
	}
	s.Target = opts.Name
	path := f.Path
	same, exists, err := snapshot.SameAsFile(path, s)
	if err != nil {
		return false, err
	}
	if same {
		fmt.Fprintf(f.Log, "%s is up to date\n", path)
		return false, nil
	}
	if exists {
		// A server minor update changes the recorded server version and nothing else: the
		// committed file still describes the schema, so it is neither stale nor rewritten.
		if old, err := snapshot.ReadFile(path); err == nil && old.SameSchema(s) {
			fmt.Fprintf(f.Log, "%s is up to date (only the server version differs: committed from %s, rebuilt on %s)\n", path, old.ServerVersion, s.ServerVersion)
			return false, nil
		}
	}
	if f.Verify {
		if !exists {
			fmt.Fprintf(f.Out, "%s is missing: run `drift snapshot` and commit it\n", path)
			return true, nil
		}
		fmt.Fprintf(f.Out, "%s is stale against %s: run `drift snapshot` and commit it\n", path, f.Migrations)
		// Say what differs: the committed file against what the migrations build, by the same
		// comparison drift check runs (the build is cached, so this replays nothing again).
		res := r.Check(ctx, migs, Source{Kind: SourceSnapshot, Path: path}, opts)
		switch {
		case res.Status == StatusError:
			fmt.Fprintf(f.Out, "  (cannot compare them: %s)\n", res.Error)
		case len(res.Findings) == 0:
			fmt.Fprintf(f.Out, "  the schema is the same; the recorded source differs (committed from %s at %s, the migrations are at %s)\n",
				res.Actual.Source.Checksum, res.Actual.Source.Version, s.Source.Version)
		}
		for _, fd := range res.Findings {
			fmt.Fprintf(f.Out, "  %s: %s\n", fd.Severity, fd.Summary)
		}
		return true, nil
	}
	return false, writeSnapshot(path, s, f.Log)
}

// WriteSnapshotOf writes the snapshot of the source spec names (as SnapshotOf reads it) to
// f.Path, or streams it to f.Out when f.Path is "-" (a large schema's JSON is never held in
// memory whole); warnings and what was written go to f.Log.
func (r *Runner) WriteSnapshotOf(ctx context.Context, spec string, opts Options, f SnapshotFile) error {
	s, warnings, err := r.SnapshotOf(ctx, spec, opts)
	if err != nil {
		return fmt.Errorf("reading --from: %w", err)
	}
	for _, warning := range warnings {
		fmt.Fprintf(f.Log, "warning: %s\n", warning)
	}
	if f.Path == "-" {
		return snapshot.Encode(f.Out, s)
	}
	return writeSnapshot(f.Path, s, f.Log)
}

// writeSnapshot writes a snapshot file safely (internal/safefile) and says on log which
// directories it created and what it wrote.
func writeSnapshot(path string, s *snapshot.Snapshot, log io.Writer) error {
	out, err := snapshot.Write(path, s)
	for _, dir := range out.Created {
		fmt.Fprintf(log, "created directory %s\n", dir)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %s (%d objects)\n", path, len(s.Objects))
	return nil
}

// RefreshSnapshots rebuilds (or with f.Verify verifies) the committed snapshot of each target
// from its migration set, as RefreshSnapshot does; f.Path is each target's SnapshotPath. A
// target without a migration set is passed over, or is an error when named is set (the
// command named it). It returns whether one was stale, and every target's error, joined.
func (r *Runner) RefreshSnapshots(ctx context.Context, targets []Target, named bool, f SnapshotFile) (stale bool, err error) {
	var errs []error
	for _, t := range targets {
		if t.Migrations == "" {
			if named {
				errs = append(errs, fmt.Errorf("target %s: has no migrations directory to build a snapshot from", t.Name))
			}
			continue
		}
		f.Path, f.Migrations = t.SnapshotPath, t.Migrations
		migs := Source{Kind: SourceMigrations, Engine: t.Engine, Path: t.MigrationsDir}
		s, err := r.RefreshSnapshot(ctx, migs, t.Options(), f)
		if err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", t.Name, err))
		}
		stale = stale || s
	}
	return stale, errors.Join(errs...)
}
