package neo4j

import "strings"

// The schema procedures of Neo4j 4.x and 5.x. Each makes the same index or constraint as a
// CREATE statement, so it is parsed into the same item:
//
//	db.index.fulltext.createNodeIndex(name, labels, properties[, config])     CREATE FULLTEXT INDEX name FOR (n:L1|L2) ON EACH [n.p, ...]
//	db.index.fulltext.createRelationshipIndex(name, types, properties[, config])
//	db.index.fulltext.drop(name)                                              DROP INDEX name
//	db.index.vector.createNodeIndex(name, label, property, dimensions, similarity)
//	                                                                          CREATE VECTOR INDEX name FOR (n:L) ON (n.p) OPTIONS {indexConfig: {...}}
//	db.createIndex(name, labels, properties, provider[, config])              CREATE INDEX name FOR (n:L) ON (n.p, ...)
//	db.createUniquePropertyConstraint(name, labels, properties, provider[, config])
//	                                                                          CREATE CONSTRAINT name FOR (n:L) REQUIRE (n.p, ...) IS UNIQUE
//	db.createNodeKey(name, labels, properties, provider[, config])            CREATE CONSTRAINT name FOR (n:L) REQUIRE (n.p, ...) IS NODE KEY
//
// The arguments must be literals: a parameter's value is not in the migration file.
var schemaProcedures = map[string]func(p *parser, proc string, args []any) (op, error){
	"db.index.fulltext.createnodeindex":         fulltextProcedure(entityNode),
	"db.index.fulltext.createrelationshipindex": fulltextProcedure(entityRelationship),
	"db.index.fulltext.drop":                    dropIndexProcedure,
	"db.index.vector.createnodeindex":           vectorProcedure,
	"db.createindex":                            createIndexProcedure,
	"db.createuniquepropertyconstraint":         constraintProcedure("NODE_PROPERTY_UNIQUENESS"),
	"db.createnodekey":                          constraintProcedure("NODE_KEY"),
}

// call handles CALL statements: the schema procedures are parsed; any other procedure and
// CALL { ... } subqueries are skipped (they do not change the schema).
func (p *parser) call() (classified, error) {
	p.pos++
	if p.peek().is("{") || p.peek().is("(") {
		// CALL { ... } and CALL (x) { ... } subqueries, e.g. ... IN TRANSACTIONS.
		return classified{skip: skipData}, nil
	}
	var parts []string
	for {
		n, err := p.name("procedure name")
		if err != nil {
			return classified{}, err
		}
		parts = append(parts, n)
		if !p.accept(".") {
			break
		}
	}
	display := strings.Join(parts, ".")
	build, ok := schemaProcedures[strings.ToLower(display)]
	if !ok {
		return classified{skip: skipCall}, nil
	}
	if err := p.expect("("); err != nil {
		return classified{}, err
	}
	var args []any
	for !p.accept(")") {
		if len(args) > 0 {
			if err := p.expect(","); err != nil {
				return classified{}, err
			}
		}
		v, err := p.literal()
		if err != nil {
			return classified{}, err
		}
		args = append(args, v)
	}
	if p.accept("YIELD") {
		// CALL db.createIndex(...) YIELD name, ...: what it returns does not change what it made.
		p.pos = len(p.toks)
	}
	if err := p.expectEnd(); err != nil {
		return classified{}, err
	}
	o, err := build(p, display, args)
	if err != nil {
		return classified{}, err
	}
	o.file, o.line = p.st.file, p.st.line
	return classified{ops: []op{o}}, nil
}

// procArgs checks the argument count and reads the name argument: a string, or null where the
// procedure lets the server generate one.
func procArgs(p *parser, proc string, args []any, min, max int, nameRequired bool) (string, error) {
	if len(args) < min || len(args) > max {
		if min == max {
			return "", p.errorf("%s takes %d arguments, found %d", proc, min, len(args))
		}
		return "", p.errorf("%s takes %d to %d arguments, found %d", proc, min, max, len(args))
	}
	switch name := args[0].(type) {
	case string:
		if name != "" {
			return name, nil
		}
	case nil:
		if !nameRequired {
			return "", nil
		}
	}
	return "", p.errorf("%s needs the name as a string literal", proc)
}

// stringList reads a list-of-strings argument (a single string is accepted as a list of one).
func stringList(p *parser, proc, what string, v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok || s == "" {
				return nil, p.errorf("%s: %s must be a list of strings", proc, what)
			}
			out = append(out, s)
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, p.errorf("%s: %s must be a non-empty list of strings", proc, what)
}

func fulltextProcedure(entity string) func(p *parser, proc string, args []any) (op, error) {
	return func(p *parser, proc string, args []any) (op, error) {
		name, err := procArgs(p, proc, args, 3, 4, true)
		if err != nil {
			return op{}, err
		}
		labels, err := stringList(p, proc, "labels or types", args[1])
		if err != nil {
			return op{}, err
		}
		props, err := stringList(p, proc, "properties", args[2])
		if err != nil {
			return op{}, err
		}
		it := item{kind: KindIndex, name: name, typ: "FULLTEXT", entity: entity, labels: labels, props: props}
		if len(args) > 3 && args[3] != nil {
			cfg, ok := args[3].(map[string]any)
			if !ok {
				return op{}, p.errorf("%s: the config must be a map", proc)
			}
			full := map[string]any{}
			for k, v := range cfg {
				// The procedure takes {analyzer: ...}; SHOW INDEXES says fulltext.analyzer.
				full["fulltext."+strings.TrimPrefix(k, "fulltext.")] = v
			}
			it.config = configAttrs("FULLTEXT", full)
		}
		return op{kind: opCreate, target: KindIndex, name: name, it: it}, nil
	}
}

func dropIndexProcedure(p *parser, proc string, args []any) (op, error) {
	name, err := procArgs(p, proc, args, 1, 1, true)
	if err != nil {
		return op{}, err
	}
	return op{kind: opDropByName, target: KindIndex, name: name}, nil
}

// vectorProcedure reads db.index.vector.createNodeIndex(name, label, property, dimensions,
// similarity), which makes the index CREATE VECTOR INDEX makes with those two settings.
func vectorProcedure(p *parser, proc string, args []any) (op, error) {
	name, err := procArgs(p, proc, args, 5, 5, true)
	if err != nil {
		return op{}, err
	}
	label, ok1 := args[1].(string)
	prop, ok2 := args[2].(string)
	if !ok1 || !ok2 || label == "" || prop == "" {
		return op{}, p.errorf("%s: the label and the property must be string literals", proc)
	}
	switch args[3].(type) {
	case int64, float64:
	default:
		return op{}, p.errorf("%s: the dimensions must be a number", proc)
	}
	sim, ok := args[4].(string)
	if !ok {
		return op{}, p.errorf("%s: the similarity function must be a string", proc)
	}
	it := item{kind: KindIndex, name: name, typ: "VECTOR", entity: entityNode, labels: []string{label}, props: []string{prop}}
	it.config = configAttrs("VECTOR", map[string]any{"vector.dimensions": args[3], "vector.similarity_function": sim})
	return op{kind: opCreate, target: KindIndex, name: name, it: it}, nil
}

// createIndexProcedure reads 4.x's db.createIndex(name, labels, properties, provider[, config]).
// Its providers (native-btree-1.0, lucene+native-3.0) make what CREATE INDEX made on that
// server: the default index type of the server version parsed for.
func createIndexProcedure(p *parser, proc string, args []any) (op, error) {
	name, err := procArgs(p, proc, args, 3, 5, false)
	if err != nil {
		return op{}, err
	}
	labels, props, err := labelAndProps(p, proc, args)
	if err != nil {
		return op{}, err
	}
	typ := p.defaultIndexType
	if len(args) > 3 {
		if typ, err = providerIndexType(p, proc, args[3]); err != nil {
			return op{}, err
		}
	}
	it := item{kind: KindIndex, name: name, typ: typ, entity: entityNode, labels: labels, props: props}
	if len(args) > 4 && args[4] != nil {
		cfg, ok := args[4].(map[string]any)
		if !ok {
			return op{}, p.errorf("%s: the config must be a map", proc)
		}
		it.config = configAttrs(typ, cfg)
	}
	return op{kind: opCreate, target: KindIndex, name: name, it: it}, nil
}

// providerIndexType maps an index provider to the index type it makes.
func providerIndexType(p *parser, proc string, v any) (string, error) {
	provider, _ := v.(string)
	switch pv := strings.ToLower(provider); {
	case v == nil, pv == "", strings.Contains(pv, "btree"), strings.HasPrefix(pv, "lucene+native"):
		return p.defaultIndexType, nil
	case strings.HasPrefix(pv, "range"):
		return "RANGE", nil
	case strings.HasPrefix(pv, "text"), strings.HasPrefix(pv, "trigram"):
		return "TEXT", nil
	case strings.HasPrefix(pv, "point"):
		return "POINT", nil
	}
	return "", p.errorf("%s: unknown index provider %q", proc, provider)
}

func labelAndProps(p *parser, proc string, args []any) ([]string, []string, error) {
	labels, err := stringList(p, proc, "labels", args[1])
	if err != nil {
		return nil, nil, err
	}
	if len(labels) != 1 {
		return nil, nil, p.errorf("%s takes exactly one label, found %d", proc, len(labels))
	}
	props, err := stringList(p, proc, "properties", args[2])
	if err != nil {
		return nil, nil, err
	}
	return labels, props, nil
}

// constraintProcedure reads 4.x's db.createUniquePropertyConstraint and db.createNodeKey
// (name, labels, properties, provider[, config]). The provider only chooses the backing
// index's implementation, which drift does not compare.
func constraintProcedure(typ string) func(p *parser, proc string, args []any) (op, error) {
	return func(p *parser, proc string, args []any) (op, error) {
		name, err := procArgs(p, proc, args, 3, 5, false)
		if err != nil {
			return op{}, err
		}
		labels, props, err := labelAndProps(p, proc, args)
		if err != nil {
			return op{}, err
		}
		it := item{kind: KindConstraint, name: name, typ: typ, entity: entityNode, labels: labels, props: props}
		return op{kind: opCreate, target: KindConstraint, name: name, it: it}, nil
	}
}
