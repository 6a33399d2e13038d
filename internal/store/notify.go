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

// PendingTargets lists the targets with messages waiting to be sent.
func (s *Store) PendingTargets(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT target FROM schema_drift_alerts
		WHERE pending_notification <> 'none' ORDER BY target`)
	if err != nil {
		return nil, fmt.Errorf("listing pending notifications: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("listing pending notifications: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing pending notifications: %w", err)
	}
	return out, nil
}

// ClaimNotifications claims every pending message of target that no live replica holds: the
// claim is a committed UPDATE, so two replicas never claim the same alert, and a claim older
// than staleAfter (a replica that died mid-send) is taken over. The caller sends, then calls
// MarkNotified or ReleaseNotifications. staleAfter must exceed the longest a send can take, or a
// slow send could be repeated by another replica.
func (s *Store) ClaimNotifications(ctx context.Context, target, replica string, staleAfter time.Duration) ([]Claim, error) {
	claims, err := queryClaims(ctx, s.pool, `
		UPDATE schema_drift_alerts SET claimed_by = $2, claimed_at = now()
		WHERE target = $1 AND pending_notification <> 'none'
		  AND (claimed_by IS NULL OR claimed_at < now() - make_interval(secs => $3))
		RETURNING `+alertColumns, target, replica, seconds(staleAfter))
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
		  claimed_by = NULL, claimed_at = NULL,
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

// ReleaseNotifications gives claims back after a failed send, recording the error (which must
// already be free of secrets): the messages stay pending and the next tick retries them.
func (s *Store) ReleaseNotifications(ctx context.Context, replica string, claims []Claim, errText string) error {
	ids, _, _ := claimArrays(claims)
	if _, err := s.pool.Exec(ctx, `
		UPDATE schema_drift_alerts
		SET claimed_by = NULL, claimed_at = NULL, notify_attempts = notify_attempts + 1,
		    last_notify_error = $3
		WHERE id = ANY($2) AND claimed_by = $1`, replica, ids, errText); err != nil {
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
