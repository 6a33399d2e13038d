package fixsql

import (
	"regexp"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Constraints of tables and domains, and renames of generated constraint and index names.

const hazardValidates = "validates constraint on all rows"

const hazardIndexLock = "builds an index under ACCESS EXCLUSIVE (blocks reads and writes)"

func createConstraint(g *gen, t *snapshot.Object) {
	owner := g.to.owner(t)
	if owner == nil {
		g.cannot(t, "its table or domain is not in the schema")
		return
	}
	def := t.Attrs.Value("definition")
	name := quoteIdent(t.Key.Sub())
	fresh := g.fresh[owner.ID()] != nil
	notValid := strings.HasSuffix(def, " NOT VALID")
	if owner.Kind == "type" {
		alter := "ALTER DOMAIN " + relName(owner.Key) + " "
		switch {
		case fresh || notValid:
			g.add(createPhase, rankConstraint, t, alter+"ADD CONSTRAINT "+name+" "+def+";")
		case g.o.Online:
			g.add(createPhase, rankConstraint, t, alter+"ADD CONSTRAINT "+name+" "+def+" NOT VALID;")
			s := g.add(createPhase, rankConstraint, t, alter+"VALIDATE CONSTRAINT "+name+";")
			s.hazards = append(s.hazards, "validates constraint on all rows of every column of the domain")
		default:
			s := g.add(createPhase, rankConstraint, t, alter+"ADD CONSTRAINT "+name+" "+def+";")
			s.hazards = append(s.hazards, "validates constraint on all rows of every column of the domain")
		}
		return
	}
	alter := "ALTER TABLE " + relName(owner.Key) + " "
	typ := t.Attrs.Value("type")
	rank := rankConstraint
	if typ == "foreign key" {
		rank = rankFK
	}
	if fresh || notValid {
		g.add(createPhase, rank, t, alter+"ADD CONSTRAINT "+name+" "+def+";")
		return
	}
	switch typ {
	case "check", "foreign key":
		if g.o.Online && !(typ == "foreign key" && partitioned(owner)) {
			g.add(createPhase, rank, t, alter+"ADD CONSTRAINT "+name+" "+def+" NOT VALID;")
			s := g.add(createPhase, rank, t, alter+"VALIDATE CONSTRAINT "+name+";")
			s.hazards = append(s.hazards, hazardValidates)
			s.notes = append(s.notes, "VALIDATE holds a lock that lets reads and writes go on")
			return
		}
		s := g.add(createPhase, rank, t, alter+"ADD CONSTRAINT "+name+" "+def+";")
		s.hazards = append(s.hazards, hazardValidates)
		if g.o.Online {
			s.notes = append(s.notes, "a foreign key on a partitioned table cannot be added NOT VALID")
		} else {
			s.notes = append(s.notes, "on a large table, run it as ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT, outside the migration's transaction")
		}
	case "primary key", "unique":
		if g.o.Online && !partitioned(owner) {
			if index, using, ok := uniqueIndexFor(t.Key.Sub(), relName(owner.Key), def); ok {
				s := g.add(createPhase, rank, t, index)
				s.noTx = true
				s.notes = append(s.notes, "if it fails it leaves an INVALID index behind: DROP INDEX CONCURRENTLY IF EXISTS "+
					qualified(owner.Key.Schema(), t.Key.Sub())+"; then run it again")
				g.add(createPhase, rank, t, alter+"ADD CONSTRAINT "+name+" "+using+";")
				return
			}
		}
		s := g.add(createPhase, rank, t, alter+"ADD CONSTRAINT "+name+" "+def+";")
		s.hazards = append(s.hazards, hazardIndexLock)
	default:
		s := g.add(createPhase, rank, t, alter+"ADD CONSTRAINT "+name+" "+def+";")
		s.hazards = append(s.hazards, hazardIndexLock)
	}
}

var uniqueDef = regexp.MustCompile(`^(PRIMARY KEY|UNIQUE)( NULLS NOT DISTINCT)? (\([^()]*\))( INCLUDE \([^()]*\))?( WITH \([^()]*\))?( USING INDEX TABLESPACE \S+)?( DEFERRABLE(?: INITIALLY DEFERRED)?)?$`)

// uniqueIndexFor splits a primary key or unique constraint into the unique index built
// CONCURRENTLY first and the ADD CONSTRAINT … USING INDEX that adopts it under a brief lock.
func uniqueIndexFor(name, table, def string) (index, using string, ok bool) {
	m := uniqueDef.FindStringSubmatch(def)
	if m == nil {
		return "", "", false
	}
	index = "CREATE UNIQUE INDEX CONCURRENTLY " + quoteIdent(name) + " ON " + table + " " + m[3] + m[4] + m[2] + m[5]
	if ts := strings.TrimPrefix(m[6], " USING INDEX TABLESPACE "); ts != "" {
		index += " TABLESPACE " + ts
	}
	return index + ";", m[1] + " USING INDEX " + quoteIdent(name) + m[7], true
}

func dropConstraint(g *gen, f *snapshot.Object) {
	owner := g.from.owner(f)
	if owner == nil {
		g.cannot(f, "its table or domain is not in the schema")
		return
	}
	rank := rankDropIndex
	if f.Attrs.Value("type") == "foreign key" {
		rank = rankDropFK
	}
	what := "ALTER TABLE "
	if owner.Kind == "type" {
		what = "ALTER DOMAIN "
	}
	g.add(dropPhase, rank, f, what+relName(owner.Key)+" DROP CONSTRAINT "+quoteIdent(f.Key.Sub())+";")
}

// rebuildConstraint: a constraint cannot change in place, except a NOT VALID one becoming
// validated.
func rebuildConstraint(_ *gen, f, t *snapshot.Object) bool {
	return !validatesOnly(f, t)
}

func validatesOnly(f, t *snapshot.Object) bool {
	return f.Attrs.Value("definition") == t.Attrs.Value("definition")+" NOT VALID" &&
		f.Attrs.Value("type") == t.Attrs.Value("type")
}

func alterConstraint(g *gen, f, t *snapshot.Object) {
	owner := g.to.owner(t)
	if owner == nil || !validatesOnly(f, t) {
		g.cannot(t, "it cannot change in place")
		return
	}
	what := "ALTER TABLE "
	if owner.Kind == "type" {
		what = "ALTER DOMAIN "
	}
	s := g.add(createPhase, rankConstraint, t, what+relName(owner.Key)+" VALIDATE CONSTRAINT "+quoteIdent(t.Key.Sub())+";")
	s.hazards = append(s.hazards, hazardValidates)
}

// rename renames a constraint or index whose name PostgreSQL generated differently on the two
// sides.
func (g *gen) rename(f, t *snapshot.Object) {
	var sql string
	switch t.Kind {
	case "constraint":
		what := "ALTER TABLE "
		if g.to.ownerKind(t) == "type" {
			what = "ALTER DOMAIN "
		}
		sql = what + relName(t.Parent) + " RENAME CONSTRAINT " + quoteIdent(f.Key.Sub()) + " TO " + quoteIdent(t.Key.Sub()) + ";"
	case "index":
		sql = "ALTER INDEX " + relName(f.Key) + " RENAME TO " + quoteIdent(t.Key.Name()) + ";"
	default:
		return
	}
	s := g.add(createPhase, rankRename, t, sql)
	s.also = append(s.also, f.ID())
}
