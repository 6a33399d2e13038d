// Package store keeps the daemon's state in PostgreSQL: the alerts (schema_drift_alerts), the
// run history (drift_runs) and the history of live snapshots (drift_snapshots).
//
// The store records; it does not decide. The daemon works out a run's outcome and, through
// internal/alert, what happens to each alert; RecordRun writes both in one transaction, with the
// messages the decisions call for left pending in the alert rows — the outbox the daemon drains.
// The store knows neither the check nor the daemon: it takes plain values.
//
// The store is also how several daemon replicas agree without any other infrastructure: a
// replica checks a target only after claiming (target, scheduled time) in drift_runs, whose
// unique key lets exactly one replica win, and sends a message only after claiming the alert's
// pending notification with a conditional UPDATE. Claims carry a time, so a claim left behind
// by a replica that died is taken over once it is older than the work could possibly take.
//
// Every table is named schema_drift_alerts or drift_*, the names the introspector leaves out,
// so the store may live in a database that drift also checks.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/drift-schema/drift/internal/pgdial"
)

// ErrNotFound is returned when an alert, run or snapshot does not exist.
var ErrNotFound = errors.New("not found")

// migrateLockKey is the pg_advisory_lock key that serializes schema migrations of the store, so
// replicas starting together do not race. It spells "driftmig" in ASCII.
const migrateLockKey int64 = 0x64726966746d6967

// Store is a connection pool to the store database.
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
}

// Open connects to the store database. The DSN holds a password: it never appears in errors.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// pgdial names the sessions (application_name), bounds connecting, and never echoes the
	// DSN's password in its errors.
	cfg, err := pgdial.PoolConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening the store: %w", pgdial.Scrub(err, cfg.ConnConfig))
	}
	s := &Store{pool: pool, logger: logger}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("opening the store: %w", pgdial.Scrub(err, cfg.ConnConfig))
	}
	return s, nil
}

// OpenMigrated opens the store and brings drift's tables up to date (Migrate): what every
// command that uses the store does first.
func OpenMigrated(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	s, err := Open(ctx, dsn, logger)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the store answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("reaching store: %w", err)
	}
	return nil
}

// Migrate creates or upgrades drift's own tables. It holds a transaction-scoped advisory lock
// for the whole migration, so replicas starting at once apply each step exactly once; DDL is
// transactional in PostgreSQL, so a failed step leaves the store as it was.
func (s *Store) Migrate(ctx context.Context) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrating store: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
		return fmt.Errorf("migrating store: taking the migration lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS drift_schema_version (
		version    integer PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrating store: creating drift_schema_version: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM drift_schema_version").Scan(&current); err != nil {
		return fmt.Errorf("migrating store: reading version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("migrating store: store is at version %d, this drift knows only up to %d (a newer drift migrated it)", current, len(migrations))
	}
	for i := current; i < len(migrations); i++ {
		if _, err := tx.Exec(ctx, migrations[i], pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("migrating store to version %d: %w", i+1, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO drift_schema_version (version) VALUES ($1)", i+1); err != nil {
			return fmt.Errorf("migrating store to version %d: %w", i+1, err)
		}
		s.logger.Info("store migrated", "version", i+1)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrating store: %w", err)
	}
	return nil
}

// Version returns the store's schema version (0 before Migrate).
func (s *Store) Version(ctx context.Context) (int, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass('drift_schema_version') IS NOT NULL").Scan(&exists); err != nil {
		return 0, fmt.Errorf("reading store version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := s.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM drift_schema_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("reading store version: %w", err)
	}
	return v, nil
}

// seconds renders a duration for make_interval(secs => ...).
func seconds(d time.Duration) float64 { return d.Seconds() }

// utc converts a nullable timestamp to a UTC time (zero when NULL).
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullTime maps the zero time to NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
