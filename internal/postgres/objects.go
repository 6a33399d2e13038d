package postgres

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
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
	// attnums holds, for each column read, its object number and attnum; finish turns them
	// into positions.
	attnums []attnum
	// grants is reused by every ACL parse.
	grants []grant
}

type attnum struct {
	object int
	num    int
}

func newBuilder() *builder {
	s := snapshot.New(snapshot.EnginePostgres)
	s.Source = snapshot.Source{Kind: snapshot.SourceLive}
	return &builder{snap: s, strings: make(map[string]string, 1024)}
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

// object reads one row laid out as kind, key, parent, attribute values (named by attrs). The
// values are only valid during the call, so everything kept is copied.
func (b *builder) object(v [][]byte, attrs []string) (int, error) {
	if len(v) != 3+len(attrs) {
		return 0, fmt.Errorf("expected %d columns, got %d", 3+len(attrs), len(v))
	}
	if v[0] == nil || v[1] == nil {
		return 0, fmt.Errorf("row without kind or key")
	}
	o := snapshot.Object{Kind: b.intern(v[0]), Key: string(v[1])}
	if v[2] != nil {
		o.Parent = b.intern(v[2])
	}
	n := 0
	for _, a := range v[3:] {
		if a != nil {
			n++
		}
	}
	if n > 0 {
		o.Attrs = make(map[string]string, n)
		for i, a := range v[3:] {
			if a != nil {
				o.Attrs[attrs[i]] = b.intern(a)
			}
		}
	}
	return b.add(o), nil
}

// column reads a column row: the generic layout followed by attnum.
func (b *builder) column(v [][]byte, attrs []string) error {
	if len(v) != 4+len(attrs) {
		return fmt.Errorf("expected %d columns, got %d", 4+len(attrs), len(v))
	}
	num, err := strconv.Atoi(string(v[len(v)-1]))
	if err != nil {
		return fmt.Errorf("attnum %q is not a number", v[len(v)-1])
	}
	n, err := b.object(v[:len(v)-1], attrs)
	if err != nil {
		return err
	}
	b.attnums = append(b.attnums, attnum{object: n, num: num})
	return nil
}

// positions sets each column's position: its 1-based ordinal by attnum among the live columns
// of its parent (dropped columns are not read, so they leave no hole).
func (b *builder) positions() {
	slices.SortFunc(b.attnums, func(x, y attnum) int {
		if c := cmp.Compare(b.at(x.object).Parent, b.at(y.object).Parent); c != 0 {
			return c
		}
		return cmp.Compare(x.num, y.num)
	})
	pos := 0
	for i, a := range b.attnums {
		o := b.at(a.object)
		if i == 0 || o.Parent != b.at(b.attnums[i-1].object).Parent {
			pos = 0
		}
		pos++
		if o.Attrs == nil {
			o.Attrs = make(map[string]string, 1)
		}
		o.Attrs["position"] = b.internString(strconv.Itoa(pos))
	}
	b.attnums = nil
}

// finish resolves what can only be seen once every row is in, and returns the snapshot with
// its objects in one slice of the exact size, already in Normalize's order.
//
// Comments are keyed like the object they describe, but a column, a constraint, a trigger and a
// policy of one table may share a name. When comments collide, each of them gets its kind
// appended to the key ("public.t.x (constraint)") so neither is lost; the rare collision is
// stable for a given schema.
func (b *builder) finish() *snapshot.Snapshot {
	b.positions()
	b.strings = nil
	objects := make([]snapshot.Object, 0, b.count)
	for _, c := range b.chunks {
		objects = append(objects, c...)
	}
	b.chunks = nil
	byKind := func(x, y snapshot.Object) int {
		if c := cmp.Compare(x.Kind, y.Kind); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	}
	slices.SortFunc(objects, byKind)
	collided := false
	for i := 1; i < len(objects); i++ {
		if objects[i].Kind == "comment" && objects[i-1].Kind == "comment" && objects[i].Key == objects[i-1].Key {
			collided = true
			break
		}
	}
	if collided {
		renameCollidingComments(objects)
		slices.SortFunc(objects, byKind)
	}
	b.snap.Objects = objects
	slices.Sort(b.snap.Unsupported)
	return b.snap
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
				objects[k].Key += " (" + objects[k].Attrs["on_kind"] + ")"
			}
		}
		i = j
	}
}
