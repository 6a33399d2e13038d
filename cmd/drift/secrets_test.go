package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack/testserver"
)

// TestNoPasswordInAnyOutput (issue 12.4): a connection string drift cannot use — malformed,
// of another database, with a password holding an unescaped @ — is reported as what it is, and
// its password reaches none of drift's outputs: stdout and stderr of check, diff and the daemon,
// their logs at debug level, the text, JSON and Markdown reports, the rows the daemon stores
// (drift_runs.error, schema_drift_alerts) and the Slack messages it sends.
func TestNoPasswordInAnyOutput(t *testing.T) {
	t.Parallel()
	live := pgtest.NewDB(t)
	pgtest.Exec(t, live, schemaSQL)
	snap := filepath.Join(t.TempDir(), "app.json")
	code, _, stderr := drift(t, "snapshot", "--from", live, "--out", snap)
	require.Equal(t, 0, code, stderr)

	// Each form has its own password, so a leak names the form it came from. A password with
	// an @ is also looked for in the pieces a URL parser would cut it into.
	forms := []struct{ name, dsn, password string }{
		{"no colon after the scheme", "postgres//app:Pw01-Slash@127.0.0.1:1/app", "Pw01-Slash"},
		{"one slash", "postgres:/app:Pw02-OneSlash@127.0.0.1:1/app", "Pw02-OneSlash"},
		{"another database", "mysql://app:Pw03-MySQL@127.0.0.1:3306/app", "Pw03-MySQL"},
		{"upper-case scheme", "POSTGRES://app:Pw04-Upper@127.0.0.1:1/app", "Pw04-Upper"},
		{"leading space", " postgres://app:Pw05-Space@127.0.0.1:1/app", "Pw05-Space"},
		{"jdbc", "jdbc:postgresql://127.0.0.1:1/app?user=app&password=Pw06-Jdbc", "Pw06-Jdbc"},
		{"keyword/value", "user=app password=Pw07-KeyVal host=127.0.0.1 port=1 dbname=app connect_timeout=1", "Pw07-KeyVal"},
		{"keyword/value, quoted", "host=127.0.0.1 port=1 dbname=app password='Pw08 Quoted' connect_timeout=1", "Pw08 Quoted"},
		{"unescaped @ in the password", "postgres://app:Pw09@At-Tail@127.0.0.1:1/app?connect_timeout=1", "Pw09@At-Tail"},
		{"bad port", "postgres://app:Pw10-Port@127.0.0.1:notaport/app", "Pw10-Port"},
		{"unclosed IPv6", "postgres://app:Pw11-Ipv6@[::1/app", "Pw11-Ipv6"},
		{"bad sslmode", "postgres://app:Pw12-Ssl@127.0.0.1:1/app?sslmode=sometimes", "Pw12-Ssl"},
		{"unreachable", "postgres://app:Pw13-Refused@127.0.0.1:1/app?connect_timeout=1", "Pw13-Refused"},
		{"neo4j bad port", "neo4j://neo4j:Pw14-Neo@127.0.0.1:notaport", "Pw14-Neo"},
	}
	leaks := func(t *testing.T, where, text string, password string) {
		t.Helper()
		pieces := append([]string{password}, strings.Split(password, "@")...)
		for _, p := range pieces {
			if len(p) >= 4 {
				require.NotContains(t, text, p, "the password reached %s:\n%s", where, text)
			}
		}
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			for _, format := range []string{"text", "json", "markdown"} {
				for _, args := range [][]string{
					{"diff", "--from", snap, "--to", f.dsn},
					{"diff", "--from", f.dsn, "--to", snap},
				} {
					args = append(args, "--format", format, "--log-level", "debug")
					code, out, errOut := drift(t, args...)
					require.Equal(t, 2, code, "%v: a source drift cannot use is exit 2\n%s%s", args, out, errOut)
					leaks(t, fmt.Sprintf("%v stdout", args), out, f.password)
					leaks(t, fmt.Sprintf("%v stderr", args), errOut, f.password)
				}
				cfg := writeConfig(t, fmt.Sprintf("targets:\n  - name: app\n    dsn: %q\n    snapshot: %q\n", f.dsn, snap))
				code, out, errOut := drift(t, "check", "--config", cfg, "--format", format, "--log-level", "debug")
				require.NotEqual(t, 0, code)
				leaks(t, "check stdout ("+format+")", out, f.password)
				leaks(t, "check stderr ("+format+")", errOut, f.password)
			}

			// The daemon: one failed check raises "cannot check" at once, which is stored and
			// posted.
			storeDSN := pgtest.NewDB(t)
			srv := testserver.New(t)
			cfg := writeConfig(t, fmt.Sprintf("store: {dsn: %q}\nslack: {webhook_url: %q}\ndaemon: {failure_threshold: 1}\ntargets:\n  - name: app\n    engine: %s\n    dsn: %q\n    snapshot: %q\n",
				storeDSN, srv.WebhookURL(), engineOf(f.dsn), f.dsn, snap))
			code, out, errOut := drift(t, "daemon", "--config", cfg, "--once", "--log-level", "debug")
			require.Equal(t, 2, code, "%s%s", out, errOut)
			leaks(t, "daemon stdout", out, f.password)
			leaks(t, "daemon stderr", errOut, f.password)
			rows := storedRows(t, storeDSN)
			require.Contains(t, rows, `"status":"error"`, "the failed run is stored")
			require.Contains(t, rows, "check_error", "and its cannot-check alert")
			leaks(t, "the store", rows, f.password)
			posts := srv.Posts()
			require.Len(t, posts, 1, "the cannot-check alert is posted")
			leaks(t, "Slack", posts[0].Text+string(posts[0].Blocks), f.password)
			for _, cmd := range [][]string{{"alerts", "list"}, {"alerts", "show", "1"}, {"runs"}} {
				code, out, errOut := drift(t, append(cmd, "--config", cfg)...)
				require.Equal(t, 0, code, errOut)
				leaks(t, fmt.Sprint(cmd), out+errOut, f.password)
			}
		})
	}
}

func engineOf(dsn string) string {
	if strings.HasPrefix(dsn, "neo4j") {
		return "neo4j"
	}
	return "postgres"
}

// storedRows returns every row the daemon stored, as JSON text.
func storedRows(t *testing.T, dsn string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var b strings.Builder
	for _, table := range []string{"drift_runs", "schema_drift_alerts", "drift_snapshots"} {
		rows, err := conn.Query(ctx, "SELECT row_to_json(r)::text FROM "+table+" r")
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			b.WriteString(s + "\n")
		}
		require.NoError(t, rows.Err())
	}
	return b.String()
}

// TestNoPasswordFromDefinitions: credentials written inside the schema itself — a function body
// with a connection string, a column default, a comment, a view — are redacted in check's and
// diff's reports, the stored alerts and Slack, like everywhere else.
func TestNoPasswordFromDefinitions(t *testing.T) {
	t.Parallel()
	live, storeDSN := pgtest.NewDB(t), pgtest.NewDB(t)
	pgtest.Exec(t, live, schemaSQL)
	snap := filepath.Join(t.TempDir(), "app.json")
	code, _, stderr := drift(t, "snapshot", "--from", live, "--out", snap)
	require.Equal(t, 0, code, stderr)
	pgtest.Exec(t, live, `
		CREATE FUNCTION public.sync() RETURNS text LANGUAGE sql AS $$ SELECT 'postgres://etl:Def01-Body@warehouse/etl'::text $$;
		ALTER TABLE users ADD COLUMN remote text DEFAULT 'host=w user=etl password=Def02-Default';
		COMMENT ON TABLE users IS 'replicated with postgres://repl:Def03-Comment@standby/app';
		CREATE VIEW public.conn AS SELECT 'jdbc:postgresql://w/etl?user=etl&password=Def04-View'::text AS url;`)
	secrets := []string{"Def01-Body", "Def02-Default", "Def03-Comment", "Def04-View"}
	srv := testserver.New(t)
	cfg := writeConfig(t, fmt.Sprintf("store: {dsn: %q}\nslack: {webhook_url: %q, post_info: true}\ntargets:\n  - {name: app, dsn: %q, snapshot: %q}\n", storeDSN, srv.WebhookURL(), live, snap))
	var outputs []string
	for _, format := range []string{"text", "json", "markdown"} {
		code, out, errOut := drift(t, "check", "--config", cfg, "--format", format, "-v")
		require.Equal(t, 1, code, errOut)
		require.Contains(t, out, "public.sync()", "the drift is reported")
		outputs = append(outputs, out, errOut)
		code, out, errOut = drift(t, "diff", "--from", snap, "--to", live, "--format", format)
		require.Equal(t, 1, code, errOut)
		outputs = append(outputs, out, errOut)
	}
	code, out, errOut := drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 1, code, errOut)
	outputs = append(outputs, out, errOut, storedRows(t, storeDSN))
	for _, p := range srv.Posts() {
		outputs = append(outputs, p.Text+string(p.Blocks))
	}
	require.NotEmpty(t, srv.Posts())
	code, out, errOut = drift(t, "alerts", "list", "--config", cfg, "--format", "json")
	require.Equal(t, 0, code, errOut)
	outputs = append(outputs, out)
	all := strings.Join(outputs, "\n")
	require.Contains(t, all, "<secret>", "the definitions are shown, their passwords replaced")
	for _, s := range secrets {
		require.NotContains(t, all, s)
	}
}
