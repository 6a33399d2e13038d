package check

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Live reads the live schema of a target's database. Health findings (a Neo4j index that is not
// ONLINE, an invalid index) are returned beside the snapshot; they are not schema differences.
type Live interface {
	Live(ctx context.Context, t Target) (*snapshot.Snapshot, []diff.Finding, error)
}

// Planned is the expected schema built from a migration set, at the version the live database
// has applied.
type Planned struct {
	Expected *snapshot.Snapshot
	// Pending are migrations in the set that the live database has not applied.
	Pending []Migration
	// Findings are problems of the migration state itself: dirty, failed, changed since applied.
	Findings []diff.Finding
	// Warnings weaken the comparison without being drift (e.g. a shadow of another major version).
	Warnings []string
}

// Migrations builds the expected schema of a target from its migration directory.
type Migrations interface {
	Plan(ctx context.Context, t Target, live *snapshot.Snapshot) (*Planned, error)
}

// Engine is what the runner needs of one database engine.
type Engine struct {
	Live       Live
	Migrations Migrations // nil: this engine cannot build from migrations
}

// Runner checks targets. Engines are wired explicitly by cmd/drift.
type Runner struct {
	Engines map[string]Engine
	Logger  *slog.Logger
	// Now is the clock for ignore-rule expiry; nil means time.Now.
	Now func() time.Time
}

// Check checks one target: expected schema, live schema, compare. It never panics on a bad
// target and never returns a tool failure as drift: problems become StatusError with a message
// that names the cause (and never the password).
func (r *Runner) Check(ctx context.Context, t Target) (res Result) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	res = Result{Name: t.Name, Engine: t.Engine, Findings: []diff.Finding{}, Started: now()}
	log := r.logger().With("target", t.Name)
	defer func() {
		res.Duration = time.Since(res.Started)
		if res.Error != "" {
			res.Error = redact.String(res.Error, t.DSN)
			log.Warn("check failed", "error", res.Error, "duration_ms", res.Duration.Milliseconds())
		} else {
			log.Info("check done", "status", res.Status, "findings", len(res.Findings), "pending", len(res.Pending), "duration_ms", res.Duration.Milliseconds())
		}
	}()
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	fail := func(err error) Result {
		res.Status = StatusError
		if errors.Is(err, context.DeadlineExceeded) && t.Timeout > 0 {
			err = fmt.Errorf("%w (timeout %s)", err, t.Timeout)
		}
		res.Error = err.Error()
		return res
	}
	eng, ok := r.Engines[t.Engine]
	if !ok || eng.Live == nil {
		return fail(fmt.Errorf("engine %q is not supported", t.Engine))
	}
	// The expected side's files are checked first: a typo in a path is reported as such, not
	// hidden behind a slow or failing connection to the live database.
	var expected *snapshot.Snapshot
	var err error
	switch t.Expected {
	case ExpectSnapshot, "":
		expected, err = snapshot.ReadFile(t.SnapshotPath)
		if err != nil {
			return fail(fmt.Errorf("reading the expected snapshot: %w (write one with `drift snapshot`)", err))
		}
	case ExpectMigrations:
		if st, err := os.Stat(t.MigrationsDir); err != nil || !st.IsDir() {
			return fail(fmt.Errorf("the migrations directory %s does not exist or is not a directory", t.MigrationsDir))
		}
	}
	actual, health, err := eng.Live.Live(ctx, t)
	if err != nil {
		return fail(fmt.Errorf("reading the live schema: %w", err))
	}
	actual.Target = t.Name
	res.Actual = actual

	var extra []diff.Finding
	switch t.Expected {
	case ExpectSnapshot, "":
	case ExpectMigrations:
		if eng.Migrations == nil {
			return fail(fmt.Errorf("engine %s cannot build the expected schema from migrations", t.Engine))
		}
		plan, err := eng.Migrations.Plan(ctx, t, actual)
		if err != nil {
			return fail(fmt.Errorf("building the expected schema from %s: %w", t.MigrationsDir, err))
		}
		expected, res.Pending, extra = plan.Expected, plan.Pending, plan.Findings
		res.Warnings = append(res.Warnings, plan.Warnings...)
	default:
		return fail(fmt.Errorf("unknown expected-schema mode %q", t.Expected))
	}
	if expected.Engine != actual.Engine {
		return fail(fmt.Errorf("the expected schema is a %s schema but the live database is %s", expected.Engine, actual.Engine))
	}
	res.Warnings = append(res.Warnings, VersionWarnings(expected, actual)...)

	// Ignore rules are applied here rather than inside the comparison, so that what they
	// silence is known (see Result.Ignored).
	opts := diff.Options{Target: t.Name, ColumnOrder: t.ColumnOrder, Severities: t.Severities, Now: now()}
	all := Compare(expected, actual, append(extra, health...), opts)
	kept, ignored := diff.SplitIgnored(all, t.Ignore, opts.Now)
	// Definitions can hold credentials (a dblink or FDW connection string in a function body);
	// findings go to reports, the store and Slack, so passwords in them are replaced.
	for i := range kept {
		f := &kept[i]
		f.Summary = redact.String(f.Summary, t.DSN)
		f.Expected = redact.String(f.Expected, t.DSN)
		f.Actual = redact.String(f.Actual, t.DSN)
		f.Diff = redact.String(f.Diff, t.DSN)
	}
	res.Findings = kept
	for _, f := range ignored {
		res.Ignored = append(res.Ignored, f.Fingerprint)
	}
	for _, rule := range diff.StaleIgnores(t.Ignore, opts.Now) {
		res.StaleIgnores = append(res.StaleIgnores, "ignore rule "+rule.String())
	}
	res.Status = statusOf(res)
	return res
}

// Compare diffs two snapshots and passes the findings that did not come from the diff (health,
// migration state) through the same ignore and severity rules.
func Compare(expected, actual *snapshot.Snapshot, extra []diff.Finding, opts diff.Options) []diff.Finding {
	findings := diff.Compare(expected, actual, opts)
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
	e, a := majorOf(expected), majorOf(actual)
	if e == 0 || a == 0 || e == a {
		return nil
	}
	return []string{fmt.Sprintf("the expected schema was rendered by %s %s and the live server runs %s: definitions may differ only in formatting; build the expected schema on a server of the live major version", expected.Engine, expected.ServerVersion, actual.ServerVersion)}
}

func majorOf(s *snapshot.Snapshot) int {
	switch {
	case s.ServerVersionNum == 0:
		return 0
	case s.Engine == snapshot.EnginePostgres && s.ServerVersionNum >= 100000:
		return s.ServerVersionNum / 10000
	case s.Engine == snapshot.EnginePostgres:
		return s.ServerVersionNum / 100
	}
	return s.ServerVersionNum
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
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

// ExitCode maps results to the exit code contract. A target that could not be checked makes the
// run exit 2 even if another drifted: "could not check" must never be read as "checked".
func ExitCode(results []Result, failOn diff.Severity, failOnPending bool) int {
	code := ExitClean
	for _, r := range results {
		if r.Status == StatusError {
			return ExitError
		}
		if failOnPending && len(r.Pending) > 0 {
			code = ExitDrift
		}
		for _, f := range r.Findings {
			if f.Severity.AtLeast(failOn) {
				code = ExitDrift
			}
		}
	}
	return code
}
