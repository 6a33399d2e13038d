package neo4j

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// ReplayOptions tune Replay.
type ReplayOptions struct {
	// Database is the scratch database; empty means the home database (or the URI's
	// "database" parameter with Replay).
	Database string
	// Target is the database the expected schema is for: statements a `:use` or USE sends
	// to another database are not run (see ParseOptions.Database); empty means "neo4j".
	Target string
	// ConnectTimeout bounds connecting to the scratch server; zero means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// AwaitIndexes bounds the wait for the created indexes to come online; zero means 5 minutes.
	AwaitIndexes time.Duration
	// Logger receives progress at debug level; nil discards it.
	Logger *slog.Logger
}

// Replay runs the migrations, in order, on a scratch Neo4j and introspects the result as the
// expected schema: the ground truth for what the static parser cannot model (procedures,
// parameters, graph types). The scratch database must be empty: Replay refuses one that holds
// any node, index or constraint (other than Neo4j's own LOOKUP indexes), and afterwards drops
// every index and constraint and deletes every node it created, also when a migration failed.
func Replay(ctx context.Context, scratchURI string, files []File, opts ReplayOptions) (*snapshot.Snapshot, error) {
	conn, err := ParseURI(scratchURI)
	if err != nil {
		return nil, err
	}
	if opts.Database == "" {
		opts.Database = conn.Database
	}
	d, err := conn.Connect(ctx, opts.ConnectTimeout)
	if err != nil {
		return nil, err
	}
	defer d.Close(ctx)
	snap, err := ReplayDriver(ctx, d, files, opts)
	if err != nil {
		return nil, fmt.Errorf("replaying neo4j migrations on %s: %w", conn, err)
	}
	return snap, nil
}

// ReplayDriver is Replay on an open driver.
func ReplayDriver(ctx context.Context, d neo4jdrv.DriverWithContext, files []File, opts ReplayOptions) (snap *snapshot.Snapshot, err error) {
	log := slog.New(slog.DiscardHandler)
	if opts.Logger != nil {
		log = opts.Logger
	}
	r := runner{d: d, db: opts.Database}
	keep, err := r.checkEmpty(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		// The caller's context may be what ended the replay: clean up on a fresh one.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if cerr := r.cleanup(cctx, keep); cerr != nil {
			err = errors.Join(err, fmt.Errorf("cleaning up the scratch database: %w", cerr))
			snap = nil
		}
	}()
	target := opts.Target
	if target == "" {
		target = DefaultDatabase
	}
	var cat catalog
	for _, f := range files {
		if isCatalogFile(f.Name) {
			if f, err = catalogCypher(f, &cat); err != nil {
				return nil, err
			}
		}
		stmts, err := splitStatements(f.Name, f.Content)
		if err != nil {
			return nil, err
		}
		session, ran := "", 0
		for _, st := range stmts {
			if db, ok, err := useCommand(st); ok {
				if err != nil {
					return nil, err
				}
				session = db
				continue
			}
			if st.command {
				continue
			}
			// The scratch database stands for the target's: a USE naming it is dropped, and
			// statements for any other database are not run.
			db, text := useClause(st)
			if db == "" {
				db = session
			}
			if db != "" && !sameDatabase(db, target) {
				continue
			}
			if err := r.exec(ctx, text); err != nil {
				return nil, &ParseError{File: st.file, Line: st.line, Msg: "migration failed: " + err.Error()}
			}
			ran++
		}
		log.Debug("replayed migration", "file", f.Name, "statements", ran)
	}
	wait := opts.AwaitIndexes
	if wait <= 0 {
		wait = 5 * time.Minute
	}
	if err := r.exec(ctx, fmt.Sprintf("CALL db.awaitIndexes(%d)", int(wait.Seconds()))); err != nil {
		return nil, fmt.Errorf("waiting for the replayed indexes: %w", err)
	}
	snap, health, err := Introspect(ctx, d, Options{Database: opts.Database, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	for _, h := range health {
		if h.Severity == diff.Warning {
			return nil, fmt.Errorf("%s %s on the scratch database: %s", h.Kind, h.Object, h.Summary)
		}
	}
	snap.Source = snapshot.Source{Kind: snapshot.SourceMigrations}
	return snap, nil
}

// runner runs statements on one database of a driver.
type runner struct {
	d  neo4jdrv.DriverWithContext
	db string
}

// exec runs one statement in its own auto-commit transaction, as cypher-shell does (schema
// statements cannot share a transaction with writes; CALL ... IN TRANSACTIONS needs one).
func (r runner) exec(ctx context.Context, stmt string) error {
	s := r.d.NewSession(ctx, neo4jdrv.SessionConfig{DatabaseName: r.db})
	defer s.Close(ctx)
	res, err := s.Run(ctx, stmt, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return err
}

func (r runner) strings(ctx context.Context, query string) ([]string, error) {
	s := r.d.NewSession(ctx, neo4jdrv.SessionConfig{DatabaseName: r.db, AccessMode: neo4jdrv.AccessModeRead})
	defer s.Close(ctx)
	res, err := s.Run(ctx, query, nil)
	if err != nil {
		return nil, err
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(recs))
	for _, rec := range recs {
		out = append(out, str(rec.Values[0]))
	}
	return out, nil
}

// checkEmpty refuses a scratch database that holds data or schema, and returns the names of
// the LOOKUP indexes already there, which cleanup must leave alone.
func (r runner) checkEmpty(ctx context.Context) (map[string]bool, error) {
	nodes, err := r.strings(ctx, "MATCH (n) RETURN elementId(n) LIMIT 1")
	if err != nil {
		// 4.4 has no elementId; id() works everywhere it is missing.
		if nodes, err = r.strings(ctx, "MATCH (n) RETURN id(n) LIMIT 1"); err != nil {
			return nil, fmt.Errorf("checking that the scratch database is empty: %w", err)
		}
	}
	if len(nodes) > 0 {
		return nil, errors.New("the scratch database holds nodes; refusing to replay into it (point drift at an empty database it may clean up)")
	}
	idx, ierr := r.strings(ctx, "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")
	con, cerr := r.strings(ctx, "SHOW CONSTRAINTS YIELD name RETURN name")
	if ierr != nil || cerr != nil {
		return nil, fmt.Errorf("checking that the scratch database is empty: %w", errors.Join(ierr, cerr))
	}
	schema := append(idx, con...)
	if len(schema) > 0 {
		return nil, fmt.Errorf("the scratch database already has indexes or constraints (%s); refusing to replay into it", strings.Join(schema, ", "))
	}
	lookups, err := r.strings(ctx, "SHOW INDEXES YIELD name, type WHERE type = 'LOOKUP' RETURN name")
	if err != nil {
		return nil, fmt.Errorf("listing the scratch database's lookup indexes: %w", err)
	}
	keep := map[string]bool{}
	for _, n := range lookups {
		keep[n] = true
	}
	return keep, nil
}

// cleanup drops every constraint and index not in keep and deletes all data: the database was
// empty when the replay began, so all of it was created by the replay.
func (r runner) cleanup(ctx context.Context, keep map[string]bool) error {
	var errs []error
	constraints, err := r.strings(ctx, "SHOW CONSTRAINTS YIELD name RETURN name")
	if err != nil {
		return err
	}
	for _, n := range constraints {
		if err := r.exec(ctx, "DROP CONSTRAINT "+quoteName(n)+" IF EXISTS"); err != nil {
			errs = append(errs, err)
		}
	}
	indexes, err := r.strings(ctx, "SHOW INDEXES YIELD name RETURN name")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, n := range indexes {
		if keep[n] {
			continue
		}
		if err := r.exec(ctx, "DROP INDEX "+quoteName(n)+" IF EXISTS"); err != nil {
			errs = append(errs, err)
		}
	}
	if err := r.exec(ctx, "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// quoteName quotes a Cypher symbolic name with backticks.
func quoteName(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
