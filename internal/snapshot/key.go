package snapshot

import (
	"fmt"
	"strings"
)

// Key identifies an object within its kind. The parts are kept apart, so that a table named
// "a.b" in schema s is never the column b of table a in schema s: matching compares parts, and
// String renders them once, quoting a part only where it would otherwise read ambiguously.
//
//	schema         Key{Name: "public"}                              public
//	table          Key{Schema: "public", Name: "users"}             public.users
//	column         Key{Schema: "public", Name: "users", Sub: "id"}  public.users.id
//	dotted table   Key{Schema: "s", Name: "a.b"}                    s."a.b"
//	function       Key{Schema: "public", Name: "touch(bigint)"}     public.touch(bigint)
//	grant          Key{Schema: "public", Name: "t", Detail: "PUBLIC:SELECT"}  public.t:PUBLIC:SELECT
//	Neo4j item     Key{Name: "range (:Person)(name)"}               range (:Person)(name)
//
// Name is required whenever another part is set, and Sub only occurs with a Schema. Brackets keep what they enclose together, so a
// function's argument list or a Neo4j pattern never needs quoting.
type Key struct {
	// Schema is the namespace the object lives in; empty for database-wide objects.
	Schema string
	// Name is the object's own name: a table, an index, a function with its identity
	// arguments, a Neo4j item.
	Name string
	// Sub names a part of the named object: a column, a constraint, a trigger, a policy.
	Sub string
	// Detail qualifies the key beyond its object, rendered after a colon: the grantee and
	// privilege of a grant ("alice:SELECT").
	Detail string
}

// NewKey returns the key of the named object in schema, with an optional sub-name.
func NewKey(schema, name string, sub ...string) Key {
	k := Key{Schema: schema, Name: name}
	if len(sub) > 0 {
		k.Sub = sub[0]
	}
	return k
}

// Named returns the key of an object that lives in no schema.
func Named(name string) Key { return Key{Name: name} }

// IsZero reports whether k is the empty key.
func (k Key) IsZero() bool { return k == Key{} }

// Object returns the key of the object k belongs to: k without its Detail, and without its Sub
// when it has one (a column's table). A key with neither is returned as it is.
func (k Key) Object() Key {
	switch {
	case k.Detail != "":
		k.Detail = ""
	case k.Sub != "":
		k.Sub = ""
	}
	return k
}

// Local is the object's own name without its owner: the Sub when there is one, else the Name.
func (k Key) Local() string {
	if k.Sub != "" {
		return k.Sub
	}
	return k.Name
}

// Compare orders keys part by part: schema, name, sub-name, detail.
func (k Key) Compare(o Key) int {
	if c := strings.Compare(k.Schema, o.Schema); c != 0 {
		return c
	}
	if c := strings.Compare(k.Name, o.Name); c != 0 {
		return c
	}
	if c := strings.Compare(k.Sub, o.Sub); c != 0 {
		return c
	}
	return strings.Compare(k.Detail, o.Detail)
}

// String renders the key: its parts joined with dots, each quoted (with "" for a quote) when it
// holds a dot or colon outside brackets, a quote, unbalanced brackets, or nothing; then the
// Detail after a colon, as it is. ParseKey reads it back.
func (k Key) String() string {
	var b strings.Builder
	k.appendTo(&b)
	return b.String()
}

func (k Key) appendTo(b *strings.Builder) {
	if k.Schema != "" {
		appendPart(b, k.Schema)
		b.WriteByte('.')
	}
	appendPart(b, k.Name)
	if k.Sub != "" {
		b.WriteByte('.')
		appendPart(b, k.Sub)
	}
	if k.Detail != "" {
		b.WriteByte(':')
		b.WriteString(k.Detail)
	}
}

func appendPart(b *strings.Builder, p string) {
	if n, ok := scanPart(p); ok && n == len(p) && p != "" {
		b.WriteString(p)
		return
	}
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(p, `"`, `""`))
	b.WriteByte('"')
}

// scanPart reads an unquoted part at the start of s: up to the first dot or colon outside
// brackets. It reports false when the part cannot be read back unquoted: it starts with a
// quote, holds one, or its brackets do not balance.
func scanPart(s string) (int, bool) {
	if strings.HasPrefix(s, `"`) {
		return 0, false
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
			if depth < 0 {
				return i, false
			}
		case '"':
			return i, false
		case '.', ':':
			if depth == 0 {
				return i, true
			}
		}
	}
	return len(s), depth == 0
}

// ParseKey reads a key rendered by String.
func ParseKey(s string) (Key, error) {
	var parts []string
	rest := s
	for {
		var part string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			closed := false
			for i < len(rest) {
				if rest[i] == '"' {
					if i+1 < len(rest) && rest[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(rest[i])
				i++
			}
			if !closed {
				return Key{}, fmt.Errorf("key %q: unterminated quoted part", s)
			}
			part, rest = b.String(), rest[i:]
		} else {
			n, ok := scanPart(rest)
			if !ok || n == 0 {
				return Key{}, fmt.Errorf("key %q: malformed part", s)
			}
			part, rest = rest[:n], rest[n:]
		}
		parts = append(parts, part)
		if rest == "" || rest[0] == ':' {
			break
		}
		if rest[0] != '.' {
			return Key{}, fmt.Errorf("key %q: expected a dot after %q", s, part)
		}
		rest = rest[1:]
	}
	var k Key
	switch len(parts) {
	case 1:
		k.Name = parts[0]
	case 2:
		k.Schema, k.Name = parts[0], parts[1]
	case 3:
		k.Schema, k.Name, k.Sub = parts[0], parts[1], parts[2]
	default:
		return Key{}, fmt.Errorf("key %q: %d parts (at most schema, name and sub-name)", s, len(parts))
	}
	if rest != "" {
		k.Detail = rest[1:]
		if k.Detail == "" {
			return Key{}, fmt.Errorf("key %q: empty detail after the colon", s)
		}
	}
	return k, nil
}

// MarshalText renders the key as String does.
func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a key rendered by String.
func (k *Key) UnmarshalText(b []byte) error {
	parsed, err := ParseKey(string(b))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}

// MustKey parses a rendered key and panics when it is malformed: for keys written in code.
func MustKey(s string) Key {
	k, err := ParseKey(s)
	if err != nil {
		panic(err)
	}
	return k
}
