package snapshot

import (
	"fmt"
	"strings"
)

// Key identifies an object within its kind: a schema, a name, a sub-name and a detail, kept
// apart, so that a table named "a.b" in schema s is never the column b of table a in schema s:
// matching compares parts, and String renders them once, quoting a part only where it would
// otherwise read ambiguously.
//
//	schema         Named("public")                                  public
//	table          NewKey("public", "users")                        public.users
//	column         NewKey("public", "users", "id")                  public.users.id
//	dotted table   NewKey("s", "a.b")                               s."a.b"
//	function       NewKey("public", "touch(bigint)")                public.touch(bigint)
//	grant          NewKey("public", "t").WithDetail("PUBLIC:SELECT") public.t:PUBLIC:SELECT
//	Neo4j item     Named("range (:Person)(name)")                   range (:Person)(name)
//
// The name is required whenever another part is set, and a sub-name only occurs with a schema.
// Brackets keep what they enclose together, so a function's argument list or a Neo4j pattern
// never needs quoting.
//
// A Key is one string holding its parts separated by NUL (which no part holds): a large schema
// has hundreds of thousands of keys and parents, and one string costs a quarter of four. Keys
// compare with == and order part by part with Compare (NUL sorts before every other byte).
type Key struct{ enc string }

const sep = "\x00"

// KeyOf returns the key of the given parts. A NUL inside a part is replaced by U+FFFD: no
// catalog allows one, and it would split the part.
func KeyOf(schema, name, sub, detail string) Key {
	if schema == "" && name == "" && sub == "" && detail == "" {
		return Key{}
	}
	return Key{enc: clean(schema) + sep + clean(name) + sep + clean(sub) + sep + clean(detail)}
}

func clean(p string) string {
	if strings.Contains(p, sep) {
		return strings.ReplaceAll(p, sep, "\uFFFD")
	}
	return p
}

// NewKey returns the key of the named object in schema, with an optional sub-name.
func NewKey(schema, name string, sub ...string) Key {
	s := ""
	if len(sub) > 0 {
		s = sub[0]
	}
	return KeyOf(schema, name, s, "")
}

// Named returns the key of an object that lives in no schema.
func Named(name string) Key { return KeyOf("", name, "", "") }

// parts splits the encoding.
func (k Key) parts() (schema, name, sub, detail string) {
	if k.enc == "" {
		return "", "", "", ""
	}
	schema, rest, _ := strings.Cut(k.enc, sep)
	name, rest, _ = strings.Cut(rest, sep)
	sub, detail, _ = strings.Cut(rest, sep)
	return schema, name, sub, detail
}

// Schema is the namespace the object lives in; empty for database-wide objects.
func (k Key) Schema() string { s, _, _, _ := k.parts(); return s }

// Name is the object's own name: a table, an index, a function with its identity arguments, a
// Neo4j item.
func (k Key) Name() string { _, n, _, _ := k.parts(); return n }

// Sub names a part of the named object: a column, a constraint, a trigger, a policy.
func (k Key) Sub() string { _, _, s, _ := k.parts(); return s }

// Detail qualifies the key beyond its object, rendered after a colon: the grantee and
// privilege of a grant ("alice:SELECT").
func (k Key) Detail() string { _, _, _, d := k.parts(); return d }

// WithDetail returns k with its detail set.
func (k Key) WithDetail(detail string) Key {
	s, n, sub, _ := k.parts()
	return KeyOf(s, n, sub, detail)
}

// WithSuffix returns k with suffix appended to its last part (the sub-name when there is one,
// else the name): "public.t.x" becomes "public.t.x (constraint)".
func (k Key) WithSuffix(suffix string) Key {
	s, n, sub, d := k.parts()
	if sub != "" {
		return KeyOf(s, n, sub+suffix, d)
	}
	return KeyOf(s, n+suffix, sub, d)
}

// IsZero reports whether k is the empty key.
func (k Key) IsZero() bool { return k.enc == "" }

// Object returns the key of the object k belongs to: k without its detail, and without its
// sub-name when it has one (a column's table). A key with neither is returned as it is.
func (k Key) Object() Key {
	s, n, sub, d := k.parts()
	switch {
	case d != "":
		return KeyOf(s, n, sub, "")
	case sub != "":
		return KeyOf(s, n, "", "")
	}
	return k
}

// DefaultParent is the parent most objects have, which snapshot files leave unwritten: a
// grant's object, a column's (constraint's, trigger's) table, a schema-level object's schema.
// A key with neither a schema nor anything under its name has none.
func (k Key) DefaultParent() Key {
	s, n, sub, d := k.parts()
	switch {
	case d != "":
		return KeyOf(s, n, sub, "")
	case sub != "":
		return KeyOf(s, n, "", "")
	case s != "":
		return Named(s)
	}
	return Key{}
}

// Local is the object's own name without its owner: the sub-name when there is one, else the
// name.
func (k Key) Local() string {
	_, n, sub, _ := k.parts()
	if sub != "" {
		return sub
	}
	return n
}

// Compare orders keys part by part: schema, name, sub-name, detail.
func (k Key) Compare(o Key) int { return strings.Compare(k.enc, o.enc) }

// String renders the key: its parts joined with dots, each quoted (with "" for a quote) when it
// holds a dot or colon outside brackets, a quote, unbalanced brackets, or nothing; then the
// detail after a colon, as it is. ParseKey reads it back.
func (k Key) String() string {
	var b strings.Builder
	schema, name, sub, detail := k.parts()
	if schema != "" {
		appendPart(&b, schema)
		b.WriteByte('.')
	}
	appendPart(&b, name)
	if sub != "" {
		b.WriteByte('.')
		appendPart(&b, sub)
	}
	if detail != "" {
		b.WriteByte(':')
		b.WriteString(detail)
	}
	return b.String()
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
	var schema, name, sub, detail string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		schema, name = parts[0], parts[1]
	case 3:
		schema, name, sub = parts[0], parts[1], parts[2]
	default:
		return Key{}, fmt.Errorf("key %q: %d parts (at most schema, name and sub-name)", s, len(parts))
	}
	if rest != "" {
		detail = rest[1:]
		if detail == "" {
			return Key{}, fmt.Errorf("key %q: empty detail after the colon", s)
		}
	}
	return KeyOf(schema, name, sub, detail), nil
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
