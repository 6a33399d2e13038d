package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func parse(t *testing.T, yml string, vars map[string]string) (*Config, error) {
	t.Helper()
	return Parse(strings.NewReader(yml), "/etc/drift/drift.yaml", env(vars))
}

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := LoadWithEnv("../../configs/drift.example.yaml", env(map[string]string{
		"APP_DATABASE_URL": "postgres://app:hunter2@db/app", "GRAPH_URI": "neo4j://localhost:7687",
		"SLACK_WEBHOOK_URL": "https://hooks.example/T/B/X", "DRIFT_STORE_DSN": "postgres://s@db/store",
	}))
	require.NoError(t, err)
	require.Equal(t, DefaultSchedule, cfg.Schedule)
	require.Len(t, cfg.Targets, 2)
	app := cfg.Targets[0]
	require.Equal(t, "postgres://app:hunter2@db/app", app.DSN.Value())
	require.Equal(t, "migrations", app.Expected)
	abs, _ := filepath.Abs("../../db/migrations")
	require.Equal(t, abs, cfg.Resolve(app.Migrations))
	require.Equal(t, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), app.Ignore[0].Expires.Time)
	require.Equal(t, "0 */2 * * *", app.Schedule)
	require.Equal(t, Duration(5*time.Minute), app.Timeout)
	cache, _ := filepath.Abs("../../.drift-cache")
	require.Equal(t, cache, cfg.Resolve(cfg.Shadow.CacheDir))
	require.Equal(t, "neo4j://localhost:7687", cfg.Targets[1].DSN.Value(), "a neo4j uri is its DSN")
	snap, _ := filepath.Abs("../../snapshots/app.json")
	require.Equal(t, snap, cfg.SnapshotPath(app))
	require.NoError(t, cfg.RequireEnv("store", "slack", "shadow", "daemon"), "everything the daemon uses is set")
	require.Empty(t, cfg.Shadow.PostgresDSN, "${DRIFT_SHADOW_DSN:-}: a local throwaway cluster")
}

func TestSecretsNeverPrint(t *testing.T) {
	cfg, err := parse(t, "targets: [{name: a, dsn: 'postgres://u:hunter2@h/d'}]\nslack: {webhook_url: 'https://hooks.slack.com/services/T/B/SECRET'}\n", nil)
	require.NoError(t, err)
	for _, out := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", cfg.Targets[0])} {
		require.NotContains(t, out, "hunter2")
		require.NotContains(t, out, "SECRET")
	}
}

func TestEnvExpansionCannotInjectYAML(t *testing.T) {
	cfg, err := parse(t, "targets: [{name: a, dsn: '${DSN}'}]\n", map[string]string{"DSN": "x\nengine: neo4j # ${Y}"})
	require.NoError(t, err)
	require.Equal(t, "postgres", cfg.Targets[0].Engine)
	require.Equal(t, "x\nengine: neo4j # ${Y}", cfg.Targets[0].DSN.Value())
}

func TestDefaultValue(t *testing.T) {
	cfg, err := parse(t, "targets: [{name: a, dsn: '${DSN:-postgres://localhost/a}'}]\n", nil)
	require.NoError(t, err)
	require.Equal(t, "postgres://localhost/a", cfg.Targets[0].DSN.Value())
}

func TestSecretFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dsn"), []byte("postgres://u:p@h/d\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "drift.yaml"), []byte("targets: [{name: a, dsn_file: dsn}]\n"), 0o600))
	cfg, err := LoadWithEnv(filepath.Join(dir, "drift.yaml"), env(nil))
	require.NoError(t, err)
	require.Equal(t, "postgres://u:p@h/d", cfg.Targets[0].DSN.Value())
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name, yml string
		want      []string
	}{
		{"unknown key", "targets: [{name: a, dsn: x, colour: red}]", []string{"field colour not found"}},
		{"unknown top key", "schedul: x\ntargets: [{name: a, dsn: x}]", []string{"field schedul not found"}},
		{"empty", "", []string{"empty"}},
		{"no targets", "schedule: '0 * * * *'", []string{"no targets"}},
		{"unset env", "targets: [{name: a, dsn: '${APP_DSN}'}]", []string{`target "a": no connection string`, "targets[0].dsn: environment variable APP_DSN is not set"}},
		{"dup name", "targets: [{name: a, dsn: x}, {name: a, dsn: y}]", []string{`target "a": the name is used twice`}},
		{"engine", "targets: [{name: a, dsn: x, engine: mysql}]", []string{`engine "mysql" is not supported`}},
		{"expected", "targets: [{name: a, dsn: x, expected: migrations}]", []string{"needs a `migrations` directory"}},
		{"ignore reason", "targets: [{name: a, dsn: x, ignore: [{kind: index, object: 'x*'}]}]", []string{"a reason is required"}},
		{"bad date", "targets: [{name: a, dsn: x, ignore: [{kind: index, object: 'x', reason: r, expires: soon}]}]", []string{`"soon" is not a date`}},
		{"bad severity", "severity: [{kind: index, severity: loud}]\ntargets: [{name: a, dsn: x}]", []string{`not "loud"`}},
		{"bad duration", "daemon: {timeout: forever}\ntargets: [{name: a, dsn: x}]", []string{`"forever" is not a duration`}},
		{"token without channel", "slack: {token: xoxb-1}\ntargets: [{name: a, dsn: x}]", []string{"needs a channel"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(t, c.yml, nil)
			require.Error(t, err)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	_, err := parse(t, "targets: [{name: a}, {name: b, engine: x, dsn: y}]", nil)
	require.Error(t, err)
	require.Contains(t, err.Error(), `target "a": no connection string`)
	require.Contains(t, err.Error(), `target "b": engine "x"`)
}

// TestUnsetVariableInAUsedSettingIsAnError: Slack configured through a variable that is not set
// used to turn Slack off without a word. A command that uses a setting asks for its variables;
// ${VAR:-} says empty is intended.
func TestUnsetVariableInAUsedSettingIsAnError(t *testing.T) {
	const yml = "store: {dsn: '${DRIFT_STORE_DSN}'}\nslack: {webhook_url: '${SLACK_WEBHOOK_URL}'}\ntargets: [{name: a, dsn: x}]\n"
	cfg, err := parse(t, yml, nil)
	require.NoError(t, err, "drift check uses neither the store nor Slack: loading works")
	err = cfg.RequireEnv("slack", "store")
	require.Error(t, err)
	require.Contains(t, err.Error(), "slack.webhook_url: environment variable SLACK_WEBHOOK_URL is not set")
	require.Contains(t, err.Error(), "store.dsn: environment variable DRIFT_STORE_DSN is not set")
	require.Contains(t, err.Error(), "${SLACK_WEBHOOK_URL:-}", "the error says how to mean empty")
	require.NoError(t, cfg.RequireEnv("daemon", "shadow"), "only the sections asked for")

	cfg, err = parse(t, yml, map[string]string{"SLACK_WEBHOOK_URL": "", "DRIFT_STORE_DSN": "postgres://s/d"})
	require.NoError(t, err)
	require.ErrorContains(t, cfg.RequireEnv("slack"), "SLACK_WEBHOOK_URL is not set", "set but empty is not a webhook either")
	require.NoError(t, cfg.RequireEnv("store"))

	cfg, err = parse(t, "slack: {webhook_url: '${SLACK_WEBHOOK_URL:-}', token: '${SLACK_BOT_TOKEN:-}'}\ntargets: [{name: a, dsn: x}]\n", nil)
	require.NoError(t, err)
	require.NoError(t, cfg.RequireEnv("slack"), "${VAR:-}: empty on purpose")
	require.Empty(t, cfg.Slack.WebhookURL)

	// Settings every command uses are checked at load, wherever they are.
	_, err = parse(t, "targets: [{name: a, dsn: x, schemas: ['${APP_SCHEMA}']}]\n", nil)
	require.ErrorContains(t, err, "targets[0].schemas[0]: environment variable APP_SCHEMA is not set")
	_, err = parse(t, "ignore: [{kind: index, object: '${PATTERN}', reason: r}]\ntargets: [{name: a, dsn: x}]\n", nil)
	require.ErrorContains(t, err, "ignore[0].object: environment variable PATTERN is not set")
}

func TestMalformedWebhookURLIsAConfigError(t *testing.T) {
	for _, bad := range []string{"hooks.slack.com/services/T/B/SECRETX", "ftp://hooks.example/SECRETX", "https:///SECRETX", "https://", "::SECRETX"} {
		_, err := parse(t, "slack: {webhook_url: '"+bad+"'}\ntargets: [{name: a, dsn: x}]\n", nil)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "slack.webhook_url: not an http(s) URL with a host", bad)
		require.NotContains(t, err.Error(), "SECRETX", "the webhook URL is a secret, even a wrong one")
	}
	for _, good := range []string{"https://hooks.slack.com/services/T/B/X", "http://127.0.0.1:8080/services/T/B/X"} {
		_, err := parse(t, "slack: {webhook_url: '"+good+"'}\ntargets: [{name: a, dsn: x}]\n", nil)
		require.NoError(t, err, good)
	}
	_, err := parse(t, "slack: {token: xoxb-1, channel: '#c', api_url: 'slack.test/api/'}\ntargets: [{name: a, dsn: x}]\n", nil)
	require.ErrorContains(t, err, "slack.api_url")
}

func TestDefaultsLiveHere(t *testing.T) {
	d := Default()
	require.Equal(t, DefaultSchedule, d.Schedule)
	require.Equal(t, DefaultSnapshotsDir, d.SnapshotsDir)
	require.Equal(t, DefaultConcurrency, d.Daemon.Concurrency)
	require.Equal(t, Duration(DefaultTimeout), d.Daemon.Timeout)
	require.Equal(t, DefaultFailureThreshold, d.Daemon.FailureThreshold)
	require.Equal(t, Duration(DefaultShutdownTimeout), d.Daemon.ShutdownTimeout)
	cfg, err := parse(t, "targets: [{name: a, dsn: x}]\n", nil)
	require.NoError(t, err)
	require.Equal(t, d.Daemon, cfg.Daemon, "an empty daemon section is the defaults")
	require.Equal(t, Duration(DefaultTimeout), cfg.Targets[0].Timeout, "a target's timeout defaults to daemon.timeout")
}
