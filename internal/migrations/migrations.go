// Package migrations loads a migration set from a folder: it recognises the file naming
// conventions teams use (Flyway, golang-migrate, numbered files with a rollback/ folder,
// timestamps, dated Neo4j files), orders the files by version numerically, checksums them, and
// reads which of them a live database has applied (schema_migrations, flyway_schema_history or
// a configured table) to plan what the expected schema is made of.
//
// Down, undo and rollback files are recognised so that they are never mistaken for forward
// migrations, and kept aside: nothing in drift ever replays them.
package migrations

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
)

// Migration is one migration file.
type Migration struct {
	// Version as written in the file name ("1.1" for V1_1__x.sql and V1.1__x.sql, "000001",
	// "20251120_143000", "2025-01-15-001"); empty for repeatable migrations. Compare versions
	// with CompareVersions, never as strings.
	Version     string `json:"version,omitempty"`
	Description string `json:"description"`
	// File is the path inside the migration folder ("V1__init.sql", "rollback/001_init.sql").
	File string `json:"file"`
	Kind Kind   `json:"kind"`
	// Checksum is the sha256 of the content, hex.
	Checksum string `json:"checksum"`
	// Content is the file's bytes.
	Content []byte `json:"-"`
	// Dialect is the database a migration is written for when its name says so (pop's
	// 20191100000001000000_identities.mysql.up.sql: "mysql"); empty for every database.
	Dialect string `json:"dialect,omitempty"`
	// Baseline marks a Flyway baseline migration (B5__baseline.sql): on an empty database it
	// stands for every version up to its own, which are then not run.
	Baseline bool `json:"baseline,omitempty"`
}

// Name is what findings and messages call the migration: its version, or its file for a
// repeatable migration.
func (m Migration) Name() string {
	if m.Version != "" {
		return m.Version
	}
	return m.File
}

// Set is a loaded migration folder.
type Set struct {
	Convention Convention `json:"convention"`
	// Language is LanguageSQL or LanguageCypher.
	Language string `json:"language"`
	// Migrations are the files to replay, in replay order: versioned ones by version, then
	// repeatable ones by file name.
	Migrations []Migration `json:"migrations"`
	// Down lists down, undo and rollback files, by file name. They are never replayed.
	Down []Migration `json:"down,omitempty"`
	// Callbacks lists neo4j-migrations lifecycle callbacks (beforeMigrate.cypher, ...), by file
	// name: outside the versioned chain; the engine decides which phases count.
	Callbacks []Migration `json:"callbacks,omitempty"`
	// Checksum is the sha256 (hex) over the names and contents of Migrations in order, then of
	// Callbacks. It does not depend on timestamps or on down files, which do not change the
	// expected schema.
	Checksum string `json:"checksum"`
	// Skipped lists subfolders (other than rollback/) that hold .sql or .cypher files. They are
	// not part of the set; callers should say so, in case they were meant to be.
	Skipped []string `json:"skipped,omitempty"`
	// Superseded are versioned migrations a Flyway baseline migration stands for: not replayed,
	// but known, so that a database migrated through them is not told they are unknown.
	Superseded []Migration `json:"superseded,omitempty"`
	// OtherDatabases are migrations written for another database than PostgreSQL (pop's
	// ….mysql.up.sql beside ….postgres.up.sql): not replayed, as the tool itself would not run
	// them on PostgreSQL; callers say so.
	OtherDatabases []Migration `json:"other_databases,omitempty"`
	// Code are migrations written in a programming language (goose's Go migrations,
	// 00002_backfill.go): drift cannot replay them, so the expected schema may lack what they
	// do, and callers must say so.
	Code []Migration `json:"code,omitempty"`
	// Journal is Drizzle's meta/_journal.json, when the folder has one: each migration's
	// creation time (milliseconds) by file, which Drizzle's tracking table records instead of
	// names.
	Journal map[string]int64 `json:"journal,omitempty"`
	// Project is a Sqitch project's name (its plan's %project), which its registry records
	// applied changes under.
	Project string `json:"project,omitempty"`
}

// Last returns the last versioned migration of ms, and false when there is none.
func Last(ms []Migration) (Migration, bool) {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Kind == Versioned {
			return ms[i], true
		}
	}
	return Migration{}, false
}

// LoadDir loads the migration set in a directory of the file system.
func LoadDir(dir string) (*Set, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("loading migrations: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("loading migrations: %s is not a directory", dir)
	}
	s, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("loading migrations from %s: %w", dir, err)
	}
	return s, nil
}

// Load loads the migration set at the root of fsys. Files at the root are migrations; files in
// a rollback/ (or rollbacks/) subfolder are rollbacks; other subfolders and files that are not
// .sql or .cypher (README.md, ...) are ignored.
//
// It fails, naming the files, when a .sql or .cypher file at the root follows no known
// convention, when the root mixes conventions or languages, and when two files have the same
// version.
func Load(fsys fs.FS) (*Set, error) {
	if isSqitch(fsys) {
		return loadSqitch(fsys)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("listing migration files: %w", err)
	}
	set := &Set{}
	var unrecognised []string
	byConvention := map[Convention][]string{}
	byLanguage := map[string][]string{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if e.IsDir() {
			if m, down, ok, err := loadFolderMigration(fsys, name); err != nil {
				return nil, err
			} else if ok {
				byConvention[Folders] = append(byConvention[Folders], name)
				byLanguage[LanguageSQL] = append(byLanguage[LanguageSQL], name)
				set.Migrations = append(set.Migrations, m)
				set.Down = append(set.Down, down...)
				set.Convention, set.Language = Folders, LanguageSQL
				continue
			}
			if rollbackDirs[strings.ToLower(name)] {
				downs, err := loadRollbacks(fsys, name)
				if err != nil {
					return nil, err
				}
				set.Down = append(set.Down, downs...)
			} else if holdsMigrationFiles(fsys, name) {
				set.Skipped = append(set.Skipped, name)
			}
			continue
		}
		if !isMigrationLike(name) {
			if m, ok := codeMigration(name); ok {
				set.Code = append(set.Code, m)
			}
			continue
		}
		p, ok := parseName(name)
		if !ok {
			unrecognised = append(unrecognised, name)
			continue
		}
		if p.kind != Callback {
			byConvention[p.convention] = append(byConvention[p.convention], name)
		}
		byLanguage[p.language] = append(byLanguage[p.language], name)
		m, err := readMigration(fsys, name, p)
		if err != nil {
			return nil, err
		}
		if p.kind == Callback {
			set.Callbacks = append(set.Callbacks, m)
			set.Language = p.language
			continue
		}
		if p.kind == Down {
			set.Down = append(set.Down, m)
		} else {
			set.Migrations = append(set.Migrations, m)
		}
		set.Convention, set.Language = p.convention, p.language
	}
	if len(unrecognised) > 0 {
		return nil, fmt.Errorf("unrecognised migration file names: %s (expected a convention such as V1__desc.sql, 000001_desc.up.sql, V0001.Desc.up.sql, V001-desc-up.sql, 001_desc.sql, 20251120_143000_desc.sql or 2025-01-15-001-desc.cypher)", strings.Join(unrecognised, ", "))
	}
	if bare := byConvention[bareNumber]; len(bare) > 0 {
		// Files named by a number alone join the numbered or dashed files beside them.
		into := Numbered
		if len(byConvention[Dashed]) > 0 && len(byConvention[Numbered]) == 0 {
			into = Dashed
		}
		delete(byConvention, bareNumber)
		byConvention[into] = append(byConvention[into], bare...)
		if len(byConvention) == 1 {
			set.Convention = into
		}
	}
	if len(byConvention) == 2 && len(byConvention[GolangMigrate]) > 0 && len(byConvention[Numbered]) > 0 {
		// 000001_init.up.sql beside 000002_more.sql: one numbering, plain files are up files.
		delete(byConvention, Numbered)
		set.Convention = GolangMigrate
	}
	if len(byConvention) > 1 {
		return nil, fmt.Errorf("mixed migration naming conventions in one folder: %s", describeGroups(byConvention))
	}
	if len(byLanguage) > 1 {
		return nil, fmt.Errorf("mixed migration languages in one folder: %s", describeGroups(byLanguage))
	}
	if len(set.Migrations) == 0 && len(set.Code) > 0 {
		return nil, fmt.Errorf("no migration drift can replay: the %d migration(s) found are code (%s…), not .sql or .cypher files; "+
			"check this database against a committed snapshot instead (expected: snapshot)", len(set.Code), set.Code[0].File)
	}
	if len(set.Migrations) == 0 {
		return nil, errors.New("no migration files found (looked for .sql and .cypher files named by a known convention)")
	}
	set.Migrations, set.OtherDatabases = forPostgres(set.Migrations)
	set.Down, _ = forPostgres(set.Down)
	set.Code, _ = forPostgres(set.Code)
	if len(set.Migrations) == 0 {
		return nil, fmt.Errorf("no migration for PostgreSQL: the %d migration file(s) found are written for other databases (%s…)", len(set.OtherDatabases), set.OtherDatabases[0].File)
	}
	sortMigrations(set.Migrations)
	set.Migrations, set.Superseded = applyBaseline(set.Migrations)
	if err := checkDuplicates(set.Migrations); err != nil {
		return nil, err
	}
	sort.Slice(set.Code, func(i, j int) bool { return CompareVersions(set.Code[i].Version, set.Code[j].Version) < 0 })
	sort.Slice(set.Down, func(i, j int) bool { return set.Down[i].File < set.Down[j].File })
	sort.Slice(set.Callbacks, func(i, j int) bool { return set.Callbacks[i].File < set.Callbacks[j].File })
	set.Checksum = setChecksum(append(slices.Clone(set.Migrations), set.Callbacks...))
	if set.Journal, err = readJournal(fsys, set.Migrations); err != nil {
		return nil, err
	}
	return set, nil
}

// holdsMigrationFiles reports whether a subfolder holds .sql or .cypher files at any depth.
func holdsMigrationFiles(fsys fs.FS, dir string) bool {
	found := false
	_ = fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() && isMigrationLike(d.Name()) {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

func loadRollbacks(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("listing rollback files in %s: %w", dir, err)
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !isMigrationLike(e.Name()) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		file := path.Join(dir, e.Name())
		p, _ := parseName(e.Name())
		p.version = rollbackVersion(e.Name())
		p.kind = Down
		m, err := readMigration(fsys, file, p)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func readMigration(fsys fs.FS, file string, p parsed) (Migration, error) {
	content, err := fs.ReadFile(fsys, file)
	if err != nil {
		return Migration{}, fmt.Errorf("reading migration %s: %w", file, err)
	}
	sum := sha256.Sum256(content)
	return Migration{
		Version:     p.version,
		Description: p.description,
		File:        file,
		Kind:        p.kind,
		Checksum:    hex.EncodeToString(sum[:]),
		Content:     content,
		Dialect:     p.dialect,
		Baseline:    p.baseline,
	}, nil
}

// forPostgres picks, among migrations written per database (Dialect), what pop runs on
// PostgreSQL: of each version and kind, the file written for PostgreSQL, else the one for every
// database. Files for other databases are returned apart, sorted by name.
func forPostgres(ms []Migration) (kept, other []Migration) {
	type slot struct {
		version string
		kind    Kind
	}
	hasPostgres := map[slot]bool{}
	for _, m := range ms {
		if m.Dialect == DialectPostgres {
			hasPostgres[slot{m.Version, m.Kind}] = true
		}
	}
	for _, m := range ms {
		switch {
		case m.Dialect == DialectPostgres:
			kept = append(kept, m)
		case m.Dialect == "" && !(m.Version != "" && hasPostgres[slot{m.Version, m.Kind}]):
			kept = append(kept, m)
		default:
			other = append(other, m)
		}
	}
	sort.Slice(other, func(i, j int) bool { return other[i].File < other[j].File })
	return kept, other
}

// sortMigrations puts versioned migrations first, by version, then repeatable ones by file name.
func sortMigrations(ms []Migration) {
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.Kind != b.Kind {
			return a.Kind == Versioned
		}
		if a.Kind == Versioned {
			if c := CompareVersions(a.Version, b.Version); c != 0 {
				return c < 0
			}
		}
		return a.File < b.File
	})
}

// checkDuplicates fails when two versioned migrations of a sorted list share a version,
// naming every file of every clash.
func checkDuplicates(ms []Migration) error {
	var clashes []string
	for i := 0; i < len(ms); {
		j := i + 1
		for j < len(ms) && ms[j].Kind == Versioned && ms[i].Kind == Versioned && CompareVersions(ms[i].Version, ms[j].Version) == 0 {
			j++
		}
		if j-i > 1 {
			files := make([]string, 0, j-i)
			for _, m := range ms[i:j] {
				files = append(files, m.File)
			}
			clashes = append(clashes, fmt.Sprintf("%s have the same version %s", strings.Join(files, " and "), ms[i].Version))
		}
		i = j
	}
	if len(clashes) > 0 {
		return fmt.Errorf("duplicate migration versions: %s", strings.Join(clashes, "; "))
	}
	return nil
}

// describeGroups renders "flyway: V1__a.sql, V2__b.sql; golang-migrate: 000003_c.up.sql" in a
// stable order, at most three files per group.
func describeGroups[K ~string](groups map[K][]string) string {
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		files := groups[K(k)]
		sort.Strings(files)
		shown := files
		if len(shown) > 3 {
			shown = shown[:3]
		}
		s := k + ": " + strings.Join(shown, ", ")
		if len(files) > len(shown) {
			s += fmt.Sprintf(" and %d more", len(files)-len(shown))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// setChecksum is the sha256 over the replayed files' names and content checksums, in order.
func setChecksum(ms []Migration) string {
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", m.Kind, m.File, m.Checksum)
	}
	return hex.EncodeToString(h.Sum(nil))
}
