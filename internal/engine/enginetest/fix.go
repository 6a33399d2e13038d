package enginetest

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/snapshot"
)

// runFix holds an engine that writes fixes (engine.Fixer) to them: for every kind's missing,
// unexpected and changed object, the revert fix applied to a copy of the actual side and the
// adopt fix applied to a copy of the expected side must leave nothing to report, apart from
// findings whose fix says the engine cannot write it.
func runFix(t *testing.T, r *check.Runner, e engine.Engine, srv Server, c Cases, schemas *schemaFiles) {
	if _, ok := e.(engine.Fixer); !ok {
		return
	}
	// fixed applies a fix to a database built of the statements and returns its schema as a
	// snapshot file.
	fixed := func(t *testing.T, statements []string, fix []engine.Statement) string {
		t.Helper()
		dsn := srv.Empty(t)
		srv.Exec(t, dsn, append(slices.Clone(c.Setup), statements...)...)
		for _, s := range fix {
			if s.SQL != "" {
				srv.Exec(t, dsn, s.SQL)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		live, err := e.Introspect(ctx, dsn, engine.Options{Target: "conformance"})
		require.NoError(t, err)
		file := filepath.Join(t.TempDir(), "fixed.json")
		require.NoError(t, snapshot.WriteFile(file, live.Snapshot))
		return file
	}
	file := func(path string) check.Source { return check.Source{Kind: check.SourceSnapshot, Path: path} }
	prove := func(t *testing.T, expected, actual []string) {
		if srv.Parallel() {
			t.Parallel()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		expFile, actFile := schemas.file(t, expected), schemas.file(t, actual)
		for _, mode := range []check.FixMode{check.FixRevert, check.FixAdopt} {
			res := r.Check(ctx, file(expFile), file(actFile), check.Options{Name: "conformance", Fix: mode})
			require.NotEqual(t, check.StatusError, res.Status, res.Error)
			require.NotEmpty(t, res.Findings)
			require.NotNil(t, res.Fix, "%s: an engine.Fixer must attach a fix", mode)
			for _, f := range res.Findings {
				require.NotEmpty(t, f.Fix, "%s: finding %s %s %s has no fix", mode, f.Kind, f.Object, f.Change)
			}
			start, other := actual, expFile
			if mode == check.FixAdopt {
				start, other = expected, actFile
			}
			after := r.Check(ctx, file(other), file(fixed(t, start, res.Fix.Statements)), check.Options{Name: "conformance"})
			require.NotEqual(t, check.StatusError, after.Status, after.Error)
			for _, f := range after.Findings {
				before := findingOf(res.Findings, f.Kind, f.Object)
				require.True(t, before != nil && strings.Contains(before.Fix, "cannot write"),
					"%s: %s %s %s is left after the fix, which did not say it cannot fix it:\n%s", mode, f.Kind, f.Object, f.Change, res.Fix.Script())
			}
		}
	}
	for _, k := range c.Kinds {
		t.Run(k.Kind+"/fix missing", func(t *testing.T) { prove(t, k.Create, nil) })
		t.Run(k.Kind+"/fix unexpected", func(t *testing.T) { prove(t, nil, k.Create) })
		if k.Change != nil {
			t.Run(k.Kind+"/fix changed", func(t *testing.T) {
				prove(t, k.Create, append(slices.Clone(k.Create), k.Change...))
			})
		}
	}
}

func findingOf(fs []diff.Finding, kind, object string) *diff.Finding {
	for i := range fs {
		if fs[i].Kind == kind && fs[i].Object == object {
			return &fs[i]
		}
	}
	return nil
}
