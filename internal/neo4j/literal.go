package neo4j

import (
	"fmt"
	"strconv"
	"strings"
)

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
