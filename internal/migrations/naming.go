package migrations

import (
	"path"
	"regexp"
	"strings"
)

// Convention is a migration file naming convention. One folder uses one convention.
type Convention string

// The naming conventions drift recognises.
const (
	// Flyway: V1__init.sql, V1.1__fix.sql (or V1_1__fix.sql), repeatable R__views.sql, undo
	// U1__init.sql; also V001__name.cypher for Neo4j migrations.
	Flyway Convention = "flyway"
	// GolangMigrate: 000001_init.up.sql with 000001_init.down.sql; also pop's (gobuffalo/pop,
	// Ory) files per database, 20191100000001000000_identities.postgres.up.sql beside
	// ….mysql.up.sql (see Dialect).
	GolangMigrate Convention = "golang-migrate"
	// UpDown: V001-add-session-tags-up.sql with V001-add-session-tags-down.sql.
	UpDown Convention = "up-down"
	// Dotted: V0001.Initial_Schema.up.sql with V0001.Initial_Schema.down.sql (Authelia's), also
	// per database: V0001.Initial_Schema.postgres.up.sql, V0001.Initial_Schema.all.down.sql.
	Dotted Convention = "dotted"
	// Numbered: 001_initial_schema.sql, rollbacks in a rollback/ subfolder.
	Numbered Convention = "numbered"
	// Timestamped: 20251120_143000_schema_add_email_verification.sql (the word after the
	// timestamp, such as "schema", is optional and kept in the description).
	Timestamped Convention = "timestamped"
	// Dated: 2025-01-15-001-add-rating-index.cypher (a date and a sequence number of that day).
	Dated Convention = "dated"
	// Dashed: 0001-create-users.sql (postgres-migrations).
	Dashed Convention = "dashed"
	// Folders: one folder per migration, named by version, holding up.sql and down.sql
	// (diesel: 2023-01-01-120000_create_users/up.sql) or migration.sql (Prisma:
	// 20230101120000_init/migration.sql).
	Folders Convention = "folders"
)

// Kind says how a migration is replayed.
type Kind string

// Migration kinds.
const (
	// Versioned migrations run once, in version order.
	Versioned Kind = "versioned"
	// Repeatable migrations (Flyway R__) run after all versioned ones, in name order.
	Repeatable Kind = "repeatable"
	// Down marks down, undo and rollback files: recognised, listed, never replayed.
	Down Kind = "down"
)

// Languages of migration files.
const (
	LanguageSQL    = "sql"
	LanguageCypher = "cypher"
)

// rollbackDirs are the subfolders whose files are rollbacks of the Numbered convention (and of
// any other: a rollback is never replayed, whatever its name).
var rollbackDirs = map[string]bool{"rollback": true, "rollbacks": true}

// parsed is what a file name says about a migration.
type parsed struct {
	convention  Convention
	version     string
	description string
	kind        Kind
	language    string
	baseline    bool
	dialect     string
}

// A file name pattern and how to read it. Patterns are tried in order; the first match wins,
// which is how 000001_init.up.sql is golang-migrate and not Numbered.
type pattern struct {
	convention Convention
	re         *regexp.Regexp
	read       func(m []string) parsed
}

const ext = `\.((?i:sql|cypher))$`

var patterns = []pattern{
	{Flyway, regexp.MustCompile(`^V(\d+(?:[._]\d+)*)__(.*)` + ext), func(m []string) parsed {
		return parsed{version: strings.ReplaceAll(m[1], "_", "."), description: words(m[2]), kind: Versioned, language: m[3]}
	}},
	{Flyway, regexp.MustCompile(`^R__(.+)` + ext), func(m []string) parsed {
		return parsed{description: words(m[1]), kind: Repeatable, language: m[2]}
	}},
	{Flyway, regexp.MustCompile(`^B(\d+(?:[._]\d+)*)__(.*)` + ext), func(m []string) parsed {
		return parsed{version: strings.ReplaceAll(m[1], "_", "."), description: words(m[2]), kind: Versioned, language: m[3], baseline: true}
	}},
	{Flyway, regexp.MustCompile(`^U(\d+(?:[._]\d+)*)__(.*)` + ext), func(m []string) parsed {
		return parsed{version: strings.ReplaceAll(m[1], "_", "."), description: words(m[2]), kind: Down, language: m[3]}
	}},
	{UpDown, regexp.MustCompile(`^V(\d+)-(.+)-(up|down)` + ext), func(m []string) parsed {
		return parsed{version: m[1], description: words(m[2]), kind: upOrDown(m[3]), language: m[4]}
	}},
	{Dotted, regexp.MustCompile(`^V(\d+)\.(.+)\.(up|down)` + ext), func(m []string) parsed {
		desc, dialect := cutDialect(m[2])
		return parsed{version: m[1], description: words(desc), kind: upOrDown(m[3]), language: m[4], dialect: dialect}
	}},
	{GolangMigrate, regexp.MustCompile(`^(\d+)_(.*)\.(up|down)` + ext), func(m []string) parsed {
		desc, dialect := cutDialect(m[2])
		return parsed{version: m[1], description: words(desc), kind: upOrDown(m[3]), language: m[4], dialect: dialect}
	}},
	{Dated, regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}-\d+)-(.+)` + ext), func(m []string) parsed {
		return parsed{version: m[1], description: words(m[2]), kind: Versioned, language: m[3]}
	}},
	{Timestamped, regexp.MustCompile(`^(\d{8}_\d{6})_(.+)` + ext), func(m []string) parsed {
		return parsed{version: m[1], description: words(m[2]), kind: Versioned, language: m[3]}
	}},
	{Numbered, regexp.MustCompile(`^(\d+)_(.+)` + ext), func(m []string) parsed {
		return parsed{version: m[1], description: words(m[2]), kind: Versioned, language: m[3]}
	}},
	{Dashed, regexp.MustCompile(`^(\d+)-(.+)` + ext), func(m []string) parsed {
		return parsed{version: m[1], description: words(m[2]), kind: Versioned, language: m[3]}
	}},
	// A number alone (graphile-migrate's committed 000001.sql, postgres-migrations' 1.sql):
	// of the numbered or dashed convention the folder's other files follow.
	{bareNumber, regexp.MustCompile(`^(\d+)` + ext), func(m []string) parsed {
		return parsed{version: m[1], kind: Versioned, language: m[2]}
	}},
}

// bareNumber is the convention of a file named by a number alone, until the folder says which
// convention it belongs to (Load).
const bareNumber Convention = "number"

// ParseName reads a migration file name (the base name, without folders). ok is false when the
// name follows none of the conventions.
func ParseName(name string) (conv Convention, version, description string, kind Kind, ok bool) {
	p, ok := parseName(path.Base(name))
	return p.convention, p.version, p.description, p.kind, ok
}

func parseName(base string) (parsed, bool) {
	for _, pt := range patterns {
		m := pt.re.FindStringSubmatch(base)
		if m == nil {
			continue
		}
		p := pt.read(m)
		p.convention = pt.convention
		p.language = strings.ToLower(p.language)
		return p, true
	}
	return parseNeo4jMigrationsName(base)
}

// isMigrationLike reports whether a file looks like it was meant to be a migration: its
// extension is one that migrations use. Anything else (README.md, .keep) is ignored.
func isMigrationLike(base string) bool {
	e := strings.ToLower(path.Ext(base))
	return e == ".sql" || e == ".cypher" || IsCatalogMigration(base)
}

// languageOf returns the migration language of a file name, from its extension.
func languageOf(base string) string {
	return strings.TrimPrefix(strings.ToLower(path.Ext(base)), ".")
}

// dialects are the database names pop (and Authelia) write between a migration's name and
// .up.sql, for migrations written per database; PostgreSQL's are the ones drift replays, and
// "all" is every database's.
var dialects = map[string]string{
	"all":      "",
	"postgres": DialectPostgres, "postgresql": DialectPostgres, "pg": DialectPostgres,
	"cockroach": "cockroach", "cockroachdb": "cockroach", "mysql": "mysql", "mariadb": "mariadb",
	"sqlite": "sqlite3", "sqlite3": "sqlite3", "mssql": "sqlserver", "sqlserver": "sqlserver",
}

// DialectPostgres is the Dialect of a migration written for PostgreSQL alone.
const DialectPostgres = "postgres"

// cutDialect splits "identities.postgres" into the name and the database it is written for; a
// name without a known database after its last dot is returned whole.
func cutDialect(s string) (name, dialect string) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return s, ""
	}
	if d, ok := dialects[strings.ToLower(s[i+1:])]; ok {
		return s[:i], d
	}
	return s, ""
}

func upOrDown(s string) Kind {
	if s == "down" {
		return Down
	}
	return Versioned
}

// words turns a file name's description part into words, as Flyway does: "add_user-email" →
// "add user email".
func words(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return ' '
		}
		return r
	}, s))
}

// rollbackVersion reads the version of a file in a rollback/ folder, whatever its naming: the
// leading digits (and date or timestamp parts), or "" when there are none.
func rollbackVersion(base string) string {
	if p, ok := parseName(base); ok {
		return p.version
	}
	s := strings.TrimLeft(base, "VvUu")
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.') {
		end++
	}
	return strings.TrimRight(s[:end], ".")
}
