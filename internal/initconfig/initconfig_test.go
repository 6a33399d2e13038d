package initconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/redact"
)

// sources classifies arguments as drift's runner does, without engines: URLs are live
// databases, .json files snapshots, anything else a migration folder.
type sources struct{}

func (sources) Source(spec string) (check.Source, error) {
	switch {
	case strings.HasPrefix(spec, "postgres://"):
		return check.Source{Kind: check.SourceLive, Engine: "postgres", DSN: spec}, nil
	case strings.HasPrefix(spec, "neo4j://"):
		return check.Source{Kind: check.SourceLive, Engine: "neo4j", DSN: spec}, nil
	case strings.HasSuffix(spec, ".json"):
		return check.Source{Kind: check.SourceSnapshot, Path: spec}, nil
	}
	return check.Source{Kind: check.SourceMigrations, Path: spec}, nil
}

func TestPlanAndRender(t *testing.T) {
	dir := t.TempDir()
	migs := filepath.Join(dir, "db", "migrations")
	require.NoError(t, os.MkdirAll(migs, 0o755))
	for _, f := range []string{"1_init.up.sql", "2_more.up.sql"} {
		require.NoError(t, os.WriteFile(filepath.Join(migs, f), []byte("SELECT 1;\n"), 0o644))
	}
	args := []string{
		"postgres://drift:S3cret-pw@db:5432/app", migs,
		"postgres://drift@other:5432/app", filepath.Join(dir, "app.json"),
		"neo4j://graph.example.com:7687",
	}
	ts, err := Plan(sources{}, args)
	require.NoError(t, err)
	require.Len(t, ts, 3)
	require.Equal(t, "app", ts[0].Name)
	require.Equal(t, "APP_DATABASE_URL", ts[0].EnvVar)
	require.Equal(t, migs, ts[0].Migrations)
	require.Equal(t, "app-2", ts[1].Name, "a second database of the same name is numbered")
	require.Equal(t, filepath.Join(dir, "app.json"), ts[1].Snapshot)
	require.Equal(t, "graph", ts[2].Name)
	require.Equal(t, "GRAPH_NEO4J_URI", ts[2].EnvVar)
	require.Contains(t, Passwords(args), "S3cret-pw")

	text, err := Render(ts, dir, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Contains(t, text, "written by `drift init` on 2026-03-04")
	require.Contains(t, text, "    dsn: ${APP_DATABASE_URL}   # postgres://drift:<secret>@db:5432/app\n")
	require.Contains(t, text, "    migrations: db/migrations   # 2 sql migrations, golang-migrate convention\n")
	require.Contains(t, text, "    snapshot: app.json\n")
	require.Contains(t, text, "    uri: ${GRAPH_NEO4J_URI}")
	require.NotContains(t, text, "S3cret-pw")

	_, err = Plan(sources{}, []string{migs})
	require.ErrorContains(t, err, "comes before any database")
	_, err = Plan(sources{}, []string{args[0], migs, migs})
	require.ErrorContains(t, err, "at most one migration folder or snapshot")
}

func TestTargetName(t *testing.T) {
	require.Equal(t, "orders", targetName("postgres", "host=db dbname=orders user=x"))
	require.Equal(t, "postgres", targetName("postgres", "postgres://%%"))
	require.Equal(t, "graph", targetName("neo4j", "bolt://graph.internal:7687"))
}

func TestNextSteps(t *testing.T) {
	var b strings.Builder
	ts := []Target{{Name: "app", EnvVar: "APP_DATABASE_URL", DSN: "postgres://drift:S3cret-pw@db/app"}}
	NextSteps(&b, "drift.yaml", ts, redact.New("S3cret-pw"))
	require.Equal(t, "wrote drift.yaml: 1 target (app)\nnext, set the connection strings (the file reads them from the environment):\n"+
		"  export APP_DATABASE_URL='postgres://drift:<secret>@db/app'\nthen: drift check --config drift.yaml\n", b.String())
}
