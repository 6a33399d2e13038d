package fixsql

import (
	"container/heap"
	"slices"

	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/snapshot"
)

// phase is the drop phase or the create phase: every drop runs before every creation.
type phase int

const (
	dropPhase phase = iota
	createPhase
	// lateDropPhase drops, after everything is created and altered, the types, sequences,
	// functions, extensions and schemas that are simply gone: surviving objects may still use
	// them until the create phase has changed those (a column whose enum type goes away is
	// changed to text first).
	lateDropPhase
)

// Ranks order the steps of a phase where dependencies leave them free: the order a careful
// person would write them in. Dependencies found in names come first; ranks break ties.
const (
	// drop phase: dependents first
	rankRevoke        = 10
	rankDropComment   = 10
	rankDropPolicy    = 20
	rankDropTrigger   = 20
	rankDropView      = 30 // views, materialized views, functions with SQL-standard bodies
	rankDropFK        = 40
	rankDropIndex     = 50 // indexes and other constraints
	rankDropDefault   = 55
	rankDropColumn    = 60
	rankDropTable     = 70
	rankDropFunction  = 80
	rankDropSequence  = 85
	rankDropType      = 90
	rankDropExtension = 95
	rankDropSchema    = 99

	// create phase: dependencies first
	rankSchema     = 10
	rankExtension  = 15
	rankType       = 20
	rankFunction   = 30
	rankSequence   = 35
	rankTable      = 40
	rankTableAttr  = 45
	rankColumn     = 50
	rankDefault    = 55
	rankOwnedBy    = 57
	rankRename     = 58
	rankAttach     = 59
	rankConstraint = 60
	rankIndex      = 65
	rankFK         = 70
	rankView       = 75 // views, materialized views, functions with SQL-standard bodies
	rankTrigger    = 80
	rankPolicy     = 85
	rankGrant      = 90
	rankComment    = 95
	rankNote       = 100
)

// step is one statement (or one note) in the making.
type step struct {
	phase   phase
	rank    int
	seq     int
	obj     *snapshot.Object
	sql     string
	hazards []string
	notes   []string
	noTx    bool
	// bodyCheckOff: creates a function whose body must not be checked yet (it may name
	// objects created later), so check_function_bodies is turned off before it.
	bodyCheckOff bool
	also         []snapshot.ID // further objects it fixes (a rename's other side)
	needs        []snapshot.Key
	provides     []snapshot.Key
}

// add appends a step acting on o; its dependencies are found from o on the side of the phase.
func (g *gen) add(p phase, rank int, o *snapshot.Object, sql string) *step {
	if p == dropPhase && g.dropsLate(o, rank) {
		p = lateDropPhase
	}
	s := &step{phase: p, rank: rank, seq: len(g.steps), obj: o, sql: sql}
	sd := g.to
	if p != createPhase {
		sd = g.from
	}
	s.needs, s.provides = dependencies(sd, o)
	g.steps = append(g.steps, s)
	return s
}

// dropsLate reports whether dropping o waits for the late drop phase: a type, sequence,
// function (with a string body), collation, extension or schema that is gone for good, whose
// name nothing new takes.
func (g *gen) dropsLate(o *snapshot.Object, rank int) bool {
	switch o.Kind {
	case "type", "sequence", "function", "procedure", "collation", "extension", "schema":
	default:
		return false
	}
	if rank == rankDropView || g.rebuilt[o.ID()] {
		return false
	}
	for _, kind := range []string{"type", "sequence", "function", "procedure", "table", "view", "materialized_view", "collation", "extension", "schema"} {
		if g.to.find(kind, o.Key) != nil {
			return false // its name is taken by something new
		}
	}
	return true
}

// dependencies returns what a step on o needs to exist before it (in the create phase) or to be
// dropped after it (in the drop phase), and what it provides to others.
func dependencies(sd *side, o *snapshot.Object) (needs, provides []snapshot.Key) {
	addRefs := func(text string, table snapshot.Key) {
		if text == "" {
			return
		}
		r := scanRefs(text)
		for _, q := range r.qualified {
			k := snapshot.KeyOf(q[0], q[1], "", "")
			needs = append(needs, k)
			if sd.table(k) != nil {
				for w := range r.words {
					needs = append(needs, snapshot.KeyOf(q[0], q[1], w, ""))
				}
			}
		}
		if !table.IsZero() {
			for w := range r.words {
				needs = append(needs, snapshot.KeyOf(table.Schema(), table.Name(), w, ""))
			}
		}
	}
	a := o.Attrs
	switch o.Kind {
	case "schema":
		provides = append(provides, o.Key)
	case "extension":
		needs = append(needs, snapshot.KeyOf("", a.Value("schema"), "", ""))
	case "table":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent)
		needs = append(needs, sd.parentTables(o)...)
	case "view", "materialized_view":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent)
		addRefs(a.Value("definition"), snapshot.Key{})
	case "sequence":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent) // its owning column: see ownedBy
	case "type":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent)
		addRefs(a.Value("base_type")+" "+a.Value("default")+" "+a.Value("subtype"), snapshot.Key{})
		// What its parts name, made and dropped with it: a composite type's attribute of
		// another type, a domain check calling a function.
		for _, c := range sd.children(o) {
			switch c.Kind {
			case "column":
				addRefs(c.Attrs.Value("type"), snapshot.Key{})
			case "constraint":
				addRefs(c.Attrs.Value("definition"), snapshot.Key{})
			}
		}
	case "function", "procedure":
		name, _ := splitRoutine(o.Key.Name())
		provides = append(provides, snapshot.KeyOf(o.Key.Schema(), name, "", ""))
		needs = append(needs, o.Parent)
		addRefs(a.Value("definition"), snapshot.Key{})
	case "column":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent)
		// A partitioned table's column is its partitions' too: what a partition builds on it
		// (an index, a primary key) waits for the parent's statement.
		if t := sd.table(o.Parent); t != nil && t.Attrs.Has("partition_key") {
			for _, p := range sd.partitionsOf(o.Parent) {
				provides = append(provides, snapshot.KeyOf(p.Schema(), p.Name(), o.Key.Sub(), ""))
			}
		}
		addRefs(a.Value("type")+" "+a.Value("default")+" "+a.Value("generated"), o.Parent)
	case "constraint":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent)
		def := a.Value("definition")
		switch a.Value("type") {
		case "primary key", "unique":
			provides = append(provides, uniqueKey(o.Parent))
		case "foreign key":
			for _, q := range scanRefs(def).qualified {
				needs = append(needs, uniqueKey(snapshot.KeyOf(q[0], q[1], "", "")))
			}
		}
		addRefs(def, o.Parent)
	case "index":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent)
		def := a.Value("definition")
		if len(def) > 14 && def[:14] == "CREATE UNIQUE " {
			provides = append(provides, uniqueKey(o.Parent))
		}
		addRefs(def, o.Parent)
	case "trigger":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent)
		addRefs(a.Value("definition"), o.Parent)
	case "policy":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent)
		addRefs(a.Value("using")+" "+a.Value("with_check"), o.Parent)
	case "hypertable":
		provides = append(provides, hypertableMark(o.Key))
		needs = append(needs, o.Parent, snapshot.KeyOf(o.Key.Schema(), o.Key.Name(), a.Value("time_column"), ""))
	case "continuous_aggregate":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent)
		if ht, ok := sd.tableNamed(a.Value("hypertable")); ok {
			needs = append(needs, ht, hypertableMark(ht))
		}
		addRefs(a.Value("definition"), snapshot.Key{})
	case "job":
		provides = append(provides, o.Key)
		needs = append(needs, o.Parent, hypertableMark(o.Parent))
	case "comment", "privilege":
		k := o.Parent
		if kind := a.Value("on_kind"); kind == "function" || kind == "procedure" {
			name, _ := splitRoutine(k.Name())
			k = snapshot.KeyOf(k.Schema(), name, k.Sub(), k.Detail())
		}
		needs = append(needs, k)
	default:
		provides = append(provides, o.Key)
		if !o.Parent.IsZero() {
			needs = append(needs, o.Parent)
		}
	}
	return needs, provides
}

// statements orders the steps and renders them.
func (g *gen) statements() []engine.Statement {
	order := g.sort()
	// What a statement fixes: its object, the objects that made a rebuild necessary, the
	// objects it covers (a view's columns, a partition's copy of its parent's index).
	coveredBy := map[snapshot.ID][]snapshot.ID{}
	for id, by := range g.covered {
		// A sequence goes with its column, which goes with its table: the table's statement
		// fixes all three.
		for range 4 {
			coveredBy[by] = append(coveredBy[by], id)
			next, ok := g.covered[by]
			if !ok {
				break
			}
			by = next
		}
	}
	for _, ids := range coveredBy {
		sortIDs(ids)
	}
	out := make([]engine.Statement, 0, len(order)+1)
	bodyCheckOff := false
	for _, s := range order {
		id := s.obj.ID()
		objects := append([]snapshot.ID{id}, s.also...)
		objects = append(objects, g.causes[id]...)
		objects = append(objects, coveredBy[id]...)
		objects = append(objects, g.owners(s)...)
		if s.bodyCheckOff && !bodyCheckOff {
			bodyCheckOff = true
			out = append(out, engine.Statement{
				SQL:   "SET check_function_bodies = false;",
				Notes: []string{"functions are created before the tables their bodies may name (as pg_dump does)"},
			})
		}
		out = append(out, engine.Statement{SQL: s.sql, Hazards: s.hazards, Notes: s.notes, NoTransaction: s.noTx, Objects: objects})
	}
	return out
}

// sort orders the steps: the drop phase, then the create phase, each topologically by the
// dependencies found, ties broken by rank and then by the order the steps were written in.
// A cycle (two definitions that name each other) is broken at the lowest ranked step.
func (g *gen) sort() []*step {
	var out []*step
	for _, p := range []phase{dropPhase, createPhase, lateDropPhase} {
		var steps []*step
		for _, s := range g.steps {
			if s.phase == p {
				steps = append(steps, s)
			}
		}
		out = append(out, sortPhase(steps, p)...)
	}
	return out
}

func sortPhase(steps []*step, p phase) []*step {
	if len(steps) == 0 {
		return nil
	}
	providers := map[snapshot.Key][]int{}
	for i, s := range steps {
		for _, k := range s.provides {
			providers[k] = append(providers[k], i)
		}
	}
	after := make([][]int, len(steps)) // after[i]: steps that must come after i
	indeg := make([]int, len(steps))
	edge := func(from, to int) {
		if from == to {
			return
		}
		after[from] = append(after[from], to)
		indeg[to]++
	}
	// Steps on one object run in rank order, then in the order they were written in.
	byObj := map[*snapshot.Object][]int{}
	for i, s := range steps {
		byObj[s.obj] = append(byObj[s.obj], i)
	}
	for _, is := range byObj {
		slices.SortFunc(is, func(a, b int) int {
			if steps[a].rank != steps[b].rank {
				return steps[a].rank - steps[b].rank
			}
			return steps[a].seq - steps[b].seq
		})
		for k := 1; k < len(is); k++ {
			edge(is[k-1], is[k])
		}
	}
	for i, s := range steps {
		for _, k := range s.needs {
			for _, j := range providers[k] {
				if steps[j].obj == s.obj {
					continue
				}
				if p == createPhase {
					edge(j, i)
				} else {
					edge(i, j)
				}
			}
		}
	}
	for i := range after {
		slices.Sort(after[i])
		after[i] = slices.Compact(after[i])
	}
	// Recount after removing duplicate edges.
	clear(indeg)
	for _, tos := range after {
		for _, to := range tos {
			indeg[to]++
		}
	}
	h := &stepHeap{steps: steps}
	for i := range steps {
		if indeg[i] == 0 {
			heap.Push(h, i)
		}
	}
	done := make([]bool, len(steps))
	out := make([]*step, 0, len(steps))
	for len(out) < len(steps) {
		if h.Len() == 0 {
			// A cycle: release the first remaining step in rank order.
			best := -1
			for i := range steps {
				if !done[i] && (best < 0 || h.less(i, best)) {
					best = i
				}
			}
			indeg[best] = 0
			heap.Push(h, best)
		}
		i := heap.Pop(h).(int)
		if done[i] {
			continue
		}
		done[i] = true
		out = append(out, steps[i])
		for _, j := range after[i] {
			indeg[j]--
			if indeg[j] == 0 && !done[j] {
				heap.Push(h, j)
			}
		}
	}
	return out
}

// stepHeap is a priority queue of step indexes by rank, then writing order.
type stepHeap struct {
	steps []*step
	items []int
}

func (h *stepHeap) less(i, j int) bool {
	a, b := h.steps[i], h.steps[j]
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.seq < b.seq
}
func (h *stepHeap) Len() int           { return len(h.items) }
func (h *stepHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *stepHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *stepHeap) Push(x any)         { h.items = append(h.items, x.(int)) }
func (h *stepHeap) Pop() any {
	n := len(h.items)
	x := h.items[n-1]
	h.items = h.items[:n-1]
	return x
}

func sortIDs(ids []snapshot.ID) {
	slices.SortFunc(ids, func(a, b snapshot.ID) int {
		if a.Kind != b.Kind {
			if a.Kind < b.Kind {
				return -1
			}
			return 1
		}
		return a.Key.Compare(b.Key)
	})
}

// owners lists the owners a step's object is dropped or made with (a rebuilt view's index is
// made again because the view is), and what made those owners change: the step serves their
// findings.
func (g *gen) owners(s *step) []snapshot.ID {
	sd, set := g.to, g.fresh
	if s.phase != createPhase {
		sd, set = g.from, g.gone
	}
	var out []snapshot.ID
	o := s.obj
	for range 4 {
		p := sd.owner(o)
		if !goesWith(o, p, set) {
			break
		}
		out = append(out, p.ID())
		out = append(out, g.causes[p.ID()]...)
		o = p
	}
	return out
}
