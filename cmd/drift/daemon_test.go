package main

import (
	"fmt"
	"os"
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
	t.Parallel()
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
	t.Parallel()
	cfg := writeConfig(t, "targets:\n  - name: app\n    dsn: postgres://localhost/x\n")
	code, _, stderr := drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "store.dsn")
}

// TestDaemonOnceWithMigrations: the daemon's check is drift check's, migrations included: a
// database that is behind is pending (no message), drift on it is posted once.
func TestDaemonOnceWithMigrations(t *testing.T) {
	t.Parallel()
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

// TestDaemonOnceSendsOnlyItsOwnTargetsAndOnlyThroughSlack: runs against one store that do not
// share their targets. A run without Slack prints its own messages and leaves them pending (it
// told nobody); it never takes another target's messages; a run with Slack delivers the
// pending messages of its own targets, once.
func TestDaemonOnceSendsOnlyItsOwnTargetsAndOnlyThroughSlack(t *testing.T) {
	t.Parallel()
	storeDSN := pgtest.NewDB(t)
	slackSrv := testserver.New(t)
	snaps := t.TempDir()
	target := func(name string) (dsn, snap string) {
		dsn = pgtest.NewDB(t)
		pgtest.Exec(t, dsn, schemaSQL)
		snap = filepath.Join(snaps, name+".json")
		code, _, stderr := drift(t, "snapshot", "--from", dsn, "--out", snap)
		require.Equal(t, 0, code, stderr)
		pgtest.Exec(t, dsn, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL")
		return dsn, snap
	}
	appDSN, appSnap := target("app")
	billDSN, billSnap := target("billing")
	config := func(name, dsn, snap, slackLine string) string {
		return writeConfig(t, fmt.Sprintf("store: {dsn: %q}\n%stargets:\n  - {name: %s, dsn: %q, expected: snapshot, snapshot: %q}\n",
			storeDSN, slackLine, name, dsn, snap))
	}
	withSlack := fmt.Sprintf("slack: {webhook_url: %q}\n", slackSrv.WebhookURL())
	appQuiet := config("app", appDSN, appSnap, "")
	billQuiet := config("billing", billDSN, billSnap, "")

	code, out, stderr := drift(t, "daemon", "--config", appQuiet, "--once")
	require.Equal(t, 1, code, stderr)
	require.Contains(t, out, "drift on app:", "without Slack the message is printed")

	code, out, stderr = drift(t, "daemon", "--config", billQuiet, "--once")
	require.Equal(t, 1, code, stderr)
	require.Contains(t, out, "drift on billing:")
	require.NotContains(t, out, "drift on app:", "another target's message is not this run's to take")
	require.Empty(t, slackSrv.Posts())

	code, out, stderr = drift(t, "alerts", "list", "--config", appQuiet, "--target", "app")
	require.Equal(t, 0, code, stderr)
	id := regexp.MustCompile(`(?m)^(\d+)\s+app\s`).FindStringSubmatch(out)
	require.NotNil(t, id, out)
	code, out, stderr = drift(t, "alerts", "show", id[1], "--config", appQuiet)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "pending:     opened message, not sent yet", "printing is not sending")

	code, _, stderr = drift(t, "daemon", "--config", config("app", appDSN, appSnap, withSlack), "--once")
	require.Equal(t, 1, code, stderr)
	posts := slackSrv.Posts()
	require.Len(t, posts, 1, "the message printed earlier was still pending, and is delivered once")
	require.True(t, strings.Contains(posts[0].Text, "drift on app:"), posts[0].Text)

	code, _, stderr = drift(t, "daemon", "--config", config("billing", billDSN, billSnap, withSlack), "--once")
	require.Equal(t, 1, code, stderr)
	posts = slackSrv.Posts()
	require.Len(t, posts, 2)
	require.True(t, strings.Contains(posts[1].Text, "drift on billing:"), posts[1].Text)

	code, _, stderr = drift(t, "daemon", "--config", config("app", appDSN, appSnap, withSlack), "--once")
	require.Equal(t, 1, code, stderr)
	require.Len(t, slackSrv.Posts(), 2, "sent once: nothing more to send")
}

// TestDaemonConfigErrors: a Slack setting that names an unset variable, or a webhook URL that
// cannot be one, stops the daemon at start instead of silently not notifying or retrying for
// ever.
func TestDaemonConfigErrors(t *testing.T) {
	t.Parallel()
	const unset = "DRIFT_TEST_SURELY_UNSET_WEBHOOK"
	require.NoError(t, os.Unsetenv(unset))
	storeDSN := pgtest.NewDB(t)
	cfg := writeConfig(t, fmt.Sprintf("store: {dsn: %q}\nslack: {webhook_url: '${%s}'}\ntargets:\n  - name: app\n    dsn: postgres://localhost/x\n", storeDSN, unset))
	code, _, stderr := drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "slack.webhook_url: environment variable "+unset+" is not set")

	cfg = writeConfig(t, fmt.Sprintf("store: {dsn: %q}\nslack: {webhook_url: 'hooks.slack.com/services/T/B/Sekr3tPart'}\ntargets:\n  - name: app\n    dsn: postgres://localhost/x\n", storeDSN))
	code, _, stderr = drift(t, "daemon", "--config", cfg, "--once")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "slack.webhook_url: not an http(s) URL with a host")
	require.NotContains(t, stderr, "Sekr3tPart")

	cfg = writeConfig(t, fmt.Sprintf("store: {dsn: '${%s}'}\ntargets:\n  - name: app\n    dsn: postgres://localhost/x\n", unset))
	code, _, stderr = drift(t, "alerts", "list", "--config", cfg)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "store.dsn: environment variable "+unset+" is not set")
}
