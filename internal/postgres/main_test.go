package postgres

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/postgres/catalog"
	"github.com/drift-schema/drift/internal/snapshot"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// snap introspects dsn and fails the test on error.
func snap(t testing.TB, dsn string, opts catalog.Options) *snapshot.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := catalog.IntrospectDSN(ctx, dsn, opts)
	require.NoError(t, err)
	return s
}

// snapMemo builds each schema once for the cases of a test that compare against the same SQL
// (many start from the same base and differ on one side only). The same statements give the
// same snapshot (TestSameSQLGivesIdenticalSnapshots holds it), and the cases only read it.
type snapMemo struct {
	mu sync.Mutex
	m  map[string]*memoSnap
}

type memoSnap struct {
	once sync.Once
	s    *snapshot.Snapshot // nil when the build failed, in the case that ran it, which says why
}

// snap returns the snapshot of a database built from sql, building it on first use.
func (m *snapMemo) snap(t *testing.T, sql string, opts catalog.Options) *snapshot.Snapshot {
	t.Helper()
	key := fmt.Sprintf("%+v\x00%s", opts, sql)
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]*memoSnap{}
	}
	e, ok := m.m[key]
	if !ok {
		e = &memoSnap{}
		m.m[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.s = snap(t, pgtest.Build(t, sql), opts) })
	if e.s == nil {
		t.Fatalf("the schema could not be built (another case failed building it, and says why):\n%s", sql)
	}
	return e.s
}

func findObj(s *snapshot.Snapshot, kind, key string) *snapshot.Object { return s.Find(kind, key) }

func keysOf(s *snapshot.Snapshot, kind string) []string { return s.Keys(kind) }

// requireOnlyFinding asserts that the findings contain (kind, object, change) and nothing else
// except findings about objects that belong to that object (its columns, grants, comment...),
// which a differ may report separately or fold.
func requireOnlyFinding(t *testing.T, exp, act *snapshot.Snapshot, fs []diff.Finding, kind, object string, change diff.Change) {
	t.Helper()
	parents := map[string][]string{}
	for _, s := range []*snapshot.Snapshot{exp, act} {
		for _, o := range s.Objects {
			if !o.Parent.IsZero() && o.Parent != o.Key {
				parents[o.Key.String()] = append(parents[o.Key.String()], o.Parent.String())
			}
		}
	}
	var descends func(key string, depth int) bool
	descends = func(key string, depth int) bool {
		if key == object {
			return true
		}
		if depth > 8 {
			return false
		}
		for _, p := range parents[key] {
			if descends(p, depth+1) {
				return true
			}
		}
		return false
	}
	found := false
	for _, f := range fs {
		if f.Kind == kind && f.Object == object && f.Change == change {
			found = true
			continue
		}
		if !descends(f.Object, 0) {
			t.Errorf("unexpected extra finding: %s %s %s\nexpected: %s\nactual: %s", f.Kind, f.Object, f.Change, f.Expected, f.Actual)
		}
	}
	if !found {
		t.Errorf("finding %s %s %s not reported; findings:\n%s", kind, object, change, describe(fs))
	}
}

func describe(fs []diff.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s\n    expected: %q\n    actual:   %q\n", f.Kind, f.Object, f.Change, f.Expected, f.Actual)
	}
	return b.String()
}
