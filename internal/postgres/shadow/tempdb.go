package shadow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/drift-schema/drift/internal/postgres/catalog"
)

// NamePrefix starts the name of every shadow database drift creates.
const NamePrefix = "drift_shadow_"

// markerPrefix starts the comment drift puts on every shadow database it creates. A database is
// only ever dropped when it has both the name prefix and this marker, so nothing drift did not
// create is dropped, even on a server shared with other tools.
const markerPrefix = "drift shadow database, created "

// marker is the comment of a shadow database created now by this process.
func marker(now time.Time) string {
	return fmt.Sprintf("%s%s by pid %d", markerPrefix, now.UTC().Format(time.RFC3339), os.Getpid())
}

// markerTime reads the creation time out of a marker comment.
func markerTime(comment string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(comment, markerPrefix)
	if !ok {
		return time.Time{}, false
	}
	stamp, _, _ := strings.Cut(rest, " ")
	t, err := time.Parse(time.RFC3339, stamp)
	return t, err == nil
}

// createTimeout bounds creating and marking a shadow database, which run detached from the
// caller's context; dropTimeout bounds dropping one.
const (
	createTimeout = time.Minute
	dropTimeout   = time.Minute
)

// afterCreateHook, when set (by tests), runs between CREATE DATABASE and the marker comment.
var afterCreateHook func(admin *pgx.Conn)

// CreateDatabase creates an empty, marked shadow database (drift_shadow_<random>, from
// template0) on the server admin is connected to, and returns its name. The caller must drop
// it with DropDatabase.
func CreateDatabase(ctx context.Context, admin *pgx.Conn) (string, error) {
	return createDatabase(ctx, admin, "")
}

// createDatabase is CreateDatabase of a database owned by owner (empty: admin's role).
//
// Creating and marking are one step: once CREATE DATABASE is sent, the marker must follow, or
// the database would be one that no sweep ever drops. So both run detached from ctx (a
// cancellation in between would leave an unmarked database behind), bounded by a timeout of
// their own; the caller notices its cancellation at its next step, and drops the database.
func createDatabase(ctx context.Context, admin *pgx.Conn, owner string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("creating a shadow database: %w", err)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("creating a shadow database: %w", err)
	}
	name := NamePrefix + hex.EncodeToString(b)
	ident := pgx.Identifier{name}.Sanitize()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), createTimeout)
	defer cancel()
	create := "CREATE DATABASE " + ident + " TEMPLATE template0"
	if owner != "" {
		create += " OWNER " + pgx.Identifier{owner}.Sanitize()
	}
	if _, err := admin.Exec(cctx, create); err != nil {
		err = fmt.Errorf("creating shadow database %s: %w", name, err)
		var pg *pgconn.PgError
		if errors.As(err, &pg) {
			return "", err // the server refused: there is no database
		}
		// The connection failed or timed out: the server may have created the database all
		// the same. It has a random name created a moment ago by this process and no marker
		// yet, so it is dropped on the name prefix alone.
		return "", errors.Join(err, dropReliably(ctx, admin, name, false))
	}
	if afterCreateHook != nil {
		afterCreateHook(admin)
	}
	// COMMENT takes no parameters; the marker is our own text and holds no quote.
	if _, err := admin.Exec(cctx, "COMMENT ON DATABASE "+ident+" IS "+quoteLiteral(marker(time.Now()))); err != nil {
		// The database was created a moment ago by this process and has no marker yet: it is
		// dropped on the name prefix alone.
		return "", errors.Join(fmt.Errorf("marking shadow database %s: %w", name, err), dropReliably(ctx, admin, name, false))
	}
	return name, nil
}

// dropReliably drops a shadow database with a context of its own (bounded by dropTimeout), so
// that a cancelled or timed-out caller still cleans up, on a fresh connection when admin's is
// lost.
func dropReliably(ctx context.Context, admin *pgx.Conn, name string, requireMarker bool) error {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
	defer cancel()
	if !admin.IsClosed() {
		err := dropDatabase(dctx, admin, name, requireMarker)
		if err == nil || !admin.IsClosed() {
			return err
		}
	}
	cfg := admin.Config()
	fresh, err := pgx.ConnectConfig(dctx, cfg)
	if err != nil {
		return scrub(fmt.Errorf("dropping shadow database %s: reconnecting: %w", name, err), cfg.Password)
	}
	defer closeConn(dctx, fresh)
	return dropDatabase(dctx, fresh, name, requireMarker)
}

// DropDatabase drops a shadow database after checking that it is one: its name has the prefix
// and it carries drift's marker comment. A database that no longer exists is not an error.
func DropDatabase(ctx context.Context, admin *pgx.Conn, name string) error {
	return dropDatabase(ctx, admin, name, true)
}

func dropDatabase(ctx context.Context, admin *pgx.Conn, name string, requireMarker bool) error {
	if !strings.HasPrefix(name, NamePrefix) {
		return fmt.Errorf("refusing to drop database %s: it is not a drift shadow database (no %s prefix)", name, NamePrefix)
	}
	if requireMarker {
		var comment *string
		err := admin.QueryRow(ctx, "SELECT pg_catalog.shobj_description(oid, 'pg_database') FROM pg_catalog.pg_database WHERE datname = $1", name).Scan(&comment)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("checking shadow database %s before dropping it: %w", name, err)
		}
		if comment == nil || !strings.HasPrefix(*comment, markerPrefix) {
			return fmt.Errorf("refusing to drop database %s: it has no drift shadow marker comment", name)
		}
	}
	versionNum, err := catalog.ServerVersionNum(ctx, admin)
	if err != nil {
		return fmt.Errorf("dropping shadow database %s: %w", name, err)
	}
	ident := pgx.Identifier{name}.Sanitize()
	if versionNum >= 130000 {
		_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
	} else {
		_, err = admin.Exec(ctx, "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()", name)
		if err == nil {
			_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident)
		}
	}
	if err != nil {
		return fmt.Errorf("dropping shadow database %s: %w", name, err)
	}
	return nil
}

// SweepOrphans drops the shadow databases left by crashed runs: those with the name prefix and
// drift's marker comment created more than olderThan ago. Databases without the marker are
// never touched, whatever their name. Pick olderThan well above the longest replay (an hour),
// so that the databases of runs still going are left alone. It returns the names dropped.
func SweepOrphans(ctx context.Context, admin *pgx.Conn, olderThan time.Duration) ([]string, error) {
	rows, err := admin.Query(ctx, "SELECT datname, pg_catalog.shobj_description(oid, 'pg_database') FROM pg_catalog.pg_database WHERE starts_with(datname, $1) ORDER BY datname", NamePrefix)
	if err != nil {
		return nil, fmt.Errorf("sweeping shadow databases: %w", err)
	}
	type candidate struct {
		name    string
		comment *string
	}
	var candidates []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.name, &c.comment); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sweeping shadow databases: %w", err)
		}
		candidates = append(candidates, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sweeping shadow databases: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	var dropped []string
	var errs []error
	for _, c := range candidates {
		if c.comment == nil {
			continue
		}
		created, ok := markerTime(*c.comment)
		if !ok || !created.Before(cutoff) {
			continue
		}
		if err := DropDatabase(ctx, admin, c.name); err != nil {
			errs = append(errs, err)
			continue
		}
		dropped = append(dropped, c.name)
	}
	if len(errs) > 0 {
		return dropped, fmt.Errorf("sweeping shadow databases: %w", errors.Join(errs...))
	}
	return dropped, nil
}

// quoteLiteral renders s as a SQL string literal.
func quoteLiteral(s string) string {
	if strings.Contains(s, `\`) {
		return "E'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
