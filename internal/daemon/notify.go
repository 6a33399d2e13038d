package daemon

import (
	"context"
	"errors"
	"log/slog"
	"strconv"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/store"
)

// delivery is one message to send for a target's claimed alerts.
type delivery struct {
	// resolution: a resolution message; otherwise a drift message (opened and changed alerts).
	resolution bool
	claims     []store.Claim
	// original is the announcing message the resolution edits and replies to (zero: a new
	// top-level message).
	original slack.Ref
}

// plan groups a target's claimed alerts into messages: one for new and changed drift, and for
// resolutions one reply per announcing message when the transport can edit (so each original is
// updated in place), else one message.
func plan(claims []store.Claim, canUpdate bool) []delivery {
	var drift, loose []store.Claim
	var threads []slack.Ref
	byThread := map[slack.Ref][]store.Claim{}
	for _, c := range claims {
		switch c.Alert.Pending {
		case alert.NotifyOpened, alert.NotifyChanged:
			drift = append(drift, c)
		case alert.NotifyResolved:
			ref := slack.Ref{Channel: c.Alert.SlackChannel, TS: c.Alert.SlackTS}
			if !canUpdate || ref.IsZero() {
				loose = append(loose, c)
				continue
			}
			if _, ok := byThread[ref]; !ok {
				threads = append(threads, ref)
			}
			byThread[ref] = append(byThread[ref], c)
		}
	}
	var out []delivery
	if len(drift) > 0 {
		out = append(out, delivery{claims: drift})
	}
	for _, ref := range threads {
		out = append(out, delivery{resolution: true, claims: byThread[ref], original: ref})
	}
	if len(loose) > 0 {
		out = append(out, delivery{resolution: true, claims: loose})
	}
	return out
}

// flushAll sends the pending messages of every target except those in skip (already tried in
// this tick: a Slack outage is not hammered twice per tick).
func (d *Daemon) flushAll(ctx context.Context, skip map[string]bool) {
	targets, err := d.store.PendingTargets(ctx)
	if err != nil {
		d.metrics.storeErrors.Inc("pending_targets")
		d.logger.Error("cannot list pending notifications; retrying next tick", "error", d.redact(err.Error()))
		return
	}
	for _, t := range targets {
		if !skip[t] {
			d.notifyTarget(ctx, t)
		}
	}
}

// notifyTarget claims target's pending messages, sends them and marks them sent. Whatever fails
// is released, still pending, for the next tick.
func (d *Daemon) notifyTarget(ctx context.Context, target string) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.NotifyTimeout)
	defer cancel()
	log := d.logger.With("target", target)
	claims, err := d.store.ClaimNotifications(ctx, target, d.replica, 2*d.opts.NotifyTimeout)
	if err != nil {
		d.metrics.storeErrors.Inc("claim_notifications")
		log.Error("cannot claim notifications; retrying next tick", "error", d.redact(err.Error()))
		return
	}
	for _, dl := range plan(claims, d.notifier.CanUpdate()) {
		d.deliver(ctx, log, target, dl)
	}
}

// deliver sends one message and records the outcome.
func (d *Daemon) deliver(ctx context.Context, log *slog.Logger, target string, dl delivery) {
	alerts := make([]alert.Alert, len(dl.claims))
	for i, c := range dl.claims {
		alerts[i] = c.Alert
	}
	kind := "drift"
	if dl.resolution {
		kind = "resolution"
	}
	fail := func(err error) {
		msg := d.redact(err.Error())
		d.metrics.notifyFailures.Inc(kind, strconv.FormatBool(slack.IsRetryable(err)))
		log.Error("notification failed; it stays pending for the next tick", "kind", kind, "alerts", len(alerts), "error", msg)
		// Releasing needs the store even when ctx ran out: use a short fresh deadline.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeCallTimeout)
		defer cancel()
		if err := d.store.ReleaseNotifications(rctx, d.replica, dl.claims, msg); err != nil {
			log.Error("cannot release notification claims; they will be taken over when stale", "error", d.redact(err.Error()))
		}
	}

	var ref slack.Ref
	switch {
	case !dl.resolution:
		r, err := d.notifier.Post(ctx, slack.Drift(target, alerts, d.opts.Message), slack.Ref{})
		if err != nil {
			fail(err)
			return
		}
		ref = r
	case !dl.original.IsZero():
		// Edit the original first: it is idempotent, so if the reply fails and both are retried
		// next tick, only the reply can be repeated — and it is not, since it comes last.
		announced, err := d.store.AlertsByMessage(ctx, store.MessageRef{Channel: dl.original.Channel, TS: dl.original.TS})
		if err != nil {
			fail(err)
			return
		}
		if err := d.notifier.Update(ctx, dl.original, slack.Announced(target, announced, d.opts.Message)); err != nil {
			if slack.IsRetryable(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				fail(err)
				return
			}
			// The original is gone or can no longer be edited: the reply still tells the story.
			log.Warn("cannot edit the original message; replying anyway", "error", d.redact(err.Error()))
		}
		if _, err := d.notifier.Post(ctx, slack.Resolved(target, alerts, d.opts.Message), dl.original); err != nil {
			fail(err)
			return
		}
	default:
		if _, err := d.notifier.Post(ctx, slack.Resolved(target, alerts, d.opts.Message), slack.Ref{}); err != nil {
			fail(err)
			return
		}
	}

	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeCallTimeout)
	defer cancel()
	n, err := d.store.MarkNotified(mctx, d.replica, dl.claims, store.MessageRef{Channel: ref.Channel, TS: ref.TS}, d.opts.Now())
	if err != nil {
		// The message went out but the store did not hear of it: when the claim goes stale it
		// is sent again. This window (a store outage between two calls) is the only way a
		// message is duplicated, and it cannot be closed without Slack taking idempotency keys.
		d.metrics.storeErrors.Inc("mark_notified")
		log.Error("message sent but not recorded as sent", "kind", kind, "error", d.redact(err.Error()))
		return
	}
	if n < len(dl.claims) {
		log.Warn("some notification claims were taken over while sending", "kind", kind, "held", n, "claimed", len(dl.claims))
	}
	d.metrics.notifications.Inc(kind)
	log.Info("notification sent", "kind", kind, "alerts", len(alerts), "ts", ref.TS)
}
