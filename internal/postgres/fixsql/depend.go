package fixsql

import (
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/drift-schema/drift/internal/snapshot"
)

// settle decides, for every object, whether it is gone after the drop phase and whether it is
// made in the create phase. Objects belong to their owner: what a dropped or rebuilt table, view
// or type owns goes with it, and what a created or rebuilt one owns is made with it. Schemas are
// the exception: their contents are dropped one by one first, so that each carries its own
// hazard, and the schema is then dropped empty.
func (g *gen) settle(dropped, created []*snapshot.Object) {
	var gone, fresh []*snapshot.Object
	for _, f := range dropped {
		g.gone[f.ID()] = f
		gone = append(gone, f)
	}
	for _, t := range created {
		g.fresh[t.ID()] = t
		fresh = append(fresh, t)
	}
	for id := range g.rebuilt {
		f := g.from.get(id)
		g.gone[id] = f
		gone = append(gone, f)
		if t := g.to.get(id); t != nil {
			g.fresh[id] = t
			fresh = append(fresh, t)
		}
	}
	// What a gone (fresh) object owns is gone (fresh) with it, down the chain (a grant on a
	// column of a table); a schema's contents are the exception (goesWith).
	spread := func(sd *side, queue []*snapshot.Object, set map[snapshot.ID]*snapshot.Object) {
		for len(queue) > 0 {
			o := queue[0]
			queue = queue[1:]
			for _, c := range sd.children(o) {
				if set[c.ID()] == nil && goesWith(c, o, set) {
					set[c.ID()] = c
					queue = append(queue, c)
				}
			}
		}
	}
	spread(g.from, gone, g.gone)
	spread(g.to, fresh, g.fresh)
}

// implicitlyGone reports whether a gone object goes without a statement of its own: with its
// owner, with the column or table that owns its sequence, with its partitioned table, with the
// trigger a constraint trigger is. The object that takes it along fixes its finding too.
func (g *gen) implicitlyGone(f *snapshot.Object) bool {
	by, ok := g.goneWith(f)
	if ok && !by.Key.IsZero() {
		g.covered[f.ID()] = by
	}
	return ok
}

func (g *gen) goneWith(f *snapshot.Object) (snapshot.ID, bool) {
	if f.Kind == "constraint" && f.Attrs.Value("type") == "foreign key" {
		// A partition's copy of its parent's foreign key goes with the parent's: the server
		// refuses to drop the copy on its own.
		if id, ok := g.inheritedFrom(g.from, f, g.gone); ok {
			return id, true
		}
		// A foreign key between two tables that both go is dropped first, on its own, so the
		// tables can go in any order (even when they reference each other).
		for _, q := range scanRefs(f.Attrs.Value("definition")).qualified {
			k := snapshot.KeyOf(q[0], q[1], "", "")
			if k != f.Parent && g.gone[snapshot.ID{Kind: "table", Key: k}] != nil {
				return snapshot.ID{}, false
			}
		}
	}
	if p := g.from.owner(f); goesWith(f, p, g.gone) {
		return p.ID(), true
	}
	switch f.Kind {
	case "sequence":
		if col, ok := g.from.column(f.Attrs.Value("owned_by")); ok {
			for _, id := range []snapshot.ID{{Kind: "column", Key: col}, {Kind: "table", Key: col.Object()}} {
				if g.gone[id] != nil {
					return id, true
				}
			}
		}
	case "table":
		if of, ok := f.Attrs.Get("partition_of"); ok {
			for _, k := range g.from.tableList(of) {
				if id := (snapshot.ID{Kind: "table", Key: k}); g.gone[id] != nil {
					return id, true
				}
			}
		}
	case "constraint":
		if f.Attrs.Value("type") == "trigger" {
			return snapshot.ID{Kind: "trigger", Key: f.Key}, true
		}
	}
	return g.inheritedFrom(g.from, f, g.gone)
}

// goesWith reports whether o is dropped or made with its owner p, which is in set: everything
// goes with its owner except a schema's contents, which are dropped one by one (a schema's own
// grants and comment do go with it).
func goesWith(o, p *snapshot.Object, set map[snapshot.ID]*snapshot.Object) bool {
	return p != nil && set[p.ID()] != nil && (p.Kind != "schema" || annotates(o.Kind))
}

// implicitlyCreated reports whether a fresh object is made without a statement of its own: a
// column of a new table or composite type (written inline), any column of a view, a constraint
// trigger, an object a new partition or inheritance child gets from its parent. The object
// that makes it fixes its finding too.
func (g *gen) implicitlyCreated(t *snapshot.Object) bool {
	by, ok := g.createdWith(t)
	if ok {
		g.covered[t.ID()] = by
	}
	return ok
}

func (g *gen) createdWith(t *snapshot.Object) (snapshot.ID, bool) {
	p := g.to.owner(t)
	switch t.Kind {
	case "column":
		if p == nil {
			return snapshot.ID{}, false
		}
		switch p.Kind {
		case "view", "materialized_view":
			return p.ID(), true
		case "table", "type":
			if g.fresh[p.ID()] != nil && !inlineColumnsSkipped(g, p) {
				return p.ID(), true
			}
		}
	case "constraint":
		if t.Attrs.Value("type") == "trigger" {
			return snapshot.ID{Kind: "trigger", Key: t.Key}, true
		}
	}
	return g.inheritedFrom(g.to, t, g.fresh)
}

// inlineColumnsSkipped reports whether a new table's columns are not written inline: a
// partition takes its columns from its parent.
func inlineColumnsSkipped(g *gen, table *snapshot.Object) bool {
	return table.Kind == "table" && table.Attrs.Has("partition_of")
}

// inheritedFrom reports whether o, an object of a partition or an inheritance child, is the
// copy its parent table's own object makes, and that object is made (or dropped) in this run
// (set) or the child table itself is: a column, a check constraint, and for partitions also
// foreign keys, primary keys and unique constraints, indexes and row triggers.
func (g *gen) inheritedFrom(s *side, o *snapshot.Object, set map[snapshot.ID]*snapshot.Object) (snapshot.ID, bool) {
	switch o.Kind {
	case "column", "constraint", "index", "trigger":
	default:
		return snapshot.ID{}, false
	}
	tableKey := o.Parent
	child := s.table(tableKey)
	if child == nil {
		return snapshot.ID{}, false
	}
	partition := child.Attrs.Has("partition_of")
	childSet := set[child.ID()] != nil
	for _, pk := range s.parentTables(child) {
		for _, po := range sameKindUnder(s, o.Kind, pk) {
			if !(set[po.ID()] != nil || childSet) {
				continue
			}
			if clones(o, po, child, partition) {
				return po.ID(), true
			}
		}
	}
	return snapshot.ID{}, false
}

// clones reports whether o on a child table is the copy of po on its parent.
func clones(o, po, child *snapshot.Object, partition bool) bool {
	switch o.Kind {
	case "column":
		return o.Key.Sub() == po.Key.Sub() && o.Attrs.Value("type") == po.Attrs.Value("type")
	case "constraint":
		typ := o.Attrs.Value("type")
		if typ != po.Attrs.Value("type") || o.Attrs.Value("definition") != po.Attrs.Value("definition") {
			return false
		}
		switch typ {
		case "check":
			return o.Key.Sub() == po.Key.Sub() && !strings.Contains(po.Attrs.Value("definition"), "NO INHERIT")
		case "foreign key":
			return partition && o.Key.Sub() == po.Key.Sub()
		case "primary key", "unique", "exclusion":
			return partition
		}
	case "index":
		return partition && indexBody(o.Attrs.Value("definition")) == indexBody(po.Attrs.Value("definition"))
	case "trigger":
		// The copy's WHEN casts whole rows to the parent's row type ((old.*)::public.parent),
		// so the condition is left out; a partition cannot hold a trigger of its own under
		// the name of its parent's.
		return partition && o.Key.Sub() == po.Key.Sub() &&
			withoutWhen(triggerBody(o.Attrs.Value("definition"))) == withoutWhen(triggerBody(po.Attrs.Value("definition")))
	}
	return false
}

// coveredChange reports whether a changed object of a partition or inheritance child changes
// because its parent's same object changes the same way: ALTER TABLE on the parent recurses.
func (g *gen) coveredChange(f, t *snapshot.Object) (snapshot.ID, bool) {
	if t.Kind != "column" && t.Kind != "constraint" && t.Kind != "index" && t.Kind != "trigger" {
		return snapshot.ID{}, false
	}
	child := g.to.table(t.Parent)
	if child == nil {
		return snapshot.ID{}, false
	}
	partition := child.Attrs.Has("partition_of")
	for _, pk := range g.to.parentTables(child) {
		for _, pt := range sameKindUnder(g.to, t.Kind, pk) {
			if !clones(t, pt, child, partition) {
				continue
			}
			pf := g.from.get(pt.ID())
			if pf == nil || !clones(f, pf, child, partition) || !g.differs(pf, pt) {
				continue
			}
			return pt.ID(), true
		}
	}
	return snapshot.ID{}, false
}

// sameKindUnder returns a table's own objects of a kind: its columns, constraints, indexes or
// triggers.
func sameKindUnder(s *side, kind string, table snapshot.Key) []*snapshot.Object {
	if kind == "index" {
		return s.indexesOf(table)
	}
	return s.under(kind, table)
}

// affect is a change other objects may depend on: something dropped or rebuilt, or a column
// whose type changes.
type affect struct {
	key snapshot.Key // the relation, type or function (bare name), or a table's unique key
	col string       // the column, when a column changes
	// auto: the server carries the table's own indexes and constraints through the change
	// (ALTER COLUMN … TYPE rebuilds them itself).
	auto  bool
	cause snapshot.ID
}

// uniqueKey stands for "the unique constraints and indexes of a table", which foreign keys
// referencing it depend on.
func uniqueKey(table snapshot.Key) snapshot.Key {
	return snapshot.KeyOf(table.Schema(), table.Name(), "", "unique")
}

// candidate is a surviving object that may have to be rebuilt because of what it mentions.
type candidate struct {
	obj   *snapshot.Object
	table snapshot.Key // the table it belongs to, for columns named bare
	text  string
	words map[string]bool // read from text on first use
}

// mentions reports whether the candidate's text names the identifier.
func (c *candidate) mentions(word string) bool {
	if c.words == nil {
		c.words = scanRefs(c.text).words
		if c.words == nil {
			c.words = map[string]bool{}
		}
	}
	return c.words[word]
}

// expandDependents rebuilds the surviving objects that depend on something dropped or rebuilt,
// to a fixed point: a view over a column whose type changes, a foreign key referencing a
// rebuilt primary key, a policy calling a function that is dropped and created again. A column
// whose default names what goes away has its default dropped first and set again after.
func (g *gen) expandDependents(dropped []*snapshot.Object) {
	var queue []affect
	isDropped := make(map[snapshot.ID]bool, len(dropped))
	for _, f := range dropped {
		isDropped[f.ID()] = true
		queue = append(queue, affectsOf(f, f.ID(), false)...)
	}
	for _, p := range g.changed {
		id := p.f.ID()
		switch {
		case g.rebuilt[id]:
			queue = append(queue, affectsOf(p.f, id, false)...)
		case p.f.Kind == "column" && (attrChanged(p.f, p.t, "type") || attrChanged(p.f, p.t, "collation")):
			queue = append(queue, affect{key: p.f.Parent, col: p.f.Key.Sub(), auto: true, cause: id})
		}
	}
	if len(queue) == 0 {
		return
	}
	// Index the surviving objects that could be affected by the names they mention, and by
	// the table they belong to (they name its columns bare). Reading every definition is most
	// of the work on a large schema: it is shared among the processors.
	var objects []*snapshot.Object
	for _, kind := range []string{"view", "materialized_view", "continuous_aggregate", "function", "procedure", "trigger", "index", "policy", "constraint", "column"} {
		objects = append(objects, g.from.ofKind(kind)...)
	}
	candidates := make([]*candidate, len(objects))
	mentioned := make([][]snapshot.Key, len(objects))
	parallel(len(objects), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			candidates[i], mentioned[i] = g.candidate(objects[i])
		}
	})
	byKey := map[snapshot.Key][]*candidate{}
	for i, c := range candidates {
		for _, k := range mentioned[i] {
			byKey[k] = append(byKey[k], c)
		}
	}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		for _, c := range byKey[a.key] {
			id := c.obj.ID()
			if g.rebuilt[id] || isDropped[id] || id == a.cause {
				continue
			}
			if a.col != "" {
				if !c.mentions(a.col) {
					continue
				}
				if a.auto && c.table == a.key && c.obj.Kind != "trigger" && c.obj.Kind != "policy" {
					continue
				}
			} else if a.key.Detail() == "" && c.table == a.key && c.obj.Kind != "column" {
				continue // owned by what goes away: goes with it
			}
			if c.obj.Kind == "column" {
				g.defaultsRebuilt[id] = true
				g.causes[id] = appendID(g.causes[id], a.cause)
				continue
			}
			g.rebuilt[id] = true
			g.causes[id] = appendID(g.causes[id], a.cause)
			for _, next := range affectsOf(c.obj, id, false) {
				next.cause = a.cause
				queue = append(queue, next)
			}
		}
	}
}

// candidate reads a surviving object that may have to be rebuilt: nil when it depends on
// nothing by name, else the keys it mentions (each once).
func (g *gen) candidate(f *snapshot.Object) (*candidate, []snapshot.Key) {
	text, table := dependentText(g, f)
	if text == "" {
		return nil, nil
	}
	var keys []snapshot.Key
	add := func(k snapshot.Key) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	fk := f.Kind == "constraint" && f.Attrs.Value("type") == "foreign key"
	scanQualified(text, func(schema, name string) {
		k := snapshot.KeyOf(schema, name, "", "")
		add(k)
		if fk {
			add(uniqueKey(k))
		}
	})
	if !table.IsZero() {
		add(table)
	}
	return &candidate{obj: f, table: table, text: text}, keys
}

// parallel calls fn over [0, n), one contiguous range per processor, and returns when every
// range is done. fn must only read what it shares.
func parallel(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/1000))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(n*w/workers, n*(w+1)/workers)
		}()
	}
	wg.Wait()
}

// dependentText returns the text in which a surviving object names what it depends on, and the
// table it belongs to; "" for objects that cannot be rebuilt or depend on nothing by name.
func dependentText(g *gen, f *snapshot.Object) (string, snapshot.Key) {
	switch f.Kind {
	case "view", "materialized_view", "continuous_aggregate":
		return f.Attrs.Value("definition"), snapshot.Key{}
	case "function", "procedure":
		def := f.Attrs.Value("definition")
		if standardBody(def) {
			return def, snapshot.Key{}
		}
		// A body in quotes is not read, but the arguments and result are: a domain or table
		// type rebuilt under a function takes the function along.
		return routineHeader(def), snapshot.Key{}
	case "trigger", "index":
		return f.Attrs.Value("definition"), f.Parent
	case "policy":
		return f.Attrs.Value("using") + " " + f.Attrs.Value("with_check"), f.Parent
	case "constraint":
		if f.Attrs.Value("type") == "trigger" {
			return "", snapshot.Key{}
		}
		if g.from.ownerKind(f) == "type" {
			return f.Attrs.Value("definition"), snapshot.Key{}
		}
		return f.Attrs.Value("definition"), f.Parent
	case "column":
		if d, ok := f.Attrs.Get("default"); ok && g.from.ownerKind(f) == "table" {
			return d, f.Parent
		}
	}
	return "", snapshot.Key{}
}

// affectsOf lists what dropping or rebuilding f affects.
func affectsOf(f *snapshot.Object, cause snapshot.ID, auto bool) []affect {
	switch f.Kind {
	case "table", "view", "materialized_view", "continuous_aggregate", "sequence", "type":
		return []affect{{key: f.Key, cause: cause}}
	case "function", "procedure":
		name, _ := splitRoutine(f.Key.Name())
		return []affect{{key: snapshot.KeyOf(f.Key.Schema(), name, "", ""), cause: cause}}
	case "column":
		return []affect{{key: f.Parent, col: f.Key.Sub(), auto: auto, cause: cause}}
	case "constraint":
		if t := f.Attrs.Value("type"); t == "primary key" || t == "unique" {
			return []affect{{key: uniqueKey(f.Parent), cause: cause}}
		}
	case "index":
		if strings.HasPrefix(f.Attrs.Value("definition"), "CREATE UNIQUE ") {
			return []affect{{key: uniqueKey(f.Parent), cause: cause}}
		}
	}
	return nil
}

func appendID(ids []snapshot.ID, id snapshot.ID) []snapshot.ID {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}
