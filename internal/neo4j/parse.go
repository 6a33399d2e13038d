package neo4j

import (
	"fmt"
	"strconv"
	"strings"
)

// opKind says what a schema statement does.
type opKind int

const (
	opCreate       opKind = iota // create it.item
	opDropByName                 // drop the index or constraint called name
	opDropBySchema               // drop the item with it.item's schema (4.x DROP ... ON ...)
	opApply                      // drop every item, then create items (a catalog's <apply/>)
)

// op is the effect of one schema statement.
type op struct {
	kind        opKind
	target      string // KindIndex or KindConstraint
	it          item
	name        string
	ifNotExists bool
	ifExists    bool
	items       []item // opApply: the catalog
	file        string
	line        int
}

// classified is what a statement turned out to be: schema operations, or a reason to skip it.
type classified struct {
	ops  []op
	skip string
	// database is the graph a USE clause sends the statement to; "" for the session's.
	database string
}

// useClause is the database a statement's USE clause names ("" without one) and the
// statement without that clause, to run it on another database (a scratch one). A statement
// that does not lex comes back as it is: the server will say what is wrong with it.
func useClause(st statement) (database, rest string) {
	toks, err := lex(st)
	if err != nil {
		return "", st.text
	}
	p := &parser{st: st, toks: toks}
	db, err := p.prefixes()
	if err != nil || db == "" {
		return "", st.text
	}
	return db, st.text[:p.useStart] + st.text[p.useEnd:]
}

// Reasons a statement is skipped by the static parser.
const (
	skipData    = "data statement"
	skipAdmin   = "administration command"
	skipCommand = "cypher-shell command"
	skipCall    = "procedure call"
	skipShow    = "read-only command"
)

// dataKeywords start statements that read or write data, never schema.
var dataKeywords = map[string]bool{
	"MATCH": true, "OPTIONAL": true, "MERGE": true, "UNWIND": true, "WITH": true, "RETURN": true,
	"LOAD": true, "FOREACH": true, "DELETE": true, "DETACH": true, "SET": true, "REMOVE": true,
	"EXPLAIN": true, "PROFILE": true, "FINISH": true, "FILTER": true, "LET": true, "ORDER": true,
	"LIMIT": true, "SKIP": true, "OFFSET": true, "INSERT": true, "NODETACH": true,
}

// adminKeywords start administration commands (users, roles, databases, servers).
var adminKeywords = map[string]bool{
	"GRANT": true, "DENY": true, "REVOKE": true, "START": true, "STOP": true, "ENABLE": true,
	"DEALLOCATE": true, "REALLOCATE": true, "DRYRUN": true, "RENAME": true, "TERMINATE": true,
}

// adminObjects follow CREATE, DROP or ALTER in administration commands.
var adminObjects = map[string]bool{
	"DATABASE": true, "USER": true, "ROLE": true, "ALIAS": true, "COMPOSITE": true, "SERVER": true,
	"OR": true, "DATABASES": true, "USERS": true, "ROLES": true, "ALIASES": true, "AUTH": true,
	"IMMUTABLE": true, "CURRENT": true, "DEFAULT": true, "HOME": true,
}

// indexTypes may precede INDEX in CREATE ... INDEX.
var indexTypes = map[string]bool{
	"RANGE": true, "BTREE": true, "TEXT": true, "POINT": true, "FULLTEXT": true, "VECTOR": true, "LOOKUP": true,
}

// parser parses the tokens of one statement.
type parser struct {
	st   statement
	toks []token
	pos  int
	// defaultIndexType is what a CREATE INDEX without a type makes: BTREE before 5.0, RANGE after.
	defaultIndexType string
	// useStart and useEnd are the byte offsets of the USE clause prefixes() read.
	useStart, useEnd int
}

func (p *parser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	line := p.st.line
	if n := len(p.toks); n > 0 {
		line = p.toks[n-1].line
	}
	return token{kind: tokPunct, text: "", line: line}
}

func (p *parser) peekAt(n int) token {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return token{kind: tokPunct, text: ""}
}

func (p *parser) atEnd() bool { return p.pos >= len(p.toks) }

func (p *parser) next() token {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

// accept consumes the token when it is the keyword or punctuation s.
func (p *parser) accept(s string) bool {
	if p.peek().is(s) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) errorf(format string, args ...any) error {
	return &ParseError{File: p.st.file, Line: p.peek().line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expect(words ...string) error {
	for _, w := range words {
		if !p.accept(w) {
			return p.errorf("expected %s, found %s", w, describe(p.peek()))
		}
	}
	return nil
}

func describe(t token) string {
	switch {
	case t.kind == tokPunct && t.text == "":
		return "end of statement"
	case t.kind == tokString:
		return strconv.Quote(t.text)
	case t.kind == tokQuoted:
		return "`" + t.text + "`"
	}
	return strconv.Quote(t.text)
}

func (p *parser) expectEnd() error {
	if !p.atEnd() {
		return p.errorf("unexpected %s", describe(p.peek()))
	}
	return nil
}

// name parses a symbolic name: a word or a `quoted name`. Parameters are rejected: their
// values are not in the migration file.
func (p *parser) name(what string) (string, error) {
	t := p.peek()
	switch t.kind {
	case tokWord, tokQuoted:
		p.pos++
		return t.text, nil
	case tokParam:
		return "", p.errorf("%s %s is a parameter; drift cannot know its value (use a literal name, or replay the migrations)", what, t.text)
	}
	return "", p.errorf("expected %s, found %s", what, describe(t))
}

// classify parses one statement.
func classify(st statement, defaultIndexType string) (classified, error) {
	if st.command {
		return classified{skip: skipCommand}, nil
	}
	toks, err := lex(st)
	if err != nil {
		return classified{}, err
	}
	p := &parser{st: st, toks: toks, defaultIndexType: defaultIndexType}
	if p.atEnd() {
		return classified{}, nil
	}
	database, err := p.prefixes()
	if err != nil {
		return classified{}, err
	}
	c, err := p.statement()
	c.database = database
	return c, err
}

// prefixes consumes what may precede a statement, in any order: a Cypher version and query
// options (CYPHER 5, CYPHER 25 runtime=slotted, CYPHER planner=cost) and a USE clause. It
// returns the database the USE clause names.
func (p *parser) prefixes() (database string, err error) {
	for {
		switch {
		case p.peek().is("CYPHER"):
			p.pos++
			if p.peek().kind == tokNumber {
				p.pos++
			}
			for p.peek().kind == tokWord && p.peekAt(1).is("=") {
				p.pos += 2
				if p.atEnd() {
					return "", p.errorf("expected a value for the query option")
				}
				p.pos++
			}
		case p.peek().is("USE") && p.peekAt(1).kind != tokPunct:
			// USE db <statement>, USE composite.constituent <statement>.
			p.useStart = p.next().start
			var parts []string
			for {
				part, err := p.name("database name")
				if err != nil {
					return "", err
				}
				parts = append(parts, part)
				if !p.accept(".") {
					break
				}
			}
			if p.peek().is("(") {
				return "", p.errorf("USE with a graph function (%s(...)) is not supported by the static parser; name the database", strings.Join(parts, "."))
			}
			database = strings.Join(parts, ".")
			p.useEnd = p.toks[p.pos-1].end
		default:
			return database, nil
		}
	}
}

// statement classifies the statement after its prefixes.
func (p *parser) statement() (classified, error) {
	if p.atEnd() {
		return classified{skip: skipData}, nil
	}
	first := p.peek()
	if first.kind != tokWord {
		if first.is("(") || first.is("{") {
			return classified{skip: skipData}, nil
		}
		return classified{}, p.errorf("cannot parse statement starting with %s", describe(first))
	}
	kw := strings.ToUpper(first.text)
	second := strings.ToUpper(p.peekAt(1).text)
	switch {
	case kw == "CREATE":
		switch {
		case second == "INDEX" || indexTypes[second] && p.peekAt(2).is("INDEX"):
			p.pos++
			o, err := p.createIndex()
			return classified{ops: []op{o}}, err
		case second == "CONSTRAINT":
			p.pos += 2
			o, err := p.constraintBody(opCreate)
			return classified{ops: []op{o}}, err
		case adminObjects[second]:
			return classified{skip: skipAdmin}, nil
		}
		return classified{skip: skipData}, nil
	case kw == "DROP":
		switch {
		case second == "INDEX":
			p.pos += 2
			o, err := p.dropIndex()
			return classified{ops: []op{o}}, err
		case second == "CONSTRAINT":
			p.pos += 2
			o, err := p.dropConstraint()
			return classified{ops: []op{o}}, err
		case adminObjects[second]:
			return classified{skip: skipAdmin}, nil
		}
		return classified{}, p.errorf("cannot parse DROP %s", describe(p.peekAt(1)))
	case kw == "ALTER":
		if second == "CURRENT" && p.peekAt(2).is("GRAPH") {
			return classified{}, p.errorf("graph types (ALTER CURRENT GRAPH TYPE) are not supported by the static parser; replay the migrations on a scratch instance instead")
		}
		return classified{skip: skipAdmin}, nil
	case kw == "CALL":
		return p.call()
	case kw == "SHOW":
		return classified{skip: skipShow}, nil
	case dataKeywords[kw]:
		return classified{skip: skipData}, nil
	case adminKeywords[kw]:
		return classified{skip: skipAdmin}, nil
	}
	return classified{}, p.errorf("cannot parse statement starting with %s", describe(first))
}

// createIndex parses CREATE [type] INDEX ..., positioned after CREATE.
func (p *parser) createIndex() (op, error) {
	o := op{kind: opCreate, target: KindIndex, file: p.st.file, line: p.st.line}
	typ := ""
	if !p.peek().is("INDEX") {
		typ = strings.ToUpper(p.next().text)
	}
	if err := p.expect("INDEX"); err != nil {
		return o, err
	}
	if typ == "" || typ == "BTREE" {
		if p.peek().is("ON") && p.peekAt(1).is(":") {
			// Old syntax (3.x, deprecated in 4.x): CREATE INDEX ON :Label(prop, ...).
			p.pos++
			it, err := p.oldSchema()
			if err != nil {
				return o, err
			}
			it.typ = p.defaultIndexType
			if typ != "" {
				it.typ = typ
			}
			o.it = it
			return o, p.expectEnd()
		}
	}
	if typ == "" {
		typ = p.defaultIndexType
	}
	var err error
	if o.name, o.ifNotExists, err = p.nameAndIfNotExists("FOR"); err != nil {
		return o, err
	}
	if err := p.expect("FOR"); err != nil {
		return o, err
	}
	pat, err := p.pattern()
	if err != nil {
		return o, err
	}
	if err := p.expect("ON"); err != nil {
		return o, err
	}
	var props []string
	switch typ {
	case "FULLTEXT":
		if err := p.expect("EACH", "["); err != nil {
			return o, err
		}
		if props, err = p.propertyList(pat.variable, "]"); err != nil {
			return o, err
		}
	case "LOOKUP":
		p.accept("EACH")
		if _, err := p.name("function"); err != nil {
			return o, err
		}
		if err := p.expect("("); err != nil {
			return o, err
		}
		if _, err := p.name("variable"); err != nil {
			return o, err
		}
		if err := p.expect(")"); err != nil {
			return o, err
		}
	default:
		if p.accept("(") {
			if props, err = p.propertyList(pat.variable, ")"); err != nil {
				return o, err
			}
		} else {
			prop, err := p.propertyRef(pat.variable)
			if err != nil {
				return o, err
			}
			props = []string{prop}
		}
		if p.peek().is("WITH") {
			return o, p.errorf("vector index filter properties (WITH [...]) are not supported by the static parser; replay the migrations instead")
		}
	}
	o.it = item{kind: KindIndex, name: o.name, typ: typ, entity: pat.entity, labels: pat.labels, props: props}
	if typ != "LOOKUP" && typ != "FULLTEXT" && len(pat.labels) != 1 {
		return o, p.errorf("a %s index takes exactly one label or relationship type", strings.ToLower(typ))
	}
	if p.accept("OPTIONS") {
		opts, err := p.mapLiteral()
		if err != nil {
			return o, err
		}
		if cfg, ok := opts["indexConfig"].(map[string]any); ok {
			o.it.config = configAttrs(typ, cfg)
		}
	}
	return o, p.expectEnd()
}

// nameAndIfNotExists parses the optional name and IF NOT EXISTS before the keyword that starts
// the schema (FOR, or ON in the 4.x constraint form).
func (p *parser) nameAndIfNotExists(starts ...string) (name string, ifNotExists bool, err error) {
	isStart := func() bool {
		for _, s := range starts {
			if p.peek().is(s) {
				return true
			}
		}
		return p.peek().is("IF") && p.peekAt(1).is("NOT")
	}
	if !isStart() {
		if name, err = p.name("name"); err != nil {
			return "", false, err
		}
	}
	if p.accept("IF") {
		if err := p.expect("NOT", "EXISTS"); err != nil {
			return "", false, err
		}
		ifNotExists = true
	}
	return name, ifNotExists, nil
}

// patternInfo is a parsed FOR/ON pattern.
type patternInfo struct {
	entity   string
	variable string
	labels   []string
}

// pattern parses (n:Label), (n:A|B), (n), ()-[r:TYPE]-(), ()-[r:TYPE]->(), ()<-[r:T|U]-().
func (p *parser) pattern() (patternInfo, error) {
	var pat patternInfo
	if err := p.expect("("); err != nil {
		return pat, err
	}
	if p.accept(")") {
		// ()-[r:TYPE]-(): a relationship pattern.
		pat.entity = entityRelationship
		p.accept("<")
		if err := p.expect("-", "["); err != nil {
			return pat, err
		}
		if err := p.variableAndLabels(&pat, "]"); err != nil {
			return pat, err
		}
		if err := p.expect("-"); err != nil {
			return pat, err
		}
		p.accept(">")
		return pat, p.expect("(", ")")
	}
	pat.entity = entityNode
	return pat, p.variableAndLabels(&pat, ")")
}

// variableAndLabels parses "n:A|B" up to and including the closing bracket.
func (p *parser) variableAndLabels(pat *patternInfo, closing string) error {
	if !p.peek().is(":") && !p.peek().is(closing) {
		v, err := p.name("variable")
		if err != nil {
			return err
		}
		pat.variable = v
	}
	if p.accept(":") {
		for {
			l, err := p.name("label or relationship type")
			if err != nil {
				return err
			}
			pat.labels = append(pat.labels, l)
			if !p.accept("|") {
				break
			}
		}
	}
	return p.expect(closing)
}

// propertyRef parses variable.property and returns the property.
func (p *parser) propertyRef(variable string) (string, error) {
	v, err := p.name("variable")
	if err != nil {
		return "", err
	}
	if variable != "" && v != variable {
		return "", &ParseError{File: p.st.file, Line: p.peek().line, Msg: fmt.Sprintf("variable %s is not the pattern's variable %s", v, variable)}
	}
	if err := p.expect("."); err != nil {
		return "", err
	}
	return p.name("property name")
}

// propertyList parses "n.a, n.b" up to and including the closing bracket.
func (p *parser) propertyList(variable, closing string) ([]string, error) {
	var props []string
	for {
		prop, err := p.propertyRef(variable)
		if err != nil {
			return nil, err
		}
		props = append(props, prop)
		if p.accept(closing) {
			return props, nil
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
	}
}

// oldSchema parses ":Label(prop, ...)" of the 3.x index syntax.
func (p *parser) oldSchema() (item, error) {
	it := item{kind: KindIndex, entity: entityNode}
	if err := p.expect(":"); err != nil {
		return it, err
	}
	l, err := p.name("label")
	if err != nil {
		return it, err
	}
	it.labels = []string{l}
	if err := p.expect("("); err != nil {
		return it, err
	}
	for {
		prop, err := p.name("property name")
		if err != nil {
			return it, err
		}
		it.props = append(it.props, prop)
		if p.accept(")") {
			return it, nil
		}
		if err := p.expect(","); err != nil {
			return it, err
		}
	}
}

// constraintBody parses what follows CREATE CONSTRAINT (kind opCreate) or DROP CONSTRAINT ON
// (kind opDropBySchema, which has no name and no OPTIONS).
func (p *parser) constraintBody(kind opKind) (op, error) {
	o := op{kind: kind, target: KindConstraint, file: p.st.file, line: p.st.line}
	if kind == opCreate {
		var err error
		if o.name, o.ifNotExists, err = p.nameAndIfNotExists("FOR", "ON"); err != nil {
			return o, err
		}
		if !p.accept("FOR") {
			if err := p.expect("ON"); err != nil {
				return o, p.errorf("expected FOR, found %s", describe(p.peek()))
			}
		}
	}
	pat, err := p.pattern()
	if err != nil {
		return o, err
	}
	if len(pat.labels) != 1 {
		return o, p.errorf("a constraint takes exactly one label or relationship type")
	}
	if !p.accept("REQUIRE") {
		if err := p.expect("ASSERT"); err != nil {
			return o, p.errorf("expected REQUIRE, found %s", describe(p.peek()))
		}
	}
	var props []string
	existsFn := false
	switch {
	case p.peek().is("exists") && p.peekAt(1).is("("):
		// 4.x: ASSERT exists(n.prop)
		p.pos += 2
		prop, err := p.propertyRef(pat.variable)
		if err != nil {
			return o, err
		}
		if err := p.expect(")"); err != nil {
			return o, err
		}
		props, existsFn = []string{prop}, true
	case p.accept("("):
		if props, err = p.propertyList(pat.variable, ")"); err != nil {
			return o, err
		}
	default:
		prop, err := p.propertyRef(pat.variable)
		if err != nil {
			return o, err
		}
		props = []string{prop}
	}
	it := item{kind: KindConstraint, name: o.name, entity: pat.entity, labels: pat.labels, props: props}
	prefix := "NODE_"
	if pat.entity == entityRelationship {
		prefix = "RELATIONSHIP_"
	}
	switch {
	case existsFn:
		it.typ = prefix + "PROPERTY_EXISTENCE"
	case p.peek().is("::"), p.peek().is("IS") && (p.peekAt(1).is("::") || p.peekAt(1).is("TYPED")):
		if p.accept("IS") {
			p.accept("TYPED")
		}
		p.accept("::")
		pt, err := p.propertyTypeText()
		if err != nil {
			return o, err
		}
		it.typ, it.propertyType = prefix+"PROPERTY_TYPE", pt
	default:
		if err := p.expect("IS"); err != nil {
			return o, err
		}
		switch {
		case p.accept("NOT"):
			if err := p.expect("NULL"); err != nil {
				return o, err
			}
			it.typ = prefix + "PROPERTY_EXISTENCE"
		default:
			if p.peek().is("NODE") || p.peek().is("REL") || p.peek().is("RELATIONSHIP") {
				word := strings.ToUpper(p.next().text)
				if (word == "NODE") != (pat.entity == entityNode) {
					return o, p.errorf("IS %s ... does not fit a %s pattern", word, strings.ToLower(pat.entity))
				}
			}
			switch {
			case p.accept("UNIQUE"):
				it.typ = prefix + "PROPERTY_UNIQUENESS"
			case p.accept("KEY"):
				it.typ = prefix + "KEY"
			default:
				return o, p.errorf("expected UNIQUE, KEY, NOT NULL or :: TYPE, found %s", describe(p.peek()))
			}
		}
	}
	if (it.typ == prefix+"PROPERTY_EXISTENCE" || it.typ == prefix+"PROPERTY_TYPE") && len(props) != 1 {
		return o, p.errorf("an existence or property type constraint takes exactly one property")
	}
	if kind == opCreate && p.accept("OPTIONS") {
		if _, err := p.mapLiteral(); err != nil {
			return o, err
		}
		// A constraint's OPTIONS only choose its backing index's provider: not compared.
	}
	o.it = it
	return o, p.expectEnd()
}

// propertyTypeText reads the type of a property type constraint up to OPTIONS or the end.
func (p *parser) propertyTypeText() (string, error) {
	line := p.peek().line
	var parts []string
	for !p.atEnd() && !p.peek().is("OPTIONS") {
		parts = append(parts, p.next().text)
	}
	if len(parts) == 0 {
		return "", p.errorf("expected a property type")
	}
	pt, err := normalizePropertyType(strings.Join(parts, " "))
	if err != nil {
		return "", &ParseError{File: p.st.file, Line: line, Msg: err.Error()}
	}
	return pt, nil
}

// dropIndex parses DROP INDEX name [IF EXISTS] and DROP INDEX ON :Label(prop, ...).
func (p *parser) dropIndex() (op, error) {
	o := op{target: KindIndex, file: p.st.file, line: p.st.line}
	if p.peek().is("ON") && p.peekAt(1).is(":") {
		p.pos++
		it, err := p.oldSchema()
		if err != nil {
			return o, err
		}
		it.typ = p.defaultIndexType
		o.kind, o.it = opDropBySchema, it
		return o, p.expectEnd()
	}
	return p.dropByName(o)
}

// dropConstraint parses DROP CONSTRAINT name [IF EXISTS] and DROP CONSTRAINT ON ... ASSERT ....
func (p *parser) dropConstraint() (op, error) {
	if p.peek().is("ON") && p.peekAt(1).is("(") {
		p.pos++
		return p.constraintBody(opDropBySchema)
	}
	return p.dropByName(op{target: KindConstraint, file: p.st.file, line: p.st.line})
}

func (p *parser) dropByName(o op) (op, error) {
	o.kind = opDropByName
	name, err := p.name("name")
	if err != nil {
		return o, err
	}
	o.name = name
	if p.accept("IF") {
		if err := p.expect("EXISTS"); err != nil {
			return o, err
		}
		o.ifExists = true
	}
	return o, p.expectEnd()
}
