package alert

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
)

var (
	t0  = time.Date(2026, 1, 10, 6, 0, 0, 0, time.UTC)
	now = t0.Add(6 * time.Hour)
)

// finding builds a finding of target "app" with a real fingerprint.
func finding(object string, sev diff.Severity, expected, actual string) diff.Finding {
	return diff.Finding{
		Kind: "column", Object: object, Change: diff.Changed, Severity: sev,
		Summary: object + " changed", Expected: expected, Actual: actual,
		Fingerprint: diff.Fingerprint("app", "column", object, diff.Changed),
	}
}

// stored builds the stored alert that an earlier run made from f.
func stored(f diff.Finding, status Status) Alert {
	a := Alert{
		ID: 7, Target: "app", Fingerprint: f.Fingerprint, Kind: f.Kind, Object: f.Object,
		Change: f.Change, Severity: f.Severity, Summary: f.Summary, Expected: f.Expected,
		Actual: f.Actual, Status: status, FirstSeen: t0, LastSeen: t0, Pending: NotifyNone,
		NotifiedAt: t0, SlackChannel: "C1", SlackTS: "111.222",
	}
	if status == Resolved {
		a.ResolvedAt = t0
	}
	return a
}

func with(a Alert, fn func(*Alert)) Alert { fn(&a); return a }

func TestDecide(t *testing.T) {
	email := finding("public.users.email", diff.Critical, "type: text", "type: varchar(10)")
	emailChanged := finding("public.users.email", diff.Critical, "type: text", "type: varchar(20)")
	emailReworded := with(stored(email, Open), func(a *Alert) { a.Summary = "old words" })
	name := finding("public.users.name", diff.Warning, "default: ''", "")
	errFP := CheckErrorFingerprint("app")
	errAlert := Alert{ID: 9, Target: "app", Fingerprint: errFP, Kind: KindCheckError, Object: "app",
		Change: ChangeError, Severity: diff.Warning, Status: Open, FirstSeen: t0, LastSeen: t0,
		Actual: "connection refused", Pending: NotifyNone}

	type want struct {
		op      Op
		code    Reason
		fp      string
		notify  Notification
		status  Status
		pending Notification
		reason  string // substring
		check   func(t *testing.T, a Alert)
	}
	cases := []struct {
		name     string
		stored   []Alert
		obs      Observation
		opts     Options
		want     []want
		noAction bool
	}{
		{
			name: "new drift opens and notifies",
			obs:  Observation{Target: "app", Findings: []diff.Finding{email}},
			want: []want{{op: OpOpen, code: ReasonNew, fp: email.Fingerprint, notify: NotifyOpened, status: Open, pending: NotifyOpened, reason: "new drift",
				check: func(t *testing.T, a Alert) {
					require.Equal(t, now, a.FirstSeen)
					require.Equal(t, now, a.LastSeen)
					require.Zero(t, a.ID)
					require.Equal(t, "type: varchar(10)", a.Actual)
					require.Equal(t, "app", a.Target)
				}}},
		},
		{
			name:   "same drift next run touches last seen without a message",
			stored: []Alert{stored(email, Open)},
			obs:    Observation{Target: "app", Findings: []diff.Finding{email}},
			want: []want{{op: OpTouch, code: ReasonStillPresent, fp: email.Fingerprint, notify: NotifyNone, status: Open, pending: NotifyNone, reason: "unchanged",
				check: func(t *testing.T, a Alert) {
					require.Equal(t, t0, a.FirstSeen)
					require.Equal(t, now, a.LastSeen)
					require.Equal(t, int64(7), a.ID)
					require.Equal(t, "111.222", a.SlackTS, "the message reference is kept")
				}}},
		},
		{
			name:   "changed actual definition updates and notifies",
			stored: []Alert{stored(email, Open)},
			obs:    Observation{Target: "app", Findings: []diff.Finding{emailChanged}},
			want: []want{{op: OpUpdate, code: ReasonChanged, fp: email.Fingerprint, notify: NotifyChanged, status: Open, pending: NotifyChanged, reason: "definition changed",
				check: func(t *testing.T, a Alert) { require.Equal(t, "type: varchar(20)", a.Actual) }}},
		},
		{
			name:   "changed expected definition updates and notifies",
			stored: []Alert{stored(email, Open)},
			obs:    Observation{Target: "app", Findings: []diff.Finding{finding("public.users.email", diff.Critical, "type: citext", "type: varchar(10)")}},
			want:   []want{{op: OpUpdate, code: ReasonChanged, fp: email.Fingerprint, notify: NotifyChanged, status: Open, pending: NotifyChanged}},
		},
		{
			name:   "reworded summary is stored silently",
			stored: []Alert{emailReworded},
			obs:    Observation{Target: "app", Findings: []diff.Finding{email}},
			want: []want{{op: OpTouch, code: ReasonStillPresent, fp: email.Fingerprint, notify: NotifyNone, status: Open, pending: NotifyNone,
				check: func(t *testing.T, a Alert) { require.Equal(t, email.Summary, a.Summary) }}},
		},
		{
			name:   "raised severity notifies",
			stored: []Alert{with(stored(email, Open), func(a *Alert) { a.Severity = diff.Warning })},
			obs:    Observation{Target: "app", Findings: []diff.Finding{email}},
			want:   []want{{op: OpUpdate, code: ReasonSeverityRaised, fp: email.Fingerprint, notify: NotifyChanged, status: Open, pending: NotifyChanged, reason: "severity raised from warning to critical"}},
		},
		{
			name:   "lowered severity is stored silently",
			stored: []Alert{with(stored(email, Open), func(a *Alert) { a.Severity = diff.Critical })},
			obs:    Observation{Target: "app", Findings: []diff.Finding{finding("public.users.email", diff.Info, email.Expected, email.Actual)}},
			want: []want{{op: OpTouch, code: ReasonStillPresent, fp: email.Fingerprint, notify: NotifyNone, status: Open, pending: NotifyNone,
				check: func(t *testing.T, a Alert) { require.Equal(t, diff.Info, a.Severity) }}},
		},
		{
			name: "a change before the opening message was sent keeps the opening message and its reason",
			stored: []Alert{with(stored(email, Open), func(a *Alert) {
				a.Pending, a.PendingReason, a.NotifiedAt, a.SlackTS = NotifyOpened, "new drift", time.Time{}, ""
			})},
			obs: Observation{Target: "app", Findings: []diff.Finding{emailChanged}},
			want: []want{{op: OpUpdate, code: ReasonChanged, fp: email.Fingerprint, notify: NotifyChanged, status: Open, pending: NotifyOpened,
				check: func(t *testing.T, a Alert) { require.Equal(t, "new drift", a.PendingReason) }}},
		},
		{
			name:   "an unchanged run keeps a message still waiting",
			stored: []Alert{with(stored(email, Open), func(a *Alert) { a.Pending = NotifyChanged })},
			obs:    Observation{Target: "app", Findings: []diff.Finding{email}},
			want:   []want{{op: OpTouch, code: ReasonStillPresent, fp: email.Fingerprint, notify: NotifyNone, status: Open, pending: NotifyChanged}},
		},
		{
			name:   "drift gone resolves and notifies",
			stored: []Alert{stored(email, Open)},
			obs:    Observation{Target: "app"},
			want: []want{{op: OpResolve, code: ReasonGone, fp: email.Fingerprint, notify: NotifyResolved, status: Resolved, pending: NotifyResolved, reason: "no longer present",
				check: func(t *testing.T, a Alert) {
					require.Equal(t, now, a.ResolvedAt)
					require.Equal(t, t0, a.LastSeen, "last seen stays when it was last seen")
				}}},
		},
		{
			name:   "drift gone before its opening message was sent still gets a resolution message",
			stored: []Alert{with(stored(email, Open), func(a *Alert) { a.Pending = NotifyOpened })},
			obs:    Observation{Target: "app"},
			want:   []want{{op: OpResolve, code: ReasonGone, fp: email.Fingerprint, notify: NotifyResolved, status: Resolved, pending: NotifyResolved}},
		},
		{
			name:     "resolved and still gone: nothing to do",
			stored:   []Alert{stored(email, Resolved)},
			obs:      Observation{Target: "app"},
			noAction: true,
		},
		{
			name:   "acknowledged drift gone resolves and notifies",
			stored: []Alert{with(stored(email, Acknowledged), func(a *Alert) { a.AckBy = "alice" })},
			obs:    Observation{Target: "app"},
			want:   []want{{op: OpResolve, code: ReasonGone, fp: email.Fingerprint, notify: NotifyResolved, status: Resolved, pending: NotifyResolved, reason: "acknowledged by alice"}},
		},
		{
			name: "acknowledged until a later date: silent",
			stored: []Alert{with(stored(email, Acknowledged), func(a *Alert) {
				a.AckBy, a.AckUntil = "alice", now.Add(time.Hour)
			})},
			obs:  Observation{Target: "app", Findings: []diff.Finding{email}},
			want: []want{{op: OpTouch, code: ReasonAcknowledged, fp: email.Fingerprint, notify: NotifyNone, status: Acknowledged, pending: NotifyNone, reason: "acknowledged by alice until 2026-01-10T13:00:00Z"}},
		},
		{
			name: "acknowledged and changed: silent, text refreshed",
			stored: []Alert{with(stored(email, Acknowledged), func(a *Alert) {
				a.AckBy, a.AckUntil = "alice", now.Add(time.Hour)
			})},
			obs: Observation{Target: "app", Findings: []diff.Finding{emailChanged}},
			want: []want{{op: OpTouch, code: ReasonAcknowledged, fp: email.Fingerprint, notify: NotifyNone, status: Acknowledged, pending: NotifyNone,
				check: func(t *testing.T, a Alert) { require.Equal(t, emailChanged.Actual, a.Actual) }}},
		},
		{
			name:   "acknowledged without a date: silent until resolved",
			stored: []Alert{with(stored(email, Acknowledged), func(a *Alert) { a.AckBy = "bob" })},
			obs:    Observation{Target: "app", Findings: []diff.Finding{emailChanged}},
			want:   []want{{op: OpTouch, code: ReasonAcknowledged, fp: email.Fingerprint, notify: NotifyNone, status: Acknowledged, pending: NotifyNone, reason: "until resolved"}},
		},
		{
			name: "acknowledgement expired: live again and announced",
			stored: []Alert{with(stored(email, Acknowledged), func(a *Alert) {
				a.AckBy, a.AckUntil = "alice", now.Add(-time.Minute)
			})},
			obs: Observation{Target: "app", Findings: []diff.Finding{email}},
			want: []want{{op: OpUnsilence, code: ReasonAckExpired, fp: email.Fingerprint, notify: NotifyOpened, status: Open, pending: NotifyOpened, reason: "acknowledgement by alice expired",
				check: func(t *testing.T, a Alert) { require.Equal(t, t0, a.FirstSeen) }}},
		},
		{
			name: "acknowledgement expiring exactly now counts as expired",
			stored: []Alert{with(stored(email, Acknowledged), func(a *Alert) {
				a.AckBy, a.AckUntil = "alice", now
			})},
			obs:  Observation{Target: "app", Findings: []diff.Finding{email}},
			want: []want{{op: OpUnsilence, code: ReasonAckExpired, fp: email.Fingerprint, notify: NotifyOpened, status: Open, pending: NotifyOpened}},
		},
		{
			name: "resolved drift back: reopened as a new occurrence and announced",
			stored: []Alert{with(stored(email, Resolved), func(a *Alert) {
				a.AckBy, a.AckUntil = "alice", now.Add(time.Hour)
			})},
			obs: Observation{Target: "app", Findings: []diff.Finding{email}},
			want: []want{{op: OpReopen, code: ReasonReturned, fp: email.Fingerprint, notify: NotifyOpened, status: Open, pending: NotifyOpened, reason: "back",
				check: func(t *testing.T, a Alert) {
					require.Equal(t, now, a.FirstSeen)
					require.Zero(t, a.ResolvedAt)
					require.Empty(t, a.SlackTS, "a new message announces the new occurrence")
					require.Empty(t, a.AckBy, "an old acknowledgement does not silence a new occurrence")
					require.Equal(t, int64(7), a.ID)
				}}},
		},
		{
			name:   "drift back before its resolution was announced: carries on silently",
			stored: []Alert{with(stored(email, Resolved), func(a *Alert) { a.Pending = NotifyResolved })},
			obs:    Observation{Target: "app", Findings: []diff.Finding{email}},
			want: []want{{op: OpReopen, code: ReasonReturnedUnannounced, fp: email.Fingerprint, notify: NotifyNone, status: Open, pending: NotifyNone,
				check: func(t *testing.T, a Alert) {
					require.Equal(t, t0, a.FirstSeen)
					require.Equal(t, "111.222", a.SlackTS)
				}}},
		},
		{
			name:   "drift back changed before its resolution was announced: announced as a change",
			stored: []Alert{with(stored(email, Resolved), func(a *Alert) { a.Pending = NotifyResolved })},
			obs:    Observation{Target: "app", Findings: []diff.Finding{emailChanged}},
			want:   []want{{op: OpReopen, code: ReasonChanged, fp: email.Fingerprint, notify: NotifyChanged, status: Open, pending: NotifyChanged}},
		},
		{
			name: "duplicate findings give one action",
			obs:  Observation{Target: "app", Findings: []diff.Finding{email, email}},
			want: []want{{op: OpOpen, code: ReasonNew, fp: email.Fingerprint, notify: NotifyOpened, status: Open, pending: NotifyOpened}},
		},
		{
			name:     "one failed check: a run error, no alert, drift alerts untouched",
			stored:   []Alert{stored(email, Open)},
			obs:      Observation{Target: "app", CheckError: "connection refused", Failures: 1},
			noAction: true,
		},
		{
			name:   "failures reach the threshold: one cannot-check alert",
			stored: []Alert{stored(email, Open)},
			obs:    Observation{Target: "app", CheckError: "connection refused\nmore detail", Failures: 2},
			want: []want{{op: OpOpen, code: ReasonCheckFailing, fp: errFP, notify: NotifyOpened, status: Open, pending: NotifyOpened, reason: "2 consecutive checks failed",
				check: func(t *testing.T, a Alert) {
					require.Equal(t, KindCheckError, a.Kind)
					require.Equal(t, "app", a.Object)
					require.Equal(t, ChangeError, a.Change)
					require.Equal(t, diff.Warning, a.Severity)
					require.Equal(t, "connection refused\nmore detail", a.Actual)
					require.Contains(t, a.Summary, "cannot check app (2 consecutive failures): connection refused")
					require.NotContains(t, a.Summary, "more detail")
				}}},
		},
		{
			name:     "a custom threshold is honoured",
			obs:      Observation{Target: "app", CheckError: "timeout", Failures: 2},
			opts:     Options{FailureThreshold: 3},
			noAction: true,
		},
		{
			name: "a threshold of one: the first failure raises the alert",
			obs:  Observation{Target: "app", CheckError: "timeout", Failures: 1},
			opts: Options{FailureThreshold: 1},
			want: []want{{op: OpOpen, code: ReasonCheckFailing, fp: errFP, notify: NotifyOpened, status: Open, pending: NotifyOpened, reason: "1 consecutive checks failed (threshold 1)"}},
		},
		{
			name: "a custom threshold is reached",
			obs:  Observation{Target: "app", CheckError: "timeout", Failures: 3},
			opts: Options{FailureThreshold: 3},
			want: []want{{op: OpOpen, code: ReasonCheckFailing, fp: errFP, notify: NotifyOpened, status: Open, pending: NotifyOpened}},
		},
		{
			name:   "still failing: the cannot-check alert is touched silently",
			stored: []Alert{errAlert},
			obs:    Observation{Target: "app", CheckError: "timeout after 5m", Failures: 5},
			want: []want{{op: OpTouch, code: ReasonStillFailing, fp: errFP, notify: NotifyNone, status: Open, pending: NotifyNone, reason: "still cannot be checked",
				check: func(t *testing.T, a Alert) { require.Equal(t, "timeout after 5m", a.Actual) }}},
		},
		{
			name:   "still failing and acknowledged: silent",
			stored: []Alert{with(errAlert, func(a *Alert) { a.Status, a.AckBy = Acknowledged, "ops" })},
			obs:    Observation{Target: "app", CheckError: "timeout", Failures: 5},
			want:   []want{{op: OpTouch, code: ReasonAcknowledged, fp: errFP, notify: NotifyNone, status: Acknowledged, pending: NotifyNone, reason: "acknowledged by ops"}},
		},
		{
			name:   "failing again after an earlier cannot-check alert was resolved: reopened",
			stored: []Alert{with(errAlert, func(a *Alert) { a.Status, a.ResolvedAt = Resolved, t0 })},
			obs:    Observation{Target: "app", CheckError: "timeout", Failures: 2},
			want:   []want{{op: OpReopen, code: ReasonCheckFailing, fp: errFP, notify: NotifyOpened, status: Open, pending: NotifyOpened}},
		},
		{
			name:     "failing below the threshold after an earlier alert was resolved: nothing",
			stored:   []Alert{with(errAlert, func(a *Alert) { a.Status, a.ResolvedAt = Resolved, t0 })},
			obs:      Observation{Target: "app", CheckError: "timeout", Failures: 1},
			noAction: true,
		},
		{
			name:   "a successful check resolves the cannot-check alert and handles findings",
			stored: []Alert{errAlert, stored(email, Open)},
			obs:    Observation{Target: "app", Findings: []diff.Finding{email, name}},
			want: []want{
				{op: OpResolve, code: ReasonCheckRecovered, fp: errFP, notify: NotifyResolved, status: Resolved, pending: NotifyResolved, reason: "can be checked again"},
				{op: OpTouch, code: ReasonStillPresent, fp: email.Fingerprint, notify: NotifyNone, status: Open, pending: NotifyNone},
				{op: OpOpen, code: ReasonNew, fp: name.Fingerprint, notify: NotifyOpened, status: Open, pending: NotifyOpened},
			},
		},
		{
			name:     "a successful check with a resolved cannot-check alert: nothing",
			stored:   []Alert{with(errAlert, func(a *Alert) { a.Status, a.ResolvedAt = Resolved, t0 })},
			obs:      Observation{Target: "app"},
			noAction: true,
		},
		{
			name:   "mixed: one new, one gone, one unchanged",
			stored: []Alert{stored(email, Open), stored(finding("public.t.c", diff.Info, "a", "b"), Open)},
			obs:    Observation{Target: "app", Findings: []diff.Finding{email, name}},
			want: []want{
				{op: OpResolve, code: ReasonGone, fp: finding("public.t.c", diff.Info, "a", "b").Fingerprint, notify: NotifyResolved, status: Resolved, pending: NotifyResolved},
				{op: OpTouch, code: ReasonStillPresent, fp: email.Fingerprint, notify: NotifyNone, status: Open, pending: NotifyNone},
				{op: OpOpen, code: ReasonNew, fp: name.Fingerprint, notify: NotifyOpened, status: Open, pending: NotifyOpened},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			if opts.FailureThreshold == 0 {
				opts.FailureThreshold = 2 // the configured default
			}
			got := Decide(c.stored, c.obs, now, opts)
			if c.noAction {
				require.Empty(t, got)
				return
			}
			require.Len(t, got, len(c.want))
			// Decide sorts by fingerprint; sort the expectations the same way.
			want := append([]want(nil), c.want...)
			sort.SliceStable(want, func(i, j int) bool { return want[i].fp < want[j].fp })
			for i, w := range want {
				g := got[i]
				require.Equal(t, w.fp, g.Alert.Fingerprint, "action %d", i)
				require.Equal(t, w.op, g.Op, "action %d op", i)
				require.Equal(t, w.notify, g.Notify, "action %d notify", i)
				require.Equal(t, w.status, g.Alert.Status, "action %d status", i)
				require.Equal(t, w.pending, g.Alert.Pending, "action %d pending", i)
				require.Equal(t, w.code, g.Reason, "action %d reason", i)
				require.NotEmpty(t, g.Text())
				require.Contains(t, g.Text(), w.reason)
				if w.check != nil {
					w.check(t, g.Alert)
				}
			}
		})
	}
}

func TestDecideIsDeterministic(t *testing.T) {
	var fs []diff.Finding
	for _, o := range []string{"public.z", "public.a", "public.m", "public.b"} {
		fs = append(fs, finding(o, diff.Warning, "x", "y"))
	}
	first := Decide(nil, Observation{Target: "app", Findings: fs}, now, Options{})
	for range 20 {
		require.Equal(t, first, Decide(nil, Observation{Target: "app", Findings: fs}, now, Options{}))
	}
	require.Equal(t, ReasonNew, first[0].Reason)
	require.True(t, sort.SliceIsSorted(first, func(i, j int) bool { return first[i].Alert.Fingerprint < first[j].Alert.Fingerprint }))
}

func TestMergePending(t *testing.T) {
	cases := []struct{ old, next, want Notification }{
		{NotifyNone, NotifyNone, NotifyNone},
		{"", NotifyNone, NotifyNone},
		{NotifyNone, NotifyOpened, NotifyOpened},
		{NotifyNone, NotifyChanged, NotifyChanged},
		{NotifyNone, NotifyResolved, NotifyResolved},
		{NotifyOpened, NotifyNone, NotifyOpened},
		{NotifyOpened, NotifyChanged, NotifyOpened},
		{NotifyOpened, NotifyResolved, NotifyResolved},
		{NotifyChanged, NotifyChanged, NotifyChanged},
		{NotifyChanged, NotifyOpened, NotifyOpened},
		{NotifyChanged, NotifyResolved, NotifyResolved},
		{NotifyResolved, NotifyOpened, NotifyOpened},
		{NotifyResolved, NotifyNone, NotifyResolved},
	}
	for _, c := range cases {
		require.Equal(t, c.want, MergePending(c.old, c.next), "%s + %s", c.old, c.next)
	}
}

func TestEveryReasonHasText(t *testing.T) {
	for _, r := range []Reason{ReasonNew, ReasonReturned, ReasonReturnedUnannounced, ReasonStillPresent,
		ReasonChanged, ReasonSeverityRaised, ReasonAcknowledged, ReasonAckExpired, ReasonGone,
		ReasonIgnored, ReasonCheckFailing, ReasonStillFailing, ReasonCheckRecovered} {
		require.NotEqual(t, string(r), r.Text(), "%s has words for people", r)
		require.Equal(t, string(r), r.String())
	}
	require.Equal(t, "severity raised from info to critical",
		Action{Reason: ReasonSeverityRaised, Detail: "severity raised from info to critical"}.Text(), "a detail wins")
	require.Equal(t, "drift no longer present", Action{Reason: ReasonGone}.Text())
}

func TestSilenced(t *testing.T) {
	a := Alert{Status: Acknowledged}
	require.True(t, a.Silenced(now), "no date: silenced until resolved")
	a.AckUntil = now.Add(time.Second)
	require.True(t, a.Silenced(now))
	a.AckUntil = now
	require.False(t, a.Silenced(now))
	a.Status = Open
	a.AckUntil = time.Time{}
	require.False(t, a.Silenced(now))
}

// TestIgnoredDriftIsClosedQuietly: a rule added while an alert is open silences it; the drift is
// still there, so announcing it as resolved would be false, and a message still waiting is dropped.
func TestIgnoredDriftIsClosedQuietly(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	email := finding("public.users.email", diff.Critical, "text", "varchar")
	gone := finding("public.users.nick", diff.Warning, "text", "")
	waiting := with(stored(email, Open), func(a *Alert) { a.Pending = NotifyOpened; a.PendingReason = "new drift" })
	acts := Decide([]Alert{waiting, stored(gone, Open)}, Observation{Target: "app", Ignored: []string{email.Fingerprint}}, now, Options{})
	require.Len(t, acts, 2)
	byFP := map[string]Action{}
	for _, a := range acts {
		byFP[a.Alert.Fingerprint] = a
	}
	quiet := byFP[email.Fingerprint]
	require.Equal(t, OpResolve, quiet.Op)
	require.Equal(t, NotifyNone, quiet.Notify)
	require.Equal(t, NotifyNone, quiet.Alert.Pending, "the unsent 'opened' message is dropped")
	require.Equal(t, ReasonIgnored, quiet.Reason)
	require.Equal(t, "ignored by config", quiet.Text())
	require.Equal(t, Resolved, quiet.Alert.Status)
	really := byFP[gone.Fingerprint]
	require.Equal(t, OpResolve, really.Op)
	require.Equal(t, NotifyResolved, really.Notify, "a drift that is really gone is still announced")
}
