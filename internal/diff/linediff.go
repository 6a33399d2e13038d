package diff

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// diffContext is how many unchanged lines LineDiff keeps around each change.
const diffContext = 3

// LineDiff renders a line diff of expected vs actual: removed lines start with "- ", added
// lines with "+ ", unchanged context lines with "  ". Runs of unchanged lines further than
// three lines from a change are elided as a single "  ..." line. It returns "" when the texts
// have the same lines.
func LineDiff(expected, actual string) string {
	if expected == actual {
		return ""
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // never cut short by the clock: the same inputs must give the same diff
	a, b, lines := dmp.DiffLinesToChars(withNewline(expected), withNewline(actual))
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	type line struct {
		prefix string
		text   string
	}
	var ls []line
	changed := false
	for _, d := range diffs {
		prefix := "  "
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			prefix, changed = "- ", true
		case diffmatchpatch.DiffInsert:
			prefix, changed = "+ ", true
		}
		for _, t := range strings.SplitAfter(d.Text, "\n") {
			if t != "" {
				ls = append(ls, line{prefix, strings.TrimSuffix(t, "\n")})
			}
		}
	}
	if !changed {
		return ""
	}

	keep := make([]bool, len(ls))
	for i, l := range ls {
		if l.prefix != "  " {
			for j := max(0, i-diffContext); j <= min(len(ls)-1, i+diffContext); j++ {
				keep[j] = true
			}
		}
	}
	var out strings.Builder
	elided := false
	for i, l := range ls {
		if !keep[i] {
			elided = true
			continue
		}
		if elided {
			out.WriteString("  ...\n")
			elided = false
		}
		if l.text == "" {
			out.WriteString(strings.TrimRight(l.prefix, " "))
		} else {
			out.WriteString(l.prefix + l.text)
		}
		out.WriteByte('\n')
	}
	if elided {
		out.WriteString("  ...\n")
	}
	return strings.TrimSuffix(out.String(), "\n")
}

func withNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
