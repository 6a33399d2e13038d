package daemon

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/slack/testserver"
)

// TestNoSecretInLogsErrorsRowsOrMessages drives every path that handles a secret — DSNs with
// passwords (reachable and not), a bot token, webhook URLs (working, failing with 500, and
// pointing at a dead server) — and then searches everything the daemon wrote for them.
func TestNoSecretInLogsErrorsRowsOrMessages(t *testing.T) {
	t.Parallel()
	const (
		appPassword   = "AppPassw0rd-3141"
		downPassword  = "DownPassw0rd-2718"
		storePassword = "StorePassw0rd-1618"
		deadHookPath  = "/services/T9/B9/DeadHookSecret-0577"
	)
	ctx := context.Background()
	srv := testserver.New(t)
	p := newProxy(t)
	storeDB := pgtest.NewDB(t)
	storeDSN := p.dsn(dbName(t, storeDB), storePassword)
	st, _ := newStore(t, storeDSN)

	direct := pgtest.NewDB(t)
	pgtest.Exec(t, direct, baseSchema)
	app := targetFor(t, "app", p.dsn(dbName(t, direct), appPassword), direct)
	pgtest.Exec(t, direct, drifted)
	down := targetFor(t, "down", "postgres://drift:"+downPassword+"@127.0.0.1:1/app?sslmode=disable&connect_timeout=2", direct)
	targets := []Target{app, down}

	logger, logs := testLogger(t)
	var errs []string
	run := func(n Notifier) {
		d, err := New(withDefaults(Options{Targets: targets, Redactor: redact.New(storeDSN)}), st, newRunner(logger), n, logger)
		require.NoError(t, err)
		for _, o := range d.RunOnce(ctx) {
			if o.Err != nil {
				errs = append(errs, o.Err.Error())
			}
			errs = append(errs, o.Result.Error)
			for _, a := range o.Actions {
				errs = append(errs, a.Text(), a.Alert.Actual, a.Alert.Summary)
			}
		}
	}
	opts := slack.SenderOptions{Logger: logger, APIURL: srv.APIURL(), Retry: fastRetry}

	// Bot token: a 500 then success (retry logged), two failed checks of "down" (a cannot-check
	// alert), then the drift fixed (chat.update and a thread reply).
	srv.FailNext(testserver.Response{Status: 500})
	run(slack.NewBot(testserver.Token, "#db-drift", opts))
	run(slack.NewBot(testserver.Token, "#db-drift", opts))
	pgtest.Exec(t, direct, fixed)
	run(slack.NewBot(testserver.Token, "#db-drift", opts))

	// Webhook: drift again, a 500 first; then a webhook on a dead server (fails, stays pending).
	pgtest.Exec(t, direct, drifted)
	srv.FailNext(testserver.Response{Status: 500})
	run(slack.NewWebhook(srv.WebhookURL(), opts))
	pgtest.Exec(t, direct, fixed)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	run(slack.NewWebhook(dead.URL+deadHookPath, opts))

	// Everything the daemon wrote.
	conn, err := pgx.Connect(ctx, storeDB)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var rows strings.Builder
	for _, table := range []string{"schema_drift_alerts", "drift_runs", "drift_snapshots"} {
		var dump string
		require.NoError(t, conn.QueryRow(ctx, "SELECT coalesce(string_agg(row_to_json(t)::text, E'\\n'), '') FROM "+table+" t").Scan(&dump))
		rows.WriteString(dump)
	}
	msgs, err := json.Marshal(srv.Messages())
	require.NoError(t, err)
	everything := strings.Join([]string{logs.String(), strings.Join(errs, "\n"), rows.String(), string(msgs)}, "\n")

	// The paths were exercised.
	require.Contains(t, logs.String(), "retrying")
	require.Contains(t, logs.String(), "check failed")
	require.Contains(t, logs.String(), "notification failed")
	require.Contains(t, rows.String(), "check_error")
	require.Contains(t, rows.String(), "last_notify_error\":\"slack webhook: request failed")
	require.Contains(t, string(msgs), "Cannot check down")
	require.Contains(t, string(msgs), "chat.update")

	for _, secret := range []string{appPassword, downPassword, storePassword, testserver.Token,
		"Sekr3tWebhookPath", "DeadHookSecret", "/services/T"} {
		require.NotContains(t, everything, secret)
	}
}
