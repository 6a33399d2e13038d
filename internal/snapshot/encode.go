package snapshot

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The snapshot JSON is written by hand, object by object, rather than by encoding/json: a
// snapshot of a 10,000-table schema holds some 280,000 objects, and encoding/json would reflect
// over every object and build the whole document in memory before the first byte is written.
//
// Format 2 keeps a file small and reviewable: the objects of a kind form a table, whose
// attribute names are written once and whose rows are one line per object ([key, parent,
// values...]), so a changed attribute is a one-line change in a pull request. A parent that is
// the key's default parent (Key.DefaultParent) is written as null, trailing absent attributes
// are left out. Strings are escaped as encoding/json escapes them; Hash still hashes the
// objects' compact JSON as earlier versions did, so recorded hashes stay comparable.

// flushAt is the buffer size at which the encoder hands what it has to the writer.
const flushAt = 64 << 10

// Encode normalizes s and writes it to w as indented JSON with a trailing newline: the bytes of
// a snapshot file. It streams: memory use does not grow with the number of objects.
func Encode(w io.Writer, s *Snapshot) error {
	if err := s.Normalize(); err != nil {
		return err
	}
	if err := encodeNormalized(w, s); err != nil {
		return fmt.Errorf("writing snapshot: %w", err)
	}
	return nil
}

// encodeNormalized writes a normalized snapshot and returns the writer's first error as is.
func encodeNormalized(w io.Writer, s *Snapshot) error {
	e := &encoder{w: w, buf: make([]byte, 0, flushAt+4096)}
	e.snapshot(s)
	e.flush()
	return e.err
}

// encoder appends JSON to buf and hands it to w in large pieces. After a write error it writes
// nothing more and stops at the next object; Encode reports the first error.
type encoder struct {
	w   io.Writer
	buf []byte
	err error
}

func (e *encoder) flush() {
	if e.err == nil && len(e.buf) > 0 {
		_, e.err = e.w.Write(e.buf)
	}
	e.buf = e.buf[:0]
}

func (e *encoder) maybeFlush() {
	if len(e.buf) >= flushAt {
		e.flush()
	}
}

// snapshot writes the envelope in the field order of Snapshot's struct tags.
func (e *encoder) snapshot(s *Snapshot) {
	b := append(e.buf, "{\n  \"format_version\": "...)
	b = strconv.AppendInt(b, FormatVersion, 10) // the format written, whatever was read
	if s.Target != "" {
		b = appendField(b, "\n  \"target\": ", s.Target)
	}
	b = appendField(b, "\n  \"engine\": ", s.Engine)
	if s.ServerVersion != "" {
		b = appendField(b, "\n  \"server_version\": ", s.ServerVersion)
	}
	if s.ServerVersionNum != 0 {
		b = append(b, ",\n  \"server_version_num\": "...)
		b = strconv.AppendInt(b, int64(s.ServerVersionNum), 10)
	}
	b = append(b, ",\n  \"source\": {\n    \"kind\": "...)
	b = appendString(b, s.Source.Kind, false)
	if s.Source.Checksum != "" {
		b = appendField(b, "\n    \"checksum\": ", s.Source.Checksum)
	}
	if s.Source.Version != "" {
		b = appendField(b, "\n    \"version\": ", s.Source.Version)
	}
	b = append(b, "\n  },\n  \"objects\": {"...)
	// One table per kind: its attribute names once, then one row per object.
	for start, first := 0, true; start < len(s.Objects); first = false {
		end := start + 1
		for end < len(s.Objects) && s.Objects[end].Kind == s.Objects[start].Kind {
			end++
		}
		if !first {
			b = append(b, ',')
		}
		group := s.Objects[start:end]
		names := attrNamesOf(group)
		b = append(b, "\n    "...)
		b = appendString(b, group[0].Kind, false)
		b = append(b, ": {\n      \"attrs\": ["...)
		for i, n := range names {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendString(b, n, false)
		}
		b = append(b, "],\n      \"rows\": ["...)
		for i := range group {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n        "...)
			b = appendRow(b, &group[i], names)
			if len(b) >= flushAt {
				e.buf = b
				e.flush()
				if e.err != nil {
					return
				}
				b = e.buf
			}
		}
		b = append(b, "\n      ]\n    }"...)
		start = end
	}
	if len(s.Objects) > 0 {
		b = append(b, "\n  "...)
	}
	b = append(b, '}')
	if len(s.Unsupported) > 0 {
		b = append(b, ",\n  \"unsupported\": ["...)
		for i, u := range s.Unsupported {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n    {\n      \"kind\": "...)
			b = appendString(b, u.Kind, false)
			b = appendField(b, "\n      \"name\": ", u.Name)
			if u.Reason != "" {
				b = appendField(b, "\n      \"reason\": ", u.Reason)
			}
			b = append(b, "\n    }"...)
		}
		b = append(b, "\n  ]"...)
	}
	e.buf = append(b, "\n}\n"...)
	e.maybeFlush()
}

// appendField appends a comma, then prefix (newline, indentation, quoted name, colon and space)
// and the value as a JSON string.
func appendField(b []byte, prefix, value string) []byte {
	b = append(b, ',')
	b = append(b, prefix...)
	return appendString(b, value, false)
}

// attrNamesOf returns the sorted union of the attribute names of objects.
func attrNamesOf(objects []Object) []string {
	var names []string
	seen := map[string]bool{}
	for i := range objects {
		for _, a := range objects[i].Attrs {
			if !seen[a.Name] {
				seen[a.Name] = true
				names = append(names, a.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// appendRow appends an object as a row of its kind's table: its key, its parent (null when it
// is the default parent, "" when it has none), then its attributes in the order of names (null
// where it has none), trailing nulls left out.
func appendRow(b []byte, o *Object, names []string) []byte {
	b = append(b, '[')
	b = appendKey(b, o.Key, false)
	values := make([]*string, 0, len(names)+1)
	switch {
	case o.Parent == o.Key.DefaultParent():
		values = append(values, nil)
	default:
		p := o.Parent.String()
		if o.Parent.IsZero() {
			p = ""
		}
		values = append(values, &p)
	}
	j := 0
	for _, n := range names {
		if j < len(o.Attrs) && o.Attrs[j].Name == n {
			values = append(values, &o.Attrs[j].Value)
			j++
		} else {
			values = append(values, nil)
		}
	}
	for len(values) > 0 && values[len(values)-1] == nil {
		values = values[:len(values)-1]
	}
	for _, v := range values {
		b = append(b, ',')
		if v == nil {
			b = append(b, "null"...)
		} else {
			b = appendString(b, *v, false)
		}
	}
	return append(b, ']')
}

// appendObjectCompact appends an object as compact JSON, HTML-escaped when escapeHTML is set.
func appendObjectCompact(b []byte, o *Object, escapeHTML bool) []byte {
	b = append(b, `{"kind":`...)
	b = appendString(b, o.Kind, escapeHTML)
	b = append(b, `,"key":`...)
	b = appendKey(b, o.Key, escapeHTML)
	if !o.Parent.IsZero() {
		b = append(b, `,"parent":`...)
		b = appendKey(b, o.Parent, escapeHTML)
	}
	if len(o.Attrs) > 0 {
		b = append(b, `,"attrs":`...)
		b = appendAttrsCompact(b, o.Attrs, escapeHTML)
	}
	return append(b, '}')
}

// appendKey appends a key's rendering as a JSON string. The common key is plain parts: they
// are appended without building the rendering first.
func appendKey(b []byte, k Key, escapeHTML bool) []byte {
	schema, name, sub, detail := k.parts()
	if plainPart(schema) && plainPart(name) && plainPart(sub) && detail == "" && name != "" {
		b = append(b, '"')
		n := len(b)
		if schema != "" {
			b = append(b, schema...)
			b = append(b, '.')
		}
		b = append(b, name...)
		if sub != "" {
			b = append(b, '.')
			b = append(b, sub...)
		}
		// Plain parts may still hold characters JSON escapes; re-append them escaped then.
		if !jsonPlain(b[n:], escapeHTML) {
			return appendString(b[:n-1], string(b[n:]), escapeHTML)
		}
		return append(b, '"')
	}
	return appendString(b, k.String(), escapeHTML)
}

// plainPart reports whether p renders as itself in a key (no quoting needed).
func plainPart(p string) bool {
	n, ok := scanPart(p)
	return ok && n == len(p)
}

// jsonPlain reports whether b holds only ASCII bytes that a JSON string holds as they are.
func jsonPlain(b []byte, escapeHTML bool) bool {
	safe := &jsonSafe
	if escapeHTML {
		safe = &htmlSafe
	}
	for _, c := range b {
		if c >= utf8.RuneSelf || !safe[c] {
			return false
		}
	}
	return true
}

// appendAttrsCompact appends attributes (already sorted) as a compact JSON object.
func appendAttrsCompact(b []byte, attrs Attrs, escapeHTML bool) []byte {
	b = append(b, '{')
	for i, a := range attrs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, a.Name, escapeHTML)
		b = append(b, ':')
		b = appendString(b, a.Value, escapeHTML)
	}
	return append(b, '}')
}

// jsonSafe marks the ASCII bytes a JSON string holds as they are: printable characters other
// than the quote and the backslash. htmlSafe further excludes <, > and &.
var jsonSafe, htmlSafe [utf8.RuneSelf]bool

func init() {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		jsonSafe[c] = c != '"' && c != '\\'
		htmlSafe[c] = jsonSafe[c] && c != '<' && c != '>' && c != '&'
	}
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json escapes it: quote,
// backslash and control characters (\b \f \n \r \t by name, the others as \u00XX), U+2028 and
// U+2029 as \u2028 and \u2029, each byte of invalid UTF-8 as \ufffd, and with escapeHTML <, >
// and & as \u003c, \u003e and \u0026.
func appendString(b []byte, s string, escapeHTML bool) []byte {
	safe := &jsonSafe
	if escapeHTML {
		safe = &htmlSafe
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
