package main

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode"
)

// connTarget is a database the tools connect to: a postgres:// URL without the password (safe
// to print and to put on a command line) and the password, handed to children as PGPASSWORD.
type connTarget struct {
	url      string
	password string
}

// targetFor points dsn (a postgres:// URL or a libpq keyword/value string) at database and
// returns it as a password-free URL: `drift snapshot --from` takes URLs, and libpq's pg_dump and
// psql accept them too.
func targetFor(dsn, database string) (connTarget, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			// url.Parse errors quote the input, which may hold a password.
			return connTarget{}, errors.New("parsing the DSN: not a valid URL")
		}
		var t connTarget
		if u.User != nil {
			t.password, _ = u.User.Password()
			u.User = url.User(u.User.Username())
		}
		q := u.Query()
		if p := q.Get("password"); p != "" {
			t.password = p
		}
		q.Del("password")
		q.Del("dbname")
		u.RawQuery = q.Encode()
		u.Path = "/" + database
		u.RawPath = ""
		t.url = u.String()
		return t, nil
	}
	settings, err := parseKeywordDSN(dsn)
	if err != nil {
		return connTarget{}, err
	}
	t := connTarget{password: settings["password"]}
	delete(settings, "password")
	delete(settings, "dbname")
	u := url.URL{Scheme: "postgres", Path: "/" + database}
	if user, ok := settings["user"]; ok {
		u.User = url.User(user)
		delete(settings, "user")
	}
	// Everything else, the host (often a socket directory) included, goes in the query string.
	q := url.Values{}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		q.Set(k, settings[k])
	}
	u.RawQuery = q.Encode()
	t.url = u.String()
	return t, nil
}

// parseKeywordDSN reads a libpq keyword/value connection string: `host=/tmp port=5432
// password='it”s'`. Values may be single-quoted, with \' and \\ escapes.
func parseKeywordDSN(s string) (map[string]string, error) {
	settings := map[string]string{}
	rest := s
	for {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			return settings, nil
		}
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			return nil, errors.New("parsing the DSN: expected key=value")
		}
		key := strings.TrimSpace(rest[:eq])
		if key == "" || strings.ContainsFunc(key, unicode.IsSpace) {
			return nil, errors.New("parsing the DSN: expected key=value")
		}
		rest = strings.TrimLeftFunc(rest[eq+1:], unicode.IsSpace)
		var val strings.Builder
		if strings.HasPrefix(rest, "'") {
			rest = rest[1:]
			closed := false
			for len(rest) > 0 && !closed {
				c := rest[0]
				rest = rest[1:]
				switch {
				case c == '\\' && len(rest) > 0:
					val.WriteByte(rest[0])
					rest = rest[1:]
				case c == '\'':
					closed = true
				default:
					val.WriteByte(c)
				}
			}
			if !closed {
				return nil, fmt.Errorf("parsing the DSN: unterminated quoted value for %s", key)
			}
		} else {
			for len(rest) > 0 && !unicode.IsSpace(rune(rest[0])) {
				c := rest[0]
				rest = rest[1:]
				if c == '\\' && len(rest) > 0 {
					c = rest[0]
					rest = rest[1:]
				}
				val.WriteByte(c)
			}
		}
		settings[key] = val.String()
	}
}

// splitWords splits a command template into words the way a POSIX shell would for the simple
// cases a template needs: whitespace separates words, single quotes keep everything literal,
// double quotes keep spaces and honour \" and \\, and a backslash outside quotes escapes the
// next character. No expansion of any kind happens.
func splitWords(s string) ([]string, error) {
	var (
		words   []string
		cur     strings.Builder
		inWord  bool
		i       int
		runes   = []rune(s)
		nextRun = func() (rune, bool) {
			if i >= len(runes) {
				return 0, false
			}
			r := runes[i]
			i++
			return r, true
		}
	)
	for {
		r, ok := nextRun()
		if !ok {
			break
		}
		switch {
		case unicode.IsSpace(r):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '\'':
			inWord = true
			for {
				r, ok := nextRun()
				if !ok {
					return nil, errors.New("unterminated single quote")
				}
				if r == '\'' {
					break
				}
				cur.WriteRune(r)
			}
		case r == '"':
			inWord = true
			for {
				r, ok := nextRun()
				if !ok {
					return nil, errors.New("unterminated double quote")
				}
				if r == '"' {
					break
				}
				if r == '\\' && i < len(runes) && (runes[i] == '"' || runes[i] == '\\') {
					r, _ = nextRun()
				}
				cur.WriteRune(r)
			}
		case r == '\\':
			inWord = true
			if r, ok := nextRun(); ok {
				cur.WriteRune(r)
			}
		default:
			inWord = true
			cur.WriteRune(r)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
