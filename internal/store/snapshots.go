package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SnapshotRecord is one distinct live schema of a target: stored when its hash differs from the
// previous one, so "when did this appear?" is answered by the first_seen of the first record
// containing it.
type SnapshotRecord struct {
	ID        int64
	Target    string
	Hash      string
	FirstSeen time.Time
	LastSeen  time.Time
	RunID     int64
}

// recordSnapshot stores the live snapshot when it differs from the latest stored one, and
// otherwise moves the latest one's last_seen. It reports whether a new record was stored.
func recordSnapshot(ctx context.Context, tx pgx.Tx, target, hash string, data []byte, runID int64, now time.Time) (bool, error) {
	var id int64
	var last string
	err := tx.QueryRow(ctx, `SELECT id, hash FROM drift_snapshots WHERE target = $1 ORDER BY id DESC LIMIT 1`, target).Scan(&id, &last)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("reading latest snapshot: %w", err)
	}
	if err == nil && last == hash {
		if _, err := tx.Exec(ctx, `UPDATE drift_snapshots SET last_seen_at = $2 WHERE id = $1`, id, now); err != nil {
			return false, fmt.Errorf("touching snapshot: %w", err)
		}
		return false, nil
	}
	if len(data) == 0 {
		return false, fmt.Errorf("storing snapshot %s: the outcome has its hash but not its JSON", hash)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO drift_snapshots (target, hash, snapshot, first_seen_at, last_seen_at, run_id)
		VALUES ($1, $2, $3, $4, $4, $5)`, target, hash, string(data), now, runID); err != nil {
		return false, fmt.Errorf("storing snapshot: %w", err)
	}
	return true, nil
}

// Snapshots lists a target's snapshot history, newest first.
func (s *Store) Snapshots(ctx context.Context, target string) ([]SnapshotRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, target, hash, first_seen_at, last_seen_at, coalesce(run_id, 0)
		FROM drift_snapshots WHERE target = $1 ORDER BY id DESC`, target)
	if err != nil {
		return nil, fmt.Errorf("listing snapshots of %s: %w", target, err)
	}
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SnapshotRecord, error) {
		var r SnapshotRecord
		err := row.Scan(&r.ID, &r.Target, &r.Hash, &r.FirstSeen, &r.LastSeen, &r.RunID)
		r.FirstSeen, r.LastSeen = r.FirstSeen.UTC(), r.LastSeen.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing snapshots of %s: %w", target, err)
	}
	return recs, nil
}

// Snapshot reads one stored snapshot's JSON, as it was recorded (snapshot.Read decodes it).
func (s *Store) Snapshot(ctx context.Context, id int64) ([]byte, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT snapshot::text FROM drift_snapshots WHERE id = $1`, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("reading snapshot %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading snapshot %d: %w", id, err)
	}
	return data, nil
}
