package diff

import (
	"fmt"
	"path"
	"slices"
	"time"
)

// IgnoreRule silences findings whose kind and object match. Object is a glob in path.Match
// syntax matched against the whole object key. Keys never contain "/", so "*" matches any run
// of characters including dots: "public.tmp_*" matches the index "public.tmp_x" and also the
// column "public.tmp_t.c". "[" starts a character class, so a literal bracket (array types in
// function keys, "public.f(integer[])") is written "\[". An empty Object matches every key.
// An expired rule no longer applies and is reported as stale so it gets cleaned up.
type IgnoreRule struct {
	Kind    string    // empty matches every kind
	Object  string    // glob on the finding's object key
	Reason  string    // why; required in config
	Expires time.Time // the instant after which the rule stops applying; zero: never
}

// Expired reports whether the rule has stopped applying at now.
func (r IgnoreRule) Expired(now time.Time) bool {
	return !r.Expires.IsZero() && now.After(r.Expires)
}

// Matches reports whether the rule covers the finding, regardless of expiry.
func (r IgnoreRule) Matches(f Finding) bool {
	return (r.Kind == "" || r.Kind == f.Kind) && globMatch(r.Object, f.Object)
}

// String renders the rule for a stale-ignore notice, e.g.
// `index "public.tmp_*" expired 2027-03-01 (ad-hoc reporting indexes)`.
func (r IgnoreRule) String() string {
	kind := r.Kind
	if kind == "" {
		kind = "any kind"
	}
	obj := r.Object
	if obj == "" {
		obj = "*"
	}
	s := fmt.Sprintf("%s %q", kind, obj)
	if !r.Expires.IsZero() {
		s += " expired " + r.Expires.Format(time.DateOnly)
	}
	if r.Reason != "" {
		s += " (" + r.Reason + ")"
	}
	return s
}

// SeverityRule overrides the severity of matching findings. Object is a glob as in IgnoreRule.
type SeverityRule struct {
	Kind     string // empty matches every kind
	Object   string // glob; empty matches every object
	Change   Change // empty matches every change
	Severity Severity
}

// Matches reports whether the rule covers the finding.
func (r SeverityRule) Matches(f Finding) bool {
	return (r.Kind == "" || r.Kind == f.Kind) && (r.Change == "" || r.Change == f.Change) && globMatch(r.Object, f.Object)
}

// ValidateGlob reports a malformed object pattern, for configuration loading: a bad pattern
// would otherwise silently match nothing.
func ValidateGlob(pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("invalid object pattern %q: %w", pattern, err)
	}
	return nil
}

func globMatch(pattern, key string) bool {
	if pattern == "" {
		return true
	}
	ok, err := path.Match(pattern, key)
	return err == nil && ok
}

// StaleIgnores returns the rules that have expired at now, in their configured order.
func StaleIgnores(rules []IgnoreRule, now time.Time) []IgnoreRule {
	var out []IgnoreRule
	for _, r := range rules {
		if r.Expired(now) {
			out = append(out, r)
		}
	}
	return out
}

// SplitIgnored separates the findings that an unexpired ignore rule matches from the others.
// Callers that keep alerts need the ignored ones: a drift silenced by a new rule is still there,
// so its alert is closed quietly rather than announced as resolved.
func SplitIgnored(fs []Finding, rules []IgnoreRule, now time.Time) (kept, ignored []Finding) {
	kept = make([]Finding, 0, len(fs))
	for _, f := range fs {
		if slices.ContainsFunc(rules, func(r IgnoreRule) bool { return !r.Expired(now) && r.Matches(f) }) {
			ignored = append(ignored, f)
			continue
		}
		kept = append(kept, f)
	}
	return kept, ignored
}

// ApplyRules runs findings through the target's rules: a finding matched by an ignore rule
// that has not expired is dropped; the first matching severity rule sets the severity of the
// rest. Findings without a fingerprint get one from opts.Target. The result is sorted. Engines
// and checks that build their own findings (Neo4j, migration state) go through it too, so one
// set of rules governs every finding of a target. The input is not modified.
func ApplyRules(fs []Finding, opts Options) []Finding {
	kept, _ := SplitIgnored(fs, opts.Ignore, opts.now())
	out := make([]Finding, 0, len(kept))
	for _, f := range kept {
		for _, r := range opts.Severities {
			if r.Matches(f) {
				f.Severity = r.Severity
				break
			}
		}
		if f.Fingerprint == "" {
			f.Fingerprint = Fingerprint(opts.Target, f.Kind, f.Object, f.Change)
		}
		out = append(out, f)
	}
	Sort(out)
	return out
}
