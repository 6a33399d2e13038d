package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack/testserver"
)

// TestDaemonOnceAndAlertsCommands drives the daemon through the CLI: a tick posts one Slack
// message for a new drift, the next tick posts nothing, `drift alerts` lists and acknowledges,
// and fixing the drift posts the resolution.
func TestDaemonOnceAndAlertsCommands(t *testing.T) {
	live, storeDSN := pgtest.NewDB(t), pgtest.NewDB(t)
	pgtest.Exec(t, live, schemaSQL)
	slackSrv := testserver.New(t)
	cfg := writeConfig(t, fmt.Sprintf(`store: {dsn: %q}
slack: {webhook_url: %q}
targets:
  - name: app
    dsn: %q
`, storeDSN, slackSrv.WebhookURL(), live))
	code, _, stderr := drift(t, "snapshot", "--from", live, "--out", filepath.Join(filepath.Dir(cfg), "snapshots", "app.json"))
	require.Equal(t, 0, code, stderr)

	code, _, stderr = drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 0, code, stderr)
	require.Empty(t, slackSrv.Posts(), "a clean tick posts nothing")

	pgtest.Exec(t, live, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL")
	code, _, stderr = drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 1, code, stderr)
	require.Len(t, slackSrv.Posts(), 1, "a new drift posts once")
	require.NotContains(t, stderr, slackSrv.WebhookURL(), "the webhook URL is a secret")

	code, _, stderr = drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 1, code, stderr)
	require.Len(t, slackSrv.Posts(), 1, "the same drift is not posted again")

	code, out, stderr := drift(t, "alerts", "list", "--config", cfg)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "public.users.email")
	id := regexp.MustCompile(`(?m)^(\d+)\s+app\s+critical\s+open`).FindStringSubmatch(out)
	require.NotNil(t, id, out)

	code, out, stderr = drift(t, "alerts", "show", id[1], "--config", cfg)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "NOT NULL")

	code, _, stderr = drift(t, "alerts", "ack", id[1], "--config", cfg)
	require.Equal(t, 2, code, "a reason is required")
	require.Contains(t, stderr, "--reason")
	code, out, stderr = drift(t, "alerts", "ack", id[1], "--config", cfg, "--reason", "widening on purpose", "--by", "dba")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "acknowledged alert "+id[1])
	code, out, _ = drift(t, "alerts", "list", "--config", cfg, "--status", "acknowledged")
	require.Equal(t, 0, code)
	require.Contains(t, out, "acknowledged")

	code, _, stderr = drift(t, "alerts", "unack", id[1], "--config", cfg)
	require.Equal(t, 0, code, stderr)

	pgtest.Exec(t, live, "ALTER TABLE users ALTER COLUMN email SET NOT NULL")
	code, _, stderr = drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 0, code, stderr)
	posts := slackSrv.Posts()
	require.Len(t, posts, 2, "the resolution is posted")
	require.Contains(t, strings.ToLower(posts[1].Text+string(posts[1].Blocks)), "resolved")
	require.Contains(t, string(posts[1].Blocks), "public.users.email")

	code, _, _ = drift(t, "alerts", "show", "999999", "--config", cfg)
	require.Equal(t, 2, code)
}

func TestDaemonNeedsAStore(t *testing.T) {
	cfg := writeConfig(t, "targets:\n  - name: app\n    dsn: postgres://localhost/x\n")
	code, _, stderr := drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "store.dsn")
}

// TestDaemonOnceWithMigrations: the daemon's check is drift check's, migrations included: a
// database that is behind is pending (no message), drift on it is posted once.
func TestDaemonOnceWithMigrations(t *testing.T) {
	live, storeDSN := pgtest.NewDB(t), pgtest.NewDB(t)
	dir := migrationsDir(t)
	migrateLive(t, live, 3, false)
	slackSrv := testserver.New(t)
	cfg := writeConfig(t, fmt.Sprintf(`store: {dsn: %q}
shadow: {postgres_dsn: %q}
slack: {webhook_url: %q}
targets:
  - name: app
    dsn: %q
    migrations: %q
`, storeDSN, pgtest.AdminDSN(t), slackSrv.WebhookURL(), live, dir))
	code, _, stderr := drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 0, code, stderr)
	require.Empty(t, slackSrv.Posts(), "a database that is only behind is not drift")

	pgtest.Exec(t, live, "DROP INDEX orders_user_id_idx")
	code, _, stderr = drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 1, code, stderr)
	posts := slackSrv.Posts()
	require.Len(t, posts, 1)
	require.Contains(t, string(posts[0].Blocks), "orders_user_id_idx")
	code, _, stderr = drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 1, code, stderr)
	require.Len(t, slackSrv.Posts(), 1, "and only once")
}
