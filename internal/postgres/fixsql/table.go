package fixsql

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Tables and their attributes: persistence, partitioning, inheritance, row-level security,
// storage parameters, replica identity, access method.

const hazardDropsData = "drops data"

const hazardRewrite = "rewrites the table under ACCESS EXCLUSIVE"

func createTable(g *gen, t *snapshot.Object) {
	for _, c := range columnsOf(g.to, t.Key) {
		if g.cannotCollate(t, c.Attrs.Value("collation")) {
			return
		}
	}
	a := t.Attrs
	var b strings.Builder
	b.WriteString("CREATE ")
	if a.Value("persistence") == "unlogged" {
		b.WriteString("UNLOGGED ")
	}
	b.WriteString("TABLE " + relName(t.Key))
	parents := g.to.parentTables(t)
	if a.Has("partition_of") {
		if len(parents) != 1 {
			g.cannot(t, "its parent table "+a.Value("partition_of")+" is not in the schema")
			return
		}
		b.WriteString(" PARTITION OF " + relName(parents[0]) + " " + a.Value("partition_bound"))
	} else {
		b.WriteString(" (")
		for i, c := range columnsOf(g.to, t.Key) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n    " + columnDef(g, c))
		}
		b.WriteString("\n)")
		if len(parents) > 0 {
			names := make([]string, len(parents))
			for i, p := range parents {
				names[i] = relName(p)
			}
			b.WriteString(" INHERITS (" + strings.Join(names, ", ") + ")")
		}
	}
	if k, ok := a.Get("partition_key"); ok {
		b.WriteString(" PARTITION BY " + k)
	}
	if am, ok := a.Get("access_method"); ok {
		b.WriteString(" USING " + quoteIdent(am))
	}
	if opts, ok := a.Get("reloptions"); ok {
		b.WriteString(" WITH (" + optionList(opts) + ")")
	}
	g.add(createPhase, rankTable, t, b.String()+";")

	if len(parents) == 1 && a.Has("partition_of") {
		partitionColumns(g, t, parents[0])
	}
	name := relName(t.Key)
	if a.Value("rls_enabled") == "true" {
		g.add(createPhase, rankTableAttr, t, "ALTER TABLE "+name+" ENABLE ROW LEVEL SECURITY;")
	}
	if a.Value("rls_forced") == "true" {
		g.add(createPhase, rankTableAttr, t, "ALTER TABLE "+name+" FORCE ROW LEVEL SECURITY;")
	}
	if ri := a.Value("replica_identity"); ri != "" && ri != "default" {
		replicaIdentity(g, t, ri)
	}
}

// partitionColumns sets, on a new partition, the defaults and NOT NULLs in which its columns
// differ from its parent's: PARTITION OF takes the parent's.
func partitionColumns(g *gen, t *snapshot.Object, parent snapshot.Key) {
	for _, c := range columnsOf(g.to, t.Key) {
		pc := g.to.find("column", snapshot.KeyOf(parent.Schema(), parent.Name(), c.Key.Sub(), ""))
		if pc == nil {
			g.cannot(c, "a partition's columns are its parent's, and the parent has no column "+c.Key.Sub())
			continue
		}
		alter := "ALTER TABLE " + relName(t.Key) + " ALTER COLUMN " + quoteIdent(c.Key.Sub())
		if d, ok := c.Attrs.Get("default"); ok && d != pc.Attrs.Value("default") {
			g.add(createPhase, rankDefault, c, alter+" SET DEFAULT "+d+";")
		}
		if c.Attrs.Value("not_null") == "true" && pc.Attrs.Value("not_null") != "true" {
			g.add(createPhase, rankColumn, c, alter+" SET NOT NULL;")
		}
	}
}

func dropTable(g *gen, f *snapshot.Object) {
	s := g.add(dropPhase, rankDropTable, f, "DROP TABLE "+relName(f.Key)+";")
	s.hazards = append(s.hazards, hazardDropsData)
	// Its foreign keys go with it: it must go before the keys they reference.
	for _, c := range g.from.under("constraint", f.Key) {
		if c.Attrs.Value("type") == "foreign key" {
			for _, q := range scanRefs(c.Attrs.Value("definition")).qualified {
				s.needs = append(s.needs, uniqueKey(snapshot.KeyOf(q[0], q[1], "", "")))
			}
		}
	}
	refs := "REFERENCES " + relName(f.Key) + "("
	if partitioned(f) {
		refs = "FOREIGN KEY" // its partitions are not known by name either
	}
	if who := g.partitionSummaryNaming(refs); who != "" {
		s.notes = append(s.notes, "a partition of "+who+" has a foreign key of its own that may reference it (partitions are not compared one by one): if the DROP fails, drop that key first, or set partitions: all to have it written")
	}
	if partitioned(f) {
		s.notes = append(s.notes, "also drops its partitions and their data")
	}
}

func alterTable(g *gen, f, t *snapshot.Object) {
	name := relName(t.Key)
	alter := "ALTER TABLE " + name + " "
	if attrChanged(f, t, "partition_key") {
		g.cannot(t, "the partitioning of a table cannot change in place: create the table anew, move the data and swap the names")
	}
	// Leaving a parent comes first (a parent about to be dropped must lose its children);
	// joining one comes after the columns are made to match.
	if attrChanged(f, t, "partition_of") || attrChanged(f, t, "partition_bound") {
		if parents := g.from.parentTables(f); len(parents) == 1 && f.Attrs.Has("partition_of") {
			g.add(dropPhase, rankDropTable-1, f, "ALTER TABLE "+relName(parents[0])+" DETACH PARTITION "+name+";")
		}
		if parents := g.to.parentTables(t); len(parents) == 1 && t.Attrs.Has("partition_of") {
			s := g.add(createPhase, rankAttach, t, "ALTER TABLE "+relName(parents[0])+" ATTACH PARTITION "+name+" "+t.Attrs.Value("partition_bound")+";")
			s.hazards = append(s.hazards, "validates the partition bound on all rows")
			s.notes = append(s.notes, "to skip that scan, first add a CHECK constraint matching the bound NOT VALID and VALIDATE it")
		}
	}
	if attrChanged(f, t, "inherits") {
		was, now := g.from.parentTables(f), g.to.parentTables(t)
		for _, p := range was {
			if !slices.Contains(now, p) {
				g.add(dropPhase, rankDropTable-1, f, alter+"NO INHERIT "+relName(p)+";")
			}
		}
		for _, p := range now {
			if !slices.Contains(was, p) {
				g.add(createPhase, rankAttach, t, alter+"INHERIT "+relName(p)+";")
			}
		}
	}
	if attrChanged(f, t, "persistence") {
		what := "SET LOGGED"
		if t.Attrs.Value("persistence") == "unlogged" {
			what = "SET UNLOGGED"
		}
		s := g.add(createPhase, rankTableAttr, t, alter+what+";")
		s.hazards = append(s.hazards, hazardRewrite)
	}
	if attrChanged(f, t, "access_method") {
		am := t.Attrs.Value("access_method")
		if am == "" {
			am = "heap"
		}
		if g.version != 0 && g.version < 150000 {
			g.cannot(t, "changing a table's access method needs PostgreSQL 15 (ALTER TABLE … SET ACCESS METHOD)")
		} else {
			s := g.add(createPhase, rankTableAttr, t, alter+"SET ACCESS METHOD "+quoteIdent(am)+";")
			s.hazards = append(s.hazards, hazardRewrite)
		}
	}
	if attrChanged(f, t, "rls_enabled") {
		what := "DISABLE"
		if t.Attrs.Value("rls_enabled") == "true" {
			what = "ENABLE"
		}
		g.add(createPhase, rankTableAttr, t, alter+what+" ROW LEVEL SECURITY;")
	}
	if attrChanged(f, t, "rls_forced") {
		what := "NO FORCE"
		if t.Attrs.Value("rls_forced") == "true" {
			what = "FORCE"
		}
		g.add(createPhase, rankTableAttr, t, alter+what+" ROW LEVEL SECURITY;")
	}
	if attrChanged(f, t, "reloptions") {
		setOptions(g, t, alter, f.Attrs.Value("reloptions"), t.Attrs.Value("reloptions"))
	}
	if attrChanged(f, t, "replica_identity") {
		replicaIdentity(g, t, t.Attrs.Value("replica_identity"))
	}
}

// setOptions writes SET (…) for storage parameters added or changed and RESET (…) for those
// removed. alter is "ALTER TABLE name " or the like.
func setOptions(g *gen, t *snapshot.Object, alter, was, now string) {
	old, cur := options(was), options(now)
	var set, reset []string
	for _, o := range cur {
		if !slices.Contains(old, o) {
			set = append(set, o)
		}
	}
	for _, o := range old {
		name, _, _ := strings.Cut(o, "=")
		if !slices.ContainsFunc(cur, func(c string) bool { return strings.HasPrefix(c, name+"=") }) {
			reset = append(reset, name)
		}
	}
	if len(reset) > 0 {
		g.add(createPhase, rankTableAttr, t, alter+"RESET ("+strings.Join(reset, ", ")+");")
	}
	if len(set) > 0 {
		g.add(createPhase, rankTableAttr, t, alter+"SET ("+optionList(strings.Join(set, ", "))+");")
	}
}

func replicaIdentity(g *gen, t *snapshot.Object, ri string) {
	switch ri {
	case "default", "full", "nothing":
		g.add(createPhase, rankTableAttr, t, "ALTER TABLE "+relName(t.Key)+" REPLICA IDENTITY "+strings.ToUpper(ri)+";")
	default:
		name, ok := strings.CutPrefix(ri, "index ")
		if !ok || name == "?" {
			g.cannot(t, "its replica identity is an index, and the snapshot does not record which: ALTER TABLE "+relName(t.Key)+" REPLICA IDENTITY USING INDEX <index>")
			return
		}
		s := g.add(createPhase, rankTableAttr, t, "ALTER TABLE "+relName(t.Key)+" REPLICA IDENTITY USING INDEX "+quoteIdent(name)+";")
		s.needs = append(s.needs, snapshot.NewKey(t.Key.Schema(), name))
	}
}

// replicaIdentityAgain sets a table's replica identity again after its index was built anew
// (dropping the old one leaves the table without one), unless the table's own change sets it.
func replicaIdentityAgain(g *gen, f, t *snapshot.Object) {
	table := g.to.table(t.Parent)
	if table == nil || table.Attrs.Value("replica_identity") != "index "+t.Key.Name() {
		return
	}
	if old := g.from.table(t.Parent); old == nil || attrChanged(old, table, "replica_identity") {
		return
	}
	// The index's statement: it is the index's change that needs it.
	s := g.add(createPhase, rankIndex, t, "ALTER TABLE "+relName(table.Key)+" REPLICA IDENTITY USING INDEX "+quoteIdent(t.Key.Name())+";")
	s.needs = append(s.needs, t.Key)
}

// options splits a storage parameter list as the catalog writes it ("a=1, b=x").
func options(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(text, ", ")
}

var bareOptionValue = regexp.MustCompile(`^[a-z0-9_.]+$`)

// optionList renders "a=1, b=x y" as a WITH/SET list, quoting values that are not plain words
// or numbers.
func optionList(text string) string {
	parts := options(text)
	for i, p := range parts {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		if !bareOptionValue.MatchString(value) {
			value = quoteLiteral(value)
		}
		parts[i] = name + "=" + value
	}
	return strings.Join(parts, ", ")
}

// columnsOf returns the columns of a relation or composite type, in position order.
func columnsOf(sd *side, owner snapshot.Key) []*snapshot.Object {
	var cols []*snapshot.Object
	for _, c := range sd.under("column", owner) {
		if c.Parent == owner {
			cols = append(cols, c)
		}
	}
	slices.SortStableFunc(cols, func(a, b *snapshot.Object) int {
		return position(a) - position(b)
	})
	return cols
}

func position(c *snapshot.Object) int {
	n, _ := strconv.Atoi(c.Attrs.Value("position"))
	return n
}

// collation renders a collation as the catalog writes it: bare for one in pg_catalog (where a
// dot can be part of the name, as in en_US.utf8), schema-qualified otherwise.
func (g *gen) collation(c string) string {
	if i := strings.IndexByte(c, '.'); i > 0 && (g.to.schemas[c[:i]] || g.from.schemas[c[:i]]) {
		return qualified(c[:i], c[i+1:])
	}
	return quoteIdent(c)
}

// columnDef renders a column as CREATE TABLE and ADD COLUMN write it.
func columnDef(g *gen, c *snapshot.Object) string {
	a := c.Attrs
	def := quoteIdent(c.Key.Sub()) + " " + a.Value("type")
	if coll, ok := a.Get("collation"); ok {
		def += " COLLATE " + g.collation(coll)
	}
	switch {
	case a.Has("generated"):
		def += " GENERATED ALWAYS AS (" + a.Value("generated") + ") " + generatedKind(a)
	case a.Value("identity") == "always":
		def += " GENERATED ALWAYS AS IDENTITY" + identityOptions(c)
	case a.Value("identity") == "by default":
		def += " GENERATED BY DEFAULT AS IDENTITY" + identityOptions(c)
	case a.Has("default"):
		def += " DEFAULT " + a.Value("default")
	}
	if a.Value("not_null") == "true" {
		def += " NOT NULL"
	}
	return def
}

// generatedKind is how a generated column keeps its values: STORED, or VIRTUAL (PostgreSQL 18).
func generatedKind(a snapshot.Attrs) string {
	if a.Value("generated_kind") == "virtual" {
		return "VIRTUAL"
	}
	return "STORED"
}
