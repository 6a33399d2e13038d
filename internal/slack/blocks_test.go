package slack

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
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

func TestDriftMessageGolden(t *testing.T) {
	email := sample(42, "column", "public.users.email", diff.Changed, diff.Critical,
		"type: text\nnot_null: true", "type: character varying(10)\nnot_null: true",
		"- type: text\n+ type: character varying(10)\n  not_null: true")
	idx := sample(43, "index", "public.tmp_report_idx", diff.Unexpected, diff.Warning, "",
		"CREATE INDEX tmp_report_idx ON public.orders USING btree (created_at)", "")
	tbl := sample(44, "table", "public.audit_log", diff.Missing, diff.Critical, "persistence: permanent", "", "")
	comment := sample(45, "comment", "public.users", diff.Changed, diff.Info, "text: Registered users", "text: users", "")
	comment.NotifiedAt = seen
	comment.Pending = alert.NotifyChanged
	comment.PendingReason = "definition changed since last reported"

	goldenJSON(t, "drift_single", Drift("app", []alert.Alert{email}, Options{}))
	goldenJSON(t, "drift_mixed", Drift("app", []alert.Alert{comment, idx, email, tbl}, Options{}))
}

func TestCannotCheckGolden(t *testing.T) {
	a := alert.Alert{ID: 7, Target: "billing", Kind: alert.KindCheckError, Object: "billing", Change: alert.ChangeError,
		Severity: diff.Warning, Summary: "cannot check billing (2 consecutive failures): connecting: connection refused",
		Actual: "connecting to live database: dial unix /run/pg.sock: connect: connection refused", Status: alert.Open,
		FirstSeen: seen, LastSeen: seen}
	goldenJSON(t, "cannot_check", Drift("billing", []alert.Alert{a}, Options{}))
	a.Status, a.ResolvedAt, a.NotifiedAt = alert.Resolved, resolved, seen
	goldenJSON(t, "cannot_check_resolved", Resolved("billing", []alert.Alert{a}, Options{}))
}

func TestResolvedAndAnnouncedGolden(t *testing.T) {
	email := sample(42, "column", "public.users.email", diff.Changed, diff.Critical, "type: text", "type: varchar(10)", "")
	email.NotifiedAt = seen
	idx := sample(43, "index", "public.tmp_report_idx", diff.Unexpected, diff.Warning, "", "CREATE INDEX tmp_report_idx ON public.orders (created_at)", "")
	idx.Status, idx.ResolvedAt, idx.NotifiedAt = alert.Resolved, resolved, seen
	ghost := sample(46, "trigger", "public.users.audit", diff.Missing, diff.Critical, "CREATE TRIGGER audit ...", "", "")
	ghost.Status, ghost.ResolvedAt = alert.Resolved, resolved

	goldenJSON(t, "resolved", Resolved("app", []alert.Alert{idx, ghost}, Options{}))
	goldenJSON(t, "announced_partly_resolved", Announced("app", []alert.Alert{email, idx}, Options{}))
	email.Status, email.ResolvedAt = alert.Resolved, resolved
	goldenJSON(t, "announced_resolved", Announced("app", []alert.Alert{email, idx}, Options{}))
}

func TestManyFindingsAreTruncatedWithinLimits(t *testing.T) {
	var as []alert.Alert
	for i := range 120 {
		as = append(as, sample(int64(i+1), "column", fmt.Sprintf("public.t%03d.c", i), diff.Changed, diff.Warning,
			strings.Repeat("expected line\n", 40), strings.Repeat("actual line\n", 40), ""))
	}
	msg := Drift("app", as, Options{})
	checkLimits(t, msg)
	require.Len(t, msg.Blocks, 2+20+1+1, "header, counts, 20 findings, the rest counted, footer")
	more := msg.Blocks[22].(*goslack.SectionBlock).Text.Text
	require.Equal(t, "… and 100 more — run `drift check --target app`", more)

	msg = Drift("app", as, Options{MaxFindings: 500})
	checkLimits(t, msg)
	require.Len(t, msg.Blocks, MaxBlocks, "never more than 50 blocks, however many are asked for")
	require.Contains(t, msg.Blocks[len(msg.Blocks)-2].(*goslack.SectionBlock).Text.Text, "… and 74 more")

	res := Resolved("app", as, Options{})
	checkLimits(t, res)
	require.Contains(t, res.Blocks[len(res.Blocks)-2].(*goslack.SectionBlock).Text.Text, "… and 80 more")

	goldenJSON(t, "drift_truncated", Drift("app", as[:23], Options{MaxFindings: 2}))
}

func TestHugeDefinitionFitsOneSection(t *testing.T) {
	body := "CREATE FUNCTION public.f() RETURNS void AS $$\n" + strings.Repeat("  PERFORM pg_sleep(0); -- <&> ünïcödé\n", 400) + "$$"
	a := sample(1, "function", "public.f()", diff.Changed, diff.Warning, body, body+"\n-- changed", strings.Repeat("+ line <&>\n", 300))
	a.Summary = strings.Repeat("very long summary ", 400)
	msg := Drift("app", []alert.Alert{a}, Options{MaxLines: 1000})
	checkLimits(t, msg)
	text := msg.Blocks[2].(*goslack.SectionBlock).Text.Text
	require.Contains(t, text, "*Expected*")
	require.Contains(t, text, "*Actual*")
	require.Contains(t, text, "*Diff*")
	require.Contains(t, text, "&lt;&amp;&gt;", "mrkdwn control characters are escaped")
	require.NotContains(t, text, "<&>")
	require.Contains(t, text, "…", "says where it cut")
}

func TestEscaping(t *testing.T) {
	a := sample(1, "table", "public.<script>&`x`", diff.Unexpected, diff.Warning, "", "a ``` b <@U123> <!channel>", "")
	msg := Drift("app&<co>", []alert.Alert{a}, Options{})
	checkLimits(t, msg)
	data, err := json.Marshal(msg)
	require.NoError(t, err)
	s := string(data)
	require.NotContains(t, s, "<!channel>", "a definition cannot ping the channel")
	require.NotContains(t, s, "<@U123>")
	require.Contains(t, s, "public.\\u0026lt;script\\u0026gt;\\u0026amp;'x'")
	goldenJSON(t, "escaping", msg)
}
