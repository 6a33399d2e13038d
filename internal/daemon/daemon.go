// Package daemon is `drift daemon`: it checks every target on a cron schedule, decides what
// each result means for the target's alerts, records both in the store, and tells Slack.
//
// The order of work is what makes it safe when nobody is watching:
//
//  1. claim (target, scheduled tick) in the store — exactly one replica wins, so several
//     replicas on one store check each target once per tick;
//  2. check the target under its own timeout;
//  3. decide the alerts (internal/alert, a pure function of the stored alerts, the findings and
//     the time) and record the result and the decisions in one transaction, with the messages
//     they call for left pending in the same rows: the outbox (store first);
//  4. the outbox, drained on its own loop and never inside a tick, claims the pending messages
//     of this process's targets, sends each with a bounded timeout, and marks it sent only once
//     Slack accepted it (notify after). A message that could not be sent stays pending and is
//     retried with exponential backoff; its claim keeps other replicas from sending it too.
//
// A replica killed mid-run leaves claims behind; they carry a time, and once older than the work
// could take, another replica takes them over — a run's claim within the same tick, when the tick
// is still in its window.
//
// All time comes from one injected clock (Options.Clock), so tests move time instead of
// sleeping; only waits on the network (a check, a Slack call, a store call) are bounded in real
// time, by context deadlines.
package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/clock"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/schedule"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/store"
)

// Checker checks one target. (*check.Runner) is the real one.
type Checker interface {
	CheckTarget(ctx context.Context, t check.Target) check.Result
}

// Notifier delivers messages: *slack.Webhook, *slack.Bot or *slack.LogNotifier.
type Notifier interface {
	// Post sends a new message, as a reply in thread when thread is not zero; it returns the
	// message's reference when the transport has one.
	Post(ctx context.Context, msg slack.Message, thread slack.Ref) (slack.Ref, error)
	// Update replaces a posted message.
	Update(ctx context.Context, ref slack.Ref, msg slack.Message) error
	// CanUpdate says whether Update and threads work.
	CanUpdate() bool
	// Delivers says whether a message Post accepted has reached people. The log notifier only
	// shows messages: the daemon then leaves them pending, for a process that has Slack.
	Delivers() bool
}

var (
	_ Checker  = (*check.Runner)(nil)
	_ Notifier = (*slack.Webhook)(nil)
	_ Notifier = (*slack.Bot)(nil)
	_ Notifier = (*slack.LogNotifier)(nil)
)

// Target is a target with its schedule.
type Target struct {
	check.Target
	// Schedule overrides Options.Schedule for this target.
	Schedule string
}

// Options configure a Daemon. They have no defaults here: cmd/drift fills every one from
// internal/config, where drift's defaults live, and New rejects a zero value.
type Options struct {
	Targets []Target
	// Schedule is a cron expression: five fields (minute precision) or six (seconds first), or
	// a descriptor such as @hourly. Evaluated in UTC unless prefixed with CRON_TZ=Area/City.
	// @every is refused: it is relative to each replica's start, so replicas would disagree on
	// the tick and each check every target.
	Schedule string
	// Concurrency bounds how many targets are checked at once.
	Concurrency int
	// Timeout bounds a target's check when its own Timeout is zero.
	Timeout time.Duration
	// FailureThreshold is how many consecutive failed checks raise a "cannot check" alert.
	FailureThreshold int
	// HTTPAddr serves the status page, /healthz, /readyz and /metrics (e.g. ":9090"); empty:
	// no server.
	HTTPAddr string
	// ShutdownTimeout bounds how long Run waits for running checks after ctx is cancelled;
	// after it, their contexts are cancelled too.
	ShutdownTimeout time.Duration
	// ReplicaID names this process in claims; empty: hostname-pid-random.
	ReplicaID string
	// CatchUp runs, at start, the latest tick each schedule had before now when it was not
	// completed (the process was down or was killed mid-run). Replicas that already did it are
	// not repeated: the claim is per tick.
	CatchUp bool
	// ClaimGrace is added to a target's timeout to decide that a run claim is stale.
	ClaimGrace time.Duration
	// NotifyTimeout bounds sending one target's messages; a notification claim older than
	// twice this is taken over.
	NotifyTimeout time.Duration
	// PostTimeout bounds one call to Slack. A call that times out may have been posted all the
	// same, so it is not repeated before the next backoff step.
	PostTimeout time.Duration
	// RetryBackoff is the wait after a message's first failed delivery; it doubles with each
	// further failure, up to RetryBackoffMax (a longer Retry-After from Slack is honoured).
	RetryBackoff    time.Duration
	RetryBackoffMax time.Duration
	// Message tunes the Slack messages: the environment label (also on the status page), the
	// status page's public URL they link to.
	Message slack.Options
	// PostInfo posts messages about findings of severity info too. Without it they are stored
	// and shown on the status page, but never posted (unless an earlier message announced
	// them: their resolution is still told).
	PostInfo bool
	// Redactor is the process's redaction point: every error and log line passes it (the
	// targets' DSNs are added); nil removes the targets' DSNs and password-shaped text only.
	Redactor *redact.Redactor
	// Clock is the daemon's one source of time; nil means the wall clock.
	Clock clock.Clock
}

// Daemon is a configured daemon. Create it with New.
type Daemon struct {
	opts     Options
	clock    clock.Clock
	store    *store.Store
	checker  Checker
	notifier Notifier
	logger   *slog.Logger
	replica  string
	redactor *redact.Redactor
	groups   []*group
	names    []string // every target's name: the outbox sends only for these
	sem      chan struct{}
	metrics  *metricSet
	running  sync.WaitGroup
	// wake tells the outbox that a tick left messages to send.
	wake chan struct{}
	// sent remembers, by idempotency key, the messages Slack accepted that the store has not
	// recorded as sent yet (it was unreachable), so this process never posts them again.
	sent sync.Map // key → slack.Ref
	// shown remembers the keys of messages already shown by a notifier that does not deliver.
	shown sync.Map
}

// group is the targets sharing one schedule.
type group struct {
	spec    string
	sched   cron.Schedule
	targets []Target
	busy    atomic.Bool
}

// ParseSchedule parses a schedule as the daemon runs it (internal/schedule, which config
// validation uses too).
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := schedule.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	return s, nil
}

// New validates the options and builds a daemon. The store must be migrated already.
func New(opts Options, st *store.Store, checker Checker, notifier Notifier, logger *slog.Logger) (*Daemon, error) {
	if st == nil || checker == nil || notifier == nil {
		return nil, errors.New("daemon: store, checker and notifier are required")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.ReplicaID == "" {
		opts.ReplicaID = defaultReplicaID()
	}
	d := &Daemon{opts: opts, clock: clock.Or(opts.Clock), store: st, checker: checker, notifier: notifier,
		replica: opts.ReplicaID, sem: make(chan struct{}, opts.Concurrency), metrics: newMetrics(),
		wake: make(chan struct{}, 1)}
	d.logger = logger.With("replica", d.replica)
	d.redactor = opts.Redactor
	byName := map[string]bool{}
	bySpec := map[string]*group{}
	for _, t := range opts.Targets {
		if t.Name == "" {
			return nil, errors.New("daemon: a target has no name")
		}
		if byName[t.Name] {
			return nil, fmt.Errorf("daemon: target %q is listed twice", t.Name)
		}
		byName[t.Name] = true
		d.names = append(d.names, t.Name)
		if t.DSN != "" {
			d.redactor = d.redactor.With(t.DSN)
		}
		spec := t.Schedule
		if spec == "" {
			spec = opts.Schedule
		}
		g, ok := bySpec[spec]
		if !ok {
			sched, err := ParseSchedule(spec)
			if err != nil {
				return nil, fmt.Errorf("daemon: target %s: %w", t.Name, err)
			}
			g = &group{spec: spec, sched: sched}
			bySpec[spec] = g
			d.groups = append(d.groups, g)
		}
		g.targets = append(g.targets, t)
	}
	return d, nil
}

// validate rejects options left zero: a missing value is a wiring mistake, and filling it in
// here would be a second set of defaults disagreeing with the documented one.
func (o Options) validate() error {
	var missing []string
	for _, f := range []struct {
		name string
		zero bool
	}{
		{"schedule", o.Schedule == ""},
		{"concurrency", o.Concurrency <= 0},
		{"timeout", o.Timeout <= 0},
		{"failure threshold", o.FailureThreshold <= 0},
		{"shutdown timeout", o.ShutdownTimeout <= 0},
		{"claim grace", o.ClaimGrace <= 0},
		{"notify timeout", o.NotifyTimeout <= 0},
		{"post timeout", o.PostTimeout <= 0},
		{"retry backoff", o.RetryBackoff <= 0},
		{"maximum retry backoff", o.RetryBackoffMax < o.RetryBackoff},
	} {
		if f.zero {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("daemon: options without a valid value: %s (cmd/drift takes them from internal/config)", strings.Join(missing, ", "))
	}
	return nil
}

// ReplicaID is the name this daemon claims work under.
func (d *Daemon) ReplicaID() string { return d.replica }

// Run serves the operations endpoints, drains the outbox and runs every schedule until ctx is
// cancelled, then waits up to ShutdownTimeout for running checks and the messages they left
// before cancelling them. It returns an error only when it cannot start (the HTTP address is
// taken).
func (d *Daemon) Run(ctx context.Context) error {
	var srv *http.Server
	if d.opts.HTTPAddr != "" {
		ln, err := net.Listen("tcp", d.opts.HTTPAddr)
		if err != nil {
			return fmt.Errorf("listening on %s: %w", d.opts.HTTPAddr, err)
		}
		srv = &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.logger.Error("operations server stopped", "error", err)
			}
		}()
		d.logger.Info("operations server listening", "address", ln.Addr().String())
	}

	// Checks and sends run on a context that outlives ctx by up to ShutdownTimeout: a SIGTERM
	// lets the running checks finish and record, instead of throwing their work away.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	d.logger.Info("daemon started", "targets", len(d.opts.Targets), "schedules", len(d.groups), "concurrency", d.opts.Concurrency)
	// The outbox starts with the messages left pending by an earlier process, and outlives the
	// schedules until the running checks are done.
	outboxCtx, stopOutbox := context.WithCancel(work)
	defer stopOutbox()
	var outbox sync.WaitGroup
	outbox.Go(func() { d.outboxLoop(outboxCtx, work) })
	var loops sync.WaitGroup
	for _, g := range d.groups {
		loops.Go(func() { d.loop(ctx, work, g) })
	}
	<-ctx.Done()
	loops.Wait()
	d.logger.Info("shutting down: waiting for running checks", "timeout", d.opts.ShutdownTimeout.String())

	// Within the shutdown timeout: the running checks finish and record, the outbox sends what
	// they recorded, and a message in flight is finished or released.
	done := make(chan struct{})
	go func() {
		d.running.Wait()
		stopOutbox()
		outbox.Wait()
		if work.Err() == nil {
			d.drain(work, work)
		}
		close(done)
	}()
	deadline := d.clock.NewTimer(d.opts.ShutdownTimeout)
	select {
	case <-done:
		deadline.Stop()
	case <-deadline.C():
		d.logger.Warn("running checks did not finish in time; cancelling them")
		cancelWork()
		<-done
	}
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	d.logger.Info("daemon stopped")
	return nil
}

// loop fires g's ticks until ctx is done. Each tick may keep watching, until the next one is
// due, for runs that another replica claimed and abandoned.
func (d *Daemon) loop(ctx, work context.Context, g *group) {
	if d.opts.CatchUp {
		if prev := previous(g.sched, d.clock.Now().UTC()); !prev.IsZero() {
			d.start(ctx, work, g, prev)
		}
	}
	for {
		now := d.clock.Now()
		next := g.sched.Next(now.UTC())
		if next.IsZero() {
			d.logger.Error("schedule never fires again", "schedule", g.spec)
			return
		}
		timer := d.clock.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C():
		}
		d.start(ctx, work, g, next)
	}
}

// start runs one tick of g in the background, unless the previous one is still running.
func (d *Daemon) start(ctx, work context.Context, g *group, scheduledFor time.Time) {
	if !g.busy.CompareAndSwap(false, true) {
		d.metrics.ticksSkipped.Inc(g.spec)
		d.logger.Warn("previous run still going; skipping this tick", "schedule", g.spec, "scheduled_for", scheduledFor)
		return
	}
	w := window{until: g.sched.Next(scheduledFor), stop: ctx.Done()}
	d.running.Go(func() {
		defer g.busy.Store(false)
		d.tick(work, scheduledFor, w, g.targets)
	})
}

// previous returns the latest activation of s at or before now, or zero when there is none in
// the past year.
func previous(s cron.Schedule, now time.Time) time.Time {
	for back := time.Minute; back <= 366*24*time.Hour; back *= 2 {
		t := s.Next(now.Add(-back))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			n := s.Next(t)
			if n.IsZero() || n.After(now) {
				return t
			}
			t = n
		}
	}
	return time.Time{}
}

// RunOnce checks every target once, as one tick scheduled now, then drains the outbox of its
// targets once (bounded by NotifyTimeout), and returns what happened to each target, in
// configuration order. It is `drift daemon --once`, for a Kubernetes CronJob or a crontab.
func (d *Daemon) RunOnce(ctx context.Context) []Outcome {
	var all []Target
	for _, g := range d.groups {
		all = append(all, g.targets...)
	}
	outs := d.tick(ctx, d.clock.Now().UTC().Truncate(time.Microsecond), window{}, all)
	dctx, cancel := context.WithTimeout(ctx, d.opts.NotifyTimeout)
	d.drain(dctx, dctx)
	cancel()
	order := map[string]int{}
	for i, t := range d.opts.Targets {
		order[t.Name] = i
	}
	sorted := make([]Outcome, len(outs))
	for _, o := range outs {
		sorted[order[o.Target]] = o
	}
	return sorted
}

// redact removes every known secret from s.
func (d *Daemon) redact(s string) string { return d.redactor.String(s) }

func defaultReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "drift"
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
