package alert

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/drift-schema/drift/internal/diff"
)

// Op is what happens to one stored alert.
type Op string

// Operations, in the order a reader would expect them in a log.
const (
	// OpOpen inserts a new alert.
	OpOpen Op = "open"
	// OpReopen makes a resolved alert open again: the drift is back.
	OpReopen Op = "reopen"
	// OpUpdate stores a changed definition or a raised severity, and says so.
	OpUpdate Op = "update"
	// OpUnsilence makes an acknowledged alert open again: its acknowledgement expired and the
	// drift is still there.
	OpUnsilence Op = "unsilence"
	// OpTouch records that the drift is still present (last seen, silently refreshed text).
	OpTouch Op = "touch"
	// OpResolve marks the drift gone.
	OpResolve Op = "resolve"
)

// Action is the decision about one alert: the state to store, the message it asks for, and why.
type Action struct {
	Op Op
	// Alert is the alert as it must be stored after the action. Its ID is the stored alert's
	// (zero for OpOpen). Its Pending already merges any message still waiting.
	Alert Alert
	// Notify is the message this action itself calls for; NotifyNone when it is silent.
	Notify Notification
	// Reason is why, as a code.
	Reason Reason
	// Detail says why in more specific words than Reason.Text() (who acknowledged, until when,
	// from which severity); empty when the reason's text says it all.
	Detail string
}

// Text says why, in words fit for a log line or a Slack message.
func (a Action) Text() string {
	if a.Detail != "" {
		return a.Detail
	}
	return a.Reason.Text()
}

// Observation is what one check of a target found.
type Observation struct {
	Target string
	// Findings are the findings of a successful check (ignored findings already removed).
	Findings []diff.Finding
	// Ignored are the fingerprints of drift still present but silenced by an ignore rule: a live
	// alert among them is closed without a message.
	Ignored []string
	// CheckError is non-empty when the target could not be checked: a run error, not drift.
	// Findings are then unknown, and the stored drift alerts are left as they are.
	CheckError string
	// Failures is the number of consecutive failed checks, this one included (0 on success).
	Failures int
}

// Options tune Decide. They have no defaults of their own: the daemon passes the configured
// values (internal/config holds the defaults).
type Options struct {
	// FailureThreshold is how many consecutive failed checks raise a "cannot check" alert;
	// values below 1 count as 1.
	FailureThreshold int
}

// Decide returns what to do with a target's alerts after a check: stored are the target's
// alerts (any status), obs what the check found. The result is sorted by fingerprint. Decide is
// pure: the same input always gives the same actions.
//
// The rules, per fingerprint:
//   - found, not stored: open it and announce it;
//   - found, open, same expected/actual: touch it (last seen), no message;
//   - found, open, expected/actual changed or severity raised: update it and announce the change;
//   - found, acknowledged and not expired: touch it silently, whatever changed;
//   - found, acknowledged and expired: open again and announce it;
//   - found, resolved: reopen and announce it, unless the resolution was never announced, in
//     which case the alert simply goes on as if it had never been resolved;
//   - not found, open or acknowledged: resolve it and announce the resolution — unless it is
//     still there but ignored by config, which closes it without a message;
//   - a failed check leaves drift alerts alone; at the threshold of consecutive failures it
//     opens one "cannot check" alert, which the next successful check resolves.
func Decide(stored []Alert, obs Observation, now time.Time, opts Options) []Action {
	threshold := max(opts.FailureThreshold, 1)
	byFP := make(map[string]Alert, len(stored))
	for _, a := range stored {
		byFP[a.Fingerprint] = a
	}
	var out []Action
	add := func(act *Action) {
		if act != nil {
			out = append(out, *act)
		}
	}

	errFP := CheckErrorFingerprint(obs.Target)
	errAlert, hasErrAlert := byFP[errFP]
	delete(byFP, errFP)

	if obs.CheckError != "" {
		f := checkErrorFinding(obs.Target, obs.CheckError, obs.Failures)
		switch {
		case hasErrAlert && errAlert.Live():
			add(present(errAlert, f, now, ReasonStillFailing))
		case obs.Failures >= threshold:
			detail := fmt.Sprintf("%d consecutive checks failed (threshold %d)", obs.Failures, threshold)
			if hasErrAlert {
				add(reopen(errAlert, f, now, ReasonCheckFailing, detail))
			} else {
				add(open(obs.Target, f, now, ReasonCheckFailing, detail))
			}
		}
		sortActions(out)
		return out
	}

	if hasErrAlert && errAlert.Live() {
		add(resolve(errAlert, now, ReasonCheckRecovered, ""))
	}
	seen := make(map[string]bool, len(obs.Findings))
	for _, f := range obs.Findings {
		if seen[f.Fingerprint] || f.Fingerprint == errFP {
			continue
		}
		seen[f.Fingerprint] = true
		a, ok := byFP[f.Fingerprint]
		switch {
		case !ok:
			add(open(obs.Target, f, now, ReasonNew, ""))
		case a.Status == Resolved:
			add(reopen(a, f, now, ReasonReturned, ""))
		default:
			add(present(a, f, now, ""))
		}
	}
	ignored := make(map[string]bool, len(obs.Ignored))
	for _, fp := range obs.Ignored {
		ignored[fp] = true
	}
	for _, a := range stored {
		if a.Fingerprint == errFP || seen[a.Fingerprint] || !a.Live() {
			continue
		}
		if ignored[a.Fingerprint] {
			add(silence(a, now))
			continue
		}
		detail := ""
		if a.Status == Acknowledged {
			detail = ReasonGone.Text() + " (it was acknowledged by " + orSomeone(a.AckBy) + ")"
		}
		add(resolve(a, now, ReasonGone, detail))
	}
	sortActions(out)
	return out
}

// open makes a new alert from a finding.
func open(target string, f diff.Finding, now time.Time, reason Reason, detail string) *Action {
	a := Alert{Target: target, Status: Open, FirstSeen: now, Pending: NotifyNone}
	fill(&a, f, now)
	return withNotify(OpOpen, a, NotifyOpened, reason, detail)
}

// reopen brings back a resolved alert whose drift is present again.
func reopen(a Alert, f diff.Finding, now time.Time, reason Reason, detail string) *Action {
	if a.Pending == NotifyResolved {
		// Nobody was told it was resolved: from the channel's point of view the drift never
		// went away, so carry on with the same alert and message.
		prev := a
		a.Status = Open
		a.ResolvedAt = time.Time{}
		a.Pending = NotifyNone
		a.PendingReason = ""
		fill(&a, f, now)
		if contentChanged(prev, f) {
			return withNotify(OpReopen, a, NotifyChanged, ReasonChanged,
				"drift came back with a different definition before its resolution was announced")
		}
		return &Action{Op: OpReopen, Alert: a, Notify: NotifyNone, Reason: ReasonReturnedUnannounced}
	}
	a.Status = Open
	a.FirstSeen = now
	a.ResolvedAt = time.Time{}
	a.AckBy, a.AckReason, a.AckAt, a.AckUntil = "", "", time.Time{}, time.Time{}
	a.SlackChannel, a.SlackTS = "", "" // a new message announces the new occurrence
	fill(&a, f, now)
	return withNotify(OpReopen, a, NotifyOpened, reason, detail)
}

// present handles a finding whose alert is open or acknowledged. A non-empty touchReason
// overrides the change detection (used for the "cannot check" alert, whose text changes with
// every error).
func present(a Alert, f diff.Finding, now time.Time, touchReason Reason) *Action {
	prev := a
	fill(&a, f, now)
	if a.Status == Acknowledged {
		if a.Silenced(now) {
			until := "until resolved"
			if !a.AckUntil.IsZero() {
				until = "until " + a.AckUntil.UTC().Format(time.RFC3339)
			}
			return &Action{Op: OpTouch, Alert: a, Notify: NotifyNone, Reason: ReasonAcknowledged,
				Detail: "acknowledged by " + orSomeone(a.AckBy) + " " + until}
		}
		a.Status = Open
		detail := fmt.Sprintf("acknowledgement by %s expired at %s and the drift is still present",
			orSomeone(a.AckBy), a.AckUntil.UTC().Format(time.RFC3339))
		return withNotify(OpUnsilence, a, NotifyOpened, ReasonAckExpired, detail)
	}
	if touchReason != "" {
		return &Action{Op: OpTouch, Alert: a, Notify: NotifyNone, Reason: touchReason}
	}
	if contentChanged(prev, f) {
		return withNotify(OpUpdate, a, NotifyChanged, ReasonChanged, "")
	}
	if f.Severity.Rank() > prev.Severity.Rank() {
		return withNotify(OpUpdate, a, NotifyChanged, ReasonSeverityRaised,
			fmt.Sprintf("severity raised from %s to %s", prev.Severity, f.Severity))
	}
	return &Action{Op: OpTouch, Alert: a, Notify: NotifyNone, Reason: ReasonStillPresent}
}

// silence closes a live alert whose drift is still there but now ignored by config: nobody is
// told, and a message it still waited for is dropped.
func silence(a Alert, now time.Time) *Action {
	a.Status = Resolved
	a.ResolvedAt = now
	a.Pending = NotifyNone
	a.PendingReason = ""
	return &Action{Op: OpResolve, Alert: a, Notify: NotifyNone, Reason: ReasonIgnored}
}

// resolve marks a live alert resolved.
func resolve(a Alert, now time.Time, reason Reason, detail string) *Action {
	a.Status = Resolved
	a.ResolvedAt = now
	return withNotify(OpResolve, a, NotifyResolved, reason, detail)
}

// withNotify records the message an action asks for on the alert, merged with any message the
// alert still waits for.
func withNotify(op Op, a Alert, n Notification, reason Reason, detail string) *Action {
	act := &Action{Op: op, Notify: n, Reason: reason, Detail: detail}
	merged := MergePending(a.Pending, n)
	// When the waiting message wins (an "opened" not yet sent stays "opened"), so does its reason.
	if merged == n || merged != a.Pending {
		a.PendingReason = act.Text()
	}
	a.Pending = merged
	act.Alert = a
	return act
}

// fill copies a finding's identity and text onto an alert and marks it seen now.
func fill(a *Alert, f diff.Finding, now time.Time) {
	a.Fingerprint = f.Fingerprint
	a.Kind = f.Kind
	a.Object = f.Object
	a.Change = f.Change
	a.Severity = f.Severity
	a.Summary = f.Summary
	a.Expected = f.Expected
	a.Actual = f.Actual
	a.Diff = f.Diff
	a.Fix = f.Fix
	a.LastSeen = now
	if a.Pending == "" {
		a.Pending = NotifyNone
	}
}

// contentChanged reports whether the definitions differ from the stored ones. The summary and
// the rendered diff follow from them, so they are not compared: rewording never re-pages.
func contentChanged(a Alert, f diff.Finding) bool {
	return a.Expected != f.Expected || a.Actual != f.Actual
}

// checkErrorFinding describes a target that cannot be checked as a finding-shaped value, so it
// is stored and rendered like any other alert.
func checkErrorFinding(target, errText string, failures int) diff.Finding {
	first, _, _ := strings.Cut(errText, "\n")
	if len(first) > 200 {
		first = first[:200] + "…"
	}
	return diff.Finding{
		Kind:        KindCheckError,
		Object:      target,
		Change:      ChangeError,
		Severity:    diff.Warning,
		Summary:     fmt.Sprintf("cannot check %s (%d consecutive failures): %s", target, failures, first),
		Actual:      errText,
		Fingerprint: CheckErrorFingerprint(target),
	}
}

func orSomeone(who string) string {
	if who == "" {
		return "someone"
	}
	return who
}

func sortActions(acts []Action) {
	sort.SliceStable(acts, func(i, j int) bool { return acts[i].Alert.Fingerprint < acts[j].Alert.Fingerprint })
}
