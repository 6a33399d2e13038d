package neo4j

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Expected builds the schema the migration set describes, parsed statically or replayed into
// the scratch instance.
//
// With a live database it is built at the version the live database applied, as for
// PostgreSQL: the migration tool's record is read (neo4j-migrations' chain, or golang-migrate's
// SchemaMigration node), migrations not applied yet are pending rather than drift, and a lock
// left behind, a dirty or failed migration and a changed checksum are findings. The live
// server's version decides what a plain CREATE INDEX made (BTREE before 5.0, RANGE after), and
// the live database's name which `:use` statements count.
//
// neo4j-migrations callbacks count where they run around a migrate: beforeFirstUse and
// beforeMigrate before the migrations, afterMigrate after them. Callbacks of the other phases
// (clean, validate, info) do not count; one that would change the schema is said in a warning.
func (e *Engine) Expected(ctx context.Context, set *migrations.Set, live *engine.Live, o engine.Options) (*engine.Expected, error) {
	out := &engine.Expected{}
	for _, s := range set.Skipped {
		out.Warnings = append(out.Warnings, fmt.Sprintf("subfolder %s holds migration files that are not read as migrations", s))
	}
	if len(o.ReplayPrelude) > 0 {
		out.Warnings = append(out.Warnings, "replay_prelude is SQL for a PostgreSQL shadow database: a Neo4j target does not run it (write what it creates as a migration, or a beforeMigrate callback)")
	}
	target, versionNum := "", 0
	replay := set.Migrations
	var st *liveState
	if live != nil {
		versionNum = live.Snapshot.ServerVersionNum
		var err error
		if st, err = readLiveState(ctx, live.DSN, e.connectTimeout); err != nil {
			return nil, err
		}
		target = st.database
		var warning string
		replay, out.Pending, out.Findings, warning = plan(set, st)
		if warning != "" {
			out.Warnings = append(out.Warnings, warning)
		}
	}
	if target == "" {
		target = DefaultDatabase
	}
	files, warnings := migrationFiles(set, inVersionOrder(replay), target, versionNum)
	out.Warnings = append(out.Warnings, warnings...)

	var s *snapshot.Snapshot
	if e.scratchURI != "" {
		var err error
		e.replaying.Lock()
		s, err = Replay(ctx, e.scratchURI, files, ReplayOptions{Logger: o.Logger, Target: target, ConnectTimeout: e.connectTimeout})
		e.replaying.Unlock()
		if err != nil {
			return nil, fmt.Errorf("replaying into the scratch Neo4j: %w", err)
		}
	} else {
		exp, err := Parse(files, ParseOptions{ServerVersionNum: versionNum, Database: target})
		if err != nil {
			return nil, err
		}
		for _, sk := range exp.Skipped {
			o.Log().Info("skipped a statement that does not change this database's schema", "target", o.Target, "file", sk.File, "line", sk.Line, "reason", sk.Reason)
		}
		s = exp.Snapshot
	}
	if note := otherDatabasesNote(files, target); note != "" {
		out.Warnings = append(out.Warnings, note)
	}
	if st != nil && live.Snapshot != nil {
		named, err := namedDifferently(s, live.Snapshot, st.items, Rules{})
		if err != nil {
			return nil, err
		}
		out.Findings = append(out.Findings, named...)
	}
	version := ""
	if last, ok := migrations.Last(inVersionOrder(replay)); ok {
		version = last.Version
	}
	s.Source = snapshot.Source{Kind: snapshot.SourceMigrations, Checksum: set.Checksum, Version: version}
	out.Snapshot = s
	return out, nil
}

// plan splits the set by the migration tool's record in the live database. A database with
// both tools' records is read with the one the set's naming belongs to.
func plan(set *migrations.Set, st *liveState) (toReplay, pending []migrations.Migration, findings []diff.Finding, warning string) {
	useChain := st.chainFound
	if st.chainFound && st.golang != nil {
		useChain = set.Convention != migrations.GolangMigrate
		warning = fmt.Sprintf("the database holds both %s and golang-migrate's %s; read %s, as the set is named for %s",
			chainWhere, schemaMigrationWhr, map[bool]string{true: chainWhere, false: schemaMigrationWhr}[useChain], set.Convention)
	}
	switch {
	case useChain:
		toReplay, pending, findings = planChain(inVersionOrder(set.Migrations), st)
	case st.golang != nil:
		toReplay, pending, findings = migrations.Plan(set, st.golang)
	default:
		toReplay = set.Migrations
	}
	return toReplay, pending, findings, warning
}

// migrationFiles lays out what builds the expected schema: the beforeFirstUse and
// beforeMigrate callbacks, the migrations, the afterMigrate callbacks. Callbacks of the other
// phases are left out, with a warning for each that would change the schema.
func migrationFiles(set *migrations.Set, ms []migrations.Migration, target string, versionNum int) ([]File, []string) {
	byPhase := map[string][]migrations.Migration{}
	for _, c := range set.Callbacks {
		phase := migrations.CallbackPhase(c.File)
		byPhase[phase] = append(byPhase[phase], c)
	}
	var files []File
	add := func(ms []migrations.Migration) {
		for _, m := range ms {
			files = append(files, File{Name: m.File, Content: m.Content})
		}
	}
	add(byPhase["beforeFirstUse"])
	add(byPhase["beforeMigrate"])
	add(ms)
	add(byPhase["afterMigrate"])
	var warnings []string
	for _, phase := range migrations.CallbackPhases {
		if phase == "beforeFirstUse" || phase == "beforeMigrate" || phase == "afterMigrate" {
			continue
		}
		for _, c := range byPhase[phase] {
			f := File{Name: c.File, Content: c.Content}
			if exp, err := Parse([]File{f}, ParseOptions{ServerVersionNum: versionNum, Database: target}); err == nil && exp.Statements == 0 {
				continue
			}
			warnings = append(warnings, fmt.Sprintf("callback %s changes the schema, or may: it is not counted, because neo4j-migrations runs %s callbacks only around %s, not around migrate",
				path.Base(c.File), phase, strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(phase, "before"), "after"))))
		}
	}
	return files, warnings
}

// otherDatabasesNote says how many statements the set sends to other databases than target,
// which this comparison leaves out.
func otherDatabasesNote(files []File, target string) string {
	counts := map[string]int{}
	for _, f := range files {
		if isCatalogFile(f.Name) {
			continue
		}
		stmts, err := splitStatements(f.Name, f.Content)
		if err != nil {
			continue
		}
		session := ""
		for _, st := range stmts {
			if db, ok, err := useCommand(st); ok {
				if err == nil {
					session = db
				}
				continue
			}
			if st.command {
				continue
			}
			db, _ := useClause(st)
			if db == "" {
				db = session
			}
			if db != "" && !sameDatabase(db, target) {
				counts[strings.ToLower(db)]++
			}
		}
	}
	if len(counts) == 0 {
		return ""
	}
	var parts, dbs []string
	for db := range counts {
		dbs = append(dbs, db)
	}
	sort.Strings(dbs)
	for _, db := range dbs {
		parts = append(parts, fmt.Sprintf("%d for %s", counts[db], db))
	}
	return fmt.Sprintf("statements for other databases than %s are not compared (%s): compare each database with a target of its own (a URI with ?database=NAME)",
		target, strings.Join(parts, ", "))
}
