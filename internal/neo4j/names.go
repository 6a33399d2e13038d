package neo4j

import (
	"fmt"
	"slices"
	"strings"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// An index or constraint the migrations name (person_name) may exist on the live database
// under a name Neo4j generated (index_1a2b3c4d): created by hand without a name, or by a tool
// that does not pass names on. It is the same object, not a missing one and an unexpected one;
// only its name differs, which is at most worth an info finding that says the live name (the
// one a DROP needs).
//
// Two places see it. Expected, which knows the live database, pairs such items before the
// comparison and reports them with the live name. Rules.RenameSignature pairs what is left in
// any other comparison (a committed snapshot against a live database, two live databases):
// there only the content key of the live item is known.

// objectItem rebuilds the item of a snapshot object (the inverse of item.object).
func objectItem(o snapshot.Object) item {
	get := func(name string) string { v, _ := o.Attrs.Get(name); return v }
	split := func(v string) []string {
		if v == "" {
			return nil
		}
		return strings.Split(v, ",")
	}
	return item{
		kind: o.Kind, typ: get(AttrType), entity: get(AttrEntityType),
		labels: split(get(AttrLabelsOrTypes)), props: split(get(AttrProperties)),
		propertyType: get(AttrPropertyType), enforcedLabel: get(AttrEnforcedLabel),
	}
}

// contentKeyed reports whether an object is keyed by its content: its name was generated (or
// never given).
func contentKeyed(o snapshot.Object) bool { return o.Key.String() == objectItem(o).contentKey() }

// namedDifferently finds the expected objects keyed by a user's name that the live database
// holds, identical, under a generated name: it keys them by content in expected, as the live
// side is, and returns one info finding for each, naming the live name.
func namedDifferently(expected, live *snapshot.Snapshot, liveItems []item, r Rules) ([]diff.Finding, error) {
	liveIDs := map[snapshot.ID]snapshot.Object{}
	for _, o := range live.Objects {
		liveIDs[o.ID()] = o
	}
	expIDs := map[snapshot.ID]bool{}
	for _, o := range expected.Objects {
		expIDs[o.ID()] = true
	}
	liveNames := map[string]string{} // kind + content key -> the live name
	for _, it := range liveItems {
		liveNames[it.kind+"\x00"+it.contentKey()] = it.name
	}
	var out []diff.Finding
	for i, o := range expected.Objects {
		if contentKeyed(o) {
			continue
		}
		if _, ok := liveIDs[o.ID()]; ok {
			continue
		}
		ck := snapshot.Named(objectItem(o).contentKey())
		id := snapshot.ID{Kind: o.Kind, Key: ck}
		l, ok := liveIDs[id]
		if !ok || expIDs[id] || !slices.Equal(l.Attrs, o.Attrs) {
			continue
		}
		name := o.Key.String()
		liveName := liveNames[o.Kind+"\x00"+ck.String()]
		shown := "without a name"
		if liveName != "" {
			shown = "as " + liveName + ", a name Neo4j generated"
		}
		out = append(out, diff.Finding{
			Kind:       o.Kind,
			Object:     name,
			Change:     diff.Changed,
			Severity:   diff.Info,
			Attributes: []string{"name"},
			Expected:   "name: " + name,
			Actual:     "name: " + liveName,
			Diff:       diff.LineDiff("name: "+name, "name: "+liveName),
			Summary:    fmt.Sprintf("%s is named differently: the live database has it %s (same type, labels and properties)", r.Subject(o), shown),
		})
		expected.Objects[i].Key = ck
		expIDs[id] = true
	}
	if len(out) > 0 {
		if err := expected.Normalize(); err != nil {
			return nil, fmt.Errorf("keying renamed neo4j items: %w", err)
		}
	}
	return out, nil
}
