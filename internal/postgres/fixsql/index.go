package fixsql

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Indexes that no constraint owns. Online, they are built and dropped CONCURRENTLY, outside a
// transaction block; the INVALID index a failed CONCURRENTLY build leaves is dropped and built
// again.

const noteConcurrentFailure = "if it fails it leaves an INVALID index behind: drop it with DROP INDEX CONCURRENTLY IF EXISTS and run this again"

// indexParts splits pg_get_indexdef's "CREATE [UNIQUE ]INDEX name ON [ONLY ]table USING …" into
// the text before the name, the name, the ONLY keyword and what follows the table.
func indexParts(def string) (head, name, only, rest string, ok bool) {
	switch {
	case strings.HasPrefix(def, "CREATE UNIQUE INDEX "):
		head = "CREATE UNIQUE INDEX "
	case strings.HasPrefix(def, "CREATE INDEX "):
		head = "CREATE INDEX "
	default:
		return "", "", "", "", false
	}
	parts, end := readChain(def, len(head))
	if len(parts) != 1 || !strings.HasPrefix(def[end:], " ON ") {
		return "", "", "", "", false
	}
	name = def[len(head):end]
	tail := def[end+len(" ON "):]
	if strings.HasPrefix(tail, "ONLY ") {
		only, tail = "ONLY ", tail[len("ONLY "):]
	}
	_, tend := readChain(tail, 0)
	return head, name, only, tail[tend:], true
}

// indexBody is an index definition without its name and table: what a partition's copy of a
// parent's index has in common with it.
func indexBody(def string) string {
	head, _, _, rest, ok := indexParts(def)
	if !ok {
		return def
	}
	return head + rest
}

// indexSQL renders an index definition to create: CONCURRENTLY when asked, under another name
// when one is given, and recursing into partitions (without ONLY) for a partitioned table.
func indexSQL(def string, concurrently bool, table snapshot.Key, newName string) string {
	head, name, _, rest, ok := indexParts(def)
	if !ok {
		return def
	}
	if concurrently {
		head += "CONCURRENTLY "
	}
	if newName != "" {
		name = quoteIdent(newName)
	}
	return head + name + " ON " + relName(table) + rest
}

func createIndex(g *gen, t *snapshot.Object) {
	if t.Attrs.Value("valid") == "false" {
		g.cannot(t, "it is INVALID: the remains of a failed CREATE INDEX CONCURRENTLY, nothing to create; build it valid or leave it out")
		return
	}
	owner := g.to.owner(t)
	fresh := owner != nil && g.fresh[owner.ID()] != nil
	concurrent := g.o.Online && !fresh && !partitioned(owner) && !isHypertable(g.to, t.Parent)
	s := g.add(createPhase, rankIndex, t, indexSQL(t.Attrs.Value("definition"), concurrent, t.Parent, "")+";")
	switch {
	case concurrent:
		s.noTx = true
		s.notes = append(s.notes, noteConcurrentFailure)
	case !fresh:
		s.hazards = append(s.hazards, "blocks writes to the table while the index builds")
	}
	if f := g.from.get(t.ID()); f != nil {
		replicaIdentityAgain(g, f, t) // rebuilt: dropped, and the table's replica identity with it
	}
}

func dropIndex(g *gen, f *snapshot.Object) {
	owner := g.from.owner(f)
	if g.o.Online && !partitioned(owner) && !isHypertable(g.from, f.Parent) {
		s := g.add(dropPhase, rankDropIndex, f, "DROP INDEX CONCURRENTLY IF EXISTS "+relName(f.Key)+";")
		s.noTx = true
		return
	}
	g.add(dropPhase, rankDropIndex, f, "DROP INDEX "+relName(f.Key)+";")
}

// rebuildIndex: a changed index is dropped and created again, except online, where the new one
// is built beside the old one first (alterIndex).
func rebuildIndex(g *gen, f, t *snapshot.Object) bool {
	if t.Attrs.Value("valid") == "false" {
		return false // nothing to build: alterIndex says so
	}
	return !g.o.Online || partitioned(g.from.owner(f)) || isHypertable(g.from, f.Parent) ||
		strings.HasPrefix(f.Attrs.Value("definition"), "CREATE UNIQUE ") && g.referencedByForeignKey(f.Parent)
}

// referencedByForeignKey reports whether a foreign key on the from side references the table:
// one of its unique indexes may be what the key stands on, and the server will not drop that
// index under it (the swap alterIndex does), so the index is rebuilt with the key instead. The
// referenced tables are read once per generation.
func (g *gen) referencedByForeignKey(table snapshot.Key) bool {
	if g.fkTargets == nil {
		g.fkTargets = map[snapshot.Key]bool{}
		for _, c := range g.from.ofKind("constraint") {
			if c.Attrs.Value("type") != "foreign key" {
				continue
			}
			for _, q := range scanRefs(c.Attrs.Value("definition")).qualified {
				g.fkTargets[snapshot.KeyOf(q[0], q[1], "", "")] = true
			}
		}
	}
	return g.fkTargets[table]
}

func alterIndex(g *gen, f, t *snapshot.Object) {
	if t.Attrs.Value("valid") == "false" {
		g.cannot(t, "it is INVALID on the side to match: the remains of a failed CREATE INDEX CONCURRENTLY, which no statement makes")
		return
	}
	def := t.Attrs.Value("definition")
	name := relName(t.Key)
	if f.Attrs.Value("valid") == "false" && !attrChanged(f, t, "definition") {
		// A failed CREATE INDEX CONCURRENTLY: drop what it left, build it again.
		s := g.add(createPhase, rankIndex, t, "DROP INDEX CONCURRENTLY IF EXISTS "+name+";")
		s.noTx = true
		s.notes = append(s.notes, "the INVALID index left by a failed CREATE INDEX CONCURRENTLY")
		s = g.add(createPhase, rankIndex, t, indexSQL(def, true, t.Parent, "")+";")
		s.noTx = true
		s.notes = append(s.notes, noteConcurrentFailure)
		return
	}
	// Build the new definition beside the old one, then swap: the table is never without it.
	tmp := truncateName(t.Key.Name(), 52) + "_drift_new"
	s := g.add(createPhase, rankIndex, t, indexSQL(def, true, t.Parent, tmp)+";")
	s.noTx = true
	s.notes = append(s.notes, noteConcurrentFailure)
	s = g.add(createPhase, rankIndex, t, "DROP INDEX CONCURRENTLY IF EXISTS "+name+";")
	s.noTx = true
	g.add(createPhase, rankIndex, t, "ALTER INDEX "+qualified(t.Key.Schema(), tmp)+" RENAME TO "+quoteIdent(t.Key.Name())+";")
	replicaIdentityAgain(g, f, t)
}
