package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/store"
)

// What the daemon stored, for `drift alerts` and `drift runs`: tables for people, JSON for
// programs. The store's text is redacted when it is written; these only lay it out.

// Alerts prints alerts as a table, one a line.
func Alerts(w io.Writer, alerts []alert.Alert) error {
	e := &errWriter{w: w}
	if len(alerts) == 0 {
		e.printf("no alerts\n")
		return e.err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTARGET\tSEVERITY\tSTATUS\tFIRST SEEN\tSUMMARY")
	for _, a := range alerts {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Target, a.Severity, a.Status, a.FirstSeen.UTC().Format("2006-01-02 15:04"), oneLine(a.Summary))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return e.err
}

// AlertJSON is an alert as `drift alerts list --format json` prints it.
type AlertJSON struct {
	ID           int64      `json:"id"`
	Target       string     `json:"target"`
	Kind         string     `json:"kind"`
	Object       string     `json:"object"`
	Change       string     `json:"change"`
	Severity     string     `json:"severity"`
	Status       string     `json:"status"`
	Summary      string     `json:"summary"`
	Expected     string     `json:"expected,omitempty"`
	Actual       string     `json:"actual,omitempty"`
	Diff         string     `json:"diff,omitempty"`
	Fingerprint  string     `json:"fingerprint"`
	FirstSeen    time.Time  `json:"first_seen"`
	LastSeen     time.Time  `json:"last_seen"`
	ResolvedAt   *time.Time `json:"resolved_at,omitempty"`
	AckBy        string     `json:"acknowledged_by,omitempty"`
	AckReason    string     `json:"acknowledged_reason,omitempty"`
	AckUntil     *time.Time `json:"acknowledged_until,omitempty"`
	Pending      string     `json:"pending_notification,omitempty"`
	NotifiedAt   *time.Time `json:"notified_at,omitempty"`
	NotifyErrors int        `json:"failed_notifications,omitempty"`
}

// AlertsJSON prints {"alerts": [...]}.
func AlertsJSON(w io.Writer, alerts []alert.Alert) error {
	out := make([]AlertJSON, len(alerts))
	for i, a := range alerts {
		out[i] = AlertJSON{ID: a.ID, Target: a.Target, Kind: a.Kind, Object: a.Object, Change: string(a.Change),
			Severity: string(a.Severity), Status: string(a.Status), Summary: a.Summary, Expected: a.Expected,
			Actual: a.Actual, Diff: a.Diff, Fingerprint: a.Fingerprint, FirstSeen: a.FirstSeen, LastSeen: a.LastSeen,
			ResolvedAt: optTime(a.ResolvedAt), AckBy: a.AckBy, AckReason: a.AckReason, AckUntil: optTime(a.AckUntil),
			NotifiedAt: optTime(a.NotifiedAt), NotifyErrors: a.NotifyAttempts}
		if a.Pending != alert.NotifyNone {
			out[i].Pending = string(a.Pending)
		}
	}
	return writeJSON(w, map[string]any{"alerts": out})
}

// Alert prints one alert in full, with the history of the target's live schema.
func Alert(w io.Writer, a alert.Alert, history []store.SnapshotRecord) error {
	e := &errWriter{w: w}
	e.printf("alert %d: %s\n", a.ID, a.Summary)
	e.printf("  target:      %s\n  kind:        %s\n  object:      %s\n  change:      %s\n  severity:    %s\n  status:      %s\n", a.Target, a.Kind, a.Object, a.Change, a.Severity, a.Status)
	e.printf("  first seen:  %s\n  last seen:   %s\n", a.FirstSeen.UTC().Format(time.RFC3339), a.LastSeen.UTC().Format(time.RFC3339))
	if !a.ResolvedAt.IsZero() {
		e.printf("  resolved:    %s\n", a.ResolvedAt.UTC().Format(time.RFC3339))
	}
	if a.AckBy != "" || a.AckReason != "" {
		until := "resolved"
		if !a.AckUntil.IsZero() {
			until = a.AckUntil.UTC().Format(time.RFC3339)
		}
		e.printf("  acknowledged by %s until %s: %s\n", a.AckBy, until, a.AckReason)
	}
	e.printf("  fingerprint: %s\n", a.Fingerprint)
	if a.Pending != alert.NotifyNone && a.Pending != "" {
		// The outbox: a message decided and stored, not yet accepted by Slack.
		e.printf("  pending:     %s message, not sent yet (key %s)", a.Pending, a.NotifyKey)
		if a.NotifyAttempts > 0 {
			e.printf("; %d failed attempts, last: %s", a.NotifyAttempts, a.LastNotifyError)
		}
		if !a.RetryAt.IsZero() {
			e.printf("; next attempt from %s", a.RetryAt.UTC().Format(time.RFC3339))
		}
		e.printf("\n")
	}
	if a.Diff != "" {
		e.printf("\n%s\n", indent(a.Diff))
	} else {
		if a.Expected != "" {
			e.printf("\nexpected:\n%s\n", indent(a.Expected))
		}
		if a.Actual != "" {
			e.printf("\nactual:\n%s\n", indent(a.Actual))
		}
	}
	if len(history) > 0 {
		e.printf("\nlive schema history of %s (a row per distinct schema):\n", a.Target)
		for _, h := range history {
			e.printf("  %s … %s  %s\n", h.FirstSeen.UTC().Format(time.RFC3339), h.LastSeen.UTC().Format(time.RFC3339), h.Hash[:min(12, len(h.Hash))])
		}
	}
	return e.err
}

// Runs prints daemon runs as a table: when, how long, the result, the findings, the error.
func Runs(w io.Writer, runs []store.Run) error {
	e := &errWriter{w: w}
	if len(runs) == 0 {
		e.printf("no runs (the daemon records one per target and scheduled tick)\n")
		return e.err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tSCHEDULED\tSTARTED\tDURATION\tRESULT\tFINDINGS\tREPLICA\tERROR")
	for _, r := range runs {
		dur := "-"
		if !r.FinishedAt.IsZero() {
			dur = r.Duration.Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Target, r.ScheduledFor.UTC().Format("2006-01-02 15:04"),
			r.StartedAt.UTC().Format("15:04:05"), dur, r.Status, runFindings(r), r.ReplicaID, oneLine(r.Error))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return e.err
}

func runFindings(r store.Run) string {
	var parts []string
	for _, c := range []struct {
		n    int
		name string
	}{{r.Critical, "critical"}, {r.Warning, "warning"}, {r.Info, "info"}, {r.Pending, "pending"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.name))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// RunJSON is a run as `drift runs --format json` prints it.
type RunJSON struct {
	Target       string     `json:"target"`
	ScheduledFor time.Time  `json:"scheduled_for"`
	StartedAt    time.Time  `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at"`
	DurationMS   int64      `json:"duration_ms"`
	Status       string     `json:"status"`
	Error        string     `json:"error"`
	Findings     int        `json:"findings"`
	Critical     int        `json:"critical"`
	Warning      int        `json:"warning"`
	Info         int        `json:"info"`
	Pending      int        `json:"pending_migrations"`
	Replica      string     `json:"replica"`
	Attempts     int        `json:"attempts"`
}

// RunsJSON prints {"runs": [...]}.
func RunsJSON(w io.Writer, runs []store.Run) error {
	out := make([]RunJSON, len(runs))
	for i, r := range runs {
		out[i] = RunJSON{Target: r.Target, ScheduledFor: r.ScheduledFor, StartedAt: r.StartedAt, FinishedAt: optTime(r.FinishedAt),
			DurationMS: r.Duration.Milliseconds(), Status: string(r.Status), Error: r.Error, Findings: r.Findings,
			Critical: r.Critical, Warning: r.Warning, Info: r.Info, Pending: r.Pending, Replica: r.ReplicaID, Attempts: r.Attempts}
	}
	return writeJSON(w, map[string]any{"runs": out})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }
