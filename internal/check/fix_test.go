package check_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/postgres"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/snapshot"
)

// The PostgreSQL engine's fix is written from snapshots alone, so these tests need no server:
// they hold the runner to how it attaches a fix (which findings get which statements, what an
// ignore rule silences, what is redacted). That the statements are right is proven on real
// databases in internal/postgres and cmd/drift.

func writeSnap(t *testing.T, objs ...snapshot.Object) string {
	t.Helper()
	s := pgSnap(150018, objs...)
	path := filepath.Join(t.TempDir(), "s.json")
	require.NoError(t, snapshot.WriteFile(path, s))
	return path
}

func fixObjects() (expected, actual []snapshot.Object) {
	schema := snapshot.Object{Kind: "schema", Key: snapshot.Named("public")}
	users := snapshot.Object{Kind: "table", Key: snapshot.NewKey("public", "users"), Parent: snapshot.Named("public"),
		Attrs: snapshot.NewAttrs("persistence", "permanent", "rls_enabled", "false", "rls_forced", "false", "replica_identity", "default")}
	col := func(table, name, typ, pos string) snapshot.Object {
		return snapshot.Object{Kind: "column", Key: snapshot.NewKey("public", table, name), Parent: snapshot.NewKey("public", table),
			Attrs: snapshot.NewAttrs("type", typ, "not_null", "false", "position", pos)}
	}
	audit := users
	audit.Key = snapshot.NewKey("public", "audit")
	idx := func(name string) snapshot.Object {
		return snapshot.Object{Kind: "index", Key: snapshot.NewKey("public", name), Parent: snapshot.NewKey("public", "users"),
			Attrs: snapshot.NewAttrs("definition", "CREATE INDEX "+name+" ON public.users USING btree (email)", "valid", "true")}
	}
	fn := snapshot.Object{Kind: "function", Key: snapshot.NewKey("public", "remote()"), Parent: snapshot.Named("public"),
		Attrs: snapshot.NewAttrs("definition", "CREATE OR REPLACE FUNCTION public.remote()\n RETURNS text\n LANGUAGE sql\nAS $function$ SELECT 'host=db password=hunter2' $function$\n",
			"language", "sql", "security_definer", "false")}
	expected = []snapshot.Object{schema, users, col("users", "email", "text", "1"), audit, col("audit", "at", "date", "1"), col("audit", "who", "text", "2"), fn}
	actual = []snapshot.Object{schema, users, col("users", "email", "text", "1"), idx("tmp_email_idx"), idx("users_email_idx")}
	return expected, actual
}

func TestAttachFix(t *testing.T) {
	exp, act := fixObjects()
	expFile, actFile := writeSnap(t, exp...), writeSnap(t, act...)
	r := check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{postgres.New(postgres.Options{})}, Redactor: redact.New("hunter2")})
	src := func(p string) check.Source { return check.Source{Kind: check.SourceSnapshot, Path: p} }
	res := r.Check(context.Background(), src(expFile), src(actFile), check.Options{
		Name:   "app",
		Fix:    check.FixRevert,
		Ignore: []diff.IgnoreRule{{Kind: "index", Object: "public.tmp_*", Reason: "ad-hoc"}},
	})
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	require.NotNil(t, res.Fix)
	require.Equal(t, check.FixRevert, res.Fix.Mode)
	require.False(t, res.Fix.Online, "a snapshot file is not a live database")
	require.Equal(t, "sql", res.Fix.Language)

	byObject := map[string]diff.Finding{}
	for _, f := range res.Findings {
		byObject[f.Kind+" "+f.Object] = f
	}
	// A missing table's fix creates it with the columns folded into its finding.
	// (The snapshot grants its owner nothing, so the fix revokes what a new table grants.)
	require.True(t, strings.HasPrefix(byObject["table public.audit"].Fix, "CREATE TABLE public.audit (\n    at date,\n    who text\n);\n\nDO $drift$"), byObject["table public.audit"].Fix)
	require.Equal(t, "DROP INDEX public.users_email_idx;", byObject["index public.users_email_idx"].Fix)
	// What an ignore rule silences is not fixed either.
	require.Len(t, res.Ignored, 1)
	require.NotContains(t, byObject, "index public.tmp_email_idx")
	script := res.Fix.Script()
	require.NotContains(t, script, "tmp_email_idx")
	// Secrets in definitions do not leave through the fix.
	require.NotContains(t, script, "hunter2")
	require.Contains(t, byObject["function public.remote()"].Fix, "CREATE OR REPLACE FUNCTION public.remote()")
	require.NotContains(t, byObject["function public.remote()"].Fix, "hunter2")

	// Adopting goes the other way, from the same comparison.
	require.NoError(t, r.AttachFix(&res, check.FixAdopt, true))
	require.Equal(t, "DROP TABLE public.audit;", lastLine(byObjectFix(res, "table public.audit")))
	require.Equal(t, "CREATE INDEX users_email_idx ON public.users USING btree (email);", lastLine(byObjectFix(res, "index public.users_email_idx")))

	// A result that could not be checked has no fix.
	down := check.Result{Name: "down", Status: check.StatusError, Error: "unreachable"}
	require.NoError(t, r.AttachFix(&down, check.FixRevert, false))
	require.Nil(t, down.Fix)
	require.Equal(t, "revert its drift", check.FixRevert.Purpose())
	require.Equal(t, "turn its expected schema into the live one", check.FixAdopt.Purpose())
}

func TestAttachFixWithoutAFixer(t *testing.T) {
	stub := &stubEngine{live: pgSnap(150018, snapshot.Object{Kind: "schema", Key: snapshot.Named("extra")})}
	r := check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{stub}})
	res := r.Check(context.Background(), check.Source{Kind: check.SourceSnapshot, Path: writeSnap(t)},
		check.Source{Kind: check.SourceLive, Engine: "postgres", DSN: "postgres://x"}, check.Options{Fix: check.FixRevert})
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	require.Nil(t, res.Fix)
	for _, f := range res.Findings {
		require.Empty(t, f.Fix)
	}
}

func byObjectFix(res check.Result, id string) string {
	for _, f := range res.Findings {
		if f.Kind+" "+f.Object == id {
			return f.Fix
		}
	}
	return ""
}

func lastLine(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' {
			return s[i+1:]
		}
	}
	return s
}

// failingFixer is an engine whose fix cannot be written: a stub, since no real engine fails
// on purpose.
type failingFixer struct{ *stubEngine }

func (failingFixer) Fix(from, to *snapshot.Snapshot, o engine.FixOptions) ([]engine.Statement, error) {
	return nil, errors.New("no SQL for password=hunter2 today")
}
func (failingFixer) LineComment() string { return "--" }

// TestFixOptional: a fix that cannot be written fails the check unless the caller (the daemon)
// says the findings matter more; then they stand, and the reason is kept, redacted.
func TestFixOptional(t *testing.T) {
	eng := failingFixer{&stubEngine{live: pgSnap(150018, snapshot.Object{Kind: "schema", Key: snapshot.Named("extra")})}}
	r := check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{eng}, Redactor: redact.New("hunter2")})
	exp := check.Source{Kind: check.SourceSnapshot, Path: writeSnap(t)}
	act := check.Source{Kind: check.SourceLive, Engine: "postgres", DSN: "postgres://x"}

	res := r.Check(context.Background(), exp, act, check.Options{Fix: check.FixRevert})
	require.Equal(t, check.StatusError, res.Status)
	require.Contains(t, res.Error, "writing the revert fix")
	require.NotContains(t, res.Error, "hunter2")

	res = r.Check(context.Background(), exp, act, check.Options{Fix: check.FixRevert, FixOptional: true})
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	require.Len(t, res.Findings, 1)
	require.Nil(t, res.Fix)
	require.Contains(t, res.FixError, "no SQL for")
	require.NotContains(t, res.FixError, "hunter2")
}

// silentFixer is an engine whose fix writes nothing for a difference it does not know: a stub,
// since the real engines are held to writing something for every finding.
type silentFixer struct{ *stubEngine }

func (silentFixer) Fix(from, to *snapshot.Snapshot, o engine.FixOptions) ([]engine.Statement, error) {
	return nil, nil
}
func (silentFixer) LineComment() string { return "--" }

// TestFixNeverSilentlyEmpty: a schema difference the engine wrote no statement for gets a note
// saying drift cannot write it, never an empty fix that reads as nothing to do.
func TestFixNeverSilentlyEmpty(t *testing.T) {
	eng := silentFixer{&stubEngine{live: pgSnap(150018, snapshot.Object{Kind: "schema", Key: snapshot.Named("extra")})}}
	r := check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{eng}})
	res := r.Check(context.Background(), check.Source{Kind: check.SourceSnapshot, Path: writeSnap(t)},
		check.Source{Kind: check.SourceLive, Engine: "postgres", DSN: "postgres://x"}, check.Options{Fix: check.FixRevert})
	require.Equal(t, check.StatusDrift, res.Status, res.Error)
	require.Len(t, res.Findings, 1)
	require.Equal(t, "-- drift cannot write SQL for this difference, write it by hand: schema extra is unexpected", res.Findings[0].Fix)
	require.Contains(t, res.Fix.Script(), "drift cannot write SQL for this difference, write it by hand: schema extra is unexpected")
}
