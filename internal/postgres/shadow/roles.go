package shadow

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Role is a role of the live cluster. Migrations name roles (GRANT ... TO, CREATE POLICY ...
// TO, ALTER ... OWNER TO, SET ROLE), and roles belong to a whole server, not to a database, so
// a shadow database only replays such migrations when its server has the same roles. Only what
// replaying can depend on is read: never a password, and LOGIN is never copied.
type Role struct {
	Name       string
	Superuser  bool
	CreateRole bool
	CreateDB   bool
	NoInherit  bool
	BypassRLS  bool
	// MemberOf are the roles this role is a member of, sorted by name.
	MemberOf []Membership
}

// Membership is a role another role is a member of.
type Membership struct {
	Role string
	// Admin is WITH ADMIN OPTION: the member may grant the role to others.
	Admin bool
}

// ReadLiveRoles reads, read-only, what the shadow needs to know of the live cluster's roles:
// the role owning the connection's database (the role the migrations are taken to run as) and
// the cluster's roles other than the predefined pg_* ones.
func ReadLiveRoles(ctx context.Context, conn *pgx.Conn) (owner string, roles []Role, err error) {
	err = conn.QueryRow(ctx, `SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database
		WHERE datname = pg_catalog.current_database()`).Scan(&owner)
	if err != nil {
		return "", nil, fmt.Errorf("reading the owner of the live database: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolinherit, r.rolbypassrls,
		  ARRAY(SELECT DISTINCT g.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
		        WHERE m.member = r.oid ORDER BY 1)::text[],
		  ARRAY(SELECT DISTINCT g.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
		        WHERE m.member = r.oid AND m.admin_option ORDER BY 1)::text[]
		FROM pg_catalog.pg_roles r
		WHERE r.rolname !~ '^pg_'
		ORDER BY 1`)
	if err != nil {
		return "", nil, fmt.Errorf("reading the roles of the live cluster: %w", err)
	}
	roles, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Role, error) {
		var r Role
		var inherit bool
		var memberOf, adminOf []string
		if err := row.Scan(&r.Name, &r.Superuser, &r.CreateRole, &r.CreateDB, &inherit, &r.BypassRLS, &memberOf, &adminOf); err != nil {
			return r, err
		}
		r.NoInherit = !inherit
		for _, g := range memberOf {
			r.MemberOf = append(r.MemberOf, Membership{Role: g, Admin: slices.Contains(adminOf, g)})
		}
		return r, nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("reading the roles of the live cluster: %w", err)
	}
	return owner, roles, nil
}

// rolesKey renders the owner and roles for the cache key, independent of their order.
func rolesKey(owner string, roles []Role) string {
	sorted := slices.Clone(roles)
	slices.SortFunc(sorted, func(a, b Role) int { return strings.Compare(a.Name, b.Name) })
	var b strings.Builder
	fmt.Fprintf(&b, "owner=%q", owner)
	for _, r := range sorted {
		fmt.Fprintf(&b, " %q:%t,%t,%t,%t,%t", r.Name, r.Superuser, r.CreateRole, r.CreateDB, r.NoInherit, r.BypassRLS)
		ms := slices.Clone(r.MemberOf)
		slices.SortFunc(ms, func(a, b Membership) int { return strings.Compare(a.Role, b.Role) })
		for _, m := range ms {
			fmt.Fprintf(&b, ",%q/%t", m.Role, m.Admin)
		}
	}
	return b.String()
}

// createRoleStmt finds CREATE ROLE / USER / GROUP in migration text (a DO block's too), with
// the role name quoted or not.
var createRoleStmt = regexp.MustCompile(`(?i)\bCREATE\s+(?:ROLE|USER|GROUP)\s+("(?:[^"]|"")+"|[\p{L}_][\p{L}\p{N}_$]*)`)

// rolesCreatedBy returns the roles the migrations create themselves. They are not created in
// advance in the throwaway cluster: the live cluster has them because the migrations created
// them, and a plain CREATE ROLE would fail on a role already there.
func rolesCreatedBy(files []plannedFile) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		for _, st := range f.stmts {
			for _, m := range createRoleStmt.FindAllStringSubmatch(st.SQL, -1) {
				name := m[1]
				if strings.HasPrefix(name, `"`) {
					name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
				} else {
					name = strings.ToLower(name)
					if name == "mapping" { // CREATE USER MAPPING
						continue
					}
				}
				out[name] = true
			}
		}
	}
	return out
}

// createRoles creates, in drift's own throwaway cluster, the live roles it does not have
// (skipping those the migrations create), as NOLOGIN roles with the live attributes and the
// memberships among them. Roles the cluster already has are left as they are.
func createRoles(ctx context.Context, admin *pgx.Conn, roles []Role, skip map[string]bool) error {
	rows, err := admin.Query(ctx, "SELECT rolname FROM pg_catalog.pg_roles")
	if err != nil {
		return fmt.Errorf("creating the live cluster's roles in the throwaway shadow cluster: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("creating the live cluster's roles in the throwaway shadow cluster: %w", err)
	}
	exists := map[string]bool{}
	for _, n := range names {
		exists[n] = true
	}
	var created []Role
	var script strings.Builder
	for _, r := range roles {
		if r.Name == "" || exists[r.Name] || skip[r.Name] {
			continue
		}
		exists[r.Name] = true
		created = append(created, r)
		script.WriteString("CREATE ROLE " + pgx.Identifier{r.Name}.Sanitize() + " NOLOGIN")
		for _, opt := range []struct {
			on   bool
			name string
		}{{r.Superuser, "SUPERUSER"}, {r.CreateRole, "CREATEROLE"}, {r.CreateDB, "CREATEDB"}, {r.NoInherit, "NOINHERIT"}, {r.BypassRLS, "BYPASSRLS"}} {
			if opt.on {
				script.WriteString(" " + opt.name)
			}
		}
		script.WriteString(";\n")
	}
	for _, r := range created {
		for _, m := range r.MemberOf {
			if !exists[m.Role] || skip[m.Role] {
				continue
			}
			script.WriteString("GRANT " + pgx.Identifier{m.Role}.Sanitize() + " TO " + pgx.Identifier{r.Name}.Sanitize())
			if m.Admin {
				script.WriteString(" WITH ADMIN OPTION")
			}
			script.WriteString(";\n")
		}
	}
	if script.Len() == 0 {
		return nil
	}
	if err := exec(ctx, admin.PgConn(), script.String()); err != nil {
		return fmt.Errorf("creating the live cluster's roles in the throwaway shadow cluster: %w", err)
	}
	return nil
}

// missingRole is the role named by a "role ... does not exist" error, if err is one.
func missingRole(err error) (string, bool) {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Code != "42704" {
		return "", false
	}
	name, ok := strings.CutPrefix(pg.Message, `role "`)
	if !ok {
		return "", false
	}
	name, ok = strings.CutSuffix(name, `" does not exist`)
	return name, ok
}

// explainMissingRole adds to a replay failure caused by a role the shadow server lacks what
// the user has to do about it.
func (b *builder) explainMissingRole(err error) error {
	name, ok := missingRole(err)
	if !ok {
		return err
	}
	onLive := slices.ContainsFunc(b.opts.Roles, func(r Role) bool { return r.Name == name })
	var hint string
	switch {
	case b.opts.ShadowDSN != "" && onLive:
		hint = fmt.Sprintf("the shadow server has no role %s, which the live cluster has: the shadow server must have the application's roles "+
			"(roles belong to a whole server, so drift creates them only in its own throwaway cluster)", name)
	case b.opts.ShadowDSN != "":
		hint = fmt.Sprintf("the shadow server has no role %s: the shadow server must have the application's roles "+
			"(roles belong to a whole server, so drift creates them only in its own throwaway cluster)", name)
	case b.opts.Roles == nil:
		hint = fmt.Sprintf("role %s is not known: without a live database to read roles from, drift's throwaway cluster has none; "+
			"use a shadow server that has the application's roles", name)
	default:
		hint = fmt.Sprintf("role %s exists neither on the live cluster nor in the migrations", name)
	}
	return fmt.Errorf("%w; %s", err, hint)
}
