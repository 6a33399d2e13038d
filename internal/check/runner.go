package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/drift-schema/drift/internal/clock"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Runner runs comparisons. Engines are wired explicitly by cmd/drift; create it with NewRunner.
type Runner struct {
	engines  []engine.Engine
	clock    clock.Clock
	log      *slog.Logger
	redactor *redact.Redactor
}

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	// Engines are the engines sources may use.
	Engines []engine.Engine
	// Clock judges ignore-rule expiry and times checks; nil is the wall clock.
	Clock clock.Clock
	// Logger receives one line per check; nil discards it.
	Logger *slog.Logger
	// Redactor removes the process's secrets from every result (the sources' own connection
	// strings are removed too); nil removes only those and the passwords of connection strings.
	Redactor *redact.Redactor
}

// NewRunner returns a runner over the given engines.
func NewRunner(o RunnerOptions) *Runner {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{engines: o.Engines, clock: clock.Or(o.Clock), log: log, redactor: o.Redactor}
}

// Engine returns the engine of that name.
func (r *Runner) Engine(name string) (engine.Engine, bool) {
	for _, e := range r.engines {
		if e.Name() == name {
			return e, true
		}
	}
	return nil, false
}

// Source recognises a SOURCE argument: an engine's connection string, a migration directory or
// a snapshot file. Its error never repeats the argument's password.
func (r *Runner) Source(spec string) (Source, error) {
	for _, e := range r.engines {
		if e.Accepts(spec) {
			return Source{Kind: SourceLive, Engine: e.Name(), DSN: spec}, nil
		}
	}
	st, err := os.Stat(spec)
	if err != nil {
		return Source{}, fmt.Errorf("%s is neither a database URL nor a readable file or directory", r.redactor.String(spec))
	}
	if st.IsDir() {
		return Source{Kind: SourceMigrations, Path: spec}, nil
	}
	return Source{Kind: SourceSnapshot, Path: spec}, nil
}

// CheckTarget checks one configured target: its expected side against its live database.
func (r *Runner) CheckTarget(ctx context.Context, t Target) Result {
	expected, actual := t.Sources()
	return r.Check(ctx, expected, actual, t.Options())
}

// CheckTargets checks targets concurrently (they are independent databases), at most
// concurrency at a time, and returns the results in the targets' order. One target failing
// never stops the others.
func (r *Runner) CheckTargets(ctx context.Context, targets []Target, concurrency int) []Result {
	results := make([]Result, len(targets))
	sem := make(chan struct{}, max(concurrency, 1))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = r.CheckTarget(ctx, t)
		})
	}
	wg.Wait()
	return results
}

// side is one source as it is read.
type side struct {
	src  Source
	name string // "expected" or "actual"
	// snap is the side's schema. A snapshot file is read as a stream (stream), and snap is
	// then its envelope alone, unless the whole file was asked for.
	snap     *snapshot.Snapshot
	stream   snapshot.Stream
	closer   io.Closer
	set      *migrations.Set
	live     *engine.Live
	expected *engine.Expected
	// read delivers a snapshot file read in the background (see Check).
	read chan fileRead
}

type fileRead struct {
	snap *snapshot.Snapshot
	err  error
}

// Check compares the expected source with the actual one: the one orchestration behind drift
// check, drift diff, drift snapshot --verify and the daemon. It never panics on a bad source
// and never returns a tool failure as drift: problems become StatusError with a message that
// names the cause (and never a password).
//
// Files are read first, so a typo in a path is reported as such and not hidden behind a slow
// or failing connection (a snapshot file read whole is decoded while a live database is read,
// and its failure still comes first); then live databases; then migration sets, which are
// built knowing the live database on the other side (its version, applied migrations and
// roles). The fix, when asked for, is written while the two schemas are compared.
func (r *Runner) Check(ctx context.Context, expected, actual Source, o Options) (res Result) {
	res = Result{Name: o.Name, Findings: []diff.Finding{}, Started: r.clock.Now()}
	red := r.redactor.With(expected.DSN, actual.DSN)
	res.red, res.sources, res.columnOrder = red, [2]SourceKind{expected.Kind, actual.Kind}, o.ColumnOrder
	log := r.log.With("target", o.Name)
	defer func() {
		res.Duration = clock.Since(r.clock, res.Started)
		redactResult(&res, red)
		if res.Error != "" {
			log.Warn("check failed", "error", res.Error, "duration_ms", res.Duration.Milliseconds())
		} else {
			log.Info("check done", "status", res.Status, "findings", len(res.Findings), "pending", len(res.Pending), "duration_ms", res.Duration.Milliseconds())
		}
	}()
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	fail := func(err error) Result {
		res.Status = StatusError
		if errors.Is(err, context.DeadlineExceeded) && o.Timeout > 0 {
			err = fmt.Errorf("%w (timeout %s)", err, o.Timeout)
		}
		res.Error = err.Error()
		return res
	}

	exp, act := &side{src: expected, name: "expected"}, &side{src: actual, name: "actual"}
	sides := []*side{exp, act}
	for _, s := range sides {
		if s.src.Engine == "" {
			continue
		}
		if _, ok := r.Engine(s.src.Engine); !ok {
			return fail(fmt.Errorf("engine %q is not supported", s.src.Engine))
		}
	}
	whole := o.WholeSnapshots || o.Fix != ""
	// A snapshot file read whole beside a live database is decoded while the database is
	// read, when the client mostly waits on the server; a file that cannot be read stops the
	// introspection and is what is reported, as if it had been read first.
	readCtx, stopReading := context.WithCancelCause(ctx)
	defer stopReading(nil)
	var reading []*side
	for _, s := range sides {
		if whole && s.src.Kind == SourceSnapshot && (expected.Kind == SourceLive || actual.Kind == SourceLive) {
			s.read = make(chan fileRead, 1)
			reading = append(reading, s)
			go func() {
				snap, err := readWhole(s)
				if err != nil {
					stopReading(err)
				}
				s.read <- fileRead{snap, err}
			}()
			continue
		}
		if err := r.readFiles(s, whole); err != nil {
			return fail(err)
		}
		if s.closer != nil {
			defer s.closer.Close()
		}
	}
	// awaitFiles returns the first file that could not be read, once every read is over.
	awaitFiles := func() error {
		var first error
		for _, s := range reading {
			got := <-s.read
			s.snap = got.snap
			if got.err != nil && first == nil {
				first = got.err
			}
		}
		reading = nil
		return first
	}
	defer awaitFiles()
	eng, err := r.engineFor(exp, act)
	if err != nil {
		if ferr := awaitFiles(); ferr != nil {
			err = ferr
		}
		return fail(err)
	}
	eo := engine.Options{Target: o.Name, Schemas: o.Schemas, Tracking: o.Tracking, ReplaySettings: o.Replay, ReplayPrelude: o.Prelude, Placeholders: o.Placeholders, ComparePartitions: o.Partitions, Logger: log}
	bothLive := expected.Kind == SourceLive && actual.Kind == SourceLive
	for _, s := range sides {
		if s.src.Kind != SourceLive {
			continue
		}
		live, err := eng.Introspect(readCtx, s.src.DSN, eo)
		if err != nil {
			if ferr := awaitFiles(); ferr != nil {
				return fail(ferr)
			}
			res.Engine = eng.Name()
			if bothLive {
				return fail(fmt.Errorf("reading the %s side's live schema: %w", s.name, err))
			}
			return fail(fmt.Errorf("reading the live schema: %w", err))
		}
		s.live, s.snap = live, live.Snapshot
	}
	if err := awaitFiles(); err != nil {
		return fail(err)
	}
	res.Engine = eng.Name()
	for _, s := range sides {
		if s.set == nil {
			continue
		}
		other := act
		if s == act {
			other = exp
		}
		built, err := eng.Expected(ctx, s.set, other.live, eo)
		if err != nil {
			return fail(fmt.Errorf("building the %s schema from %s: %w", s.name, s.src.Path, err))
		}
		s.expected, s.snap = built, built.Snapshot
		res.Warnings = append(res.Warnings, built.Warnings...)
		for _, p := range built.Pending {
			res.Pending = append(res.Pending, Migration{Version: p.Version, File: p.File})
		}
	}
	if exp.snap.Engine != act.snap.Engine {
		return fail(fmt.Errorf("cannot compare a %s schema with a %s schema", exp.snap.Engine, act.snap.Engine))
	}
	for _, s := range sides {
		if s.src.Kind != SourceSnapshot && o.Name != "" {
			s.snap.Target = o.Name
		}
	}
	res.Expected, res.Actual = exp.snap, act.snap
	res.streamed = [2]bool{exp.stream != nil, act.stream != nil}
	res.Warnings = append(res.Warnings, VersionWarnings(exp.snap, act.snap)...)
	// The fix is written from the two schemas alone: while they are compared.
	var fix *fixWork
	if o.Fix != "" {
		if fix, err = r.prepareFix(&res, o.Fix, o.FixForMigration); err != nil && !o.FixOptional {
			return fail(err)
		} else if err != nil {
			res.FixError = res.redactor().String(err.Error())
		}
		if fix != nil {
			fix.start()
			defer fix.wait()
		}
	}

	// Findings that do not come from the diff go through the same rules: the migration state
	// (either side built from migrations) and the health of the live database compared.
	var extra []diff.Finding
	for _, s := range sides {
		if s.expected != nil {
			extra = append(extra, s.expected.Findings...)
		}
	}
	if act.live != nil {
		extra = append(extra, act.live.Health...)
	}
	// Ignore rules are applied here rather than inside the comparison, so that what they
	// silence is known (see Result.Ignored).
	opts := diff.Options{Target: o.Name, Rules: eng.Rules(), ColumnOrder: o.ColumnOrder, Severities: o.Severities, Now: r.clock.Now()}
	all, err := compareSides(eng, exp, act, extra, opts)
	if errors.Is(err, snapshot.ErrUnsorted) {
		// A snapshot file out of order (merged by a version-control tool): read it whole.
		for _, s := range sides {
			if s.stream != nil {
				if err := r.readFiles(s, true); err != nil {
					return fail(err)
				}
			}
		}
		all, err = compareSides(eng, exp, act, extra, opts)
	}
	if err != nil {
		return fail(err)
	}
	kept, ignored := diff.SplitIgnored(all, o.Ignore, opts.Now)
	res.Findings = kept
	for _, f := range ignored {
		res.Ignored = append(res.Ignored, f.Fingerprint)
	}
	for _, rule := range diff.StaleIgnores(o.Ignore, opts.Now) {
		res.StaleIgnores = append(res.StaleIgnores, "ignore rule "+rule.String())
	}
	res.Status = statusOf(res)
	if fix != nil {
		if err := fix.attach(&res); err != nil {
			if !o.FixOptional {
				return fail(err)
			}
			res.FixError = res.redactor().String(err.Error())
		}
	}
	return res
}

// compareSides compares the two sides, streaming a snapshot file side object by object (its
// objects' kinds checked on the way), and passes the findings that did not come from the diff
// (health, migration state) through the same ignore and severity rules.
func compareSides(eng engine.Engine, exp, act *side, extra []diff.Finding, opts diff.Options) ([]diff.Finding, error) {
	streams := make([]snapshot.Stream, 2)
	for i, s := range []*side{exp, act} {
		if s.stream != nil {
			streams[i] = &kindCheck{Stream: s.stream, side: s, engine: eng}
		} else {
			streams[i] = &kindCheck{Stream: s.snap.Stream(), side: s, engine: eng}
		}
	}
	findings, err := diff.CompareStreams(streams[0], streams[1], opts)
	if err != nil {
		return nil, err
	}
	return withExtra(findings, extra, opts), nil
}

// kindCheck refuses, on the way through, an object of a kind its engine does not write: a
// snapshot file edited by hand or written by another tool, whose comparison would report
// nonsense as drift.
type kindCheck struct {
	snapshot.Stream
	side   *side
	engine engine.Engine
	known  []string
}

func (k *kindCheck) Next() (*snapshot.Object, error) {
	o, err := k.Stream.Next()
	if err != nil || o == nil || k.side.src.Kind != SourceSnapshot {
		return o, err
	}
	if k.known == nil {
		k.known = k.engine.Kinds()
	}
	if !slices.Contains(k.known, o.Kind) {
		return nil, fmt.Errorf("the %s snapshot %s holds %s %q, which is not a kind of %s object (known: %s)",
			k.side.name, k.side.src.Path, o.Kind, o.Key, k.engine.Name(), strings.Join(k.known, ", "))
	}
	return o, nil
}

// readFiles reads a file side: a snapshot file as a stream (whole when asked), a migration
// directory's files.
func (r *Runner) readFiles(s *side, whole bool) error {
	switch s.src.Kind {
	case SourceLive:
		if s.src.Engine == "" {
			return fmt.Errorf("the %s side is a live database of no known engine", s.name)
		}

	case SourceSnapshot:
		if s.closer != nil {
			s.closer.Close()
			s.stream, s.closer = nil, nil
		}
		if whole {
			snap, err := readWhole(s)
			s.snap = snap
			return err
		}
		st, closer, err := snapshot.OpenStream(s.src.Path, 0)
		if err != nil {
			return fmt.Errorf("reading the %s snapshot: %w (write one with `drift snapshot`)", s.name, err)
		}
		s.stream, s.closer, s.snap = st, closer, st.Envelope()
	case SourceMigrations:
		if st, err := os.Stat(s.src.Path); err != nil || !st.IsDir() {
			return fmt.Errorf("the migrations directory %s does not exist or is not a directory", s.src.Path)
		}
		set, err := migrations.LoadDir(s.src.Path)
		if err != nil {
			return err
		}
		s.set = set
	default:
		return fmt.Errorf("the %s side is of unknown kind %q", s.name, s.src.Kind)
	}
	return nil
}

// readWhole reads a side's snapshot file whole.
func readWhole(s *side) (*snapshot.Snapshot, error) {
	snap, err := snapshot.ReadFileLimit(s.src.Path, 0)
	if err != nil {
		return nil, fmt.Errorf("reading the %s snapshot: %w (write one with `drift snapshot`)", s.name, err)
	}
	return snap, nil
}

// engineFor finds the one engine both sides are read with: a live source's, a snapshot file's,
// a migration directory's configured one, else the engine of its files' language.
func (r *Runner) engineFor(sides ...*side) (engine.Engine, error) {
	name := ""
	for _, s := range sides {
		n := s.src.Engine
		if s.snap != nil {
			n = s.snap.Engine
		}
		if n == "" {
			continue
		}
		if name != "" && name != n {
			return nil, fmt.Errorf("cannot compare a %s schema with a %s schema", name, n)
		}
		name = n
	}
	for _, s := range sides {
		if s.set == nil {
			continue
		}
		if name == "" {
			for _, e := range r.engines {
				if e.Language() == s.set.Language {
					name = e.Name()
					break
				}
			}
		}
		if e, ok := r.Engine(name); ok && e.Language() != s.set.Language {
			return nil, fmt.Errorf("%s holds %s migrations, which a %s target cannot use", s.src.Path, s.set.Language, name)
		}
	}
	if name == "" {
		return nil, errors.New("no engine can read these sources")
	}
	e, ok := r.Engine(name)
	if !ok {
		return nil, fmt.Errorf("engine %q is not supported", name)
	}
	return e, nil
}

// Snapshot reads one source's schema as Check would read it with nothing on the other side: a
// live database as it is, a migration set whole (no applied version to stop at), a snapshot
// file as written. warnings are what the build said (a subfolder not read, ...).
func (r *Runner) Snapshot(ctx context.Context, src Source, o Options) (_ *snapshot.Snapshot, warnings []string, err error) {
	defer func() { err = r.redactor.With(src.DSN).Error(err) }()
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		defer func() {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("%w (timeout %s)", err, o.Timeout)
			}
		}()
	}
	s := &side{src: src, name: "source"}
	if err := r.readFiles(s, true); err != nil {
		return nil, nil, err
	}
	eng, err := r.engineFor(s)
	if err != nil {
		return nil, nil, err
	}
	eo := engine.Options{Target: o.Name, Schemas: o.Schemas, Tracking: o.Tracking, ReplaySettings: o.Replay, ReplayPrelude: o.Prelude, Placeholders: o.Placeholders, ComparePartitions: o.Partitions, Logger: r.log.With("target", o.Name)}
	switch src.Kind {
	case SourceLive:
		live, err := eng.Introspect(ctx, src.DSN, eo)
		if err != nil {
			return nil, nil, err
		}
		return live.Snapshot, nil, nil
	case SourceMigrations:
		built, err := eng.Expected(ctx, s.set, nil, eo)
		if err != nil {
			return nil, nil, err
		}
		return built.Snapshot, built.Warnings, nil
	}
	return s.snap, nil, nil
}

// SnapshotOf is Snapshot of a source named as on the command line (a database URL, a
// migration directory or a snapshot file). A named comparison (o.Name) records its name as the
// snapshot's target.
func (r *Runner) SnapshotOf(ctx context.Context, spec string, o Options) (*snapshot.Snapshot, []string, error) {
	src, err := r.Source(spec)
	if err != nil {
		return nil, nil, err
	}
	s, warnings, err := r.Snapshot(ctx, src, o)
	if err != nil {
		return nil, nil, err
	}
	if o.Name != "" {
		s.Target = o.Name
	}
	return s, warnings, nil
}

// redactResult removes secrets from every text of a result: the one place check output is
// scrubbed. Definitions can hold credentials (a dblink or FDW connection string in a function
// body), and findings go to reports, the store and Slack.
func redactResult(res *Result, red *redact.Redactor) {
	res.Error = red.String(res.Error)
	for i := range res.Findings {
		f := &res.Findings[i]
		f.Summary = red.String(f.Summary)
		f.Expected = red.String(f.Expected)
		f.Actual = red.String(f.Actual)
		f.Diff = red.String(f.Diff)
		// f.Fix and res.Fix were written from statements AttachFix already redacted.
	}
	for i := range res.Warnings {
		res.Warnings[i] = red.String(res.Warnings[i])
	}
}

// withExtra adds the findings that did not come from the diff (health, migration state),
// passed through the same ignore and severity rules.
func withExtra(findings, extra []diff.Finding, opts diff.Options) []diff.Finding {
	if len(extra) > 0 {
		for i := range extra {
			if extra[i].Fingerprint == "" {
				extra[i].Fingerprint = diff.Fingerprint(opts.Target, extra[i].Kind, extra[i].Object, extra[i].Change)
			}
		}
		findings = append(findings, diff.ApplyRules(extra, opts)...)
		diff.Sort(findings)
	}
	if findings == nil {
		findings = []diff.Finding{}
	}
	return findings
}

func statusOf(r Result) Status {
	switch {
	case len(r.Findings) > 0:
		return StatusDrift
	case len(r.Pending) > 0:
		return StatusPending
	}
	return StatusClean
}

// VersionWarnings says loudly when the two snapshots were rendered by servers of different major
// versions: deparser output changes between majors, so such a comparison can show differences
// that are only formatting.
func VersionWarnings(expected, actual *snapshot.Snapshot) []string {
	e, a := expected.ServerMajor(), actual.ServerMajor()
	if e == 0 || a == 0 || e == a {
		return nil
	}
	return []string{fmt.Sprintf("the expected schema was rendered by %s %s and the live server runs %s: definitions may differ only in formatting; build the expected schema on a server of the live major version", expected.Engine, expected.ServerVersion, actual.ServerVersion)}
}

// Worst returns the highest severity among the findings of the results, or "" when none.
func Worst(results []Result) diff.Severity {
	var worst diff.Severity
	for _, r := range results {
		for _, f := range r.Findings {
			if f.Severity.Rank() > worst.Rank() {
				worst = f.Severity
			}
		}
	}
	return worst
}

// Exit codes of `drift check` and `drift diff`.
const (
	ExitClean = 0 // no finding at or above the threshold
	ExitDrift = 1 // drift at or above the threshold
	ExitError = 2 // the check could not be done
)

// Diff compares two sources named as on the command line (a database URL, a migration
// directory or a snapshot file): from is the expected side, to the actual one. A source that
// cannot be read is the result's error, as any other failure of the comparison.
func (r *Runner) Diff(ctx context.Context, from, to string, o Options) Result {
	expected, err := r.Source(from)
	if err != nil {
		return Result{Name: o.Name, Status: StatusError, Error: "reading --from: " + err.Error(), Findings: []diff.Finding{}}
	}
	actual, err := r.Source(to)
	if err != nil {
		return Result{Name: o.Name, Status: StatusError, Error: "reading --to: " + err.Error(), Findings: []diff.Finding{}}
	}
	res := r.Check(ctx, expected, actual, o)
	if res.Fix != nil {
		// A diff's sides are whatever the command line named: the fix turns --from into --to.
		res.Fix.Says = "turns --from into --to"
	}
	return res
}

// SweepShadowOrphans drops, on every engine that leaves them (engine.Sweeper), the shadow
// databases a crashed run left behind, older than olderThan: the daemon does it when it starts.
// A failure is logged, never returned: it must not stop what follows.
func (r *Runner) SweepShadowOrphans(ctx context.Context, olderThan time.Duration) {
	for _, e := range r.engines {
		s, ok := e.(engine.Sweeper)
		if !ok {
			continue
		}
		dropped, err := s.SweepShadowOrphans(ctx, olderThan)
		if err != nil {
			r.log.Warn("sweeping orphaned shadow databases", "engine", e.Name(), "error", r.redactor.String(err.Error()))
		}
		for _, name := range dropped {
			r.log.Info("dropped an orphaned shadow database", "engine", e.Name(), "database", name)
		}
	}
}
