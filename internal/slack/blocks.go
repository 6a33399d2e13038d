// Package slack turns drift alerts into Slack messages and delivers them.
//
// The Block Kit builder (Drift, Resolved, Announced) is pure: alerts in, blocks out, pinned by
// golden JSON under testdata. It keeps within Slack's limits — 50 blocks per message, 3,000
// characters per section, 150 per header — and, when a target has more findings than fit,
// says how many were left out and how to see them all.
//
// The senders (Webhook, Bot, LogNotifier) are thin: they post what the builder made, tell
// retryable failures (rate limits, 5xx, network) from permanent ones, retry the former with
// backoff, and never let a token or webhook URL into an error or a log line.
package slack

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	goslack "github.com/slack-go/slack"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/diff"
)

// Slack's limits on a message.
const (
	MaxBlocks      = 50
	MaxSectionText = 3000
	MaxHeaderText  = 150
)

// Message is one Slack message: Text is the notification and fallback text, Blocks the layout.
type Message struct {
	Text   string          `json:"text"`
	Blocks []goslack.Block `json:"blocks"`
	// Key is the message's idempotency key, set by the sender of the outbox: the same key on
	// every attempt to deliver the same message. The bot sends it as message metadata; an
	// incoming webhook has no field for it.
	Key string `json:"-"`
}

// Options tune the builder.
type Options struct {
	// MaxFindings is how many findings a message details; the rest are counted. Zero means 20;
	// it is capped so a message never exceeds MaxBlocks.
	MaxFindings int
	// MaxLines is how many lines of a definition or diff a finding shows. Zero means 12.
	MaxLines int
}

func (o Options) withDefaults() Options {
	if o.MaxFindings <= 0 {
		o.MaxFindings = 20
	}
	// header, counts, the "and N more" line and the footer leave the rest for findings.
	if o.MaxFindings > MaxBlocks-4 {
		o.MaxFindings = MaxBlocks - 4
	}
	if o.MaxLines <= 0 {
		o.MaxLines = 12
	}
	return o
}

// Drift builds the message announcing new or changed drift on target: a header, the counts by
// severity, one section per finding (worst first) with expected and actual definitions and a
// short line diff, and a footer saying how to see everything and how to silence it.
func Drift(target string, alerts []alert.Alert, opts Options) Message {
	return driftMessage(target, alerts, opts.withDefaults(), false)
}

// Announced rebuilds an announcing message with the current status of each of its alerts, for
// editing it in place (chat.update) when some or all of them are resolved.
func Announced(target string, alerts []alert.Alert, opts Options) Message {
	return driftMessage(target, alerts, opts.withDefaults(), true)
}

func driftMessage(target string, alerts []alert.Alert, opts Options, showStatus bool) Message {
	alerts = sorted(alerts)
	var crit, warn, info, errs, resolved, fresh int
	for _, a := range alerts {
		switch {
		case a.Kind == alert.KindCheckError:
			errs++
		case a.Severity == diff.Critical:
			crit++
		case a.Severity == diff.Warning:
			warn++
		default:
			info++
		}
		if a.Status == alert.Resolved {
			resolved++
		}
		if a.NotifiedAt.IsZero() {
			fresh++
		}
	}
	drift := len(alerts) - errs

	title := "Schema drift on " + target
	if drift == 0 && errs > 0 {
		title = "Cannot check " + target
	}
	if showStatus && resolved == len(alerts) && len(alerts) > 0 {
		title = "Resolved: " + strings.ToLower(title[:1]) + title[1:]
	} else if showStatus && resolved > 0 {
		title = fmt.Sprintf("%s (%d of %d resolved)", title, resolved, len(alerts))
	}

	var counts []string
	if crit > 0 {
		counts = append(counts, fmt.Sprintf(":red_circle: %d critical", crit))
	}
	if warn > 0 {
		counts = append(counts, fmt.Sprintf(":large_orange_circle: %d warning", warn))
	}
	if info > 0 {
		counts = append(counts, fmt.Sprintf(":large_blue_circle: %d info", info))
	}
	if errs > 0 {
		counts = append(counts, ":warning: cannot check")
	}
	summary := fmt.Sprintf("*%s* on `%s`: %s", plural(drift, "finding"), escapeCode(target), strings.Join(counts, " · "))
	if drift == 0 {
		summary = fmt.Sprintf("`%s`: %s", escapeCode(target), strings.Join(counts, " · "))
	}
	if !showStatus && fresh < len(alerts) {
		summary += fmt.Sprintf(" (%d new, %d updated)", fresh, len(alerts)-fresh)
	}

	blocks := []goslack.Block{header(title), section(summary)}
	shown := min(len(alerts), opts.MaxFindings)
	for _, a := range alerts[:shown] {
		blocks = append(blocks, section(findingText(a, opts, showStatus)))
	}
	if more := len(alerts) - shown; more > 0 {
		blocks = append(blocks, section(moreText(more, target)))
	}
	blocks = append(blocks, contextBlock(fmt.Sprintf("Full report: `drift check --target %s` · silence one: `drift alerts ack &lt;id&gt; --reason …`", escapeCode(target))))

	text := title + ": " + plainCounts(crit, warn, info, errs)
	if drift == 0 {
		text = title
	}
	return Message{Text: text, Blocks: blocks}
}

// Resolved builds the message saying that drift on target is gone: one line per resolved
// alert, with when it was first seen and when it went away.
func Resolved(target string, alerts []alert.Alert, opts Options) Message {
	opts = opts.withDefaults()
	alerts = sorted(alerts)
	title := "Resolved: schema drift on " + target
	allErrors := len(alerts) > 0
	for _, a := range alerts {
		allErrors = allErrors && a.Kind == alert.KindCheckError
	}
	if allErrors {
		title = "Resolved: " + target + " can be checked again"
	}
	blocks := []goslack.Block{header(title)}
	// Lines are packed into as few sections as the limits allow: a resolution is good news
	// and needs no per-finding detail.
	var cur strings.Builder
	shown := 0
	for _, a := range alerts {
		if shown == opts.MaxFindings*2 || len(blocks) >= MaxBlocks-3 {
			break
		}
		line := resolvedLine(a)
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(line) > MaxSectionText {
			blocks = append(blocks, section(cur.String()))
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
		shown++
	}
	if cur.Len() > 0 {
		blocks = append(blocks, section(cur.String()))
	}
	if more := len(alerts) - shown; more > 0 {
		blocks = append(blocks, section(moreText(more, target)))
	}
	blocks = append(blocks, contextBlock(fmt.Sprintf("%s no longer present on `%s`", plural(len(alerts), "finding"), escapeCode(target))))
	return Message{Text: fmt.Sprintf("%s (%s)", title, plural(len(alerts), "finding")), Blocks: blocks}
}

func resolvedLine(a alert.Alert) string {
	if a.Kind == alert.KindCheckError {
		return fmt.Sprintf(":white_check_mark: `%s` can be checked again (failing since %s)", escapeCode(a.Object), stamp(a.FirstSeen))
	}
	line := fmt.Sprintf(":white_check_mark: %s %s `%s` %s — first seen %s", sevEmoji(a.Severity), a.Kind, escapeCode(a.Object), a.Change, stamp(a.FirstSeen))
	if !a.ResolvedAt.IsZero() {
		line += ", gone by " + stamp(a.ResolvedAt)
	}
	if a.NotifiedAt.IsZero() {
		line += " (it was never announced: it came and went between messages)"
	}
	return truncateRunes(line, MaxSectionText)
}

// findingText renders one finding as a section: a title line, the summary, and the
// definitions, all within MaxSectionText.
func findingText(a alert.Alert, opts Options, showStatus bool) string {
	var head strings.Builder
	if showStatus && a.Status == alert.Resolved {
		head.WriteString(":white_check_mark: *resolved* · ")
	}
	if a.Kind == alert.KindCheckError {
		fmt.Fprintf(&head, ":warning: *cannot check* `%s`", escapeCode(a.Object))
	} else {
		fmt.Fprintf(&head, "%s *%s* · %s `%s` *%s*", sevEmoji(a.Severity), a.Severity, a.Kind, escapeCode(a.Object), a.Change)
	}
	if a.ID != 0 {
		fmt.Fprintf(&head, " · #%d", a.ID)
	}
	if a.Summary != "" {
		head.WriteString("\n")
		head.WriteString(escape(a.Summary))
	}
	if a.PendingReason != "" && !showStatus && !a.NotifiedAt.IsZero() {
		head.WriteString("\n_" + escape(a.PendingReason) + "_")
	}
	if showStatus && a.Status == alert.Acknowledged {
		head.WriteString("\n_acknowledged by " + escape(a.AckBy) + ": " + escape(a.AckReason) + "_")
	}

	type part struct{ label, body string }
	var parts []part
	if a.Kind == alert.KindCheckError {
		parts = append(parts, part{"Error", a.Actual})
	} else {
		if a.Expected != "" {
			parts = append(parts, part{"Expected", a.Expected})
		}
		if a.Actual != "" {
			parts = append(parts, part{"Actual", a.Actual})
		}
		if a.Diff != "" {
			parts = append(parts, part{"Diff", a.Diff})
		}
	}
	headText := truncateRunes(head.String(), MaxSectionText/3)
	var b strings.Builder
	b.WriteString(headText)
	if len(parts) > 0 {
		// Share what the head leaves between the parts; each costs its label and fences too.
		const overhead = len("\n*Expected*\n```\n```")
		room := MaxSectionText - utf8.RuneCountInString(headText) - 20
		per := room/len(parts) - overhead
		for _, p := range parts {
			fmt.Fprintf(&b, "\n*%s*\n```%s```", p.label, fitCode(p.body, opts.MaxLines, per))
		}
	}
	return truncateRunes(b.String(), MaxSectionText)
}

func moreText(n int, target string) string {
	return fmt.Sprintf("… and %d more — run `drift check --target %s`", n, escapeCode(target))
}

// sorted returns alerts worst first: cannot-check first, then by severity, kind and object.
func sorted(in []alert.Alert) []alert.Alert {
	out := append([]alert.Alert(nil), in...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Kind == alert.KindCheckError) != (b.Kind == alert.KindCheckError) {
			return a.Kind == alert.KindCheckError
		}
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Change < b.Change
	})
	return out
}

func header(text string) goslack.Block {
	return goslack.NewHeaderBlock(goslack.NewTextBlockObject(goslack.PlainTextType, truncateRunes(text, MaxHeaderText), true, false))
}

func section(mrkdwn string) goslack.Block {
	return goslack.NewSectionBlock(goslack.NewTextBlockObject(goslack.MarkdownType, truncateRunes(mrkdwn, MaxSectionText), false, false), nil, nil)
}

func contextBlock(mrkdwn string) goslack.Block {
	return goslack.NewContextBlock("", goslack.NewTextBlockObject(goslack.MarkdownType, truncateRunes(mrkdwn, MaxSectionText), false, false))
}

func sevEmoji(s diff.Severity) string {
	switch s {
	case diff.Critical:
		return ":red_circle:"
	case diff.Warning:
		return ":large_orange_circle:"
	}
	return ":large_blue_circle:"
}

func plainCounts(crit, warn, info, errs int) string {
	var parts []string
	for _, c := range []struct {
		n    int
		name string
	}{{crit, "critical"}, {warn, "warning"}, {info, "info"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.name))
		}
	}
	if errs > 0 {
		parts = append(parts, "cannot check")
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// escape makes text safe in mrkdwn: Slack reads &, < and > as markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// escapeCode makes text safe inside `inline code`.
func escapeCode(s string) string { return strings.ReplaceAll(escape(s), "`", "'") }

// fitCode returns the escaped body of a code block: at most maxLines lines and maxChars
// characters, with a marker where it was cut.
func fitCode(s string, maxLines, maxChars int) string {
	if maxChars < 20 {
		maxChars = 20
	}
	s = strings.ReplaceAll(strings.TrimRight(s, "\n"), "```", "`\u200b``")
	lines := strings.Split(s, "\n")
	cut := len(lines) > maxLines
	if cut {
		lines = lines[:maxLines]
	}
	const marker = "\n…"
	budget := maxChars - utf8.RuneCountInString(marker)
	var b strings.Builder
	n := 0
	for i, line := range lines {
		if i > 0 {
			line = "\n" + line
		}
		for _, r := range line {
			esc := escape(string(r))
			if n+len(esc) > budget { // escapes are ASCII: bytes are characters
				return b.String() + marker
			}
			b.WriteString(esc)
			n += utf8.RuneCountInString(esc)
		}
	}
	if cut {
		b.WriteString(marker)
	}
	return b.String()
}

// truncateRunes cuts s to at most n characters, ending with "…" when it cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
