package fixsql

import (
	"slices"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// side is one snapshot prepared for lookups. A large schema has hundreds of thousands of
// objects and a fix usually touches few of them, so nothing is indexed by hashing every
// object: lookups are binary searches in the snapshot's own (kind, key) order, and the few maps
// that are needed are built on first use.
type side struct {
	objs  []*snapshot.Object // by kind, then key
	kinds map[string][2]int  // kind → its range in objs

	indexesByParent map[snapshot.Key][]*snapshot.Object // built on first use
	tablesByName    map[string]snapshot.Key             // "schema.name" as the catalog writes it unquoted
	inheritors      map[snapshot.Key][]*snapshot.Object // tables by the tables they inherit from
	partitions      map[snapshot.Key][]snapshot.Key     // partitions (compared as tables) by their parent
	schemas         map[string]bool
}

func newSide(s *snapshot.Snapshot) *side {
	sd := &side{kinds: map[string][2]int{}, schemas: map[string]bool{}}
	if s == nil {
		return sd
	}
	sd.objs = make([]*snapshot.Object, len(s.Objects))
	for i := range s.Objects {
		sd.objs[i] = &s.Objects[i]
	}
	// Snapshots come normalized (sorted); one that does not is sorted here, in a copy.
	if !slices.IsSortedFunc(sd.objs, compareObjects) {
		slices.SortStableFunc(sd.objs, compareObjects)
	}
	for i := 0; i < len(sd.objs); {
		j := i + 1
		for j < len(sd.objs) && sd.objs[j].Kind == sd.objs[i].Kind {
			j++
		}
		sd.kinds[sd.objs[i].Kind] = [2]int{i, j}
		i = j
	}
	for _, o := range sd.ofKind("schema") {
		sd.schemas[o.Key.Name()] = true
	}
	return sd
}

func compareObjects(a, b *snapshot.Object) int {
	if c := strings.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return a.Key.Compare(b.Key)
}

// ofKind returns the objects of a kind, in key order.
func (s *side) ofKind(kind string) []*snapshot.Object {
	r := s.kinds[kind]
	return s.objs[r[0]:r[1]]
}

// find returns the object of that kind and key, or nil.
func (s *side) find(kind string, key snapshot.Key) *snapshot.Object {
	objs := s.ofKind(kind)
	i, ok := slices.BinarySearchFunc(objs, key, func(o *snapshot.Object, k snapshot.Key) int { return o.Key.Compare(k) })
	if !ok {
		return nil
	}
	return objs[i]
}

// get returns the object with that identity, or nil.
func (s *side) get(id snapshot.ID) *snapshot.Object { return s.find(id.Kind, id.Key) }

// under returns the objects of a kind whose key lies under owner: the same schema and name, and
// the same sub-name when owner has one (the columns, constraints, triggers, policies, grants
// and comments of a table; the grants of a column).
func (s *side) under(kind string, owner snapshot.Key) []*snapshot.Object {
	objs := s.ofKind(kind)
	start := snapshot.KeyOf(owner.Schema(), owner.Name(), owner.Sub(), "")
	i, _ := slices.BinarySearchFunc(objs, start, func(o *snapshot.Object, k snapshot.Key) int { return o.Key.Compare(k) })
	j := i
	for j < len(objs) && objs[j].Key.Schema() == owner.Schema() && objs[j].Key.Name() == owner.Name() && (owner.Sub() == "" || objs[j].Key.Sub() == owner.Sub()) {
		j++
	}
	return objs[i:j]
}

// annotates reports whether objects of the kind describe another object under its key.
func annotates(kind string) bool { return kind == "comment" || kind == "privilege" }

// ownerKinds are the kinds an object's Parent key may name, by the object's kind.
var ownerKinds = map[string][]string{
	"column":     {"table", "view", "materialized_view", "type"},
	"constraint": {"table", "type"},
	"index":      {"table", "materialized_view"},
	"trigger":    {"table", "view", "materialized_view"},
	"policy":     {"table"},
	// TimescaleDB
	"hypertable":                 {"table"},
	"continuous_aggregate_index": {"continuous_aggregate"},
	"job":                        {"table", "continuous_aggregate"},
}

// topLevelOwners are what an object of a kind drift does not know may hang off.
var topLevelOwners = []string{"table", "view", "materialized_view", "type", "schema", "sequence", "function", "procedure"}

// owner returns the object o belongs to, or nil: a column's table, a constraint's table or
// domain, a grant's or comment's object, a table's schema.
func (s *side) owner(o *snapshot.Object) *snapshot.Object {
	if o.Parent.IsZero() {
		return nil
	}
	if annotates(o.Kind) {
		return s.find(o.Attrs.Value("on_kind"), o.Parent)
	}
	kinds, ok := ownerKinds[o.Kind]
	if !ok {
		kinds = topLevelOwners
	}
	for _, k := range kinds {
		if p := s.find(k, o.Parent); p != nil && p != o {
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

// children returns the objects o owns directly: for a relation or type its columns,
// constraints, indexes, triggers, policies, grants and comment; for anything else its grants
// and comment.
func (s *side) children(o *snapshot.Object) []*snapshot.Object {
	var out []*snapshot.Object
	switch o.Kind {
	case "table", "view", "materialized_view", "type":
		for _, kind := range []string{"column", "constraint", "trigger", "policy"} {
			for _, c := range s.under(kind, o.Key) {
				if c.Parent == o.Key {
					out = append(out, c)
				}
			}
		}
		out = append(out, s.indexesOf(o.Key)...)
	}
	// TimescaleDB: a table's hypertable and policies, an aggregate's indexes and policies.
	for _, kind := range timescaleChildren[o.Kind] {
		for _, c := range s.under(kind, o.Key) {
			if c.Parent == o.Key && c != o {
				out = append(out, c)
			}
		}
	}
	for _, kind := range []string{"privilege", "comment"} {
		for _, c := range s.under(kind, o.Key) {
			if c.Parent == o.Key && c.Attrs.Value("on_kind") == o.Kind {
				out = append(out, c)
			}
		}
	}
	return out
}

// indexesOf returns the indexes of a table or materialized view.
func (s *side) indexesOf(owner snapshot.Key) []*snapshot.Object {
	if s.indexesByParent == nil {
		s.indexesByParent = map[snapshot.Key][]*snapshot.Object{}
		for _, i := range s.ofKind("index") {
			s.indexesByParent[i.Parent] = append(s.indexesByParent[i.Parent], i)
		}
	}
	return s.indexesByParent[owner]
}

// table returns the table of a key, or nil.
func (s *side) table(k snapshot.Key) *snapshot.Object { return s.find("table", k) }

// tableNamed resolves a table's name as the catalog writes it unquoted ("app.orders").
func (s *side) tableNamed(name string) (snapshot.Key, bool) {
	if s.tablesByName == nil {
		s.tablesByName = map[string]snapshot.Key{}
		for _, t := range s.ofKind("table") {
			s.tablesByName[t.Key.Schema()+"."+t.Key.Name()] = t.Key
		}
	}
	k, ok := s.tablesByName[name]
	return k, ok
}

// tableList resolves a list of table names as the catalog writes them ("app.a, app.b", each
// schema.name unquoted) to keys. A name that is not a table of this snapshot ends the list.
func (s *side) tableList(text string) []snapshot.Key {
	var out []snapshot.Key
	for text != "" {
		found := false
		// The longest prefix that names a table wins, so "a.b, c" is never read as "a.b, c.d".
		for end := len(text); end > 0; end-- {
			if end < len(text) && !strings.HasPrefix(text[end:], ", ") {
				continue
			}
			if k, ok := s.tableNamed(text[:end]); ok {
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
		if k, ok := s.tableNamed(text[:i]); ok {
			return snapshot.KeyOf(k.Schema(), k.Name(), text[i+1:], ""), true
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

// inheritanceChildren returns the tables that inherit from a table (not its partitions).
func (s *side) inheritanceChildren(parent snapshot.Key) []*snapshot.Object {
	if s.inheritors == nil {
		s.inheritors = map[snapshot.Key][]*snapshot.Object{}
		for _, t := range s.ofKind("table") {
			if t.Attrs.Has("inherits") {
				for _, p := range s.tableList(t.Attrs.Value("inherits")) {
					s.inheritors[p] = append(s.inheritors[p], t)
				}
			}
		}
	}
	return s.inheritors[parent]
}

// partitioned reports whether a table is partitioned.
func partitioned(t *snapshot.Object) bool { return t != nil && t.Attrs.Has("partition_key") }
