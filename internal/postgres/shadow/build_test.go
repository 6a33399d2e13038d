package shadow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/postgres/catalog"
)

// replayDir is testdata/replay as the test server's major takes it: before PostgreSQL 14 a
// function has no SQL-standard body (BEGIN ATOMIC), so V8 defines add_one with a string body.
func replayDir(t *testing.T) string {
	t.Helper()
	if serverMajor(t) >= 14 {
		return "testdata/replay"
	}
	dir := t.TempDir()
	entries, err := os.ReadDir("testdata/replay")
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata/replay", e.Name()))
		require.NoError(t, err)
		if e.Name() == "V8__atomic_body.sql" {
			data = []byte("CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1';\n")
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
	}
	return dir
}

func TestBuildReplaysEveryKindOfStatement(t *testing.T) {
	set := loadSet(t, replayDir(t))
	var logs logBuffer
	opts := BuildOptions{ShadowDSN: pgtest.AdminDSN(t), LiveMajor: serverMajor(t), Logger: logs.logger()}

	first, warnings, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Empty(t, warnings)

	require.Equal(t, "migrations", first.Source.Kind)
	require.Equal(t, set.Checksum, first.Source.Checksum)
	require.Equal(t, "10", first.Source.Version, "the last versioned migration replayed")
	require.Equal(t, "", first.Target)

	for _, o := range []struct{ kind, key string }{
		{"table", "public.people"},
		{"table", "public.odd;name"},
		{"column", "public.odd;name.semi;col"},
		{"table", "public.audit_a"}, // created by the DO block
		{"table", "public.audit_b"},
		{"table", "public.notes"}, // inside the file's own BEGIN/COMMIT
		{"table", "app.in_app"},
		{"table", "public.in_public"}, // the session was reset after V9's SET search_path
		{"index", "public.people_name_idx"},
		{"view", "public.happy_people"},
		{"view", "public.people_count"}, // repeatable, run last
		{"trigger", "public.people.people_touch"},
		{"policy", "public.people.people_self"},
		{"type", "public.mood"},
		{"comment", "public.notes"},
	} {
		require.NotNil(t, find(first, o.kind, o.key), "missing %s %s", o.kind, o.key)
	}
	require.Equal(t, "sad, ok, happy", find(first, "type", "public.mood").Attrs.Value("labels"))
	require.Equal(t, "true", find(first, "table", "public.people").Attrs.Value("rls_enabled"))
	require.Equal(t, "true", find(first, "index", "public.people_name_idx").Attrs.Value("valid"))
	require.Contains(t, find(first, "column", "public.people.note").Attrs.Value("default"), "it''s; fine")
	var functions int
	for _, o := range first.Objects {
		if o.Kind == "function" {
			functions++
		}
	}
	require.Equal(t, 3, functions, "touch_updated_at, greeting, add_one")

	// The same set replayed again gives the same bytes.
	second, _, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	a, err := first.Marshal()
	require.NoError(t, err)
	b, err := second.Marshal()
	require.NoError(t, err)
	require.Equal(t, string(a), string(b))

	// Both shadow databases are gone.
	created := logs.created()
	require.Len(t, uniq(created), 2)
	left := shadowDatabases(t)
	for _, name := range created {
		require.False(t, left[name], "%s was left on the server", name)
	}
}

func uniq(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func TestBuildFailingMigrationNamesFileAndLineAndLeavesNothing(t *testing.T) {
	set := loadSet(t, "testdata/failing")
	require.Len(t, set.Migrations, 5)
	before := shadowDatabases(t)
	var logs logBuffer

	snap, _, err := Build(testCtx(t), BuildOptions{ShadowDSN: pgtest.AdminDSN(t), Logger: logs.logger()}, set, set.Migrations)
	require.Error(t, err)
	require.Nil(t, snap, "never a partial expected schema")
	var re *ReplayError
	require.True(t, errors.As(err, &re), "want a ReplayError, got %v", err)
	require.Equal(t, "V3__broken.sql", re.File)
	require.Equal(t, 7, re.Line, "the line of the server's error position")
	var pg *pgconn.PgError
	require.True(t, errors.As(err, &pg))
	require.Equal(t, "42601", pg.Code)
	require.Contains(t, err.Error(), "replaying migration V3__broken.sql, line 7: ERROR: syntax error at or near \"extra\"")

	created := logs.created()
	require.NotEmpty(t, created)
	after := shadowDatabases(t)
	for _, name := range created {
		require.False(t, after[name], "%s was left on the server", name)
	}
	for name := range after {
		require.True(t, before[name], "a new shadow database %s was left on the server", name)
	}
}

func TestBuildMetaCommandFailsBeforeTouchingTheServer(t *testing.T) {
	set, err := migrations.Load(fstest.MapFS{
		"V1__a.sql": {Data: []byte("CREATE TABLE a (id int);")},
		"V2__b.sql": {Data: []byte("-- include\n\\i other.sql\n")},
	})
	require.NoError(t, err)
	var logs logBuffer
	_, _, err = Build(testCtx(t), BuildOptions{ShadowDSN: pgtest.AdminDSN(t), Logger: logs.logger()}, set, set.Migrations)
	require.ErrorContains(t, err, `replaying migration V2__b.sql, line 2: psql meta-command \i is not supported`)
	require.Empty(t, logs.created())
}

func TestBuildCancelledStillDropsTheShadowDatabase(t *testing.T) {
	set, err := migrations.Load(fstest.MapFS{
		"V1__a.sql":    {Data: []byte("CREATE TABLE a (id int);")},
		"V2__slow.sql": {Data: []byte("SELECT pg_sleep(60);")},
	})
	require.NoError(t, err)
	var logs logBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _, err = Build(ctx, BuildOptions{ShadowDSN: pgtest.AdminDSN(t), Logger: logs.logger()}, set, set.Migrations)
	require.Error(t, err)
	created := logs.created()
	require.NotEmpty(t, created)
	left := shadowDatabases(t)
	for _, name := range created {
		require.False(t, left[name], "%s was left on the server", name)
	}
}

func TestBuildNeverRunsDownOrRollbackFiles(t *testing.T) {
	for _, tc := range []struct {
		dir    string
		tables []string
	}{
		{"testdata/golang-down", []string{"public.keep_me", "public.keep_me_too"}},
		{"testdata/rollback-folder", []string{"public.accounts"}},
	} {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			set := loadSet(t, tc.dir)
			require.NotEmpty(t, set.Down, "the down files are recognised")
			snap, _, err := Build(testCtx(t), BuildOptions{ShadowDSN: pgtest.AdminDSN(t)}, set, set.Migrations)
			require.NoError(t, err)
			require.NotNil(t, find(snap, "schema", "public"), "DROP SCHEMA public CASCADE in a down file must not run")
			for _, table := range tc.tables {
				require.NotNil(t, find(snap, "table", table))
			}
			// Asking to replay a down file is refused.
			_, _, err = Build(testCtx(t), BuildOptions{ShadowDSN: pgtest.AdminDSN(t)}, set, set.Down)
			require.ErrorContains(t, err, "is not in the set as loaded")
		})
	}
}

func TestBuildCache(t *testing.T) {
	set := loadSet(t, "testdata/golang-down")
	dir := t.TempDir()
	cache := NewCache(dir)
	opts := BuildOptions{ShadowDSN: pgtest.AdminDSN(t), Cache: cache}

	first, _, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Equal(t, CacheStats{Hits: 0, Misses: 1}, cache.Stats())

	second, _, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Equal(t, CacheStats{Hits: 1, Misses: 1}, cache.Stats(), "the second build is answered from the cache")
	a, _ := first.Marshal()
	b, _ := second.Marshal()
	require.Equal(t, string(a), string(b))

	// Each call gets its own copy.
	second.Target = "changed"
	third, _, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Equal(t, "", third.Target)

	// Another applied version is another entry.
	_, _, err = Build(testCtx(t), opts, set, set.Migrations[:1])
	require.NoError(t, err)
	require.Equal(t, CacheStats{Hits: 2, Misses: 2}, cache.Stats())

	// A new process (a new cache on the same directory) reads the disk copy.
	files, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, files, 2)
	fresh := NewCache(dir)
	opts.Cache = fresh
	fourth, _, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Equal(t, CacheStats{Hits: 1, Misses: 0}, fresh.Stats())
	c, _ := fourth.Marshal()
	require.Equal(t, string(a), string(c))

	// Other introspection options are another entry.
	opts.Introspection = catalog.Options{Schemas: []string{"public"}}
	_, _, err = Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Equal(t, CacheStats{Hits: 1, Misses: 1}, fresh.Stats())

	// A damaged disk entry is rebuilt, not trusted.
	for _, f := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f.Name()), []byte("{not json"), 0o644))
	}
	damaged := NewCache(dir)
	opts.Cache, opts.Introspection = damaged, catalog.Options{}
	_, _, err = Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Equal(t, CacheStats{Hits: 0, Misses: 1}, damaged.Stats())
}

func TestBuildCacheConcurrentBuildsReplayOnce(t *testing.T) {
	set := loadSet(t, "testdata/golang-down")
	cache := NewCache("")
	opts := BuildOptions{ShadowDSN: pgtest.AdminDSN(t), Cache: cache}
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			_, _, err := Build(testCtx(t), opts, set, set.Migrations)
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	require.Equal(t, CacheStats{Hits: n - 1, Misses: 1}, cache.Stats())
}

func TestBuildWarnsOnAnotherMajorVersion(t *testing.T) {
	set := loadSet(t, "testdata/golang-down")
	major := serverMajor(t)
	cache := NewCache("")
	opts := BuildOptions{ShadowDSN: pgtest.AdminDSN(t), LiveMajor: major + 1, Cache: cache}
	_, warnings, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Len(t, warnings, 1)
	require.Contains(t, warnings[0], "shadow server runs PostgreSQL "+strconv.Itoa(major))
	require.Contains(t, warnings[0], "live server runs PostgreSQL "+strconv.Itoa(major+1))

	// The warning is given on a cache hit too.
	_, warnings, err = Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Len(t, warnings, 1)
	require.Equal(t, 1, cache.Stats().Hits)
}

func TestBuildOnAnEmbeddedCluster(t *testing.T) {
	set := loadSet(t, replayDir(t))
	major := serverMajor(t)
	embedded, warnings, err := Build(testCtx(t), BuildOptions{LiveMajor: major}, set, set.Migrations)
	require.NoError(t, err)
	require.Empty(t, warnings)
	require.Equal(t, major, Major(embedded.ServerVersionNum))

	onServer, _, err := Build(testCtx(t), BuildOptions{ShadowDSN: pgtest.AdminDSN(t), LiveMajor: major}, set, set.Migrations)
	require.NoError(t, err)
	require.Empty(t, diff.Compare(onServer, embedded, diff.Options{}), "the embedded cluster builds the same schema")
}

func TestBuildRejectsWhatCannotBeReplayed(t *testing.T) {
	cypher, err := migrations.LoadDir("../../migrations/testdata/neo4j-flyway")
	require.NoError(t, err)
	_, _, err = Build(testCtx(t), BuildOptions{ShadowDSN: "unused"}, cypher, cypher.Migrations)
	require.ErrorContains(t, err, "only SQL migrations replay into PostgreSQL")

	set := loadSet(t, "testdata/failing")
	other := loadSet(t, "testdata/golang-down")
	_, _, err = Build(testCtx(t), BuildOptions{ShadowDSN: "unused"}, set, other.Migrations)
	require.ErrorContains(t, err, "000001_init.up.sql is not in the set as loaded")

	_, _, err = Build(testCtx(t), BuildOptions{ShadowDSN: "postgres://u:hunter2@[::1"}, set, set.Migrations)
	require.ErrorContains(t, err, "cannot be parsed")
	require.NotContains(t, err.Error(), "hunter2")

	// Nothing listens on port 1 of the loopback interface.
	_, _, err = Build(testCtx(t), BuildOptions{ShadowDSN: "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=5"}, set, set.Migrations)
	require.ErrorContains(t, err, "connecting to the shadow server")
	require.NotContains(t, err.Error(), "hunter2")
}

// A live database migrated to version N of an N+2 set has 2 pending migrations and no drift.
func TestBehindDatabaseIsPendingNotDrift(t *testing.T) {
	set := loadSet(t, replayDir(t))
	live := pgtest.NewDB(t)
	n := len(set.Migrations) - 3 // V1..V8 applied; V9, V10 and the repeatable one pending
	conn := connect(t, live)
	require.NoError(t, Replay(testCtx(t), conn, set.Migrations[:n], nil))
	pgtest.Exec(t, live, `CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50),
		description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int,
		installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL,
		success boolean NOT NULL)`)
	for i, m := range set.Migrations[:n] {
		_, err := conn.Exec(testCtx(t), "INSERT INTO flyway_schema_history VALUES ($1, $2, $3, 'SQL', $4, $5, 'drift', now(), 1, true)",
			i+1, m.Version, m.Description, m.File, migrations.FlywayChecksum(m.Content))
		require.NoError(t, err)
	}

	applied, err := migrations.ReadApplied(testCtx(t), conn, migrations.TrackingOptions{})
	require.NoError(t, err)
	toReplay, pending, findings := migrations.Plan(set, applied)
	require.Empty(t, findings)
	require.Len(t, toReplay, n)
	require.Equal(t, []string{"V9__session_settings.sql", "V10__after_nine.sql", "R__reporting.sql"}, []string{pending[0].File, pending[1].File, pending[2].File})

	expected, _, err := Build(testCtx(t), BuildOptions{ShadowDSN: pgtest.AdminDSN(t)}, set, toReplay)
	require.NoError(t, err)
	require.Equal(t, "8", expected.Source.Version)
	actual, err := catalog.IntrospectDSN(testCtx(t), live, catalog.Options{})
	require.NoError(t, err)
	require.Empty(t, diff.Compare(expected, actual, diff.Options{Target: "app"}))

	// The whole set, by contrast, differs from the live database.
	whole, _, err := Build(testCtx(t), BuildOptions{ShadowDSN: pgtest.AdminDSN(t)}, set, set.Migrations)
	require.NoError(t, err)
	require.NotEmpty(t, diff.Compare(whole, actual, diff.Options{Target: "app"}))
}
