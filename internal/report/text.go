package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
)

// TextOptions tune the terminal report.
type TextOptions struct {
	// Color adds ANSI colours. The CLI sets it when stdout is a terminal and NO_COLOR is unset;
	// the renderer never looks at the environment itself.
	Color bool
	// Verbose also shows the definitions of missing and unexpected objects, the children folded
	// into a finding, and fingerprints (the identity under which the daemon stores an alert).
	Verbose bool
}

// ANSI styles used by the text report.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

// Indentation of the text report's levels.
const (
	indentSection = "  "
	indentFinding = "    "
	indentDetail  = "        "
)

// Text writes a report for a terminal: per target, a status line, then findings grouped by
// severity (critical first) with, for changed objects, the line diff of expected vs actual,
// then pending migrations, warnings about the check itself, stale ignore rules, and a count
// line. With more than one target a final line sums up the run.
func Text(w io.Writer, results []check.Result, opts TextOptions) error {
	t := textWriter{errWriter: errWriter{w: w}, color: opts.Color, verbose: opts.Verbose}
	for i, r := range results {
		if i > 0 {
			t.printf("\n")
		}
		t.target(r)
	}
	if len(results) > 1 {
		t.printf("\n%s\n", runLine(results))
	}
	if t.err != nil {
		return fmt.Errorf("writing text report: %w", t.err)
	}
	return nil
}

type textWriter struct {
	errWriter
	color   bool
	verbose bool
}

// paint wraps s in an ANSI style when colour is on.
func (t *textWriter) paint(style, s string) string {
	if !t.color || s == "" {
		return s
	}
	return style + s + ansiReset
}

func (t *textWriter) target(r check.Result) {
	t.printf("%s: %s\n", t.paint(ansiBold, targetTitle(r)), t.status(r.Status))
	if r.Error != "" {
		t.block(indentSection, t.paint(ansiRed, "error: ")+firstLine(r.Error), restLines(r.Error))
	}
	for _, warn := range r.Warnings {
		t.block(indentSection, t.paint(ansiYellow, "warning: ")+firstLine(warn), restLines(warn))
	}
	for _, g := range groupBySeverity(r.Findings) {
		t.printf("%s%s\n", indentSection, t.paint(severityStyle(g.severity), fmt.Sprintf("%s (%d)", strings.ToUpper(severityName(g.severity)), len(g.findings))))
		for _, f := range g.findings {
			t.finding(f)
		}
	}
	if len(r.Pending) > 0 {
		t.printf("%spending migrations (not applied yet; not drift):\n", indentSection)
		for _, m := range r.Pending {
			t.printf("%s%s  %s\n", indentFinding, m.Version, m.File)
		}
	}
	for _, s := range r.StaleIgnores {
		t.printf("%s%s%s\n", indentSection, t.paint(ansiYellow, "stale ignore rule: "), s)
	}
	t.printf("%s%s\n", indentSection, t.paint(ansiDim, r.Name+": "+targetCounts(r)))
}

// targetCounts is the footer of one target.
func targetCounts(r check.Result) string {
	if r.Status == check.StatusError && len(r.Findings) == 0 {
		return "not checked"
	}
	s := countLine(r.Findings)
	if len(r.Pending) > 0 {
		s += fmt.Sprintf(", %d pending migration", len(r.Pending))
		if len(r.Pending) > 1 {
			s += "s"
		}
	}
	return s
}

func (t *textWriter) status(s check.Status) string {
	label := strings.ToUpper(string(s))
	switch s {
	case check.StatusClean:
		return t.paint(ansiGreen, label)
	case check.StatusDrift, check.StatusError:
		return t.paint(ansiBold+ansiRed, label)
	case check.StatusPending:
		return t.paint(ansiYellow, label)
	}
	return label
}

func severityStyle(s diff.Severity) string {
	switch s {
	case diff.Critical:
		return ansiBold + ansiRed
	case diff.Warning:
		return ansiYellow
	case diff.Info:
		return ansiCyan
	}
	return ansiBold
}

func (t *textWriter) finding(f diff.Finding) {
	t.block(indentFinding, f.Summary, nil)
	if d := findingDiff(f); d != "" {
		for _, line := range strings.Split(d, "\n") {
			t.printf("%s%s\n", indentDetail, t.diffLine(line))
		}
	} else if f.Change == diff.Changed || t.verbose {
		t.definition("expected", f.Expected)
		t.definition("actual", f.Actual)
	}
	if !t.verbose {
		return
	}
	if len(f.Folded) > 0 {
		t.printf("%sincludes:\n", indentDetail)
		for _, c := range f.Folded {
			t.printf("%s  %s\n", indentDetail, c)
		}
	}
	t.printf("%s%s\n", indentDetail, t.paint(ansiDim, "fingerprint: "+f.Fingerprint))
}

// definition prints a labelled, possibly multi-line definition; nothing when it is empty.
func (t *textWriter) definition(label, def string) {
	if def == "" {
		return
	}
	t.printf("%s%s:\n", indentDetail, label)
	for _, line := range strings.Split(strings.TrimSuffix(def, "\n"), "\n") {
		t.printf("%s", strings.TrimRight(indentDetail+"  "+line, " ")+"\n")
	}
}

func (t *textWriter) diffLine(line string) string {
	switch {
	case strings.HasPrefix(line, "-"):
		return t.paint(ansiRed, line)
	case strings.HasPrefix(line, "+"):
		return t.paint(ansiGreen, line)
	}
	return line
}

// block prints a first line at indent and continuation lines two columns further in.
func (t *textWriter) block(indent, first string, rest []string) {
	t.printf("%s%s\n", indent, first)
	for _, line := range rest {
		t.printf("%s  %s\n", indent, line)
	}
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func restLines(s string) []string {
	_, rest, ok := strings.Cut(strings.TrimRight(s, "\n"), "\n")
	if !ok {
		return nil
	}
	return strings.Split(rest, "\n")
}

// runLine sums up a run of several targets: "3 targets: 1 drift, 1 clean, 1 error".
func runLine(results []check.Result) string {
	counts := map[check.Status]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	var parts []string
	for _, s := range []check.Status{check.StatusDrift, check.StatusError, check.StatusPending, check.StatusClean} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	return fmt.Sprintf("%d targets: %s", len(results), strings.Join(parts, ", "))
}
