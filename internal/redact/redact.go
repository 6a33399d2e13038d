// Package redact removes secrets from text that is about to leave the process: error messages,
// log lines, reports and Slack messages. Callers pass the secrets they know of; passwords inside
// URL-shaped connection strings are removed even when the caller did not list them.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
)

// Placeholder replaces every secret.
const Placeholder = "<secret>"

// urlPassword matches the password of user:password@host wherever it stands: in a URL
// (scheme://user:password@host), in a malformed one (postgres//user:password@host,
// postgres:/user:password@host) or bare. The password runs to the last @ of the word, so a
// password holding an unescaped @ is removed whole.
var urlPassword = regexp.MustCompile(`([^\s:/@'"]+:)([^\s'"/][^\s'"]*)(@)`)

// kvPassword matches password=... in keyword/value connection strings.
var kvPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// String returns s with every listed secret, and any password in a connection string, replaced.
// Empty secrets are ignored. Each secret is also removed in its URL-escaped form.
func String(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < 4 { // too short to be a real secret; replacing it would mangle the text
			continue
		}
		s = strings.ReplaceAll(s, sec, Placeholder)
		if esc := url.QueryEscape(sec); esc != sec {
			s = strings.ReplaceAll(s, esc, Placeholder)
		}
		if u, err := url.Parse(sec); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok && len(p) >= 4 {
				s = strings.ReplaceAll(s, p, Placeholder)
			}
		}
	}
	// The patterns need an @ and a "password": most text has neither, and skipping the scan
	// matters when every statement of a large fix passes here.
	if strings.IndexByte(s, '@') >= 0 {
		s = urlPassword.ReplaceAllString(s, "${1}"+Placeholder+"${3}")
	}
	if containsFold(s, "password") {
		s = kvPassword.ReplaceAllString(s, "${1}"+Placeholder)
	}
	return s
}

// containsFold reports whether s holds the lower-case ASCII word in any case.
func containsFold(s, word string) bool {
	for i := 0; i+len(word) <= len(s); i++ {
		j := 0
		for j < len(word) && (s[i+j]|0x20) == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}

// Error wraps err so that its message is redacted; errors.Is/As still see the original.
func Error(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := String(err.Error(), secrets...)
	if msg == err.Error() {
		return err
	}
	return &redacted{msg: msg, err: err}
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// Redactor is the one redaction point of a process: it knows every configured secret (DSNs,
// tokens, webhook URLs), and every text that leaves the process — log records, errors, reports,
// stored rows, Slack messages — passes through it. Passwords in connection strings it was not
// told about are removed too (String). A nil Redactor removes only those.
type Redactor struct {
	secrets []string
}

// New returns a Redactor for the given secrets; empty ones are ignored.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	return r.With(secrets...)
}

// With returns a Redactor that also removes more.
func (r *Redactor) With(more ...string) *Redactor {
	out := &Redactor{}
	if r != nil {
		out.secrets = append(out.secrets, r.secrets...)
	}
	for _, s := range more {
		if s != "" {
			out.secrets = append(out.secrets, s)
		}
	}
	return out
}

// String removes every secret from s.
func (r *Redactor) String(s string) string {
	if r == nil {
		return String(s)
	}
	return String(s, r.secrets...)
}

// Error wraps err so that its message is redacted; errors.Is/As still see the original.
func (r *Redactor) Error(err error) error {
	if r == nil {
		return Error(err)
	}
	return Error(err, r.secrets...)
}

// Handler wraps a log handler so that every record's message and string attributes are
// redacted before they are written.
func (r *Redactor) Handler(h slog.Handler) slog.Handler { return &handler{next: h, r: r} }

type handler struct {
	next slog.Handler
	r    *Redactor
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &handler{next: h.next.WithAttrs(clean), r: h.r}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name), r: h.r}
}

// attr redacts an attribute: strings, errors and anything else rendered as text, and groups
// attribute by attribute.
func (h *handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.r.String(err.Error()))
		}
		return slog.String(a.Key, h.r.String(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
