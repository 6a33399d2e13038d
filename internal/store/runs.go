package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/alert"
)

// ErrRunLost is returned by RecordRun when the run's claim was taken over by another replica
// (it went stale): the other replica records the result, this one must not.
var ErrRunLost = errors.New("run claim lost to another replica")

// RunStatus is a drift_runs.status.
type RunStatus string

// Run states: how a finished check ended (the values of `drift check`'s statuses), or one of the
// in-flight states.
const (
	// RunClean: nothing to report.
	RunClean RunStatus = "clean"
	// RunDrift: findings.
	RunDrift RunStatus = "drift"
	// RunPending: no drift, but migrations not yet applied.
	RunPending RunStatus = "pending"
	// RunError: the check could not be done.
	RunError RunStatus = "error"
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
	// StaleIn is set by ClaimRun on a run another replica holds: how long until its claim is
	// stale and may be taken over (zero: now, or the run is finished).
	StaleIn time.Duration
}

// ClaimRun claims the check of target for the tick scheduled at scheduledFor. Exactly one
// replica gets ok == true for a given (target, scheduledFor); the others get ok == false and
// must not check. A claim still running after staleAfter (the target's timeout plus a margin)
// belongs to a replica that died: it is taken over. Earlier runs of the target left running by
// a dead replica are marked abandoned: this tick supersedes them.
//
// When ok is false, the returned Run is the one that holds the tick (zero if none), with
// StaleIn saying how long until its claim could be taken over, so a caller can come back then.
// Staleness is judged on the store's clock, so replicas with skewed clocks agree.
func (s *Store) ClaimRun(ctx context.Context, target string, scheduledFor time.Time, replica string, staleAfter time.Duration) (Run, bool, error) {
	fail := func(err error) (Run, bool, error) {
		return Run{}, false, fmt.Errorf("claiming run of %s: %w", target, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `
		UPDATE drift_runs
		SET status = 'abandoned', finished_at = now(),
		    error = 'replica ' || replica_id || ' stopped before finishing; superseded by a later tick'
		WHERE target = $1 AND status = 'running' AND scheduled_for < $2
		  AND claimed_at < now() - make_interval(secs => $3)`,
		target, scheduledFor.UTC(), seconds(staleAfter)); err != nil {
		return fail(fmt.Errorf("abandoning stale runs: %w", err))
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
		return fail(err)
	}
	runs, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return fail(err)
	}
	ok := len(runs) > 0
	var held Run
	if !ok {
		rows, err := tx.Query(ctx, `SELECT `+runColumns+`,
			greatest(extract(epoch FROM claimed_at + make_interval(secs => $3) - now()), 0)::float8
			FROM drift_runs WHERE target = $1 AND scheduled_for = $2`,
			target, scheduledFor.UTC(), seconds(staleAfter))
		if err != nil {
			return fail(err)
		}
		holders, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Run, error) {
			var secs float64
			r, err := scanRunInto(row, &secs)
			if r.Status == RunRunning {
				r.StaleIn = time.Duration(secs * float64(time.Second))
			}
			return r, err
		})
		if err != nil {
			return fail(err)
		}
		if len(holders) > 0 {
			held = holders[0]
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	if !ok {
		return held, false, nil
	}
	return runs[0], true, nil
}

// RunOutcome is how a claimed run ended, in plain values the caller computed: the store records
// it as given and judges nothing.
type RunOutcome struct {
	// Status is RunClean, RunDrift, RunPending or RunError.
	Status RunStatus
	// Error says why the check could not be done (Status RunError); free of secrets.
	Error string
	// FinishedAt is when the run ended, on the caller's clock; alert timestamps use it too.
	FinishedAt time.Time
	Duration   time.Duration
	// Findings counts the findings, and Critical, Warning and Info split them by severity.
	Findings, Critical, Warning, Info int
	// Pending counts the migrations not yet applied to the live database.
	Pending int
	// SnapshotHash identifies the live schema; empty when there is none (a failed check).
	SnapshotHash string
	// Snapshot is the live schema's JSON, stored when SnapshotHash differs from the target's
	// latest stored snapshot.
	Snapshot []byte
}

// Decider returns the alert actions for a run: stored is every alert of the run's target, locked
// until the run is recorded, and failures the number of consecutive failed runs of the target,
// this one included (zero when this run succeeded). The daemon passes alert.Decide here.
type Decider func(stored []alert.Alert, failures int) []alert.Action

// Recorded is what RecordRun stored.
type Recorded struct {
	Run     Run
	Actions []alert.Action
	// Failures counts consecutive failed runs of the target, this one included.
	Failures int
	// SnapshotStored is true when the live schema differed from the last one stored.
	SnapshotStored bool
}

// RecordRun stores the outcome of a claimed run and the alert actions decide returns, in one
// transaction: both are stored, or neither. The messages the actions call for are left pending
// in the same rows (the outbox); nothing is sent from here. It fails with ErrRunLost when the
// run's claim was taken over by another replica.
func (s *Store) RecordRun(ctx context.Context, run Run, out RunOutcome, decide Decider) (Recorded, error) {
	target := run.Target
	fail := func(err error) (Recorded, error) {
		return Recorded{}, fmt.Errorf("recording run of %s: %w", target, err)
	}
	if out.FinishedAt.IsZero() {
		return fail(errors.New("the outcome has no finish time"))
	}
	now := out.FinishedAt.UTC()
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
	rows, err := tx.Query(ctx, `
		UPDATE drift_runs
		SET status = $3, finished_at = $4, duration_ms = $5, error = nullif($6, ''),
		    findings = $7, critical = $8, warning = $9, info = $10, pending_migrations = $11,
		    snapshot_hash = nullif($12, '')
		WHERE id = $1 AND replica_id = $2 AND status = 'running'
		RETURNING `+runColumns,
		run.ID, run.ReplicaID, string(out.Status), now, out.Duration.Milliseconds(), out.Error,
		out.Findings, out.Critical, out.Warning, out.Info, out.Pending, out.SnapshotHash)
	if err != nil {
		return fail(err)
	}
	finished, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return fail(err)
	}
	if len(finished) == 0 {
		return fail(ErrRunLost)
	}
	rec := Recorded{Run: finished[0]}

	if out.Status == RunError {
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FROM drift_runs
			WHERE target = $1 AND status = 'error'
			  AND finished_at > coalesce((SELECT max(finished_at) FROM drift_runs
			                              WHERE target = $1 AND status IN ('clean', 'drift', 'pending')),
			                             '-infinity')`, target).Scan(&rec.Failures); err != nil {
			return fail(fmt.Errorf("counting failures: %w", err))
		}
	}

	stored, err := queryAlerts(ctx, tx, "WHERE target = $1 FOR UPDATE", target)
	if err != nil {
		return fail(err)
	}
	rec.Actions = decide(stored, rec.Failures)
	for _, act := range rec.Actions {
		if act.Alert.Target != target {
			return fail(fmt.Errorf("an action is about target %q", act.Alert.Target))
		}
		if err := applyAction(ctx, tx, act, now); err != nil {
			return fail(err)
		}
	}

	if out.SnapshotHash != "" && out.Status != RunError {
		stored, err := recordSnapshot(ctx, tx, target, out.SnapshotHash, out.Snapshot, rec.Run.ID, now)
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
	// message was in flight meanwhile knows it is out of date (see MarkNotified); the message
	// gets a new idempotency key and is due at once.
	bump := act.Notify != alert.NotifyNone
	if a.ID == 0 {
		_, err := tx.Exec(ctx, `
			INSERT INTO schema_drift_alerts (target, fingerprint, kind, object, change, severity,
				summary, expected, actual, diff, status, first_seen_at, last_seen_at,
				pending_notification, pending_reason, notify_seq, created_at, updated_at, fix)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18)`,
			a.Target, a.Fingerprint, a.Kind, a.Object, string(a.Change), string(a.Severity),
			a.Summary, a.Expected, a.Actual, a.Diff, string(a.Status), a.FirstSeen.UTC(), a.LastSeen.UTC(),
			string(a.Pending), a.PendingReason, 1, now, a.Fix)
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
		    notify_key = CASE WHEN $22 OR pending_notification <> $18 THEN gen_random_uuid()::text
		                      ELSE notify_key END,
		    notify_after = CASE WHEN $22 OR pending_notification <> $18 THEN NULL ELSE notify_after END,
		    updated_at = $23, fix = $24
		WHERE id = $1`,
		a.ID, a.Kind, a.Object, string(a.Change), string(a.Severity), a.Summary, a.Expected,
		a.Actual, a.Diff, string(a.Status), a.FirstSeen.UTC(), a.LastSeen.UTC(),
		nullTime(a.ResolvedAt), nullString(a.AckBy), nullString(a.AckReason), nullTime(a.AckAt),
		nullTime(a.AckUntil), string(a.Pending), a.PendingReason, nullString(a.SlackChannel),
		nullString(a.SlackTS), bump, now, a.Fix)
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

func scanRun(row pgx.CollectableRow) (Run, error) { return scanRunInto(row) }

// scanRunInto scans runColumns followed by extra columns into extra.
func scanRunInto(row pgx.CollectableRow, extra ...any) (Run, error) {
	var r Run
	var sched, claimed, started time.Time
	var finished *time.Time
	var ms int64
	var status string
	dest := []any{&r.ID, &r.Target, &sched, &status, &r.ReplicaID, &claimed, &r.Attempts,
		&started, &finished, &ms, &r.Error, &r.Findings, &r.Critical, &r.Warning, &r.Info,
		&r.Pending, &r.SnapshotHash}
	err := row.Scan(append(dest, extra...)...)
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
