// Package diff compares an expected schema snapshot with an actual one and returns typed
// findings. Text (line diffs, reports, Slack blocks) is rendered from findings at the edges;
// the findings themselves are data with a stable fingerprint.
package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Change says how an object differs.
type Change string

// The three changes of the findings contract.
const (
	// Missing: expected, not in the live database.
	Missing Change = "missing"
	// Unexpected: in the live database, not expected.
	Unexpected Change = "unexpected"
	// Changed: in both, with different definitions.
	Changed Change = "changed"
)

// Severity ranks findings. The zero value is not a valid severity.
type Severity string

// Severities, from worst to mildest.
const (
	Critical Severity = "critical"
	Warning  Severity = "warning"
	Info     Severity = "info"
)

// Rank orders severities: higher is worse; unknown severities rank 0.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

// AtLeast reports whether s is as bad as or worse than min.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() }

// ParseSeverity parses "critical", "warning" or "info".
func ParseSeverity(v string) (Severity, error) {
	s := Severity(strings.ToLower(strings.TrimSpace(v)))
	if s.Rank() == 0 {
		return "", fmt.Errorf("unknown severity %q (want critical, warning or info)", v)
	}
	return s, nil
}

// Finding is one difference between expected and actual schema.
type Finding struct {
	// Kind is the object kind: "table", "column", "index", "privilege", "neo4j_index", ...
	Kind string `json:"kind"`
	// Object is the object's key, e.g. "public.users.email".
	Object   string   `json:"object"`
	Change   Change   `json:"change"`
	Severity Severity `json:"severity"`
	// Summary is a one-line human description ("type changed from integer to bigint").
	Summary string `json:"summary"`
	// Expected and Actual are the definitions as text; absent on the side where the object is not.
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	// Diff is a readable line diff of Expected vs Actual for changed definitions.
	Diff string `json:"diff,omitempty"`
	// Attributes lists the attributes that differ, for changed objects.
	Attributes []string `json:"attributes,omitempty"`
	// Folded lists children reported as part of this finding (the columns of a missing table),
	// as "kind key" strings.
	Folded []string `json:"folded,omitempty"`
	// Fingerprint is the stable identity of this drift: target + kind + object + change.
	Fingerprint string `json:"fingerprint"`
	// Fix is the text of the statements that resolve this finding (SQL for PostgreSQL, Cypher
	// for Neo4j), with their hazards as comments, when a fix was asked for and the engine
	// writes one. Which way it goes (revert the drift or adopt it) is the check's choice.
	Fix string `json:"fix,omitempty"`
}

// Fingerprint computes the identity of a drift. It depends on what drifted, never on the message
// text, so rewording a summary does not re-page anyone.
func Fingerprint(target, kind, object string, change Change) string {
	h := sha256.Sum256([]byte(target + "\x00" + kind + "\x00" + object + "\x00" + string(change)))
	return hex.EncodeToString(h[:12])
}
