// Package snapshot is drift's engine-neutral model of a database schema.
//
// A snapshot is a flat list of objects, each with a kind, a stable key and a sorted list of
// comparable attributes. Children (columns, indexes, grants) point at their owner through
// Parent, so the differ can fold everything that belongs to a missing table into one finding.
// The model holds plain values only: no OIDs, timestamps, statistics or sequence positions, and
// no back-pointers, so the same schema always serializes to the same bytes and snapshot files
// can be committed and reviewed. Encode writes them as a stream (see encode.go).
package snapshot

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/drift-schema/drift/internal/safefile"
)

// FormatVersion is the version of the snapshot file format drift writes (see encode.go).
// Readers reject versions they do not know, so a snapshot written by a newer drift is never
// silently misread; version 1 files are still read.
const FormatVersion = 2

// Engines drift knows how to introspect.
const (
	EnginePostgres = "postgres"
	EngineNeo4j    = "neo4j"
)

// Source kinds: where the objects of a snapshot came from.
const (
	SourceLive       = "live"
	SourceMigrations = "migrations"
	SourceFile       = "snapshot"
)

// Snapshot is one schema, as read from a live database or built from a migration set.
type Snapshot struct {
	FormatVersion int    `json:"format_version"`
	Target        string `json:"target,omitempty"`
	Engine        string `json:"engine"`
	// ServerVersion is the human version string ("15.18"); ServerVersionNum the comparable one
	// (150018 for PostgreSQL). Both describe the server whose deparser rendered the definitions.
	ServerVersion    string   `json:"server_version,omitempty"`
	ServerVersionNum int      `json:"server_version_num,omitempty"`
	Source           Source   `json:"source"`
	Objects          []Object `json:"objects"`
	// Unsupported lists what the introspector saw but cannot model, so that the comparison
	// says it did not compare it instead of silently dropping it.
	Unsupported []Unsupported `json:"unsupported,omitempty"`
}

// Unsupported is one object the introspector saw and could not model.
type Unsupported struct {
	// Kind names what it is, for people: "rule", "event trigger", "aggregate".
	Kind string `json:"kind"`
	// Name identifies it: "public.orders.protect_rule".
	Name string `json:"name"`
	// Reason says why it could not be modelled, when that is not simply its kind.
	Reason string `json:"reason,omitempty"`
}

// UnmarshalJSON reads an unsupported object, also in the plain-string form snapshots written by
// earlier versions hold ("rule public.t.r").
func (u *Unsupported) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err == nil {
		u.Kind, u.Name = "object", text
		for _, k := range []string{"window function", "foreign table", "base type", "event trigger", "aggregate", "rule", "statistics", "operator", "collation"} {
			if rest, ok := strings.CutPrefix(text, k+" "); ok {
				u.Kind, u.Name = k, rest
				break
			}
		}
		return nil
	}
	type plain Unsupported
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("unsupported object: %w", err)
	}
	*u = Unsupported(p)
	return nil
}

// compareUnsupported orders unsupported objects by kind, name and reason.
func compareUnsupported(a, b Unsupported) int {
	if c := strings.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Reason, b.Reason)
}

// Source says where a snapshot came from. It never holds a connection string: those carry
// passwords, and a snapshot is meant to be committed.
type Source struct {
	Kind string `json:"kind"`
	// Checksum is the migration set's content checksum when Kind is "migrations".
	Checksum string `json:"checksum,omitempty"`
	// Version is the last migration version replayed when Kind is "migrations".
	Version string `json:"version,omitempty"`
}

// Object is one schema object: a table, a column, an index, a grant, a Neo4j constraint, ...
type Object struct {
	// Kind is the object kind as reported in findings: "table", "column", "neo4j_index", ...
	Kind string `json:"kind"`
	// Key identifies the object across databases: schema-qualified name, functions by identity
	// arguments, generated-name Neo4j items by content. (Kind, Key) is unique in a snapshot.
	Key Key `json:"key"`
	// Parent is the Key of the object this one belongs to (a column's table), or zero.
	Parent Key `json:"parent,omitzero"`
	// Attrs are the comparable attributes, sorted by name. Values are text as the server
	// rendered them.
	Attrs Attrs `json:"attrs,omitempty"`
}

// ID is the identity of an object within a snapshot.
type ID struct {
	Kind string
	Key  Key
}

// ID returns the object's identity.
func (o Object) ID() ID { return ID{Kind: o.Kind, Key: o.Key} }

// Definition renders the object's attributes as text, one "name: value" line per attribute in
// sorted order, or the "definition" attribute alone when the server rendered one. Excluded names
// are left out (the differ leaves out attributes it was told not to compare).
func (o Object) Definition(exclude ...string) string {
	if len(o.Attrs) == 1 && o.Attrs[0].Name == "definition" {
		return o.Attrs[0].Value
	}
	var b strings.Builder
	for _, a := range o.Attrs {
		if slices.Contains(exclude, a.Name) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(a.Name)
		b.WriteString(": ")
		b.WriteString(a.Value)
	}
	return b.String()
}

// New returns an empty snapshot of the given engine.
func New(engine string) *Snapshot {
	return &Snapshot{FormatVersion: FormatVersion, Engine: engine, Objects: []Object{}}
}

// Add appends an object. Nil attributes are allowed.
func (s *Snapshot) Add(o Object) { s.Objects = append(s.Objects, o) }

// Normalize sorts objects by (kind, key) and their attributes by name, and makes empty
// attributes nil, so that equal schemas give equal bytes. It returns an error when two objects
// share an identity or an object has an attribute twice: that is an introspection bug, and
// hiding it would hide drift.
func (s *Snapshot) Normalize() error {
	if s.Objects == nil {
		s.Objects = []Object{}
	}
	for i := range s.Objects {
		o := &s.Objects[i]
		if o.Kind == "" || o.Key.Name() == "" {
			return fmt.Errorf("object %d has no kind or no key (kind %q, key %q)", i+1, o.Kind, o.Key)
		}
		if len(o.Attrs) == 0 {
			o.Attrs = nil
			continue
		}
		if err := o.Attrs.normalize(); err != nil {
			return fmt.Errorf("%s %q: %w", o.Kind, o.Key, err)
		}
	}
	// Introspection hands over objects already in order: checking is much cheaper than sorting.
	if !strictlyIncreasing(s.Objects) {
		slices.SortStableFunc(s.Objects, compareObjects)
		for i := 1; i < len(s.Objects); i++ {
			if s.Objects[i].Kind == s.Objects[i-1].Kind && s.Objects[i].Key == s.Objects[i-1].Key {
				return fmt.Errorf("duplicate %s %q in snapshot", s.Objects[i].Kind, s.Objects[i].Key)
			}
		}
	}
	slices.SortFunc(s.Unsupported, compareUnsupported)
	s.Unsupported = slices.Compact(s.Unsupported)
	return nil
}

// strictlyIncreasing reports whether objects are sorted by (kind, key) without duplicates.
func strictlyIncreasing(objects []Object) bool {
	for i := 1; i < len(objects); i++ {
		x, y := &objects[i-1], &objects[i]
		// Kinds are mostly shared strings, so == is usually a pointer comparison.
		if x.Kind == y.Kind {
			if x.Key.Compare(y.Key) >= 0 {
				return false
			}
		} else if x.Kind > y.Kind {
			return false
		}
	}
	return true
}

// compareObjects orders objects by kind, then key.
func compareObjects(a, b Object) int {
	if c := strings.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return a.Key.Compare(b.Key)
}

// Index returns the objects keyed by identity.
func (s *Snapshot) Index() map[ID]Object {
	m := make(map[ID]Object, len(s.Objects))
	for _, o := range s.Objects {
		m[o.ID()] = o
	}
	return m
}

// Marshal normalizes the snapshot and renders it as indented JSON with a trailing newline: the
// bytes Encode writes.
func (s *Snapshot) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	if err := Encode(&buf, s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Hash is a content hash of the schema objects alone (not the envelope), for "did the live
// schema change since last time" questions. It hashes the objects' compact JSON as
// encoding/json's default encoder renders it (HTML-escaped, trailing newline), so hashes
// recorded by earlier versions stay comparable.
func (s *Snapshot) Hash() (string, error) {
	if err := s.Normalize(); err != nil {
		return "", err
	}
	h := sha256.New()
	buf := make([]byte, 0, flushAt+4096)
	buf = append(buf, '[')
	for i := range s.Objects {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendObjectCompact(buf, &s.Objects[i], true)
		if len(buf) >= flushAt {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	buf = append(buf, "]\n"...)
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// DefaultMaxFileBytes is the largest snapshot file ReadFile reads: a file ten times the size of
// a 10,000-table schema's. A larger one is refused before it is read, so a wrong path (a dump,
// a log) cannot exhaust memory.
const DefaultMaxFileBytes = 1 << 30

// ReadFile reads a snapshot file of at most DefaultMaxFileBytes.
func ReadFile(path string) (*Snapshot, error) { return ReadFileLimit(path, DefaultMaxFileBytes) }

// WriteFile writes a snapshot file (see Write).
func WriteFile(path string, s *Snapshot) error {
	_, err := Write(path, s)
	return err
}

// Write writes a snapshot file without ever destroying what the path names (see
// internal/safefile): a regular file is replaced atomically (temporary file and rename, so an
// interrupted write never leaves half a snapshot that would later read as drift) and keeps its
// mode, a read-only one is refused, a device or FIFO is written through, a symlink is followed,
// and missing parent directories are created and reported in the outcome. The JSON is streamed,
// never held in memory whole.
func Write(path string, s *Snapshot) (safefile.Outcome, error) {
	if err := s.Normalize(); err != nil {
		return safefile.Outcome{}, err
	}
	out, err := safefile.Write(path, func(w io.Writer) error {
		if !strings.HasSuffix(path, ".gz") {
			return encodeNormalized(w, s)
		}
		// No name and no time in the header: the same schema gives the same bytes.
		z := gzip.NewWriter(w)
		if err := encodeNormalized(z, s); err != nil {
			return err
		}
		return z.Close()
	})
	if err != nil {
		return out, fmt.Errorf("writing snapshot: %w", err)
	}
	return out, nil
}

// Find returns the object of a kind whose key renders as key, or nil.
func (s *Snapshot) Find(kind, key string) *Object {
	for i := range s.Objects {
		if s.Objects[i].Kind == kind && s.Objects[i].Key.String() == key {
			return &s.Objects[i]
		}
	}
	return nil
}

// Keys lists the rendered keys of the objects of a kind, in snapshot order.
func (s *Snapshot) Keys(kind string) []string {
	var out []string
	for _, o := range s.Objects {
		if o.Kind == kind {
			out = append(out, o.Key.String())
		}
	}
	return out
}

// ServerMajor is the major version of the server that rendered the snapshot: definitions are
// rendered by the server, and its output may change between majors. PostgreSQL numbers
// versions as 150018 (15.18) and, before 10, 90624 (9.6.24); Neo4j as 52612 (5.26.12). Zero
// when the version is unknown.
func (s *Snapshot) ServerMajor() int {
	switch n := s.ServerVersionNum; {
	case n == 0:
		return 0
	case s.Engine == EnginePostgres && n >= 100000:
		return n / 10000
	case s.Engine == EnginePostgres:
		return n / 100
	default:
		return n / 10000
	}
}
