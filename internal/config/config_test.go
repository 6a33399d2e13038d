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

func TestReplaySettingsAndPartitions(t *testing.T) {
	cfg, err := parse(t, "targets: [{name: a, dsn: x, partitions: all, replay_settings: {search_path: 'storage, public', lock_timeout: 5s}}]", nil)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"search_path": "storage, public", "lock_timeout": "5s"}, cfg.Targets[0].ReplaySettings)
	require.Equal(t, PartitionsAll, cfg.Targets[0].Partitions)
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
		{"unset env", "targets: [{name: a, dsn: '${APP_DSN}'}]", []string{`target "a": no connection string`, "APP_DSN"}},
		{"dup name", "targets: [{name: a, dsn: x}, {name: a, dsn: y}]", []string{`target "a": the name is used twice`}},
		{"engine", "targets: [{name: a, dsn: x, engine: mysql}]", []string{`engine "mysql" is not supported`}},
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
