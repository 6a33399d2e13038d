// Package fixsql writes the SQL that turns one PostgreSQL schema snapshot into another: the fix
// for drift. From the live schema to the expected one it reverts drift; from the expected schema
// to the live one it is the migration that adopts it.
//
// It works on snapshots alone (a live database, a migration set and a snapshot file all become
// one), so it never connects anywhere, and drift never runs what it writes against a database it
// watches.
//
// The statements are dependency-ordered in two phases. First everything that goes away is
// dropped, dependents before what they depend on (a view before the column it reads, a foreign
// key before the table it references, a policy before the function it calls). Then everything
// new or changed is created, dependencies before dependents. Dependencies come from the objects'
// owners and from the names their server-deparsed definitions mention (see refs.go). An object
// that cannot change in place (a view whose columns change, a function whose signature changes)
// is dropped and created again, and so is everything that depends on it.
//
// Each object kind has one small generator (kinds below). A kind without one gets a comment
// saying that drift cannot write SQL for it, never silence.
package fixsql

import (
	"slices"

	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Options tune the SQL.
type Options struct {
	// Online: the SQL is run by hand on a live database, so it takes the forms with the weakest
	// locks: indexes built and dropped CONCURRENTLY (outside a transaction block), constraints
	// added NOT VALID and then validated, NOT NULL proven by a validated check first. Off, it is
	// written for a migration file that a tool may run in one transaction.
	Online bool
	// ColumnOrder: column positions are part of the comparison.
	ColumnOrder bool
	// RenameSignature pairs a dropped and a created constraint or index that differ only in a
	// name PostgreSQL generated; such a pair is renamed, not dropped and created. Nil pairs none.
	RenameSignature func(snapshot.Object) (string, bool)
}

// kindSQL writes the statements of one object kind. Every function receives objects of its kind
// only; create receives to-side objects, drop from-side ones.
type kindSQL struct {
	create func(g *gen, o *snapshot.Object)
	drop   func(g *gen, o *snapshot.Object)
	// rebuild reports whether the change from f to t needs the object dropped and created
	// again; nil means never.
	rebuild func(g *gen, f, t *snapshot.Object) bool
	// alter writes the change from f to t in place.
	alter func(g *gen, f, t *snapshot.Object)
}

// kinds maps each object kind to its generator. A kind added to the catalog without an entry
// here gets a "drift cannot write SQL" comment for each of its differences.
var kinds = map[string]kindSQL{
	"schema":            {create: createSchema, drop: dropSchema, alter: alterSchema},
	"extension":         {create: createExtension, drop: dropExtension, alter: alterExtension},
	"table":             {create: createTable, drop: dropTable, alter: alterTable},
	"column":            {create: createColumn, drop: dropColumn, rebuild: rebuildColumn, alter: alterColumn},
	"constraint":        {create: createConstraint, drop: dropConstraint, rebuild: rebuildConstraint, alter: alterConstraint},
	"index":             {create: createIndex, drop: dropIndex, rebuild: rebuildIndex, alter: alterIndex},
	"view":              {create: createView, drop: dropView, rebuild: rebuildView, alter: alterView},
	"materialized_view": {create: createView, drop: dropView, rebuild: rebuildView, alter: alterView},
	"sequence":          {create: createSequence, drop: dropSequence, alter: alterSequence},
	"function":          {create: createRoutine, drop: dropRoutine, rebuild: rebuildRoutine, alter: alterRoutine},
	"procedure":         {create: createRoutine, drop: dropRoutine, rebuild: rebuildRoutine, alter: alterRoutine},
	"trigger":           {create: createTrigger, drop: dropTrigger, rebuild: rebuildTrigger, alter: alterTrigger},
	"type":              {create: createType, drop: dropType, rebuild: rebuildType, alter: alterType},
	"policy":            {create: createPolicy, drop: dropPolicy, rebuild: rebuildPolicy, alter: alterPolicy},
	"privilege":         {create: grant, drop: revoke, alter: alterGrant},
	"comment":           {create: setComment, drop: removeComment, alter: changeComment},
	"collation":         {create: createCollation, drop: dropCollation, alter: alterCollation},
	"partitioning":      {create: createPartitioning, drop: dropPartitioning, alter: alterPartitioning},
	// TimescaleDB (timescale.go)
	"hypertable":                 {create: createHypertable, drop: dropHypertable, alter: alterHypertable},
	"continuous_aggregate":       {create: createCagg, drop: dropCagg, rebuild: rebuildCagg, alter: alterCagg},
	"continuous_aggregate_index": {create: createCaggIndex, drop: dropCaggIndex, rebuild: rebuildCaggIndex, alter: alterCaggIndex},
	"job":                        {create: createJob, drop: dropJob, rebuild: rebuildJob, alter: alterJob},
}

// gen is one generation: the two sides, what becomes of each object, and the steps written.
type gen struct {
	o        Options
	from, to *side
	// version is the server version of the database the SQL runs on (the from side), or of the
	// to side when the from side does not say; it picks between syntaxes.
	version int

	changed []pair                           // in both, different, in from's order
	rebuilt map[snapshot.ID]bool             // dropped and created again
	gone    map[snapshot.ID]*snapshot.Object // from-side objects that do not survive the drop phase
	fresh   map[snapshot.ID]*snapshot.Object // to-side objects made in the create phase
	causes  map[snapshot.ID][]snapshot.ID    // rebuilt dependents → the objects that made them so
	covered map[snapshot.ID]snapshot.ID      // objects whose change another object's statements make
	renames []pair

	// defaultsRebuilt are columns whose default is dropped before, and set again after, what
	// it names is dropped or rebuilt.
	defaultsRebuilt map[snapshot.ID]bool

	steps []*step

	// collationsMissing are the collations a snapshot of an older drift listed as not
	// compared, that the to side has and the from side lacks: a column using one cannot be
	// written.
	collationsMissing map[string]bool

	// fkTargets are the tables foreign keys on the from side reference (referencedByForeignKey).
	fkTargets map[snapshot.Key]bool
}

// pair is one object on both sides.
type pair struct{ f, t *snapshot.Object }

// Generate returns the statements turning from into to, in the order they must run.
func Generate(from, to *snapshot.Snapshot, o Options) []engine.Statement {
	g := &gen{
		o:               o,
		from:            newSide(from),
		to:              newSide(to),
		rebuilt:         map[snapshot.ID]bool{},
		gone:            map[snapshot.ID]*snapshot.Object{},
		fresh:           map[snapshot.ID]*snapshot.Object{},
		causes:          map[snapshot.ID][]snapshot.ID{},
		covered:         map[snapshot.ID]snapshot.ID{},
		defaultsRebuilt: map[snapshot.ID]bool{},
	}
	if from != nil {
		g.version = from.ServerVersionNum
	}
	if g.version == 0 && to != nil {
		g.version = to.ServerVersionNum
	}
	g.collationsMissing = missingCollations(from, to)
	// Both sides are in (kind, key) order: one merge finds what is dropped, created, changed.
	var dropped, created []*snapshot.Object
	fs, ts := g.from.objs, g.to.objs
	for i, j := 0, 0; i < len(fs) || j < len(ts); {
		c := 0
		switch {
		case i == len(fs):
			c = 1
		case j == len(ts):
			c = -1
		default:
			c = compareObjects(fs[i], ts[j])
		}
		switch {
		case c < 0:
			dropped = append(dropped, fs[i])
			i++
		case c > 0:
			created = append(created, ts[j])
			j++
		default:
			if g.differs(fs[i], ts[j]) {
				g.changed = append(g.changed, pair{fs[i], ts[j]})
			}
			i++
			j++
		}
	}
	dropped, created = g.pairRenames(dropped, created)

	for _, p := range g.changed {
		if k, ok := kinds[p.f.Kind]; ok && k.rebuild != nil && k.rebuild(g, p.f, p.t) {
			g.rebuilt[p.f.ID()] = true
		}
	}
	g.expandDependents(dropped)
	g.settle(dropped, created)

	// The drop phase, then the create phase; within each, objects in snapshot order, so that
	// the output never depends on map order. The final order comes from sort().
	for _, f := range sorted(g.gone) {
		if !g.implicitlyGone(f) {
			g.dropObject(f)
		}
	}
	defaults := map[snapshot.ID]*snapshot.Object{}
	for id := range g.defaultsRebuilt {
		defaults[id] = g.from.get(id)
	}
	for _, f := range sorted(defaults) {
		dropDefaultFor(g, f)
	}
	for _, p := range g.renames {
		g.rename(p.f, p.t)
	}
	for _, t := range sorted(g.fresh) {
		if !g.implicitlyCreated(t) {
			g.createObject(t)
		}
	}
	for _, f := range sorted(defaults) {
		if t := g.to.get(f.ID()); t != nil && g.fresh[f.ID()] == nil {
			setDefaultFor(g, f, t)
		}
	}
	for _, p := range g.changed {
		id := p.f.ID()
		if g.rebuilt[id] || g.fresh[id] != nil || g.gone[id] != nil {
			continue
		}
		if by, ok := g.coveredChange(p.f, p.t); ok {
			g.covered[id] = by
			continue
		}
		k, ok := kinds[p.f.Kind]
		if !ok {
			g.cannot(p.t, "drift does not write SQL for this kind of object yet")
			continue
		}
		if g.followsReshape(p.t) {
			continue
		}
		k.alter(g, p.f, p.t)
	}
	return g.statements()
}

// sorted returns the objects of a set in (kind, key) order, so that output never depends on
// map order.
func sorted(set map[snapshot.ID]*snapshot.Object) []*snapshot.Object {
	out := make([]*snapshot.Object, 0, len(set))
	for _, o := range set {
		out = append(out, o)
	}
	slices.SortFunc(out, compareObjects)
	return out
}

// differs reports whether an object differs between the sides in what is compared.
func (g *gen) differs(f, t *snapshot.Object) bool {
	if g.o.ColumnOrder {
		return !slices.Equal(f.Attrs, t.Attrs)
	}
	i, j := 0, 0
	for i < len(f.Attrs) || j < len(t.Attrs) {
		if i < len(f.Attrs) && f.Attrs[i].Name == "position" {
			i++
			continue
		}
		if j < len(t.Attrs) && t.Attrs[j].Name == "position" {
			j++
			continue
		}
		if i >= len(f.Attrs) || j >= len(t.Attrs) || f.Attrs[i] != t.Attrs[j] {
			return true
		}
		i++
		j++
	}
	return false
}

// attrChanged reports whether the named attribute differs.
func attrChanged(f, t *snapshot.Object, name string) bool {
	fv, fok := f.Attrs.Get(name)
	tv, tok := t.Attrs.Get(name)
	return fok != tok || fv != tv
}

// pairRenames pairs dropped and created constraints and indexes that differ only in a name the
// server generated, as the comparison does, and takes them out of both lists.
func (g *gen) pairRenames(dropped, created []*snapshot.Object) ([]*snapshot.Object, []*snapshot.Object) {
	if g.o.RenameSignature == nil {
		return dropped, created
	}
	type group struct {
		kind      string
		parent    snapshot.Key
		signature string
	}
	byGroup := map[group][]*snapshot.Object{}
	for _, t := range created {
		if t.Kind != "constraint" && t.Kind != "index" {
			continue
		}
		if sig, ok := g.o.RenameSignature(*t); ok {
			k := group{t.Kind, t.Parent, sig}
			byGroup[k] = append(byGroup[k], t)
		}
	}
	paired := map[*snapshot.Object]bool{}
	for _, f := range dropped {
		if f.Kind != "constraint" && f.Kind != "index" {
			continue
		}
		sig, ok := g.o.RenameSignature(*f)
		if !ok {
			continue
		}
		k := group{f.Kind, f.Parent, sig}
		if ts := byGroup[k]; len(ts) > 0 {
			g.renames = append(g.renames, pair{f, ts[0]})
			byGroup[k] = ts[1:]
			paired[f], paired[ts[0]] = true, true
		}
	}
	keep := func(os []*snapshot.Object) []*snapshot.Object {
		return slices.DeleteFunc(os, func(o *snapshot.Object) bool { return paired[o] })
	}
	return keep(dropped), keep(created)
}

// dropObject writes the drop of a from-side object.
func (g *gen) dropObject(f *snapshot.Object) {
	k, ok := kinds[f.Kind]
	if !ok {
		g.cannot(f, "drift does not write SQL for this kind of object yet")
		return
	}
	if g.fresh[f.ID()] != nil && g.reshaped(f) {
		return // rebuilt: its creation says it follows the table
	}
	if g.followsReshape(f) {
		return
	}
	k.drop(g, f)
}

// createObject writes the creation of a to-side object.
func (g *gen) createObject(t *snapshot.Object) {
	k, ok := kinds[t.Kind]
	if !ok {
		g.cannot(t, "drift does not write SQL for this kind of object yet")
		return
	}
	if g.followsReshape(t) {
		return
	}
	k.create(g, t)
	switch t.Kind {
	case "table", "view", "materialized_view", "sequence", "function", "procedure", "type", "schema":
		revokeDefaults(g, t)
	}
}

// followsReshape reports, and says, when o is an index, constraint or trigger of a table whose
// partitioning changes (becomes partitioned, stops being, or gets another key): that change
// cannot be written in place, and what stands on the table must be made with the new table,
// not beside the old one (CREATE INDEX CONCURRENTLY on a partitioned table fails).
func (g *gen) followsReshape(o *snapshot.Object) bool {
	if !g.reshaped(o) {
		return false
	}
	g.cannot(o, "its table "+o.Parent.String()+" changes its partitioning, which drift cannot write: make it with the table built anew")
	return true
}

// reshaped reports whether o is an index, constraint or trigger of a table whose partitioning
// changes.
func (g *gen) reshaped(o *snapshot.Object) bool {
	switch o.Kind {
	case "index", "constraint", "trigger":
	default:
		return false
	}
	f, t := g.from.table(o.Parent), g.to.table(o.Parent)
	return f != nil && t != nil && attrChanged(f, t, "partition_key")
}

// cannot records that no SQL can be written for an object's difference, and why.
func (g *gen) cannot(o *snapshot.Object, why string) {
	s := g.add(createPhase, rankNote, o, "")
	s.notes = append(s.notes, "drift cannot write SQL for "+label(o.Kind)+" "+o.Key.String()+": "+why)
}

// label names a kind for people: "materialized view".
func label(kind string) string {
	b := []byte(kind)
	for i := range b {
		if b[i] == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}

// missingCollations lists the collations the to side holds and the from side does not. drift
// does not model collations (they are reported as not compared), so it cannot create them.
func missingCollations(from, to *snapshot.Snapshot) map[string]bool {
	out := map[string]bool{}
	if to == nil {
		return out
	}
	have := map[string]bool{}
	if from != nil {
		for _, u := range from.Unsupported {
			if u.Kind == "collation" {
				have[u.Name] = true
			}
		}
	}
	for _, u := range to.Unsupported {
		if u.Kind == "collation" && !have[u.Name] {
			out[u.Name] = true
		}
	}
	return out
}

// cannotCollate says, and reports, that o uses a collation the database lacks.
func (g *gen) cannotCollate(o *snapshot.Object, coll string) bool {
	if !g.collationsMissing[coll] {
		return false
	}
	g.cannot(o, "it uses the collation "+coll+", which the database does not have and drift does not write (CREATE COLLATION)")
	return true
}
