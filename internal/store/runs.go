package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
)

// ErrRunLost is returned by RecordResult when the run's claim was taken over by another replica
// (it went stale): the other replica records the result, this one must not.
var ErrRunLost = errors.New("run claim lost to another replica")

// RunStatus is a drift_runs.status: a check.Status, or one of the in-flight states below.
type RunStatus string

// Run states besides the check.Status values.
const (
	// RunRunning: a replica claimed the run and has not finished it.
	RunRunning RunStatus = "running"
	// RunAbandoned: the replica that claimed the run died, and a later tick superseded it.
	RunAbandoned RunStatus = "abandoned"
)

// Run is one check of one target for one scheduled tick: a row of drift_runs.
type Run struct {
	ID           int64
	Target       string
	ScheduledFor time.Time
	Status       RunStatus
	ReplicaID    string
	ClaimedAt    time.Time
	Attempts     int
	StartedAt    time.Time
	FinishedAt   time.Time // zero while running
	Duration     time.Duration
	Error        string
	Findings     int
	Critical     int
	Warning      int
	Info         int
	Pending      int // migrations not yet applied
	SnapshotHash string
}

// ClaimRun claims the check of target for the tick scheduled at scheduledFor. Exactly one
// replica gets ok == true for a given (target, scheduledFor); the others get ok == false and
// must not check. A claim still running after staleAfter (the target's timeout plus a margin)
// belongs to a replica that died: it is taken over. Earlier runs of the target left running by
// a dead replica are marked abandoned: this tick supersedes them.
func (s *Store) ClaimRun(ctx context.Context, target string, scheduledFor time.Time, replica string, staleAfter time.Duration) (Run, bool, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Run{}, false, fmt.Errorf("claiming run of %s: %w", target, err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `
		UPDATE drift_runs
		SET status = 'abandoned', finished_at = now(),
		    error = 'replica ' || replica_id || ' stopped before finishing; superseded by a later tick'
		WHERE target = $1 AND status = 'running' AND scheduled_for < $2
		  AND claimed_at < now() - make_interval(secs => $3)`,
		target, scheduledFor.UTC(), seconds(staleAfter)); err != nil {
		return Run{}, false, fmt.Errorf("claiming run of %s: abandoning stale runs: %w", target, err)
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO drift_runs (target, scheduled_for, status, replica_id, claimed_at, started_at)
		VALUES ($1, $2, 'running', $3, now(), now())
		ON CONFLICT (target, scheduled_for) DO UPDATE
		SET replica_id = EXCLUDED.replica_id, claimed_at = now(), started_at = now(),
		    attempts = drift_runs.attempts + 1
		WHERE drift_runs.status = 'running'
		  AND drift_runs.claimed_at < now() - make_interval(secs => $4)
		RETURNING `+runColumns,
		target, scheduledFor.UTC(), replica, seconds(staleAfter))
	if err != nil {
		return Run{}, false, fmt.Errorf("claiming run of %s: %w", target, err)
	}
	runs, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return Run{}, false, fmt.Errorf("claiming run of %s: %w", target, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Run{}, false, fmt.Errorf("claiming run of %s: %w", target, err)
	}
	if len(runs) == 0 {
		return Run{}, false, nil
	}
	return runs[0], true, nil
}

// RecordOptions tune RecordResult.
type RecordOptions struct {
	// Now is the decision time; zero means the database clock.
	Now time.Time
	// FailureThreshold is passed to alert.Decide.
	FailureThreshold int
}

// Recorded is what RecordResult did.
type Recorded struct {
	Run     Run
	Actions []alert.Action
	// Failures counts consecutive failed checks of the target, this one included.
	Failures int
	// SnapshotStored is true when the live schema differed from the last one stored.
	SnapshotStored bool
}

// RecordResult stores the result of a claimed run in one transaction: the run's outcome, the
// alert decisions (alert.Decide over the target's stored alerts) with the messages they call
// for left pending, and the live snapshot when it changed. Nothing is sent from here: store
// first, notify after. res.Error must already be free of secrets.
func (s *Store) RecordResult(ctx context.Context, run Run, res check.Result, opts RecordOptions) (Recorded, error) {
	target := run.Target
	fail := func(err error) (Recorded, error) {
		return Recorded{}, fmt.Errorf("recording result of %s: %w", target, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// One recorder per target at a time, even across replicas and `--once` runs: alert rows
	// are locked below, but a new fingerprint has no row to lock yet.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('drift_alerts:' || $1, 0))", target); err != nil {
		return fail(err)
	}
	now, err := dbNow(ctx, tx, opts.Now)
	if err != nil {
		return fail(err)
	}

	status := res.Status
	if res.Error != "" {
		status = check.StatusError
	}
	if status == "" {
		status = check.StatusClean
	}
	var crit, warn, info int
	for _, f := range res.Findings {
		switch f.Severity {
		case diff.Critical:
			crit++
		case diff.Warning:
			warn++
		default:
			info++
		}
	}
	errText := res.Error
	if status == check.StatusError && errText == "" {
		errText = "check failed without an error message"
	}
	var hash *string
	if res.Actual != nil {
		h, err := res.Actual.Hash()
		if err != nil {
			return fail(fmt.Errorf("hashing live snapshot: %w", err))
		}
		hash = &h
	}
	rows, err := tx.Query(ctx, `
		UPDATE drift_runs
		SET status = $3, finished_at = $4, duration_ms = $5, error = nullif($6, ''),
		    findings = $7, critical = $8, warning = $9, info = $10, pending_migrations = $11,
		    snapshot_hash = $12
		WHERE id = $1 AND replica_id = $2 AND status = 'running'
		RETURNING `+runColumns,
		run.ID, run.ReplicaID, string(status), now, res.Duration.Milliseconds(), errText,
		len(res.Findings), crit, warn, info, len(res.Pending), hash)
	if err != nil {
		return fail(err)
	}
	finished, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return fail(err)
	}
	if len(finished) == 0 {
		return Recorded{}, fmt.Errorf("recording result of %s: %w", target, ErrRunLost)
	}
	rec := Recorded{Run: finished[0]}

	obs := alert.Observation{Target: target, Findings: res.Findings, Ignored: res.Ignored}
	if status == check.StatusError {
		obs.Findings = nil
		obs.CheckError = errText
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FROM drift_runs
			WHERE target = $1 AND status = 'error'
			  AND finished_at > coalesce((SELECT max(finished_at) FROM drift_runs
			                              WHERE target = $1 AND status IN ('clean', 'drift', 'pending')),
			                             '-infinity')`, target).Scan(&obs.Failures); err != nil {
			return fail(fmt.Errorf("counting failures: %w", err))
		}
		rec.Failures = obs.Failures
	}

	stored, err := queryAlerts(ctx, tx, "WHERE target = $1 FOR UPDATE", target)
	if err != nil {
		return fail(err)
	}
	rec.Actions = alert.Decide(stored, obs, now, alert.Options{FailureThreshold: opts.FailureThreshold})
	for _, act := range rec.Actions {
		if err := applyAction(ctx, tx, act, now); err != nil {
			return fail(err)
		}
	}

	if res.Actual != nil && status != check.StatusError {
		stored, err := recordSnapshot(ctx, tx, target, *hash, res, rec.Run.ID, now)
		if err != nil {
			return fail(err)
		}
		rec.SnapshotStored = stored
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	return rec, nil
}

// applyAction writes one decision. The decision owns the alert's lifecycle columns; the
// notification-transport columns (claims, attempts) are left to the sender.
func applyAction(ctx context.Context, tx pgx.Tx, act alert.Action, now time.Time) error {
	a := act.Alert
	// The sequence number moves whenever the pending message changes, so a sender whose
	// message was in flight meanwhile knows it is out of date (see MarkNotified).
	bump := act.Notify != alert.NotifyNone
	if a.ID == 0 {
		_, err := tx.Exec(ctx, `
			INSERT INTO schema_drift_alerts (target, fingerprint, kind, object, change, severity,
				summary, expected, actual, diff, status, first_seen_at, last_seen_at,
				pending_notification, pending_reason, notify_seq, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)`,
			a.Target, a.Fingerprint, a.Kind, a.Object, string(a.Change), string(a.Severity),
			a.Summary, a.Expected, a.Actual, a.Diff, string(a.Status), a.FirstSeen.UTC(), a.LastSeen.UTC(),
			string(a.Pending), a.PendingReason, 1, now)
		if err != nil {
			return fmt.Errorf("opening alert %s %s: %w", a.Kind, a.Object, err)
		}
		return nil
	}
	_, err := tx.Exec(ctx, `
		UPDATE schema_drift_alerts
		SET kind = $2, object = $3, change = $4, severity = $5, summary = $6, expected = $7,
		    actual = $8, diff = $9, status = $10, first_seen_at = $11, last_seen_at = $12,
		    resolved_at = $13, acknowledged_by = $14, acknowledged_reason = $15,
		    acknowledged_at = $16, acknowledged_until = $17, pending_notification = $18,
		    pending_reason = $19, slack_channel = $20, slack_ts = $21,
		    notify_seq = notify_seq + CASE WHEN $22 OR pending_notification <> $18 THEN 1 ELSE 0 END,
		    updated_at = $23
		WHERE id = $1`,
		a.ID, a.Kind, a.Object, string(a.Change), string(a.Severity), a.Summary, a.Expected,
		a.Actual, a.Diff, string(a.Status), a.FirstSeen.UTC(), a.LastSeen.UTC(),
		nullTime(a.ResolvedAt), nullString(a.AckBy), nullString(a.AckReason), nullTime(a.AckAt),
		nullTime(a.AckUntil), string(a.Pending), a.PendingReason, nullString(a.SlackChannel),
		nullString(a.SlackTS), bump, now)
	if err != nil {
		return fmt.Errorf("updating alert %d (%s %s): %w", a.ID, a.Kind, a.Object, err)
	}
	return nil
}

// Runs returns the latest runs, newest first; an empty target means all targets.
func (s *Store) Runs(ctx context.Context, target string, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT `+runColumns+` FROM drift_runs
		WHERE $1 = '' OR target = $1 ORDER BY scheduled_for DESC, target LIMIT $2`, target, limit)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	runs, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	return runs, nil
}

const runColumns = `id, target, scheduled_for, status, replica_id, claimed_at, attempts, started_at,
	finished_at, coalesce(duration_ms, 0), coalesce(error, ''), findings, critical, warning, info,
	pending_migrations, coalesce(snapshot_hash, '')`

func scanRun(row pgx.CollectableRow) (Run, error) {
	var r Run
	var sched, claimed, started time.Time
	var finished *time.Time
	var ms int64
	var status string
	err := row.Scan(&r.ID, &r.Target, &sched, &status, &r.ReplicaID, &claimed, &r.Attempts,
		&started, &finished, &ms, &r.Error, &r.Findings, &r.Critical, &r.Warning, &r.Info,
		&r.Pending, &r.SnapshotHash)
	r.Status = RunStatus(status)
	r.ScheduledFor, r.ClaimedAt, r.StartedAt = sched.UTC(), claimed.UTC(), started.UTC()
	r.FinishedAt = utc(finished)
	r.Duration = time.Duration(ms) * time.Millisecond
	return r, err
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
