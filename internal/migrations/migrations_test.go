package migrations

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// files lists the File of each migration.
func files(ms []Migration) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.File)
	}
	return out
}

func TestLoadConventions(t *testing.T) {
	cases := []struct {
		dir        string
		convention Convention
		language   string
		files      []string
		versions   []string
		down       []string
	}{
		{
			dir: "flyway", convention: Flyway, language: LanguageSQL,
			files:    []string{"V1__init.sql", "V1.1__fix.sql", "V1.2__more.sql", "V1.10__later_fix.sql", "V2__orders.sql", "V10__later.sql", "R__a_functions.sql", "R__views.sql"},
			versions: []string{"1", "1.1", "1.2", "1.10", "2", "10", "", ""},
			down:     []string{"U2__orders.sql"},
		},
		{
			dir: "golang-migrate", convention: GolangMigrate, language: LanguageSQL,
			files:    []string{"000001_init.up.sql", "000002_add_email.up.sql", "000010_orders.up.sql"},
			versions: []string{"000001", "000002", "000010"},
			down:     []string{"000001_init.down.sql", "000002_add_email.down.sql", "000010_orders.down.sql"},
		},
		{
			dir: "up-down", convention: UpDown, language: LanguageSQL,
			files:    []string{"V001-add-session-tags-up.sql", "V002-add-tag-index-up.sql", "V010-add-notes-up.sql"},
			versions: []string{"001", "002", "010"},
			down:     []string{"V001-add-session-tags-down.sql", "V002-add-tag-index-down.sql"},
		},
		{
			dir: "numbered", convention: Numbered, language: LanguageSQL,
			files:    []string{"001_initial_schema.sql", "002_add_balance.sql", "010_add_owner.sql"},
			versions: []string{"001", "002", "010"},
			down:     []string{"rollback/001_initial_schema.sql", "rollback/002_add_balance.sql"},
		},
		{
			dir: "timestamped", convention: Timestamped, language: LanguageSQL,
			files:    []string{"20251120_143000_schema_add_email_verification.sql", "20251121_090000_add_expiry.sql", "20251121_100500_data_backfill.sql"},
			versions: []string{"20251120_143000", "20251121_090000", "20251121_100500"},
		},
		{
			dir: "neo4j-dated", convention: Dated, language: LanguageCypher,
			files:    []string{"2025-01-15-001-add-rating-index.cypher", "2025-01-15-002-add-user-constraint.cypher", "2025-02-01-001-add-movie-index.cypher"},
			versions: []string{"2025-01-15-001", "2025-01-15-002", "2025-02-01-001"},
		},
		{
			dir: "neo4j-flyway", convention: Flyway, language: LanguageCypher,
			files:    []string{"V001__name.cypher", "V002__born.cypher"},
			versions: []string{"001", "002"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			set, err := LoadDir(filepath.Join("testdata", tc.dir))
			require.NoError(t, err)
			require.Equal(t, tc.convention, set.Convention)
			require.Equal(t, tc.language, set.Language)
			require.Equal(t, tc.files, files(set.Migrations))
			var versions []string
			for _, m := range set.Migrations {
				versions = append(versions, m.Version)
				require.NotEqual(t, Down, m.Kind, "%s must not be replayable", m.File)
				require.Len(t, m.Checksum, 64)
				require.NotEmpty(t, m.Content)
			}
			require.Equal(t, tc.versions, versions)
			require.Equal(t, tc.down, files(set.Down))
			for _, d := range set.Down {
				require.Equal(t, Down, d.Kind)
			}
			require.Len(t, set.Checksum, 64)
		})
	}
}

func TestLoadDescriptionsAndKinds(t *testing.T) {
	set, err := LoadDir("testdata/flyway")
	require.NoError(t, err)
	require.Equal(t, "later fix", set.Migrations[3].Description)
	require.Equal(t, Versioned, set.Migrations[0].Kind)
	require.Equal(t, Repeatable, set.Migrations[len(set.Migrations)-1].Kind)
	last, ok := Last(set.Migrations)
	require.True(t, ok)
	require.Equal(t, "V10__later.sql", last.File)

	set, err = LoadDir("testdata/timestamped")
	require.NoError(t, err)
	require.Equal(t, "schema add email verification", set.Migrations[0].Description)
	require.Equal(t, "add expiry", set.Migrations[1].Description)
}

func TestLoadErrorsNameTheFiles(t *testing.T) {
	cases := []struct {
		dir  string
		want []string
	}{
		{"duplicate", []string{"duplicate migration versions", "V1__init.sql", "V1.0__again.sql"}},
		{"unrecognised", []string{"unrecognised migration file names", "init.sql", "v2_lowercase.sql"}},
		{"mixed", []string{"mixed migration naming conventions", "V1__init.sql", "000002_add.up.sql", "flyway", "golang-migrate"}},
		{"mixed-language", []string{"mixed migration languages", "V1__init.sql", "V2__index.cypher"}},
		{"empty", []string{"no migration files found"}},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", "errors", tc.dir)
			_, err := LoadDir(dir)
			require.Error(t, err)
			require.Contains(t, err.Error(), dir, "the error names the folder")
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
	_, err := LoadDir("testdata/does-not-exist")
	require.ErrorContains(t, err, "loading migrations")
}

func TestLoadDuplicateAcrossZeroPadding(t *testing.T) {
	_, err := Load(fstest.MapFS{
		"000001_init.up.sql": {Data: []byte("SELECT 1;")},
		"1_other.up.sql":     {Data: []byte("SELECT 2;")},
	})
	require.ErrorContains(t, err, "000001_init.up.sql and 1_other.up.sql have the same version")
}

func TestLoadIgnoresNonMigrationFiles(t *testing.T) {
	set, err := Load(fstest.MapFS{
		"V1__init.sql":           {Data: []byte("SELECT 1;")},
		"README.md":              {Data: []byte("# docs")},
		".gitkeep":               {},
		"notes.txt":              {Data: []byte("x")},
		"seeds/seed.sql":         {Data: []byte("INSERT INTO x VALUES (1);")},
		"rollback/V1__init.sql":  {Data: []byte("DROP SCHEMA public CASCADE;")},
		"rollbacks/whatever.sql": {Data: []byte("DROP SCHEMA public CASCADE;")},
	})
	require.NoError(t, err)
	require.Equal(t, []string{"V1__init.sql"}, files(set.Migrations))
	require.Equal(t, []string{"rollback/V1__init.sql", "rollbacks/whatever.sql"}, files(set.Down))
	require.Equal(t, "1", set.Down[0].Version)
	require.Equal(t, []string{"seeds"}, set.Skipped, "a subfolder of SQL files is reported, not read")
}

func TestSetChecksumIsOverNamesAndContent(t *testing.T) {
	base := fstest.MapFS{
		"V1__init.sql": {Data: []byte("CREATE TABLE a (id int);")},
		"V2__more.sql": {Data: []byte("CREATE TABLE b (id int);")},
	}
	s1, err := Load(base)
	require.NoError(t, err)

	// Same names and content, other timestamps and modes: same checksum.
	touched := fstest.MapFS{
		"V1__init.sql": {Data: []byte("CREATE TABLE a (id int);"), Mode: 0o600},
		"V2__more.sql": {Data: []byte("CREATE TABLE b (id int);")},
	}
	s2, err := Load(touched)
	require.NoError(t, err)
	require.Equal(t, s1.Checksum, s2.Checksum)

	// A down file does not change what is replayed, nor the checksum.
	withDown := fstest.MapFS{
		"V1__init.sql": base["V1__init.sql"],
		"V2__more.sql": base["V2__more.sql"],
		"U2__more.sql": {Data: []byte("DROP TABLE b;")},
	}
	s3, err := Load(withDown)
	require.NoError(t, err)
	require.Equal(t, s1.Checksum, s3.Checksum)

	changed := fstest.MapFS{
		"V1__init.sql": base["V1__init.sql"],
		"V2__more.sql": {Data: []byte("CREATE TABLE b (id bigint);")},
	}
	s4, err := Load(changed)
	require.NoError(t, err)
	require.NotEqual(t, s1.Checksum, s4.Checksum)

	renamed := fstest.MapFS{
		"V1__init.sql":    base["V1__init.sql"],
		"V2__renamed.sql": base["V2__more.sql"],
	}
	s5, err := Load(renamed)
	require.NoError(t, err)
	require.NotEqual(t, s1.Checksum, s5.Checksum)
}

func TestParseName(t *testing.T) {
	cases := []struct {
		name    string
		conv    Convention
		version string
		kind    Kind
		ok      bool
	}{
		{"V1__init.sql", Flyway, "1", Versioned, true},
		{"V1_1__fix.sql", Flyway, "1.1", Versioned, true},
		{"V1.1__fix.SQL", Flyway, "1.1", Versioned, true},
		{"R__views.sql", Flyway, "", Repeatable, true},
		{"U3__undo.sql", Flyway, "3", Down, true},
		{"V001__name.cypher", Flyway, "001", Versioned, true},
		{"000001_init.up.sql", GolangMigrate, "000001", Versioned, true},
		{"000001_init.down.sql", GolangMigrate, "000001", Down, true},
		{"20230102150405_init.up.sql", GolangMigrate, "20230102150405", Versioned, true},
		{"V001-add-session-tags-up.sql", UpDown, "001", Versioned, true},
		{"V001-add-session-tags-down.sql", UpDown, "001", Down, true},
		{"001_initial_schema.sql", Numbered, "001", Versioned, true},
		{"20251120_143000_schema_add_email_verification.sql", Timestamped, "20251120_143000", Versioned, true},
		{"20251120_143000_add_x.sql", Timestamped, "20251120_143000", Versioned, true},
		{"2025-01-15-001-add-rating-index.cypher", Dated, "2025-01-15-001", Versioned, true},
		{"init.sql", "", "", "", false},
		{"v1__lower.sql", "", "", "", false},
		{"V1_init.sql", "", "", "", false},
	}
	for _, tc := range cases {
		conv, version, _, kind, ok := ParseName(tc.name)
		require.Equal(t, tc.ok, ok, tc.name)
		require.Equal(t, tc.conv, conv, tc.name)
		require.Equal(t, tc.version, version, tc.name)
		require.Equal(t, tc.kind, kind, tc.name)
	}
}

func TestCompareVersions(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"2", "10", -1},
		{"10", "2", 1},
		{"1.1", "1.2", -1},
		{"1.2", "1.10", -1},
		{"1.10", "1.9", 1},
		{"1.1", "1.1.0", 0},
		{"001", "1", 0},
		{"000010", "2", 1},
		{"1_1", "1.1", 0},
		{"20251120_143000", "20251120_093000", 1},
		{"20251120_143000", "20251121_000000", -1},
		{"2025-01-15-002", "2025-01-15-010", -1},
		{"2025-01-15-999", "2025-02-01-001", -1},
		{"99999999999999999999999", "100000000000000000000000", -1},
		{"3", "3", 0},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, CompareVersions(tc.a, tc.b), "%s vs %s", tc.a, tc.b)
	}
}

func TestFlywayChecksum(t *testing.T) {
	// Golden values computed with java.util.zip.CRC32 over java.io.BufferedReader.readLine
	// lines, BOM stripped, as Flyway does.
	cases := []struct {
		content string
		want    int32
	}{
		{"CREATE TABLE t (id int);\nSELECT 1;\n", -1645056791},
		{"CREATE TABLE t (id int);\r\nSELECT 1;\r\n", -1645056791},
		{"\uFEFFCREATE TABLE t (id int);\nSELECT 1;", -1645056791},
		{"", 0},
		{"-- café\n\n\nCREATE TABLE café (x text DEFAULT 'ü');\r\rX", 1654688348},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, FlywayChecksum([]byte(tc.content)), "%q", tc.content)
	}
	require.NotEqual(t, FlywayChecksum([]byte("SELECT 1;")), FlywayChecksum([]byte("SELECT 2;")))
}

// TestLoadOnlyCodeMigrations: a set of code alone (Knex, goose's .go) would replay into an empty
// expected schema and report every live object as drift; it is refused, saying what to do.
func TestLoadOnlyCodeMigrations(t *testing.T) {
	_, err := Load(fstest.MapFS{
		"20240101120000_init.js":  {Data: []byte("exports.up = () => {}")},
		"20240102120000_users.js": {Data: []byte("exports.up = () => {}")},
	})
	require.ErrorContains(t, err, "the 2 migration(s) found are code (20240101120000_init.js…)")
	require.ErrorContains(t, err, "expected: snapshot")
}

// TestLoadPopFilesPerDatabase: pop (gobuffalo/pop, Ory's projects) writes a migration once per
// database, 20191100000001000000_identities.postgres.up.sql beside ….mysql.up.sql, or once for
// all of them. PostgreSQL's file wins over the one for every database; files for other
// databases are kept apart, never replayed; pop's fizz files are migrations drift cannot replay.
func TestLoadPopFilesPerDatabase(t *testing.T) {
	sql := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	set, err := Load(fstest.MapFS{
		"20191100000001000000_identities.postgres.up.sql":   sql("CREATE TABLE identities (id uuid);"),
		"20191100000001000000_identities.postgres.down.sql": sql("DROP TABLE identities;"),
		"20191100000001000000_identities.mysql.up.sql":      sql("CREATE TABLE identities (id char(36)) ENGINE=InnoDB;"),
		"20191100000001000000_identities.mysql.down.sql":    sql("DROP TABLE identities;"),
		"20191100000001000000_identities.sqlite3.up.sql":    sql("CREATE TABLE identities (id TEXT);"),
		"20191100000001000000_identities.cockroach.up.sql":  sql("CREATE TABLE identities (id UUID);"),
		"20191100000002000000_sessions.up.sql":              sql("CREATE TABLE sessions (id int);"),
		"20191100000003000000_index.up.sql":                 sql("CREATE INDEX generic ON sessions (id);"),
		"20191100000003000000_index.postgres.up.sql":        sql("CREATE INDEX pg_only ON sessions USING brin (id);"),
		"20191100000004000000_mysql_only.mysql.up.sql":      sql("ALTER TABLE sessions ENGINE=InnoDB;"),
		"20191100000005000000_courier.up.fizz":              sql(`add_column("sessions", "note", "string", {})`),
		"20191100000005000000_courier.mysql.up.fizz":        sql(`add_column("sessions", "note", "string", {})`),
	})
	require.NoError(t, err)
	require.Equal(t, GolangMigrate, set.Convention)
	require.Equal(t, []string{
		"20191100000001000000_identities.postgres.up.sql",
		"20191100000002000000_sessions.up.sql",
		"20191100000003000000_index.postgres.up.sql",
	}, files(set.Migrations))
	require.Equal(t, "identities", set.Migrations[0].Description)
	require.Equal(t, DialectPostgres, set.Migrations[0].Dialect)
	require.Equal(t, []string{"20191100000001000000_identities.postgres.down.sql"}, files(set.Down))
	require.Equal(t, []string{
		"20191100000001000000_identities.cockroach.up.sql",
		"20191100000001000000_identities.mysql.up.sql",
		"20191100000001000000_identities.sqlite3.up.sql",
		"20191100000003000000_index.up.sql",
		"20191100000004000000_mysql_only.mysql.up.sql",
	}, files(set.OtherDatabases))
	require.Equal(t, []string{"20191100000005000000_courier.up.fizz"}, files(set.Code), "fizz: said, not replayed")

	// A name whose last dotted word is no database is a plain golang-migrate name.
	set, err = Load(fstest.MapFS{"000001_add_v1.2.up.sql": sql("SELECT 1;")})
	require.NoError(t, err)
	require.Equal(t, "add v1.2", set.Migrations[0].Description)
	require.Empty(t, set.OtherDatabases)

	// Only other databases' files: nothing to replay, said as such.
	_, err = Load(fstest.MapFS{"20191100000001000000_identities.mysql.up.sql": sql("SELECT 1;")})
	require.ErrorContains(t, err, "written for other databases (20191100000001000000_identities.mysql.up.sql…)")
}

// TestLoadDotted: Authelia's V0001.Initial_Schema.up.sql, and its older files per database
// (.postgres.up.sql beside .mysql. and .sqlite., one .all.down.sql for every database).
func TestLoadDotted(t *testing.T) {
	sql := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	set, err := Load(fstest.MapFS{
		"V0001.Initial_Schema.up.sql":   sql("CREATE TABLE a (id int);"),
		"V0001.Initial_Schema.down.sql": sql("DROP TABLE a;"),
		"V0002.Webauthn_Data.up.sql":    sql("ALTER TABLE a ADD b int;"),
	})
	require.NoError(t, err)
	require.Equal(t, Dotted, set.Convention)
	require.Equal(t, []string{"V0001.Initial_Schema.up.sql", "V0002.Webauthn_Data.up.sql"}, files(set.Migrations))
	require.Equal(t, "Initial Schema", set.Migrations[0].Description)
	require.Equal(t, []string{"V0001.Initial_Schema.down.sql"}, files(set.Down))

	set, err = Load(fstest.MapFS{
		"V0001.Initial_Schema.postgres.up.sql": sql("CREATE TABLE a (id int);"),
		"V0001.Initial_Schema.mysql.up.sql":    sql("CREATE TABLE a (id int) ENGINE=InnoDB;"),
		"V0001.Initial_Schema.sqlite.up.sql":   sql("CREATE TABLE a (id INTEGER);"),
		"V0001.Initial_Schema.all.down.sql":    sql("DROP TABLE a;"),
	})
	require.NoError(t, err)
	require.Equal(t, []string{"V0001.Initial_Schema.postgres.up.sql"}, files(set.Migrations))
	require.Equal(t, []string{"V0001.Initial_Schema.all.down.sql"}, files(set.Down))
	require.Len(t, set.OtherDatabases, 2)
}
