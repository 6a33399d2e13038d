// Package benchgen generates a large, realistic PostgreSQL schema for benchmarking introspection
// (`make bench` compares `drift snapshot` with `pg_dump --schema-only` on it).
//
// The schema is spread over several schemas and exercises what real application databases
// contain and what makes catalog reading expensive: many column types (integers, numerics,
// varchar(n), text, jsonb, uuid, arrays, enums, a domain, generated columns), identity, serial and
// uuid keys, defaults, NOT NULL, unique and check constraints, foreign keys between tables,
// partial, expression and GIN indexes, views and a few materialized views, SQL and PL/pgSQL
// functions and a procedure, triggers, comments, sequences and grants.
//
// Output is deterministic: the same Options always give the same bytes, so a benchmark figure
// can be reproduced and two runs compared. The SQL comes in chunks of many statements each, so
// loading 10,000 tables is a hundred round trips rather than a hundred thousand.
package benchgen

import (
	"fmt"
	"io"
	"strings"
)

// Role names the schema grants privileges to. Roles are cluster-wide, so the generated SQL
// creates them only when they do not exist yet, and never drops them.
const (
	// ReaderRole gets SELECT on some tables and views and EXECUTE on some functions.
	ReaderRole = "bench_reader"
	// WriterRole gets write privileges on some tables and EXECUTE on some procedures.
	WriterRole = "bench_writer"
)

// DefaultTablesPerChunk is how many tables (with their indexes, triggers, views, ...) one chunk
// of SQL holds when Options.TablesPerChunk is zero.
const DefaultTablesPerChunk = 100

// Options describe the schema to generate.
type Options struct {
	// Tables is the number of tables (N); required, at least 1.
	Tables int
	// Schemas is the number of schemas the tables are spread over. Zero picks one per ten
	// tables, between 1 and 8.
	Schemas int
	// TablesPerChunk bounds the size of one chunk of SQL. Zero means DefaultTablesPerChunk.
	TablesPerChunk int
}

// schemaNames are the schemas tables are spread over, in order.
var schemaNames = []string{"app", "billing", "catalog", "crm", "inventory", "analytics", "auth", "ops", "support", "shipping"}

// MaxSchemas is the largest accepted Options.Schemas.
var MaxSchemas = len(schemaNames)

func (o Options) withDefaults() (Options, error) {
	if o.Tables < 1 {
		return o, fmt.Errorf("generating a benchmark schema: tables must be at least 1, got %d", o.Tables)
	}
	if o.Schemas == 0 {
		o.Schemas = min(max(o.Tables/10, 1), 8)
	}
	if o.Schemas < 1 || o.Schemas > MaxSchemas {
		return o, fmt.Errorf("generating a benchmark schema: schemas must be between 1 and %d, got %d", MaxSchemas, o.Schemas)
	}
	if o.TablesPerChunk == 0 {
		o.TablesPerChunk = DefaultTablesPerChunk
	}
	if o.TablesPerChunk < 1 {
		return o, fmt.Errorf("generating a benchmark schema: tables per chunk must be positive, got %d", o.TablesPerChunk)
	}
	return o, nil
}

// Counts tallies what a generator has emitted so far, so callers can report the size of the
// schema and tests can check the database holds exactly that.
type Counts struct {
	Schemas           int
	Tables            int
	Columns           int // columns of tables, the key included
	Views             int
	MaterializedViews int
	Functions         int // functions and procedures, trigger functions included
	Triggers          int
	Enums             int
	Domains           int
	Sequences         int // standalone sequences (not those behind serial or identity columns)
	PrimaryKeys       int
	ForeignKeys       int
	UniqueConstraints int
	CheckConstraints  int // table check constraints (not the domains')
	Indexes           int // indexes not owned by a constraint
	Comments          int
	Grants            int // GRANT statements
}

// Generator produces the schema chunk by chunk. It is not safe for concurrent use.
type Generator struct {
	opts    Options
	rng     rng
	schemas []string
	tables  []table
	next    int // index of the next table to generate
	started bool
	counts  Counts
	b       strings.Builder
}

// New returns a generator for opts.
func New(opts Options) (*Generator, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Generator{
		opts:    opts,
		rng:     rng{state: 0x5eed_d1f7_2026},
		schemas: schemaNames[:opts.Schemas],
	}, nil
}

// Next returns the next chunk of SQL: several complete statements, each ending with ";\n". The
// first chunk creates the roles, schemas, types, sequences and trigger functions; each later one
// creates up to Options.TablesPerChunk tables with everything that hangs off them. A chunk only
// refers to objects created by itself or by earlier chunks, so chunks can be run one by one, each
// in its own transaction. ok is false when there is nothing left.
func (g *Generator) Next() (sql string, ok bool) {
	g.b.Reset()
	switch {
	case !g.started:
		g.started = true
		g.preamble()
	case g.next < g.opts.Tables:
		end := min(g.next+g.opts.TablesPerChunk, g.opts.Tables)
		for ; g.next < end; g.next++ {
			g.table(g.next)
		}
	default:
		return "", false
	}
	return g.b.String(), true
}

// Counts reports what has been generated so far; after the last chunk, the whole schema.
func (g *Generator) Counts() Counts { return g.counts }

// Options returns the options in use, defaults filled in.
func (g *Generator) Options() Options { return g.opts }

// Write writes the whole schema as one SQL script to w, suitable for `psql -q -f`.
func Write(w io.Writer, opts Options) (Counts, error) {
	g, err := New(opts)
	if err != nil {
		return Counts{}, err
	}
	for {
		chunk, ok := g.Next()
		if !ok {
			return g.counts, nil
		}
		if _, err := io.WriteString(w, chunk); err != nil {
			return g.counts, fmt.Errorf("writing the benchmark schema: %w", err)
		}
	}
}

// Count returns what the schema for opts contains, without keeping the SQL.
func Count(opts Options) (Counts, error) {
	return Write(io.Discard, opts)
}

// rng is splitmix64: tiny, fast and, unlike math/rand, fixed forever, so the generated bytes
// never change with the Go version.
type rng struct{ state uint64 }

func (r *rng) uint64() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int(r.uint64() % uint64(n)) }

// chance is true with probability percent/100.
func (r *rng) chance(percent int) bool { return r.intn(100) < percent }

// pick returns one of the items.
func pick[T any](r *rng, items []T) T { return items[r.intn(len(items))] }

// line appends one statement (or a piece of one) followed by a newline.
func (g *Generator) line(format string, args ...any) {
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

// literal quotes s as an SQL string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
