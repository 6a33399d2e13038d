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

	"github.com/drift-schema/drift/internal/postgres"
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

// CreateDatabase creates an empty, marked shadow database (drift_shadow_<random>, from
// template0) on the server admin is connected to, and returns its name. The caller must drop
// it with DropDatabase.
func CreateDatabase(ctx context.Context, admin *pgx.Conn) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("creating a shadow database: %w", err)
	}
	name := NamePrefix + hex.EncodeToString(b)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0"); err != nil {
		return "", fmt.Errorf("creating shadow database %s: %w", name, err)
	}
	// COMMENT takes no parameters; the marker is our own text and holds no quote.
	if _, err := admin.Exec(ctx, "COMMENT ON DATABASE "+ident+" IS "+quoteLiteral(marker(time.Now()))); err != nil {
		// The database was created a moment ago on this connection and has no marker yet: it
		// is dropped on the name prefix alone.
		derr := dropDatabase(context.WithoutCancel(ctx), admin, name, false)
		return "", errors.Join(fmt.Errorf("marking shadow database %s: %w", name, err), derr)
	}
	return name, nil
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
	versionNum, err := postgres.ServerVersionNum(ctx, admin)
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
