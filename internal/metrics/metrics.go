// Package metrics keeps a handful of counters, gauges and histograms and writes them in the
// Prometheus text exposition format (version 0.0.4).
//
// It exists instead of prometheus/client_golang because the daemon exports about ten series
// families and needs nothing else from that library (no push, no protobuf, no process
// collectors), while the library would add half a dozen modules to the build. The text format
// is small and stable; the tests pin it with a golden file.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Registry holds metric families and writes them in registration order.
type Registry struct {
	mu       sync.Mutex
	families []*family
	names    map[string]bool
}

type family struct {
	name, help, typ string
	labels          []string
	buckets         []float64 // histograms only
	series          map[string]*series
}

type series struct {
	labelValues []string
	value       float64  // counters and gauges
	counts      []uint64 // histograms: per bucket, not cumulative
	sum         float64
	count       uint64
}

// New returns an empty registry.
func New() *Registry { return &Registry{names: map[string]bool{}} }

func (r *Registry) register(name, help, typ string, labels []string, buckets []float64) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[name] {
		panic("metrics: duplicate metric " + name)
	}
	r.names[name] = true
	f := &family{name: name, help: help, typ: typ, labels: labels, buckets: buckets, series: map[string]*series{}}
	r.families = append(r.families, f)
	return f
}

// get returns the series of f with the given label values; the caller holds r.mu.
func (f *family) get(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s wants %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	s, ok := f.series[key]
	if !ok {
		s = &series{labelValues: append([]string(nil), values...)}
		if f.typ == "histogram" {
			s.counts = make([]uint64, len(f.buckets))
		}
		f.series[key] = s
	}
	return s
}

// Counter is a monotonically increasing count per label set.
type Counter struct {
	r *Registry
	f *family
}

// Counter registers a counter family. By convention its name ends in _total.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	return &Counter{r: r, f: r.register(name, help, "counter", labels, nil)}
}

// Add adds v (which must not be negative) to the series with the given label values.
func (c *Counter) Add(v float64, labelValues ...string) {
	if v < 0 {
		panic("metrics: counter " + c.f.name + " cannot decrease")
	}
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.f.get(labelValues).value += v
}

// Inc adds one.
func (c *Counter) Inc(labelValues ...string) { c.Add(1, labelValues...) }

// Gauge is a value that goes up and down, per label set.
type Gauge struct {
	r *Registry
	f *family
}

// Gauge registers a gauge family.
func (r *Registry) Gauge(name, help string, labels ...string) *Gauge {
	return &Gauge{r: r, f: r.register(name, help, "gauge", labels, nil)}
}

// Set sets the series with the given label values.
func (g *Gauge) Set(v float64, labelValues ...string) {
	g.r.mu.Lock()
	defer g.r.mu.Unlock()
	g.f.get(labelValues).value = v
}

// Reset drops every series, for gauges recomputed from a source of truth on each scrape (a
// target that disappeared must not linger).
func (g *Gauge) Reset() {
	g.r.mu.Lock()
	defer g.r.mu.Unlock()
	g.f.series = map[string]*series{}
}

// Histogram counts observations in buckets, per label set.
type Histogram struct {
	r *Registry
	f *family
}

// DurationBuckets suit check durations in seconds: from a fast catalog read to a slow replay.
var DurationBuckets = []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// Histogram registers a histogram family with the given upper bounds (sorted ascending; +Inf
// is implied).
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *Histogram {
	b := append([]float64(nil), buckets...)
	sort.Float64s(b)
	return &Histogram{r: r, f: r.register(name, help, "histogram", labels, b)}
}

// Observe records one value.
func (h *Histogram) Observe(v float64, labelValues ...string) {
	h.r.mu.Lock()
	defer h.r.mu.Unlock()
	s := h.f.get(labelValues)
	for i, ub := range h.f.buckets {
		if v <= ub {
			s.counts[i]++
			break
		}
	}
	s.sum += v
	s.count++
}

// WriteText writes every family in the text exposition format. Series are sorted by label
// values, so the output never depends on map order.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	bw := bufio.NewWriter(w)
	for _, f := range r.families {
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.typ)
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s := f.series[k]
			if f.typ != "histogram" {
				fmt.Fprintf(bw, "%s%s %s\n", f.name, labelText(f.labels, s.labelValues, "", ""), formatValue(s.value))
				continue
			}
			var cum uint64
			for i, ub := range f.buckets {
				cum += s.counts[i]
				fmt.Fprintf(bw, "%s_bucket%s %d\n", f.name, labelText(f.labels, s.labelValues, "le", formatValue(ub)), cum)
			}
			fmt.Fprintf(bw, "%s_bucket%s %d\n", f.name, labelText(f.labels, s.labelValues, "le", "+Inf"), s.count)
			fmt.Fprintf(bw, "%s_sum%s %s\n", f.name, labelText(f.labels, s.labelValues, "", ""), formatValue(s.sum))
			fmt.Fprintf(bw, "%s_count%s %d\n", f.name, labelText(f.labels, s.labelValues, "", ""), s.count)
		}
	}
	return bw.Flush()
}

// Handler serves the registry; before is called first on each scrape (nil: nothing), to
// refresh gauges computed from elsewhere.
func (r *Registry) Handler(before func(*http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if before != nil {
			before(req)
		}
		w.Header().Set("Content-Type", ContentType)
		_ = r.WriteText(w)
	})
}

func labelText(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(escapeLabel(values[i]))
		b.WriteByte('"')
	}
	if extraName != "" {
		if len(names) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(extraName)
		b.WriteString(`="`)
		b.WriteString(extraValue)
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
