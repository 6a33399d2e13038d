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

func parseYAML(t *testing.T, yml string, vars map[string]string) (*Config, error) {
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
	abs, _ := filepath.Abs("../../configs/demo/migrations")
	require.Equal(t, abs, cfg.Resolve(app.Migrations))
	require.Equal(t, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), app.Ignore[0].Expires.Time)
	require.Equal(t, "0 */2 * * *", app.Schedule)
	require.Equal(t, Duration(5*time.Minute), app.Timeout)
	require.Equal(t, "/var/cache/drift", cfg.Resolve(cfg.Shadow.CacheDir))
	require.Equal(t, "neo4j://localhost:7687", cfg.Targets[1].DSN.Value(), "a neo4j uri is its DSN")
	snap, _ := filepath.Abs("../../configs/snapshots/app.json")
	require.Equal(t, snap, cfg.SnapshotPath(app))
	require.Equal(t, "production", cfg.Environment)
	require.Equal(t, "https://drift.example.com", cfg.Daemon.PublicURL)
	require.NoError(t, cfg.RequireEnv("store", "slack", "shadow", "daemon"), "everything the daemon uses is set")
	require.Empty(t, cfg.Shadow.PostgresDSN, "${DRIFT_SHADOW_DSN:-}: a local throwaway cluster")
}

func TestSecretsNeverPrint(t *testing.T) {
	cfg, err := parseYAML(t, "targets: [{name: a, dsn: 'postgres://u:hunter2@h/d'}]\nslack: {webhook_url: 'https://hooks.slack.com/services/T/B/SECRET'}\n", nil)
	require.NoError(t, err)
	for _, out := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", cfg.Targets[0])} {
		require.NotContains(t, out, "hunter2")
		require.NotContains(t, out, "SECRET")
	}
}

func TestEnvExpansionCannotInjectYAML(t *testing.T) {
	cfg, err := parseYAML(t, "targets: [{name: a, dsn: '${DSN}'}]\n", map[string]string{"DSN": "x\nengine: neo4j # ${Y}"})
	require.NoError(t, err)
	require.Equal(t, "postgres", cfg.Targets[0].Engine)
	require.Equal(t, "x\nengine: neo4j # ${Y}", cfg.Targets[0].DSN.Value())
}

func TestDefaultValue(t *testing.T) {
	cfg, err := parseYAML(t, "targets: [{name: a, dsn: '${DSN:-postgres://localhost/a}'}]\n", nil)
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

func TestReplaySettingsAndPartitions(t *testing.T) {
	cfg, err := parseYAML(t, "targets: [{name: a, dsn: x, partitions: all, replay_settings: {search_path: 'storage, public', lock_timeout: 5s}}]", nil)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"search_path": "storage, public", "lock_timeout": "5s"}, cfg.Targets[0].ReplaySettings)
	require.Equal(t, PartitionsAll, cfg.Targets[0].Partitions)

	cfg, err = parseYAML(t, "targets: [{name: a, dsn: x, replay_prelude: ['CREATE SCHEMA IF NOT EXISTS measure']}]", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"CREATE SCHEMA IF NOT EXISTS measure"}, cfg.Targets[0].ReplayPrelude)

	// Flyway placeholders; a value whose name says it is a secret is kept out of every output.
	cfg, err = parseYAML(t, "targets: [{name: a, dsn: x, placeholders: {schema: billing, app_password: Pl4ceh0lderS3cret}}]", nil)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"schema": "billing", "app_password": "Pl4ceh0lderS3cret"}, cfg.Targets[0].Placeholders)
	require.Contains(t, cfg.Secrets(), "Pl4ceh0lderS3cret")
	require.NotContains(t, cfg.Secrets(), "billing")
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name, yml string
		want      []string
	}{
		{"unknown key", "targets: [{name: a, dsn: x, colour: red}]", []string{"targets[0].colour: unknown setting; valid in targets[0]: column_order, dsn"}},
		{"unknown top key", "schedul: x\ntargets: [{name: a, dsn: x}]", []string{"schedul: unknown setting (did you mean schedule?)"}},
		{"empty", "", []string{"empty"}},
		{"no targets", "schedule: '0 * * * *'", []string{"no targets"}},
		{"unset env", "targets: [{name: a, dsn: '${APP_DSN}'}]", []string{"targets[0].dsn: environment variable APP_DSN is not set"}},
		{"dup name", "targets: [{name: a, dsn: x}, {name: a, dsn: y}]", []string{`targets[1].name: "a" is already the name of targets[0]`}},
		{"engine", "targets: [{name: a, dsn: x, engine: mysql}]", []string{`targets[0].engine: "mysql" is not supported`}},
		{"expected", "targets: [{name: a, dsn: x, expected: migrations}]", []string{"needs a `migrations` directory"}},
		{"ignore reason", "targets: [{name: a, dsn: x, ignore: [{kind: index, object: 'x*'}]}]", []string{"a reason is required"}},
		{"bad date", "targets: [{name: a, dsn: x, ignore: [{kind: index, object: 'x', reason: r, expires: soon}]}]", []string{`"soon" is not a date`}},
		{"bad severity", "severity: [{kind: index, severity: loud}]\ntargets: [{name: a, dsn: x}]", []string{`not "loud"`}},
		{"bad duration", "daemon: {timeout: forever}\ntargets: [{name: a, dsn: x}]", []string{`"forever" is not a duration`}},
		{"token without channel", "slack: {token: xoxb-1}\ntargets: [{name: a, dsn: x}]", []string{"needs a channel"}},
		{"partitions", "targets: [{name: a, dsn: x, partitions: some}]", []string{`partitions must be parents or all, not "some"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseYAML(t, c.yml, nil)
			require.Error(t, err)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	_, err := parseYAML(t, "targets: [{name: a}, {name: b, engine: x, dsn: y}]", nil)
	require.Error(t, err)
	require.Contains(t, err.Error(), `targets[0]: no connection string`)
	require.Contains(t, err.Error(), `targets[1].engine: "x" is not supported`)
}

// TestUnsetVariableInAUsedSettingIsAnError: Slack configured through a variable that is not set
// used to turn Slack off without a word. A command that uses a setting asks for its variables;
// ${VAR:-} says empty is intended.
func TestUnsetVariableInAUsedSettingIsAnError(t *testing.T) {
	const yml = "store: {dsn: '${DRIFT_STORE_DSN}'}\nslack: {webhook_url: '${SLACK_WEBHOOK_URL}'}\ntargets: [{name: a, dsn: x}]\n"
	cfg, err := parseYAML(t, yml, nil)
	require.NoError(t, err, "drift check uses neither the store nor Slack: loading works")
	err = cfg.RequireEnv("slack", "store")
	require.Error(t, err)
	require.Contains(t, err.Error(), "slack.webhook_url: environment variable SLACK_WEBHOOK_URL is not set")
	require.Contains(t, err.Error(), "store.dsn: environment variable DRIFT_STORE_DSN is not set")
	require.Contains(t, err.Error(), "${SLACK_WEBHOOK_URL:-}", "the error says how to mean empty")
	require.NoError(t, cfg.RequireEnv("daemon", "shadow"), "only the sections asked for")

	cfg, err = parseYAML(t, yml, map[string]string{"SLACK_WEBHOOK_URL": "", "DRIFT_STORE_DSN": "postgres://s/d"})
	require.NoError(t, err)
	require.ErrorContains(t, cfg.RequireEnv("slack"), "SLACK_WEBHOOK_URL is not set", "set but empty is not a webhook either")
	require.NoError(t, cfg.RequireEnv("store"))

	cfg, err = parseYAML(t, "slack: {webhook_url: '${SLACK_WEBHOOK_URL:-}', token: '${SLACK_BOT_TOKEN:-}'}\ntargets: [{name: a, dsn: x}]\n", nil)
	require.NoError(t, err)
	require.NoError(t, cfg.RequireEnv("slack"), "${VAR:-}: empty on purpose")
	require.Empty(t, cfg.Slack.WebhookURL)

	// Settings every command uses are checked at load, wherever they are.
	_, err = parseYAML(t, "targets: [{name: a, dsn: x, schemas: ['${APP_SCHEMA}']}]\n", nil)
	require.ErrorContains(t, err, "targets[0].schemas[0]: environment variable APP_SCHEMA is not set")
	_, err = parseYAML(t, "ignore: [{kind: index, object: '${PATTERN}', reason: r}]\ntargets: [{name: a, dsn: x}]\n", nil)
	require.ErrorContains(t, err, "ignore[0].object: environment variable PATTERN is not set")
}

func TestMalformedWebhookURLIsAConfigError(t *testing.T) {
	for _, bad := range []string{"hooks.slack.com/services/T/B/SECRETX", "ftp://hooks.example/SECRETX", "https:///SECRETX", "https://", "::SECRETX"} {
		_, err := parseYAML(t, "slack: {webhook_url: '"+bad+"'}\ntargets: [{name: a, dsn: x}]\n", nil)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "slack.webhook_url: not an http(s) URL with a host", bad)
		require.NotContains(t, err.Error(), "SECRETX", "the webhook URL is a secret, even a wrong one")
	}
	for _, good := range []string{"https://hooks.slack.com/services/T/B/X", "http://127.0.0.1:8080/services/T/B/X"} {
		_, err := parseYAML(t, "slack: {webhook_url: '"+good+"'}\ntargets: [{name: a, dsn: x}]\n", nil)
		require.NoError(t, err, good)
	}
	_, err := parseYAML(t, "slack: {token: xoxb-1, channel: '#c', api_url: 'slack.test/api/'}\ntargets: [{name: a, dsn: x}]\n", nil)
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
	cfg, err := parseYAML(t, "targets: [{name: a, dsn: x}]\n", nil)
	require.NoError(t, err)
	require.Equal(t, d.Daemon, cfg.Daemon, "an empty daemon section is the defaults")
	require.Equal(t, Duration(DefaultTimeout), cfg.Targets[0].Timeout, "a target's timeout defaults to daemon.timeout")
}

// TestStrictConfig: every problem of a file at once, each with its line and key as written, a
// likely typo answered with the nearest valid key, and never a Go type name.
func TestStrictConfig(t *testing.T) {
	const yml = `schedule: "0 */6 * * *"
daemon:
  concurency: 4
  timeout: -5m
  shutdown_timeout: 0s
  failure_threshold: 0
  http_address: "9187"
  public_url: drift.internal
store:
  dsn: x
  dsn: y
slack: [webhook_url]
log_format: xml
targets:
  - name: app
    engine: postgress
    dsn: postgres://u@h/app
    schedule: "every six hours"
    expected: snapshots
    timeout: soon
    schemas: public
    column_order: maybe
  - name: graph
    engine: neo4j
    uri: neo4j://g
    severity: [{kind: index, severity: loud, change: gone}]
`
	_, err := parseYAML(t, yml, nil)
	require.Error(t, err)
	var cerr *Error
	require.ErrorAs(t, err, &cerr)
	got := map[string]Problem{}
	for _, p := range cerr.Problems {
		got[p.Key] = p
		require.NotRegexp(t, `config\.|!!|unmarshal|reflect|int64|\[\]string`, p.Message, "no Go in a message: %s", p)
	}
	for key, want := range map[string]struct {
		line int
		text string
	}{
		"daemon.concurency":               {3, "did you mean concurrency?"},
		"daemon.timeout":                  {4, "must be more than zero"},
		"daemon.shutdown_timeout":         {5, "must be more than zero"},
		"daemon.failure_threshold":        {6, "must be at least 1"},
		"daemon.http_address":             {7, "not a listen address"},
		"daemon.public_url":               {8, "not an http(s) address"},
		"store.dsn":                       {11, "set twice (first on line 10)"},
		"slack":                           {12, "must be a mapping"},
		"log_format":                      {13, "use text or json"},
		"targets[0].engine":               {16, "did you mean postgres?"},
		"targets[0].schedule":             {18, "not a cron schedule"},
		"targets[0].expected":             {19, "did you mean snapshot?"},
		"targets[0].timeout":              {20, `"soon" is not a duration`},
		"targets[0].schemas":              {21, "must be a list"},
		"targets[0].column_order":         {22, `"maybe" is not true or false`},
		"targets[1].severity[0].severity": {26, `not "loud"`},
		"targets[1].severity[0].change":   {26, `not "gone"`},
	} {
		p, ok := got[key]
		require.True(t, ok, "a problem at %s in:\n%s", key, err)
		require.Equal(t, want.line, p.Line, key)
		require.Contains(t, p.Message, want.text, key)
	}
	require.Contains(t, err.Error(), "config /etc/drift/drift.yaml has ")
	require.Contains(t, err.Error(), "\n  /etc/drift/drift.yaml:16: targets[0].engine: \"postgress\" is not supported: use postgres or neo4j (did you mean postgres?)")
}

func TestNonsenseValues(t *testing.T) {
	for _, c := range []struct{ yml, want string }{
		{"daemon: {concurrency: -2}", "daemon.concurrency: -2: at least 1"},
		{"daemon: {concurrency: 0}", "daemon.concurrency: 0: at least 1"},
		{"daemon: {concurrency: lots}", `daemon.concurrency: "lots" is not a whole number`},
		{"daemon: {timeout: 0s}", "daemon.timeout: \"0s\": a duration must be more than zero"},
		{"schedule: '61 * * * *'", `schedule: "61 * * * *": not a cron schedule`},
		{"schedule: '@every 1h'", "replicas would disagree"},
		{"environment: \"a\\nb\"", "environment: a short label"},
		{"daemon: {public_url: 'https://drift.example.com/?x=1'}", "daemon.public_url"},
		{"targets2: []", "targets2: unknown setting (did you mean targets?)"},
	} {
		yml := c.yml + "\ntargets: [{name: a, dsn: x}]\n"
		if strings.HasPrefix(c.yml, "targets2") {
			yml = c.yml + "\ntargets: [{name: a, dsn: x}]\n"
		}
		_, err := parseYAML(t, yml, nil)
		require.ErrorContains(t, err, c.want, c.yml)
	}
	// A schedule is validated for every command, not only the daemon: drift check in CI
	// catches it.
	cfg, err := parseYAML(t, "environment: staging\nlog_format: JSON\ndaemon: {public_url: 'https://drift.example.com/', http_address: ':9187'}\nslack: {post_info: true, webhook_url: 'https://hooks.example/T/B/X'}\ntargets: [{name: a, dsn: x, timeout: 30s}]\n", nil)
	require.NoError(t, err)
	require.Equal(t, "staging", cfg.Environment)
	require.Equal(t, "json", cfg.LogFormat, "formats are case-insensitive")
	require.Equal(t, "https://drift.example.com", cfg.Daemon.PublicURL, "no trailing slash: links are built under it")
	require.True(t, cfg.Slack.PostInfo)
	require.Equal(t, Duration(30*time.Second), cfg.Targets[0].Timeout)
}

func TestSelectListsConfiguredTargets(t *testing.T) {
	cfg, err := parseYAML(t, "targets: [{name: app, dsn: x}, {name: billing, dsn: y}]\n", nil)
	require.NoError(t, err)
	ts, err := cfg.Select([]string{"billing"})
	require.NoError(t, err)
	require.Equal(t, "billing", ts[0].Name)
	_, err = cfg.Select([]string{"biling"})
	require.EqualError(t, err, `no target named "biling" in /etc/drift/drift.yaml (did you mean billing?); configured: app, billing`)
	all, err := cfg.Select(nil)
	require.NoError(t, err)
	require.Len(t, all, 2)
}

func TestFileLimits(t *testing.T) {
	_, err := Parse(strings.NewReader(strings.Repeat("#", MaxFileSize+1)), "big.yaml", env(nil))
	require.ErrorContains(t, err, "not a configuration file")
	_, err = parseYAML(t, "targets: [{name: a, dsn: x}\n", nil)
	require.ErrorContains(t, err, "not valid YAML")
	_, err = parseYAML(t, "- a\n- b\n", nil)
	require.ErrorContains(t, err, "must be a mapping of settings")
	// A billion laughs: aliases that expand exponentially are refused, not expanded.
	// A billion laughs through merge keys: a few lines that stand for 9^8 mappings are refused,
	// not expanded.
	var bomb strings.Builder
	bomb.WriteString("x-m0: &m0 {concurrency: 1}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&bomb, "x-m%d: &m%d {<<: [*m%d, *m%d, *m%d, *m%d, *m%d, *m%d, *m%d, *m%d, *m%d]}\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	bomb.WriteString("daemon: {<<: *m8}\ntargets: [{name: a, dsn: x}]\n")
	started := time.Now()
	_, err = parseYAML(t, bomb.String(), nil)
	require.ErrorContains(t, err, "aliases expand the file")
	require.Less(t, time.Since(started), 5*time.Second)
}

func TestSecretsListsEverySecret(t *testing.T) {
	cfg, err := parseYAML(t, `
store: {dsn: "postgres://s:store-pw@db/drift"}
shadow: {postgres_dsn: "postgres://s:shadow-pw@db/postgres", neo4j_uri: "neo4j://n:scratch-pw@graph"}
slack: {webhook_url: "https://hooks.slack.com/services/T0/B0/hook-secret"}
targets:
  - {name: app, engine: postgres, dsn: "postgres://a:app-pw@db/app"}
  - {name: graph, engine: neo4j, uri: "neo4j://g:graph-pw@graph"}
`, nil)
	require.NoError(t, err)
	all := strings.Join(cfg.Secrets(), " ")
	for _, want := range []string{"store-pw", "shadow-pw", "scratch-pw", "hook-secret", "app-pw", "graph-pw"} {
		require.Contains(t, all, want)
	}
}

func TestRequireEnvForAsksForTheShadowOnlyWhenReplaying(t *testing.T) {
	const yml = "shadow: {postgres_dsn: '${SHADOW_DSN}'}\ntargets:\n  - {name: a, dsn: x, migrations: db}\n  - {name: b, dsn: y, expected: snapshot}\n"
	cfg, err := parseYAML(t, yml, nil)
	require.NoError(t, err)
	require.ErrorContains(t, cfg.RequireEnvFor(cfg.Targets, ""), "shadow.postgres_dsn: environment variable SHADOW_DSN is not set")
	require.NoError(t, cfg.RequireEnvFor(cfg.Targets, "postgres://shadow/postgres"), "a shadow server was found elsewhere")
	b, _ := cfg.Target("b")
	require.NoError(t, cfg.RequireEnvFor([]Target{b}, ""), "a snapshot target replays nothing")
}

// TestLoadDefaultPath: no --config reads $DRIFT_CONFIG, else ./drift.yaml.
func TestLoadDefaultPath(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "named.yaml"), []byte("targets: [{name: named, dsn: x}]\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, DefaultFile), []byte("targets: [{name: local, dsn: x}]\n"), 0o600))
	t.Chdir(dir)
	t.Setenv("DRIFT_CONFIG", filepath.Join(dir, "named.yaml"))
	cfg, err := Load("")
	require.NoError(t, err)
	require.Equal(t, "named", cfg.Targets[0].Name)
	t.Setenv("DRIFT_CONFIG", "")
	cfg, err = Load("")
	require.NoError(t, err)
	require.Equal(t, "local", cfg.Targets[0].Name)
}
