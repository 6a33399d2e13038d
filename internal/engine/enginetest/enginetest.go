// Package enginetest is the engine conformance suite: one table of cases that every engine runs
// on its real server, through the real orchestration (check.Runner), so that the engines agree
// on what drift promises — identical schemas give nothing; each kind's missing, unexpected and
// changed object gives exactly that finding; a name the server generated differently is not a
// drop and an add; what the engine cannot model is said, not dropped; and an engine that writes
// fixes (engine.Fixer) writes ones that, applied either way, leave nothing to report.
//
// Each engine's test supplies a Server and the statements of its own language; the assertions
// are the suite's.
package enginetest

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Server is the engine's real test server.
type Server interface {
	// Empty returns the connection string of an empty database. Called again within one test,
	// it may return the same database, emptied again.
	Empty(t *testing.T) string
	// Exec runs statements in the engine's language.
	Exec(t *testing.T, dsn string, statements ...string)
	// Parallel reports whether cases may run at once (each Empty is a database of its own).
	Parallel() bool
}

// Kind is the conformance case of one object kind.
type Kind struct {
	// Kind and Object are the finding's kind and object for this object.
	Kind, Object string
	// Create makes the object (after Cases.Setup).
	Create []string
	// Change alters it, after Create, into a changed definition; nil for a kind that has no
	// changed form worth testing.
	Change []string
}

// Rename is a case where the two sides hold the same object under names the server generated
// differently.
type Rename struct {
	Expected, Actual []string
	// Want is the one finding expected (a rename, reported as changed), or nil when the engine
	// keys such objects by content and reports nothing.
	Want *Want
}

// Want is a finding's identity and, optionally, its severity.
type Want struct {
	Kind, Object string
	Change       diff.Change
	Severity     diff.Severity
}

// Cases are an engine's statements for the suite.
type Cases struct {
	// Setup runs first on every database (a schema, a table the kinds hang off).
	Setup []string
	Kinds []Kind
	// Rename is the generated-name case.
	Rename Rename
	// Unsupported creates something the engine does not model; nil when it models everything
	// its language can create.
	Unsupported []string
}

// Run runs the suite against e on its server.
func Run(t *testing.T, e engine.Engine, srv Server, c Cases) {
	r := check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{e}})
	schemas := newSchemaFiles(t, e, srv, c)
	// compare checks a live database built of actual against the expected side kept as a
	// snapshot file: the expected side is a committed snapshot, as in a target with
	// `expected: snapshot`.
	compare := func(t *testing.T, expected, actual []string) check.Result {
		t.Helper()
		if srv.Parallel() {
			t.Parallel()
		}
		file := schemas.file(t, expected)
		dsn := srv.Empty(t)
		srv.Exec(t, dsn, append(slices.Clone(c.Setup), actual...)...)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res := r.Check(ctx, check.Source{Kind: check.SourceSnapshot, Path: file}, check.Source{Kind: check.SourceLive, Engine: e.Name(), DSN: dsn}, check.Options{Name: "conformance"})
		require.NotEqual(t, check.StatusError, res.Status, res.Error)
		require.Equal(t, e.Name(), res.Engine)
		return res
	}
	var all []string
	for _, k := range c.Kinds {
		all = append(all, k.Create...)
	}

	t.Run("identical schemas give nothing", func(t *testing.T) {
		res := compare(t, all, all)
		require.Empty(t, res.Findings, describe(res.Findings))
		require.Equal(t, check.StatusClean, res.Status)
	})
	for _, k := range c.Kinds {
		t.Run(k.Kind+"/missing", func(t *testing.T) {
			res := compare(t, k.Create, nil)
			requireFinding(t, res, k.Kind, k.Object, diff.Missing)
		})
		t.Run(k.Kind+"/unexpected", func(t *testing.T) {
			res := compare(t, nil, k.Create)
			requireFinding(t, res, k.Kind, k.Object, diff.Unexpected)
		})
		if k.Change != nil {
			t.Run(k.Kind+"/changed", func(t *testing.T) {
				res := compare(t, k.Create, append(slices.Clone(k.Create), k.Change...))
				requireFinding(t, res, k.Kind, k.Object, diff.Changed)
			})
		}
	}
	runFix(t, r, e, srv, c, schemas)
	t.Run("generated names", func(t *testing.T) {
		res := compare(t, c.Rename.Expected, c.Rename.Actual)
		if c.Rename.Want == nil {
			require.Empty(t, res.Findings, describe(res.Findings))
			return
		}
		f := requireFinding(t, res, c.Rename.Want.Kind, c.Rename.Want.Object, c.Rename.Want.Change)
		require.Contains(t, f.Summary, "renamed")
		if c.Rename.Want.Severity != "" {
			require.Equal(t, c.Rename.Want.Severity, f.Severity)
		}
	})
	if c.Unsupported != nil {
		t.Run("what is not modelled is said", func(t *testing.T) {
			res := compare(t, nil, c.Unsupported)
			var said bool
			for _, f := range res.Findings {
				if f.Kind == diff.KindNotCompared {
					said = true
					require.Equal(t, diff.Info, f.Severity)
					require.Contains(t, f.Summary, "not compared")
				}
			}
			require.True(t, said, "no not_compared finding: %s", describe(res.Findings))
		})
	}
}

// requireFinding asserts that the only top-level finding is (kind, object, change): anything
// else must be folded into it.
func requireFinding(t *testing.T, res check.Result, kind, object string, change diff.Change) diff.Finding {
	t.Helper()
	require.Len(t, res.Findings, 1, "want exactly %s %s %s; got:\n%s", kind, object, change, describe(res.Findings))
	f := res.Findings[0]
	require.Equal(t, kind, f.Kind, describe(res.Findings))
	require.Equal(t, object, f.Object, describe(res.Findings))
	require.Equal(t, change, f.Change, describe(res.Findings))
	require.NotEmpty(t, f.Summary)
	require.NotEmpty(t, f.Fingerprint)
	require.NotZero(t, f.Severity.Rank())
	return f
}

func describe(fs []diff.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.Kind + " " + f.Object + " " + string(f.Change) + ": " + f.Summary + "\n")
	}
	return b.String()
}

// schemaFiles builds each schema the suite compares against once: the statements (after
// Cases.Setup) run on an empty database, whose schema is kept as a snapshot file that every
// case needing that schema reads. Missing, unexpected, changed and their fixes all start from
// the same few schemas (nothing, the object, the changed object), so building each again per
// case would only repeat identical work: the same statements give the same snapshot.
type schemaFiles struct {
	e   engine.Engine
	srv Server
	c   Cases
	dir string

	mu    sync.Mutex
	built map[string]*schemaFile
}

type schemaFile struct {
	once sync.Once
	path string // empty when the build failed (in the case that ran it, which says why)
}

func newSchemaFiles(t *testing.T, e engine.Engine, srv Server, c Cases) *schemaFiles {
	return &schemaFiles{e: e, srv: srv, c: c, dir: t.TempDir(), built: map[string]*schemaFile{}}
}

// file returns the snapshot file of the schema the statements make, building it on first use.
func (s *schemaFiles) file(t *testing.T, statements []string) string {
	t.Helper()
	key := strings.Join(statements, "\x00")
	s.mu.Lock()
	f, ok := s.built[key]
	if !ok {
		f = &schemaFile{}
		s.built[key] = f
	}
	n := len(s.built)
	s.mu.Unlock()
	f.once.Do(func() {
		dsn := s.srv.Empty(t)
		s.srv.Exec(t, dsn, append(slices.Clone(s.c.Setup), statements...)...)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		live, err := s.e.Introspect(ctx, dsn, engine.Options{Target: "conformance"})
		require.NoError(t, err)
		for _, o := range live.Snapshot.Objects {
			require.Contains(t, s.e.Kinds(), o.Kind, "the engine wrote a kind it does not list in Kinds()")
		}
		path := filepath.Join(s.dir, fmt.Sprintf("schema-%d.json", n))
		require.NoError(t, snapshot.WriteFile(path, live.Snapshot))
		f.path = path
	})
	if f.path == "" {
		t.Fatalf("the schema of %q could not be built (another case failed building it, and says why)", statements)
	}
	return f.path
}
