package diff

import (
	"fmt"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Rules are what an engine knows about its objects that a generic, name-keyed comparison cannot:
// which differences are only renderings of the same thing, which names the server generates,
// how bad each difference is, and how to say it. The differ asks; it names no engine.
// Engines embed BaseRules and override what they know better.
type Rules interface {
	// Severity is the default severity of a finding, before configured overrides. expected and
	// actual are the objects on each side, nil where absent.
	Severity(f Finding, expected, actual *snapshot.Object) Severity
	// Equivalent reports whether two differing values of one attribute mean the same thing
	// (layout, a cast the server adds, the same value written another way), and says how they
	// differ ("whitespace only"). A change whose every attribute is equivalent is reported at
	// most as info.
	Equivalent(kind, attr, expected, actual string) (how string, ok bool)
	// RenameSignature returns the object without its name, for objects whose name the server
	// may generate: an unmatched missing and unexpected pair with the same kind, parent and
	// signature is one rename, not a drop and an add. ok is false for objects that are always
	// named by the user.
	RenameSignature(o snapshot.Object) (signature string, ok bool)
	// Annotates reports whether objects of kind annotate the object with the same key (a
	// comment): they never own children.
	Annotates(kind string) bool
	// KindLabel names a kind for people: "materialized view", "Neo4j index".
	KindLabel(kind string) string
	// Subject names an object the way a sentence about it starts: "column public.users.email".
	Subject(o snapshot.Object) string
	// Unmatched is the sentence for an object present on one side only, before what was
	// folded into it: "table public.users is missing".
	Unmatched(o snapshot.Object, change Change) string
	// Phrase describes one changed attribute; ok false leaves it to the generic wording.
	Phrase(e, a snapshot.Object, attr string) (p Phrase, ok bool)
}

// Phrase is what one changed attribute contributes to a summary.
type Phrase struct {
	// Text reads after the subject and a colon ("type changed from integer to bigint"), or
	// right after the subject when Predicate is set ("is INVALID").
	Text      string
	Predicate bool
	// Alone, when set, is the whole summary when this is the only change ("RLS was disabled
	// on public.t").
	Alone string
}

// BaseRules are the generic rules: a missing object is critical, anything else a warning, no
// equivalences, no generated names, kinds written with spaces.
type BaseRules struct{}

var _ Rules = BaseRules{}

// Severity: missing is critical, unexpected and changed are warnings, comments are info.
func (BaseRules) Severity(f Finding, _, _ *snapshot.Object) Severity {
	switch {
	case f.Kind == "comment":
		return Info
	case f.Change == Missing:
		return Critical
	}
	return Warning
}

// Equivalent: no two different values are the same.
func (BaseRules) Equivalent(_, _, _, _ string) (string, bool) { return "", false }

// RenameSignature: no name is generated.
func (BaseRules) RenameSignature(snapshot.Object) (string, bool) { return "", false }

// Annotates: comments annotate.
func (BaseRules) Annotates(kind string) bool { return kind == "comment" }

// KindLabel writes the kind with spaces: "materialized view".
func (BaseRules) KindLabel(kind string) string { return strings.ReplaceAll(kind, "_", " ") }

// Subject is the kind label and the key.
func (r BaseRules) Subject(o snapshot.Object) string {
	return r.KindLabel(o.Kind) + " " + o.Key.String()
}

// Unmatched says the object is missing or unexpected.
func (r BaseRules) Unmatched(o snapshot.Object, change Change) string {
	if change == Missing {
		return r.Subject(o) + " is missing"
	}
	return r.Subject(o) + " is unexpected"
}

// Phrase leaves every attribute to the generic wording.
func (BaseRules) Phrase(_, _ snapshot.Object, _ string) (Phrase, bool) { return Phrase{}, false }

// GenericPhrase is the wording of a changed attribute that rules say nothing special about:
// "type changed from integer to bigint", "default removed (was 0)", "definition changed".
func GenericPhrase(e, a snapshot.Object, name string) Phrase {
	ev, eok := e.Attrs.Get(name)
	av, aok := a.Attrs.Get(name)
	switch {
	case !eok:
		if !inlineable(av) {
			return Phrase{Text: name + " was added"}
		}
		return Phrase{Text: fmt.Sprintf("%s set to %s", name, shown(av))}
	case !aok:
		if !inlineable(ev) {
			return Phrase{Text: name + " was removed"}
		}
		return Phrase{Text: fmt.Sprintf("%s removed (was %s)", name, shown(ev))}
	case !inlineable(ev) || !inlineable(av):
		return Phrase{Text: name + " changed"}
	}
	return Phrase{Text: fmt.Sprintf("%s changed from %s to %s", name, shown(ev), shown(av))}
}

// inlineable reports whether a value is short enough to quote inside a one-line summary;
// longer ones (function bodies, view queries) are left to the Diff field.
func inlineable(v string) bool { return len(v) <= 80 && !strings.ContainsAny(v, "\r\n") }

func shown(v string) string {
	if v == "" {
		return `""`
	}
	return v
}
