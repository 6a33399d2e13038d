package diff

import (
	"sort"
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

// IgnoreRule silences findings whose kind and object match. Object is a glob (path.Match syntax,
// where "*" does not cross "/" but does cross "."). An expired rule no longer applies and is
// reported as stale so it gets cleaned up.
type IgnoreRule struct {
	Kind    string    // empty matches every kind
	Object  string    // glob on the finding's object key
	Reason  string    // why; required in config
	Expires time.Time // zero: never
}

// SeverityRule overrides the severity of matching findings.
type SeverityRule struct {
	Kind     string // empty matches every kind
	Object   string // glob; empty matches every object
	Change   Change // empty matches every change
	Severity Severity
}

// Compare returns the findings between expected and actual, sorted by kind, object and change.
// TEMPORARY naive version: object-level missing/unexpected/changed only.
func Compare(expected, actual *snapshot.Snapshot, opts Options) []Finding {
	exp, act := expected.Index(), actual.Index()
	var out []Finding
	for id, e := range exp {
		a, ok := act[id]
		switch {
		case !ok:
			out = append(out, Finding{Kind: id.Kind, Object: id.Key, Change: Missing, Severity: Warning, Expected: e.Definition()})
		case e.Definition("position") != a.Definition("position"):
			out = append(out, Finding{Kind: id.Kind, Object: id.Key, Change: Changed, Severity: Warning, Expected: e.Definition("position"), Actual: a.Definition("position")})
		}
	}
	for id, a := range act {
		if _, ok := exp[id]; !ok {
			out = append(out, Finding{Kind: id.Kind, Object: id.Key, Change: Unexpected, Severity: Warning, Actual: a.Definition()})
		}
	}
	for i := range out {
		out[i].Fingerprint = Fingerprint(opts.Target, out[i].Kind, out[i].Object, out[i].Change)
	}
	Sort(out)
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
