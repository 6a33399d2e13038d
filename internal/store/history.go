package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RunFilter selects runs for `drift runs`.
type RunFilter struct {
	// Targets limits the runs to these targets; empty: every target.
	Targets []string
	// PerTarget is how many of each target's latest runs to return; zero: 10.
	PerTarget int
	// Since drops runs scheduled before it; zero: no limit.
	Since time.Time
}

// RunHistory returns each selected target's latest runs, by target, newest first: what `drift
// runs` prints. One query, however many targets.
func (s *Store) RunHistory(ctx context.Context, f RunFilter) ([]Run, error) {
	per := f.PerTarget
	if per <= 0 {
		per = 10
	}
	var since *time.Time
	if !f.Since.IsZero() {
		since = nullTime(f.Since)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+runColumns+` FROM (
			SELECT *, row_number() OVER (PARTITION BY target ORDER BY scheduled_for DESC, id DESC) AS n
			FROM drift_runs
			WHERE (coalesce(cardinality($1::text[]), 0) = 0 OR target = ANY($1))
			  AND ($3::timestamptz IS NULL OR scheduled_for >= $3)
		) r
		WHERE n <= $2
		ORDER BY target, scheduled_for DESC, id DESC`, f.Targets, per, since)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	runs, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	return runs, nil
}

// LatestRuns returns the latest run of each of targets that has one (finished, or still
// running), keyed by target: the "last run" column of the status page.
func (s *Store) LatestRuns(ctx context.Context, targets []string) (map[string]Run, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON (target) `+runColumns+` FROM drift_runs
		WHERE target = ANY($1) AND status <> 'abandoned'
		ORDER BY target, scheduled_for DESC, id DESC`, targets)
	if err != nil {
		return nil, fmt.Errorf("reading the latest runs: %w", err)
	}
	runs, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return nil, fmt.Errorf("reading the latest runs: %w", err)
	}
	out := make(map[string]Run, len(runs))
	for _, r := range runs {
		out[r.Target] = r
	}
	return out, nil
}
