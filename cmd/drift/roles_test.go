package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

// A database migrated by an application role, with grants to roles only the live cluster has,
// is clean against the embedded throwaway cluster: drift gives it the live roles and replays
// as the database owner.
func TestCheckFromMigrationsAppliedByAnApplicationRole(t *testing.T) {
	t.Setenv("DRIFT_SHADOW_DSN", "") // the embedded cluster
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	suffix := hex.EncodeToString(b)
	admin := pgtest.AdminDSN(t)
	app, reader, db := "app_"+suffix, "reader_"+suffix, "drift_test_"+suffix
	pgtest.Exec(t, admin, "CREATE ROLE "+reader+" NOLOGIN; CREATE ROLE "+app+" NOLOGIN")
	t.Cleanup(func() { pgtest.Exec(t, admin, "DROP ROLE IF EXISTS "+app+"; DROP ROLE IF EXISTS "+reader) })
	pgtest.Exec(t, admin, "CREATE DATABASE "+db+" OWNER "+app+" TEMPLATE template0")
	t.Cleanup(func() { pgtest.Exec(t, admin, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
	live := pgtest.WithDatabase(admin, db)

	sql := strings.NewReplacer("APP", app, "READER", reader).Replace(`CREATE TABLE accounts (id bigint PRIMARY KEY, owner_name text);
GRANT SELECT ON accounts TO APP;
GRANT SELECT ON accounts TO READER;
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON accounts TO CURRENT_USER USING (owner_name = current_user);
CREATE POLICY readers ON accounts FOR SELECT TO READER USING (true);`)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000001_accounts.up.sql"), []byte(sql), 0o644))
	pgtest.Exec(t, live, "SET ROLE "+app+";\n"+sql+`;
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations VALUES (1, false);`)

	code, out, stderr := drift(t, "check", "--config", migrationsConfig(t, live, dir), "--format", "json")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	require.Contains(t, out, `"status": "clean"`)
}
