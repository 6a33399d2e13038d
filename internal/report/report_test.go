package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/postgres"
	"github.com/drift-schema/drift/internal/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func obj(kind, key, parent string, kv ...string) snapshot.Object {
	o := snapshot.Object{Kind: kind, Key: snapshot.MustKey(key), Attrs: snapshot.NewAttrs(kv...)}
	if parent != "" {
		o.Parent = snapshot.MustKey(parent)
	}
	return o
}

func snap(objs ...snapshot.Object) *snapshot.Snapshot {
	s := snapshot.New(snapshot.EnginePostgres)
	s.Objects = append(s.Objects, objs...)
	return s
}

const touchBody = `CREATE OR REPLACE FUNCTION public.touch()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$function$
`

// appFindings is a realistic PostgreSQL drift, produced by the differ itself.
func appFindings() []diff.Finding {
	users := obj("table", "public.users", "public", "rls_enabled", "false", "rls_forced", "false")
	accounts := obj("table", "public.accounts", "public", "rls_enabled", "true", "rls_forced", "false")
	email := obj("column", "public.users.email", "public.users", "type", "text", "not_null", "true")
	idx := obj("index", "public.users_email_idx", "public.users", "definition", "CREATE INDEX users_email_idx ON public.users USING btree (email)", "valid", "true")
	touch := obj("function", "public.touch()", "public", "definition", touchBody, "language", "plpgsql", "security_definer", "false")
	slug := obj("function", "public.slug(text)", "public", "definition", "CREATE OR REPLACE FUNCTION public.slug(t text)\n RETURNS text\n LANGUAGE sql\nAS $function$ SELECT lower(t) $function$\n", "language", "sql", "security_definer", "false")
	ownerGrant := obj("privilege", "public.accounts:<owner>:TRUNCATE", "public.accounts", "on", "public.accounts", "on_kind", "table", "grantee", "<owner>", "privilege", "TRUNCATE", "grantable", "false")
	key := func(name string) snapshot.Object {
		return obj("constraint", "public.users."+name, "public.users", "type", "unique", "definition", "UNIQUE (email)")
	}
	expected := snap(users, accounts, email, idx, touch, slug, ownerGrant, key("users_email_key"),
		obj("comment", "public.users", "public.users", "on_kind", "table", "text", "people who log in"),
		obj("table", "public.orders", "public"),
		obj("column", "public.orders.id", "public.orders", "type", "bigint", "not_null", "true"),
		obj("column", "public.orders.total", "public.orders", "type", "numeric(12,2)", "not_null", "false"),
	)
	actual := snap(users, with(accounts, "rls_enabled", "false"), with(email, "type", "character varying(200)"),
		with(idx, "valid", "false"),
		with(touch, "definition", strings.Replace(touchBody, "now()", "clock_timestamp()", 1)),
		with(slug, "definition", strings.Replace(slug.Attrs.Value("definition"), " SELECT lower(t) ", "\n  SELECT lower(t)\n", 1)),
		key("users_email_key1"),
		obj("comment", "public.users", "public.users", "on_kind", "table", "text", "people who log in | customers"),
		obj("privilege", "public.profiles:PUBLIC:SELECT", "public.profiles", "on", "public.profiles", "on_kind", "table", "grantee", "PUBLIC", "privilege", "SELECT", "grantable", "false"),
		obj("index", "public.tmp_report_idx", "public.users", "definition", "CREATE INDEX tmp_report_idx ON public.users USING btree (created_at)", "valid", "true"),
	)
	return diff.Compare(expected, actual, diff.Options{Rules: postgres.Rules{}, Target: "app"})
}

// fixture is one run over five targets: drift, pending, error, a hand-built migration
// finding, and clean.
func fixture() []check.Result {
	return []check.Result{
		{
			Name: "app", Engine: "postgres", Status: check.StatusDrift, Findings: appFindings(),
			Warnings:     []string{"shadow server runs PostgreSQL 16.4 but the live server runs 15.8: deparsed definitions may differ"},
			StaleIgnores: []string{`index "public.tmp_*" expired 2026-03-01 (ad-hoc reporting indexes)`},
		},
		{
			Name: "billing", Engine: "postgres", Status: check.StatusPending, Findings: []diff.Finding{},
			Pending: []check.Migration{{Version: "41", File: "000041_add_invoices.up.sql"}, {Version: "42", File: "000042_invoice_index.up.sql"}},
		},
		{
			Name: "graph", Engine: "neo4j", Status: check.StatusError,
			Error: "introspecting neo4j: connecting to bolt://graph:7687: connection refused",
		},
		{
			Name: "legacy", Engine: "postgres", Status: check.StatusDrift,
			Findings: diff.ApplyRules([]diff.Finding{{
				Kind: "migration", Object: "7", Change: diff.Changed, Severity: diff.Critical,
				Summary:  "migration 7 (V7__split_names.sql) is dirty: it failed half way | fix it and mark it clean",
				Expected: "dirty: false", Actual: "dirty: true",
			}}, diff.Options{Target: "legacy"}),
		},
		{Name: "reports", Engine: "postgres", Status: check.StatusClean},
	}
}

func with(o snapshot.Object, kv ...string) snapshot.Object {
	c := o
	c.Attrs = o.Attrs.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		c.Attrs.Set(kv[i], kv[i+1])
	}
	return c
}

type renderer func(w *bytes.Buffer, rs []check.Result) error

var renderers = map[string]renderer{
	"report.json":         func(w *bytes.Buffer, rs []check.Result) error { return JSON(w, rs) },
	"report.txt":          func(w *bytes.Buffer, rs []check.Result) error { return Text(w, rs, TextOptions{}) },
	"report_color.txt":    func(w *bytes.Buffer, rs []check.Result) error { return Text(w, rs, TextOptions{Color: true}) },
	"report_verbose.txt":  func(w *bytes.Buffer, rs []check.Result) error { return Text(w, rs, TextOptions{Verbose: true}) },
	"report.md":           func(w *bytes.Buffer, rs []check.Result) error { return Markdown(w, rs) },
	"single_clean.txt":    func(w *bytes.Buffer, rs []check.Result) error { return Text(w, rs[4:], TextOptions{}) },
	"single_clean.md":     func(w *bytes.Buffer, rs []check.Result) error { return Markdown(w, rs[4:]) },
	"single_clean.json":   func(w *bytes.Buffer, rs []check.Result) error { return JSON(w, rs[4:]) },
	"empty_run.json":      func(w *bytes.Buffer, rs []check.Result) error { return JSON(w, nil) },
	"single_error.txt":    func(w *bytes.Buffer, rs []check.Result) error { return Text(w, rs[2:3], TextOptions{}) },
	"single_pending.md":   func(w *bytes.Buffer, rs []check.Result) error { return Markdown(w, rs[1:2]) },
	"single_migration.md": func(w *bytes.Buffer, rs []check.Result) error { return Markdown(w, rs[3:4]) },
}

func TestGolden(t *testing.T) {
	names := make([]string, 0, len(renderers))
	for name := range renderers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, renderers[name](&buf, fixture()))
			path := filepath.Join("testdata", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./internal/report/ -update to create the golden files")
			require.Equal(t, string(want), buf.String())
		})
	}
}

func TestRenderersAreDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for name, render := range renderers {
		t.Run(name, func(t *testing.T) {
			var first bytes.Buffer
			require.NoError(t, render(&first, fixture()))
			for range 10 {
				rs := fixture()
				fs := rs[0].Findings
				rng.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
				var again bytes.Buffer
				require.NoError(t, render(&again, rs))
				require.Equal(t, first.String(), again.String())
			}
		})
	}
}

func TestJSONShape(t *testing.T) {
	rs := fixture()
	rs[2].Findings = nil // an error result built without findings
	var buf bytes.Buffer
	require.NoError(t, JSON(&buf, rs))

	var doc struct {
		Targets []map[string]json.RawMessage `json:"targets"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	require.Len(t, doc.Targets, len(rs))
	allowed := []string{"name", "engine", "status", "error", "findings", "pending", "warnings", "stale_ignores"}
	for i, target := range doc.Targets {
		for k := range target {
			require.Contains(t, allowed, k, "target %d", i)
		}
		require.Equal(t, "[", string(target["findings"][:1]), "target %d: findings must be an array, got %s", i, target["findings"])
	}

	var findings []diff.Finding
	require.NoError(t, json.Unmarshal(doc.Targets[0]["findings"], &findings))
	require.Equal(t, sortedFindings(rs[0].Findings), findings, "findings round-trip through the diff.Finding JSON form")
	for _, f := range findings {
		require.Len(t, f.Fingerprint, 24, "every finding has a fingerprint: %s", f.Object)
	}
	require.Contains(t, buf.String(), `"summary": "SELECT to PUBLIC on public.profiles was granted"`)
	require.Contains(t, buf.String(), `<owner>`, "no HTML escaping in JSON output")
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestTextColourOnlyWhenAsked(t *testing.T) {
	var plain, coloured bytes.Buffer
	require.NoError(t, Text(&plain, fixture(), TextOptions{}))
	require.NoError(t, Text(&coloured, fixture(), TextOptions{Color: true}))
	require.NotContains(t, plain.String(), "\x1b")
	require.Contains(t, coloured.String(), ansiRed+"- ")
	require.Contains(t, coloured.String(), ansiGreen+"+ ")
	require.Equal(t, plain.String(), ansi.ReplaceAllString(coloured.String(), ""), "colour changes nothing but colour")
}

func TestTextGroupsBySeverity(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Text(&buf, fixture()[:1], TextOptions{}))
	out := buf.String()
	crit, warn, info := strings.Index(out, "CRITICAL ("), strings.Index(out, "WARNING ("), strings.Index(out, "INFO (")
	require.True(t, 0 < crit && crit < warn && warn < info, "critical, then warning, then info:\n%s", out)
	require.Contains(t, out, "app: 11 findings (5 critical, 3 warning, 3 info)")
}

func TestMarkdownTableCells(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Markdown(&buf, fixture()))
	unescapedPipe := regexp.MustCompile(`(^|[^\\])\|`)
	rows := 0
	for _, line := range strings.Split(buf.String(), "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		rows++
		require.Len(t, unescapedPipe.FindAllString(line, -1), 6, "row must have exactly five cells: %s", line)
	}
	require.Equal(t, 1+11+1+1, rows, "app: header and eleven findings; legacy: header and one finding")
	require.Contains(t, buf.String(), `half way \| fix it`)
	require.Contains(t, buf.String(), "&lt;owner&gt;", "the owner placeholder must not be read as an HTML tag")
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	rs := fixture()
	for name, err := range map[string]error{
		"json":     JSON(failingWriter{}, rs),
		"text":     Text(failingWriter{}, rs, TextOptions{}),
		"markdown": Markdown(failingWriter{}, rs),
	} {
		require.ErrorContains(t, err, "disk full", name)
		require.ErrorContains(t, err, "writing "+name+" report", name)
	}
}

// Keep the fixture honest: the golden files are only as good as the drift they show.
func TestFixtureCoversTheCases(t *testing.T) {
	fs := appFindings()
	byObject := map[string]diff.Finding{}
	for _, f := range fs {
		byObject[f.Object] = f
	}
	require.Equal(t, []string{"column public.orders.id", "column public.orders.total"}, byObject["public.orders"].Folded)
	require.Equal(t, []string{"name"}, byObject["public.users.users_email_key"].Attributes)
	require.Contains(t, byObject["public.users_email_idx"].Summary, "INVALID")
	require.Contains(t, byObject["public.slug(text)"].Summary, "whitespace only")
	require.Equal(t, time.Duration(0), fixture()[0].Duration)
}
