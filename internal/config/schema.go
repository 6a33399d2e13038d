package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The file is checked against the shape of Config before it is decoded, so every problem is
// found at once and told in the file's own terms — the key as written, its line, what kind of
// value it wants — never in Go's ("cannot unmarshal !!str into int", "field x not found in type
// config.Store"). The shape is read from the struct tags, so a setting added to Config is known
// here without a second list to keep in step.

// shape walks a YAML node against a Go type, recording problems and the line of every key.
type shape struct {
	lines    map[string]int
	problems []Problem
	// visits counts the nodes walked: aliases and merge keys can make a small file stand for
	// an exponential number of values (a "billion laughs"), which is refused, not expanded.
	visits int
}

// maxVisits bounds the values a config may stand for once aliases are expanded.
const maxVisits = 100_000

// tooBig reports (once) that the file expands to too many values.
func (s *shape) tooBig() bool {
	s.visits++
	if s.visits == maxVisits {
		s.add(0, "", "aliases expand the file to more than %d values: not a configuration", maxVisits)
	}
	return s.visits >= maxVisits
}

var (
	durationType = reflect.TypeOf(Duration(0))
	dateType     = reflect.TypeOf(Date{})
)

func (s *shape) add(line int, key, format string, args ...any) {
	s.problems = append(s.problems, Problem{Line: line, Key: key, Message: fmt.Sprintf(format, args...)})
}

// walk checks n against t; path is the key path of n ("targets[0].dsn").
func (s *shape) walk(n *yaml.Node, t reflect.Type, path string) {
	if s.tooBig() {
		return
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if isNull(n) {
		return // `key:` with no value: the setting is left unset
	}
	switch {
	case t == durationType:
		if !s.scalar(n, path, "a duration such as 30s, 5m or 1h") {
			return
		}
		d, err := time.ParseDuration(n.Value)
		switch {
		case err != nil:
			s.add(n.Line, path, "%q is not a duration (use e.g. 30s, 5m, 1h)", n.Value)
		case d <= 0:
			s.add(n.Line, path, "%q: a duration must be more than zero", n.Value)
		}
		return
	case t == dateType:
		if !s.scalar(n, path, "a date (YYYY-MM-DD)") {
			return
		}
		if _, err := time.Parse("2006-01-02", n.Value); err != nil {
			s.add(n.Line, path, "%q is not a date (use YYYY-MM-DD)", n.Value)
		}
		return
	}
	switch t.Kind() {
	case reflect.String:
		s.scalar(n, path, "a text value")
	case reflect.Int, reflect.Int64:
		if s.scalar(n, path, "a whole number") && n.Tag != "!!int" {
			s.add(n.Line, path, "%q is not a whole number", n.Value)
		}
	case reflect.Bool:
		if s.scalar(n, path, "true or false") && n.Tag != "!!bool" {
			s.add(n.Line, path, "%q is not true or false", n.Value)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			s.add(n.Line, path, "must be a list (e.g. [a, b], or one \"- item\" per line), not %s", describe(n))
			return
		}
		for i, item := range n.Content {
			s.walk(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			s.add(n.Line, path, "must be a mapping of names to values, not %s", describe(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			child := joinPath(path, k.Value)
			s.lines[child] = k.Line
			s.walk(v, t.Elem(), child)
		}
	case reflect.Struct:
		s.mapping(n, t, path)
	}
}

// mapping checks the keys of a mapping node against the fields of struct type t.
func (s *shape) mapping(n *yaml.Node, t reflect.Type, path string) {
	if s.tooBig() {
		return
	}
	if n.Kind != yaml.MappingNode {
		where := "here"
		if path != "" {
			where = "in " + path
		}
		s.add(n.Line, path, "must be a mapping of settings (key: value) %s, not %s", where, describe(n))
		return
	}
	fields := yamlFields(t)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			s.add(k.Line, path, "a key must be a name, not %s", describe(k))
			continue
		}
		if k.Value == "<<" { // a YAML merge key: its mapping's settings are this one's
			merged := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				merged = v.Content
			}
			for _, m := range merged {
				if m.Kind == yaml.AliasNode && m.Alias != nil {
					m = m.Alias
				}
				s.mapping(m, t, path)
			}
			continue
		}
		key := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			s.add(k.Line, key, "set twice (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		f, ok := fields[k.Value]
		if !ok {
			s.add(k.Line, key, "unknown setting%s", suggestKey(k.Value, fields, path))
			continue
		}
		s.lines[key] = k.Line
		s.walk(v, f.Type, key)
	}
}

// scalar reports whether n is a single value, recording a problem when it is a list or mapping.
func (s *shape) scalar(n *yaml.Node, path, want string) bool {
	if n.Kind == yaml.ScalarNode {
		return true
	}
	s.add(n.Line, path, "must be %s, not %s", want, describe(n))
	return false
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names what a node is, in YAML's terms.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return fmt.Sprintf("%q", n.Value)
}

// yamlFields maps the YAML keys of struct type t to its fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

// suggestKey says which valid key an unknown one was probably meant to be, or lists the valid
// keys when none is close.
func suggestKey(key string, fields map[string]reflect.StructField, path string) string {
	valid := make([]string, 0, len(fields))
	for k := range fields {
		valid = append(valid, k)
	}
	sort.Strings(valid)
	if best := nearest(key, valid); best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	where := "here"
	if path != "" {
		where = "in " + path
	}
	return fmt.Sprintf("; valid %s: %s", where, strings.Join(valid, ", "))
}

// nearest returns the candidate closest to s, when it is close enough to be a likely typo
// (case, a letter or two, a separator), or "".
func nearest(s string, candidates []string) string {
	norm := func(x string) string { return strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(x)) }
	best, bestDist := "", -1
	for _, c := range candidates {
		d := distance(norm(s), norm(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(2, len(s)/3)
	if best == "" || bestDist > limit {
		return ""
	}
	return best
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
