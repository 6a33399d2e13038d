package store

import (
	"context"
	"fmt"
	"time"
)

// AlertCount is the number of live alerts of one target, severity and status.
type AlertCount struct {
	Target   string
	Severity string
	Status   string
	// CheckError is true for "cannot check" alerts, which are not drift.
	CheckError bool
	Count      int
}

// Stats is the state every replica reports the same way on /metrics, because it is read from
// the store rather than remembered by the replica that did the work.
type Stats struct {
	// Live counts open and acknowledged alerts.
	Live []AlertCount
	// LastSuccess is, per target, when its last check that could be done finished.
	LastSuccess map[string]time.Time
}

// Stats reads the live alert counts and last successful check times.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{LastSuccess: map[string]time.Time{}}
	rows, err := s.pool.Query(ctx, `SELECT target, severity, status, kind = 'check_error', count(*)
		FROM schema_drift_alerts WHERE status IN ('open', 'acknowledged')
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`)
	if err != nil {
		return Stats{}, fmt.Errorf("reading alert counts: %w", err)
	}
	for rows.Next() {
		var c AlertCount
		if err := rows.Scan(&c.Target, &c.Severity, &c.Status, &c.CheckError, &c.Count); err != nil {
			rows.Close()
			return Stats{}, fmt.Errorf("reading alert counts: %w", err)
		}
		st.Live = append(st.Live, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Stats{}, fmt.Errorf("reading alert counts: %w", err)
	}
	rows, err = s.pool.Query(ctx, `SELECT target, max(finished_at) FROM drift_runs
		WHERE status IN ('clean', 'drift', 'pending') GROUP BY 1`)
	if err != nil {
		return Stats{}, fmt.Errorf("reading last successful checks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var target string
		var at time.Time
		if err := rows.Scan(&target, &at); err != nil {
			return Stats{}, fmt.Errorf("reading last successful checks: %w", err)
		}
		st.LastSuccess[target] = at.UTC()
	}
	if err := rows.Err(); err != nil {
		return Stats{}, fmt.Errorf("reading last successful checks: %w", err)
	}
	return st, nil
}
