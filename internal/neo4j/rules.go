package neo4j

import (
	"strings"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Rules are Neo4j's comparison rules: a missing constraint is critical (data it guarded can now
// be written), a missing or unexpected index is a warning, and kinds read as "Neo4j index".
// Generated names are keyed by content at introspection, so no rename pairing is needed here.
type Rules struct{ diff.BaseRules }

var _ diff.Rules = Rules{}

// Severity: a missing constraint is critical; everything else a warning.
func (Rules) Severity(f diff.Finding, _, _ *snapshot.Object) diff.Severity {
	if f.Change == diff.Missing && f.Kind == KindConstraint {
		return diff.Critical
	}
	return diff.Warning
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
