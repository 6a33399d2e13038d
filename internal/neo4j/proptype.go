package neo4j

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// typeSynonyms folds Cypher's property type synonyms onto one spelling.
var typeSynonyms = map[string]string{
	"BOOL":                        "BOOLEAN",
	"VARCHAR":                     "STRING",
	"INT":                         "INTEGER",
	"SIGNED INTEGER":              "INTEGER",
	"TIME WITHOUT TIME ZONE":      "LOCAL TIME",
	"TIME WITH TIME ZONE":         "ZONED TIME",
	"TIMESTAMP WITHOUT TIME ZONE": "LOCAL DATETIME",
	"TIMESTAMP WITH TIME ZONE":    "ZONED DATETIME",
	"ARRAY":                       "LIST",
}

// normalizePropertyType renders a property type expression canonically: upper case, synonyms
// folded (INT -> INTEGER, ...), ANY<...> flattened, union members sorted and deduplicated. It
// is applied to both a statement's type and the server's propertyType column, so the server's
// own ordering of union members never reads as drift.
func normalizePropertyType(s string) (string, error) {
	toks := typeTokens(s)
	p := typeParser{toks: toks}
	members, err := p.union()
	if err != nil {
		return "", fmt.Errorf("property type %q: %w", s, err)
	}
	if p.pos < len(p.toks) {
		return "", fmt.Errorf("property type %q: unexpected %q", s, p.toks[p.pos])
	}
	return joinUnion(members), nil
}

func joinUnion(members []string) string {
	sort.Strings(members)
	out := members[:0]
	for i, m := range members {
		if i == 0 || m != members[i-1] {
			out = append(out, m)
		}
	}
	return strings.Join(out, " | ")
}

// typeTokens splits a type expression into words and the symbols < > | ( ) ,.
func typeTokens(s string) []string {
	var toks []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			toks = append(toks, strings.ToUpper(word.String()))
			word.Reset()
		}
	}
	for _, r := range s {
		switch {
		case strings.ContainsRune("<>|(),", r):
			flush()
			toks = append(toks, string(r))
		case unicode.IsSpace(r):
			flush()
		default:
			word.WriteRune(r)
		}
	}
	flush()
	return toks
}

type typeParser struct {
	toks []string
	pos  int
}

func (p *typeParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

// union parses member ('|' member)* and returns the flattened members.
func (p *typeParser) union() ([]string, error) {
	var out []string
	for {
		ms, err := p.member()
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
		if p.peek() != "|" {
			return out, nil
		}
		p.pos++
	}
}

// member parses one type: words, an optional <inner> and (size), and a NOT NULL suffix.
func (p *typeParser) member() ([]string, error) {
	var words []string
	for {
		t := p.peek()
		if t == "" || strings.Contains("<>|(),", t) {
			break
		}
		words = append(words, t)
		p.pos++
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("missing type name")
	}
	notNull := false
	if n := len(words); n >= 2 && words[n-2] == "NOT" && words[n-1] == "NULL" {
		words, notNull = words[:n-2], true
	}
	base := strings.Join(words, " ")
	if syn, ok := typeSynonyms[base]; ok {
		base = syn
	}
	var inner []string
	hasInner := false
	if p.peek() == "<" {
		p.pos++
		var err error
		if inner, err = p.union(); err != nil {
			return nil, err
		}
		if p.peek() != ">" {
			return nil, fmt.Errorf("missing > after %s<", base)
		}
		p.pos++
		hasInner = true
	}
	suffix := ""
	if p.peek() == "(" {
		var b strings.Builder
		for p.pos < len(p.toks) && p.peek() != ")" {
			b.WriteString(p.peek())
			p.pos++
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("missing ) in %s", base)
		}
		p.pos++
		suffix = strings.TrimPrefix(b.String(), "(")
		suffix = "(" + suffix + ")"
	}
	if p.peek() == "NOT" {
		// NOT NULL after <...> or (...): LIST<STRING> NOT NULL.
		p.pos++
		if p.peek() != "NULL" {
			return nil, fmt.Errorf("NOT must be followed by NULL")
		}
		p.pos++
		notNull = true
	}
	nn := ""
	if notNull {
		nn = " NOT NULL"
	}
	if hasInner && base == "ANY" && !notNull {
		return inner, nil
	}
	if hasInner {
		return []string{base + "<" + joinUnion(inner) + ">" + suffix + nn}, nil
	}
	return []string{base + suffix + nn}, nil
}
