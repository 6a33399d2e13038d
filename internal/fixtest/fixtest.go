// Package fixtest runs fix SQL on test databases, as a person would, for the proofs that a fix
// makes two schemas equal.
package fixtest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/snapshot"
)

// ApplyFix runs a fix's statements on dsn as a person would: online (by hand, on the live
// database), every statement on its own; for a migration file, the file in one transaction, as
// a migration tool runs it, split only where a statement must run outside one. A statement
// that fails fails the test, with the whole fix.
func ApplyFix(t testing.TB, dsn string, fix *check.Fix) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(ctx)
	var batch []string
	flush := func() {
		if len(batch) == 0 {
			return
		}
		sql := strings.Join(batch, "\n")
		batch = nil
		if _, err := conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatalf("applying the %s fix: %v\n%s\n\nthe whole fix:\n%s", fix.Mode, err, sql, fix.Script())
		}
	}
	for _, s := range fix.Statements {
		if s.SQL == "" {
			continue
		}
		if fix.Online || s.NoTransaction {
			flush()
			batch = append(batch, s.SQL)
			flush()
			continue
		}
		batch = append(batch, s.SQL)
	}
	flush()
}

// Kept writes a schema already read to a snapshot file in the test's temporary directory and
// returns it as a source: after a fix, the side left alone is compared as the snapshot just read
// (as `expected: snapshot` reads a committed one), so only the fixed copy is read again.
func Kept(t testing.TB, s *snapshot.Snapshot) check.Source {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kept.json")
	if err := snapshot.WriteFile(path, s); err != nil {
		t.Fatalf("keeping a snapshot: %v", err)
	}
	return check.Source{Kind: check.SourceSnapshot, Path: path}
}
