package shadow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/postgres/catalog"
)

// ReplayError is a migration that could not be replayed. Callers branch on it: it means the
// expected schema could not be built (a tool failure, exit 2), never drift.
type ReplayError struct {
	// File is the migration file, as named in the set.
	File string
	// Line is the 1-based line of File where the failure is: the statement's start, moved to
	// the server's error position when it reported one. 0 when no statement is to blame.
	Line int
	Err  error
}

func (e *ReplayError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("replaying migration %s, line %d: %s", e.File, e.Line, describe(e.Err))
	}
	return fmt.Sprintf("replaying migration %s: %s", e.File, describe(e.Err))
}

func (e *ReplayError) Unwrap() error { return e.Err }

// describe renders a server error with its detail, hint and context, which say where inside a
// function body or DO block the failure was.
func describe(err error) string {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(pg.Error())
	for _, part := range []struct{ name, text string }{{"detail", pg.Detail}, {"hint", pg.Hint}, {"context", pg.Where}} {
		if part.text != "" {
			fmt.Fprintf(&b, "; %s: %s", part.name, strings.ReplaceAll(part.text, "\n", " / "))
		}
	}
	return b.String()
}

// errorLine moves a statement's start line to the line of the server's error position (a
// 1-based character offset into the statement text).
func errorLine(st Statement, err error) int {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Position <= 0 {
		return st.Line
	}
	line, chars := st.Line, int(pg.Position)-1
	for _, r := range st.SQL {
		if chars == 0 {
			break
		}
		if r == '\n' {
			line++
		}
		chars--
	}
	return line
}

// plannedFile is a migration file split into statements.
type plannedFile struct {
	file  string
	stmts []Statement
	// noTx: the file's tool runs it outside a transaction (a marker comment says so).
	noTx bool
}

// splitAll splits every file before anything runs, so that an unreadable file fails the replay
// before a database is touched.
func splitAll(ms []migrations.Migration) ([]plannedFile, error) {
	out := make([]plannedFile, 0, len(ms))
	for _, m := range ms {
		if m.Kind == migrations.Down {
			return nil, fmt.Errorf("refusing to replay %s: it is a down or rollback migration", m.File)
		}
		up, d := upPart(string(m.Content))
		stmts, err := Split(up)
		if err != nil {
			var se *SplitError
			if errors.As(err, &se) {
				return nil, &ReplayError{File: m.File, Line: se.Line, Err: errors.New(se.Msg)}
			}
			return nil, &ReplayError{File: m.File, Err: err}
		}
		out = append(out, plannedFile{file: m.File, stmts: stmts, noTx: d.noTransaction})
	}
	return out, nil
}

// resetSession runs between files so that each starts from a fresh session, as Flyway gives
// each migration: a SET ROLE or SET search_path in one file does not leak into the next.
const resetSession = "SET SESSION AUTHORIZATION DEFAULT; RESET ALL"

// Replay runs migrations, in the order given, on conn (a fresh shadow database).
//
// Only the part of a file its tool runs going up is run (goose, sql-migrate and dbmate mark up
// and down parts in one file). Each file runs in its own transaction, like Flyway,
// golang-migrate and goose run them, unless it controls transactions itself (BEGIN/COMMIT),
// its tool runs it outside one (-- +goose NO TRANSACTION and the like), or it holds a
// statement that cannot run inside one or needs its own commit (CREATE INDEX CONCURRENTLY,
// VACUUM, a DO block that commits, ALTER TYPE ... ADD VALUE whose value the file goes on to
// use): such a file runs statement by statement in autocommit mode, its own BEGIN ... COMMIT
// blocks as written. A file that ends inside a transaction block is an error. Between files
// the session is reset (SET SESSION AUTHORIZATION DEFAULT; RESET ALL).
//
// Statements are sent one at a time over the simple query protocol, so a failure names its
// file and line (*ReplayError); the replay stops at the first one.
func Replay(ctx context.Context, conn *pgx.Conn, ms []migrations.Migration, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	files, err := splitAll(ms)
	if err != nil {
		return err
	}
	return replayFiles(ctx, conn, files, logger, sessionSetup{})
}

// sessionSetup is what every replayed file's session starts with.
type sessionSetup struct {
	// switchRole, when not empty, is the SQL that makes the session run as the role the
	// migrations ran as on live (SET ROLE app).
	switchRole string
	// settings are set (session-wide) for every file, as the project's runner sets them.
	settings []Setting
	// prelude runs once, after switchRole, before the first file.
	prelude []string
}

// Setting is one run-time parameter a project's migration runner sets for every migration
// (search_path, lock_timeout, ...).
type Setting struct{ Name, Value string }

// start brings a fresh or reset session to where a file starts.
func (s sessionSetup) start(ctx context.Context, pg *pgconn.PgConn) error {
	if s.switchRole != "" {
		if err := exec(ctx, pg, s.switchRole); err != nil {
			return fmt.Errorf("switching role (%s): %w", s.switchRole, err)
		}
	}
	for _, st := range s.settings {
		// set_config takes the name and value as parameters: nothing is spliced into SQL.
		if _, err := pg.ExecParams(ctx, "SELECT pg_catalog.set_config($1, $2, false)", [][]byte{[]byte(st.Name), []byte(st.Value)}, nil, nil, nil).Close(); err != nil {
			return fmt.Errorf("setting %s (replay_settings): %w", st.Name, err)
		}
	}
	return nil
}

// replayFiles is Replay of files already split, in sessions set up by setup.
func replayFiles(ctx context.Context, conn *pgx.Conn, files []plannedFile, logger *slog.Logger, setup sessionSetup) error {
	versionNum, err := catalog.ServerVersionNum(ctx, conn)
	if err != nil {
		return fmt.Errorf("replaying migrations: %w", err)
	}
	pg := conn.PgConn()
	if err := setup.start(ctx, pg); err != nil {
		return fmt.Errorf("replaying migrations: %w", err)
	}
	for _, sql := range setup.prelude {
		if err := exec(ctx, pg, sql); err != nil {
			return fmt.Errorf("replaying migrations: preparing the shadow database (%s): %w", sql, err)
		}
	}
	for _, f := range files {
		started := time.Now()
		if err := replayFile(ctx, pg, f, versionNum); err != nil {
			return err
		}
		if err := exec(ctx, pg, resetSession); err != nil {
			return &ReplayError{File: f.file, Err: fmt.Errorf("resetting the session after the file: %w", err)}
		}
		if err := setup.start(ctx, pg); err != nil {
			return &ReplayError{File: f.file, Err: fmt.Errorf("after the file: %w", err)}
		}
		logger.Debug("replayed migration", "file", f.file, "statements", len(f.stmts), "duration", time.Since(started))
	}
	return nil
}

// autocommit reports whether a file runs statement by statement outside a transaction.
func (f plannedFile) autocommit(versionNum int) bool {
	if f.noTx {
		return true
	}
	for _, st := range f.stmts {
		switch {
		case st.Kind == Begin || st.Kind == End || st.OutsideTransaction(versionNum):
			return true
		case st.Kind == AddEnumValue:
			return true // its value may be used later in the file, which one transaction forbids
		case st.Kind == DoBlock && commitInBody.MatchString(st.SQL):
			return true
		}
	}
	return false
}

func replayFile(ctx context.Context, pg *pgconn.PgConn, f plannedFile, versionNum int) error {
	ownTx := f.autocommit(versionNum)
	if !ownTx {
		if err := exec(ctx, pg, "BEGIN"); err != nil {
			return &ReplayError{File: f.file, Err: fmt.Errorf("starting a transaction: %w", err)}
		}
	}
	for _, st := range f.stmts {
		if err := exec(ctx, pg, st.SQL); err != nil {
			if pg.TxStatus() != 'I' && !pg.IsClosed() {
				_ = exec(ctx, pg, "ROLLBACK")
			}
			return &ReplayError{File: f.file, Line: errorLine(st, err), Err: err}
		}
	}
	if ownTx {
		if pg.TxStatus() != 'I' {
			_ = exec(ctx, pg, "ROLLBACK")
			return &ReplayError{File: f.file, Err: errors.New("the file ends inside a transaction block (BEGIN without COMMIT)")}
		}
		return nil
	}
	if err := exec(ctx, pg, "COMMIT"); err != nil {
		return &ReplayError{File: f.file, Err: fmt.Errorf("committing: %w", err)}
	}
	return nil
}

// exec runs SQL over the simple query protocol: no statement is prepared and the text is sent
// as written, so "$1" inside a function body is left alone.
func exec(ctx context.Context, pg *pgconn.PgConn, sql string) error {
	_, err := pg.Exec(ctx, sql).ReadAll()
	return err
}
