package daemon

import (
	"context"
	"net/http"
	"time"

	"github.com/drift-schema/drift/internal/metrics"
	"github.com/drift-schema/drift/internal/statuspage"
)

// storeCallTimeout bounds store calls made outside a tick's context (readiness, metrics,
// recording a send after its context ran out).
const storeCallTimeout = 10 * time.Second

// metricSet is what the daemon exports on /metrics. Counters and the duration histogram count
// this replica's work; the gauges come from the store at scrape time, so every replica reports
// the same alert state.
type metricSet struct {
	reg            *metrics.Registry
	checks         *metrics.Counter
	duration       *metrics.Histogram
	notifications  *metrics.Counter
	notifyFailures *metrics.Counter
	ticksSkipped   *metrics.Counter
	storeErrors    *metrics.Counter
	openFindings   *metrics.Gauge
	ackFindings    *metrics.Gauge
	lastSuccess    *metrics.Gauge
	cannotCheck    *metrics.Gauge
	storeUp        *metrics.Gauge
}

func newMetrics() *metricSet {
	r := metrics.New()
	return &metricSet{
		reg:            r,
		checks:         r.Counter("drift_checks_total", "Checks run by this replica, by target and status (clean, drift, pending, error).", "target", "status"),
		duration:       r.Histogram("drift_check_duration_seconds", "Duration of one target's check.", metrics.DurationBuckets, "target"),
		notifications:  r.Counter("drift_notifications_sent_total", "Messages delivered by this replica, by kind (drift, resolution).", "kind"),
		notifyFailures: r.Counter("drift_notification_failures_total", "Failed message deliveries (left pending and retried after a backoff), by kind and whether the error was retryable.", "kind", "retryable"),
		ticksSkipped:   r.Counter("drift_ticks_skipped_total", "Ticks skipped because the previous run of the same schedule was still going.", "schedule"),
		storeErrors:    r.Counter("drift_store_errors_total", "Store operations that failed, by operation.", "op"),
		openFindings:   r.Gauge("drift_open_findings", "Open (unacknowledged) drift alerts, by target and severity.", "target", "severity"),
		ackFindings:    r.Gauge("drift_acknowledged_findings", "Acknowledged drift alerts still present, by target and severity.", "target", "severity"),
		lastSuccess:    r.Gauge("drift_last_successful_check_timestamp_seconds", "Unix time of the last check of the target that could be done (any replica).", "target"),
		cannotCheck:    r.Gauge("drift_cannot_check", "1 while the target has a live \"cannot check\" alert (too many consecutive failed checks).", "target"),
		storeUp:        r.Gauge("drift_store_up", "1 when the store answered the last scrape's queries."),
	}
}

// Handler serves the status page (/, /alerts/{id}, and the same as JSON under /api/v1/) and the
// operations endpoints: /healthz (the process is up), /readyz (the store answers) and /metrics
// (Prometheus text format). Everything but /healthz is read from the store, so every replica
// answers the same.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	var targets []statuspage.Target
	for _, t := range d.opts.Targets {
		spec := t.Schedule
		if spec == "" {
			spec = d.opts.Schedule
		}
		targets = append(targets, statuspage.Target{Name: t.Name, Engine: t.Engine, Schedule: spec})
	}
	statuspage.New(d.store, statuspage.Options{Environment: d.opts.Message.Environment, Targets: targets,
		Redact: d.redact, Now: d.clock.Now, Logger: d.logger}).Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := d.store.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("store unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", d.metrics.reg.Handler(func(r *http.Request) { d.refreshGauges(r.Context()) }))
	return mux
}

// refreshGauges recomputes the store-derived gauges.
func (d *Daemon) refreshGauges(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, storeCallTimeout)
	defer cancel()
	st, err := d.store.Stats(ctx)
	m := d.metrics
	if err != nil {
		m.storeUp.Set(0)
		m.storeErrors.Inc("stats")
		d.logger.Warn("cannot read alert counts for /metrics", "error", d.redact(err.Error()))
		return
	}
	m.storeUp.Set(1)
	m.openFindings.Reset()
	m.ackFindings.Reset()
	m.cannotCheck.Reset()
	// Every target's series exist from the first scrape, at 0 while nothing is open: an alert
	// rule on drift_open_findings > 0 needs a series to compare, and a missing one is not zero.
	for _, target := range d.names {
		for _, sev := range []string{"critical", "warning", "info"} {
			m.openFindings.Set(0, target, sev)
			m.ackFindings.Set(0, target, sev)
		}
		m.cannotCheck.Set(0, target)
	}
	for _, c := range st.Live {
		switch {
		case c.CheckError:
			m.cannotCheck.Set(1, c.Target)
		case c.Status == "acknowledged":
			m.ackFindings.Set(float64(c.Count), c.Target, c.Severity)
		default:
			m.openFindings.Set(float64(c.Count), c.Target, c.Severity)
		}
	}
	m.lastSuccess.Reset()
	for target, at := range st.LastSuccess {
		m.lastSuccess.Set(float64(at.UnixMilli())/1000, target)
	}
}
