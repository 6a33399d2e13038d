package neo4j

import (
	"fmt"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// ParseOptions tune the static parser.
type ParseOptions struct {
	// ServerVersionNum is the version of the server the migrations are meant for, as in
	// snapshot.ServerVersionNum (52612 for 5.26.12). A CREATE INDEX without a type makes a
	// BTREE index before 5.0 and a RANGE index from 5.0 on; zero means 5.0 or later.
	ServerVersionNum int
	// Database is the database the expected schema is for. Statements a `:use other` command
	// or a `USE other` clause sends to another database are skipped (see Skipped.Database);
	// statements without either run in the migrations' target database, which is this one.
	// Empty means "neo4j", the default database.
	Database string
}

// DefaultDatabase is the name Neo4j gives the default database, and what a `:use` is compared
// with when the target's database is not known.
const DefaultDatabase = "neo4j"

// Skipped is a statement the static parser did not apply because it does not change the
// schema: data statements (MATCH ... SET, CREATE (n:...), MERGE), procedure calls,
// administration and cypher-shell commands. The CLI lists them in verbose mode.
type Skipped struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Statement string `json:"statement"` // the first line of the statement, shortened
	Reason    string `json:"reason"`
	// Database is set when the statement was skipped because it is for another database.
	Database string `json:"database,omitempty"`
}

// Expected is the schema a set of migrations builds, as the static parser sees it.
type Expected struct {
	Snapshot *snapshot.Snapshot
	// Skipped lists the statements that were not schema statements, in file order.
	Skipped []Skipped
	// Statements counts the schema statements applied.
	Statements int
}

// Parse builds the expected schema from migration files, given in migration order, by applying
// their schema statements: CREATE/DROP INDEX and CREATE/DROP CONSTRAINT in the 4.x (ON ...
// ASSERT, CREATE INDEX ON :Label(prop)) and 5.x (FOR ... REQUIRE) forms, with IF [NOT] EXISTS
// and OPTIONS, and the 4.x fulltext procedures. A statement it cannot parse, and one that would
// fail on a server (creating what exists, dropping what does not), is a *ParseError naming the
// file and line: a silently partial expected schema would report drift that is not there.
func Parse(files []File, opts ParseOptions) (*Expected, error) {
	defaultType := "RANGE"
	if opts.ServerVersionNum > 0 && opts.ServerVersionNum < 50000 {
		defaultType = "BTREE"
	}
	target := opts.Database
	if target == "" {
		target = DefaultDatabase
	}
	var s schemaState
	exp := &Expected{}
	var cat catalog
	for _, f := range files {
		if isCatalogFile(f.Name) {
			ops, err := catalogMigration(f, &cat, defaultType)
			if err != nil {
				return nil, err
			}
			for _, o := range ops {
				if err := s.apply(o); err != nil {
					return nil, err
				}
				exp.Statements++
			}
			continue
		}
		stmts, err := splitStatements(f.Name, f.Content)
		if err != nil {
			return nil, err
		}
		session := "" // every file starts in the target database
		for _, st := range stmts {
			if db, ok, err := useCommand(st); ok {
				if err != nil {
					return nil, err
				}
				session = db
				continue
			}
			c, err := classify(st, defaultType)
			if err != nil {
				return nil, err
			}
			db := session
			if c.database != "" {
				db = c.database
			}
			if db != "" && !sameDatabase(db, target) {
				exp.Skipped = append(exp.Skipped, Skipped{File: st.file, Line: st.line, Statement: st.summary(),
					Reason: fmt.Sprintf("for database %s, not %s", db, target), Database: db})
				continue
			}
			if c.skip != "" {
				exp.Skipped = append(exp.Skipped, Skipped{File: st.file, Line: st.line, Statement: st.summary(), Reason: c.skip})
				continue
			}
			for _, o := range c.ops {
				if err := s.apply(o); err != nil {
					return nil, err
				}
				exp.Statements++
			}
		}
	}
	snap := snapshot.New(snapshot.EngineNeo4j)
	snap.Source = snapshot.Source{Kind: snapshot.SourceMigrations}
	var items []item
	for _, e := range s.items {
		if e.typ == "LOOKUP" || isMigrationToolItem(e.name, e.labels) {
			continue
		}
		items = append(items, e.item)
	}
	addItems(snap, items)
	if err := snap.Normalize(); err != nil {
		return nil, fmt.Errorf("building expected neo4j snapshot: %w", err)
	}
	exp.Snapshot = snap
	return exp, nil
}

// schemaState is the schema built so far, in creation order.
type schemaState struct {
	items []stateItem
}

type stateItem struct {
	item
	file string
	line int
}

func (e stateItem) where() string { return fmt.Sprintf("%s:%d", e.file, e.line) }

func what(kind string) string {
	switch kind {
	case KindConstraint:
		return "constraint"
	case "":
		return "index or constraint"
	}
	return "index"
}

func (s *schemaState) byName(name string) int {
	for i, e := range s.items {
		if e.name == name {
			return i
		}
	}
	return -1
}

// apply performs one schema operation the way a server would, failing where the server fails.
func (s *schemaState) apply(o op) error {
	fail := func(format string, args ...any) error {
		return &ParseError{File: o.file, Line: o.line, Msg: fmt.Sprintf(format, args...)}
	}
	switch o.kind {
	case opCreate:
		it := o.it
		if it.name != "" {
			if i := s.byName(it.name); i >= 0 {
				if o.ifNotExists {
					return nil
				}
				return fail("an %s named %s already exists (created at %s)", what(s.items[i].kind), it.name, s.items[i].where())
			}
		}
		for _, e := range s.items {
			if e.sameSchema(it) {
				if o.ifNotExists || it.typ == "LOOKUP" {
					return nil
				}
				return fail("an equivalent %s already exists (created at %s)", what(it.kind), e.where())
			}
			if conflict := backingConflict(e.item, it); conflict != "" {
				if o.ifNotExists && it.kind == KindIndex {
					// The server treats the constraint's own index as the one asked for.
					return nil
				}
				return fail("%s (created at %s)", conflict, e.where())
			}
		}
		s.items = append(s.items, stateItem{item: it, file: o.file, line: o.line})
		return nil
	case opDropByName:
		if i := s.byName(o.name); i >= 0 {
			if o.target != "" && s.items[i].kind != o.target {
				return fail("%s is a %s, not an %s", o.name, what(s.items[i].kind), what(o.target))
			}
			s.items = append(s.items[:i], s.items[i+1:]...)
			return nil
		}
		if isGeneratedName(o.name) && s.hasUnnamed(o.target) {
			return fail("%s looks like a name Neo4j generated; the static parser cannot tell which unnamed %s it is (name your %ses, or replay the migrations on a scratch instance)", o.name, what(o.target), what(o.target))
		}
		if o.ifExists {
			return nil
		}
		return fail("there is no %s named %s to drop", what(o.target), o.name)
	case opApply:
		// neo4j-migrations keeps its own lock constraints; everything else goes.
		kept := s.items[:0]
		for _, e := range s.items {
			if isMigrationToolItem(e.name, e.labels) {
				kept = append(kept, e)
			}
		}
		s.items = kept
		for _, it := range o.items {
			if err := s.apply(op{kind: opCreate, target: it.kind, name: it.name, it: it, file: o.file, line: o.line}); err != nil {
				return err
			}
		}
		return nil
	case opDropBySchema:
		for i, e := range s.items {
			match := e.sameSchema(o.it)
			if !match && o.target == KindIndex && e.kind == KindIndex && (e.typ == "RANGE" || e.typ == "BTREE") {
				// DROP INDEX ON :Label(prop) drops the label/property index whatever its type.
				cp := o.it
				cp.typ = e.typ
				match = e.sameSchema(cp)
			}
			if match {
				s.items = append(s.items[:i], s.items[i+1:]...)
				return nil
			}
		}
		return fail("there is no %s on %s to drop", what(o.target), strings.TrimPrefix(o.it.contentKey(), strings.ToLower(o.it.typ)+" "))
	}
	return fail("unknown operation")
}

func (s *schemaState) hasUnnamed(kind string) bool {
	for _, e := range s.items {
		if e.kind == kind && (e.name == "" || isGeneratedName(e.name)) {
			return true
		}
	}
	return false
}

// backingConflict reports the server's refusal to have a range index and an index-backed
// constraint (uniqueness or key) on the same schema: the constraint owns such an index already.
func backingConflict(existing, created item) string {
	idx, con := existing, created
	if idx.kind == KindConstraint {
		idx, con = con, idx
	}
	if idx.kind != KindIndex || con.kind != KindConstraint || (idx.typ != "RANGE" && idx.typ != "BTREE") {
		return ""
	}
	if !strings.HasSuffix(con.typ, "_UNIQUENESS") && !strings.HasSuffix(con.typ, "_KEY") {
		return ""
	}
	if idx.entity != con.entity || strings.Join(idx.labels, "\x00") != strings.Join(con.labels, "\x00") ||
		strings.Join(idx.props, "\x00") != strings.Join(con.props, "\x00") {
		return ""
	}
	if existing.kind == KindIndex {
		return fmt.Sprintf("an index on %s already exists; the %s constraint cannot be created until it is dropped", pattern(idx.entity, idx.labels), strings.ToLower(con.typ))
	}
	return fmt.Sprintf("a %s constraint on %s already owns an index on these properties", strings.ToLower(con.typ), pattern(con.entity, con.labels))
}
