// Package shadow builds the expected schema of a PostgreSQL database from its migration set:
// it replays the migrations into a throwaway shadow database and introspects it.
//
// The shadow database is a temporary database (drift_shadow_<random>, from template0, marked
// with a comment) on a configured shadow server, or, by default, a database in a throwaway
// local cluster of the live server's major, started from binaries pgbin finds or downloads. It is dropped after use,
// on failure too, and only ever after checking its name prefix and marker; SweepOrphans drops
// the marked leftovers of crashed runs. Results are cached (Cache), because the same set is
// replayed for many targets and runs.
package shadow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgbin"
	"github.com/drift-schema/drift/internal/pgcluster"
	"github.com/drift-schema/drift/internal/postgres/catalog"
	"github.com/drift-schema/drift/internal/snapshot"
)

// BuildOptions configure Build.
type BuildOptions struct {
	// ShadowDSN is a server on which drift may create and drop databases (the role needs
	// CREATEDB). Empty: start a throwaway local cluster of LiveMajor's version.
	ShadowDSN string
	// LiveMajor is the live server's major version (15 for 15.18); 0 when there is no live
	// server (drift snapshot --from migrations). A shadow of another major version is reported
	// as a warning, because the server renders the definitions and its output changes between
	// majors.
	LiveMajor int
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
	// Cache, when not nil, answers repeated builds without replaying.
	Cache *Cache
	// Introspection are the options used to read the shadow database; use the live side's, so
	// that both snapshots cover the same schemas.
	Introspection catalog.Options
	// Owner is the role the migrations ran as on the live server: the owner of the live
	// database (ReadLiveRoles). The shadow database is owned by it and the migrations are
	// replayed as it, so that objects have the same owner on both sides (a GRANT to the owner
	// is a no-op, CURRENT_USER is the owner). Empty: replay as the shadow server's role.
	Owner string
	// Settings are set for every replayed file, as the project's migration runner sets them
	// (a target's replay_settings).
	Settings []Setting
	// Prelude are statements run before the first migration, as the replaying role: a
	// target's replay_prelude, then the live tracking table when migrations touch it.
	Prelude []string
	// Binaries say where the throwaway cluster's server binaries come from when there is no
	// ShadowDSN (pgbin: a bin dir, a local install, the cache, a download).
	Binaries pgbin.Options
	// Roles are the live cluster's roles (ReadLiveRoles); nil when there is no live server.
	// In the throwaway cluster, which is drift's own, those missing are created (NOLOGIN), so
	// that GRANT ... TO and CREATE POLICY ... TO them replay. On a configured shadow server,
	// roles belong to the whole server and are never created: it must have them.
	Roles []Role
}

func (o BuildOptions) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Build replays upTo (migrations of set, in order; set.Migrations for all of it, or the toReplay
// of migrations.Plan) into a shadow database and returns its snapshot, with Source
// {Kind: "migrations", Checksum: set checksum, Version: last versioned migration replayed}.
// Target is left for the caller.
//
// warnings are conditions the caller must show, such as a shadow server of another major
// version than the live one. A migration that fails is a *ReplayError naming the file and
// line; there is never a partial snapshot.
func Build(ctx context.Context, opts BuildOptions, set *migrations.Set, upTo []migrations.Migration) (_ *snapshot.Snapshot, warnings []string, err error) {
	if err := checkUpTo(set, upTo); err != nil {
		return nil, nil, err
	}
	// Split every file first: a file drift cannot read fails the build before any server is
	// touched.
	files, err := splitAll(upTo)
	if err != nil {
		return nil, nil, fmt.Errorf("building the expected schema: %w", err)
	}
	b := &builder{opts: opts, set: set, upTo: upTo, files: files, logger: opts.logger()}
	if b.opts.Binaries.Logger == nil {
		b.opts.Binaries.Logger = b.logger // a download shows on the run's status line
	}
	intro := fmt.Sprintf("%q %q %q %q", opts.Introspection.Schemas, opts.Introspection.ExcludeTables, opts.Settings, opts.Prelude)
	key := func(major int, owner string) string {
		return cacheKey(set.Checksum, upTo, major, intro+" "+rolesKey(owner, opts.Roles))
	}
	if opts.ShadowDSN == "" {
		// drift's own cluster: every role can be created and the owner always used.
		bins, err := pgbin.Resolve(ctx, opts.LiveMajor, b.opts.Binaries)
		if err != nil {
			return nil, nil, fmt.Errorf("building the expected schema: %w", err)
		}
		b.bins = bins
		snap, err := opts.Cache.get(ctx, key(bins.Major, opts.Owner), b.logger, func() (*snapshot.Snapshot, error) { return b.replayEmbedded(ctx) })
		if err != nil {
			return nil, nil, fmt.Errorf("building the expected schema: %w", err)
		}
		return snap, versionWarnings(Major(snap.ServerVersionNum), opts.LiveMajor), nil
	}

	// A configured shadow server. An expected schema already cached for a shadow server of the
	// live major version, replayed as the live owner, needs no connection: a shadow server
	// outage does not fail checks that need no replay.
	if opts.LiveMajor != 0 {
		if snap, ok := opts.Cache.lookup(key(opts.LiveMajor, opts.Owner), b.logger); ok {
			return snap, versionWarnings(Major(snap.ServerVersionNum), opts.LiveMajor), nil
		}
	}
	cfg, err := pgx.ParseConfig(opts.ShadowDSN)
	if err != nil {
		return nil, nil, errors.New("building the expected schema: the shadow server connection string cannot be parsed (not shown: it may hold a password)")
	}
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, nil, scrub(fmt.Errorf("building the expected schema: connecting to the shadow server: %w", err), cfg.Password)
	}
	defer closeConn(ctx, admin)
	num, err := catalog.ServerVersionNum(ctx, admin)
	if err != nil {
		return nil, nil, fmt.Errorf("building the expected schema: %w", err)
	}
	major := Major(num)
	warning, err := b.configuredOwner(ctx, admin, major)
	if err != nil {
		return nil, nil, fmt.Errorf("building the expected schema: %w", err)
	}
	owner := b.as
	if owner == "" && warning == "" {
		owner = opts.Owner // the shadow server's role is the live owner: nothing to switch
	}
	snap, err := opts.Cache.get(ctx, key(major, owner), b.logger, func() (*snapshot.Snapshot, error) { return b.replayOn(ctx, admin) })
	if err != nil {
		return nil, nil, fmt.Errorf("building the expected schema: %w", err)
	}
	warnings = versionWarnings(Major(snap.ServerVersionNum), opts.LiveMajor)
	if warning != "" {
		warnings = append(warnings, warning)
	}
	return snap, warnings, nil
}

// CheckPending replays the applied migrations and then the pending ones into a fresh shadow
// database, as Build does, to learn whether the pending ones would apply: it returns the
// first pending migration that fails (file, line, the server's error), or nil when all of them
// apply. A failure in the applied part is an error, as in Build. Nothing is cached: pending
// migrations are a passing state.
func CheckPending(ctx context.Context, opts BuildOptions, set *migrations.Set, applied, pending []migrations.Migration) (*ReplayError, error) {
	all := append(append([]migrations.Migration(nil), applied...), pending...)
	if err := checkUpTo(set, all); err != nil {
		return nil, err
	}
	isPending := map[string]bool{}
	for _, m := range pending {
		isPending[m.File] = true
	}
	failure := func(err error) (*ReplayError, error) {
		var re *ReplayError
		if errors.As(err, &re) && isPending[re.File] {
			return re, nil
		}
		return nil, fmt.Errorf("checking the pending migrations: %w", err)
	}
	files, err := splitAll(all)
	if err != nil {
		return failure(err)
	}
	b := &builder{opts: opts, set: set, upTo: all, files: files, logger: opts.logger(), replayOnly: true}
	if opts.ShadowDSN == "" {
		if b.opts.Binaries.Logger == nil {
			b.opts.Binaries.Logger = b.logger
		}
		if b.bins, err = pgbin.Resolve(ctx, opts.LiveMajor, b.opts.Binaries); err != nil {
			return nil, fmt.Errorf("checking the pending migrations: %w", err)
		}
		if _, err := b.replayEmbedded(ctx); err != nil {
			return failure(err)
		}
		return nil, nil
	}
	cfg, err := pgx.ParseConfig(opts.ShadowDSN)
	if err != nil {
		return nil, errors.New("checking the pending migrations: the shadow server connection string cannot be parsed (not shown: it may hold a password)")
	}
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, scrub(fmt.Errorf("checking the pending migrations: connecting to the shadow server: %w", err), cfg.Password)
	}
	defer closeConn(ctx, admin)
	num, err := catalog.ServerVersionNum(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("checking the pending migrations: %w", err)
	}
	if _, err := b.configuredOwner(ctx, admin, Major(num)); err != nil {
		return nil, fmt.Errorf("checking the pending migrations: %w", err)
	}
	if _, err := b.replayOn(ctx, admin); err != nil {
		return failure(err)
	}
	return nil, nil
}

// Major is the major version of a server_version_num: 15 for 150018 (9.6 gives 906).
func Major(versionNum int) int {
	if versionNum >= 100000 {
		return versionNum / 10000
	}
	return versionNum / 100
}

func versionWarnings(shadow, live int) []string {
	if live == 0 || shadow == 0 || shadow == live {
		return nil
	}
	return []string{fmt.Sprintf("the shadow server runs PostgreSQL %d but the live server runs PostgreSQL %d: "+
		"definitions rendered by different major versions can differ and show as drift; use a shadow server of the live server's major version", shadow, live)}
}

// checkUpTo makes sure the migrations to replay come from the set as loaded.
func checkUpTo(set *migrations.Set, upTo []migrations.Migration) error {
	if set == nil {
		return errors.New("building the expected schema: no migration set")
	}
	if set.Language != migrations.LanguageSQL {
		return fmt.Errorf("building the expected schema: the migration set is %s; only SQL migrations replay into PostgreSQL", set.Language)
	}
	known := make(map[string]string, len(set.Migrations))
	for _, m := range set.Migrations {
		known[m.File] = m.Checksum
	}
	for _, m := range upTo {
		if sum, ok := known[m.File]; !ok || sum != m.Checksum {
			return fmt.Errorf("building the expected schema: migration %s is not in the set as loaded", m.File)
		}
	}
	return nil
}

type builder struct {
	opts   BuildOptions
	set    *migrations.Set
	upTo   []migrations.Migration
	files  []plannedFile
	logger *slog.Logger
	// as is the role the shadow database is owned by and the migrations run as; empty: the
	// shadow server's role.
	as string
	// switchRole is the SQL that makes a session of the shadow server's role run as `as`.
	switchRole string
	// replayOnly: replay and drop, without introspecting (CheckPending).
	replayOnly bool
	// bins are the server binaries of the throwaway cluster (no ShadowDSN).
	bins pgbin.Binaries
}

// setup is how every replayed file's session starts.
func (b *builder) setup() sessionSetup {
	return sessionSetup{switchRole: b.switchRole, settings: b.opts.Settings, prelude: b.opts.Prelude}
}

// replayAs makes the replay run as role: SET SESSION AUTHORIZATION when the shadow server's
// role is a superuser (session_user and current_user both become role, as on live, so a RESET
// ROLE in a migration stays with it), SET ROLE otherwise.
func (b *builder) replayAs(role string, superuser bool) {
	b.as = role
	if superuser {
		b.switchRole = "SET SESSION AUTHORIZATION " + pgx.Identifier{role}.Sanitize()
	} else {
		b.switchRole = "SET ROLE " + pgx.Identifier{role}.Sanitize()
	}
}

// configuredOwner decides the role to replay as on a configured shadow server: the live owner
// when the server has it and the shadow server's role may act as it, else the shadow
// server's role, with a warning unless the live owner is a superuser.
func (b *builder) configuredOwner(ctx context.Context, admin *pgx.Conn, major int) (warning string, err error) {
	owner := b.opts.Owner
	if owner == "" {
		return "", nil
	}
	var current string
	var super, exists bool
	err = admin.QueryRow(ctx, `SELECT current_user, r.rolsuper, EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)
		FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`, owner).Scan(&current, &super, &exists)
	if err != nil {
		return "", fmt.Errorf("reading the roles of the shadow server: %w", err)
	}
	if current == owner {
		return "", nil
	}
	var reason string
	if exists {
		// Creating a database owned by the role needs SET (membership before PostgreSQL 16);
		// dropping it afterwards needs the role's privileges (USAGE).
		set := "SET"
		if major < 16 {
			set = "MEMBER"
		}
		var usable bool
		err = admin.QueryRow(ctx, "SELECT pg_catalog.pg_has_role($1, 'USAGE') AND pg_catalog.pg_has_role($1, '"+set+"')", owner).Scan(&usable)
		if err != nil {
			return "", fmt.Errorf("reading the roles of the shadow server: %w", err)
		}
		if usable {
			b.replayAs(owner, super)
			return "", nil
		}
		reason = fmt.Sprintf("role %s may not SET ROLE %s on the shadow server", current, owner)
	} else {
		reason = fmt.Sprintf("the shadow server has no role %s", owner)
	}
	for _, r := range b.opts.Roles {
		if r.Name == owner && r.Superuser {
			// A superuser's migrations rarely name it; replaying as the shadow role is enough.
			b.logger.Debug("replaying as the shadow server's role, not the live owner", "role", current, "owner", owner, "reason", reason)
			return "", nil
		}
	}
	return fmt.Sprintf("the migrations were replayed as %s, not as %s, which owns the live database (%s): grants and policies that depend on "+
		"the owning role (GRANT ... TO %s, TO CURRENT_USER) may differ; give the shadow server role %s and let %s SET ROLE to it",
		current, owner, reason, owner, owner, current), nil
}

// replayEmbedded starts a throwaway local cluster, replays into a database of it, and stops it.
func (b *builder) replayEmbedded(ctx context.Context) (snap *snapshot.Snapshot, err error) {
	started := time.Now()
	copts, err := b.timescalePreload(pgcluster.Options{BinDir: b.bins.Dir, Major: b.bins.Major})
	if err != nil {
		return nil, err
	}
	cluster, err := pgcluster.Start(ctx, copts)
	if err != nil {
		return nil, fmt.Errorf("starting a throwaway PostgreSQL cluster for the shadow database (or configure a shadow server): %w", err)
	}
	b.logger.Info("started a throwaway shadow cluster", "major", cluster.Major(), "binaries", b.bins.From, "duration", time.Since(started))
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if serr := cluster.Stop(sctx); serr != nil {
			err = errors.Join(err, fmt.Errorf("stopping the throwaway shadow cluster: %w", serr))
		}
		if err != nil {
			snap = nil
		}
	}()
	cfg, err := pgx.ParseConfig(cluster.DSN("postgres"))
	if err != nil {
		return nil, fmt.Errorf("connecting to the throwaway shadow cluster: %w", err)
	}
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, scrub(fmt.Errorf("connecting to the throwaway shadow cluster: %w", err), cfg.Password)
	}
	defer closeConn(ctx, admin)
	// The cluster is drift's own: give it the live roles, the owner among them.
	roles := b.opts.Roles
	owner := b.opts.Owner
	if owner != "" && !slices.ContainsFunc(roles, func(r Role) bool { return r.Name == owner }) {
		roles = append(slices.Clone(roles), Role{Name: owner})
	}
	skip := rolesCreatedBy(b.files)
	delete(skip, owner) // the owner ran the migrations: it existed before them
	if err := createRoles(ctx, admin, roles, skip); err != nil {
		return nil, err
	}
	if owner != "" && owner != pgcluster.Superuser {
		b.replayAs(owner, true)
	}
	return b.replayOn(ctx, admin)
}

// replayOn creates a shadow database with admin, replays into it, introspects it, and drops it
// whatever happened.
func (b *builder) replayOn(ctx context.Context, admin *pgx.Conn) (snap *snapshot.Snapshot, err error) {
	if err := b.checkTimescalePreload(ctx, admin); err != nil {
		return nil, err
	}
	name, err := createDatabase(ctx, admin, b.as)
	if err != nil {
		return nil, err
	}
	b.logger.Info("created shadow database", "database", name, "migrations", len(b.upTo), "role", b.as)
	defer func() {
		if derr := b.drop(ctx, admin, name); derr != nil {
			err = errors.Join(err, derr)
		}
		if err != nil {
			snap = nil
		}
	}()
	cfg := admin.Config()
	cfg.Database = name
	started := time.Now()
	if err := withConn(ctx, cfg, func(conn *pgx.Conn) error { return replayFiles(ctx, conn, b.files, b.logger, b.setup()) }); err != nil {
		return nil, b.explainMissingRole(err)
	}
	replayed := time.Since(started)
	if b.replayOnly {
		return nil, nil
	}
	err = withConn(ctx, cfg, func(conn *pgx.Conn) error {
		var ierr error
		snap, ierr = catalog.Introspect(ctx, conn, b.opts.Introspection)
		if ierr == nil && snap.ServerVersionNum == 0 {
			snap.ServerVersionNum, ierr = catalog.ServerVersionNum(ctx, conn)
		}
		return ierr
	})
	if err != nil {
		return nil, fmt.Errorf("introspecting shadow database %s: %w", name, err)
	}
	snap.Source = snapshot.Source{Kind: snapshot.SourceMigrations, Checksum: b.set.Checksum}
	if last, ok := migrations.Last(b.upTo); ok {
		snap.Source.Version = last.Version
	}
	b.logger.Info("built the expected schema", "database", name, "version", snap.Source.Version,
		"replay", replayed, "objects", len(snap.Objects))
	return snap, nil
}

// drop drops the shadow database with a context of its own, so that a cancelled or timed-out
// check still cleans up, reconnecting when the admin connection was lost.
func (b *builder) drop(ctx context.Context, admin *pgx.Conn, name string) error {
	if err := dropReliably(ctx, admin, name, true); err != nil {
		return err
	}
	b.logger.Debug("dropped shadow database", "database", name)
	return nil
}

func withConn(ctx context.Context, cfg *pgx.ConnConfig, fn func(*pgx.Conn) error) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return scrub(fmt.Errorf("connecting to shadow database %s: %w", cfg.Database, err), cfg.Password)
	}
	defer closeConn(ctx, conn)
	return fn(conn)
}

// closeConn closes a connection with a context of its own. A failure to close only means the
// goodbye message was not sent (the server notices the socket closing), so it is not reported.
func closeConn(ctx context.Context, conn *pgx.Conn) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = conn.Close(cctx)
}

// scrub keeps a password out of an error. pgx leaves passwords out of its connection errors;
// this makes sure of it, at the cost of the error chain when it has to act.
func scrub(err error, password string) error {
	if err == nil || password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), password, "xxxxx"))
}
