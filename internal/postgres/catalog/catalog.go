// Package catalog reads the schema of a live PostgreSQL database into a drift snapshot.
//
// Introspection reads pg_catalog only and lets the server render every definition (format_type,
// pg_get_expr, pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef, pg_get_triggerdef,
// pg_get_functiondef), so two databases built from the same SQL give byte-identical snapshots.
// It sends one set-based query per object kind, all in a single round trip, inside one
// REPEATABLE READ READ ONLY transaction with an empty search_path: the cost does not grow with
// network latency times the number of tables, the objects are read from one consistent catalog
// state, and nothing is ever written. IntrospectDSN by default splits the queries over two
// connections sharing one exported snapshot (Options.Connections).
//
// Left out of every snapshot: system schemas, TimescaleDB internals, extension members,
// migration-tracking tables and drift's own store tables (TrackingTables), and anything hanging
// off them. Never recorded: OIDs, attnum, sequence positions,
// statistics, enum sort-order numbers, collation versions.
//
// Like pg_dump, the deparsers read the server's current catalog rather than the transaction's
// snapshot: DDL committed while an introspection runs can make it fail ("cache lookup failed"),
// which is an error to retry, never drift.
package catalog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/pgdial"
	"github.com/drift-schema/drift/internal/snapshot"
)

// DefaultStatementTimeout bounds each catalog query when Options.StatementTimeout is zero.
const DefaultStatementTimeout = 5 * time.Minute

// MinServerVersionNum is the oldest server drift introspects (PostgreSQL 12: generated columns,
// prokind, MATERIALIZED common table expressions).
const MinServerVersionNum = 120000

// Options tune an introspection. The zero value reads every non-system schema.
type Options struct {
	// Schemas limits the snapshot to these schemas; empty means every non-system schema.
	// Extensions are database-wide and are listed whatever this says.
	Schemas []string
	// ExcludeTables are extra tables to leave out, as "schema.table" (or "table" in every
	// schema), on top of the
	// migration-tracking tables and drift's own tables. Their columns, indexes, constraints,
	// triggers, policies, grants, comments and owned sequences go with them.
	ExcludeTables []string
	// Partitions compares every partition as a table of its own. By default partitions are
	// left out (applications and pg_partman create them at run time, under names of the
	// day) and each partitioned table gets a "partitioning" object saying how its partitions
	// depart from it: indexes they lack or have of their own, constraints and triggers of
	// their own, another owner, other grants, persistence or row level security.
	Partitions bool
	// StatementTimeout bounds each catalog query; zero means DefaultStatementTimeout.
	StatementTimeout time.Duration
	// Connections is how many connections IntrospectDSN may use: 1 reads everything over one
	// connection in one round trip; 2 (the default, for zero) opens a second connection that
	// imports the first one's snapshot, and the two read half of the catalog each, which
	// nearly halves the time on large schemas at the cost of one more connection and round
	// trip. Introspect always uses the one connection it is given.
	Connections int
}

// trackingTables are the migration-tracking tables of the tools drift meets, left out of every
// snapshot in every schema: the shadow database replayed from migration files does not have
// them (or has drift's idea of them), and their contents are read separately. A table is one of
// them by its name and the columns its tool gives it: a table of the project's that only shares
// the name (a django_migrations of its own) is compared like any other.
var trackingTables = []trackingTable{
	{"schema_migrations", "version"},                            // golang-migrate, dbmate, Rails, ...
	{"ar_internal_metadata", "key,value"},                       // Rails, beside schema_migrations
	{"flyway_schema_history", "installed_rank,version"},         // Flyway
	{"schema_version", "installed_rank,version,script,success"}, // Flyway before 5
	{"goose_db_version", "version_id,is_applied"},               // goose
	{"__diesel_schema_migrations", "version"},                   // Diesel
	{"_sqlx_migrations", "version,success,checksum"},            // sqlx
	{"gorp_migrations", "id,applied_at"},                        // sql-migrate
	{"schema_migration", "version"},                             // pop
	{"schema_migration_pop_legacy", "version"},                  // pop's table once Ory's popx renamed it
	{"databasechangelog", "id,author,filename"},                 // Liquibase
	{"databasechangeloglock", "id,locked"},                      // Liquibase
	{"knex_migrations", "name,batch"},                           // Knex
	{"knex_migrations_lock", "is_locked"},                       // Knex
	{"alembic_version", "version_num"},                          // Alembic
	{"_prisma_migrations", "migration_name,finished_at"},        // Prisma
	{"django_migrations", "app,name,applied"},                   // Django
	{"migrations", "id,name,hash,executed_at"},                  // postgres-migrations
	{"migrations", "id,timestamp,name"},                         // TypeORM
	{"pgmigrations", "id,name,run_on"},                          // node-pg-migrate
	{"__drizzle_migrations", "id,hash,created_at"},              // Drizzle (in its schema drizzle)
	{"atlas_schema_revisions", "version,applied,total,hash"},    // Atlas
	{"SequelizeMeta", "name"},                                   // Sequelize
	{"mikro_orm_migrations", "id,name,executed_at"},             // MikroORM
	{"kysely_migration", "name,timestamp"},                      // Kysely
	{"kysely_migration_lock", "id,is_locked"},                   // Kysely
	{"seed_files", "path,hash"},                                 // Supabase CLI (schema supabase_migrations)
	// Sqitch's registry (schema sqitch).
	{"changes", "change_id,script_hash,change,project"},
	{"tags", "tag_id,tag,project,change_id"},
	{"events", "event,change_id,change,project"},
	{"dependencies", "change_id,type,dependency,dependency_id"},
	{"projects", "project,uri,creator_name"},
	{"releases", "version,installed_at,installer_name"},
	// graphile-migrate (schema graphile_migrate).
	{"migrations", "hash,previous_hash,filename,date"},
	{"current", "filename,content,date"},
	// drift's own store (internal/store), when it shares a database with a target. Exact names,
	// not a drift_ prefix: a user's drift_events table is theirs and must be watched.
	{"schema_drift_alerts", "target,fingerprint"},
	{"drift_runs", "target,scheduled_for"},
	{"drift_snapshots", "target,hash"},
	{"drift_schema_version", "version"},
}

// trackingTable is a table left out by name in every schema when it has the columns (comma
// separated; none: by name alone).
type trackingTable struct {
	name, columns string
}

// TrackingTables returns the table names left out of every snapshot in every schema (when they
// have their tool's columns): migration tracking tables and drift's own store tables.
func TrackingTables() []string {
	names := make([]string, len(trackingTables))
	for i, t := range trackingTables {
		names[i] = t.name
	}
	return names
}

// Introspect reads the schema visible on conn into a normalized snapshot (Engine "postgres",
// Source.Kind "live"; Target is left for the caller). conn must not be inside a transaction:
// Introspect opens and ends its own.
func Introspect(ctx context.Context, conn *pgx.Conn, opts Options) (*snapshot.Snapshot, error) {
	snap, _, err := introspect(ctx, conn, opts)
	return snap, err
}

// IntrospectDSN connects to dsn, introspects and closes the connection. Its errors never carry
// the connection string's password.
func IntrospectDSN(ctx context.Context, dsn string, opts Options) (*snapshot.Snapshot, error) {
	cfg, err := pgdial.Config(dsn)
	if err != nil {
		return nil, fmt.Errorf("introspecting: %w", err)
	}
	conn, err := pgdial.ConnectConfig(ctx, cfg.Copy(), "introspecting: connecting")
	if err != nil {
		return nil, err
	}
	var snap *snapshot.Snapshot
	if opts.Connections == 1 {
		snap, err = Introspect(ctx, conn, opts)
	} else {
		snap, err = introspectPair(ctx, conn, cfg, opts)
	}
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if cerr := conn.Close(closeCtx); cerr != nil && err == nil {
		err = fmt.Errorf("introspecting: closing the connection: %w", cerr)
	}
	if err != nil {
		return nil, pgdial.Scrub(err, cfg)
	}
	return snap, nil
}

// ServerVersionNum returns the server's server_version_num (150018 for 15.18).
func ServerVersionNum(ctx context.Context, conn *pgx.Conn) (int, error) {
	var v string
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')").Scan(&v); err != nil {
		return 0, fmt.Errorf("reading server_version_num: %w", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("reading server_version_num: %q is not a number", v)
	}
	return n, nil
}

// majorOf reads the major version from a server_version string ("15.18 (Debian ...)", "16beta1").
func majorOf(v string) int {
	end := 0
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(v[:end])
	return n
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}
