// Package slack turns drift alerts into Slack messages and delivers them.
//
// The Block Kit builder (Drift, Resolved, Announced) is pure: alerts in, blocks out, pinned by
// golden JSON under testdata. A message says each fact once: the header names the environment,
// the target, the worst severity and the counts of all the target's open findings; the body
// details the first findings (expected → actual), lists the rest one line each, and points to
// the status page (or `drift alerts list`) for whatever did not fit — a finding is never left
// out without being counted and linked. Every message stays within Slack's limits: 50 blocks,
// 3,000 characters per section, 150 per header.
//
// The senders (Webhook, Bot, LogNotifier) are thin: they post what the builder made, tell
// retryable failures (rate limits, 5xx, network) from permanent ones, retry the former with
// backoff, and never let a token or webhook URL into an error or a log line.
package slack

import (
	"fmt"
	"slices"
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

// Options tune the builder. The daemon fills them from the configuration.
type Options struct {
	// Environment labels the deployment ("production") in every header; empty: no label.
	Environment string
	// PublicURL is the status page's address: findings link to /alerts/<id> under it and the
	// rest of a long message to the target on the page. Empty: messages point to `drift alerts`.
	PublicURL string
	// MaxFindings is how many findings a message details with their definitions; the others
	// are listed one line each. Zero means 5.
	MaxFindings int
	// MaxLines is how many lines of a definition or diff a finding shows. Zero means 12.
	MaxLines int
}

func (o Options) withDefaults() Options {
	if o.MaxFindings <= 0 {
		o.MaxFindings = 5
	}
	if o.MaxLines <= 0 {
		o.MaxLines = 12
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	return o
}

// Open counts a target's live alerts — the state the header reports, whatever the message is
// about.
type Open struct {
	Critical, Warning, Info int
	// Acknowledged counts live drift that someone acknowledged (not in the severity counts).
	Acknowledged int
	// CannotCheck is true while the target has a "cannot check" alert.
	CannotCheck bool
}

// CountOpen counts the live alerts among alerts (any target's; pass one target's).
func CountOpen(alerts []alert.Alert) Open {
	var o Open
	for _, a := range alerts {
		switch {
		case !a.Live():
		case a.Kind == alert.KindCheckError:
			o.CannotCheck = true
		case a.Status == alert.Acknowledged:
			o.Acknowledged++
		case a.Severity == diff.Critical:
			o.Critical++
		case a.Severity == diff.Warning:
			o.Warning++
		default:
			o.Info++
		}
	}
	return o
}

// total is the number of open (unacknowledged) findings.
func (o Open) total() int { return o.Critical + o.Warning + o.Info }

// worst names the worst open severity.
func (o Open) worst() diff.Severity {
	switch {
	case o.Critical > 0:
		return diff.Critical
	case o.Warning > 0:
		return diff.Warning
	case o.Info > 0:
		return diff.Info
	}
	return ""
}

// counts renders "3 critical, 2 warning open" ("no open findings" when there are none).
func (o Open) counts() string {
	var parts []string
	for _, c := range []struct {
		n    int
		name string
	}{{o.Critical, "critical"}, {o.Warning, "warning"}, {o.Info, "info"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.name))
		}
	}
	if len(parts) == 0 {
		return "no open findings"
	}
	return strings.Join(parts, ", ") + " open"
}

// Drift builds the message announcing new or changed drift on target: alerts are what it
// announces, open the target's current state for the header.
func Drift(target string, alerts []alert.Alert, open Open, opts Options) Message {
	return driftMessage(target, alerts, open, opts.withDefaults(), false)
}

// Announced rebuilds an announcing message with the current status of each of its alerts, for
// editing it in place (chat.update) when some or all of them are resolved.
func Announced(target string, alerts []alert.Alert, open Open, opts Options) Message {
	return driftMessage(target, alerts, open, opts.withDefaults(), true)
}

func driftMessage(target string, alerts []alert.Alert, open Open, opts Options, edit bool) Message {
	alerts = sorted(alerts)
	var errs, resolved, changed int
	for _, a := range alerts {
		if a.Kind == alert.KindCheckError {
			errs++
		}
		if a.Status == alert.Resolved {
			resolved++
		}
		if !a.NotifiedAt.IsZero() {
			changed++
		}
	}
	onlyErrors := errs == len(alerts) && errs > 0

	title := headerTitle(target, open, opts)
	if onlyErrors {
		title = "Cannot check " + target + envSuffix(opts)
	}
	if edit && resolved == len(alerts) && len(alerts) > 0 {
		title = "Resolved · " + title
	}

	// What this message is about, once.
	var about string
	switch {
	case edit:
		about = fmt.Sprintf("%s announced here; %d resolved, %d still present.", plural(len(alerts), "finding"), resolved, len(alerts)-resolved)
	case onlyErrors:
		about = "drift cannot check this target, so its drift is not being watched."
	default:
		fresh := len(alerts) - changed - errs
		var parts []string
		if fresh > 0 {
			parts = append(parts, fmt.Sprintf("*%d new*", fresh))
		}
		if changed > 0 {
			parts = append(parts, fmt.Sprintf("*%d changed* since reported", changed))
		}
		if errs > 0 && !onlyErrors {
			parts = append(parts, ":warning: the target cannot be checked")
		}
		about = strings.Join(parts, " · ")
	}
	if open.Acknowledged > 0 {
		about += fmt.Sprintf(" (%d acknowledged, not counted)", open.Acknowledged)
	}
	text := title
	if !edit && !onlyErrors {
		text += " — " + stripMarkup(about)
	}
	if link := targetLink(target, opts, "All open findings"); link != "" && !onlyErrors {
		about += " · " + link
	}

	b := newBuilder()
	b.add(header(title))
	b.add(section(about))
	// The first findings in detail, the rest a line each; two blocks stay free for the count of
	// what did not fit and the footer.
	for _, a := range alerts[:min(len(alerts), opts.MaxFindings)] {
		if b.room() <= 2 {
			break
		}
		// The first finding carries the statements reverting it; the others' are on the
		// status page and in drift check --fix revert (the footer says so).
		b.add(section(findingText(a, opts, edit, b.shown == 0 && !edit)))
		b.shown++
	}
	b.lines(alerts[b.shown:], func(a alert.Alert) string { return findingLine(a, opts, edit) }, 2)
	if more := len(alerts) - b.shown; more > 0 {
		b.add(section(moreText(more, target, opts)))
	}
	b.add(contextBlock(footerText(target, alerts, opts)))
	return Message{Text: truncateRunes(text, 500), Blocks: b.blocks}
}

// Resolved builds the message saying that drift on target is gone: one line per resolved
// alert, with its ID, when it was first seen and when it went away; open is what is still open.
func Resolved(target string, alerts []alert.Alert, open Open, opts Options) Message {
	opts = opts.withDefaults()
	alerts = sorted(alerts)
	allErrors := len(alerts) > 0
	for _, a := range alerts {
		allErrors = allErrors && a.Kind == alert.KindCheckError
	}
	still := "nothing open"
	if open.total() > 0 {
		still = "still " + open.counts()
	}
	title := fmt.Sprintf("Resolved on %s%s: %s gone, %s", target, envSuffix(opts), plural(len(alerts), "finding"), still)
	about := fmt.Sprintf("%s no longer present.", plural(len(alerts), "finding"))
	if allErrors {
		title = fmt.Sprintf("Resolved: %s%s can be checked again", target, envSuffix(opts))
		about = "drift can check this target again."
	}
	if open.total() > 0 {
		if link := targetLink(target, opts, "Still open"); link != "" {
			about += " · " + link
		}
	}
	b := newBuilder()
	b.add(header(title))
	b.add(section(about))
	b.lines(alerts, func(a alert.Alert) string { return resolvedLine(a, opts) }, 2)
	if more := len(alerts) - b.shown; more > 0 {
		b.add(section(moreText(more, target, opts)))
	}
	b.add(contextBlock(footerText(target, nil, opts)))
	return Message{Text: truncateRunes(title, 500), Blocks: b.blocks}
}

// builder appends blocks within MaxBlocks and counts the alerts shown.
type builder struct {
	blocks []goslack.Block
	shown  int
}

func newBuilder() *builder { return &builder{} }

func (b *builder) add(blk goslack.Block) { b.blocks = append(b.blocks, blk) }

// room is how many blocks may still be added.
func (b *builder) room() int { return MaxBlocks - len(b.blocks) }

// lines packs one line per alert into as few sections as the limits allow, keeping reserve
// blocks free; it stops at the first alert that does not fit.
func (b *builder) lines(alerts []alert.Alert, line func(alert.Alert) string, reserve int) {
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			b.add(section(cur.String()))
			cur.Reset()
		}
	}
	for _, a := range alerts {
		l := line(a)
		fits := cur.Len() == 0 || utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(l) <= MaxSectionText
		if !fits {
			if b.room() <= reserve+1 {
				break
			}
			flush()
		}
		if cur.Len() == 0 && b.room() <= reserve {
			break
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
		b.shown++
	}
	flush()
}

// headerTitle is "Critical drift on app (production): 3 critical, 2 warning open".
func headerTitle(target string, open Open, opts Options) string {
	worst := open.worst()
	if worst == "" {
		return fmt.Sprintf("Drift on %s%s: nothing open", target, envSuffix(opts))
	}
	w := string(worst)
	return fmt.Sprintf("%s drift on %s%s: %s", strings.ToUpper(w[:1])+w[1:], target, envSuffix(opts), open.counts())
}

func envSuffix(opts Options) string {
	if opts.Environment == "" {
		return ""
	}
	return " (" + opts.Environment + ")"
}

func resolvedLine(a alert.Alert, opts Options) string {
	id := alertRef(a, opts)
	if a.Kind == alert.KindCheckError {
		return fmt.Sprintf(":white_check_mark: %s `%s` can be checked again (failing since %s)", id, escapeCode(a.Object), stamp(a.FirstSeen))
	}
	line := fmt.Sprintf(":white_check_mark: %s %s `%s` %s — first seen %s", id, a.Kind, escapeCode(a.Object), a.Change, stamp(a.FirstSeen))
	if !a.ResolvedAt.IsZero() {
		line += ", gone by " + stamp(a.ResolvedAt)
	}
	if a.NotifiedAt.IsZero() {
		line += " (never announced: it came and went between messages)"
	}
	return truncateRunes(line, MaxSectionText)
}

// findingLine is a finding on one line: severity, what, and its ID.
func findingLine(a alert.Alert, opts Options, edit bool) string {
	prefix := sevEmoji(a.Severity)
	if edit && a.Status == alert.Resolved {
		prefix = ":white_check_mark:"
	}
	if a.Kind == alert.KindCheckError {
		return truncateRunes(fmt.Sprintf(":warning: %s cannot check `%s`", alertRef(a, opts), escapeCode(a.Object)), MaxSectionText)
	}
	return truncateRunes(fmt.Sprintf("%s %s %s `%s` %s", prefix, alertRef(a, opts), a.Kind, escapeCode(a.Object), a.Change), MaxSectionText)
}

// findingText renders one finding as a section: one title line (severity, what changed, the
// ID) and expected → actual, all within MaxSectionText.
func findingText(a alert.Alert, opts Options, edit, withFix bool) string {
	var head strings.Builder
	switch {
	case edit && a.Status == alert.Resolved:
		head.WriteString(":white_check_mark: *resolved* · ")
	case a.Kind == alert.KindCheckError:
		head.WriteString(":warning: ")
	default:
		head.WriteString(sevEmoji(a.Severity) + " ")
	}
	head.WriteString(alertRef(a, opts) + " ")
	if a.Kind == alert.KindCheckError {
		fmt.Fprintf(&head, "cannot check `%s`", escapeCode(a.Object))
		if a.Summary != "" {
			head.WriteString(": " + escape(a.Summary))
		}
	} else {
		head.WriteString(describeFinding(a))
		if !edit && !a.NotifiedAt.IsZero() {
			why := a.PendingReason
			if why == "" {
				why = "updated"
			}
			head.WriteString(" _(" + escape(why) + ")_")
		}
	}
	if edit && a.Status == alert.Acknowledged {
		head.WriteString("\n_acknowledged by " + escape(a.AckBy) + ": " + escape(a.AckReason) + "_")
	}

	type part struct{ label, body string }
	var parts []part
	switch {
	case a.Kind == alert.KindCheckError:
		parts = append(parts, part{"Error", a.Actual})
	case a.Diff != "":
		parts = append(parts, part{"Expected → actual", a.Diff})
	default:
		if a.Expected != "" {
			label := "Expected"
			if a.Actual == "" {
				label = "Expected (not in the live database)"
			}
			parts = append(parts, part{label, a.Expected})
		}
		if a.Actual != "" {
			label := "Actual"
			if a.Expected == "" {
				label = "Actual (not in the expected schema)"
			}
			parts = append(parts, part{label, a.Actual})
		}
	}
	if withFix && a.Fix != "" && a.Kind != alert.KindCheckError && a.Status != alert.Resolved {
		parts = append(parts, part{"Fix (revert; drift never runs it)", a.Fix})
	}
	headText := truncateRunes(head.String(), MaxSectionText/3)
	var b strings.Builder
	b.WriteString(headText)
	if len(parts) > 0 {
		// Share what the head leaves between the parts; each costs its label and fences too.
		const overhead = len("\n*Expected (not in the live database)*\n```\n```")
		room := MaxSectionText - utf8.RuneCountInString(headText) - 20
		per := room/len(parts) - overhead
		for _, p := range parts {
			fmt.Fprintf(&b, "\n*%s*\n```%s```", p.label, fitCode(p.body, opts.MaxLines, per))
		}
	}
	return truncateRunes(b.String(), MaxSectionText)
}

// describeFinding says what drifted, once: the summary with the object in code, without
// repeating the kind and object the summary already names.
func describeFinding(a alert.Alert) string {
	what := fmt.Sprintf("%s `%s`", a.Kind, escapeCode(a.Object))
	s := a.Summary
	if rest, ok := strings.CutPrefix(s, a.Kind+" "+a.Object); ok {
		if strings.TrimSpace(strings.TrimPrefix(rest, ":")) == "" {
			return what + " " + string(a.Change)
		}
		return what + escape(rest)
	}
	if s == "" {
		return what + " " + string(a.Change)
	}
	return fmt.Sprintf("%s %s — %s", what, a.Change, escape(s))
}

// alertRef is the alert's ID, linked to its page when there is a public URL.
func alertRef(a alert.Alert, opts Options) string {
	if a.ID == 0 {
		return ""
	}
	if opts.PublicURL == "" {
		return fmt.Sprintf("#%d", a.ID)
	}
	return fmt.Sprintf("<%s/alerts/%d|#%d>", linkURL(opts.PublicURL), a.ID, a.ID)
}

// targetLink links to the target on the status page; empty without a public URL.
func targetLink(target string, opts Options, label string) string {
	if opts.PublicURL == "" {
		return ""
	}
	return fmt.Sprintf("<%s/#target-%s|%s>", linkURL(opts.PublicURL), linkURL(target), label)
}

func moreText(n int, target string, opts Options) string {
	if opts.PublicURL != "" {
		return fmt.Sprintf("… and %d more: %s", n, targetLink(target, opts, "see every finding of "+escape(target)+" on the status page"))
	}
	return fmt.Sprintf("… and %d more: `drift alerts list --target %s`", n, escapeCode(target))
}

// footerText says how to act: see the whole report, silence an alert.
func footerText(target string, alerts []alert.Alert, opts Options) string {
	var parts []string
	if opts.PublicURL != "" {
		parts = append(parts, fmt.Sprintf("<%s/|Status page>", linkURL(opts.PublicURL)))
	}
	parts = append(parts, fmt.Sprintf("full report: `drift check --target %s`", escapeCode(target)))
	if slices.ContainsFunc(alerts, func(a alert.Alert) bool { return a.Fix != "" && a.Status != alert.Resolved }) {
		parts = append(parts, fmt.Sprintf("every fix: `drift check --target %s --fix revert`", escapeCode(target)))
	}
	if len(alerts) > 0 {
		id := "&lt;id&gt;"
		if len(alerts) == 1 && alerts[0].ID != 0 {
			id = fmt.Sprint(alerts[0].ID)
		}
		parts = append(parts, fmt.Sprintf("silence: `drift alerts ack %s --reason …`", id))
	}
	return strings.Join(parts, " · ")
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

// linkURL makes a URL safe inside <url|label>: no markup characters, no label separator.
func linkURL(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C", " ", "%20").Replace(s)
}

// stripMarkup turns a mrkdwn line into plain text for the notification: links become their
// label, emphasis marks go.
func stripMarkup(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		link := s[i+1 : i+j]
		if _, label, ok := strings.Cut(link, "|"); ok {
			b.WriteString(label)
		}
		s = s[i+j+1:]
	}
	out := strings.NewReplacer("*", "", "_", "", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(b.String())
	return strings.TrimSuffix(strings.TrimSpace(out), " ·")
}

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
