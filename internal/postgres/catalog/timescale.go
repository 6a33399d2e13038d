package catalog

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/postgres/timescale"
)

// hasTimescale reports whether the timescaledb extension is installed in the database. It is
// asked before the introspection's round trip, because TimescaleDB's views, which its queries
// read, exist only then.
func hasTimescale(ctx context.Context, conn *pgx.Conn) (bool, error) {
	var ok bool
	err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = $1)", timescale.Extension).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("introspecting: looking for the timescaledb extension: %w", err)
	}
	return ok, nil
}

// timescaleSteps are the TimescaleDB module's queries, when the extension is installed.
func (s *session) timescaleSteps() []step {
	if !s.timescale {
		return nil
	}
	var steps []step
	for _, q := range timescale.Queries() {
		steps = append(steps, step{what: q.What, sql: q.SQL, rows: s.b.row})
	}
	return steps
}
