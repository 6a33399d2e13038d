package migrations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// More tracking table formats, beside golang-migrate's, Flyway's and a list.
const (
	// TrackingGoose: goose_db_version(id, version_id, is_applied); a version is applied when
	// its latest row says so (pressly/goose deletes a migrated-down version's row, the original
	// goose added one with is_applied false). The version 0 row is goose's own starting point.
	TrackingGoose TrackingFormat = "goose"
	// TrackingSqlx: _sqlx_migrations(version, success, ...), one row per migration run.
	TrackingSqlx TrackingFormat = "sqlx"
	// TrackingPrisma: _prisma_migrations(migration_name, finished_at, rolled_back_at, ...):
	// applied when finished and not rolled back, failed when neither.
	TrackingPrisma TrackingFormat = "prisma"
)

// knownTable is a tracking table a migration tool creates, and how to tell it is that tool's.
type knownTable struct {
	name string
	tool string
	// columns the table must have to be recognised as the tool's (a bare name like
	// "migrations" is too common to be taken on its name alone).
	columns []string
	// conventions are the file naming conventions the tool's migration sets use.
	conventions []Convention
	// shape is the column list the tool creates the table with, before any migration of the
	// project changed it.
	shape string
}

// knownTables are the tracking tables of the tools drift knows, in the order their shapes are
// tried (golang-migrate's schema_migrations before dbmate's and Rails').
var knownTables = []knownTable{
	{name: FlywayTable, tool: "Flyway", columns: []string{"installed_rank", "version", "description", "type", "script", "checksum", "success"}, conventions: []Convention{Flyway},
		shape: "installed_rank integer NOT NULL PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL"},
	{name: GolangMigrateTable, tool: "golang-migrate", columns: []string{"version", "dirty"}, conventions: []Convention{GolangMigrate},
		shape: "version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL"},
	{name: GolangMigrateTable, tool: "dbmate or Rails", columns: []string{"version"}, conventions: []Convention{Numbered, Timestamped},
		shape: "version varchar NOT NULL PRIMARY KEY"},
	{name: "goose_db_version", tool: "goose", columns: []string{"id", "version_id", "is_applied"}, conventions: []Convention{Numbered, Timestamped},
		shape: "id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now()"},
	{name: "_sqlx_migrations", tool: "sqlx", columns: []string{"version", "success"}, conventions: []Convention{Numbered, Timestamped, GolangMigrate},
		shape: "version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL"},
	{name: "__diesel_schema_migrations", tool: "diesel", columns: []string{"version"}, conventions: []Convention{Folders},
		shape: "version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP"},
	{name: "gorp_migrations", tool: "sql-migrate", columns: []string{"id", "applied_at"}, conventions: []Convention{Numbered, Dashed, Timestamped},
		shape: "id text PRIMARY KEY, applied_at timestamptz"},
	{name: "_prisma_migrations", tool: "Prisma", columns: []string{"migration_name", "finished_at", "rolled_back_at"}, conventions: []Convention{Folders},
		shape: "id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0"},
	{name: "knex_migrations", tool: "Knex", columns: []string{"name"}, conventions: []Convention{Numbered, Timestamped},
		shape: "id serial PRIMARY KEY, name varchar(255), batch integer, migration_time timestamptz"},
	{name: "schema_migration", tool: "pop", columns: []string{"version"}, conventions: []Convention{GolangMigrate},
		shape: "version varchar(14) NOT NULL"},
	{name: "migrations", tool: "graphile-migrate", columns: []string{"hash", "previous_hash", "filename", "date"}, conventions: []Convention{Numbered, Dashed}},
	{name: "atlas_schema_revisions", tool: "Atlas", columns: []string{"version", "type", "applied", "total", "error"}, conventions: []Convention{Numbered}},
	{name: "changes", tool: "Sqitch", columns: []string{"change_id", "script_hash", "change", "project"}, conventions: []Convention{Sqitch}},
	{name: "__drizzle_migrations", tool: "Drizzle", columns: []string{"id", "hash", "created_at"}, conventions: []Convention{Numbered},
		shape: "id serial PRIMARY KEY, hash text NOT NULL, created_at bigint"},
	{name: "schema_version", tool: "Flyway", columns: []string{"installed_rank", "version", "description", "type", "script", "checksum", "success"}, conventions: []Convention{Flyway},
		shape: "installed_rank integer NOT NULL PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL"},
	{name: "pgmigrations", tool: "node-pg-migrate", columns: []string{"id", "name", "run_on"}, conventions: []Convention{Numbered},
		shape: "id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL"},
	{name: "migrations", tool: "postgres-migrations", columns: []string{"id", "name", "hash", "executed_at"}, conventions: []Convention{Dashed, Numbered},
		shape: "id integer PRIMARY KEY, name varchar(100) UNIQUE NOT NULL, hash varchar(40) NOT NULL, executed_at timestamp DEFAULT CURRENT_TIMESTAMP"},
}

// ReadApplied reads the live database's tracking table, in a read-only transaction (see
// ReadAppliedFor), without a migration set to choose between tables by.
func ReadApplied(ctx context.Context, conn *pgx.Conn, opts TrackingOptions) (*Applied, error) {
	return ReadAppliedFor(ctx, conn, opts, nil)
}

// ReadAppliedFor reads the live database's tracking table, in a read-only transaction. With no
// table configured it looks for the tracking tables of the tools drift knows (knownTables), in
// every schema, and recognises each by its columns. Finding none is not an error
// (Applied.Found is false).
//
// When several are found, the one that matches the set's naming convention and has rows is
// read, and Applied.Note says which and why; an empty one never stands in the way of one with
// rows. It is an error only when that cannot decide (two with rows, both matching), naming
// them, or when the same table is in several schemas none of which is the current one.
func ReadAppliedFor(ctx context.Context, conn *pgx.Conn, opts TrackingOptions, set *Set) (_ *Applied, err error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("reading applied migrations: %w", err)
	}
	defer func() {
		if rerr := tx.Rollback(ctx); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) && err == nil {
			err = fmt.Errorf("reading applied migrations: %w", rerr)
		}
	}()
	found, err := findTrackingTables(ctx, tx, opts)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		if opts.Table != "" {
			return nil, fmt.Errorf("reading applied migrations: the configured tracking table %s does not exist", opts.Table)
		}
		return &Applied{}, nil
	}
	tbl, note, err := choose(found, set)
	if err != nil {
		return nil, err
	}
	a := &Applied{Table: tbl.schema + "." + tbl.name, Tool: tbl.known.tool, Note: note, Columns: tbl.typed}
	if tbl.known.shape != "" {
		a.Columns = []string{tbl.known.shape}
	}
	ident := pgx.Identifier{tbl.schema, tbl.name}.Sanitize()
	switch {
	case opts.Column != "":
		if !tbl.columns[opts.Column] {
			return nil, fmt.Errorf("reading applied migrations: table %s has no column %q", a.Table, opts.Column)
		}
		a.Format = TrackingList
		err = readList(ctx, tx, a, ident, opts.Column)
	case tbl.known.tool == "Flyway":
		a.Format = TrackingFlyway
		err = readFlyway(ctx, tx, a, ident)
	case tbl.known.tool == "golang-migrate":
		a.Format = TrackingGolangMigrate
		err = readGolangMigrate(ctx, tx, a, ident)
	case tbl.known.tool == "goose":
		a.Format = TrackingGoose
		err = readGoose(ctx, tx, a, ident)
	case tbl.known.tool == "sqlx":
		a.Format = TrackingSqlx
		err = readSqlx(ctx, tx, a, ident)
	case tbl.known.tool == "Prisma":
		a.Format = TrackingPrisma
		err = readPrisma(ctx, tx, a, ident)
	case tbl.known.tool == "sql-migrate":
		a.Format = TrackingList
		err = readList(ctx, tx, a, ident, "id")
	case tbl.known.tool == "postgres-migrations":
		// A file is applied when its number is (the name column holds the file name's words
		// alone); row 0, create-migrations-table, is the tool's own first step, not a file's.
		a.Format = TrackingList
		err = readList(ctx, tx, a, ident, "id", "id <> 0")
	case tbl.known.tool == "Atlas":
		a.Format = TrackingList
		err = readAtlas(ctx, tx, a, ident)
	case tbl.known.tool == "Sqitch":
		a.Format = TrackingList
		err = readSqitch(ctx, tx, a, ident, set)
	case tbl.known.tool == "Drizzle":
		a.Format = TrackingList
		err = readDrizzle(ctx, tx, a, ident, set)
	case tbl.known.tool == "Knex" || tbl.known.tool == "node-pg-migrate":
		a.Format = TrackingList
		err = readList(ctx, tx, a, ident, "name")
	case tbl.known.tool == "graphile-migrate":
		a.Format = TrackingList
		err = readList(ctx, tx, a, ident, "filename")
	case tbl.known.tool == "pop":
		a.Format = TrackingList
		if err = readList(ctx, tx, a, ident, "version"); err == nil {
			popLegacy(a, set)
		}
	case tbl.known.tool != "":
		a.Format = TrackingList
		err = readList(ctx, tx, a, ident, "version")
	default:
		return nil, fmt.Errorf("reading applied migrations: cannot tell what tracking table %s holds (not a table of a tool drift knows); configure the column holding applied file names or versions", a.Table)
	}
	if err != nil {
		return nil, fmt.Errorf("reading applied migrations from %s: %w", a.Table, err)
	}
	return a, nil
}

// trackingTable is a table found in the catalog, with its columns.
type trackingTable struct {
	schema, name string
	columns      map[string]bool
}

// foundTable is a candidate tracking table.
type foundTable struct {
	trackingTable
	current bool
	hasRows bool
	typed   []string
	known   knownTable // zero when the shape is not a known tool's
}

// findTrackingTables lists the candidate tracking tables: the configured one, or every known
// tool's table whose shape is recognised.
func findTrackingTables(ctx context.Context, tx pgx.Tx, opts TrackingOptions) ([]foundTable, error) {
	var names []string
	schema := ""
	if opts.Table != "" {
		names = []string{opts.Table}
		if s, n, ok := strings.Cut(opts.Table, "."); ok {
			schema, names = s, []string{n}
		}
	} else {
		for _, k := range knownTables {
			if !slices.Contains(names, k.name) {
				names = append(names, k.name)
			}
		}
	}
	rows, err := tx.Query(ctx, `
SELECT n.nspname, c.relname, n.nspname = current_schema() AS current,
       array(SELECT a.attname::text FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
       array(SELECT pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND c.relname = ANY($1)
  AND ($2 = '' OR n.nspname = $2)
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_%'
ORDER BY current DESC, n.nspname, c.relname`, names, schema)
	if err != nil {
		return nil, fmt.Errorf("looking for a migration tracking table: %w", err)
	}
	var found []foundTable
	for rows.Next() {
		var f foundTable
		var cols []string
		if err := rows.Scan(&f.schema, &f.name, &f.current, &cols, &f.typed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("looking for a migration tracking table: %w", err)
		}
		f.columns = map[string]bool{}
		for _, c := range cols {
			f.columns[c] = true
		}
		f.known = recognise(f.name, f.columns)
		if opts.Table != "" && f.known.tool == "" {
			// A tool's table under a name of the project's (golang-migrate's
			// x-migrations-table, flyway.table, …) is still read as its tool writes it.
			f.known = recogniseShape(f.columns)
		}
		if opts.Table == "" && f.known.tool == "" {
			continue // a table of the application that happens to have a tool's name
		}
		found = append(found, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("looking for a migration tracking table: %w", err)
	}
	for i := range found {
		ident := pgx.Identifier{found[i].schema, found[i].name}.Sanitize()
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT FROM "+ident+")").Scan(&found[i].hasRows); err != nil {
			return nil, fmt.Errorf("looking for a migration tracking table: reading %s.%s: %w", found[i].schema, found[i].name, err)
		}
	}
	return found, nil
}

// recognise finds the tool whose tracking table has this name and these columns.
func recognise(name string, columns map[string]bool) knownTable {
	for _, k := range knownTables {
		if k.name != name {
			continue
		}
		ok := true
		for _, c := range k.columns {
			ok = ok && columns[c]
		}
		if ok {
			return k
		}
	}
	return knownTable{}
}

// recogniseShape finds the tool whose tracking table has these columns, whatever its name: the
// one asking for the most columns (golang-migrate's version and dirty before dbmate's version).
func recogniseShape(columns map[string]bool) knownTable {
	var best knownTable
	for _, k := range knownTables {
		ok := len(k.columns) > len(best.columns)
		for _, c := range k.columns {
			ok = ok && columns[c]
		}
		if ok {
			best = k
		}
	}
	return best
}

// supabaseServices are the schemas of Supabase's own services (auth, storage, realtime), which
// keep their tracking tables beside the Supabase CLI's supabase_migrations.schema_migrations.
var supabaseServices = []string{"auth", "storage", "realtime", "_realtime", "supabase_functions", "graphql"}

// choose picks the table to read among the candidates, and says why when there was a choice.
func choose(found []foundTable, set *Set) (foundTable, string, error) {
	if slices.ContainsFunc(found, func(f foundTable) bool { return f.schema == "supabase_migrations" && f.name == GolangMigrateTable }) {
		// A Supabase database: the project's migrations are the CLI's, not the services'.
		found = slices.DeleteFunc(slices.Clone(found), func(f foundTable) bool { return slices.Contains(supabaseServices, f.schema) })
		if i := slices.IndexFunc(found, func(f foundTable) bool { return f.current }); i < 0 || found[i].name != GolangMigrateTable {
			found = slices.DeleteFunc(found, func(f foundTable) bool { return f.name == GolangMigrateTable && f.schema != "supabase_migrations" })
		}
	}
	if len(found) == 1 {
		return found[0], "", nil
	}
	// The same name in several schemas: the current schema's, else ambiguous.
	byName := map[string][]foundTable{}
	var names []string
	for _, f := range found {
		if _, ok := byName[f.name]; !ok {
			names = append(names, f.name)
		}
		byName[f.name] = append(byName[f.name], f)
	}
	var candidates []foundTable
	for _, n := range names {
		fs := byName[n]
		if len(fs) > 1 && !fs[0].current {
			var where []string
			for _, f := range fs {
				where = append(where, f.schema+"."+f.name)
			}
			return foundTable{}, "", fmt.Errorf("reading applied migrations: found %s; configure which tracking table to read", strings.Join(where, " and "))
		}
		candidates = append(candidates, fs[0])
	}
	if len(candidates) == 1 {
		return candidates[0], "", nil
	}
	score := func(f foundTable) int {
		s := 0
		if f.hasRows {
			s += 2
		}
		if set != nil && slices.Contains(f.known.conventions, set.Convention) {
			s++
		}
		return s
	}
	sort.SliceStable(candidates, func(i, j int) bool { return score(candidates[i]) > score(candidates[j]) })
	best, next := candidates[0], candidates[1]
	if score(best) == score(next) {
		var all []string
		for _, c := range candidates {
			all = append(all, c.schema+"."+c.name)
		}
		if len(all) == 2 {
			return foundTable{}, "", fmt.Errorf("reading applied migrations: found both %s and %s; configure which tracking table to read (tracking: {table: ...})", names[0], names[1])
		}
		return foundTable{}, "", fmt.Errorf("reading applied migrations: found %s; configure which tracking table to read (tracking: {table: ...})", strings.Join(all, ", "))
	}
	var why []string
	if best.hasRows && !next.hasRows {
		why = append(why, "it has rows")
	}
	if set != nil && slices.Contains(best.known.conventions, set.Convention) && !slices.Contains(next.known.conventions, set.Convention) {
		why = append(why, fmt.Sprintf("it is %s's and the migration files follow the %s naming", best.known.tool, set.Convention))
	}
	var others []string
	for _, c := range candidates[1:] {
		others = append(others, c.schema+"."+c.name)
	}
	note := fmt.Sprintf("read the applied migrations from %s.%s (%s); also found %s", best.schema, best.name, strings.Join(why, ", "), strings.Join(others, ", "))
	return best, note, nil
}

// readDrizzle reads Drizzle's table, which records each applied migration's hash and its
// journal time: Drizzle applies the journal's migrations newer than the latest recorded time,
// so every migration of the set up to that time is applied.
func readDrizzle(ctx context.Context, tx pgx.Tx, a *Applied, ident string, set *Set) error {
	var latest *int64
	if err := tx.QueryRow(ctx, "SELECT max(created_at)::bigint FROM "+ident).Scan(&latest); err != nil {
		return err
	}
	if latest == nil {
		return nil // an empty table: nothing applied
	}
	if set == nil || set.Journal == nil {
		return errors.New("Drizzle records migrations by time: the migration folder needs its meta/_journal.json to tell which are applied")
	}
	for _, m := range set.Migrations {
		if when, ok := set.Journal[m.File]; ok && when <= *latest {
			a.Entries = append(a.Entries, AppliedEntry{Version: m.Version, Script: m.File, Success: true})
		}
	}
	return nil
}

// readAtlas reads Atlas's revisions: a version is applied when all its statements are
// (applied = total) without error, failed when it stopped part way; a baseline revision (type
// bit 1) stands for every version up to its own. Atlas's own rows (.atlas_cloud_identifier)
// are not versions.
func readAtlas(ctx context.Context, tx pgx.Tx, a *Applied, ident string) error {
	rows, err := tx.Query(ctx, `SELECT version, description, (type & 1) <> 0, applied >= total AND coalesce(error, '') = ''
FROM `+ident+` WHERE version ~ '^[0-9]' ORDER BY version`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var e AppliedEntry
		var baseline bool
		if err := rows.Scan(&e.Version, &e.Description, &baseline, &e.Success); err != nil {
			rows.Close()
			return err
		}
		if baseline {
			e.Type = "BASELINE"
		}
		a.Entries = append(a.Entries, e)
	}
	return rows.Err()
}

// popLegacy reads pop's rows as Ory's popx does: a migration of a 20-digit version is applied
// when the 14-digit version pop recorded for it before is (popx keeps those rows), so a legacy
// row stands for every such migration of the set.
func popLegacy(a *Applied, set *Set) {
	if set == nil {
		return
	}
	recorded := map[string]bool{}
	for _, e := range a.Entries {
		recorded[e.Version] = true
	}
	var out []AppliedEntry
	for _, e := range a.Entries {
		if len(e.Version) != 14 {
			out = append(out, e)
			continue
		}
		expanded := false
		for _, m := range set.Migrations {
			if len(m.Version) == 20 && strings.HasPrefix(m.Version, e.Version) {
				expanded = true
				if !recorded[m.Version] {
					recorded[m.Version] = true
					out = append(out, AppliedEntry{Version: m.Version, Script: e.Script, Success: true})
				}
			}
		}
		if !expanded {
			out = append(out, e)
		}
	}
	a.Entries = out
	sort.SliceStable(a.Entries, func(i, j int) bool { return CompareVersions(a.Entries[i].Version, a.Entries[j].Version) < 0 })
}

// readSqitch reads Sqitch's registry: the changes of the plan's project deployed now, by name.
// Sqitch deploys in plan order, so the k-th instance of a reworked change is deployed when its
// name is recorded k times.
func readSqitch(ctx context.Context, tx pgx.Tx, a *Applied, ident string, set *Set) error {
	if set == nil || set.Convention != Sqitch {
		return errors.New("Sqitch records changes by name: drift needs the project's plan (sqitch.plan) to tell which are applied")
	}
	rows, err := tx.Query(ctx, "SELECT change, count(*) FROM "+ident+" WHERE $1 = '' OR project = $1 GROUP BY change", set.Project)
	if err != nil {
		return err
	}
	deployed := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			rows.Close()
			return err
		}
		deployed[name] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	seen := map[string]int{}
	for _, m := range set.Migrations {
		seen[m.Description]++
		if seen[m.Description] <= deployed[m.Description] {
			a.Entries = append(a.Entries, AppliedEntry{Version: m.Version, Description: m.Description, Script: m.File, Success: true})
		}
	}
	return nil
}

func readGoose(ctx context.Context, tx pgx.Tx, a *Applied, ident string) error {
	rows, err := tx.Query(ctx, "SELECT version_id::bigint, is_applied::boolean FROM "+ident+" ORDER BY id")
	if err != nil {
		return err
	}
	// The latest row of a version says whether it is applied (goose writes is_applied = false
	// when it migrates down); version 0 is the row goose starts its table with.
	latest := map[int64]bool{}
	var order []int64
	for rows.Next() {
		var v int64
		var applied bool
		if err := rows.Scan(&v, &applied); err != nil {
			rows.Close()
			return err
		}
		if v == 0 {
			continue
		}
		if _, seen := latest[v]; !seen {
			order = append(order, v)
		}
		latest[v] = applied
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.Sort(order)
	for _, v := range order {
		if latest[v] {
			a.Entries = append(a.Entries, AppliedEntry{Version: fmt.Sprint(v), Success: true})
		}
	}
	return nil
}

func readSqlx(ctx context.Context, tx pgx.Tx, a *Applied, ident string) error {
	rows, err := tx.Query(ctx, "SELECT version::bigint, success::boolean, coalesce(description::text, ''), checksum::bytea FROM "+ident+" ORDER BY version")
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int64
		var e AppliedEntry
		if err := rows.Scan(&v, &e.Success, &e.Description, &e.Digest); err != nil {
			rows.Close()
			return err
		}
		e.Version = fmt.Sprint(v)
		a.Entries = append(a.Entries, e)
	}
	return rows.Err()
}

func readPrisma(ctx context.Context, tx pgx.Tx, a *Applied, ident string) error {
	// Rolled-back rows are not applied; a row neither finished nor rolled back failed.
	rows, err := tx.Query(ctx, "SELECT migration_name::text, finished_at IS NOT NULL FROM "+ident+
		" WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name")
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		var finished bool
		if err := rows.Scan(&name, &finished); err != nil {
			rows.Close()
			return err
		}
		a.Entries = append(a.Entries, AppliedEntry{Version: versionOfValue(name), Script: name, Success: finished})
	}
	return rows.Err()
}
