package fixsql

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Columns of tables, and attributes of composite types (which the catalog reads as columns).

func createColumn(g *gen, t *snapshot.Object) {
	if g.cannotCollate(t, t.Attrs.Value("collation")) {
		return
	}
	switch g.to.ownerKind(t) {
	case "type":
		g.add(createPhase, rankColumn, t, "ALTER TYPE "+relName(t.Parent)+" ADD ATTRIBUTE "+attributeDef(g, t)+";")
	case "table":
		s := g.add(createPhase, rankColumn, t, "ALTER TABLE "+relName(t.Parent)+" ADD COLUMN "+columnDef(g, t)+";")
		a := t.Attrs
		switch {
		case a.Has("generated") || a.Has("identity") || volatileDefault(a.Value("default")):
			s.hazards = append(s.hazards, hazardRewrite)
		case a.Value("not_null") == "true" && !a.Has("default"):
			s.notes = append(s.notes, "fails if the table has rows: NOT NULL without a default")
		}
	default:
		g.cannot(t, "its owner is not a table or a composite type")
	}
}

func dropColumn(g *gen, f *snapshot.Object) {
	switch g.from.ownerKind(f) {
	case "type":
		g.add(dropPhase, rankDropColumn, f, "ALTER TYPE "+relName(f.Parent)+" DROP ATTRIBUTE "+quoteIdent(f.Key.Sub())+";")
	case "table":
		only := ""
		if g.childKeeps(f) {
			only = "ONLY " // the children keep the column, as their own
		}
		s := g.add(dropPhase, rankDropColumn, f, "ALTER TABLE "+only+relName(f.Parent)+" DROP COLUMN "+quoteIdent(f.Key.Sub())+";")
		s.hazards = append(s.hazards, hazardDropsData)
	default:
		g.cannot(f, "its owner is not a table or a composite type")
	}
}

// userType reports whether a column type names a type of either schema (an enum, a domain…).
func (g *gen) userType(typ string) bool {
	for _, q := range scanRefs(typ).qualified {
		k := snapshot.ID{Kind: "type", Key: snapshot.KeyOf(q[0], q[1], "", "")}
		if g.from.get(k) != nil || g.to.get(k) != nil {
			return true
		}
	}
	return false
}

// childKeeps reports whether an inheritance child of the column's table keeps a column of
// that name: dropping the parent's would drop the child's too.
func (g *gen) childKeeps(f *snapshot.Object) bool {
	for _, child := range g.from.inheritanceChildren(f.Parent) {
		if g.to.find("column", snapshot.KeyOf(child.Key.Schema(), child.Key.Name(), f.Key.Sub(), "")) != nil {
			return true
		}
	}
	return false
}

// rebuildColumn: a table column is dropped and added again when it becomes generated (a plain
// column cannot), when its generation expression changes before PostgreSQL 17 (SET
// EXPRESSION), or when it turns from stored to virtual or back (PostgreSQL 18 alters neither).
func rebuildColumn(g *gen, f, t *snapshot.Object) bool {
	if g.from.ownerKind(f) != "table" || !t.Attrs.Has("generated") {
		return false
	}
	if f.Attrs.Has("generated") && attrChanged(f, t, "generated_kind") {
		return true
	}
	if !attrChanged(f, t, "generated") {
		return false
	}
	return !f.Attrs.Has("generated") || (g.version != 0 && g.version < 170000)
}

func alterColumn(g *gen, f, t *snapshot.Object) {
	switch g.to.ownerKind(t) {
	case "view", "materialized_view":
		g.covered[t.ID()] = snapshot.ID{Kind: g.to.ownerKind(t), Key: t.Parent} // its definition makes its columns
		return
	case "type":
		alterAttribute(g, f, t)
		return
	case "table":
	default:
		g.cannot(t, "its owner is not a table or a composite type")
		return
	}
	id := t.ID()
	col := "ALTER TABLE " + relName(t.Parent) + " ALTER COLUMN " + quoteIdent(t.Key.Sub()) + " "
	fa, ta := f.Attrs, t.Attrs

	if fa.Has("identity") && !ta.Has("identity") {
		// In the drop phase: its sequence's name may be the one a new sequence takes.
		g.add(dropPhase, rankDropDefault, f, col+"DROP IDENTITY;")
	}
	if fa.Has("generated") && !ta.Has("generated") {
		if g.version != 0 && g.version < 130000 {
			g.cannot(t, "a generated column becomes a plain one with DROP EXPRESSION, which needs PostgreSQL 13")
		} else {
			g.add(createPhase, rankColumn, t, col+"DROP EXPRESSION;")
		}
	} else if attrChanged(f, t, "generated") {
		s := g.add(createPhase, rankColumn, t, col+"SET EXPRESSION AS ("+ta.Value("generated")+");")
		s.hazards = append(s.hazards, hazardRewrite)
	}

	defaultDone := g.defaultsRebuilt[id] // dropped in the drop phase, set again separately
	retype := attrChanged(f, t, "type") || attrChanged(f, t, "collation")
	if retype && g.cannotCollate(t, ta.Value("collation")) {
		retype = false
	}
	if retype {
		if fa.Has("default") && !defaultDone {
			// The old default may not cast to the new type: drop it, set the new one after.
			g.add(createPhase, rankColumn, t, col+"DROP DEFAULT;")
			if d, ok := ta.Get("default"); ok {
				g.add(createPhase, rankDefault, t, col+"SET DEFAULT "+d+";")
			}
			defaultDone = true
		}
		newType := ta.Value("type")
		sql := col + "TYPE " + newType
		if c, ok := ta.Get("collation"); ok {
			sql += " COLLATE " + g.collation(c)
		}
		oldType := fa.Value("type")
		rewrite := !binaryCoercible(oldType, newType)
		using := rewrite && needsUsing(oldType, newType)
		if using {
			// Between user-defined types (one enum to another) there is rarely a cast, but
			// there is always one through text.
			via := "::"
			if g.userType(fa.Value("type")) || g.userType(newType) {
				via = "::text::"
			}
			sql += " USING " + quoteIdent(t.Key.Sub()) + via + newType
		}
		s := g.add(createPhase, rankColumn, t, sql+";")
		if using && !sameFamily(oldType, newType) && !g.userType(oldType) && !g.userType(newType) {
			s.notes = append(s.notes, "PostgreSQL may have no cast from "+oldType+" to "+newType+": if the statement says so, write the USING expression that converts the values")
		}
		switch {
		case rewrite:
			s.hazards = append(s.hazards, hazardRewrite)
			if h := narrowing(oldType, newType); h != "" {
				s.hazards = append(s.hazards, h)
			}
		case attrChanged(f, t, "collation"):
			s.hazards = append(s.hazards, "rebuilds the indexes on the column under ACCESS EXCLUSIVE")
		}
	}
	if !defaultDone && attrChanged(f, t, "default") {
		if d, ok := ta.Get("default"); ok {
			g.add(createPhase, rankDefault, t, col+"SET DEFAULT "+d+";")
		} else {
			g.add(createPhase, rankColumn, t, col+"DROP DEFAULT;")
		}
	}
	if attrChanged(f, t, "not_null") {
		if ta.Value("not_null") == "true" {
			setNotNull(g, t)
		} else if !ta.Has("identity") {
			g.add(createPhase, rankColumn, t, col+"DROP NOT NULL;")
		}
	}
	if ta.Has("identity") && attrChanged(f, t, "identity") {
		kind := "ALWAYS"
		if ta.Value("identity") == "by default" {
			kind = "BY DEFAULT"
		}
		if fa.Has("identity") {
			g.add(createPhase, rankColumn, t, col+"SET GENERATED "+kind+";")
		} else {
			if fa.Has("default") && !attrChanged(f, t, "default") {
				g.add(createPhase, rankColumn, t, col+"DROP DEFAULT;")
			}
			g.add(createPhase, rankDefault, t, col+"ADD GENERATED "+kind+" AS IDENTITY"+identityOptions(t)+";")
			s := g.add(createPhase, rankDefault, t, identitySetval(t))
			s.notes = append(s.notes, "the new identity sequence would start at its start value: move it past the values the column already holds")
		}
	}
	if fa.Has("identity") && ta.Has("identity") && attrChanged(f, t, "identity_sequence") {
		if set := identitySet(t); set != "" {
			// RESTART: the counter may lie outside the new bounds (a never used sequence sits at
			// its old start), which ALTER refuses; the setval then moves it past the column's
			// values again, and stops if they no longer fit the new bounds.
			s := g.add(createPhase, rankColumn, t, col+set+" RESTART;")
			s.hazards = append(s.hazards, "restarts the identity sequence (the next statement moves it past the column's values)")
			g.add(createPhase, rankColumn, t, identitySetval(t))
		} else {
			g.cannot(t, "its identity sequence's options are not recorded")
		}
	}
	if g.o.ColumnOrder && attrChanged(f, t, "position") {
		g.cannot(t, "PostgreSQL cannot move a column: the table has to be created anew with the columns in order")
	}
}

// setNotNull makes a column NOT NULL. Online, a validated CHECK proves it first, so SET NOT
// NULL itself does not scan the table under ACCESS EXCLUSIVE.
func setNotNull(g *gen, t *snapshot.Object) {
	table := relName(t.Parent)
	col := quoteIdent(t.Key.Sub())
	if !g.o.Online || partitioned(g.to.table(t.Parent)) {
		s := g.add(createPhase, rankColumn, t, "ALTER TABLE "+table+" ALTER COLUMN "+col+" SET NOT NULL;")
		s.hazards = append(s.hazards, "scans the table under ACCESS EXCLUSIVE")
		return
	}
	check := quoteIdent(truncateName(t.Key.Sub(), 48) + "_not_null_drift")
	g.add(createPhase, rankColumn, t, "ALTER TABLE "+table+" ADD CONSTRAINT "+check+" CHECK ("+col+" IS NOT NULL) NOT VALID;")
	s := g.add(createPhase, rankColumn, t, "ALTER TABLE "+table+" VALIDATE CONSTRAINT "+check+";")
	s.hazards = append(s.hazards, hazardValidates)
	s = g.add(createPhase, rankColumn, t, "ALTER TABLE "+table+" ALTER COLUMN "+col+" SET NOT NULL;")
	s.notes = append(s.notes, "the validated check proves it: no scan")
	g.add(createPhase, rankColumn, t, "ALTER TABLE "+table+" DROP CONSTRAINT "+check+";")
}

// alterAttribute changes an attribute of a composite type.
func alterAttribute(g *gen, f, t *snapshot.Object) {
	if attrChanged(f, t, "type") || attrChanged(f, t, "collation") {
		sql := "ALTER TYPE " + relName(t.Parent) + " ALTER ATTRIBUTE " + quoteIdent(t.Key.Sub()) + " SET DATA TYPE " + t.Attrs.Value("type")
		if c, ok := t.Attrs.Get("collation"); ok {
			sql += " COLLATE " + g.collation(c)
		}
		g.add(createPhase, rankColumn, t, sql+";")
	}
	if g.o.ColumnOrder && attrChanged(f, t, "position") {
		g.cannot(t, "PostgreSQL cannot move an attribute of a composite type: the type has to be created anew")
	}
}

func attributeDef(g *gen, c *snapshot.Object) string {
	def := quoteIdent(c.Key.Sub()) + " " + c.Attrs.Value("type")
	if coll, ok := c.Attrs.Get("collation"); ok {
		def += " COLLATE " + g.collation(coll)
	}
	return def
}

// dropDefaultFor drops a column's default before what it names is dropped or rebuilt.
func dropDefaultFor(g *gen, f *snapshot.Object) {
	g.add(dropPhase, rankDropDefault, f, "ALTER TABLE "+relName(f.Parent)+" ALTER COLUMN "+quoteIdent(f.Key.Sub())+" DROP DEFAULT;")
}

// setDefaultFor sets a column's default again once what it names exists.
func setDefaultFor(g *gen, _, t *snapshot.Object) {
	if d, ok := t.Attrs.Get("default"); ok {
		g.add(createPhase, rankDefault, t, "ALTER TABLE "+relName(t.Parent)+" ALTER COLUMN "+quoteIdent(t.Key.Sub())+" SET DEFAULT "+d+";")
	}
}

var volatileCall = regexp.MustCompile(`\b(nextval|random|gen_random_uuid|uuid_generate_v[14]|clock_timestamp|timeofday|txid_current|pg_current_xact_id)\(`)

// volatileDefault reports whether a default calls a volatile function, which makes ADD COLUMN
// fill every row (a rewrite) instead of storing the default once.
func volatileDefault(d string) bool { return d != "" && volatileCall.MatchString(d) }

var typmod = regexp.MustCompile(`^(character varying|numeric|bit varying)\((\d+)(?:,(\d+))?\)$`)

// binaryCoercible reports whether changing a column from one type to the other needs no table
// rewrite: a longer varchar, varchar to text, a numeric of greater precision and equal scale.
// Anything else is assumed to rewrite.
func binaryCoercible(from, to string) bool {
	if from == to {
		return true
	}
	fm, tm := typmod.FindStringSubmatch(from), typmod.FindStringSubmatch(to)
	switch {
	case (fm != nil && fm[1] == "character varying" || from == "character varying") && (to == "text" || to == "character varying"):
		return true
	case from == "text" && to == "character varying":
		return true
	case fm != nil && tm == nil && to == fm[1]:
		return true // dropping the length limit
	case fm != nil && tm != nil && fm[1] == tm[1]:
		fn, _ := atoi(fm[2])
		tn, _ := atoi(tm[2])
		return tn >= fn && fm[3] == tm[3]
	}
	return false
}

// needsUsing reports whether ALTER COLUMN … TYPE needs a USING clause to go from one type to
// the other: not within one type (a length or precision changes) and not to a string type,
// which every type reaches by an assignment cast. Without USING the server applies the
// assignment cast, which fails on a value that does not fit (varchar(16) of a longer text);
// an explicit cast in USING would cut the value instead, silently.
func needsUsing(from, to string) bool {
	fb, fdims := baseType(from)
	tb, tdims := baseType(to)
	if fb == tb && fdims == tdims {
		return false
	}
	return !(tdims == 0 && stringBase[tb])
}

// typeFamilies group the built-in types between which PostgreSQL has casts.
var typeFamilies = map[string]string{
	"smallint": "number", "integer": "number", "bigint": "number", "numeric": "number", "real": "number", "double precision": "number",
	"date": "time", "timestamp without time zone": "time", "timestamp with time zone": "time",
	"json": "json", "jsonb": "json",
}

// sameFamily reports whether the server surely casts between the two types (both numbers,
// both dates or timestamps, both JSON), element types alike for arrays.
func sameFamily(from, to string) bool {
	fb, fd := baseType(from)
	tb, td := baseType(to)
	return fd == td && typeFamilies[fb] != "" && typeFamilies[fb] == typeFamilies[tb]
}

// stringBase are the string types, as format_type writes them.
var stringBase = map[string]bool{"text": true, "character varying": true, "character": true}

// baseType returns a type without its modifier and array brackets, and how many array
// dimensions it has: "character varying(10)[]" is "character varying", 1.
func baseType(t string) (string, int) {
	dims := 0
	for strings.HasSuffix(t, "[]") {
		t, dims = strings.TrimSuffix(t, "[]"), dims+1
	}
	if i := strings.IndexByte(t, '('); i > 0 && strings.HasSuffix(t, ")") {
		t = t[:i]
	}
	return t, dims
}

// narrowing says what a type change within one type does to values that no longer fit: a
// shorter varchar or smaller numeric precision fails on them (the statement stops, nothing is
// lost), a smaller numeric scale rounds them. "" otherwise.
func narrowing(from, to string) string {
	fm, tm := typmod.FindStringSubmatch(from), typmod.FindStringSubmatch(to)
	if fm == nil || tm == nil || fm[1] != tm[1] {
		return ""
	}
	fn, _ := atoi(fm[2])
	tn, _ := atoi(tm[2])
	fs, _ := atoi(fm[3])
	ts, _ := atoi(tm[3])
	switch {
	case fm[1] == "numeric" && ts < fs:
		return fmt.Sprintf("rounds the column's values to %d decimal places", ts)
	case tn < fn || (fm[1] == "numeric" && tn-ts < fn-fs):
		return "fails if a value does not fit " + to + " (nothing is cut: the statement stops)"
	}
	return ""
}

func atoi(s string) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, s != ""
}

// truncateName shortens a name to at most n bytes without splitting a UTF-8 character.
func truncateName(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// identitySetval moves identity column t's sequence past the values the column holds (below
// them for a descending sequence), or to its start when it holds none.
func identitySetval(t *snapshot.Object) string {
	c := quoteIdent(t.Key.Sub())
	next := "coalesce(max(" + c + ") + 1, 1)"
	if seq, ok := parseIdentitySeq(t.Attrs.Value("identity_sequence")); ok {
		next = "coalesce(max(" + c + ") + " + seq.increment + ", " + seq.start + ")"
		if strings.HasPrefix(seq.increment, "-") {
			next = "coalesce(min(" + c + ") - " + seq.increment[1:] + ", " + seq.start + ")"
		}
	}
	return "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" + quoteLiteral(relName(t.Parent)) + ", " +
		quoteLiteral(c) + "), " + next + ", false) FROM " + relName(t.Parent) + ";"
}
