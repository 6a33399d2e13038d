package shadow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/postgres/catalog"
)

func randomSuffix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// newRole creates a role on the test server, named prefix_<random> because roles belong to the
// whole server, and drops it when the test ends (register it before the databases using it).
func newRole(t testing.TB, prefix, options string) string {
	t.Helper()
	name := prefix + "_" + randomSuffix(t)
	pgtest.Exec(t, pgtest.AdminDSN(t), "CREATE ROLE "+name+" "+options)
	t.Cleanup(func() { pgtest.Exec(t, pgtest.AdminDSN(t), "DROP ROLE IF EXISTS "+name) })
	return name
}

// databaseOwnedBy creates a database owned by owner, dropped when the test ends.
func databaseOwnedBy(t testing.TB, owner string) string {
	t.Helper()
	name := "drift_test_" + randomSuffix(t)
	pgtest.Exec(t, pgtest.AdminDSN(t), "CREATE DATABASE "+name+" OWNER "+owner+" TEMPLATE template0")
	t.Cleanup(func() { pgtest.Exec(t, pgtest.AdminDSN(t), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return pgtest.WithDatabase(pgtest.AdminDSN(t), name)
}

func mapSet(t testing.TB, files map[string]string) *migrations.Set {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, sql := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(sql)}
	}
	set, err := migrations.Load(fsys)
	require.NoError(t, err)
	return set
}

func TestRolesCreatedBy(t *testing.T) {
	files, err := splitAll(mapSet(t, map[string]string{
		"V1__roles.sql": `CREATE ROLE plain NOLOGIN;
create user "Mixed ""Case""";
CREATE GROUP Folded;
CREATE USER MAPPING FOR CURRENT_USER SERVER s;
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'in_do') THEN CREATE ROLE in_do; END IF; END $$;
CREATE TABLE role (id int);`,
	}).Migrations)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"plain": true, `Mixed "Case"`: true, "folded": true, "in_do": true}, rolesCreatedBy(files))
}

func TestReadLiveRoles(t *testing.T) {
	group := newRole(t, "owners", "NOLOGIN")
	app := newRole(t, "app", "NOLOGIN CREATEROLE IN ROLE "+group)
	pgtest.Exec(t, pgtest.AdminDSN(t), "GRANT "+group+" TO "+app+" WITH ADMIN OPTION")
	live := databaseOwnedBy(t, app)

	owner, roles, err := ReadLiveRoles(testCtx(t), connect(t, live))
	require.NoError(t, err)
	require.Equal(t, app, owner)
	byName := map[string]Role{}
	for _, r := range roles {
		require.False(t, strings.HasPrefix(r.Name, "pg_"), "predefined roles are left out: %s", r.Name)
		byName[r.Name] = r
	}
	require.Equal(t, Role{Name: app, CreateRole: true, MemberOf: []Membership{{Role: group, Admin: true}}}, byName[app])
	require.True(t, byName["postgres"].Superuser)
}

// (a) The throwaway cluster is given the roles the live cluster has, so that migrations
// granting to them replay.
func TestEmbeddedClusterHasTheLiveRoles(t *testing.T) {
	set := mapSet(t, map[string]string{
		"V1__t.sql": `CREATE TABLE t (id int PRIMARY KEY);
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON t TO app_reader;
CREATE POLICY readers ON t FOR SELECT TO app_reader USING (true);`,
		// Created by the migrations, so on live too: it must not be created in advance.
		"V2__own_role.sql": `CREATE ROLE made_here NOLOGIN;
GRANT SELECT ON t TO made_here;`,
		// Needs app_admin's membership in app_reader.
		"V3__as_reader.sql": `SET ROLE app_admin;
SET ROLE app_reader;`,
	})
	roles := []Role{{Name: "app_reader"}, {Name: "made_here"}, {Name: "app_admin", MemberOf: []Membership{{Role: "app_reader"}}}}
	opts := BuildOptions{LiveMajor: serverMajor(t), Roles: roles}

	snap, warnings, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Empty(t, warnings)
	require.NotNil(t, find(snap, "privilege", "public.t:app_reader:SELECT"))
	require.NotNil(t, find(snap, "privilege", "public.t:made_here:SELECT"))
	require.Equal(t, "app_reader", find(snap, "policy", "public.t.readers").Attrs.Value("roles"))

	// Without the live roles the same set cannot replay, and the error says why.
	opts.Roles = nil
	_, _, err = Build(testCtx(t), opts, set, set.Migrations)
	var re *ReplayError
	require.True(t, errors.As(err, &re), "want a ReplayError, got %v", err)
	require.Equal(t, "V1__t.sql", re.File)
	require.ErrorContains(t, err, `role "app_reader" does not exist`)
	require.ErrorContains(t, err, "role app_reader is not known: without a live database to read roles from")
}

// (b) A live database owned by the role that ran its migrations matches a shadow replayed as
// that role: a GRANT to the owner and a policy TO CURRENT_USER are no drift.
func TestReplayedAsTheLiveOwnerHasNoDrift(t *testing.T) {
	group := newRole(t, "owners", "NOLOGIN")
	reader := newRole(t, "reader", "NOLOGIN")
	app := newRole(t, "app", "NOLOGIN IN ROLE "+group)
	live := databaseOwnedBy(t, app)
	sub := strings.NewReplacer("APP", app, "READER", reader, "GROUP", group)
	files := map[string]string{
		"V1__t.sql": sub.Replace(`CREATE TABLE t (id int PRIMARY KEY, owner_name text);
GRANT SELECT ON t TO APP;
GRANT SELECT, INSERT ON t TO READER;
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON t TO CURRENT_USER USING (owner_name = current_user);
CREATE POLICY readers ON t FOR SELECT TO READER USING (true);
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION f() TO READER;`),
		"V2__reporting.sql": sub.Replace(`CREATE SCHEMA reporting;
GRANT USAGE ON SCHEMA reporting TO READER;
GRANT CREATE ON SCHEMA reporting TO GROUP;
ALTER DEFAULT PRIVILEGES IN SCHEMA reporting GRANT SELECT ON TABLES TO READER;
CREATE TABLE reporting.daily (day date PRIMARY KEY);
CREATE TABLE reporting.owned_by_group (id int);
ALTER TABLE reporting.owned_by_group OWNER TO GROUP;
GRANT SELECT ON reporting.daily TO APP;`),
	}
	set := mapSet(t, files)
	// Apply the migrations to live as the application role does.
	for _, m := range set.Migrations {
		pgtest.Exec(t, live, "SET ROLE "+app+";\n"+string(m.Content))
	}
	owner, roles, err := ReadLiveRoles(testCtx(t), connect(t, live))
	require.NoError(t, err)
	require.Equal(t, app, owner)
	actual, err := catalog.IntrospectDSN(testCtx(t), live, catalog.Options{})
	require.NoError(t, err)
	require.NotNil(t, find(actual, "privilege", "public.t:<owner>:SELECT"), "a grant to the owner is the owner's own")

	major := serverMajor(t)
	for _, tc := range []struct {
		name string
		opts BuildOptions
	}{
		{"embedded cluster", BuildOptions{LiveMajor: major}},
		{"shadow server", BuildOptions{LiveMajor: major, ShadowDSN: pgtest.AdminDSN(t)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Owner, opts.Roles = owner, roles
			expected, warnings, err := Build(testCtx(t), opts, set, set.Migrations)
			require.NoError(t, err)
			require.Empty(t, warnings)
			require.Empty(t, diff.Compare(expected, actual, diff.Options{Target: "app"}))
		})
	}

	// Replayed as the shadow server's superuser instead, the same set drifts: this is what the
	// owner fixes.
	expected, _, err := Build(testCtx(t), BuildOptions{LiveMajor: major, ShadowDSN: pgtest.AdminDSN(t)}, set, set.Migrations)
	require.NoError(t, err)
	var objects []string
	for _, f := range diff.Compare(expected, actual, diff.Options{Target: "app"}) {
		objects = append(objects, f.Kind+" "+f.Object)
	}
	require.Contains(t, objects, "privilege public.t:"+app+":SELECT")
	require.Contains(t, objects, "policy public.t.mine")
}

// (c) A configured shadow server is shared: drift does not create roles on it, and says which
// one is missing.
func TestConfiguredShadowMissingRoleNamesIt(t *testing.T) {
	ghost := "ghost_" + randomSuffix(t)
	set := mapSet(t, map[string]string{
		"V1__t.sql": "CREATE TABLE t (id int);\nGRANT SELECT ON t TO " + ghost + ";",
	})
	before := shadowDatabases(t)
	_, _, err := Build(testCtx(t), BuildOptions{ShadowDSN: pgtest.AdminDSN(t), Roles: []Role{{Name: ghost}}}, set, set.Migrations)
	var re *ReplayError
	require.True(t, errors.As(err, &re), "want a ReplayError, got %v", err)
	require.Equal(t, 2, re.Line)
	require.ErrorContains(t, err, `role "`+ghost+`" does not exist`)
	require.ErrorContains(t, err, "the shadow server has no role "+ghost+", which the live cluster has: the shadow server must have the application's roles")

	var n int
	require.NoError(t, connect(t, pgtest.AdminDSN(t)).QueryRow(testCtx(t), "SELECT count(*) FROM pg_roles WHERE rolname = $1", ghost).Scan(&n))
	require.Zero(t, n, "no role was created on the shared server")
	require.Equal(t, before, shadowDatabases(t))
}

func TestConfiguredShadowWithoutTheOwnerWarns(t *testing.T) {
	set := loadSet(t, "testdata/golang-down")
	ghost := "ghost_" + randomSuffix(t)
	opts := BuildOptions{ShadowDSN: pgtest.AdminDSN(t), LiveMajor: serverMajor(t), Owner: ghost, Roles: []Role{{Name: ghost}}}
	_, warnings, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Len(t, warnings, 1)
	require.Contains(t, warnings[0], "the migrations were replayed as postgres, not as "+ghost)
	require.Contains(t, warnings[0], "the shadow server has no role "+ghost)

	// A superuser owner is simply replaced by the shadow server's role.
	opts.Roles = []Role{{Name: ghost, Superuser: true}}
	_, warnings, err = Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)
	require.Empty(t, warnings)
}

func TestReplayAsOwnerSurvivesSessionResets(t *testing.T) {
	app := newRole(t, "app", "NOLOGIN")
	set := mapSet(t, map[string]string{
		"V1__a.sql": "RESET ROLE;\nCREATE TABLE a (id int);",
		"V2__b.sql": "CREATE TABLE b (id int);",
	})
	conn := connect(t, pgtest.AdminDSN(t))
	name, err := createDatabase(testCtx(t), conn, app)
	require.NoError(t, err)
	t.Cleanup(func() { _ = DropDatabase(context.Background(), conn, name) })
	files, err := splitAll(set.Migrations)
	require.NoError(t, err)
	db := connect(t, pgtest.WithDatabase(pgtest.AdminDSN(t), name))
	require.NoError(t, replayFiles(testCtx(t), db, files, slog.New(slog.DiscardHandler), sessionSetup{switchRole: "SET SESSION AUTHORIZATION " + pgx.Identifier{app}.Sanitize()}))
	rows, err := db.Query(testCtx(t), "SELECT relname || ':' || pg_get_userbyid(relowner) FROM pg_class WHERE relname IN ('a', 'b') ORDER BY 1")
	require.NoError(t, err)
	owners, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"a:" + app, "b:" + app}, owners)
}

func TestBuildCacheAnswersWithoutTheShadowServer(t *testing.T) {
	set := loadSet(t, "testdata/golang-down")
	cache := NewCache(t.TempDir())
	opts := BuildOptions{ShadowDSN: pgtest.AdminDSN(t), LiveMajor: serverMajor(t), Cache: cache, Owner: "postgres"}
	first, _, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err)

	// Nothing listens on port 1 of the loopback interface.
	opts.ShadowDSN = "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=5"
	second, _, err := Build(testCtx(t), opts, set, set.Migrations)
	require.NoError(t, err, "a cached expected schema needs no shadow server")
	require.Equal(t, CacheStats{Hits: 1, Misses: 1}, cache.Stats())
	a, _ := first.Marshal()
	b, _ := second.Marshal()
	require.Equal(t, string(a), string(b))

	// Another owner is another entry, which needs the server.
	opts.Owner = "someone_else"
	_, _, err = Build(testCtx(t), opts, set, set.Migrations)
	require.ErrorContains(t, err, "connecting to the shadow server")
	// Without the live major version the key needs the server's.
	opts.Owner, opts.LiveMajor = "postgres", 0
	_, _, err = Build(testCtx(t), opts, set, set.Migrations)
	require.ErrorContains(t, err, "connecting to the shadow server")
}

func TestCreateDatabaseCancelledAfterCreateLeavesNothing(t *testing.T) {
	set := loadSet(t, "testdata/golang-down")
	var logs logBuffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	afterCreateHook = func(*pgx.Conn) { cancel() }
	t.Cleanup(func() { afterCreateHook = nil })

	_, _, err := Build(ctx, BuildOptions{ShadowDSN: pgtest.AdminDSN(t), Logger: logs.logger()}, set, set.Migrations)
	require.ErrorIs(t, err, context.Canceled)
	created := logs.created()
	require.NotEmpty(t, created, "the database was created and marked despite the cancellation")
	left := shadowDatabases(t)
	for _, name := range created {
		require.False(t, left[name], "%s was left on the server", name)
	}
}

func TestCreateDatabaseConnectionLostBeforeMarkLeavesNothing(t *testing.T) {
	admin := connect(t, pgtest.AdminDSN(t))
	killer := connect(t, pgtest.AdminDSN(t))
	before := shadowDatabases(t)
	afterCreateHook = func(c *pgx.Conn) {
		_, err := killer.Exec(context.Background(), "SELECT pg_terminate_backend($1)", c.PgConn().PID())
		require.NoError(t, err)
	}
	t.Cleanup(func() { afterCreateHook = nil })

	_, err := CreateDatabase(testCtx(t), admin)
	require.ErrorContains(t, err, "marking shadow database")
	require.True(t, admin.IsClosed())
	require.Equal(t, before, shadowDatabases(t), "the unmarked database was dropped on a fresh connection")
}
