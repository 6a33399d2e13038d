package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/snapshot"
)

// The differ is generic: these tests use made-up kinds and a test engine's rules, so nothing
// here depends on what a real engine calls its objects. Each engine's own rules are tested in
// its package (internal/postgres, internal/neo4j) through this same Compare.

// obj builds an object from alternating attribute names and values.
func obj(kind, key, parent string, kv ...string) snapshot.Object {
	o := snapshot.Object{Kind: kind, Key: snapshot.MustKey(key)}
	if parent != "" {
		o.Parent = snapshot.MustKey(parent)
	}
	if len(kv) > 0 {
		o.Attrs = snapshot.NewAttrs(kv...)
	}
	return o
}

func snap(objs ...snapshot.Object) *snapshot.Snapshot {
	s := snapshot.New("test")
	for _, o := range objs {
		s.Add(o)
	}
	return s
}

// brief is the part of a finding most tests assert on.
type brief struct {
	Kind, Object string
	Change       Change
	Severity     Severity
	Summary      string
	Attributes   []string
	Folded       []string
}

func briefs(fs []Finding) []brief {
	out := make([]brief, 0, len(fs))
	for _, f := range fs {
		out = append(out, brief{f.Kind, f.Object, f.Change, f.Severity, f.Summary, f.Attributes, f.Folded})
	}
	return out
}

func withAttrs(o snapshot.Object, kv ...string) snapshot.Object {
	c := o
	c.Attrs = o.Attrs.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<absent>" {
			c.Attrs.Delete(kv[i])
		} else {
			c.Attrs.Set(kv[i], kv[i+1])
		}
	}
	return c
}

// testRules: "gadget" names are generated (renames pair by their "shape"), "body" values that
// differ only in case are the same, "note" annotates, a missing "vault" is critical and a
// changed "secret" attribute too.
type testRules struct{ BaseRules }

func (testRules) Severity(f Finding, e, a *snapshot.Object) Severity {
	switch {
	case f.Kind == "note":
		return Info
	case f.Change == Missing && f.Kind == "vault":
		return Critical
	case f.Change == Changed && strings.Contains(strings.Join(f.Attributes, ","), "secret"):
		return Critical
	}
	return Warning
}

func (testRules) Equivalent(kind, attr, e, a string) (string, bool) {
	if attr == "body" && strings.EqualFold(e, a) {
		return "letter case only", true
	}
	return "", false
}

func (testRules) RenameSignature(o snapshot.Object) (string, bool) {
	if o.Kind != "gadget" {
		return "", false
	}
	return o.Attrs.Value("shape"), true
}

func (testRules) Annotates(kind string) bool { return kind == "note" }

func (testRules) Phrase(e, a snapshot.Object, attr string) (Phrase, bool) {
	if attr == "on" {
		return Phrase{Text: "was switched", Predicate: true, Alone: "switch flipped on " + e.Key.String()}, true
	}
	return Phrase{}, false
}

var (
	box   = obj("box", "s.box", "s", "size", "1", "body", "hello")
	item  = obj("item", "s.box.item", "s.box", "size", "2", "position", "1")
	note  = obj("note", "s.box", "s.box", "text", "a box")
	vault = obj("vault", "s.v", "s")
	rules = Options{Rules: testRules{}}
)

func TestCompareAsksTheRules(t *testing.T) {
	tests := []struct {
		name             string
		expected, actual []snapshot.Object
		opts             Options
		want             []brief
	}{
		{name: "identical", expected: []snapshot.Object{box, item}, actual: []snapshot.Object{box, item}},
		{
			name: "changed attribute, generic wording", expected: []snapshot.Object{box}, actual: []snapshot.Object{withAttrs(box, "size", "3")},
			want: []brief{{"box", "s.box", Changed, Warning, "box s.box: size changed from 1 to 3", []string{"size"}, nil}},
		},
		{
			name: "the rules' severity", expected: []snapshot.Object{box}, actual: []snapshot.Object{withAttrs(box, "secret", "x")},
			want: []brief{{"box", "s.box", Changed, Critical, "box s.box: secret set to x", []string{"secret"}, nil}},
		},
		{
			name: "the rules' wording", expected: []snapshot.Object{withAttrs(box, "on", "false")}, actual: []snapshot.Object{withAttrs(box, "on", "true")},
			want: []brief{{"box", "s.box", Changed, Warning, "switch flipped on s.box", []string{"on"}, nil}},
		},
		{
			name: "an equivalence is at most info", expected: []snapshot.Object{box}, actual: []snapshot.Object{withAttrs(box, "body", "HELLO")},
			want: []brief{{"box", "s.box", Changed, Info, "box s.box: body differs in letter case only", []string{"body"}, nil}},
		},
		{
			name: "an equivalence beside a real change is the real change", expected: []snapshot.Object{box}, actual: []snapshot.Object{withAttrs(box, "body", "HELLO", "size", "9")},
			want: []brief{{"box", "s.box", Changed, Warning, "box s.box: body changed from hello to HELLO; size changed from 1 to 9", []string{"body", "size"}, nil}},
		},
		{
			name: "position only with column order", expected: []snapshot.Object{box, item}, actual: []snapshot.Object{box, withAttrs(item, "position", "2")},
		},
		{
			name: "position with column order", expected: []snapshot.Object{box, item}, actual: []snapshot.Object{box, withAttrs(item, "position", "2")},
			opts: Options{ColumnOrder: true},
			want: []brief{{"item", "s.box.item", Changed, Warning, "item s.box.item: position changed from 1 to 2", []string{"position"}, nil}},
		},
		{
			name: "missing owner folds its children and annotations", expected: []snapshot.Object{box, item, note}, actual: nil,
			want: []brief{{"box", "s.box", Missing, Warning, "box s.box is missing (with 1 item, 1 note)", nil, []string{"item s.box.item", "note s.box"}}},
		},
		{
			name: "a folded child keeps the worst severity", expected: []snapshot.Object{box, obj("vault", "s.box.v", "s.box")}, actual: nil,
			want: []brief{{"box", "s.box", Missing, Critical, "box s.box is missing (with 1 vault); critical because of vault s.box.v", nil, []string{"vault s.box.v"}}},
		},
		{
			name: "missing critical kind", expected: []snapshot.Object{vault}, actual: nil,
			want: []brief{{"vault", "s.v", Missing, Critical, "vault s.v is missing", nil, nil}},
		},
		{
			name:     "generated names pair into a rename",
			expected: []snapshot.Object{box, obj("gadget", "s.box.g1", "s.box", "shape", "round")},
			actual:   []snapshot.Object{box, obj("gadget", "s.box.g7", "s.box", "shape", "round")},
			want:     []brief{{"gadget", "s.box.g1", Changed, Warning, "gadget s.box.g1 renamed from g1 to g7", []string{"name"}, nil}},
		},
		{
			name:     "different shapes do not pair",
			expected: []snapshot.Object{box, obj("gadget", "s.box.g1", "s.box", "shape", "round")},
			actual:   []snapshot.Object{box, obj("gadget", "s.box.g7", "s.box", "shape", "square")},
			want: []brief{
				{"gadget", "s.box.g1", Missing, Warning, "gadget s.box.g1 is missing", nil, nil},
				{"gadget", "s.box.g7", Unexpected, Warning, "gadget s.box.g7 is unexpected", nil, nil},
			},
		},
		{
			name:     "a dotted name is not a child",
			expected: []snapshot.Object{box},
			actual:   []snapshot.Object{box, {Kind: "box", Key: snapshot.NewKey("s", "box.item")}},
			want:     []brief{{"box", `s."box.item"`, Unexpected, Warning, `box s."box.item" is unexpected`, nil, nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Rules = testRules{}
			got := Compare(snap(tt.expected...), snap(tt.actual...), opts)
			if tt.want == nil {
				require.Empty(t, got)
				return
			}
			require.Equal(t, tt.want, briefs(got))
		})
	}
}

func TestBaseRulesWhenNoneAreGiven(t *testing.T) {
	got := Compare(snap(box, note), snap(withAttrs(box, "size", "2")), Options{})
	require.Equal(t, []brief{
		{"box", "s.box", Changed, Warning, "box s.box: size changed from 1 to 2", []string{"size"}, nil},
		{"note", "s.box", Missing, Critical, "note s.box is missing", nil, nil},
	}, briefs(got))
}

// TestNotComparedIsSaid: what a snapshot holds but cannot model becomes one info finding per
// kind, with both sides' counts, never silence.
func TestNotComparedIsSaid(t *testing.T) {
	exp, act := snap(box), snap(box)
	exp.Unsupported = []snapshot.Unsupported{{Kind: "rule", Name: "s.box.r1"}}
	act.Unsupported = []snapshot.Unsupported{{Kind: "rule", Name: "s.box.r1"}, {Kind: "rule", Name: "s.box.r2"}, {Kind: "event trigger", Name: "audit", Reason: "needs a superuser"}}
	got := Compare(exp, act, rules)
	require.Equal(t, []brief{
		{KindNotCompared, "event trigger", Unexpected, Info, "not compared: 1 event trigger in the actual schema (drift does not model event trigger objects yet)", nil, nil},
		{KindNotCompared, "rule", Unexpected, Info, "not compared: 2 rules in the actual schema, 1 rule in the expected schema (drift does not model rule objects yet)", nil, nil},
	}, briefs(got))
	require.Equal(t, "audit (needs a superuser)", got[0].Actual)
	require.Equal(t, Fingerprint("", KindNotCompared, "rule", Unexpected), got[1].Fingerprint)
}

func TestDeterministicAndSorted(t *testing.T) {
	var expected, actual []snapshot.Object
	for i := range 60 {
		b := obj("box", fmt.Sprintf("s.b%02d", i), "s", "size", "1")
		it := obj("item", fmt.Sprintf("s.b%02d.i", i), b.Key.String(), "size", "1")
		g := obj("gadget", fmt.Sprintf("s.b%02d.g%d", i, i%3), b.Key.String(), "shape", "round")
		expected = append(expected, b, it, g)
		switch i % 4 {
		case 0:
			actual = append(actual, b, withAttrs(it, "size", "2"), g)
		case 1:
			actual = append(actual, b, obj("gadget", fmt.Sprintf("s.b%02d.gx", i), b.Key.String(), "shape", "round"))
		case 2:
		default:
			actual = append(actual, b, it, g, obj("note", b.Key.String(), b.Key.String(), "text", "x"))
		}
	}
	first := Compare(snap(expected...), snap(actual...), Options{Rules: testRules{}, Target: "app"})
	require.NotEmpty(t, first)
	for i := 1; i < len(first); i++ {
		a, b := first[i-1], first[i]
		require.True(t, a.Kind < b.Kind || a.Kind == b.Kind && (a.Object < b.Object || a.Object == b.Object && a.Change < b.Change),
			"findings %d and %d out of order", i-1, i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(expected), func(i, j int) { expected[i], expected[j] = expected[j], expected[i] })
		rng.Shuffle(len(actual), func(i, j int) { actual[i], actual[j] = actual[j], actual[i] })
		require.Equal(t, first, Compare(snap(expected...), snap(actual...), Options{Rules: testRules{}, Target: "app"}))
	}
}

func TestFingerprints(t *testing.T) {
	toTwo := Compare(snap(box), snap(withAttrs(box, "size", "2")), Options{Target: "app"})
	toNine := Compare(snap(box), snap(withAttrs(box, "size", "9")), Options{Target: "app"})
	require.NotEqual(t, toTwo[0].Summary, toNine[0].Summary)
	require.Equal(t, toTwo[0].Fingerprint, toNine[0].Fingerprint, "the fingerprint names what drifted, not how")
	require.Equal(t, Fingerprint("app", "box", "s.box", Changed), toNine[0].Fingerprint)
	other := Compare(snap(box), snap(withAttrs(box, "size", "9")), Options{Target: "billing"})
	require.NotEqual(t, toNine[0].Fingerprint, other[0].Fingerprint, "targets have separate identities")
	missing := Compare(snap(box), snap(), Options{Target: "app"})
	require.NotEqual(t, toNine[0].Fingerprint, missing[0].Fingerprint, "the change is part of the identity")
}

func TestNilSnapshots(t *testing.T) {
	require.Empty(t, Compare(nil, nil, rules))
	got := Compare(nil, snap(box), rules)
	require.Len(t, got, 1)
	require.Equal(t, Unexpected, got[0].Change)
}

func TestParentCycleLosesNothing(t *testing.T) {
	a := obj("box", "s.a", "s.b")
	b := obj("box", "s.b", "s.a")
	c := obj("item", "s.b.c", "s.b", "size", "1")
	got := Compare(snap(a, b, c), snap(), rules)
	require.Equal(t, []brief{{"box", "s.a", Missing, Warning, "box s.a is missing (with 1 box, 1 item)", nil,
		[]string{"box s.b", "item s.b.c"}}}, briefs(got))
}

func TestPluralLabels(t *testing.T) {
	for label, want := range map[string]string{"index": "2 indexes", "policy": "2 policies", "statistics": "2 statisticses", "key": "2 keys", "column": "2 columns"} {
		require.Equal(t, want, pluralLabel(label, 2))
	}
	require.Equal(t, "1 index", pluralLabel("index", 1))
}
