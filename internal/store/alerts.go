package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/diff"
)

// ErrNotAcknowledgeable is returned by Ack for a resolved alert: there is nothing to silence.
var ErrNotAcknowledgeable = errors.New("alert is resolved")

const alertColumns = `id, target, fingerprint, kind, object, change, severity, summary, expected,
	actual, diff, fix, status, first_seen_at, last_seen_at, resolved_at, coalesce(acknowledged_by, ''),
	coalesce(acknowledged_reason, ''), acknowledged_at, acknowledged_until, pending_notification,
	pending_reason, notified_at, notify_attempts, coalesce(last_notify_error, ''),
	coalesce(slack_channel, ''), coalesce(slack_ts, ''), notify_seq, notify_key, notify_after`

// queryer is what pgxpool.Pool and pgx.Tx have in common for reads.
type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// queryAlerts reads alerts; where is the rest of the statement after FROM.
func queryAlerts(ctx context.Context, q queryer, where string, args ...any) ([]alert.Alert, error) {
	claims, err := queryClaims(ctx, q, "SELECT "+alertColumns+" FROM schema_drift_alerts "+where, args...)
	if err != nil {
		return nil, err
	}
	out := make([]alert.Alert, len(claims))
	for i, c := range claims {
		out[i] = c.Alert
	}
	return out, nil
}

// queryClaims runs a statement returning alertColumns.
func queryClaims(ctx context.Context, q queryer, sql string, args ...any) ([]Claim, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("reading alerts: %w", err)
	}
	claims, err := pgx.CollectRows(rows, scanClaim)
	if err != nil {
		return nil, fmt.Errorf("reading alerts: %w", err)
	}
	return claims, nil
}

func scanClaim(row pgx.CollectableRow) (Claim, error) {
	var c Claim
	a := &c.Alert
	var change, severity, status, pending string
	var first, last time.Time
	var resolved, ackAt, ackUntil, notified, retryAt *time.Time
	err := row.Scan(&a.ID, &a.Target, &a.Fingerprint, &a.Kind, &a.Object, &change, &severity,
		&a.Summary, &a.Expected, &a.Actual, &a.Diff, &a.Fix, &status, &first, &last, &resolved, &a.AckBy,
		&a.AckReason, &ackAt, &ackUntil, &pending, &a.PendingReason, &notified, &a.NotifyAttempts,
		&a.LastNotifyError, &a.SlackChannel, &a.SlackTS, &c.Seq, &a.NotifyKey, &retryAt)
	a.RetryAt = utc(retryAt)
	a.Change, a.Severity, a.Status = diff.Change(change), diff.Severity(severity), alert.Status(status)
	a.Pending = alert.Notification(pending)
	a.FirstSeen, a.LastSeen = first.UTC(), last.UTC()
	a.ResolvedAt, a.AckAt, a.AckUntil, a.NotifiedAt = utc(resolved), utc(ackAt), utc(ackUntil), utc(notified)
	return c, err
}

// AlertFilter selects alerts to list.
type AlertFilter struct {
	Target   string         // empty: every target
	Statuses []alert.Status // empty: every status
	Limit    int            // zero: 1000
}

// Alerts lists alerts: live ones first, worst first, then by target, kind and object.
func (s *Store) Alerts(ctx context.Context, f AlertFilter) ([]alert.Alert, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	statuses := make([]string, len(f.Statuses))
	for i, st := range f.Statuses {
		statuses[i] = string(st)
	}
	as, err := queryAlerts(ctx, s.pool, `
		WHERE ($1 = '' OR target = $1) AND (cardinality($2::text[]) = 0 OR status = ANY($2))
		ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END,
		         CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
		         target, kind, object, change
		LIMIT $3`, f.Target, statuses, limit)
	if err != nil {
		return nil, fmt.Errorf("listing alerts: %w", err)
	}
	return as, nil
}

// Alert returns one alert by id.
func (s *Store) Alert(ctx context.Context, id int64) (alert.Alert, error) {
	as, err := queryAlerts(ctx, s.pool, "WHERE id = $1", id)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("reading alert %d: %w", id, err)
	}
	if len(as) == 0 {
		return alert.Alert{}, fmt.Errorf("reading alert %d: %w", id, ErrNotFound)
	}
	return as[0], nil
}

// AckOptions describe an acknowledgement.
type AckOptions struct {
	By     string
	Reason string
	// Until ends the acknowledgement: after it, a drift still present is announced again.
	// Zero: until the drift is resolved.
	Until time.Time
	// Now is the acknowledgement time; zero means the database clock.
	Now time.Time
}

// Ack acknowledges a live alert: no more messages about it until Until, except its resolution.
// A message about it that has not been sent yet is dropped.
func (s *Store) Ack(ctx context.Context, id int64, o AckOptions) (alert.Alert, error) {
	if strings.TrimSpace(o.Reason) == "" {
		return alert.Alert{}, fmt.Errorf("acknowledging alert %d: a reason is required", id)
	}
	as, err := queryClaims(ctx, s.pool, `
		UPDATE schema_drift_alerts
		SET status = 'acknowledged', acknowledged_by = $2, acknowledged_reason = $3,
		    acknowledged_at = coalesce($4, now()), acknowledged_until = $5, updated_at = now(),
		    pending_notification = CASE WHEN pending_notification IN ('opened', 'changed')
		                                THEN 'none' ELSE pending_notification END,
		    pending_reason = CASE WHEN pending_notification IN ('opened', 'changed')
		                          THEN '' ELSE pending_reason END
		WHERE id = $1 AND status <> 'resolved'
		RETURNING `+alertColumns, id, nullString(o.By), o.Reason, nullTime(o.Now), nullTime(o.Until))
	if err != nil {
		return alert.Alert{}, fmt.Errorf("acknowledging alert %d: %w", id, err)
	}
	if len(as) == 0 {
		if _, err := s.Alert(ctx, id); err != nil {
			return alert.Alert{}, fmt.Errorf("acknowledging alert %d: %w", id, ErrNotFound)
		}
		return alert.Alert{}, fmt.Errorf("acknowledging alert %d: %w", id, ErrNotAcknowledgeable)
	}
	return as[0].Alert, nil
}

// Unack removes an acknowledgement: the alert is open again, silently (the next change or the
// resolution is announced as usual).
func (s *Store) Unack(ctx context.Context, id int64) (alert.Alert, error) {
	as, err := queryClaims(ctx, s.pool, `
		UPDATE schema_drift_alerts
		SET status = 'open', acknowledged_by = NULL, acknowledged_reason = NULL,
		    acknowledged_at = NULL, acknowledged_until = NULL, updated_at = now()
		WHERE id = $1 AND status = 'acknowledged'
		RETURNING `+alertColumns, id)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("unacknowledging alert %d: %w", id, err)
	}
	if len(as) == 0 {
		a, err := s.Alert(ctx, id)
		if err != nil {
			return alert.Alert{}, fmt.Errorf("unacknowledging alert %d: %w", id, ErrNotFound)
		}
		return alert.Alert{}, fmt.Errorf("unacknowledging alert %d: it is %s, not acknowledged", id, a.Status)
	}
	return as[0].Alert, nil
}
