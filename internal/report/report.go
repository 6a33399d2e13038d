// Package report renders check results for people and programs: JSON for machines, text for a
// terminal, Markdown for a pull-request comment. Renderers only format; they never decide what
// is drift or how bad it is, so every output of one run tells the same story.
package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
)

// severityOrder is the order findings are shown in: worst first.
var severityOrder = []diff.Severity{diff.Critical, diff.Warning, diff.Info}

// sortedFindings returns a copy of fs in kind, object, change order, never nil, so output does
// not depend on the order findings were appended in.
func sortedFindings(fs []diff.Finding) []diff.Finding {
	out := slices.Clone(fs)
	if out == nil {
		out = []diff.Finding{}
	}
	diff.Sort(out)
	return out
}

// severityGroup is the findings of one severity.
type severityGroup struct {
	severity diff.Severity
	findings []diff.Finding
}

// groupBySeverity splits findings by severity, worst first; severities outside the known three
// (which the rules never produce, but a hand-built finding might) come last, by name.
func groupBySeverity(fs []diff.Finding) []severityGroup {
	bySev := map[diff.Severity][]diff.Finding{}
	var other []diff.Severity
	for _, f := range sortedFindings(fs) {
		if _, seen := bySev[f.Severity]; !seen && f.Severity.Rank() == 0 {
			other = append(other, f.Severity)
		}
		bySev[f.Severity] = append(bySev[f.Severity], f)
	}
	slices.Sort(other)
	var out []severityGroup
	for _, s := range append(slices.Clone(severityOrder), other...) {
		if len(bySev[s]) > 0 {
			out = append(out, severityGroup{s, bySev[s]})
		}
	}
	return out
}

// countLine renders "4 findings (2 critical, 1 warning, 1 info)" or "no findings".
func countLine(fs []diff.Finding) string {
	if len(fs) == 0 {
		return "no findings"
	}
	var parts []string
	for _, g := range groupBySeverity(fs) {
		parts = append(parts, fmt.Sprintf("%d %s", len(g.findings), severityName(g.severity)))
	}
	noun := "findings"
	if len(fs) == 1 {
		noun = "finding"
	}
	return fmt.Sprintf("%d %s (%s)", len(fs), noun, strings.Join(parts, ", "))
}

func severityName(s diff.Severity) string {
	if s == "" {
		return "unrated"
	}
	return string(s)
}

// findingDiff is the line diff to show for a finding: its own, or one computed from Expected
// and Actual for changed findings built without one (by engines other than the differ).
func findingDiff(f diff.Finding) string {
	if f.Diff != "" || f.Change != diff.Changed || (f.Expected == "" && f.Actual == "") {
		return f.Diff
	}
	return diff.LineDiff(f.Expected, f.Actual)
}

// targetTitle renders "app (postgres)".
func targetTitle(r check.Result) string {
	if r.Engine == "" {
		return r.Name
	}
	return fmt.Sprintf("%s (%s)", r.Name, r.Engine)
}

// errWriter remembers the first write error so renderers can write freely and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
