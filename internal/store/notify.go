package store

import (
	"context"
	"fmt"
	"time"

	"github.com/drift-schema/drift/internal/alert"
)

// Claim is an alert whose pending message this replica has claimed, with the notification
// sequence number it had when claimed: if a decision changes the alert while its message is in
// flight, the numbers differ and the message sent is known to be out of date.
type Claim struct {
	Alert alert.Alert
	Seq   int64
}

// MessageRef names a delivered Slack message; empty for transports that return none.
type MessageRef struct {
	Channel string
	TS      string
}

// Outbox is the state of the pending messages of some targets.
type Outbox struct {
	// Due lists the targets with a message that may be sent now (sorted).
	Due []string
	// Next is the earliest time a message that is backing off becomes due; zero when none is.
	Next time.Time
}

// Outbox reports which of targets have messages to send at now, and when the next backed-off
// message becomes due. Only the given targets are looked at: a process sends the messages of
// the targets it is configured for, never another's.
func (s *Store) Outbox(ctx context.Context, targets []string, now time.Time) (Outbox, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT target, bool_or(notify_after IS NULL OR notify_after <= $2),
		       min(notify_after) FILTER (WHERE notify_after > $2)
		FROM schema_drift_alerts
		WHERE pending_notification <> 'none' AND target = ANY($1)
		GROUP BY target ORDER BY target`, targets, now.UTC())
	if err != nil {
		return Outbox{}, fmt.Errorf("reading the outbox: %w", err)
	}
	defer rows.Close()
	var out Outbox
	for rows.Next() {
		var target string
		var due bool
		var next *time.Time
		if err := rows.Scan(&target, &due, &next); err != nil {
			return Outbox{}, fmt.Errorf("reading the outbox: %w", err)
		}
		if due {
			out.Due = append(out.Due, target)
		}
		if n := utc(next); !n.IsZero() && (out.Next.IsZero() || n.Before(out.Next)) {
			out.Next = n
		}
	}
	if err := rows.Err(); err != nil {
		return Outbox{}, fmt.Errorf("reading the outbox: %w", err)
	}
	return out, nil
}

// PendingAlerts returns the alerts of targets that wait for a message, without claiming them:
// for showing what would be sent, by a process that cannot send.
func (s *Store) PendingAlerts(ctx context.Context, targets []string) ([]alert.Alert, error) {
	as, err := queryAlerts(ctx, s.pool, `WHERE pending_notification <> 'none' AND target = ANY($1)
		ORDER BY target, id`, targets)
	if err != nil {
		return nil, fmt.Errorf("reading pending notifications: %w", err)
	}
	return as, nil
}

// ClaimNotifications claims every pending message of target that is due at now and that no
// live replica holds: the claim is a committed UPDATE, so two replicas never claim the same
// alert, and a claim older than staleAfter (a replica that died mid-send) is taken over. The
// caller sends, then calls MarkNotified or ReleaseNotifications. staleAfter must exceed the
// longest a send can take, or a slow send could be repeated by another replica.
func (s *Store) ClaimNotifications(ctx context.Context, target, replica string, staleAfter time.Duration, now time.Time) ([]Claim, error) {
	claims, err := queryClaims(ctx, s.pool, `
		UPDATE schema_drift_alerts SET claimed_by = $2, claimed_at = now()
		WHERE target = $1 AND pending_notification <> 'none'
		  AND (notify_after IS NULL OR notify_after <= $4)
		  AND (claimed_by IS NULL OR claimed_at < now() - make_interval(secs => $3))
		RETURNING `+alertColumns, target, replica, seconds(staleAfter), now.UTC())
	if err != nil {
		return nil, fmt.Errorf("claiming notifications of %s: %w", target, err)
	}
	return claims, nil
}

// MarkNotified records that the messages of claims were delivered. ref, when not empty, becomes
// the message reference of the alerts it announced (those without one yet, unless the message
// was a resolution). An alert that changed while its message was in flight keeps a pending
// message describing the change; an alert whose claim was taken over is left to its new owner.
// It returns how many claims were still held.
func (s *Store) MarkNotified(ctx context.Context, replica string, claims []Claim, ref MessageRef, now time.Time) (int, error) {
	ids, seqs, kinds := claimArrays(claims)
	tag, err := s.pool.Exec(ctx, `
		UPDATE schema_drift_alerts a SET
		  pending_notification = CASE
		    WHEN a.notify_seq = c.seq THEN 'none'
		    WHEN a.status = 'resolved' THEN CASE WHEN c.kind = 'resolved' THEN 'none' ELSE 'resolved' END
		    WHEN c.kind = 'resolved' THEN 'opened'
		    ELSE 'changed' END,
		  pending_reason = CASE WHEN a.notify_seq = c.seq THEN '' ELSE a.pending_reason END,
		  notified_at = coalesce($5, now()), notify_attempts = 0, last_notify_error = NULL,
		  notify_after = NULL, claimed_by = NULL, claimed_at = NULL,
		  slack_channel = CASE WHEN $6 <> '' AND coalesce(a.slack_ts, '') = '' AND c.kind <> 'resolved'
		                       THEN $6 ELSE a.slack_channel END,
		  slack_ts = CASE WHEN $7 <> '' AND coalesce(a.slack_ts, '') = '' AND c.kind <> 'resolved'
		                  THEN $7 ELSE a.slack_ts END,
		  updated_at = now()
		FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS c(id, seq, kind)
		WHERE a.id = c.id AND a.claimed_by = $1`,
		replica, ids, seqs, kinds, nullTime(now), ref.Channel, ref.TS)
	if err != nil {
		return 0, fmt.Errorf("marking notifications sent: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// SkipNotifications drops the pending messages of claims without sending them (the daemon does
// not post info findings unless configured to): the alerts are kept, shown on the status page
// and by `drift alerts`, but never count as announced. It returns how many claims were still
// held; an alert that changed meanwhile keeps its new pending message.
func (s *Store) SkipNotifications(ctx context.Context, replica string, claims []Claim) (int, error) {
	ids, seqs, _ := claimArrays(claims)
	tag, err := s.pool.Exec(ctx, `
		UPDATE schema_drift_alerts a SET
		  pending_notification = CASE WHEN a.notify_seq = c.seq THEN 'none' ELSE a.pending_notification END,
		  pending_reason = CASE WHEN a.notify_seq = c.seq THEN '' ELSE a.pending_reason END,
		  notify_attempts = 0, last_notify_error = NULL, notify_after = NULL,
		  claimed_by = NULL, claimed_at = NULL, updated_at = now()
		FROM unnest($2::bigint[], $3::bigint[]) AS c(id, seq)
		WHERE a.id = c.id AND a.claimed_by = $1`, replica, ids, seqs)
	if err != nil {
		return 0, fmt.Errorf("skipping notifications: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// ReleaseNotifications gives claims back after a failed send, recording the error (which must
// already be free of secrets) and the time before which the messages are not tried again: they
// stay pending, and the outbox retries them from retryAt on.
func (s *Store) ReleaseNotifications(ctx context.Context, replica string, claims []Claim, errText string, retryAt time.Time) error {
	ids, _, _ := claimArrays(claims)
	if _, err := s.pool.Exec(ctx, `
		UPDATE schema_drift_alerts
		SET claimed_by = NULL, claimed_at = NULL, notify_attempts = notify_attempts + 1,
		    last_notify_error = $3, notify_after = $4
		WHERE id = ANY($2) AND claimed_by = $1`, replica, ids, errText, nullTime(retryAt)); err != nil {
		return fmt.Errorf("releasing notifications: %w", err)
	}
	return nil
}

// AlertsByMessage returns the alerts a Slack message announced, worst first, so the message can
// be rebuilt with their current status.
func (s *Store) AlertsByMessage(ctx context.Context, ref MessageRef) ([]alert.Alert, error) {
	as, err := queryAlerts(ctx, s.pool, `
		WHERE slack_channel = $1 AND slack_ts = $2
		ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, kind, object, change`,
		ref.Channel, ref.TS)
	if err != nil {
		return nil, fmt.Errorf("reading alerts of message %s: %w", ref.TS, err)
	}
	return as, nil
}

func claimArrays(claims []Claim) (ids, seqs []int64, kinds []string) {
	for _, c := range claims {
		ids = append(ids, c.Alert.ID)
		seqs = append(seqs, c.Seq)
		kinds = append(kinds, string(c.Alert.Pending))
	}
	return ids, seqs, kinds
}
