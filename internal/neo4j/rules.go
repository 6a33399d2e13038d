package neo4j

import (
	"strings"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Rules are Neo4j's comparison rules: a missing constraint is critical (data it guarded can now
// be written), a missing or unexpected index is a warning, and kinds read as "Neo4j index".
// Generated names are keyed by content at introspection; an item under a generated name on one
// side and a user's name on the other is paired as the same item (RenameSignature).
type Rules struct{ diff.BaseRules }

var _ diff.Rules = Rules{}

// Severity: a missing constraint is critical; the same item under another name is info when
// either name is one Neo4j generated (it is the same object), a warning when a user chose
// both; everything else a warning.
func (Rules) Severity(f diff.Finding, e, a *snapshot.Object) diff.Severity {
	if f.Change == diff.Missing && f.Kind == KindConstraint {
		return diff.Critical
	}
	if f.Change == diff.Changed && len(f.Attributes) == 1 && f.Attributes[0] == "name" && e != nil && a != nil &&
		(contentKeyed(*e) || contentKeyed(*a)) {
		return diff.Info
	}
	return diff.Warning
}

// RenameSignature is the item without its name: its kind and every compared attribute. Two
// items that differ only in name are the same object under another name (see names.go).
func (Rules) RenameSignature(o snapshot.Object) (string, bool) {
	if o.Kind != KindIndex && o.Kind != KindConstraint {
		return "", false
	}
	return o.Kind + "\n" + o.Definition(), true
}

// KindLabel writes "Neo4j index", "Neo4j constraint".
func (Rules) KindLabel(kind string) string {
	label := strings.ReplaceAll(kind, "_", " ")
	if rest, ok := strings.CutPrefix(label, "neo4j "); ok {
		return "Neo4j " + rest
	}
	return label
}

// Subject is the kind label and the key.
func (r Rules) Subject(o snapshot.Object) string { return r.KindLabel(o.Kind) + " " + o.Key.String() }

// Unmatched says the item is missing or unexpected.
func (r Rules) Unmatched(o snapshot.Object, change diff.Change) string {
	if change == diff.Missing {
		return r.Subject(o) + " is missing"
	}
	return r.Subject(o) + " is unexpected"
}
