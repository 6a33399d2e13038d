package benchgen

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Load creates the schema for opts in the database conn is connected to, which should be empty.
// Each chunk goes in one simple-protocol round trip and so runs as one implicit transaction; a
// failing chunk stops the load with an error naming it. Progress is logged at debug level.
func Load(ctx context.Context, conn *pgx.Conn, opts Options, log *slog.Logger) (Counts, error) {
	g, err := New(opts)
	if err != nil {
		return Counts{}, err
	}
	start := time.Now()
	for n := 0; ; n++ {
		chunk, ok := g.Next()
		if !ok {
			break
		}
		if _, err := conn.Exec(ctx, chunk, pgx.QueryExecModeSimpleProtocol); err != nil {
			return g.counts, fmt.Errorf("loading chunk %d of the benchmark schema (%d tables so far): %w", n, g.counts.Tables, err)
		}
		log.DebugContext(ctx, "loaded benchmark schema chunk", "chunk", n, "tables", g.counts.Tables, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	return g.counts, nil
}
