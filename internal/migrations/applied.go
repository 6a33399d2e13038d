package migrations

import (
	"context"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// TrackingFormat says which tool's tracking table a live database has.
type TrackingFormat string

// Tracking table formats.
const (
	// TrackingNone: no tracking table was found; the database is compared with the whole set.
	TrackingNone TrackingFormat = ""
	// TrackingGolangMigrate: schema_migrations(version bigint, dirty boolean), one row holding
	// the current version; every migration up to it is applied.
	TrackingGolangMigrate TrackingFormat = "golang-migrate"
	// TrackingFlyway: flyway_schema_history, one row per applied (or failed) migration with
	// Flyway's checksum.
	TrackingFlyway TrackingFormat = "flyway"
	// TrackingList: a table with one row per applied migration, holding its file name or
	// version in a column (a configured table, or a schema_migrations(version) table of another
	// tool, such as Rails').
	TrackingList TrackingFormat = "list"
)

// Default tracking table names, looked for when no table is configured.
const (
	GolangMigrateTable = "schema_migrations"
	FlywayTable        = "flyway_schema_history"
)

// TrackingOptions configure where the applied migrations are read from. The zero value looks
// for schema_migrations and flyway_schema_history.
type TrackingOptions struct {
	// Table is the tracking table, "name" or "schema.name". Empty: look for the default tables
	// in every schema, preferring the current one.
	Table string
	// Column holds applied file names or versions, one row per applied migration. Set it for a
	// table that is neither golang-migrate's nor Flyway's; without it the table's shape is
	// recognised from its columns.
	Column string
}

// Applied is what a live database's tracking table says has been applied.
type Applied struct {
	// Table is the schema-qualified tracking table read, or "" when none was found.
	Table  string         `json:"table,omitempty"`
	Format TrackingFormat `json:"format,omitempty"`
	// Tool is the migration tool that writes the table ("golang-migrate", "goose", "dbmate or
	// Rails", ...), as far as its name and shape tell.
	Tool string `json:"tool,omitempty"`
	// Note says which table was read when several were found, and why.
	Note string `json:"note,omitempty"`
	// Columns are the table's columns as a tool creates it ("version bigint NOT NULL PRIMARY
	// KEY, dirty boolean NOT NULL"), or the live table's columns for a table of no known tool,
	// so that a shadow database can have the table when migrations touch it.
	Columns []string `json:"columns,omitempty"`
	// Entries are the table's rows, in the order they were applied where the table records it.
	Entries []AppliedEntry `json:"entries,omitempty"`
	// Dirty is golang-migrate's flag: the migration at the current version failed mid-way.
	Dirty bool `json:"dirty,omitempty"`
}

// AppliedEntry is one row of a tracking table.
type AppliedEntry struct {
	// Version as recorded; empty for Flyway repeatable migrations and for list values that do
	// not carry a version.
	Version     string `json:"version,omitempty"`
	Description string `json:"description,omitempty"`
	// Script is Flyway's script column or the list column's value.
	Script string `json:"script,omitempty"`
	// Type is Flyway's type column (SQL, BASELINE, UNDO_SQL, DELETE, ...).
	Type string `json:"type,omitempty"`
	// Checksum is Flyway's checksum column; nil where the table keeps none.
	Checksum *int32 `json:"checksum,omitempty"`
	// Digest is sqlx's checksum column: the SHA-384 of the file as applied.
	Digest []byte `json:"digest,omitempty"`
	// Success is false for a Flyway migration that failed (and for golang-migrate's dirty row).
	Success bool `json:"success"`
}

// Found reports whether a tracking table was found.
func (a *Applied) Found() bool { return a != nil && a.Format != TrackingNone }

// Version returns the highest applied version, or "" when nothing is applied.
func (a *Applied) Version() string {
	if !a.Found() {
		return ""
	}
	st := a.state()
	best := st.baseline
	for _, e := range st.versions {
		if best == "" || CompareVersions(e.Version, best) > 0 {
			best = e.Version
		}
	}
	return best
}

func readGolangMigrate(ctx context.Context, tx pgx.Tx, a *Applied, ident string) error {
	rows, err := tx.Query(ctx, "SELECT version::bigint, dirty::boolean FROM "+ident+" ORDER BY 1")
	if err != nil {
		return err
	}
	var versions []int64
	for rows.Next() {
		var v int64
		var dirty bool
		if err := rows.Scan(&v, &dirty); err != nil {
			rows.Close()
			return err
		}
		a.Dirty = a.Dirty || dirty
		if v < 0 {
			// -1 is golang-migrate's "no version": left dirty by a failed down of the first
			// migration, nothing is applied.
			continue
		}
		versions = append(versions, v)
		a.Entries = append(a.Entries, AppliedEntry{Version: strconv.FormatInt(v, 10), Success: !dirty})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// golang-migrate keeps one row. Should there be more, the highest version is the state.
	if len(a.Entries) > 1 {
		a.Entries = a.Entries[len(a.Entries)-1:]
		a.Entries[0].Success = !a.Dirty
	}
	return nil
}

func readFlyway(ctx context.Context, tx pgx.Tx, a *Applied, ident string) error {
	rows, err := tx.Query(ctx, "SELECT version, description, type, script, checksum, success FROM "+ident+" ORDER BY installed_rank")
	if err != nil {
		return err
	}
	for rows.Next() {
		var version, description, typ, script *string
		var e AppliedEntry
		if err := rows.Scan(&version, &description, &typ, &script, &e.Checksum, &e.Success); err != nil {
			rows.Close()
			return err
		}
		e.Version, e.Description, e.Type, e.Script = deref(version), deref(description), deref(typ), deref(script)
		a.Entries = append(a.Entries, e)
	}
	return rows.Err()
}

// readList reads a list of applied file names or versions from column, in the rows that also
// meet the where conditions (SQL of drift's own, never a user's).
func readList(ctx context.Context, tx pgx.Tx, a *Applied, ident, column string, where ...string) error {
	conds := append([]string{pgx.Identifier{column}.Sanitize() + " IS NOT NULL"}, where...)
	rows, err := tx.Query(ctx, "SELECT "+pgx.Identifier{column}.Sanitize()+"::text FROM "+ident+" WHERE "+strings.Join(conds, " AND "))
	if err != nil {
		return err
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		v = strings.TrimSpace(v)
		a.Entries = append(a.Entries, AppliedEntry{Version: versionOfValue(v), Script: v, Success: true})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sort.SliceStable(a.Entries, func(i, j int) bool {
		return CompareVersions(a.Entries[i].Version, a.Entries[j].Version) < 0
	})
	return nil
}

// versionOfValue reads the version of a list value: a file name ("001_init.sql",
// "V1__init.sql", with or without its extension) or a bare version ("001", "1.1").
func versionOfValue(v string) string {
	bare := true
	for _, r := range v {
		if (r < '0' || r > '9') && r != '.' && r != '_' && r != '-' {
			bare = false
			break
		}
	}
	if bare && validVersion(v) {
		return v
	}
	base := path.Base(v)
	if p, ok := parseName(base); ok {
		return p.version
	}
	if p, ok := parseName(base + ".sql"); ok {
		return p.version
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// appliedState is a tracking table reduced to what is applied now.
type appliedState struct {
	// cumulative: every version up to the highest one is applied (golang-migrate).
	cumulative bool
	// versions are the applied versioned entries, the last successful entry per version.
	versions []AppliedEntry
	// baseline is the highest Flyway baseline version: everything up to it counts as applied.
	baseline string
	// repeatables are the last successful repeatable entries, by script base name.
	repeatables map[string]AppliedEntry
	// failed are entries that failed and were not applied successfully later.
	failed []AppliedEntry
	// dirty is golang-migrate's dirty flag.
	dirty bool
}

func (a *Applied) state() appliedState {
	st := appliedState{repeatables: map[string]AppliedEntry{}, dirty: a.Dirty}
	if a.Format == TrackingGolangMigrate {
		st.cumulative = true
		st.versions = append(st.versions, a.Entries...)
		return st
	}
	applied := map[string]AppliedEntry{} // by normalized version
	failed := map[string]AppliedEntry{}
	for _, e := range a.Entries {
		typ := strings.ToUpper(e.Type)
		key := normalVersion(e.Version)
		switch {
		case typ == "SCHEMA":
			continue
		case typ == "BASELINE":
			if e.Success && (st.baseline == "" || CompareVersions(e.Version, st.baseline) > 0) {
				st.baseline = e.Version
			}
		case (typ == "DELETE" || strings.HasPrefix(typ, "UNDO")) && e.Version == "":
			// flyway repair marks a removed repeatable migration deleted, by its description.
			for name, r := range st.repeatables {
				if e.Success && r.Description == e.Description {
					delete(st.repeatables, name)
				}
			}
		case typ == "DELETE" || strings.HasPrefix(typ, "UNDO"):
			if e.Success {
				delete(applied, key)
			}
		case e.Version == "":
			if e.Success {
				st.repeatables[path.Base(e.Script)] = e
				delete(failed, "R:"+path.Base(e.Script))
			} else {
				failed["R:"+path.Base(e.Script)] = e
			}
		case !e.Success:
			failed[key] = e
		default:
			applied[key] = e
			delete(failed, key)
		}
	}
	for _, e := range applied {
		st.versions = append(st.versions, e)
	}
	sort.Slice(st.versions, func(i, j int) bool {
		return CompareVersions(st.versions[i].Version, st.versions[j].Version) < 0
	})
	for _, e := range failed {
		st.failed = append(st.failed, e)
	}
	sort.Slice(st.failed, func(i, j int) bool { return st.failed[i].Script < st.failed[j].Script })
	return st
}

// normalVersion is a canonical form of a version for map keys: its numeric parts joined with
// dots, trailing zero parts dropped ("001.0" → "1").
func normalVersion(v string) string {
	parts := versionParts(v)
	for len(parts) > 1 && parts[len(parts)-1] == "0" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, ".")
}
