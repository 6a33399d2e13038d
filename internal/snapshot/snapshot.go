// Package snapshot is drift's engine-neutral model of a database schema.
//
// A snapshot is a flat list of objects, each with a kind, a stable key and a map of comparable
// attributes. Children (columns, indexes, grants) point at their owner through Parent, so the
// differ can fold everything that belongs to a missing table into one finding. The model holds
// plain values only: no OIDs, timestamps, statistics or sequence positions, and no back-pointers,
// so the same schema always serializes to the same bytes and snapshot files can be committed and
// reviewed.
package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// FormatVersion is the version of the JSON envelope. Readers reject versions they do not know,
// so a snapshot written by a newer drift is never silently misread.
const FormatVersion = 1

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
	// Unsupported lists things the introspector saw but cannot model, so that they are flagged
	// instead of silently dropped.
	Unsupported []string `json:"unsupported,omitempty"`
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
	Key string `json:"key"`
	// Parent is the Key of the object this one belongs to (a column's table), or empty.
	Parent string `json:"parent,omitempty"`
	// Attrs are the comparable attributes. Values are text as the server rendered them.
	Attrs map[string]string `json:"attrs,omitempty"`
}

// ID is the identity of an object within a snapshot.
type ID struct {
	Kind string
	Key  string
}

// ID returns the object's identity.
func (o Object) ID() ID { return ID{Kind: o.Kind, Key: o.Key} }

// Definition renders the object's attributes as text, one "name: value" line per attribute in
// sorted order, or the "definition" attribute alone when the server rendered one. Excluded names
// are left out (the differ leaves out attributes it was told not to compare).
func (o Object) Definition(exclude ...string) string {
	if def, ok := o.Attrs["definition"]; ok && len(o.Attrs) == 1 {
		return def
	}
	skip := make(map[string]bool, len(exclude))
	for _, e := range exclude {
		skip[e] = true
	}
	names := make([]string, 0, len(o.Attrs))
	for name := range o.Attrs {
		if !skip[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(o.Attrs[name])
	}
	return b.String()
}

// New returns an empty snapshot of the given engine.
func New(engine string) *Snapshot {
	return &Snapshot{FormatVersion: FormatVersion, Engine: engine, Objects: []Object{}}
}

// Add appends an object. Nil attribute maps are allowed.
func (s *Snapshot) Add(o Object) { s.Objects = append(s.Objects, o) }

// Normalize sorts objects by (kind, key) and drops empty attribute maps, so that equal schemas
// give equal bytes. It returns an error when two objects share an identity: that is an
// introspection bug, and hiding it would hide drift.
func (s *Snapshot) Normalize() error {
	if s.Objects == nil {
		s.Objects = []Object{}
	}
	for i := range s.Objects {
		if len(s.Objects[i].Attrs) == 0 {
			s.Objects[i].Attrs = nil
		}
	}
	sort.SliceStable(s.Objects, func(i, j int) bool {
		a, b := s.Objects[i], s.Objects[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Key < b.Key
	})
	for i := 1; i < len(s.Objects); i++ {
		if s.Objects[i].ID() == s.Objects[i-1].ID() {
			return fmt.Errorf("duplicate %s %q in snapshot", s.Objects[i].Kind, s.Objects[i].Key)
		}
	}
	sort.Strings(s.Unsupported)
	return nil
}

// Index returns the objects keyed by identity.
func (s *Snapshot) Index() map[ID]Object {
	m := make(map[ID]Object, len(s.Objects))
	for _, o := range s.Objects {
		m[o.ID()] = o
	}
	return m
}

// Marshal normalizes the snapshot and renders it as indented JSON with a trailing newline.
func (s *Snapshot) Marshal() ([]byte, error) {
	if err := s.Normalize(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encoding snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// Hash is a content hash of the schema objects alone (not the envelope), for "did the live
// schema change since last time" questions.
func (s *Snapshot) Hash() (string, error) {
	if err := s.Normalize(); err != nil {
		return "", err
	}
	h := sha256.New()
	enc := json.NewEncoder(h)
	if err := enc.Encode(s.Objects); err != nil {
		return "", fmt.Errorf("hashing snapshot: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Read decodes a snapshot, rejecting unknown fields and unknown format versions.
func Read(r io.Reader) (*Snapshot, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("decoding snapshot: %w", err)
	}
	if s.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("snapshot format version %d is not supported (this drift reads version %d)", s.FormatVersion, FormatVersion)
	}
	if s.Engine == "" {
		return nil, fmt.Errorf("snapshot has no engine")
	}
	if err := s.Normalize(); err != nil {
		return nil, err
	}
	return &s, nil
}

// ReadFile reads a snapshot file.
func ReadFile(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading snapshot: %w", err)
	}
	defer f.Close()
	s, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("reading snapshot %s: %w", path, err)
	}
	return s, nil
}

// WriteFile writes a snapshot file atomically (temp file and rename), so an interrupted write
// never leaves a half snapshot that would later read as drift.
func WriteFile(path string, s *Snapshot) error {
	data, err := s.Marshal()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dirOf(path), ".snapshot-*.json")
	if err != nil {
		return fmt.Errorf("writing snapshot %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing snapshot %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing snapshot %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing snapshot %s: %w", path, err)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		if i == 0 {
			return "/"
		}
		return path[:i]
	}
	return "."
}
