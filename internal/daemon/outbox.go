package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/clock"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/store"
)

// The outbox is the set of messages the store holds as pending (written in the same transaction
// as the decisions that call for them). It is drained on its own loop, never inside a tick, so
// a Slack that is slow or down delays messages and never a check.
//
// Delivery is at least once, with these bounds:
//   - a message is marked sent only when Slack accepted it (the log notifier, which shows
//     messages without telling anyone, leaves them pending for a process that has Slack);
//   - a process sends only the messages of its own targets;
//   - each call to Slack is bounded by PostTimeout, and a call that timed out (Slack may have
//     posted it) is not repeated before the next backoff step: a Slack that takes messages
//     but never answers gets one copy per attempt, attempts backing off from RetryBackoff,
//     doubling, to RetryBackoffMax;
//   - each message has an idempotency key (a new one whenever the message changes); a key Slack
//     accepted is never posted again by this process, even when the store could not record it;
//   - a replica killed between Slack accepting a message and the store recording it leaves a
//     claim that goes stale, and the message is sent again: the one duplicate that remains.

// outboxLoop drains the outbox at start, whenever a tick has recorded, and when a message that
// is backing off becomes due, until ctx is done. Sends run on work, so a message in flight when
// ctx ends is finished or released, not cut off.
func (d *Daemon) outboxLoop(ctx, work context.Context) {
	for {
		next := d.drain(ctx, work)
		var due <-chan time.Time
		var timer clock.Timer
		if !next.IsZero() {
			t := d.clock.NewTimer(max(next.Sub(d.clock.Now()), 0))
			due, timer = t.C(), t
		}
		select {
		case <-ctx.Done():
		case <-d.wake:
		case <-due:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// drain sends the due messages of this process's targets, one target after another, and
// returns when the outbox next needs a look (zero: when a tick wakes it). It stops starting new
// targets once stop is done.
func (d *Daemon) drain(stop, ctx context.Context) time.Time {
	box, ok := d.outbox(ctx)
	if !ok {
		return d.clock.Now().Add(d.opts.RetryBackoff)
	}
	if !d.notifier.Delivers() {
		d.show(ctx)
		return time.Time{}
	}
	if len(box.Due) == 0 {
		return box.Next
	}
	for _, target := range box.Due {
		if stop.Err() != nil {
			return time.Time{}
		}
		d.notifyTarget(ctx, target)
	}
	// Failed messages moved to later: look again when the first of them is due.
	box, ok = d.outbox(ctx)
	if !ok {
		return d.clock.Now().Add(d.opts.RetryBackoff)
	}
	return box.Next
}

// outbox reads which of this process's targets have messages due.
func (d *Daemon) outbox(ctx context.Context) (store.Outbox, bool) {
	rctx, cancel := context.WithTimeout(ctx, storeCallTimeout)
	defer cancel()
	box, err := d.store.Outbox(rctx, d.names, d.clock.Now())
	if err != nil {
		d.metrics.storeErrors.Inc("outbox")
		d.logger.Error("cannot read the outbox; trying again later", "error", d.redact(err.Error()))
		return store.Outbox{}, false
	}
	return box, true
}

// show hands each pending message of this process's targets, once per process, to a notifier
// that does not deliver (the log), and leaves them pending: nobody has been told yet.
func (d *Daemon) show(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, storeCallTimeout)
	defer cancel()
	pending, err := d.store.PendingAlerts(rctx, d.names)
	if err != nil {
		d.metrics.storeErrors.Inc("pending_alerts")
		d.logger.Error("cannot read the pending messages", "error", d.redact(err.Error()))
		return
	}
	byTarget := map[string][]store.Claim{}
	for _, a := range pending {
		if !d.quiet(a) {
			byTarget[a.Target] = append(byTarget[a.Target], store.Claim{Alert: a})
		}
	}
	for _, target := range d.names {
		if len(byTarget[target]) == 0 {
			continue
		}
		open, err := d.openCounts(ctx, target)
		if err != nil {
			d.logger.Error("cannot show a pending message", "target", target, "error", d.redact(err.Error()))
			continue
		}
		for _, dl := range plan(byTarget[target], false) {
			key := deliveryKey(dl.claims)
			if _, done := d.shown.LoadOrStore(key, true); done {
				continue
			}
			msg := d.message(target, dl, open)
			msg.Key = key
			pctx, cancel := context.WithTimeout(ctx, d.opts.PostTimeout)
			_, err := d.notifier.Post(pctx, msg, slack.Ref{})
			cancel()
			if err != nil {
				d.shown.Delete(key)
				d.logger.Error("cannot show a pending message", "target", target, "error", d.redact(err.Error()))
			}
		}
	}
}

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

// deliveryKey is the idempotency key of a message: its alert's key, or for a message about
// several alerts a digest of theirs, so the same set of pending messages gets the same key.
func deliveryKey(claims []store.Claim) string {
	if len(claims) == 1 {
		return claims[0].Alert.NotifyKey
	}
	keys := make([]string, len(claims))
	for i, c := range claims {
		keys[i] = c.Alert.NotifyKey
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return "drift-" + hex.EncodeToString(sum[:16])
}

// message builds the Slack message of a delivery; open is the target's current state, for the
// header.
func (d *Daemon) message(target string, dl delivery, open slack.Open) slack.Message {
	alerts := make([]alert.Alert, len(dl.claims))
	for i, c := range dl.claims {
		alerts[i] = c.Alert
	}
	if dl.resolution {
		return slack.Resolved(target, alerts, open, d.opts.Message)
	}
	return slack.Drift(target, alerts, open, d.opts.Message)
}

// openCounts reads the target's live alerts for a message's header: it reports every open
// finding, not only the ones the message is about.
func (d *Daemon) openCounts(ctx context.Context, target string) (slack.Open, error) {
	rctx, cancel := context.WithTimeout(ctx, storeCallTimeout)
	defer cancel()
	live, err := d.store.Alerts(rctx, store.AlertFilter{Target: target, Statuses: []alert.Status{alert.Open, alert.Acknowledged}, Limit: 100_000})
	if err != nil {
		return slack.Open{}, fmt.Errorf("reading the open alerts of %s: %w", target, err)
	}
	return slack.CountOpen(live), nil
}

// quiet reports whether a's pending message is not to be posted: an info finding never
// announced, unless PostInfo. (Once announced — PostInfo was on, or the severity was higher —
// its changes and resolution are told like any other.)
func (d *Daemon) quiet(a alert.Alert) bool {
	return !d.opts.PostInfo && a.Severity == diff.Info && a.Kind != alert.KindCheckError && a.NotifiedAt.IsZero()
}

// notifyTarget claims target's due messages, sends them and marks them sent. Whatever fails is
// released, still pending, to be retried after a backoff.
func (d *Daemon) notifyTarget(ctx context.Context, target string) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.NotifyTimeout)
	defer cancel()
	log := d.logger.With("target", target)
	claims, err := d.store.ClaimNotifications(ctx, target, d.replica, 2*d.opts.NotifyTimeout, d.clock.Now())
	if err != nil {
		d.metrics.storeErrors.Inc("claim_notifications")
		log.Error("cannot claim notifications; trying again later", "error", d.redact(err.Error()))
		return
	}
	claims = d.settleSent(ctx, log, claims)
	var post, skip []store.Claim
	for _, c := range claims {
		if d.quiet(c.Alert) {
			skip = append(skip, c)
		} else {
			post = append(post, c)
		}
	}
	if len(skip) > 0 {
		if _, err := d.store.SkipNotifications(ctx, d.replica, skip); err != nil {
			d.metrics.storeErrors.Inc("skip_notifications")
			log.Error("cannot drop the messages of info findings; trying again later", "error", d.redact(err.Error()))
		} else {
			log.Debug("info findings stored, not posted (slack.post_info is off)", "alerts", len(skip))
		}
	}
	if len(post) == 0 {
		return
	}
	open, err := d.openCounts(ctx, target)
	if err != nil {
		d.metrics.storeErrors.Inc("alerts")
		text := d.redact(err.Error())
		log.Error("cannot read the target's open alerts; trying again later", "error", text)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeCallTimeout)
		defer cancel()
		if err := d.store.ReleaseNotifications(rctx, d.replica, post, text, d.clock.Now().Add(d.opts.RetryBackoff)); err != nil {
			log.Error("cannot release notification claims; they will be taken over when stale", "error", d.redact(err.Error()))
		}
		return
	}
	for _, dl := range plan(post, d.notifier.CanUpdate()) {
		d.deliver(ctx, log, target, dl, open)
	}
}

// settleSent records as sent the claimed messages Slack already accepted from this process
// (the store could not record them at the time), instead of posting them again, and returns
// the others.
func (d *Daemon) settleSent(ctx context.Context, log *slog.Logger, claims []store.Claim) []store.Claim {
	var rest []store.Claim
	for _, c := range claims {
		v, ok := d.sent.Load(c.Alert.NotifyKey)
		if !ok {
			rest = append(rest, c)
			continue
		}
		ref := v.(slack.Ref)
		if _, err := d.store.MarkNotified(ctx, d.replica, []store.Claim{c}, store.MessageRef{Channel: ref.Channel, TS: ref.TS}, d.clock.Now()); err != nil {
			log.Error("message sent earlier still not recorded as sent", "key", c.Alert.NotifyKey, "error", d.redact(err.Error()))
			continue
		}
		d.sent.Delete(c.Alert.NotifyKey)
		log.Info("recorded a message sent earlier; not sending it again", "key", c.Alert.NotifyKey)
	}
	return rest
}

// deliver sends one message and records the outcome.
func (d *Daemon) deliver(ctx context.Context, log *slog.Logger, target string, dl delivery, open slack.Open) {
	kind := "drift"
	if dl.resolution {
		kind = "resolution"
	}
	key := deliveryKey(dl.claims)
	log = log.With("kind", kind, "key", key)
	msg := d.message(target, dl, open)
	msg.Key = key
	fail := func(err error) {
		text := d.redact(err.Error())
		retryAt := d.clock.Now().Add(d.backoff(dl.claims, err))
		d.metrics.notifyFailures.Inc(kind, strconv.FormatBool(slack.IsRetryable(err)))
		log.Error("notification failed; it stays pending", "alerts", len(dl.claims), "retry_at", retryAt.UTC().Format(time.RFC3339), "error", text)
		// Releasing needs the store even when ctx ran out: use a short fresh deadline.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeCallTimeout)
		defer cancel()
		if err := d.store.ReleaseNotifications(rctx, d.replica, dl.claims, text, retryAt); err != nil {
			log.Error("cannot release notification claims; they will be taken over when stale", "error", d.redact(err.Error()))
		}
	}
	post := func(m slack.Message, thread slack.Ref) (slack.Ref, error) {
		pctx, cancel := context.WithTimeout(ctx, d.opts.PostTimeout)
		defer cancel()
		return d.notifier.Post(pctx, m, thread)
	}

	var ref slack.Ref
	switch {
	case !dl.resolution:
		r, err := post(msg, slack.Ref{})
		if err != nil {
			fail(err)
			return
		}
		ref = r
	case !dl.original.IsZero():
		// Edit the original first: it is idempotent, so if the reply fails and both are retried,
		// only the reply can be repeated — and it is not, since it comes last.
		announced, err := d.store.AlertsByMessage(ctx, store.MessageRef{Channel: dl.original.Channel, TS: dl.original.TS})
		if err != nil {
			fail(err)
			return
		}
		edit := slack.Announced(target, announced, open, d.opts.Message)
		edit.Key = key
		pctx, cancel := context.WithTimeout(ctx, d.opts.PostTimeout)
		err = d.notifier.Update(pctx, dl.original, edit)
		cancel()
		if err != nil {
			if slack.IsRetryable(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				fail(err)
				return
			}
			// The original is gone or can no longer be edited: the reply still tells the story.
			log.Warn("cannot edit the original message; replying anyway", "error", d.redact(err.Error()))
		}
		if _, err := post(msg, dl.original); err != nil {
			fail(err)
			return
		}
	default:
		if _, err := post(msg, slack.Ref{}); err != nil {
			fail(err)
			return
		}
	}

	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeCallTimeout)
	defer cancel()
	n, err := d.store.MarkNotified(mctx, d.replica, dl.claims, store.MessageRef{Channel: ref.Channel, TS: ref.TS}, d.clock.Now())
	if err != nil {
		// Slack has the message but the store did not hear of it. This process remembers the
		// keys and records them when it next holds the claims, without posting again.
		for _, c := range dl.claims {
			d.sent.Store(c.Alert.NotifyKey, ref)
		}
		d.metrics.storeErrors.Inc("mark_notified")
		log.Error("message sent but not recorded as sent; it will be recorded, not resent", "error", d.redact(err.Error()))
		return
	}
	if n < len(dl.claims) {
		log.Warn("some notification claims were taken over while sending", "held", n, "claimed", len(dl.claims))
	}
	d.metrics.notifications.Inc(kind)
	log.Info("notification sent", "alerts", len(dl.claims), "ts", ref.TS)
}

// backoff is how long a message waits after a failed delivery: RetryBackoff after the first
// failure, doubling with each further one up to RetryBackoffMax, and at least what Slack asked
// for with Retry-After.
func (d *Daemon) backoff(claims []store.Claim, err error) time.Duration {
	failures := 1
	for _, c := range claims {
		failures = max(failures, c.Alert.NotifyAttempts+1)
	}
	wait := d.opts.RetryBackoff
	for i := 1; i < failures && wait < d.opts.RetryBackoffMax; i++ {
		wait *= 2
	}
	wait = min(wait, d.opts.RetryBackoffMax)
	var se *slack.Error
	if errors.As(err, &se) && se.RetryAfter > wait {
		wait = se.RetryAfter
	}
	return wait
}
