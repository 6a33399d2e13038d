package alert

// Reason is why Decide took an action, as a stable code: logs, metrics and tests branch on the
// code, people read its Text (or the action's more specific Detail).
type Reason string

// Reasons, one per rule of Decide.
const (
	// ReasonNew: a finding with no stored alert — opened and announced.
	ReasonNew Reason = "new"
	// ReasonReturned: drift whose resolution was announced is back — reopened and announced as a
	// new occurrence.
	ReasonReturned Reason = "returned"
	// ReasonReturnedUnannounced: drift came back before its resolution was sent — the alert
	// carries on silently as if it had never gone.
	ReasonReturnedUnannounced Reason = "returned_unannounced"
	// ReasonStillPresent: the same drift, unchanged — last seen moves, no message.
	ReasonStillPresent Reason = "still_present"
	// ReasonChanged: the expected or actual definition changed — updated and announced.
	ReasonChanged Reason = "changed"
	// ReasonSeverityRaised: the same drift is now more severe — updated and announced.
	ReasonSeverityRaised Reason = "severity_raised"
	// ReasonAcknowledged: the drift is present but acknowledged — stored silently.
	ReasonAcknowledged Reason = "acknowledged"
	// ReasonAckExpired: the acknowledgement expired with the drift still present — open again
	// and announced.
	ReasonAckExpired Reason = "ack_expired"
	// ReasonGone: the drift is no longer present — resolved and announced.
	ReasonGone Reason = "gone"
	// ReasonIgnored: the drift is present but an ignore rule now silences it — closed quietly.
	ReasonIgnored Reason = "ignored"
	// ReasonCheckFailing: consecutive failed checks reached the threshold — a "cannot check"
	// alert is opened and announced.
	ReasonCheckFailing Reason = "check_failing"
	// ReasonStillFailing: the target still cannot be checked — the "cannot check" alert is
	// touched silently.
	ReasonStillFailing Reason = "still_failing"
	// ReasonCheckRecovered: a check succeeded again — the "cannot check" alert is resolved and
	// the recovery announced.
	ReasonCheckRecovered Reason = "check_recovered"
)

var reasonText = map[Reason]string{
	ReasonNew:                 "new drift",
	ReasonReturned:            "drift is back after its resolution",
	ReasonReturnedUnannounced: "drift came back before its resolution was announced",
	ReasonStillPresent:        "unchanged since last run",
	ReasonChanged:             "definition changed since last reported",
	ReasonSeverityRaised:      "severity raised",
	ReasonAcknowledged:        "acknowledged: no messages until the acknowledgement expires",
	ReasonAckExpired:          "acknowledgement expired and the drift is still present",
	ReasonGone:                "drift no longer present",
	ReasonIgnored:             "ignored by config",
	ReasonCheckFailing:        "consecutive checks failed",
	ReasonStillFailing:        "target still cannot be checked",
	ReasonCheckRecovered:      "the target can be checked again",
}

// Text is the reason in words fit for a log line or a Slack message.
func (r Reason) Text() string {
	if t, ok := reasonText[r]; ok {
		return t
	}
	return string(r)
}

// String is the code, so that %s and slog print what logs are searched for.
func (r Reason) String() string { return string(r) }
