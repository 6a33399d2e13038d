package catalog

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/drift-schema/drift/internal/postgres/timescale"
	"github.com/drift-schema/drift/internal/snapshot"
)

// step is one statement of an introspection batch and what to do with its rows.
type step struct {
	what string // for errors: "introspecting <what>: ..."
	sql  string
	// params, when set, are the statement's parameters; otherwise it gets as many of the
	// session's parameters as it refers to.
	params [][]byte
	// rows reads the statement's rows, whose columns it finds by name (see layout); nil: a
	// statement whose rows (if any) are not read.
	rows func(l *layout, values [][]byte) error
	// second: in a two-connection introspection, the statement runs on the second connection.
	// These are the kinds whose deparsing needs each table's relation cache entry (CHECK
	// constraints, expression and partial indexes, trigger conditions, policies), so that
	// work is done by one backend only, and the two halves take about the same time.
	second bool
}

// txInfo is what the guard query saw of an introspection transaction.
type txInfo struct {
	serverVersion    string
	serverVersionNum int
	readOnly         string
	isolation        string
}

func (tx txInfo) check() error {
	if tx.readOnly != "on" || tx.isolation != "repeatable read" {
		return fmt.Errorf("introspecting: the transaction is not read-only repeatable read (transaction_read_only=%s, transaction_isolation=%s)", tx.readOnly, tx.isolation)
	}
	return nil
}

// session holds what every batch of one introspection shares: the rendered parameters and the
// object builder.
type session struct {
	params  [][]byte
	timeout []byte
	b       *builder
	// major is the server's major version, from the connection's parameters: the few queries
	// that read catalogs only some majors have pick their variant by it.
	major int
	// timescale: the timescaledb extension is installed, so its objects are read too (their
	// views exist only then) and what it made of plain objects is pruned.
	timescale bool
}

func newSession(opts Options) (*session, error) {
	var exclSchemas, exclTables, byName, byNameColumns []string
	for _, t := range trackingTables {
		byName, byNameColumns = append(byName, t.name), append(byNameColumns, t.columns)
	}
	for _, t := range opts.ExcludeTables {
		nsp, rel, ok := strings.Cut(t, ".")
		if !ok {
			// An unqualified name is left out in every schema, like the tracking tables, whatever
			// its columns: the caller named it.
			byName, byNameColumns = append(byName, t), append(byNameColumns, "")
			continue
		}
		exclSchemas, exclTables = append(exclSchemas, nsp), append(exclTables, rel)
	}
	timeout := opts.StatementTimeout
	if timeout <= 0 {
		timeout = DefaultStatementTimeout
	}
	return &session{
		params: [][]byte{
			encodeTextArray(opts.Schemas),
			encodeTextArray(byName),
			encodeTextArray(exclSchemas),
			encodeTextArray(exclTables),
			[]byte(boolText(opts.Partitions)),
			encodeTextArray(byNameColumns),
		},
		timeout: []byte(strconv.FormatInt(timeout.Milliseconds(), 10)),
		b:       newBuilder(),
	}, nil
}

// begin opens the read-only transaction. importSnapshot, when set, makes it share the catalog
// snapshot another connection exported, so two connections read one consistent state.
func begin(importSnapshot string) []step {
	steps := []step{{what: "opening a read-only transaction", sql: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"}}
	if importSnapshot != "" {
		// SET TRANSACTION SNAPSHOT takes no parameters; the identifier was checked against
		// snapshotID, so it cannot carry anything but hex digits and dashes.
		steps = append(steps, step{what: "importing the catalog snapshot", sql: "SET TRANSACTION SNAPSHOT '" + importSnapshot + "'"})
	}
	return steps
}

// settings are the transaction settings every catalog query runs under, followed by the guard
// query that records what the transaction really is.
func (s *session) settings(tx *txInfo) []step {
	return []step{
		{what: "setting search_path", sql: "SET LOCAL search_path = ''"},
		{what: "turning off jit", sql: "SET LOCAL jit = off"},
		// Deparsed constants (partition bounds, CHECK constraints, defaults) are rendered in the
		// session's display settings, which a database or role may change. Fix them, so a live
		// server in another time zone or date style renders exactly like the shadow.
		{what: "setting display settings", sql: "SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, MDY', true), " +
			"set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '1', true), set_config('bytea_output', 'hex', true)"},
		// The catalog queries read nearly every row of the catalogs they join, so hash joins are
		// the right plan; row estimates over catalogs are poor, and a nested loop planned for a
		// handful of rows over a CTE turns quadratic on a schema of thousands of tables.
		{what: "turning off nested loops", sql: "SET LOCAL enable_nestloop = off"},
		{what: "setting work_mem", sql: "SET LOCAL work_mem = '64MB'"},
		{what: "setting statement_timeout", sql: "SELECT set_config('statement_timeout', $1, true)", params: [][]byte{s.timeout}},
		{what: "reading the server version", sql: guardSQL, rows: func(_ *layout, v [][]byte) error {
			if len(v) != 4 {
				return fmt.Errorf("expected 4 columns, got %d", len(v))
			}
			tx.serverVersion = string(v[0])
			tx.readOnly, tx.isolation = string(v[2]), string(v[3])
			n, err := strconv.Atoi(string(v[1]))
			if err != nil {
				return fmt.Errorf("server_version_num %q is not a number", v[1])
			}
			tx.serverVersionNum = n
			return nil
		}},
	}
}

var commit = step{what: "ending the read-only transaction", sql: "COMMIT"}

// catalog is one query per object kind.
func (s *session) catalog() []step {
	b := s.b
	return append([]step{
		{what: "schemas", sql: schemasSQL, rows: b.row},
		{what: "extensions", sql: extensionsSQL, rows: b.row},
		{what: "tables", sql: tablesSQL, rows: b.row},
		{what: "columns", sql: columnsSQL, rows: b.row},
		{what: "constraints", sql: constraintsSQL, rows: b.row, second: true},
		{what: "indexes", sql: indexesSQL, rows: b.row, second: true},
		{what: "views", sql: viewsSQL, rows: b.row},
		{what: "sequences", sql: sequencesSQL, rows: b.row},
		{what: "functions", sql: functionsSQL, rows: b.row},
		{what: "triggers", sql: triggersSQL, rows: b.row, second: true},
		{what: "types", sql: typesSQL, rows: b.row},
		{what: "policies", sql: policiesSQL, rows: b.row, second: true},
		{what: "privileges", sql: privilegesSQL, rows: b.privileges},
		{what: "comments", sql: commentsSQL, rows: b.row},
		{what: "rules", sql: rulesSQL, rows: b.row, second: true},
		{what: "event triggers", sql: eventTriggersSQL, rows: b.row},
		{what: "aggregates", sql: aggregatesSQL, rows: b.row},
		{what: "publications", sql: publicationsSQL(s.major), rows: b.row, second: true},
		{what: "default privileges", sql: defaultPrivilegesSQL, rows: b.defaultPrivileges},
		{what: "casts", sql: castsSQL, rows: b.row},
		{what: "collations", sql: collationsSQL, rows: b.row},
		{what: "text search configurations", sql: textSearchConfigsSQL, rows: b.row},
		{what: "text search dictionaries", sql: textSearchDictionariesSQL, rows: b.row},
		{what: "foreign servers and user mappings", sql: foreignServersSQL, rows: b.row},
		{what: "foreign tables", sql: foreignTablesSQL, rows: b.row, second: true},
		{what: "statistics objects", sql: statisticsSQL, rows: b.row, second: true},
		{what: "privileges of other objects", sql: morePrivilegesSQL, rows: b.privileges},
		{what: "partitions", sql: partitionsSQL, rows: b.row, second: true},
		{what: "comments on other objects", sql: moreCommentsSQL, rows: b.row},
		{what: "unsupported objects", sql: unsupportedSQL, rows: b.unsupported},
	}, s.timescaleSteps()...)
}

// split divides the catalog steps between two connections.
func split(steps []step) (first, second []step) {
	for _, s := range steps {
		if s.second {
			second = append(second, s)
		} else {
			first = append(first, s)
		}
	}
	return first, second
}

func concat(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// checkConn refuses connections introspection cannot use.
func checkConn(pg *pgconn.PgConn) error {
	if st := pg.TxStatus(); st != 'I' {
		return fmt.Errorf("introspecting: the connection is inside a transaction (status %q); introspection runs its own", st)
	}
	if major := majorOf(pg.ParameterStatus("server_version")); major > 0 && major*10000 < MinServerVersionNum {
		return fmt.Errorf("introspecting: PostgreSQL %s is not supported (drift needs %d or later)",
			pg.ParameterStatus("server_version"), MinServerVersionNum/10000)
	}
	return nil
}

// introspect reads the whole catalog over one connection, in one round trip.
func introspect(ctx context.Context, conn *pgx.Conn, opts Options) (*snapshot.Snapshot, txInfo, error) {
	var tx txInfo
	pg := conn.PgConn()
	if err := checkConn(pg); err != nil {
		return nil, tx, err
	}
	s, err := newSession(opts)
	if err != nil {
		return nil, tx, err
	}
	s.major = majorOf(pg.ParameterStatus("server_version"))
	if s.timescale, err = hasTimescale(ctx, conn); err != nil {
		return nil, tx, err
	}
	err = s.run(ctx, pg, concat(begin(""), s.settings(&tx), s.catalog(), []step{commit}))
	if err == nil {
		err = tx.check()
	}
	if err != nil {
		return nil, tx, errors.Join(err, rollback(ctx, pg))
	}
	return s.finish(tx)
}

// snapshotID is the shape of an exported snapshot identifier ("00000003-0000001B-1").
var snapshotID = regexp.MustCompile(`^[0-9A-Fa-f-]+$`)

// introspectPair reads the catalog over two connections that share one exported snapshot, each
// running half of the queries: the server's deparsing work, which dominates on large schemas,
// is spread over two backends. conn is connected; second is dialed meanwhile with cfg. When the
// second connection or the snapshot export is not available (connection limit, a pooler), it
// finishes on conn alone.
func introspectPair(ctx context.Context, conn *pgx.Conn, cfg *pgx.ConnConfig, opts Options) (*snapshot.Snapshot, error) {
	pg := conn.PgConn()
	if err := checkConn(pg); err != nil {
		return nil, err
	}
	s, err := newSession(opts)
	if err != nil {
		return nil, err
	}
	s.major = majorOf(pg.ParameterStatus("server_version"))
	if s.timescale, err = hasTimescale(ctx, conn); err != nil {
		return nil, err
	}

	type dialed struct {
		conn *pgx.Conn
		err  error
	}
	dial := make(chan dialed, 1)
	go func() {
		c, err := pgx.ConnectConfig(ctx, cfg)
		dial <- dialed{c, err}
	}()
	var d dialed
	dialDone := false
	defer func() {
		if !dialDone {
			d = <-dial
		}
		if d.conn != nil {
			closeQuietly(ctx, d.conn)
		}
	}()

	var tx0, tx1 txInfo
	var exported string
	export := step{what: "exporting the catalog snapshot", sql: "SELECT pg_export_snapshot()", rows: func(_ *layout, v [][]byte) error {
		if len(v) != 1 || !snapshotID.Match(v[0]) {
			return fmt.Errorf("unexpected snapshot identifier %q", v)
		}
		exported = string(v[0])
		return nil
	}}
	if err := s.run(ctx, pg, concat(begin(""), s.settings(&tx0), []step{export})); err != nil {
		// A server that cannot export snapshots (a standby before PostgreSQL 10, some
		// poolers) is still introspected, over one connection.
		if rerr := rollback(ctx, pg); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		snap, _, err := introspect(ctx, conn, opts)
		return snap, err
	}
	if err := tx0.check(); err != nil {
		return nil, errors.Join(err, rollback(ctx, pg))
	}

	d, dialDone = <-dial, true
	first, rest := split(s.catalog())
	if d.err != nil {
		// No second connection: conn's transaction is open, so it reads everything itself.
		err := s.run(ctx, pg, concat(first, rest, []step{commit}))
		if err != nil {
			return nil, errors.Join(err, rollback(ctx, pg))
		}
		snap, _, err := s.finish(tx0)
		return snap, err
	}

	// Both halves run at once; the exporting transaction stays open until the importing one
	// is done with it, and commits last.
	pg1 := d.conn.PgConn()
	ctx1, cancel1 := context.WithCancel(ctx)
	defer cancel1()
	var err1 error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err1 = s.run(ctx1, pg1, concat(begin(exported), s.settings(&tx1), rest, []step{commit}))
		if err1 == nil {
			err1 = tx1.check()
		}
	}()
	err0 := s.run(ctx, pg, first)
	if err0 != nil {
		cancel1() // the second half is wasted work now; the connection is closed afterwards
	}
	wg.Wait()
	if err := errors.Join(err0, err1); err != nil {
		return nil, errors.Join(err, rollback(ctx, pg))
	}
	if err := s.run(ctx, pg, []step{commit}); err != nil {
		return nil, err
	}
	snap, _, err := s.finish(tx0)
	return snap, err
}

// finish turns what the session read into a normalized snapshot.
func (s *session) finish(tx txInfo) (*snapshot.Snapshot, txInfo, error) {
	snap := s.b.finish()
	if s.timescale {
		snap.Objects = timescale.Prune(snap.Objects)
	}
	snap.ServerVersion = firstField(tx.serverVersion)
	snap.ServerVersionNum = tx.serverVersionNum
	// finish already sorted the objects; Normalize checks for duplicates (an introspection
	// bug) and drops empty attribute maps, and its stable sort is cheap on sorted input.
	if err := snap.Normalize(); err != nil {
		return nil, tx, fmt.Errorf("introspecting: %w", err)
	}
	return snap, tx, nil
}

// rollback ends a transaction left open by a failed batch, so the caller's connection is usable.
func rollback(ctx context.Context, pg *pgconn.PgConn) error {
	if pg.IsClosed() || pg.TxStatus() == 'I' {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := pg.Exec(rctx, "ROLLBACK").ReadAll(); err != nil {
		return fmt.Errorf("introspecting: rolling back: %w", err)
	}
	return nil
}

func closeQuietly(ctx context.Context, conn *pgx.Conn) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = conn.Close(cctx)
}

// run sends steps in one round trip and streams each result through its handler as it
// arrives: rows are turned into objects straight from the wire buffer, never collected.
func (s *session) run(ctx context.Context, pg *pgconn.PgConn, steps []step) error {
	batch := &pgconn.Batch{}
	for _, st := range steps {
		values, types := st.params, []uint32(nil)
		if values == nil {
			if n := paramCount(st.sql); n > 0 {
				values, types = s.params[:n], paramTypes[:n]
			}
		}
		// Text parameters, text results. The session's parameters are typed: a query may use
		// $6 without $3.
		batch.ExecParams(st.sql, values, types, nil, nil)
	}
	mrr := pg.ExecBatch(ctx, batch)
	var handlerErr error
	n := 0
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		if n >= len(steps) {
			_, _ = rr.Close()
			continue
		}
		st := steps[n]
		var l *layout
		for rr.NextRow() {
			if handlerErr != nil || st.rows == nil {
				continue
			}
			if l == nil {
				var err error
				if l, err = resultLayout(rr.FieldDescriptions()); err != nil {
					handlerErr = fmt.Errorf("introspecting %s: %w", st.what, err)
					continue
				}
			}
			if err := s.handle(st, l, rr.Values()); err != nil {
				handlerErr = fmt.Errorf("introspecting %s: %w", st.what, err)
			}
		}
		if _, err := rr.Close(); err != nil {
			_ = mrr.Close()
			return fmt.Errorf("introspecting %s: %w", st.what, err)
		}
		n++
	}
	if err := mrr.Close(); err != nil {
		what := "the catalog"
		if n < len(steps) {
			what = steps[n].what
		}
		return fmt.Errorf("introspecting %s: %w", what, err)
	}
	if handlerErr != nil {
		return handlerErr
	}
	if n != len(steps) {
		return fmt.Errorf("introspecting: expected %d results, got %d", len(steps), n)
	}
	return nil
}

// handle passes one row to its step's reader. Two connections may read at once; the builder
// takes one row at a time.
func (s *session) handle(st step, l *layout, v [][]byte) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return st.rows(l, v)
}

// resultLayout reads the column names of a result.
func resultLayout(fields []pgconn.FieldDescription) (*layout, error) {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return newLayout(names)
}

var paramRef = regexp.MustCompile(`\$([0-9]+)`)

// paramTypes are the types of the session's parameters (see queries.go): text[] but $5, a
// boolean.
var paramTypes = []uint32{pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.BoolOID, pgtype.TextArrayOID}

// paramCount is the highest $n in sql: the server wants exactly as many parameters as the
// statement refers to.
func paramCount(sql string) int {
	n := 0
	for _, m := range paramRef.FindAllStringSubmatch(sql, -1) {
		if v, _ := strconv.Atoi(m[1]); v > n {
			n = v
		}
	}
	return n
}

// encodeTextArray renders a text[] literal: every element double-quoted, with quotes and
// backslashes escaped, so no name can break out of it.
func encodeTextArray(items []string) []byte {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, s := range items {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		for _, r := range s {
			if r == '"' || r == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
		}
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return []byte(sb.String())
}
