package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Options tune a comparison.
type Options struct {
	// Target names the database; it is part of every fingerprint.
	Target string
	// Rules are the engine's rules; nil means BaseRules.
	Rules Rules
	// ColumnOrder compares column positions (off by default: column order rarely matters and
	// differs whenever columns were added in another order).
	ColumnOrder bool
	// Ignore drops findings matched by a rule that has not expired (see IgnoreRule).
	Ignore []IgnoreRule
	// Severities override the default severity of matching findings; the first match wins.
	Severities []SeverityRule
	// Now is the time ignore-rule expiry is judged against; zero means time.Now().
	Now time.Time
}

func (o Options) rules() Rules {
	if o.Rules == nil {
		return BaseRules{}
	}
	return o.Rules
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// excluded lists the attributes a comparison leaves out.
func (o Options) excluded() []string {
	if o.ColumnOrder {
		return nil
	}
	return []string{"position"}
}

// Compare returns the findings between expected and actual, sorted by kind, object and change,
// with default severities, severity overrides and ignore rules applied. What either side could
// not model is reported as one info finding per kind (KindNotCompared). A nil snapshot is
// treated as empty.
func Compare(expected, actual *snapshot.Snapshot, opts Options) []Finding {
	fs, _ := CompareWithStale(expected, actual, opts)
	return fs
}

// CompareWithStale is Compare that also returns the ignore rules past their expiry, which no
// longer apply and should be reported so that someone removes or renews them.
func CompareWithStale(expected, actual *snapshot.Snapshot, opts Options) ([]Finding, []IgnoreRule) {
	fs, _ := CompareStreams(expected.Stream(), actual.Stream(), opts) // in-memory streams do not fail
	return fs, StaleIgnores(opts.Ignore, opts.now())
}

// CompareStreams is Compare over two streams: it holds only what differs, so a side read from a
// file is never held whole. Its error is a stream's (a file that cannot be read, objects out of
// order); the findings are then incomplete and must not be used.
func CompareStreams(expected, actual snapshot.Stream, opts Options) ([]Finding, error) {
	raw, err := compare(expected, actual, opts)
	if err != nil {
		return nil, err
	}
	return ApplyRules(raw, opts), nil
}

// compare produces the raw findings: every difference, with its default severity.
//
// It runs in three passes. Both streams are walked together, in snapshot order: an object on
// both sides is compared attribute by attribute, one on a single side is kept aside. The
// objects kept aside are then paired into renames where the engine generated their names, and
// whatever is still unmatched is reported once per topmost unmatched ancestor, with its
// unmatched descendants folded into that finding.
func compare(expected, actual snapshot.Stream, opts Options) ([]Finding, error) {
	r := opts.rules()
	var out []Finding
	var gone, added []snapshot.Object
	e, err := expected.Next()
	if err != nil {
		return nil, err
	}
	a, err := actual.Next()
	if err != nil {
		return nil, err
	}
	for e != nil || a != nil {
		c := 0
		switch {
		case e == nil:
			c = 1
		case a == nil:
			c = -1
		default:
			c = compareIDs(e, a)
		}
		switch {
		case c == 0:
			if f, changed := compareObject(r, *e, *a, opts); changed {
				out = append(out, f)
			}
		case c < 0:
			gone = append(gone, *e)
		default:
			added = append(added, *a)
		}
		if c <= 0 {
			if e, err = expected.Next(); err != nil {
				return nil, err
			}
		}
		if c >= 0 {
			if a, err = actual.Next(); err != nil {
				return nil, err
			}
		}
	}
	exp, act := newSide(gone, r), newSide(added, r)
	missing, unexpected := exp.all(), act.all()
	out = append(out, pairRenames(r, exp, act, missing, unexpected, opts)...)
	out = append(out, foldUnmatched(r, exp, missing, Missing, opts)...)
	out = append(out, foldUnmatched(r, act, unexpected, Unexpected, opts)...)
	out = append(out, notCompared(expected.Envelope(), actual.Envelope())...)
	for i := range out {
		if out[i].Fingerprint == "" {
			out[i].Fingerprint = Fingerprint(opts.Target, out[i].Kind, out[i].Object, out[i].Change)
		}
	}
	Sort(out)
	return out, nil
}

// compareIDs orders two objects as snapshots are ordered: by kind, then key.
func compareIDs(a, b *snapshot.Object) int {
	if c := strings.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return a.Key.Compare(b.Key)
}

// side is the objects of one side that have no counterpart on the other, prepared for lookups.
type side struct {
	ids  []snapshot.ID // in snapshot order
	objs map[snapshot.ID]snapshot.Object
	// byKey maps a key to the unmatched objects that can own children under that key, sorted
	// by kind. Annotations (comments) never own anything (a comment's key is its object's
	// key), so they are left out and a child's Parent resolves to the commented object. Only
	// an unmatched owner matters: a child folds into its owner's finding only when the owner
	// is itself unmatched.
	byKey map[snapshot.Key][]snapshot.ID
}

// newSide indexes unmatched objects, which arrive in snapshot order.
func newSide(objects []snapshot.Object, r Rules) side {
	sd := side{objs: make(map[snapshot.ID]snapshot.Object, len(objects)), byKey: map[snapshot.Key][]snapshot.ID{}}
	for _, o := range objects {
		id := o.ID()
		sd.objs[id] = o
		sd.ids = append(sd.ids, id)
		if !r.Annotates(o.Kind) {
			sd.byKey[o.Key] = append(sd.byKey[o.Key], id)
		}
	}
	return sd
}

// all returns the set of the side's objects.
func (s side) all() map[snapshot.ID]bool {
	set := make(map[snapshot.ID]bool, len(s.ids))
	for _, id := range s.ids {
		set[id] = true
	}
	return set
}

func sortIDs(ids []snapshot.ID) {
	sort.Slice(ids, func(i, j int) bool {
		if ids[i].Kind != ids[j].Kind {
			return ids[i].Kind < ids[j].Kind
		}
		return ids[i].Key.Compare(ids[j].Key) < 0
	})
}

// unmatchedParent returns the object's owner when that owner is itself in set (unmatched on
// this side). Keys of different kinds rarely collide; when they do, the first candidate in
// kind order that is unmatched wins, so the answer is deterministic.
func (s side) unmatchedParent(id snapshot.ID, set map[snapshot.ID]bool) (snapshot.ID, bool) {
	o := s.objs[id]
	if o.Parent.IsZero() {
		return snapshot.ID{}, false
	}
	for _, p := range s.byKey[o.Parent] {
		if p != id && set[p] {
			return p, true
		}
	}
	return snapshot.ID{}, false
}

// root walks up through unmatched owners to the topmost one. Snapshots should have no parent
// cycles, but a malformed one must neither hang the comparison nor lose findings: on a cycle,
// the smallest identity in it is the root, whichever member the walk started from.
func (s side) root(id snapshot.ID, set map[snapshot.ID]bool) snapshot.ID {
	path := []snapshot.ID{id}
	for {
		p, ok := s.unmatchedParent(path[len(path)-1], set)
		if !ok {
			return path[len(path)-1]
		}
		if i := slices.Index(path, p); i >= 0 {
			cycle := slices.Clone(path[i:])
			sortIDs(cycle)
			return cycle[0]
		}
		path = append(path, p)
	}
}

// compareObject compares an object present on both sides, attribute by attribute.
func compareObject(r Rules, e, a snapshot.Object, opts Options) (Finding, bool) {
	if sameAttrs(e.Attrs, a.Attrs, opts.ColumnOrder) {
		return Finding{}, false // the common case, decided without allocating
	}
	var changed []string
	how := ""
	equivalent := true
	for _, name := range attrNames(e, a) {
		if name == "position" && !opts.ColumnOrder {
			continue
		}
		ev, eok := e.Attrs.Get(name)
		av, aok := a.Attrs.Get(name)
		if eok == aok && ev == av {
			continue
		}
		changed = append(changed, name)
		if !eok || !aok {
			equivalent = false
			continue
		}
		if h, ok := r.Equivalent(e.Kind, name, ev, av); ok && equivalent {
			if how == "" || how == h {
				how = h
			} else {
				how = "rendering only"
			}
		} else {
			equivalent = false
		}
	}
	if len(changed) == 0 {
		return Finding{}, false
	}
	if !equivalent {
		how = ""
	}
	excl := opts.excluded()
	f := Finding{
		Kind:       e.Kind,
		Object:     e.Key.String(),
		Change:     Changed,
		Attributes: changed,
		Expected:   definitionText(e, excl),
		Actual:     definitionText(a, excl),
		Summary:    changedSummary(r, e, a, changed, how),
	}
	f.Diff = LineDiff(f.Expected, f.Actual)
	f.Severity = r.Severity(f, &e, &a)
	if how != "" && f.Severity.Rank() > Info.Rank() {
		f.Severity = Info // only the text differs
	}
	return f, true
}

// sameAttrs reports whether two sorted attribute lists are equal, position aside unless
// columnOrder.
func sameAttrs(e, a snapshot.Attrs, columnOrder bool) bool {
	i, j := 0, 0
	for i < len(e) || j < len(a) {
		if i < len(e) && !columnOrder && e[i].Name == "position" {
			i++
			continue
		}
		if j < len(a) && !columnOrder && a[j].Name == "position" {
			j++
			continue
		}
		if i == len(e) || j == len(a) || e[i] != a[j] {
			return false
		}
		i++
		j++
	}
	return true
}

// attrNames returns the union of both objects' attribute names, sorted.
func attrNames(e, a snapshot.Object) []string {
	names := append(e.Attrs.Names(), a.Attrs.Names()...)
	slices.Sort(names)
	return slices.Compact(names)
}

type renameGroup struct {
	kind      string
	parent    snapshot.Key
	signature string
}

// pairRenames pairs an unmatched missing object with an unmatched unexpected one of the same
// kind, parent and name-free signature (Rules.RenameSignature), reports each pair as one rename,
// and removes the pair from missing and unexpected. Objects whose owner is itself unmatched are
// left alone: they belong to the owner's finding. Within a group, pairs are made in key order.
func pairRenames(r Rules, exp, act side, missing, unexpected map[snapshot.ID]bool, opts Options) []Finding {
	group := func(s side, set map[snapshot.ID]bool) (map[renameGroup][]snapshot.ID, []renameGroup) {
		groups := map[renameGroup][]snapshot.ID{}
		var order []renameGroup
		for _, id := range s.ids {
			if !set[id] {
				continue
			}
			if _, owned := s.unmatchedParent(id, set); owned {
				continue
			}
			o := s.objs[id]
			sig, ok := r.RenameSignature(o)
			if !ok {
				continue
			}
			g := renameGroup{kind: o.Kind, parent: o.Parent, signature: sig}
			if _, ok := groups[g]; !ok {
				order = append(order, g)
			}
			groups[g] = append(groups[g], id)
		}
		return groups, order
	}
	gone, order := group(exp, missing)
	added, _ := group(act, unexpected)

	var out []Finding
	excl := opts.excluded()
	for _, g := range order {
		olds, news := gone[g], added[g]
		for i := 0; i < len(olds) && i < len(news); i++ {
			e, a := exp.objs[olds[i]], act.objs[news[i]]
			delete(missing, olds[i])
			delete(unexpected, news[i])
			from, to := e.Key.Local(), a.Key.Local()
			f := Finding{
				Kind:       e.Kind,
				Object:     e.Key.String(),
				Change:     Changed,
				Attributes: []string{"name"},
				Expected:   definitionText(e, excl),
				Actual:     definitionText(a, excl),
				Diff:       LineDiff("name: "+from, "name: "+to),
				Summary:    fmt.Sprintf("%s renamed from %s to %s", r.Subject(e), from, to),
			}
			f.Severity = r.Severity(f, &e, &a)
			out = append(out, f)
		}
	}
	return out
}

// foldUnmatched reports the objects of set (all missing, or all unexpected) once per topmost
// unmatched object; descendants are listed in that finding's Folded and get no finding.
func foldUnmatched(r Rules, s side, set map[snapshot.ID]bool, change Change, opts Options) []Finding {
	folded := map[snapshot.ID][]snapshot.ID{}
	var roots []snapshot.ID
	for _, id := range s.ids {
		if !set[id] {
			continue
		}
		if r := s.root(id, set); r != id {
			folded[r] = append(folded[r], id)
		} else {
			roots = append(roots, id)
		}
	}
	excl := opts.excluded()
	out := make([]Finding, 0, len(roots))
	for _, id := range roots {
		o := s.objs[id]
		f := Finding{Kind: o.Kind, Object: o.Key.String(), Change: change}
		children := folded[id] // already in (kind, key) order: s.ids is sorted
		for _, c := range children {
			f.Folded = append(f.Folded, c.Kind+" "+c.Key.String())
		}
		var e, a *snapshot.Object
		if change == Missing {
			f.Expected = definitionText(o, excl)
			e = &o
		} else {
			f.Actual = definitionText(o, excl)
			a = &o
		}
		f.Summary = unmatchedSummary(r, o, change, children)
		f.Severity = r.Severity(f, e, a)
		// Folding must not hide how bad a child is: a new schema holding a SECURITY DEFINER
		// function, or a new table granted to PUBLIC, is as critical as either alone.
		for _, c := range children {
			co := s.objs[c]
			cf := Finding{Kind: co.Kind, Object: co.Key.String(), Change: change}
			var ce, ca *snapshot.Object
			if change == Missing {
				ce = &co
			} else {
				ca = &co
			}
			if sev := r.Severity(cf, ce, ca); sev.Rank() > f.Severity.Rank() {
				f.Severity = sev
				f.Summary += fmt.Sprintf("; %s because of %s", sev, r.Subject(co))
			}
		}
		out = append(out, f)
	}
	return out
}

// KindNotCompared is the kind of the info finding that says what a snapshot holds but drift
// could not model, one per kind of such objects: nothing is silently left out.
const KindNotCompared = "not_compared"

// notCompared reports, once per kind, the objects either side saw but could not model.
func notCompared(expected, actual *snapshot.Snapshot) []Finding {
	type count struct {
		expected, actual []string
	}
	byKind := map[string]*count{}
	var kinds []string
	add := func(s *snapshot.Snapshot, live bool) {
		if s == nil {
			return
		}
		for _, u := range s.Unsupported {
			c, ok := byKind[u.Kind]
			if !ok {
				c = &count{}
				byKind[u.Kind] = c
				kinds = append(kinds, u.Kind)
			}
			name := u.Name
			if u.Reason != "" {
				name += " (" + u.Reason + ")"
			}
			if live {
				c.actual = append(c.actual, name)
			} else {
				c.expected = append(c.expected, name)
			}
		}
	}
	add(expected, false)
	add(actual, true)
	slices.Sort(kinds)
	var out []Finding
	for _, k := range kinds {
		c := byKind[k]
		var sides []string
		if len(c.actual) > 0 {
			sides = append(sides, pluralLabel(k, len(c.actual))+" in the actual schema")
		}
		if len(c.expected) > 0 {
			sides = append(sides, pluralLabel(k, len(c.expected))+" in the expected schema")
		}
		f := Finding{
			Kind:     KindNotCompared,
			Object:   k,
			Change:   Unexpected,
			Severity: Info,
			Summary:  "not compared: " + strings.Join(sides, ", ") + " (drift does not model " + k + " objects yet)",
			Expected: strings.Join(c.expected, "\n"),
			Actual:   strings.Join(c.actual, "\n"),
		}
		out = append(out, f)
	}
	return out
}

// Sort orders findings by kind, object and change, so output never depends on map order.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Change < b.Change
	})
}
