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
	"github.com/drift-schema/drift/internal/store"
)

// Outcome is what one tick did with one target.
type Outcome struct {
	Target string
	// Checked is true when this replica claimed and checked the target. False with a nil Err
	// means another replica had the claim for this tick.
	Checked bool
	// Result is the check's result when Checked.
	Result check.Result
	// Actions are the alert decisions recorded for the result.
	Actions []alert.Action
	// Err is a failure of the daemon itself (the store was unreachable): nothing was recorded,
	// and the next tick does the work.
	Err error
}

// tick checks targets for the tick scheduled at scheduledFor, at most Concurrency at a time,
// then sends whatever messages are still pending (from this tick or earlier ones).
func (d *Daemon) tick(ctx context.Context, scheduledFor time.Time, targets []Target) []Outcome {
	log := d.logger.With("scheduled_for", scheduledFor.Format(time.RFC3339))
	log.Info("tick started", "targets", len(targets))
	started := time.Now()
	outs := make([]Outcome, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			select {
			case d.sem <- struct{}{}:
			case <-ctx.Done():
				outs[i] = Outcome{Target: t.Name, Err: fmt.Errorf("not checked: %w", ctx.Err())}
				return
			}
			defer func() { <-d.sem }()
			outs[i] = d.checkTarget(ctx, log.With("target", t.Name), scheduledFor, t)
		})
	}
	wg.Wait()
	tried := map[string]bool{}
	for _, o := range outs {
		if o.Checked && o.Err == nil {
			tried[o.Target] = true
		}
	}
	d.flushAll(ctx, tried)
	checked := 0
	for _, o := range outs {
		if o.Checked {
			checked++
		}
	}
	log.Info("tick done", "checked", checked, "duration_ms", time.Since(started).Milliseconds())
	return outs
}

// checkTarget claims, checks, records and notifies one target.
func (d *Daemon) checkTarget(ctx context.Context, log *slog.Logger, scheduledFor time.Time, t Target) Outcome {
	out := Outcome{Target: t.Name}
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = d.opts.Timeout
	}
	run, ok, err := d.store.ClaimRun(ctx, t.Name, scheduledFor, d.replica, timeout+d.opts.ClaimGrace)
	if err != nil {
		out.Err = errors.New(d.redact(err.Error()))
		d.metrics.storeErrors.Inc("claim_run")
		log.Error("cannot claim the run; skipping the target until the next tick", "error", out.Err.Error())
		return out
	}
	if !ok {
		log.Debug("another replica has this tick of the target")
		return out
	}
	if run.Attempts > 1 {
		log.Warn("took over a run left unfinished by another replica", "attempt", run.Attempts)
	}

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
	out.Checked, out.Result = true, res
	d.metrics.checks.Inc(t.Name, string(res.Status))
	d.metrics.duration.Observe(res.Duration.Seconds(), t.Name)
	if res.Status == check.StatusError {
		log.Warn("check failed", "error", res.Error, "duration_ms", res.Duration.Milliseconds())
	} else {
		log.Info("checked", "status", res.Status, "findings", len(res.Findings), "duration_ms", res.Duration.Milliseconds())
	}

	rec, err := d.store.RecordResult(ctx, run, res, store.RecordOptions{FailureThreshold: d.opts.FailureThreshold})
	if err != nil {
		out.Err = errors.New(d.redact(err.Error()))
		d.metrics.storeErrors.Inc("record_result")
		log.Error("cannot record the result; the next tick checks again", "error", out.Err.Error())
		return out
	}
	out.Actions = rec.Actions
	for _, act := range rec.Actions {
		if act.Op == alert.OpTouch {
			continue
		}
		log.Info("alert "+string(act.Op), "kind", act.Alert.Kind, "object", act.Alert.Object,
			"severity", act.Alert.Severity, "notify", act.Notify, "reason", act.Reason)
	}
	if rec.Failures > 0 {
		log.Info("consecutive failed checks", "failures", rec.Failures)
	}
	d.notifyTarget(ctx, t.Name)
	return out
}

// safeCheck runs the checker, turning a panic into a failed check: one bad target must not
// take the daemon, and every other target's check, down with it.
func (d *Daemon) safeCheck(ctx context.Context, t check.Target) (res check.Result) {
	started := time.Now()
	defer func() {
		if p := recover(); p != nil {
			res = check.Result{Name: t.Name, Engine: t.Engine, Status: check.StatusError,
				Error: fmt.Sprintf("check panicked: %v", p), Started: started, Duration: time.Since(started)}
		}
		if res.Duration == 0 {
			res.Duration = time.Since(started)
		}
	}()
	return d.checker.CheckTarget(ctx, t)
}
