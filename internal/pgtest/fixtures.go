package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The fixtures below are shared by the tests of the PostgreSQL engine and its packages.

// RichSchema touches every object kind drift models. {{role}} is replaced by a role name
// (WithRole).
const RichSchema = `
CREATE EXTENSION citext;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.email AS citext NOT NULL DEFAULT 'x@example.com' CONSTRAINT email_has_at CHECK (VALUE ~ '@');
CREATE DOMAIN app.short_text AS text COLLATE "C";
CREATE TYPE app.address AS (street text, zip varchar(10) COLLATE "C");
CREATE TYPE app.floatrange AS RANGE (subtype = float8);
CREATE SEQUENCE app.invoice_no INCREMENT 5 START 100 CACHE 3 CYCLE;
CREATE TABLE app.accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email app.email UNIQUE,
  name text COLLATE "C" NOT NULL DEFAULT 'anon',
  mood app.mood,
  home app.address,
  score numeric(10,2) CHECK (score >= 0),
  score2 numeric GENERATED ALWAYS AS (score * 2) STORED,
  created timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 90, autovacuum_enabled = false);
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE app.accounts REPLICA IDENTITY FULL;
CREATE TABLE app.orders (
  id serial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES app.accounts (id) ON DELETE CASCADE,
  total numeric,
  during tstzrange,
  EXCLUDE USING gist (during WITH &&)
);
CREATE INDEX orders_account_idx ON app.orders (account_id) WHERE total > 0;
CREATE UNLOGGED TABLE app.scratch (k text PRIMARY KEY, v jsonb);
CREATE TABLE app.events (id bigint NOT NULL, at date NOT NULL, payload text) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX events_at_idx ON app.events (at);
CREATE TABLE app.base (id int, note text);
CREATE TABLE app.child (extra int) INHERITS (app.base);
CREATE VIEW app.rich_accounts WITH (security_barrier) AS SELECT id, name FROM app.accounts WHERE score > 100;
CREATE MATERIALIZED VIEW app.order_totals AS SELECT account_id, sum(total) AS total FROM app.orders GROUP BY account_id;
CREATE UNIQUE INDEX order_totals_account ON app.order_totals (account_id);
CREATE FUNCTION app.touch(p_id bigint) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT p_id + 1 $$;
CREATE FUNCTION app.secret() RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$ BEGIN RETURN 'x'; END $$;
CREATE FUNCTION app.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created := now(); RETURN NEW; END $$;
CREATE PROCEDURE app.cleanup(days int) LANGUAGE sql AS $$ DELETE FROM app.orders WHERE id < days $$;
CREATE TRIGGER accounts_stamp BEFORE UPDATE ON app.accounts FOR EACH ROW EXECUTE FUNCTION app.stamp();
CREATE TRIGGER accounts_stamp_off BEFORE INSERT ON app.accounts FOR EACH ROW EXECUTE FUNCTION app.stamp();
ALTER TABLE app.accounts DISABLE TRIGGER accounts_stamp_off;
CREATE POLICY own_rows ON app.accounts FOR SELECT TO {{role}} USING (name = current_user);
CREATE POLICY insert_rows ON app.accounts AS RESTRICTIVE FOR INSERT WITH CHECK (score > 0);
GRANT USAGE ON SCHEMA app TO {{role}};
GRANT SELECT, INSERT ON app.accounts TO {{role}} WITH GRANT OPTION;
GRANT UPDATE (name, mood) ON app.accounts TO {{role}};
GRANT SELECT ON app.rich_accounts TO PUBLIC;
GRANT USAGE ON SEQUENCE app.invoice_no TO {{role}};
REVOKE EXECUTE ON FUNCTION app.secret() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.secret() TO {{role}};
REVOKE USAGE ON TYPE app.mood FROM PUBLIC;
COMMENT ON SCHEMA app IS 'the application';
COMMENT ON TABLE app.accounts IS 'one row per account';
COMMENT ON COLUMN app.accounts.email IS 'login';
COMMENT ON INDEX app.orders_account_idx IS 'hot path';
COMMENT ON CONSTRAINT email_has_at ON DOMAIN app.email IS 'sanity';
COMMENT ON FUNCTION app.touch(bigint) IS 'adds one';
COMMENT ON TRIGGER accounts_stamp ON app.accounts IS 'keeps created fresh';
COMMENT ON TYPE app.mood IS 'feelings';
COMMENT ON POLICY own_rows ON app.accounts IS 'self only';
COMMENT ON VIEW app.rich_accounts IS 'rich';
INSERT INTO app.accounts (email, name, score) VALUES ('a@b.c', 'a', 1), ('b@b.c', 'b', 200);
INSERT INTO app.orders (account_id, total) VALUES (1, 10), (2, 20);
REFRESH MATERIALIZED VIEW app.order_totals;
`

// WithRole replaces {{role}} in sql.
func WithRole(sql, role string) string { return strings.ReplaceAll(sql, "{{role}}", role) }

// NewRole creates a cluster-wide role with a random name, dropped when the test ends. Call it
// before NewDB so the databases (which hold grants to it) are dropped first.
func NewRole(t *testing.T, extra string) string {
	t.Helper()
	admin := AdminDSN(t)
	name := "drift_role_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_")
	if len(name) > 40 {
		name = name[:40]
	}
	name = fmt.Sprintf("%s_%s", name, randomHex(3))
	Exec(t, admin, "CREATE ROLE "+pgx.Identifier{name}.Sanitize()+" "+extra)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("dropping role %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
			t.Errorf("dropping role %s: %v", name, err)
		}
	})
	return name
}

// WithUser points dsn at another role.
func WithUser(dsn, user string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			u.User = url.User(user)
			return u.String()
		}
	}
	return dsn + " user=" + user
}

// Build creates a fresh database with sql applied and returns its DSN.
func Build(t *testing.T, sql string) string {
	t.Helper()
	dsn := NewDB(t)
	if strings.TrimSpace(sql) != "" {
		Exec(t, dsn, sql)
	}
	return dsn
}

// CurrentDatabase returns the name of the database dsn points at.
func CurrentDatabase(t *testing.T, dsn string) string {
	t.Helper()
	return QueryValue[string](t, dsn, "SELECT current_database()")
}

// QueryValue runs a query returning one value on dsn and fails the test on error.
func QueryValue[T any](t testing.TB, dsn, sql string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(ctx)
	var v T
	if err := conn.QueryRow(ctx, sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// ClientBin finds a client program (pg_dump, psql) that works with the test server: beside
// the server binaries when they have it, else the newest of /usr/lib/postgresql/N/bin, else
// PATH. pg_dump must be at least as new as the server; the downloaded server binaries ship no
// client programs, so a test that needs one it cannot have skips, saying why.
func ClientBin(t testing.TB, name string) string {
	t.Helper()
	server := ServerMajor(t)
	var dirs []string
	if c := Cluster(); c != nil {
		dirs = append(dirs, c.BinDir())
	}
	installed, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(installed, func(i, j int) bool { return dirMajor(installed[i]) > dirMajor(installed[j]) })
	dirs = append(dirs, installed...)
	if p, err := exec.LookPath(name); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	var seen []string
	for _, dir := range dirs {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		v := clientMajor(p)
		seen = append(seen, fmt.Sprintf("%s (%d)", p, v))
		if name != "pg_dump" || v >= server {
			return p
		}
	}
	t.Skipf("this test needs %s of PostgreSQL %d or newer (the server's major); the downloaded server binaries ship none, "+
		"and this machine has %v: install postgresql-client-%d, or run the test with %s=%d or older",
		name, server, seen, server, EnvMajor, newestMajor(seen, server))
	return ""
}

// ServerMajor is the test server's major version.
func ServerMajor(t testing.TB) int {
	t.Helper()
	if c := Cluster(); c != nil {
		return c.Major()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, AdminDSN(t))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(ctx)
	var num int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num); err != nil {
		t.Fatalf("reading the server version: %v", err)
	}
	return num / 10000
}

func dirMajor(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// clientMajor asks a client program its version: "pg_dump (PostgreSQL) 15.14 (Debian ...)".
func clientMajor(path string) int {
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(out))
	for i, f := range fields {
		if f == "(PostgreSQL)" && i+1 < len(fields) {
			m, _, _ := strings.Cut(fields[i+1], ".")
			v, _ := strconv.Atoi(m)
			return v
		}
	}
	return 0
}

// newestMajor is the newest major among the programs seen ("path (15)"), for the skip message.
func newestMajor(seen []string, fallback int) int {
	best := 0
	for _, s := range seen {
		var v int
		if i := strings.LastIndex(s, "("); i >= 0 {
			v, _ = strconv.Atoi(strings.TrimSuffix(s[i+1:], ")"))
		}
		best = max(best, v)
	}
	if best == 0 {
		return fallback
	}
	return best
}

// EnvRequireShared, when set (CI sets it), makes a missing ../shared directory a failure; on a
// developer's machine a test that needs it says so and skips.
const EnvRequireShared = "DRIFT_TEST_REQUIRE_SHARED"

// SharedDir returns the path of a directory under ../shared (beside the checkout), given
// relative to the repository root, from a test in the package directory pkgDepth levels below
// the root. A missing directory fails the test in CI and skips it elsewhere, saying why.
func SharedDir(t testing.TB, pkgDepth int, rel string) string {
	t.Helper()
	dir := filepath.Join(strings.Repeat("../", pkgDepth)+"../shared", rel)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		msg := fmt.Sprintf("this test needs %s (../shared beside the checkout): %v", rel, err)
		if os.Getenv(EnvRequireShared) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}
