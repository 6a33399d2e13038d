package diff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/snapshot"
)

// fixtureRules make a changed column critical, a missing index a warning and a comment info,
// as a SQL engine would.
type fixtureRules struct{ BaseRules }

func (fixtureRules) Severity(f Finding, _, _ *snapshot.Object) Severity {
	switch {
	case f.Kind == "column":
		return Critical
	case f.Kind == "comment":
		return Info
	}
	return Warning
}

// rulesFixture has one finding of each change: a changed column type (critical), a missing
// index (warning) and an unexpected comment (info).
func rulesFixture() (expected, actual *snapshot.Snapshot) {
	emailText := obj("column", "public.users.email", "public.users", "type", "text", "not_null", "true", "position", "2")
	expected = snap(emailText,
		obj("index", "public.tmp_report_idx", "public.users", "definition", "CREATE INDEX tmp_report_idx ON public.users USING btree (email)", "valid", "true"))
	actual = snap(withAttrs(emailText, "type", "varchar(200)"),
		obj("comment", "public.users", "public.users", "on_kind", "table", "text", "people"))
	return expected, actual
}

func TestSeverityOverrides(t *testing.T) {
	tests := []struct {
		name  string
		rules []SeverityRule
		want  map[string]Severity // object -> severity
	}{
		{
			name: "defaults",
			want: map[string]Severity{"public.users.email": Critical, "public.tmp_report_idx": Warning, "public.users": Info},
		},
		{
			name:  "by kind",
			rules: []SeverityRule{{Kind: "index", Severity: Critical}},
			want:  map[string]Severity{"public.users.email": Critical, "public.tmp_report_idx": Critical, "public.users": Info},
		},
		{
			name:  "by object glob, star crosses dots",
			rules: []SeverityRule{{Object: "public.*", Severity: Info}},
			want:  map[string]Severity{"public.users.email": Info, "public.tmp_report_idx": Info, "public.users": Info},
		},
		{
			name:  "by change",
			rules: []SeverityRule{{Change: Unexpected, Severity: Critical}, {Change: Changed, Severity: Warning}},
			want:  map[string]Severity{"public.users.email": Warning, "public.tmp_report_idx": Warning, "public.users": Critical},
		},
		{
			name: "first match wins",
			rules: []SeverityRule{
				{Kind: "column", Object: "public.users.*", Severity: Info},
				{Kind: "column", Severity: Warning},
			},
			want: map[string]Severity{"public.users.email": Info, "public.tmp_report_idx": Warning, "public.users": Info},
		},
		{
			name:  "no match leaves the default",
			rules: []SeverityRule{{Kind: "column", Object: "billing.*", Severity: Info}, {Kind: "column", Change: Missing, Severity: Info}},
			want:  map[string]Severity{"public.users.email": Critical, "public.tmp_report_idx": Warning, "public.users": Info},
		},
		{
			name:  "malformed glob matches nothing",
			rules: []SeverityRule{{Object: "public.[", Severity: Info}},
			want:  map[string]Severity{"public.users.email": Critical, "public.tmp_report_idx": Warning, "public.users": Info},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, a := rulesFixture()
			got := map[string]Severity{}
			for _, f := range Compare(e, a, Options{Rules: fixtureRules{}, Severities: tt.rules}) {
				got[f.Object] = f.Severity
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestIgnoreRules(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	tmpIdx := IgnoreRule{Kind: "index", Object: "public.tmp_*", Reason: "ad-hoc reporting indexes"}
	tests := []struct {
		name      string
		rules     []IgnoreRule
		wantObjs  []string
		wantStale []IgnoreRule
	}{
		{
			name:     "no rules",
			wantObjs: []string{"public.users", "public.users.email", "public.tmp_report_idx"},
		},
		{
			name:     "rule without expiry",
			rules:    []IgnoreRule{tmpIdx},
			wantObjs: []string{"public.users", "public.users.email"},
		},
		{
			name:     "rule not yet expired",
			rules:    []IgnoreRule{withExpiry(tmpIdx, now.Add(time.Hour))},
			wantObjs: []string{"public.users", "public.users.email"},
		},
		{
			name:      "expired rule does not apply and is stale",
			rules:     []IgnoreRule{withExpiry(tmpIdx, now.Add(-time.Hour))},
			wantObjs:  []string{"public.users", "public.users.email", "public.tmp_report_idx"},
			wantStale: []IgnoreRule{withExpiry(tmpIdx, now.Add(-time.Hour))},
		},
		{
			name:     "kind must match",
			rules:    []IgnoreRule{{Kind: "column", Object: "public.tmp_*", Reason: "x"}},
			wantObjs: []string{"public.users", "public.users.email", "public.tmp_report_idx"},
		},
		{
			name:     "empty kind matches every kind",
			rules:    []IgnoreRule{{Object: "public.users*", Reason: "x"}},
			wantObjs: []string{"public.tmp_report_idx"},
		},
		{
			name:     "ignore wins over a severity rule",
			rules:    []IgnoreRule{{Kind: "comment", Reason: "docs are not schema"}},
			wantObjs: []string{"public.users.email", "public.tmp_report_idx"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, a := rulesFixture()
			opts := Options{Rules: fixtureRules{}, Ignore: tt.rules, Now: now, Severities: []SeverityRule{{Kind: "comment", Severity: Critical}}}
			fs, stale := CompareWithStale(e, a, opts)
			var objs []string
			for _, f := range fs {
				objs = append(objs, f.Object)
			}
			require.ElementsMatch(t, tt.wantObjs, objs)
			require.Equal(t, tt.wantStale, stale)
			require.Equal(t, tt.wantStale, StaleIgnores(tt.rules, now))
		})
	}
}

func withExpiry(r IgnoreRule, t time.Time) IgnoreRule {
	r.Expires = t
	return r
}

func TestIgnoreRuleExpiryUsesNowByDefault(t *testing.T) {
	e, a := rulesFixture()
	rule := IgnoreRule{Kind: "index", Object: "public.tmp_*", Reason: "x", Expires: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}
	fs, stale := CompareWithStale(e, a, Options{Rules: fixtureRules{}, Ignore: []IgnoreRule{rule}})
	require.Len(t, fs, 3, "a rule that expired in 2001 no longer applies")
	require.Equal(t, []IgnoreRule{rule}, stale)
}

func TestApplyRulesOnOtherFindings(t *testing.T) {
	in := []Finding{
		{Kind: "migration", Object: "7", Change: Changed, Severity: Critical, Summary: "migration 7 is dirty"},
		{Kind: "neo4j_index", Object: "person_name", Change: Missing, Severity: Warning, Summary: "x", Fingerprint: "given"},
		{Kind: "migration", Object: "3", Change: Changed, Severity: Warning, Summary: "migration 3 file changed since applied"},
	}
	opts := Options{
		Target:     "graph",
		Severities: []SeverityRule{{Kind: "migration", Object: "7", Severity: Info}},
		Ignore:     []IgnoreRule{{Kind: "migration", Object: "3", Reason: "rewritten on purpose"}},
	}
	got := ApplyRules(in, opts)
	require.Equal(t, []brief{
		{"migration", "7", Changed, Info, "migration 7 is dirty", nil, nil},
		{"neo4j_index", "person_name", Missing, Warning, "x", nil, nil},
	}, briefs(got))
	require.Equal(t, Fingerprint("graph", "migration", "7", Changed), got[0].Fingerprint)
	require.Equal(t, "given", got[1].Fingerprint, "an existing fingerprint is kept")
	require.Equal(t, Critical, in[0].Severity, "the input is not modified")
	require.Empty(t, in[0].Fingerprint)
	require.NotNil(t, ApplyRules(nil, opts), "no findings is an empty list, not null")
}

func TestValidateGlob(t *testing.T) {
	require.NoError(t, ValidateGlob("public.tmp_*"))
	require.NoError(t, ValidateGlob(`public.f(integer\[\])`))
	require.Error(t, ValidateGlob("public.f(integer[])x["))
	require.Error(t, ValidateGlob("public.["))
}

func TestIgnoreRuleString(t *testing.T) {
	r := IgnoreRule{Kind: "index", Object: "public.tmp_*", Reason: "ad-hoc reporting indexes", Expires: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}
	require.Equal(t, `index "public.tmp_*" expired 2027-03-01 (ad-hoc reporting indexes)`, r.String())
	require.Equal(t, `any kind "*"`, IgnoreRule{}.String())
}
