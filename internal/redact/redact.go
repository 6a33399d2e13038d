// Package redact removes secrets from text that is about to leave the process: error messages,
// log lines, reports and Slack messages. Callers pass the secrets they know of; passwords inside
// URL-shaped connection strings are removed even when the caller did not list them.
package redact

import (
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
	s = urlPassword.ReplaceAllString(s, "${1}"+Placeholder+"${3}")
	s = kvPassword.ReplaceAllString(s, "${1}"+Placeholder)
	return s
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
