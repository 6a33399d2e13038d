package neo4j

import (
	"fmt"
	"strconv"
	"strings"
)

// call handles CALL statements: the 4.x fulltext procedures change the schema and are parsed;
// other schema procedures are rejected (they cannot be modelled); the rest are skipped.
func (p *parser) call() (classified, error) {
	p.pos++
	if p.peek().is("{") {
		// CALL { ... } subquery, e.g. CALL { ... } IN TRANSACTIONS.
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
	proc := strings.ToLower(strings.Join(parts, "."))
	switch proc {
	case "db.index.fulltext.createnodeindex", "db.index.fulltext.createrelationshipindex", "db.index.fulltext.drop":
	case "db.createindex", "db.createuniquepropertyconstraint", "db.createnodekey":
		return classified{}, p.errorf("procedure %s changes the schema in a way the static parser does not model; use CREATE INDEX/CONSTRAINT, or replay the migrations", strings.Join(parts, "."))
	case "db.awaitindexes", "db.awaitindex":
		return classified{skip: skipCall}, nil
	default:
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
	if err := p.expectEnd(); err != nil {
		return classified{}, err
	}
	o := op{target: KindIndex, file: p.st.file, line: p.st.line}
	name, _ := firstArg(args).(string)
	if name == "" {
		return classified{}, p.errorf("%s needs the index name as a string literal", strings.Join(parts, "."))
	}
	if proc == "db.index.fulltext.drop" {
		o.kind, o.name = opDropByName, name
		return classified{ops: []op{o}}, nil
	}
	if len(args) < 3 {
		return classified{}, p.errorf("%s needs a name, labels or types, and properties", strings.Join(parts, "."))
	}
	entity := entityNode
	if proc == "db.index.fulltext.createrelationshipindex" {
		entity = entityRelationship
	}
	it := item{kind: KindIndex, name: name, typ: "FULLTEXT", entity: entity, labels: strs(args[1]), props: strs(args[2])}
	if len(args) > 3 {
		if cfg, ok := args[3].(map[string]any); ok {
			full := map[string]any{}
			for k, v := range cfg {
				full["fulltext."+k] = v
			}
			it.config = configAttrs("FULLTEXT", full)
		}
	}
	o.kind, o.name, o.it = opCreate, name, it
	return classified{ops: []op{o}}, nil
}

func firstArg(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

// mapLiteral parses a map literal: {key: value, ...}.
func (p *parser) mapLiteral() (map[string]any, error) {
	v, err := p.literal()
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, p.errorf("expected a map")
	}
	return m, nil
}

// literal parses a Cypher literal: string, number, boolean, null, list or map.
func (p *parser) literal() (any, error) {
	t := p.peek()
	switch {
	case t.kind == tokString:
		p.pos++
		return t.text, nil
	case t.kind == tokNumber:
		v, err := parseNumber(t.text)
		if err != nil {
			return nil, p.errorf("%v", err)
		}
		p.pos++
		return v, nil
	case t.is("-") && p.peekAt(1).kind == tokNumber:
		v, err := parseNumber(p.peekAt(1).text)
		if err != nil {
			return nil, p.errorf("%v", err)
		}
		p.pos += 2
		switch x := v.(type) {
		case int64:
			return -x, nil
		case float64:
			return -x, nil
		}
		return v, nil
	case t.is("true"):
		p.pos++
		return true, nil
	case t.is("false"):
		p.pos++
		return false, nil
	case t.is("null"):
		p.pos++
		return nil, nil
	case t.kind == tokParam:
		return nil, p.errorf("parameter %s: drift cannot know its value (use a literal, or replay the migrations)", t.text)
	case t.is("["):
		p.pos++
		list := []any{}
		for !p.accept("]") {
			if len(list) > 0 {
				if err := p.expect(","); err != nil {
					return nil, err
				}
			}
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case t.is("{"):
		p.pos++
		m := map[string]any{}
		for !p.accept("}") {
			if len(m) > 0 {
				if err := p.expect(","); err != nil {
					return nil, err
				}
			}
			k := p.peek()
			if k.kind != tokWord && k.kind != tokQuoted && k.kind != tokString {
				return nil, p.errorf("expected a map key, found %s", describe(k))
			}
			p.pos++
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			m[k.text] = v
		}
		return m, nil
	}
	return nil, p.errorf("expected a literal, found %s", describe(t))
}

func parseNumber(s string) (any, error) {
	clean := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(clean, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil {
		return nil, fmt.Errorf("bad number %q", s)
	}
	return f, nil
}
