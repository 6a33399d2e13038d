package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Attr is one comparable attribute of an object: a name and its value as text.
type Attr struct {
	Name  string
	Value string
}

// Attrs are an object's attributes, sorted by name, each name once.
//
// A sorted slice rather than a map: a large schema has hundreds of thousands of objects with a
// handful of attributes each, and a map costs several times the memory of the pairs it holds.
// The sorted order is also the order of the JSON output, so encoding needs no sorting. Build
// Attrs with NewAttrs, AttrsOf or Set, which keep the order; Normalize sorts any built by hand.
// An empty Attrs is nil (Normalize makes it so), so equal attribute sets compare equal.
type Attrs []Attr

// NewAttrs returns the attributes given as name, value pairs. A name given twice keeps its last
// value. It panics when given an odd number of strings: that is a bug in the calling code.
func NewAttrs(pairs ...string) Attrs {
	if len(pairs)%2 != 0 {
		panic(fmt.Sprintf("snapshot.NewAttrs: %d strings do not make name, value pairs", len(pairs)))
	}
	var a Attrs
	if len(pairs) > 0 {
		a = make(Attrs, 0, len(pairs)/2)
	}
	for i := 0; i < len(pairs); i += 2 {
		a.Set(pairs[i], pairs[i+1])
	}
	return a
}

// AttrsOf returns the attributes of a map; nil for an empty one.
func AttrsOf(m map[string]string) Attrs {
	if len(m) == 0 {
		return nil
	}
	a := make(Attrs, 0, len(m))
	for name, value := range m {
		a = append(a, Attr{Name: name, Value: value})
	}
	slices.SortFunc(a, func(x, y Attr) int { return strings.Compare(x.Name, y.Name) })
	return a
}

// Len is the number of attributes.
func (a Attrs) Len() int { return len(a) }

// Get returns the value of the named attribute and whether the object has it.
func (a Attrs) Get(name string) (string, bool) {
	// Objects have a handful of attributes: a scan beats a binary search.
	for i := range a {
		if a[i].Name == name {
			return a[i].Value, true
		}
	}
	return "", false
}

// Value returns the value of the named attribute, or "" when the object does not have it (an
// attribute that does not apply is omitted, never set to "").
func (a Attrs) Value(name string) string {
	v, _ := a.Get(name)
	return v
}

// Has reports whether the object has the named attribute.
func (a Attrs) Has(name string) bool {
	_, ok := a.Get(name)
	return ok
}

// Set sets the named attribute, keeping the attributes sorted. It does not allocate when the
// name is already there or the slice has room.
func (a *Attrs) Set(name, value string) {
	s := *a
	i, found := slices.BinarySearchFunc(s, name, func(x Attr, n string) int { return strings.Compare(x.Name, n) })
	if found {
		s[i].Value = value
		return
	}
	*a = slices.Insert(s, i, Attr{Name: name, Value: value})
}

// Delete removes the named attribute, if present. The result is nil when none are left.
func (a *Attrs) Delete(name string) {
	s := *a
	for i := range s {
		if s[i].Name == name {
			s = slices.Delete(s, i, i+1)
			break
		}
	}
	if len(s) == 0 {
		s = nil
	}
	*a = s
}

// Names returns the attribute names, sorted.
func (a Attrs) Names() []string {
	names := make([]string, len(a))
	for i := range a {
		names[i] = a[i].Name
	}
	return names
}

// Map returns the attributes as a new map (nil when there are none).
func (a Attrs) Map() map[string]string {
	if len(a) == 0 {
		return nil
	}
	m := make(map[string]string, len(a))
	for _, at := range a {
		m[at.Name] = at.Value
	}
	return m
}

// Clone returns a copy that can be changed without changing a.
func (a Attrs) Clone() Attrs {
	if len(a) == 0 {
		return nil
	}
	return slices.Clone(a)
}

// normalize sorts attributes built by hand and rejects a name given twice.
func (a Attrs) normalize() error {
	sorted := true
	for i := 1; i < len(a); i++ {
		if a[i-1].Name >= a[i].Name {
			sorted = false
			break
		}
	}
	if sorted {
		return nil
	}
	slices.SortStableFunc(a, func(x, y Attr) int { return strings.Compare(x.Name, y.Name) })
	for i := 1; i < len(a); i++ {
		if a[i].Name == a[i-1].Name {
			return fmt.Errorf("attribute %q given twice", a[i].Name)
		}
	}
	return nil
}

// MarshalJSON renders the attributes as a JSON object with sorted names, the way encoding/json
// renders a map[string]string.
func (a Attrs) MarshalJSON() ([]byte, error) {
	if a == nil {
		return []byte("null"), nil
	}
	sorted := a
	byName := func(x, y Attr) int { return strings.Compare(x.Name, y.Name) }
	if !slices.IsSortedFunc(a, byName) {
		sorted = slices.Clone(a)
		slices.SortStableFunc(sorted, byName)
	}
	// encoding/json compacts (and, when asked, HTML-escapes) what a Marshaler returns.
	return appendAttrsCompact(nil, sorted, false), nil
}

// UnmarshalJSON reads a JSON object of string values. A name given twice keeps its last value,
// as when decoding into a map.
func (a *Attrs) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if out, ok := parseSimpleObject(data); ok {
		*a = out
		return nil
	}
	// Anything unusual (escapes, a value that is not a string) is read by encoding/json, for
	// its exact semantics and error messages.
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*a = AttrsOf(m)
	return nil
}

// parseSimpleObject reads the common case of an attribute object quickly: string names and
// values without escapes, all valid UTF-8. It reports false for anything else, which the caller
// hands to encoding/json. encoding/json has already checked that data is valid JSON.
func parseSimpleObject(data []byte) (Attrs, bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}
	i = skipSpace(data, i+1)
	var out Attrs
	if i < len(data) && data[i] == '}' {
		return Attrs{}, true
	}
	for {
		name, next, ok := simpleString(data, i)
		if !ok {
			return nil, false
		}
		i = skipSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return nil, false
		}
		value, next, ok := simpleString(data, skipSpace(data, i+1))
		if !ok {
			return nil, false
		}
		out.Set(name, value)
		i = skipSpace(data, next)
		if i >= len(data) {
			return nil, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return out, true
		default:
			return nil, false
		}
	}
}

// simpleString reads a JSON string starting at data[i] that has no escapes and is valid UTF-8.
func simpleString(data []byte, i int) (string, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return "", 0, false
	}
	end := bytes.IndexByte(data[i+1:], '"')
	if end < 0 {
		return "", 0, false
	}
	s := data[i+1 : i+1+end]
	if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
		return "", 0, false
	}
	return string(s), i + end + 2, true
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}
