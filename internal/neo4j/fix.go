package neo4j

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Fix: the Cypher that turns one Neo4j schema into another. Indexes and constraints are dropped
// (DROP … IF EXISTS) before any is created (CREATE … IF NOT EXISTS), so an index can become a
// constraint on the same schema; an item whose definition changes is dropped and created again.
// Neo4j drops by name only, so an item whose name Neo4j generated (keyed by its content, the
// name is not in the snapshot) cannot be dropped by a statement written in advance: the fix
// says how to find its name instead.

var _ engine.Fixer = (*Engine)(nil)

// LineComment is Cypher's.
func (e *Engine) LineComment() string { return "//" }

// Fix returns the Cypher statements that turn from into to.
func (e *Engine) Fix(from, to *snapshot.Snapshot, _ engine.FixOptions) ([]engine.Statement, error) {
	index := func(s *snapshot.Snapshot) map[snapshot.ID]*snapshot.Object {
		m := map[snapshot.ID]*snapshot.Object{}
		if s != nil {
			for i := range s.Objects {
				m[s.Objects[i].ID()] = &s.Objects[i]
			}
		}
		return m
	}
	f, t := index(from), index(to)
	var drops, creates []engine.Statement
	if from != nil {
		for i := range from.Objects {
			o := &from.Objects[i]
			if n, ok := t[o.ID()]; !ok || !slices.Equal(n.Attrs, o.Attrs) {
				drops = append(drops, dropItem(o))
			}
		}
	}
	if to != nil {
		for i := range to.Objects {
			o := &to.Objects[i]
			if old, ok := f[o.ID()]; !ok || !slices.Equal(old.Attrs, o.Attrs) {
				creates = append(creates, createItem(o))
			}
		}
	}
	return append(drops, creates...), nil
}

// fixItem rebuilds an item from its snapshot object, and its name when the user chose it.
func fixItem(o *snapshot.Object) (item, string) {
	a := o.Attrs
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	it := item{
		kind:          o.Kind,
		typ:           a.Value(AttrType),
		entity:        a.Value(AttrEntityType),
		labels:        split(a.Value(AttrLabelsOrTypes)),
		props:         split(a.Value(AttrProperties)),
		propertyType:  a.Value(AttrPropertyType),
		enforcedLabel: a.Value(AttrEnforcedLabel),
		config:        map[string]string{},
	}
	for _, at := range a {
		if k, ok := strings.CutPrefix(at.Name, AttrConfigPrefix); ok {
			it.config[k] = at.Value
		}
	}
	name := o.Key.Name()
	if name == it.contentKey() {
		name = ""
	}
	it.name = name
	return it, name
}

func dropItem(o *snapshot.Object) engine.Statement {
	it, name := fixItem(o)
	what := "INDEX"
	if o.Kind == KindConstraint {
		what = "CONSTRAINT"
	}
	st := engine.Statement{Objects: []snapshot.ID{o.ID()}}
	if name == "" {
		show := "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties"
		if o.Kind == KindConstraint {
			show = "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties"
		}
		st.Notes = []string{"drift cannot write Cypher for " + Rules{}.KindLabel(o.Kind) + " " + o.Key.String() +
			": Neo4j generated its name, which the snapshot does not hold, and drops by name only. Find it with\n" +
			show + " WHERE labelsOrTypes = " + cypherList(it.labels) + " AND properties = " + cypherList(it.props) +
			"\nand run DROP " + what + " <name> IF EXISTS;"}
		return st
	}
	st.SQL = "DROP " + what + " " + cypherName(name) + " IF EXISTS;"
	return st
}

func createItem(o *snapshot.Object) engine.Statement {
	it, name := fixItem(o)
	st := engine.Statement{Objects: []snapshot.ID{o.ID()}}
	cypher, ok := fixCreateCypher(it, name)
	if !ok {
		st.Notes = []string{"drift cannot write Cypher for " + Rules{}.KindLabel(o.Kind) + " " + o.Key.String() + ": its type " + it.typ + " is not one drift writes"}
		return st
	}
	st.SQL = cypher + ";"
	return st
}

// fixCreateCypher renders CREATE … IF NOT EXISTS for an item in Neo4j 5 syntax.
func fixCreateCypher(it item, name string) (string, bool) {
	v := "n"
	pat := "(n" + labelsText(it.labels, "|") + ")"
	if it.entity == entityRelationship {
		v = "r"
		pat = "()-[r" + labelsText(it.labels, "|") + "]-()"
	}
	named := ""
	if name != "" {
		named = " " + cypherName(name)
	}
	props := make([]string, len(it.props))
	for i, p := range it.props {
		props[i] = v + "." + cypherName(p)
	}
	if it.kind == KindIndex {
		head := map[string]string{"RANGE": "CREATE INDEX", "BTREE": "CREATE BTREE INDEX", "TEXT": "CREATE TEXT INDEX",
			"POINT": "CREATE POINT INDEX", "FULLTEXT": "CREATE FULLTEXT INDEX", "VECTOR": "CREATE VECTOR INDEX"}[it.typ]
		if head == "" || len(props) == 0 {
			return "", false
		}
		on := " ON (" + strings.Join(props, ", ") + ")"
		switch it.typ {
		case "FULLTEXT":
			on = " ON EACH [" + strings.Join(props, ", ") + "]"
		case "VECTOR":
			on = " ON " + props[0]
		}
		return head + named + " IF NOT EXISTS FOR " + pat + on + indexOptions(it.config), true
	}
	var require string
	one := strings.Join(props, ", ")
	if len(props) > 1 {
		one = "(" + one + ")"
	}
	switch it.typ {
	case "NODE_PROPERTY_UNIQUENESS", "RELATIONSHIP_PROPERTY_UNIQUENESS":
		require = one + " IS UNIQUE"
	case "NODE_KEY":
		require = one + " IS NODE KEY"
	case "RELATIONSHIP_KEY":
		require = one + " IS RELATIONSHIP KEY"
	case "NODE_PROPERTY_EXISTENCE", "RELATIONSHIP_PROPERTY_EXISTENCE":
		require = one + " IS NOT NULL"
	case "NODE_PROPERTY_TYPE", "RELATIONSHIP_PROPERTY_TYPE":
		require = one + " IS :: " + it.propertyType
	default:
		return "", false
	}
	if len(props) == 0 {
		return "", false
	}
	return "CREATE CONSTRAINT" + named + " IF NOT EXISTS FOR " + pat + " REQUIRE " + require, true
}

func labelsText(labels []string, sep string) string {
	if len(labels) == 0 {
		return ""
	}
	q := make([]string, len(labels))
	for i, l := range labels {
		q[i] = cypherName(l)
	}
	return ":" + strings.Join(q, sep)
}

// indexOptions renders the compared index settings as OPTIONS {indexConfig: {…}}.
func indexOptions(config map[string]string) string {
	if len(config) == 0 {
		return ""
	}
	keys := make([]string, 0, len(config))
	for k := range config {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = "`" + k + "`: " + fixCypherValue(config[k])
	}
	return " OPTIONS {indexConfig: {" + strings.Join(parts, ", ") + "}}"
}

// fixCypherValue renders a setting as drift stored it: numbers, booleans and lists as they are,
// anything else as a string.
func fixCypherValue(v string) string {
	if v == "true" || v == "false" || strings.HasPrefix(v, "[") {
		return v
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	return cypherString(v)
}

func cypherString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) + "'"
}

func cypherList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = cypherString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// cypherName quotes a name, label or property with backticks when it needs them.
func cypherName(s string) string {
	if plainName.MatchString(s) {
		return s
	}
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}
