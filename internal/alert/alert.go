// Package alert decides the lifecycle of drift alerts: given the alerts stored for a target, what
// the latest check found, and the time, it says which alerts to open, touch, update or resolve,
// and which of those changes are worth a message.
//
// The decision is one pure function, Decide, so that "why did (or didn't) drift page me?" always
// has an answer that a table-driven test can pin down: every Action carries its reason. Storing
// the outcome and sending the messages happen elsewhere (internal/store, internal/daemon).
package alert

import (
	"time"

	"github.com/drift-schema/drift/internal/diff"
)

// Status is where an alert is in its lifecycle.
type Status string

// Alert statuses, as stored in schema_drift_alerts.status.
const (
	// Open: the drift is present and people are to be told about changes to it.
	Open Status = "open"
	// Acknowledged: the drift is present and known; no messages until the acknowledgement
	// expires (AckUntil) or the drift goes away.
	Acknowledged Status = "acknowledged"
	// Resolved: the drift was present and is gone.
	Resolved Status = "resolved"
)

// Notification is the message an alert is waiting for. It is stored with the alert
// (pending_notification) before anything is sent, so a Slack outage delays a message and never
// loses it.
type Notification string

// Pending notifications.
const (
	NotifyNone     Notification = "none"
	NotifyOpened   Notification = "opened"
	NotifyChanged  Notification = "changed"
	NotifyResolved Notification = "resolved"
)

// KindCheckError is the kind of the one "cannot check" alert a target gets after too many
// consecutive failed checks. It is not drift: it says the target is not being watched.
const KindCheckError = "check_error"

// ChangeError is the change of a KindCheckError alert.
const ChangeError diff.Change = "error"

// Alert is one drift of one target, as stored: a row of schema_drift_alerts.
type Alert struct {
	ID          int64
	Target      string
	Fingerprint string
	Kind        string
	Object      string
	Change      diff.Change
	Severity    diff.Severity
	Summary     string
	Expected    string
	Actual      string
	Diff        string
	// Fix is the statements that revert this drift, with their hazards as comments; empty
	// when the engine writes none.
	Fix       string
	Status    Status
	FirstSeen time.Time
	LastSeen  time.Time
	// ResolvedAt is zero unless Status is Resolved.
	ResolvedAt time.Time
	// Acknowledgement: who, why, when, and until when (zero AckUntil: until resolved).
	AckBy     string
	AckReason string
	AckAt     time.Time
	AckUntil  time.Time
	// Pending is the message this alert waits for, PendingReason why (shown in the message).
	Pending       Notification
	PendingReason string
	// NotifiedAt is when a message about this alert was last delivered; zero: never.
	NotifiedAt time.Time
	// NotifyAttempts counts failed deliveries of the pending message; LastNotifyError is the
	// last failure, secrets removed.
	NotifyAttempts  int
	LastNotifyError string
	// NotifyKey is the idempotency key of the pending (or last) message about this alert: a new
	// one whenever the message to send changes, the same one across retries of one message.
	NotifyKey string
	// RetryAt is when a message that failed may be tried again (zero: now).
	RetryAt time.Time
	// SlackChannel and SlackTS reference the message that announced the alert, when the
	// transport returns one (a bot token does, an incoming webhook does not). Resolution
	// updates that message in place and replies in its thread.
	SlackChannel string
	SlackTS      string
}

// Live reports whether the alert stands for drift that is present now (open or acknowledged).
func (a Alert) Live() bool { return a.Status == Open || a.Status == Acknowledged }

// Silenced reports whether the alert is acknowledged and the acknowledgement has not expired.
func (a Alert) Silenced(now time.Time) bool {
	return a.Status == Acknowledged && (a.AckUntil.IsZero() || now.Before(a.AckUntil))
}

// CheckErrorFingerprint is the fingerprint of a target's "cannot check" alert.
func CheckErrorFingerprint(target string) string {
	return diff.Fingerprint(target, KindCheckError, target, ChangeError)
}

// MergePending combines the notification an alert already waits for with a new one. A message
// not yet sent is replaced by one that says more: an "opened" not yet delivered stays "opened"
// when the drift changes (the message is built from the alert's latest state when it is sent),
// and anything becomes "resolved" when the drift goes away.
func MergePending(old, next Notification) Notification {
	if next == "" || next == NotifyNone {
		if old == "" {
			return NotifyNone
		}
		return old
	}
	switch old {
	case NotifyOpened:
		if next == NotifyChanged {
			return NotifyOpened
		}
	case NotifyChanged:
		if next == NotifyChanged {
			return NotifyChanged
		}
	}
	return next
}
