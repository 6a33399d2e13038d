package slack

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goslack "github.com/slack-go/slack"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/diff"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

var (
	seen     = time.Date(2026, 2, 1, 6, 0, 0, 0, time.UTC)
	resolved = time.Date(2026, 2, 2, 12, 0, 0, 0, time.UTC)
)

func sample(id int64, kind, object string, change diff.Change, sev diff.Severity, expected, actual, d string) alert.Alert {
	return alert.Alert{ID: id, Target: "app", Kind: kind, Object: object, Change: change, Severity: sev,
		Summary: fmt.Sprintf("%s %s %s", kind, object, change), Expected: expected, Actual: actual, Diff: d,
		Status: alert.Open, FirstSeen: seen, LastSeen: seen, Pending: alert.NotifyOpened,
		Fingerprint: diff.Fingerprint("app", kind, object, change)}
}

// goldenJSON compares msg's JSON with testdata/name.json (rewritten with -update) and checks
// Slack's limits and that the JSON reads back as Block Kit.
func goldenJSON(t *testing.T, name string, msg Message) {
	t.Helper()
	checkLimits(t, msg)
	got, err := json.MarshalIndent(msg, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create the golden file")
	require.Equal(t, string(want), string(got))
}

func checkLimits(t *testing.T, msg Message) {
	t.Helper()
	require.LessOrEqual(t, len(msg.Blocks), MaxBlocks)
	require.NotEmpty(t, msg.Text)
	data, err := json.Marshal(msg.Blocks)
	require.NoError(t, err)
	var back goslack.Blocks
	require.NoError(t, json.Unmarshal(data, &back), "valid Block Kit")
	require.Len(t, back.BlockSet, len(msg.Blocks))
	for i, b := range msg.Blocks {
		switch b := b.(type) {
		case *goslack.SectionBlock:
			require.LessOrEqual(t, utf8.RuneCountInString(b.Text.Text), MaxSectionText, "block %d", i)
			require.Equal(t, 0, strings.Count(b.Text.Text, "```")%2, "block %d: code fences balanced", i)
		case *goslack.HeaderBlock:
			require.LessOrEqual(t, utf8.RuneCountInString(b.Text.Text), MaxHeaderText, "block %d", i)
		}
	}
}

// opts are the options of a daemon with a status page, in production.
var opts = Options{Environment: "production", PublicURL: "https://drift.example.com/"}

func TestDriftMessageGolden(t *testing.T) {
	email := sample(42, "column", "public.users.email", diff.Changed, diff.Critical,
		"type: text\nnot_null: true", "type: character varying(10)\nnot_null: true",
		"- type: text\n+ type: character varying(10)\n  not_null: true")
	email.Summary = "column public.users.email: type changed from text to character varying(10)"
	idx := sample(43, "index", "public.tmp_report_idx", diff.Unexpected, diff.Warning, "",
		"CREATE INDEX tmp_report_idx ON public.orders USING btree (created_at)", "")
	tbl := sample(44, "table", "public.audit_log", diff.Missing, diff.Critical, "persistence: permanent", "", "")
	comment := sample(45, "comment", "public.users", diff.Changed, diff.Info, "text: Registered users", "text: users", "")
	comment.NotifiedAt = seen
	comment.Pending = alert.NotifyChanged
	comment.PendingReason = "definition changed since last reported"

	// The header counts every open finding of the target, not only the ones announced.
	goldenJSON(t, "drift_single", Drift("app", []alert.Alert{email}, Open{Critical: 3, Warning: 1}, opts))
	goldenJSON(t, "drift_mixed", Drift("app", []alert.Alert{comment, idx, email, tbl}, Open{Critical: 2, Warning: 1, Info: 1, Acknowledged: 1}, opts))
	goldenJSON(t, "drift_no_public_url", Drift("app", []alert.Alert{email, idx}, Open{Critical: 1, Warning: 1}, Options{}))

	msg := Drift("app", []alert.Alert{email}, Open{Critical: 3, Warning: 1}, opts)
	require.Equal(t, "Critical drift on app (production): 3 critical, 1 warning open", msg.Blocks[0].(*goslack.HeaderBlock).Text.Text,
		"environment, target, worst severity, counts of all open findings")
	body := msg.Blocks[2].(*goslack.SectionBlock).Text.Text
	require.Equal(t, 1, strings.Count(body, "public.users.email"), "each fact once")
	require.Contains(t, body, "<https://drift.example.com/alerts/42|#42>", "linked to its page")
	require.Contains(t, msg.Text, "Critical drift on app (production)")
}

func TestCountOpen(t *testing.T) {
	a := func(sev diff.Severity, st alert.Status, kind string) alert.Alert {
		return alert.Alert{Severity: sev, Status: st, Kind: kind}
	}
	o := CountOpen([]alert.Alert{
		a(diff.Critical, alert.Open, "table"), a(diff.Critical, alert.Open, "column"), a(diff.Warning, alert.Open, "index"),
		a(diff.Info, alert.Open, "comment"), a(diff.Critical, alert.Acknowledged, "table"), a(diff.Critical, alert.Resolved, "table"),
		a(diff.Warning, alert.Open, alert.KindCheckError),
	})
	require.Equal(t, Open{Critical: 2, Warning: 1, Info: 1, Acknowledged: 1, CannotCheck: true}, o)
	require.Equal(t, "2 critical, 1 warning, 1 info open", o.counts())
}

func TestCannotCheckGolden(t *testing.T) {
	a := alert.Alert{ID: 7, Target: "billing", Kind: alert.KindCheckError, Object: "billing", Change: alert.ChangeError,
		Severity: diff.Warning, Summary: "2 consecutive failures",
		Actual: "connecting to live database: dial unix /run/pg.sock: connect: connection refused", Status: alert.Open,
		FirstSeen: seen, LastSeen: seen}
	goldenJSON(t, "cannot_check", Drift("billing", []alert.Alert{a}, Open{CannotCheck: true}, opts))
	a.Status, a.ResolvedAt, a.NotifiedAt = alert.Resolved, resolved, seen
	goldenJSON(t, "cannot_check_resolved", Resolved("billing", []alert.Alert{a}, Open{}, opts))
}

func TestResolvedAndAnnouncedGolden(t *testing.T) {
	email := sample(42, "column", "public.users.email", diff.Changed, diff.Critical, "type: text", "type: varchar(10)", "")
	email.NotifiedAt = seen
	idx := sample(43, "index", "public.tmp_report_idx", diff.Unexpected, diff.Warning, "", "CREATE INDEX tmp_report_idx ON public.orders (created_at)", "")
	idx.Status, idx.ResolvedAt, idx.NotifiedAt = alert.Resolved, resolved, seen
	ghost := sample(46, "trigger", "public.users.audit", diff.Missing, diff.Critical, "CREATE TRIGGER audit ...", "", "")
	ghost.Status, ghost.ResolvedAt = alert.Resolved, resolved

	res := Resolved("app", []alert.Alert{idx, ghost}, Open{Critical: 1}, opts)
	goldenJSON(t, "resolved", res)
	lines := res.Blocks[2].(*goslack.SectionBlock).Text.Text
	require.Contains(t, lines, "<https://drift.example.com/alerts/43|#43> index `public.tmp_report_idx` unexpected", "a resolution names what resolved, with its ID")
	require.Contains(t, lines, "#46> trigger `public.users.audit` missing")

	goldenJSON(t, "announced_partly_resolved", Announced("app", []alert.Alert{email, idx}, Open{Critical: 1}, opts))
	email.Status, email.ResolvedAt = alert.Resolved, resolved
	done := Announced("app", []alert.Alert{email, idx}, Open{}, opts)
	goldenJSON(t, "announced_resolved", done)
	require.True(t, strings.HasPrefix(done.Blocks[0].(*goslack.HeaderBlock).Text.Text, "Resolved · "), "the original message, edited in place, shows it resolved")
}

// TestManyFindingsAreNeverLost: the first findings in detail, the rest one line each within
// Slack's limits, and whatever still does not fit counted and linked — never "and 7 more" with
// nowhere to see them.
func TestManyFindingsAreNeverLost(t *testing.T) {
	var as []alert.Alert
	for i := range 1200 {
		as = append(as, sample(int64(i+1), "column", fmt.Sprintf("public.t%04d.c", i), diff.Changed, diff.Warning,
			strings.Repeat("expected line\n", 40), strings.Repeat("actual line\n", 40), ""))
	}
	for _, n := range []int{3, 27, 300, 1200} {
		msg := Drift("app", as[:n], Open{Warning: n}, opts)
		checkLimits(t, msg)
		text := allText(msg)
		listed := strings.Count(text, "/alerts/")
		more := 0
		if m := regexp.MustCompile(`… and (\d+) more: <https://drift.example.com/#target-app\|`).FindStringSubmatch(text); m != nil {
			more, _ = strconv.Atoi(m[1])
		}
		require.Equal(t, n, listed+more, "%d findings: each shown, or counted behind the link", n)
		require.Contains(t, msg.Blocks[0].(*goslack.HeaderBlock).Text.Text, fmt.Sprintf("%d warning open", n))
		if n <= 27 {
			require.Zero(t, more, "27 findings fit: 5 in detail, 22 one line each")
		}
	}
	msg := Drift("app", as[:60], Open{Warning: 60}, Options{MaxFindings: 500})
	checkLimits(t, msg)
	require.Len(t, msg.Blocks, MaxBlocks, "never more than 50 blocks, however many are asked for")
	require.Contains(t, allText(msg), "… and 14 more: `drift alerts list --target app`", "without a status page, the command that lists them")

	res := Resolved("app", as, Open{}, opts)
	checkLimits(t, res)
	require.Contains(t, allText(res), "more: <https://drift.example.com/#target-app|")

	goldenJSON(t, "drift_truncated", Drift("app", as[:23], Open{Warning: 23}, Options{MaxFindings: 2, Environment: "staging"}))
}

func allText(msg Message) string {
	var b strings.Builder
	for _, blk := range msg.Blocks {
		switch blk := blk.(type) {
		case *goslack.SectionBlock:
			b.WriteString(blk.Text.Text + "\n")
		case *goslack.ContextBlock:
			for _, e := range blk.ContextElements.Elements {
				if t, ok := e.(*goslack.TextBlockObject); ok {
					b.WriteString(t.Text + "\n")
				}
			}
		}
	}
	return b.String()
}

func TestHugeDefinitionFitsOneSection(t *testing.T) {
	body := "CREATE FUNCTION public.f() RETURNS void AS $$\n" + strings.Repeat("  PERFORM pg_sleep(0); -- <&> ünïcödé\n", 400) + "$$"
	a := sample(1, "function", "public.f()", diff.Unexpected, diff.Warning, "", body+"\n-- changed", "")
	a.Summary = strings.Repeat("very long summary ", 400)
	b := sample(2, "function", "public.g()", diff.Changed, diff.Warning, body, body, strings.Repeat("+ line <&>\n", 300))
	msg := Drift("app", []alert.Alert{a, b}, Open{Warning: 2}, Options{MaxLines: 1000, Environment: strings.Repeat("env", 100)})
	checkLimits(t, msg)
	text := msg.Blocks[2].(*goslack.SectionBlock).Text.Text
	require.Contains(t, text, "*Actual (not in the expected schema)*")
	require.Contains(t, text, "&lt;&amp;&gt;", "mrkdwn control characters are escaped")
	require.NotContains(t, text, "<&>")
	require.Contains(t, text, "…", "says where it cut")
	require.Contains(t, msg.Blocks[3].(*goslack.SectionBlock).Text.Text, "*Expected → actual*")
}

func TestEscaping(t *testing.T) {
	a := sample(1, "table", "public.<script>&`x`", diff.Unexpected, diff.Warning, "", "a ``` b <@U123> <!channel>", "")
	msg := Drift("app&<co>", []alert.Alert{a}, Open{Warning: 1}, Options{Environment: "<!here>", PublicURL: "https://drift.example.com/a|b>c"})
	checkLimits(t, msg)
	data, err := json.Marshal(msg)
	require.NoError(t, err)
	s := string(data)
	require.NotContains(t, s, "<!channel>", "a definition cannot ping the channel")
	require.NotContains(t, s, "<@U123>")
	require.NotContains(t, s, "b>c|", "a URL cannot close its link early")
	require.Contains(t, s, "public.\\u0026lt;script\\u0026gt;\\u0026amp;'x'")
	goldenJSON(t, "escaping", msg)
}

// TestFixShownForTheFirstFinding: the message's first finding carries the statements that
// revert it; the others' are one command away, and a resolved edit shows none.
func TestFixShownForTheFirstFinding(t *testing.T) {
	email := sample(42, "column", "public.users.email", diff.Changed, diff.Critical,
		"type: text", "type: character varying(10)", "- type: text\n+ type: character varying(10)")
	email.Fix = "-- hazard: rewrites the table under ACCESS EXCLUSIVE\nALTER TABLE public.users ALTER COLUMN email TYPE text;"
	idx := sample(43, "index", "public.tmp_report_idx", diff.Unexpected, diff.Warning, "",
		"CREATE INDEX tmp_report_idx ON public.orders USING btree (created_at)", "")
	idx.Fix = "DROP INDEX CONCURRENTLY IF EXISTS public.tmp_report_idx;"

	msg := Drift("app", []alert.Alert{idx, email}, Open{Critical: 1, Warning: 1}, opts)
	first := msg.Blocks[2].(*goslack.SectionBlock).Text.Text
	second := msg.Blocks[3].(*goslack.SectionBlock).Text.Text
	require.Contains(t, first, "public.users.email", "critical first")
	require.Contains(t, first, "*Fix (revert; drift never runs it)*\n```-- hazard: rewrites the table under ACCESS EXCLUSIVE\nALTER TABLE public.users ALTER COLUMN email TYPE text;```")
	require.NotContains(t, second, "DROP INDEX", "one finding's fix in the message, the rest on the status page")
	footer := msg.Blocks[len(msg.Blocks)-1].(*goslack.ContextBlock).ContextElements.Elements[0].(*goslack.TextBlockObject).Text
	require.Contains(t, footer, "every fix: `drift check --target app --fix revert`")

	email.Status, email.ResolvedAt = alert.Resolved, seen
	edit := Announced("app", []alert.Alert{email}, Open{}, opts)
	raw, err := json.Marshal(edit.Blocks)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "ALTER TABLE", "a resolved drift needs no fix")
}
