package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/clock"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/snapshot"
	"github.com/drift-schema/drift/internal/store"
)

// Outcome is what one tick did with one target.
type Outcome struct {
	Target string
	// Checked is true when this replica claimed and checked the target. False with a nil Err
	// means another replica had the claim for this tick.
	Checked bool
	// Attempt is the run's attempt number when Checked: above 1 when this replica took over a
	// run another replica had claimed and abandoned.
	Attempt int
	// Result is the check's result when Checked.
	Result check.Result
	// Actions are the alert decisions recorded for the result.
	Actions []alert.Action
	// Err is a failure of the daemon itself (the store was unreachable): nothing was recorded,
	// and the next tick does the work.
	Err error
}

// window is how long a tick keeps watching the runs other replicas claimed: until the next tick
// is due, or until stop is closed (shutdown). Within it, a run whose claim goes stale (its
// replica died) is taken over and checked in this tick instead of waiting for the next one.
// The zero window does not watch.
type window struct {
	until time.Time
	stop  <-chan struct{}
}

// tick checks targets for the tick scheduled at scheduledFor, at most Concurrency at a time, and
// wakes the outbox for the messages its decisions left pending. It never sends anything itself:
// a slow Slack cannot hold a tick.
func (d *Daemon) tick(ctx context.Context, scheduledFor time.Time, w window, targets []Target) []Outcome {
	log := d.logger.With("scheduled_for", scheduledFor.Format(time.RFC3339))
	log.Info("tick started", "targets", len(targets))
	started := d.clock.Now()
	outs := make([]Outcome, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { outs[i] = d.runTarget(ctx, log.With("target", t.Name), scheduledFor, w, t) })
	}
	wg.Wait()
	checked := 0
	for _, o := range outs {
		if o.Checked {
			checked++
		}
	}
	d.poke()
	log.Info("tick done", "checked", checked, "duration_ms", clock.Since(d.clock, started).Milliseconds())
	return outs
}

// poke wakes the outbox loop without ever waiting for it.
func (d *Daemon) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// runTarget checks t when this replica wins its run. When another replica holds the run, it
// comes back once that claim would be stale, as long as the window lasts: a replica that died
// mid-tick has its targets checked in the same tick by the survivors.
func (d *Daemon) runTarget(ctx context.Context, log *slog.Logger, scheduledFor time.Time, w window, t Target) Outcome {
	for {
		out, held := d.claimAndCheck(ctx, log, scheduledFor, t)
		if out.Checked || out.Err != nil || held.Status != store.RunRunning || w.until.IsZero() {
			return out
		}
		// A small margin: the store judges staleness strictly after StaleIn.
		wait := held.StaleIn + 100*time.Millisecond
		if !d.clock.Now().Add(wait).Before(w.until) {
			log.Debug("another replica has this tick of the target")
			return out
		}
		log.Debug("another replica has this tick of the target; checking again when its claim would be stale",
			"holder", held.ReplicaID, "stale_in", wait.String())
		if !d.sleep(ctx, w.stop, wait) {
			return out
		}
	}
}

// sleep waits d on the clock; it reports false when ctx or stop ended the wait.
func (d *Daemon) sleep(ctx context.Context, stop <-chan struct{}, wait time.Duration) bool {
	timer := d.clock.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C():
		return true
	case <-ctx.Done():
	case <-stop:
	}
	return false
}

// claimAndCheck takes a concurrency slot, claims, checks, decides and records one target. When
// the claim is not won, it returns the run that holds it (zero if none).
func (d *Daemon) claimAndCheck(ctx context.Context, log *slog.Logger, scheduledFor time.Time, t Target) (Outcome, store.Run) {
	out := Outcome{Target: t.Name}
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		out.Err = fmt.Errorf("not checked: %w", ctx.Err())
		return out, store.Run{}
	}
	defer func() { <-d.sem }()

	timeout := t.Timeout
	if timeout <= 0 {
		timeout = d.opts.Timeout
	}
	run, ok, err := d.store.ClaimRun(ctx, t.Name, scheduledFor, d.replica, timeout+d.opts.ClaimGrace)
	if err != nil {
		out.Err = errors.New(d.redact(err.Error()))
		d.metrics.storeErrors.Inc("claim_run")
		log.Error("cannot claim the run; skipping the target until the next tick", "error", out.Err.Error())
		return out, store.Run{}
	}
	if !ok {
		return out, run
	}
	if run.Attempts > 1 {
		log.Warn("took over a run left unfinished by another replica", "attempt", run.Attempts)
	}
	out.Attempt = run.Attempts

	target := t.Target
	target.Timeout = timeout
	cctx, cancel := context.WithTimeout(ctx, timeout)
	res := d.safeCheck(cctx, target)
	cancel()
	if res.Error != "" {
		res.Status = check.StatusError
		res.Error = d.redact(res.Error)
	}
	if res.Status == "" {
		res.Status = check.StatusClean
	}
	if res.Status == check.StatusError && res.Error == "" {
		res.Error = "check failed without an error message"
	}
	if res.FixError != "" {
		log.Warn("the findings are recorded without their fix", "error", d.redact(res.FixError))
	}
	out.Checked, out.Result = true, res
	d.metrics.checks.Inc(t.Name, string(res.Status))
	d.metrics.duration.Observe(res.Duration.Seconds(), t.Name)
	if res.Status == check.StatusError {
		log.Warn("check failed", "error", res.Error, "duration_ms", res.Duration.Milliseconds())
	} else {
		log.Info("checked", "status", res.Status, "findings", len(res.Findings), "duration_ms", res.Duration.Milliseconds())
	}

	now := d.clock.Now()
	outcome, err := runOutcome(res, now, d.redactor)
	// The schemas are recorded (outcome holds the live one's JSON); a tick over a hundred
	// targets does not keep a hundred of them.
	out.Result.Expected, out.Result.Actual = nil, nil
	if err != nil {
		out.Err = fmt.Errorf("recording the result: %w", err)
		log.Error("cannot record the result; the next tick checks again", "error", out.Err.Error())
		return out, store.Run{}
	}
	rec, err := d.store.RecordRun(ctx, run, outcome, d.decider(t.Name, res, now))
	if err != nil {
		out.Err = errors.New(d.redact(err.Error()))
		d.metrics.storeErrors.Inc("record_run")
		log.Error("cannot record the result; the next tick checks again", "error", out.Err.Error())
		return out, store.Run{}
	}
	out.Actions = rec.Actions
	for _, act := range rec.Actions {
		if act.Notify != alert.NotifyNone {
			d.poke() // the outbox sends it now, not when the whole tick is done
		}
		if act.Op == alert.OpTouch {
			continue
		}
		log.Info("alert "+string(act.Op), "kind", act.Alert.Kind, "object", act.Alert.Object,
			"severity", act.Alert.Severity, "notify", act.Notify, "reason", act.Reason, "why", act.Text())
	}
	if rec.Failures > 0 {
		log.Info("consecutive failed checks", "failures", rec.Failures)
	}
	return out, store.Run{}
}

// decider is what the store calls, inside its recording transaction, to decide the target's
// alerts: the lifecycle is alert.Decide's, the daemon only says what was observed.
func (d *Daemon) decider(target string, res check.Result, now time.Time) store.Decider {
	return func(stored []alert.Alert, failures int) []alert.Action {
		obs := alert.Observation{Target: target, Findings: res.Findings, Ignored: res.Ignored}
		if res.Status == check.StatusError {
			// A failed check knows nothing about drift: the drift alerts are left as they are.
			obs.Findings, obs.Ignored = nil, nil
			obs.CheckError, obs.Failures = res.Error, failures
		}
		return alert.Decide(stored, obs, now, alert.Options{FailureThreshold: d.opts.FailureThreshold})
	}
}

// runOutcome turns a check result into the plain record the store keeps of a run.
func runOutcome(res check.Result, now time.Time, red *redact.Redactor) (store.RunOutcome, error) {
	out := store.RunOutcome{Status: store.RunStatus(res.Status), Error: res.Error, FinishedAt: now,
		Duration: res.Duration, Findings: len(res.Findings), Pending: len(res.Pending)}
	for _, f := range res.Findings {
		switch f.Severity {
		case diff.Critical:
			out.Critical++
		case diff.Warning:
			out.Warning++
		default:
			out.Info++
		}
	}
	if res.Actual != nil {
		h, err := res.Actual.Hash()
		if err != nil {
			return store.RunOutcome{}, fmt.Errorf("hashing the live snapshot: %w", err)
		}
		data, err := redactedSnapshot(res.Actual, red).Marshal()
		if err != nil {
			return store.RunOutcome{}, fmt.Errorf("encoding the live snapshot: %w", err)
		}
		out.SnapshotHash, out.Snapshot = h, data
	}
	return out, nil
}

// redactedSnapshot is s with every attribute value passed through the redactor, for the store:
// a definition can hold a credential (a function body's connection string, a default, a
// comment), and what the store keeps is an output like any other. The values are redacted one
// by one, so the JSON stays well formed; the hash is the live schema's own.
func redactedSnapshot(s *snapshot.Snapshot, red *redact.Redactor) *snapshot.Snapshot {
	c := *s
	c.Objects = make([]snapshot.Object, len(s.Objects))
	for i, o := range s.Objects {
		attrs := make(snapshot.Attrs, len(o.Attrs))
		for j, a := range o.Attrs {
			attrs[j] = snapshot.Attr{Name: a.Name, Value: red.String(a.Value)}
		}
		o.Attrs = attrs
		c.Objects[i] = o
	}
	return &c
}

// safeCheck runs the checker, turning a panic into a failed check: one bad target must not
// take the daemon, and every other target's check, down with it.
func (d *Daemon) safeCheck(ctx context.Context, t check.Target) (res check.Result) {
	started := d.clock.Now()
	defer func() {
		if p := recover(); p != nil {
			res = check.Result{Name: t.Name, Engine: t.Engine, Status: check.StatusError,
				Error: fmt.Sprintf("check panicked: %v", p), Started: started, Duration: clock.Since(d.clock, started)}
		}
		if res.Duration == 0 {
			res.Duration = clock.Since(d.clock, started)
		}
	}()
	// Each alert carries the statements that revert its drift (its Slack message shows them):
	// they are written from whole schemas, and a fix that cannot be written never holds the
	// alert back.
	t.Fix, t.FixOptional, t.WholeSnapshots = check.FixRevert, true, true
	return d.checker.CheckTarget(ctx, t)
}
