package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/drift-schema/drift/internal/snapshot"
)

// internMax is the longest value worth interning: types, booleans, parents' keys, grantees and
// the like repeat thousands of times in a large schema; definitions do not.
const internMax = 80

// chunkSize is the number of objects per storage chunk. Objects are collected in fixed chunks
// and copied once into a slice of the exact size at the end: growing one slice by appending
// would copy it over and over and, at the moment of each growth, hold two copies.
const chunkSize = 4096

// builder turns catalog rows into snapshot objects. Readers hold mu while they add (two
// connections may be read at once).
type builder struct {
	mu      sync.Mutex
	snap    *snapshot.Snapshot
	chunks  [][]snapshot.Object
	count   int
	strings map[string]string
	keys    map[snapshot.Key]snapshot.Key
	// attnums holds, for each column read, its object number, attnum and table; finish turns
	// them into positions. tables numbers the tables (columns' parents) in the order seen.
	attnums []attnum
	tables  map[snapshot.Key]int32
	// grants is reused by every ACL parse.
	grants []grant
}

type attnum struct {
	object int
	num    int32
	table  int32
}

func newBuilder() *builder {
	s := snapshot.New(snapshot.EnginePostgres)
	s.Source = snapshot.Source{Kind: snapshot.SourceLive}
	return &builder{snap: s, strings: make(map[string]string, 1024), tables: make(map[snapshot.Key]int32), keys: make(map[snapshot.Key]snapshot.Key, 1024)}
}

// intern returns v as a string, sharing one copy of short values that repeat. The map lookup
// with string(v) does not allocate.
func (b *builder) intern(v []byte) string {
	if len(v) > internMax {
		return string(v)
	}
	if s, ok := b.strings[string(v)]; ok {
		return s
	}
	s := string(v)
	b.strings[s] = s
	return s
}

// internString is intern for a value that is already a string.
func (b *builder) internString(v string) string {
	if len(v) > internMax {
		return v
	}
	if s, ok := b.strings[v]; ok {
		return s
	}
	b.strings[v] = v
	return v
}

// add stores an object and returns its number.
func (b *builder) add(o snapshot.Object) int {
	if len(b.chunks) == 0 || len(b.chunks[len(b.chunks)-1]) == chunkSize {
		b.chunks = append(b.chunks, make([]snapshot.Object, 0, chunkSize))
	}
	last := &b.chunks[len(b.chunks)-1]
	*last = append(*last, o)
	b.count++
	return b.count - 1
}

// at returns the object with the given number.
func (b *builder) at(n int) *snapshot.Object {
	return &b.chunks[n/chunkSize][n%chunkSize]
}

// layout maps a result's columns, by name, to the parts of an object: kind, key_schema,
// key_name, key_sub, key_detail, parent_schema, parent_name, parent_sub and attnum are the object's
// identity (absent ones are -1); every other column is an attribute of its own name. The
// attribute columns are kept in name order (the order Attrs keeps), so rows become attributes
// without sorting each one.
type layout struct {
	kind, keySchema, keyName, keySub    int
	keyDetail                           int
	parentSchema, parentName, parentSub int
	attnum                              int
	attrs                               []attrColumn
	byName                              map[string]int
}

type attrColumn struct {
	name string
	col  int
}

// identity columns are those that are not attributes.
var identityColumns = map[string]bool{"kind": true, "key_schema": true, "key_name": true, "key_sub": true, "key_detail": true,
	"parent_schema": true, "parent_name": true, "parent_sub": true, "attnum": true}

// newLayout reads the column names of a result.
func newLayout(names []string) (*layout, error) {
	l := &layout{byName: make(map[string]int, len(names))}
	for i, n := range names {
		if _, dup := l.byName[n]; dup {
			return nil, fmt.Errorf("column %q appears twice", n)
		}
		l.byName[n] = i
		if !identityColumns[n] {
			l.attrs = append(l.attrs, attrColumn{name: n, col: i})
		}
	}
	col := func(n string) int {
		if i, ok := l.byName[n]; ok {
			return i
		}
		return -1
	}
	l.kind, l.keySchema, l.keyName, l.keySub = col("kind"), col("key_schema"), col("key_name"), col("key_sub")
	l.keyDetail = col("key_detail")
	l.parentSchema, l.parentName, l.parentSub = col("parent_schema"), col("parent_name"), col("parent_sub")
	l.attnum = col("attnum")
	slices.SortFunc(l.attrs, func(x, y attrColumn) int { return cmp.Compare(x.name, y.name) })
	return l, nil
}

// value returns the named column of a row, or nil when the result has no such column or the
// value is NULL.
func (l *layout) value(v [][]byte, name string) []byte {
	if i, ok := l.byName[name]; ok {
		return v[i]
	}
	return nil
}

func at(v [][]byte, i int) []byte {
	if i < 0 {
		return nil
	}
	return v[i]
}

// key reads a key from three columns. A key without a sub-name (a table's, a schema's) is
// interned: it is also the parent of every column, constraint and grant of its object.
func (b *builder) key(v [][]byte, schema, name, sub int) snapshot.Key {
	if s := at(v, sub); s != nil {
		return snapshot.KeyOf(string(at(v, schema)), string(at(v, name)), string(s), "")
	}
	k := snapshot.KeyOf(string(at(v, schema)), string(at(v, name)), "", "")
	if shared, ok := b.keys[k]; ok {
		return shared
	}
	b.keys[k] = k
	return k
}

// object reads one row (see layout). The values are only valid during the call, so everything
// kept is copied. extra is room left in the attributes for ones added later (a column's
// position), so adding them does not reallocate.
func (b *builder) object(l *layout, v [][]byte, extra int) (int, error) {
	if l.kind < 0 || l.keyName < 0 {
		return 0, fmt.Errorf("result has no kind or key_name column")
	}
	if v[l.kind] == nil || v[l.keyName] == nil {
		return 0, fmt.Errorf("row without kind or key")
	}
	o := snapshot.Object{Kind: b.intern(v[l.kind]), Key: b.key(v, l.keySchema, l.keyName, l.keySub)}
	if d := at(v, l.keyDetail); d != nil {
		o.Key = withDetail(o.Key, string(d))
	}
	if at(v, l.parentName) != nil {
		o.Parent = b.key(v, l.parentSchema, l.parentName, l.parentSub)
	}
	n := 0
	for _, a := range l.attrs {
		if v[a.col] != nil {
			n++
		}
	}
	if n+extra > 0 {
		o.Attrs = make(snapshot.Attrs, 0, n+extra)
		for _, a := range l.attrs {
			if v[a.col] != nil {
				o.Attrs = append(o.Attrs, snapshot.Attr{Name: a.name, Value: b.intern(v[a.col])})
			}
		}
	}
	return b.add(o), nil
}

// row reads an object row, and a column's attnum when the result has one.
func (b *builder) row(l *layout, v [][]byte) error {
	if l.attnum < 0 {
		_, err := b.object(l, v, 0)
		return err
	}
	num, err := strconv.Atoi(string(v[l.attnum]))
	if err != nil {
		return fmt.Errorf("attnum %q is not a number", v[l.attnum])
	}
	n, err := b.object(l, v, 1)
	if err != nil {
		return err
	}
	parent := b.at(n).Parent
	table, ok := b.tables[parent]
	if !ok {
		table = int32(len(b.tables))
		b.tables[parent] = table
	}
	b.attnums = append(b.attnums, attnum{object: n, num: int32(num), table: table})
	return nil
}

// unsupported reads a row naming an object drift does not model.
func (b *builder) unsupported(l *layout, v [][]byte) error {
	kind, name := l.value(v, "kind"), l.value(v, "key_name")
	if kind == nil || name == nil {
		return errors.New("expected kind and key_name")
	}
	b.snap.Unsupported = append(b.snap.Unsupported, snapshot.Unsupported{Kind: string(kind), Name: string(name)})
	return nil
}

// positions sets each column's position: its 1-based ordinal by attnum among the live columns
// of its parent (dropped columns are not read, so they leave no hole). The columns are grouped
// by table with a counting sort on the table number and ordered by attnum within each table
// (rows mostly arrive in that order already); then the positions are set in the order the
// columns were read, which is the order they lie in memory.
func (b *builder) positions() {
	start := make([]int, len(b.tables)+1)
	for _, a := range b.attnums {
		start[a.table+1]++
	}
	for t := 1; t < len(start); t++ {
		start[t] += start[t-1]
	}
	grouped := make([]int32, len(b.attnums)) // indexes into attnums
	next := slices.Clone(start[:len(b.tables)])
	for i, a := range b.attnums {
		grouped[next[a.table]] = int32(i)
		next[a.table]++
	}
	byNum := func(x, y int32) int { return cmp.Compare(b.attnums[x].num, b.attnums[y].num) }
	rank := make([]int32, len(b.attnums)) // 0-based position of each column
	longest := 0
	for t := range len(b.tables) {
		cols := grouped[start[t]:start[t+1]]
		if !slices.IsSortedFunc(cols, byNum) {
			slices.SortFunc(cols, byNum)
		}
		for r, i := range cols {
			rank[i] = int32(r)
		}
		longest = max(longest, len(cols))
	}
	texts := make([]string, longest) // "1", "2", ...: one string per position, shared by every table
	for i := range texts {
		texts[i] = strconv.Itoa(i + 1)
	}
	for i, a := range b.attnums {
		b.at(a.object).Attrs.Set("position", texts[rank[i]])
	}
	b.attnums, b.tables = nil, nil
}

// finish resolves what can only be seen once every row is in, and returns the snapshot with
// its objects in one slice of the exact size, already in Normalize's order.
//
// Comments are keyed like the object they describe, but a column, a constraint, a trigger and a
// policy of one table may share a name. When comments collide, each of them gets its kind
// appended to the last part of its key ("public.t.x (constraint)") so neither is lost; the rare
// collision is stable for a given schema.
func (b *builder) finish() *snapshot.Snapshot {
	b.positions()
	b.strings, b.keys = nil, nil
	objects := b.byKind()
	b.chunks = nil
	for i := 1; i < len(objects); i++ {
		if objects[i].Kind == "comment" && objects[i-1].Kind == "comment" && objects[i].Key == objects[i-1].Key {
			renameCollidingComments(objects)
			sortByKey(objects)
			break
		}
	}
	b.snap.Objects = objects
	return b.snap
}

// byKind copies the objects into one slice of the exact size, grouped by kind in kind order and
// sorted by key within each kind. The copy is a counting sort on the kind (there are a dozen
// kinds, and kinds are interned, so telling them apart is cheap), which leaves the comparison
// sort to compare keys alone, kind by kind.
func (b *builder) byKind() []snapshot.Object {
	type group struct {
		kind       string
		count, off int
	}
	var groups []group
	find := func(kind string) int {
		for i := range groups {
			if groups[i].kind == kind {
				return i
			}
		}
		groups = append(groups, group{kind: kind})
		return len(groups) - 1
	}
	// Consecutive objects mostly share a kind: remember the last one's group.
	last := -1
	for _, c := range b.chunks {
		for i := range c {
			if last < 0 || groups[last].kind != c[i].Kind {
				last = find(c[i].Kind)
			}
			groups[last].count++
		}
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return strings.Compare(groups[x].kind, groups[y].kind) })
	off := 0
	for _, g := range order {
		groups[g].off = off
		off += groups[g].count
	}
	objects := make([]snapshot.Object, b.count)
	last = -1
	for _, c := range b.chunks {
		for i := range c {
			if last < 0 || groups[last].kind != c[i].Kind {
				last = find(c[i].Kind)
			}
			objects[groups[last].off] = c[i]
			groups[last].off++
		}
	}
	sortByKey(objects)
	return objects
}

// sortByKey sorts each run of objects of one kind by key. objects is grouped by kind.
func sortByKey(objects []snapshot.Object) {
	byKey := func(x, y snapshot.Object) int { return x.Key.Compare(y.Key) }
	for start := 0; start < len(objects); {
		end := start + 1
		for end < len(objects) && objects[end].Kind == objects[start].Kind {
			end++
		}
		if run := objects[start:end]; !slices.IsSortedFunc(run, byKey) {
			slices.SortFunc(run, byKey)
		}
		start = end
	}
}

// renameCollidingComments appends the commented object's kind to the key of comments that share
// a key. objects is sorted, so colliding comments are adjacent.
func renameCollidingComments(objects []snapshot.Object) {
	for i := 0; i < len(objects); {
		j := i + 1
		for j < len(objects) && objects[j].Kind == "comment" && objects[i].Kind == "comment" && objects[j].Key == objects[i].Key {
			j++
		}
		if j-i > 1 {
			for k := i; k < j; k++ {
				objects[k].Key = objects[k].Key.WithSuffix(" (" + objects[k].Attrs.Value("on_kind") + ")")
			}
		}
		i = j
	}
}
