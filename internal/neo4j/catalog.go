package neo4j

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// neo4j-migrations' catalog-based migrations (V010__create_indexes.xml) describe indexes and
// constraints in XML rather than Cypher: a <catalog> of named items, which later migrations can
// refer to by name, and operations on it:
//
//	<migration xmlns="https://michael-simons.github.io/neo4j-migrations">
//	  <catalog reset="false">
//	    <constraints>
//	      <constraint name="person_id" type="unique|exists|key|property_type">
//	        <label>Person</label>  (or <type>REL_TYPE</type>)
//	        <properties><property type="STRING">id</property></properties>
//	      </constraint>
//	    </constraints>
//	    <indexes>
//	      <index name="movie_title" type="property|text|fulltext"><label>Movie</label>...</index>
//	    </indexes>
//	  </catalog>
//	  <verify/>                      checks the database: no change
//	  <create item="person_id"/>     (or ref="...", or an inline <constraint>/<index>)
//	  <drop item="movie_title"/>
//	  <refactor type="rename.label"> changes data: no change to the schema
//	  <apply/>                       drops every index and constraint, creates the whole catalog
//	</migration>
//
// drift reads them into the same operations as the equivalent Cypher. What it cannot model (the
// refactorings that rewrite indexes, migrate.*) is an error naming the file.

// catalog is the catalog built by the catalog migrations read so far: the latest definition of
// each item by name.
type catalog struct {
	items map[string]item
	order []string
}

func (c *catalog) put(it item) {
	if c.items == nil {
		c.items = map[string]item{}
	}
	if _, ok := c.items[it.name]; !ok {
		c.order = append(c.order, it.name)
	}
	c.items[it.name] = it
}

func (c *catalog) all() []item {
	out := make([]item, 0, len(c.order))
	for _, n := range c.order {
		out = append(out, c.items[n])
	}
	return out
}

// xmlNode is any XML element, children in document order.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Content  string     `xml:",chardata"`
	Children []xmlNode  `xml:",any"`
}

func (n xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n xmlNode) child(name string) (xmlNode, bool) {
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			return c, true
		}
	}
	return xmlNode{}, false
}

func (n xmlNode) text() string { return strings.TrimSpace(n.Content) }

// catalogMigration reads one catalog migration into schema operations, adding its catalog items
// to cat. The operations of an <apply/> are returned with kind opApply and the catalog's items.
func catalogMigration(f File, cat *catalog, defaultIndexType string) ([]op, error) {
	fail := func(format string, args ...any) error {
		return &ParseError{File: f.Name, Line: 1, Msg: "catalog migration: " + fmt.Sprintf(format, args...)}
	}
	var root xmlNode
	dec := xml.NewDecoder(bytes.NewReader(f.Content))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fail("no <migration> element: this is not an XML document")
		}
		return nil, fail("%v", err)
	}
	if root.XMLName.Local != "migration" {
		return nil, fail("the root element is <%s>, not <migration>", root.XMLName.Local)
	}
	var ops []op
	for _, el := range root.Children {
		switch el.XMLName.Local {
		case "catalog":
			if v, _ := el.attr("reset"); v == "true" {
				*cat = catalog{}
			}
			for _, group := range el.Children {
				for _, def := range group.Children {
					it, err := catalogItem(def, defaultIndexType)
					if err != nil {
						return nil, fail("%v", err)
					}
					cat.put(it)
				}
			}
		case "verify":
			// Asserts the database against the catalog; changes nothing.
		case "refactor":
			typ, _ := el.attr("type")
			if strings.HasPrefix(typ, "migrate.") {
				return nil, fail("refactoring %s rewrites indexes, which the static parser does not model; replay the migrations on a scratch instance", typ)
			}
			// rename.*, merge.nodes, normalize.*, addSurrogateKeyTo.*, listToVectorOn.*: data.
		case "create", "drop":
			o, err := catalogOperation(el, cat, defaultIndexType)
			if err != nil {
				return nil, fail("%v", err)
			}
			ops = append(ops, o)
		case "apply":
			ops = append(ops, op{kind: opApply, items: cat.all()})
		default:
			return nil, fail("unknown element <%s>", el.XMLName.Local)
		}
	}
	for i := range ops {
		ops[i].file, ops[i].line = f.Name, 1
	}
	return ops, nil
}

// catalogOperation reads <create> and <drop>: of a catalog item named by item= or ref=, or of
// an item defined inline. Both are idempotent unless ifNotExists / ifExists say false.
func catalogOperation(el xmlNode, cat *catalog, defaultIndexType string) (op, error) {
	create := el.XMLName.Local == "create"
	var it item
	name, byName := el.attr("item")
	if ref, ok := el.attr("ref"); ok {
		if byName {
			return op{}, errors.New("an operation takes item= or ref=, not both")
		}
		name, byName = ref, true
	}
	switch {
	case byName && len(el.Children) > 0:
		return op{}, fmt.Errorf("<%s item=%q> also defines an item", el.XMLName.Local, name)
	case byName:
		found, ok := cat.items[name]
		switch {
		case ok:
			it = found
		case create:
			return op{}, fmt.Errorf("<create> refers to %q, which no catalog defines", name)
		default:
			// Dropping what an inline <create> made, or what Cypher made: by name, whichever it is.
			v, _ := el.attr("ifExists")
			return op{kind: opDropByName, name: name, ifExists: v != "false"}, nil
		}
	case len(el.Children) == 1:
		var err error
		if it, err = catalogItem(el.Children[0], defaultIndexType); err != nil {
			return op{}, err
		}
	default:
		return op{}, fmt.Errorf("<%s> needs item=, ref= or one inline item", el.XMLName.Local)
	}
	if create {
		v, _ := el.attr("ifNotExists")
		return op{kind: opCreate, target: it.kind, name: it.name, it: it, ifNotExists: v != "false"}, nil
	}
	v, _ := el.attr("ifExists")
	return op{kind: opDropByName, target: it.kind, name: it.name, ifExists: v != "false"}, nil
}

// catalogItem reads a <constraint> or <index> definition.
func catalogItem(def xmlNode, defaultIndexType string) (item, error) {
	name, _ := def.attr("name")
	if name == "" {
		return item{}, fmt.Errorf("<%s> needs a name", def.XMLName.Local)
	}
	it := item{name: name, entity: entityNode}
	if l, ok := def.child("label"); ok {
		it.labels = splitLabels(l.text())
	} else if t, ok := def.child("type"); ok {
		it.entity, it.labels = entityRelationship, splitLabels(t.text())
	}
	if len(it.labels) == 0 {
		return item{}, fmt.Errorf("%s needs a <label> or a <type>", name)
	}
	propType := ""
	if props, ok := def.child("properties"); ok {
		for _, p := range props.Children {
			if p.text() == "" {
				return item{}, fmt.Errorf("%s has an empty <property>", name)
			}
			it.props = append(it.props, p.text())
			if t, ok := p.attr("type"); ok {
				propType = t
			}
		}
	}
	if len(it.props) == 0 {
		return item{}, fmt.Errorf("%s needs <properties>", name)
	}
	typ, _ := def.attr("type")
	prefix := "NODE_"
	if it.entity == entityRelationship {
		prefix = "RELATIONSHIP_"
	}
	switch def.XMLName.Local {
	case "constraint":
		it.kind = KindConstraint
		switch typ {
		case "unique":
			it.typ = prefix + "PROPERTY_UNIQUENESS"
		case "key":
			it.typ = prefix + "KEY"
		case "exists":
			it.typ = prefix + "PROPERTY_EXISTENCE"
		case "property_type":
			pt, err := normalizePropertyType(propType)
			if err != nil {
				return item{}, fmt.Errorf("%s: %w", name, err)
			}
			it.typ, it.propertyType = prefix+"PROPERTY_TYPE", pt
		default:
			return item{}, fmt.Errorf("constraint %s has an unknown type %q", name, typ)
		}
		if len(it.labels) != 1 {
			return item{}, fmt.Errorf("constraint %s takes exactly one label or type", name)
		}
	case "index":
		it.kind = KindIndex
		switch typ {
		case "", "property":
			it.typ = defaultIndexType
		case "text":
			it.typ = "TEXT"
		case "fulltext":
			it.typ = "FULLTEXT"
		default:
			return item{}, fmt.Errorf("index %s has an unknown type %q", name, typ)
		}
		if it.typ != "FULLTEXT" && len(it.labels) != 1 {
			return item{}, fmt.Errorf("index %s takes exactly one label or type", name)
		}
		if o, ok := def.child("options"); ok && o.text() != "" {
			cfg, err := catalogOptions(name, o.text())
			if err != nil {
				return item{}, err
			}
			it.config = configAttrs(it.typ, cfg)
		}
	default:
		return item{}, fmt.Errorf("unknown catalog item <%s>", def.XMLName.Local)
	}
	return it, nil
}

// catalogOptions reads an <options> element: the OPTIONS map of the item's Cypher, with or
// without its braces, of which indexConfig is compared.
func catalogOptions(name, text string) (map[string]any, error) {
	if !strings.HasPrefix(text, "{") {
		text = "{" + text + "}"
	}
	st := statement{file: name, line: 1, text: text}
	toks, err := lex(st)
	if err != nil {
		return nil, err
	}
	p := &parser{st: st, toks: toks}
	m, err := p.mapLiteral()
	if err != nil {
		return nil, fmt.Errorf("options of %s: %w", name, err)
	}
	cfg, _ := m["indexConfig"].(map[string]any)
	return cfg, nil
}

func splitLabels(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "|") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// isCatalogFile reports whether a migration file is a catalog migration (XML).
func isCatalogFile(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".xml") }

// catalogCypher renders a catalog migration as the Cypher statements it stands for, to replay
// it on a scratch server. <apply/> depends on what the server holds at that point and is not
// rendered: a set using it is parsed, not replayed.
func catalogCypher(f File, cat *catalog) (File, error) {
	ops, err := catalogMigration(f, cat, "")
	if err != nil {
		return File{}, err
	}
	var b strings.Builder
	for _, o := range ops {
		switch o.kind {
		case opApply:
			return File{}, &ParseError{File: f.Name, Line: 1, Msg: "catalog migration: <apply/> cannot be replayed on a scratch server; parse the migrations instead (configure no scratch instance)"}
		case opDropByName:
			suffix := ""
			if o.ifExists || o.target == "" {
				suffix = " IF EXISTS"
			}
			if o.target != KindIndex {
				b.WriteString("DROP CONSTRAINT " + quoteName(o.name) + suffix + ";\n")
			}
			if o.target != KindConstraint {
				b.WriteString("DROP INDEX " + quoteName(o.name) + suffix + ";\n")
			}
		case opCreate:
			b.WriteString(createCypher(o.it, o.ifNotExists) + ";\n")
		}
	}
	return File{Name: f.Name, Content: []byte(b.String())}, nil
}

// createCypher renders the CREATE statement of an item in Cypher 5 (and 25) syntax. An index
// of the server's default type is written without a type.
func createCypher(it item, ifNotExists bool) string {
	var b strings.Builder
	labels := make([]string, len(it.labels))
	for i, l := range it.labels {
		labels[i] = quoteName(l)
	}
	pat := "(n:" + strings.Join(labels, "|") + ")"
	if it.entity == entityRelationship {
		pat = "()-[n:" + strings.Join(labels, "|") + "]-()"
	}
	props := make([]string, len(it.props))
	for i, p := range it.props {
		props[i] = "n." + quoteName(p)
	}
	exists := ""
	if ifNotExists {
		exists = " IF NOT EXISTS"
	}
	if it.kind == KindIndex {
		b.WriteString("CREATE ")
		if it.typ != "" && it.typ != "RANGE" && it.typ != "BTREE" {
			b.WriteString(it.typ + " ")
		}
		b.WriteString("INDEX " + quoteName(it.name) + exists + " FOR " + pat + " ON ")
		if it.typ == "FULLTEXT" {
			b.WriteString("EACH [" + strings.Join(props, ", ") + "]")
		} else {
			b.WriteString("(" + strings.Join(props, ", ") + ")")
		}
		if len(it.config) > 0 {
			keys := make([]string, 0, len(it.config))
			for k := range it.config {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for i, k := range keys {
				keys[i] = quoteName(k) + ": " + cypherValue(it.config[k])
			}
			b.WriteString(" OPTIONS {indexConfig: {" + strings.Join(keys, ", ") + "}}")
		}
		return b.String()
	}
	b.WriteString("CREATE CONSTRAINT " + quoteName(it.name) + exists + " FOR " + pat + " REQUIRE (" + strings.Join(props, ", ") + ") ")
	switch {
	case strings.HasSuffix(it.typ, "_UNIQUENESS"):
		b.WriteString("IS UNIQUE")
	case strings.HasSuffix(it.typ, "_KEY"):
		b.WriteString("IS " + it.entity + " KEY")
	case strings.HasSuffix(it.typ, "_EXISTENCE"):
		b.WriteString("IS NOT NULL")
	case strings.HasSuffix(it.typ, "_TYPE"):
		b.WriteString("IS :: " + it.propertyType)
	}
	return b.String()
}

// cypherValue renders a compared setting's text as a Cypher literal: numbers, booleans and
// lists as they are, anything else as a string.
func cypherValue(v string) string {
	if _, err := parseNumber(v); err == nil || v == "true" || v == "false" || strings.HasPrefix(v, "[") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
