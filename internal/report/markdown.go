package report

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
)

// Markdown writes a report fit for a pull-request comment (GitHub-flavoured Markdown): a
// heading per target with its status as a text badge, a table of findings (severity, kind,
// object, change, summary), worst first, then per finding a collapsed <details> block with the
// line diff of a changed definition and the fix (when the results carry one), then pending
// migrations, warnings and stale ignore rules.
func Markdown(w io.Writer, results []check.Result) error {
	m := errWriter{w: w}
	m.printf("## Schema drift report\n")
	if len(results) > 1 {
		m.printf("\n%s\n", mdText(runLine(results)))
	}
	for _, r := range results {
		mdTarget(&m, r)
	}
	if m.err != nil {
		return fmt.Errorf("writing markdown report: %w", m.err)
	}
	return nil
}

func mdTarget(m *errWriter, r check.Result) {
	m.printf("\n### %s `%s`\n\n", mdText(targetTitle(r)), strings.ToUpper(string(r.Status)))
	m.printf("%s\n", mdText(targetCounts(r)))
	if r.Error != "" {
		m.printf("\nThe check could not be done:\n\n%s\n", fenced("text", r.Error))
	}
	for _, warn := range r.Warnings {
		m.printf("\n> **Warning:** %s\n", mdText(strings.Join(strings.Fields(warn), " ")))
	}

	var ordered []diff.Finding
	for _, g := range groupBySeverity(r.Findings) {
		ordered = append(ordered, g.findings...)
	}
	if len(ordered) > 0 {
		m.printf("\n| severity | kind | object | change | summary |\n|---|---|---|---|---|\n")
		for _, f := range ordered {
			m.printf("| %s | %s | %s | %s | %s |\n", mdText(severityName(f.Severity)), mdText(f.Kind),
				mdCode(f.Object), mdText(string(f.Change)), mdText(f.Summary))
		}
	}
	lang, way := "sql", ""
	if r.Fix != nil {
		lang, way = r.Fix.Language, string(r.Fix.Mode)
	}
	for _, f := range ordered {
		d := findingDiff(f)
		if d == "" && f.Fix == "" {
			continue
		}
		m.printf("\n<details>\n<summary>%s</summary>\n", html.EscapeString(f.Summary))
		if d != "" {
			m.printf("\n%s\n", fenced("diff", d))
		}
		if f.Fix != "" {
			m.printf("\nFix (%s):\n\n%s\n", way, fenced(lang, f.Fix))
		}
		m.printf("\n</details>\n")
	}

	if len(r.Pending) > 0 {
		m.printf("\n**Pending migrations** (not applied yet; not drift):\n\n")
		for _, p := range r.Pending {
			m.printf("- %s %s\n", mdCode(p.Version), mdText(p.File))
		}
	}
	if len(r.StaleIgnores) > 0 {
		m.printf("\n**Stale ignore rules** (expired; they no longer apply):\n\n")
		for _, s := range r.StaleIgnores {
			m.printf("- %s\n", mdText(s))
		}
	}
}

// mdEscaper backslash-escapes the characters that Markdown would otherwise read as markup
// (emphasis, links, code, table cells) and encodes the ones that would start HTML, such as
// the "<owner>" grantee placeholder.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "|", `\|`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;",
)

// mdText renders plain text on one line, for a paragraph, list item or table cell.
func mdText(s string) string {
	return mdEscaper.Replace(strings.Join(strings.Fields(s), " "))
}

// mdCode renders s as an inline code span that is safe inside a table cell: the delimiter is
// longer than any backtick run in s, and pipes are escaped (GitHub splits table cells before
// it parses code spans, and drops the backslash again inside the span).
func mdCode(s string) string {
	s = strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
	if s == "" {
		return ""
	}
	tick := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return tick + pad + s + pad + tick
}

// fenced renders a fenced code block whose fence is longer than any backtick run in body.
func fenced(lang, body string) string {
	fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	return fence + lang + "\n" + strings.TrimRight(body, "\n") + "\n" + fence
}

func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
