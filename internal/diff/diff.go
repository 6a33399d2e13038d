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
// with default severities, severity overrides and ignore rules applied. A nil snapshot is
// treated as empty.
func Compare(expected, actual *snapshot.Snapshot, opts Options) []Finding {
	fs, _ := CompareWithStale(expected, actual, opts)
	return fs
}

// CompareWithStale is Compare that also returns the ignore rules past their expiry, which no
// longer apply and should be reported so that someone removes or renews them.
func CompareWithStale(expected, actual *snapshot.Snapshot, opts Options) ([]Finding, []IgnoreRule) {
	return ApplyRules(compare(expected, actual, opts), opts), StaleIgnores(opts.Ignore, opts.now())
}

// compare produces the raw findings: every difference, with its default severity.
//
// It runs in three passes. Objects present on both sides are compared attribute by attribute.
// Unmatched constraints and indexes are then paired into renames when PostgreSQL generated
// their names. Whatever is still unmatched is reported once per topmost unmatched ancestor,
// with its unmatched descendants folded into that finding.
func compare(expected, actual *snapshot.Snapshot, opts Options) []Finding {
	exp, act := newSide(expected), newSide(actual)
	var out []Finding
	missing := map[snapshot.ID]bool{}
	for _, id := range exp.ids {
		a, ok := act.objs[id]
		if !ok {
			missing[id] = true
			continue
		}
		e := exp.objs[id]
		if f, changed := compareObject(e, a, opts); changed {
			out = append(out, f)
		}
	}
	unexpected := map[snapshot.ID]bool{}
	for _, id := range act.ids {
		if _, ok := exp.objs[id]; !ok {
			unexpected[id] = true
		}
	}

	out = append(out, pairRenames(exp, act, missing, unexpected, opts)...)
	out = append(out, foldUnmatched(exp, missing, Missing, opts)...)
	out = append(out, foldUnmatched(act, unexpected, Unexpected, opts)...)
	for i := range out {
		out[i].Fingerprint = Fingerprint(opts.Target, out[i].Kind, out[i].Object, out[i].Change)
	}
	Sort(out)
	return out
}

// side is one snapshot prepared for lookups.
type side struct {
	ids  []snapshot.ID // sorted by kind, then key
	objs map[snapshot.ID]snapshot.Object
	// byKey maps a key to the objects that can own children under that key, sorted by kind.
	// Comments and privileges never own anything (a comment's key is its object's key), so
	// they are left out and a child's Parent resolves to the commented or granted object.
	byKey map[string][]snapshot.ID
}

func newSide(s *snapshot.Snapshot) side {
	sd := side{objs: map[snapshot.ID]snapshot.Object{}, byKey: map[string][]snapshot.ID{}}
	if s == nil {
		return sd
	}
	for _, o := range s.Objects {
		id := o.ID()
		if _, dup := sd.objs[id]; dup {
			continue // Normalize rejects duplicates; keep the first rather than guess
		}
		sd.objs[id] = o
		sd.ids = append(sd.ids, id)
		if o.Kind != "comment" && o.Kind != "privilege" {
			sd.byKey[o.Key] = append(sd.byKey[o.Key], id)
		}
	}
	sortIDs(sd.ids)
	for _, ids := range sd.byKey {
		sortIDs(ids)
	}
	return sd
}

func sortIDs(ids []snapshot.ID) {
	sort.Slice(ids, func(i, j int) bool {
		if ids[i].Kind != ids[j].Kind {
			return ids[i].Kind < ids[j].Kind
		}
		return ids[i].Key < ids[j].Key
	})
}

// unmatchedParent returns the object's owner when that owner is itself in set (unmatched on
// this side). Keys of different kinds rarely collide; when they do, the first candidate in
// kind order that is unmatched wins, so the answer is deterministic.
func (s side) unmatchedParent(id snapshot.ID, set map[snapshot.ID]bool) (snapshot.ID, bool) {
	o := s.objs[id]
	if o.Parent == "" {
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
func compareObject(e, a snapshot.Object, opts Options) (Finding, bool) {
	var changed []string
	for _, name := range attrNames(e, a) {
		if name == "position" && !opts.ColumnOrder {
			continue
		}
		ev, eok := e.Attrs.Get(name)
		av, aok := a.Attrs.Get(name)
		if eok != aok || ev != av {
			changed = append(changed, name)
		}
	}
	if len(changed) == 0 {
		return Finding{}, false
	}
	excl := opts.excluded()
	f := Finding{
		Kind:       e.Kind,
		Object:     e.Key,
		Change:     Changed,
		Attributes: changed,
		Expected:   definitionText(e, excl),
		Actual:     definitionText(a, excl),
		Summary:    changedSummary(e, a, changed),
	}
	f.Diff = LineDiff(f.Expected, f.Actual)
	f.Severity = DefaultSeverity(f, &e, &a)
	return f, true
}

// attrNames returns the union of both objects' attribute names, sorted.
func attrNames(e, a snapshot.Object) []string {
	names := append(e.Attrs.Names(), a.Attrs.Names()...)
	slices.Sort(names)
	return slices.Compact(names)
}

// renameKinds are the kinds whose names PostgreSQL generates (t_col_key, t_check1, t_col_idx)
// and which can therefore differ between two databases built from the same migrations.
var renameKinds = map[string]bool{"constraint": true, "index": true}

type renameGroup struct{ kind, parent, signature string }

// pairRenames pairs an unmatched missing constraint or index with an unmatched unexpected one
// of the same kind, parent and name-free definition, reports each pair as one rename, and
// removes the pair from missing and unexpected. Objects whose owner is itself unmatched are
// left alone: they belong to the owner's finding. Within a group, pairs are made in key order.
func pairRenames(exp, act side, missing, unexpected map[snapshot.ID]bool, opts Options) []Finding {
	group := func(s side, set map[snapshot.ID]bool) (map[renameGroup][]snapshot.ID, []renameGroup) {
		groups := map[renameGroup][]snapshot.ID{}
		var order []renameGroup
		for _, id := range s.ids {
			if !set[id] || !renameKinds[id.Kind] {
				continue
			}
			if _, owned := s.unmatchedParent(id, set); owned {
				continue
			}
			o := s.objs[id]
			g := renameGroup{kind: o.Kind, parent: o.Parent, signature: nameFreeSignature(o)}
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
			from, to := localName(e), localName(a)
			f := Finding{
				Kind:       e.Kind,
				Object:     e.Key,
				Change:     Changed,
				Attributes: []string{"name"},
				Expected:   definitionText(e, excl),
				Actual:     definitionText(a, excl),
				Diff:       LineDiff("name: "+from, "name: "+to),
				Summary:    fmt.Sprintf("%s renamed from %s to %s", subject(e), from, to),
			}
			f.Severity = DefaultSeverity(f, &e, &a)
			out = append(out, f)
		}
	}
	return out
}

// nameFreeSignature renders an object's attributes with its own name taken out, so that two
// objects differing only in a generated name compare equal.
func nameFreeSignature(o snapshot.Object) string {
	if o.Kind == "index" {
		if def, ok := o.Attrs.Get("definition"); ok {
			o.Attrs = o.Attrs.Clone()
			o.Attrs.Set("definition", indexDefWithoutName(def))
		}
	}
	return definitionText(o, nil)
}

// indexDefWithoutName replaces the index name in a pg_get_indexdef rendering
// ("CREATE [UNIQUE] INDEX name ON ...") with a placeholder.
func indexDefWithoutName(def string) string {
	rest, prefix := def, ""
	for _, p := range []string{"CREATE UNIQUE INDEX ", "CREATE INDEX "} {
		if strings.HasPrefix(def, p) {
			prefix, rest = p, def[len(p):]
			break
		}
	}
	if prefix == "" {
		return def
	}
	end := nameEnd(rest)
	return prefix + "<name>" + rest[end:]
}

// nameEnd returns the length of the identifier at the start of s, which is either a bare word
// or a double-quoted identifier with "" escapes.
func nameEnd(s string) int {
	if !strings.HasPrefix(s, `"`) {
		if i := strings.IndexByte(s, ' '); i >= 0 {
			return i
		}
		return len(s)
	}
	for i := 1; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '"' {
			i++
			continue
		}
		return i + 1
	}
	return len(s)
}

// localName is an object's own name: its key without the owner's key (constraints, triggers),
// or without the schema (indexes, whose owner is a table but whose key is schema-qualified).
func localName(o snapshot.Object) string {
	if o.Parent != "" && strings.HasPrefix(o.Key, o.Parent+".") {
		return strings.TrimPrefix(o.Key, o.Parent+".")
	}
	if i := strings.IndexByte(o.Key, '.'); i >= 0 {
		return o.Key[i+1:]
	}
	return o.Key
}

// foldUnmatched reports the objects of set (all missing, or all unexpected) once per topmost
// unmatched object; descendants are listed in that finding's Folded and get no finding.
func foldUnmatched(s side, set map[snapshot.ID]bool, change Change, opts Options) []Finding {
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
		f := Finding{Kind: o.Kind, Object: o.Key, Change: change}
		children := folded[id] // already in (kind, key) order: s.ids is sorted
		for _, c := range children {
			f.Folded = append(f.Folded, c.Kind+" "+c.Key)
		}
		var e, a *snapshot.Object
		if change == Missing {
			f.Expected = definitionText(o, excl)
			e = &o
		} else {
			f.Actual = definitionText(o, excl)
			a = &o
		}
		f.Summary = unmatchedSummary(o, change, children)
		f.Severity = DefaultSeverity(f, e, a)
		// Folding must not hide how bad a child is: a new schema holding a SECURITY DEFINER
		// function, or a new table granted to PUBLIC, is as critical as either alone.
		for _, c := range children {
			co := s.objs[c]
			cf := Finding{Kind: co.Kind, Object: co.Key, Change: change}
			var ce, ca *snapshot.Object
			if change == Missing {
				ce = &co
			} else {
				ca = &co
			}
			if sev := DefaultSeverity(cf, ce, ca); sev.Rank() > f.Severity.Rank() {
				f.Severity = sev
				f.Summary += fmt.Sprintf("; %s because of %s %s", sev, co.Kind, co.Key)
			}
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
