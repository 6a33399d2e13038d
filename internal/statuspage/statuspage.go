// Package statuspage is the daemon's status page: every target with its engine, schedule and
// last run, the open alerts by severity, and each alert with every detail — as server-rendered
// HTML (no JavaScript, readable on a phone) and as the same data in JSON.
//
// Everything it shows is read from the store at request time, never from the memory of the
// replica that serves it, so every replica behind a load balancer shows the same page.
package statuspage

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/store"
)

// Source is what the page reads: *store.Store.
type Source interface {
	LatestRuns(ctx context.Context, targets []string) (map[string]store.Run, error)
	Alerts(ctx context.Context, f store.AlertFilter) ([]alert.Alert, error)
	Alert(ctx context.Context, id int64) (alert.Alert, error)
}

var _ Source = (*store.Store)(nil)

// Target is a configured target as the page describes it.
type Target struct {
	Name     string
	Engine   string
	Schedule string
}

// Options configure the page.
type Options struct {
	// Environment labels the page ("production"); empty: none.
	Environment string
	// Targets are the configured targets, in configuration order. Targets that only the store
	// knows (alerts of a target no longer configured) are shown after them.
	Targets []Target
	// Redact removes secrets from text before it is shown; nil shows text as stored (the store
	// holds redacted text already; this is the last line of defence).
	Redact func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives read failures.
	Logger *slog.Logger
}

// Page serves the status page. Create it with New and mount it with Register.
type Page struct {
	src  Source
	opts Options
	tmpl *template.Template
}

//go:embed templates/*.html
var templates embed.FS

// New builds the page.
func New(src Source, opts Options) *Page {
	if opts.Redact == nil {
		opts.Redact = func(s string) string { return s }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	funcs := template.FuncMap{
		"ago":      func(t time.Time) string { return ago(opts.Now(), t) },
		"stamp":    stamp,
		"duration": duration,
		"millis":   func(ms int64) string { return duration(time.Duration(ms) * time.Millisecond) },
		"diffLine": diffClass,
		"lines":    func(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") },
		"title":    func(s string) string { return strings.ToUpper(s[:min(1, len(s))]) + s[min(1, len(s)):] },
	}
	tmpl := template.Must(template.New("").Funcs(funcs).ParseFS(templates, "templates/*.html"))
	return &Page{src: src, opts: opts, tmpl: tmpl}
}

// Register mounts the page on mux: / and /alerts/{id} (HTML), /api/v1/status and
// /api/v1/alerts/{id} (JSON).
func (p *Page) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", p.index)
	mux.HandleFunc("GET /alerts/{id}", p.alertPage)
	mux.HandleFunc("GET /api/v1/status", p.statusJSON)
	mux.HandleFunc("GET /api/v1/alerts/{id}", p.alertJSON)
}

// readTimeout bounds the store reads of one request.
const readTimeout = 10 * time.Second

func (p *Page) index(w http.ResponseWriter, r *http.Request) {
	st, err := p.Status(r.Context())
	if err != nil {
		p.unavailable(w, err, false)
		return
	}
	p.render(w, "index.html", st)
}

func (p *Page) statusJSON(w http.ResponseWriter, r *http.Request) {
	st, err := p.Status(r.Context())
	if err != nil {
		p.unavailable(w, err, true)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (p *Page) alertPage(w http.ResponseWriter, r *http.Request) {
	a, code, err := p.alert(r)
	if err != nil {
		if code == http.StatusServiceUnavailable {
			p.unavailable(w, err, false)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(code)
		p.render(w, "notfound.html", map[string]any{"Environment": p.opts.Environment, "Message": err.Error()})
		return
	}
	p.render(w, "alert.html", map[string]any{"Environment": p.opts.Environment, "Alert": a, "GeneratedAt": p.opts.Now().UTC()})
}

func (p *Page) alertJSON(w http.ResponseWriter, r *http.Request) {
	a, code, err := p.alert(r)
	if err != nil {
		if code == http.StatusServiceUnavailable {
			p.unavailable(w, err, true)
			return
		}
		writeJSON(w, code, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// alert reads the alert the request names, with an HTTP status for a failure.
func (p *Page) alert(r *http.Request) (Alert, int, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return Alert{}, http.StatusNotFound, errors.New("no such alert: an alert ID is a positive number")
	}
	ctx, cancel := context.WithTimeout(r.Context(), readTimeout)
	defer cancel()
	a, err := p.src.Alert(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Alert{}, http.StatusNotFound, errors.New("no such alert: " + strconv.FormatInt(id, 10))
	}
	if err != nil {
		return Alert{}, http.StatusServiceUnavailable, err
	}
	return p.fullAlert(a), http.StatusOK, nil
}

func (p *Page) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// No script runs on these pages, and nothing on them may be framed or sniffed.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := p.tmpl.ExecuteTemplate(w, name, data); err != nil {
		p.opts.Logger.Error("rendering the status page", "page", name, "error", err)
	}
}

// unavailable answers 503 when the store cannot be read: the page never shows stale state.
func (p *Page) unavailable(w http.ResponseWriter, err error, asJSON bool) {
	msg := p.opts.Redact(err.Error())
	p.opts.Logger.Warn("status page: cannot read the store", "error", msg)
	if asJSON {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the store cannot be read: " + msg})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	p.render(w, "notfound.html", map[string]any{"Environment": p.opts.Environment, "Message": "The store cannot be read right now: " + msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Status is the whole page's data, as /api/v1/status serves it.
type Status struct {
	Environment string       `json:"environment,omitempty"`
	GeneratedAt time.Time    `json:"generated_at"`
	Targets     []TargetView `json:"targets"`
}

// TargetView is one target on the page.
type TargetView struct {
	Name       string   `json:"name"`
	Engine     string   `json:"engine"`
	Schedule   string   `json:"schedule"`
	Configured bool     `json:"configured"`
	LastRun    *RunView `json:"last_run"`
	// OpenAlerts are the live alerts not acknowledged, worst first; Acknowledged the others.
	OpenAlerts   []Alert `json:"open_alerts"`
	Acknowledged []Alert `json:"acknowledged_alerts"`
}

// Counts returns the open alerts by severity, worst first, for the page's badges.
func (t TargetView) Counts() []SeverityCount {
	var out []SeverityCount
	for _, sev := range []diff.Severity{diff.Critical, diff.Warning, diff.Info} {
		n := 0
		for _, a := range t.OpenAlerts {
			if a.Severity == string(sev) {
				n++
			}
		}
		if n > 0 {
			out = append(out, SeverityCount{Severity: string(sev), Count: n})
		}
	}
	return out
}

// SeverityCount is a number of alerts of one severity.
type SeverityCount struct {
	Severity string
	Count    int
}

// RunView is a target's latest run.
type RunView struct {
	ScheduledFor time.Time `json:"scheduled_for"`
	StartedAt    time.Time `json:"started_at"`
	// FinishedAt is null while the run is in progress.
	FinishedAt *time.Time `json:"finished_at"`
	DurationMS int64      `json:"duration_ms"`
	// Status is clean, drift, pending, error or running.
	Status   string `json:"status"`
	Error    string `json:"error,omitempty"`
	Findings int    `json:"findings"`
	Critical int    `json:"critical"`
	Warning  int    `json:"warning"`
	Info     int    `json:"info"`
	Pending  int    `json:"pending_migrations"`
	Replica  string `json:"replica"`
}

// Alert is one alert with its finding: the list entry on the index, every detail on its page.
type Alert struct {
	ID        int64      `json:"id"`
	Target    string     `json:"target"`
	Severity  string     `json:"severity"`
	Status    string     `json:"status"`
	FirstSeen time.Time  `json:"first_seen"`
	LastSeen  time.Time  `json:"last_seen"`
	Resolved  *time.Time `json:"resolved_at,omitempty"`
	// Acknowledgement, when there is one.
	AckBy     string     `json:"acknowledged_by,omitempty"`
	AckReason string     `json:"acknowledged_reason,omitempty"`
	AckUntil  *time.Time `json:"acknowledged_until,omitempty"`
	// Notification says where the alert's message is: "sent", "pending", "not sent" (info
	// findings, unless configured).
	Notification string    `json:"notification"`
	Findings     []Finding `json:"findings"`
}

// Finding is what drifted. Expected, Actual and Diff are filled on the alert's own page and
// API, not in the status list.
type Finding struct {
	Kind     string `json:"kind"`
	Object   string `json:"object"`
	Change   string `json:"change"`
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	Diff     string `json:"diff,omitempty"`
	// Fix is the statements that revert the drift (never run by drift).
	Fix         string `json:"fix,omitempty"`
	Fingerprint string `json:"fingerprint"`
}

// Status reads the state of every target from the store.
func (p *Page) Status(ctx context.Context) (Status, error) {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	st := Status{Environment: p.opts.Environment, GeneratedAt: p.opts.Now().UTC().Truncate(time.Second), Targets: []TargetView{}}
	live, err := p.src.Alerts(ctx, store.AlertFilter{Statuses: []alert.Status{alert.Open, alert.Acknowledged}, Limit: 100_000})
	if err != nil {
		return Status{}, err
	}
	byTarget := map[string]*TargetView{}
	var names []string
	for _, t := range p.opts.Targets {
		byTarget[t.Name] = &TargetView{Name: t.Name, Engine: t.Engine, Schedule: t.Schedule, Configured: true}
		names = append(names, t.Name)
	}
	var others []string
	for _, a := range live {
		tv, ok := byTarget[a.Target]
		if !ok {
			tv = &TargetView{Name: a.Target}
			byTarget[a.Target] = tv
			others = append(others, a.Target)
		}
		v := p.listAlert(a)
		if a.Status == alert.Acknowledged {
			tv.Acknowledged = append(tv.Acknowledged, v)
		} else {
			tv.OpenAlerts = append(tv.OpenAlerts, v)
		}
	}
	sort.Strings(others)
	names = append(names, others...)
	runs, err := p.src.LatestRuns(ctx, names)
	if err != nil {
		return Status{}, err
	}
	for _, n := range names {
		tv := byTarget[n]
		if r, ok := runs[n]; ok {
			tv.LastRun = p.runView(r)
		}
		if tv.OpenAlerts == nil {
			tv.OpenAlerts = []Alert{}
		}
		if tv.Acknowledged == nil {
			tv.Acknowledged = []Alert{}
		}
		st.Targets = append(st.Targets, *tv)
	}
	return st, nil
}

func (p *Page) runView(r store.Run) *RunView {
	v := &RunView{ScheduledFor: r.ScheduledFor, StartedAt: r.StartedAt, DurationMS: r.Duration.Milliseconds(),
		Status: string(r.Status), Error: p.opts.Redact(r.Error), Findings: r.Findings, Critical: r.Critical,
		Warning: r.Warning, Info: r.Info, Pending: r.Pending, Replica: r.ReplicaID}
	if !r.FinishedAt.IsZero() {
		f := r.FinishedAt
		v.FinishedAt = &f
	}
	return v
}

// listAlert is an alert as the status list shows it: what drifted, without the definitions.
func (p *Page) listAlert(a alert.Alert) Alert {
	v := Alert{ID: a.ID, Target: a.Target, Severity: string(a.Severity), Status: string(a.Status),
		FirstSeen: a.FirstSeen, LastSeen: a.LastSeen, AckBy: a.AckBy, AckReason: p.opts.Redact(a.AckReason),
		Notification: notification(a)}
	if !a.ResolvedAt.IsZero() {
		t := a.ResolvedAt
		v.Resolved = &t
	}
	if !a.AckUntil.IsZero() {
		t := a.AckUntil
		v.AckUntil = &t
	}
	v.Findings = []Finding{{Kind: a.Kind, Object: a.Object, Change: string(a.Change), Severity: string(a.Severity),
		Summary: p.opts.Redact(a.Summary), Fingerprint: a.Fingerprint}}
	return v
}

// fullAlert is an alert with its definitions, for its own page.
func (p *Page) fullAlert(a alert.Alert) Alert {
	v := p.listAlert(a)
	f := &v.Findings[0]
	f.Expected, f.Actual, f.Diff = p.opts.Redact(a.Expected), p.opts.Redact(a.Actual), p.opts.Redact(a.Diff)
	if a.Status != alert.Resolved {
		f.Fix = p.opts.Redact(a.Fix)
	}
	return v
}

func notification(a alert.Alert) string {
	switch {
	case a.Pending != "" && a.Pending != alert.NotifyNone:
		return "pending"
	case !a.NotifiedAt.IsZero():
		return "sent"
	}
	return "not sent"
}

// ago renders how long before now t was, coarsely ("3 h ago").
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + duration(-d)
	case d < time.Minute:
		return "just now"
	}
	return duration(d) + " ago"
}

// duration renders a duration coarsely: 850 ms, 12 s, 4 min, 3 h, 2 d.
func duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h"
	}
	return strconv.Itoa(int(d.Hours()/24)) + " d"
}

func stamp(t any) string {
	switch t := t.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	case *time.Time:
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return ""
}

// diffClass styles a line of a line diff by its marker.
func diffClass(line string) string {
	switch {
	case strings.HasPrefix(line, "+"):
		return "add"
	case strings.HasPrefix(line, "-"):
		return "del"
	}
	return "ctx"
}
