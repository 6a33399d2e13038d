// Package progress shows what a long run is doing — a migration replay, a download, the
// introspection of thousands of tables — on one line of a terminal, redrawn in place with the
// time elapsed. It shows nothing at all when the output is not a terminal: a log file or a CI
// job gets no carriage returns and no escape codes.
//
// It needs no hooks in the code that does the work: it listens to the log records that code
// already writes (at every level, debug included) and shows the latest one, while the records
// at the configured log level are still written as usual, each on a line of its own.
package progress

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Line is a status line on a terminal. The zero value and a nil *Line do nothing.
type Line struct {
	w       io.Writer
	width   int
	mu      sync.Mutex
	text    string
	started time.Time
	drawn   bool
	stop    chan struct{}
	done    chan struct{}
}

// IsTerminal reports whether w is a terminal (a character device), and the environment does
// not say the terminal is dumb.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// New returns a line writing to w, or nil (which does nothing) when w is not a terminal.
func New(w io.Writer) *Line {
	if !IsTerminal(w) {
		return nil
	}
	return &Line{w: w, width: 100}
}

// Start begins redrawing the line (the elapsed time moves even when nothing is logged) until
// Stop.
func (l *Line) Start(what string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.text, l.started = what, time.Now()
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	l.mu.Unlock()
	go func() {
		defer close(l.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				l.mu.Lock()
				l.draw()
				l.mu.Unlock()
			}
		}
	}()
}

// Stop clears the line and stops redrawing it.
func (l *Line) Stop() {
	if l == nil || l.stop == nil {
		return
	}
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clear()
	l.stop = nil
}

// Set replaces what the line says.
func (l *Line) Set(text string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.text = text
	if l.stop != nil {
		l.draw()
	}
}

// draw redraws the line; l.mu is held.
func (l *Line) draw() {
	s := fmt.Sprintf("%s · %s", l.text, elapsed(time.Since(l.started)))
	if utf8.RuneCountInString(s) > l.width {
		r := []rune(s)
		s = string(r[:l.width-1]) + "…"
	}
	// Carriage return and "erase line": this is only ever written to a terminal.
	fmt.Fprintf(l.w, "\r\x1b[2K%s", s)
	l.drawn = true
}

// clear erases the line; l.mu is held.
func (l *Line) clear() {
	if l.drawn {
		fmt.Fprint(l.w, "\r\x1b[2K")
		l.drawn = false
	}
}

func elapsed(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.0fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// Handler returns a log handler that shows every record on the line and passes the records
// next wants to next, clearing the line first so a log line never lands in the middle of it.
// With a nil line it is next itself.
func (l *Line) Handler(next slog.Handler) slog.Handler {
	if l == nil {
		return next
	}
	return &handler{line: l, next: next}
}

type handler struct {
	line  *Line
	next  slog.Handler
	attrs []slog.Attr
}

func (h *handler) Enabled(context.Context, slog.Level) bool { return true }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	h.line.Set(describe(r, h.attrs))
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	h.line.mu.Lock()
	defer h.line.mu.Unlock()
	h.line.clear()
	return h.next.Handle(ctx, r)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &handler{line: h.line, next: h.next.WithAttrs(attrs), attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{line: h.line, next: h.next.WithGroup(name), attrs: h.attrs}
}

// shown are the attributes worth a place on the line, in order.
var shown = []string{"file", "database", "major", "migrations", "tables", "objects"}

// describe renders a record for the line: "app: replayed migration · file=0003_orders.up.sql".
func describe(r slog.Record, attrs []slog.Attr) string {
	vals := map[string]string{}
	collect := func(a slog.Attr) bool {
		vals[a.Key] = a.Value.Resolve().String()
		return true
	}
	for _, a := range attrs {
		collect(a)
	}
	r.Attrs(collect)
	var b strings.Builder
	if t := vals["target"]; t != "" {
		b.WriteString(t + ": ")
	}
	b.WriteString(r.Message)
	for _, k := range shown {
		if v, ok := vals[k]; ok && v != "" {
			fmt.Fprintf(&b, " · %s=%s", k, v)
		}
	}
	return strings.ReplaceAll(b.String(), "\n", " ")
}
