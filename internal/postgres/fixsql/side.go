package fixsql

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// side is one snapshot prepared for lookups.
type side struct {
	ids  []snapshot.ID // snapshot order: by kind, then key
	objs map[snapshot.ID]*snapshot.Object
	// byKey holds the objects that can own others (everything but comments and privileges) by
	// key; a column and a constraint of one table may share a key.
	byKey map[snapshot.Key][]*snapshot.Object
	// children holds objects by their owner's key.
	children map[snapshot.Key][]*snapshot.Object
	// tables maps a table's name as the catalog writes it unquoted in partition_of, inherits
	// and owned_by ("app.orders") to its key.
	tables map[string]snapshot.Key
	// schemas are the schemas the snapshot holds.
	schemas map[string]bool
}

func newSide(s *snapshot.Snapshot) *side {
	sd := &side{
		objs:     map[snapshot.ID]*snapshot.Object{},
		byKey:    map[snapshot.Key][]*snapshot.Object{},
		children: map[snapshot.Key][]*snapshot.Object{},
		tables:   map[string]snapshot.Key{},
		schemas:  map[string]bool{},
	}
	if s == nil {
		return sd
	}
	for i := range s.Objects {
		o := &s.Objects[i]
		id := o.ID()
		if _, dup := sd.objs[id]; dup {
			continue
		}
		sd.objs[id] = o
		sd.ids = append(sd.ids, id)
		if !annotates(o.Kind) {
			sd.byKey[o.Key] = append(sd.byKey[o.Key], o)
		}
		if !o.Parent.IsZero() {
			sd.children[o.Parent] = append(sd.children[o.Parent], o)
		}
		switch o.Kind {
		case "table":
			sd.tables[o.Key.Schema+"."+o.Key.Name] = o.Key
		case "schema":
			sd.schemas[o.Key.Name] = true
		}
	}
	return sd
}

// annotates reports whether objects of the kind describe another object under its key.
func annotates(kind string) bool { return kind == "comment" || kind == "privilege" }

// owner returns the object o belongs to, or nil: a column's table, a constraint's table or
// domain, a grant's or comment's object, a table's schema.
func (s *side) owner(o *snapshot.Object) *snapshot.Object {
	if o.Parent.IsZero() {
		return nil
	}
	if annotates(o.Kind) {
		kind := o.Attrs.Value("on_kind")
		if p, ok := s.objs[snapshot.ID{Kind: kind, Key: o.Parent}]; ok {
			return p
		}
		return nil
	}
	for _, p := range s.byKey[o.Parent] {
		if p != o && p.Kind != "column" && p.Kind != "constraint" {
			return p
		}
	}
	return nil
}

// ownerKind is the kind of o's owner, or "".
func (s *side) ownerKind(o *snapshot.Object) string {
	if p := s.owner(o); p != nil {
		return p.Kind
	}
	return ""
}

// table returns the table of a key, or nil.
func (s *side) table(k snapshot.Key) *snapshot.Object {
	return s.objs[snapshot.ID{Kind: "table", Key: k}]
}

// tableList resolves a list of table names as the catalog writes them ("app.a, app.b", each
// schema.name unquoted) to keys. A name that is not a table of this snapshot is skipped.
func (s *side) tableList(text string) []snapshot.Key {
	var out []snapshot.Key
	for text != "" {
		found := false
		// The longest prefix that names a table wins, so "a.b, c" is never read as "a.b, c.d".
		for end := len(text); end > 0; end-- {
			if end < len(text) && !strings.HasPrefix(text[end:], ", ") {
				continue
			}
			if k, ok := s.tables[text[:end]]; ok {
				out = append(out, k)
				text = strings.TrimPrefix(text[end:], ", ")
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	return out
}

// column resolves "schema.table.column" as the catalog writes owned_by to the column's key.
func (s *side) column(text string) (snapshot.Key, bool) {
	for i := len(text) - 1; i > 0; i-- {
		if text[i] != '.' {
			continue
		}
		if k, ok := s.tables[text[:i]]; ok {
			return snapshot.Key{Schema: k.Schema, Name: k.Name, Sub: text[i+1:]}, true
		}
	}
	return snapshot.Key{}, false
}

// parentTables are the tables a table is a partition or an inheritance child of.
func (s *side) parentTables(t *snapshot.Object) []snapshot.Key {
	if p, ok := t.Attrs.Get("partition_of"); ok {
		return s.tableList(p)
	}
	if p, ok := t.Attrs.Get("inherits"); ok {
		return s.tableList(p)
	}
	return nil
}

// partitioned reports whether a table is partitioned.
func partitioned(t *snapshot.Object) bool { return t != nil && t.Attrs.Has("partition_key") }
