package fixsql

import (
	"slices"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Privileges: one object per (object, grantee, privilege). The owner's own privileges are shown
// as the grantee <owner>, since owners are not compared; granting or revoking them looks the
// owner up in the catalog when the statement runs.

const ownerPlaceholder = "<owner>"

// grantee renders a role name, or PUBLIC.
func grantee(name string) string {
	if name == "PUBLIC" {
		return "PUBLIC"
	}
	return quoteIdent(name)
}

// grantTarget renders what a privilege is on, as GRANT writes it ("TABLE app.t",
// "FUNCTION app.f(integer)"), the column list for a column privilege, and the query that
// finds the object's owner.
func grantTarget(sd *side, o *snapshot.Object) (target, columns, ownerQuery string, ok bool) {
	on := o.Parent
	switch kind := o.Attrs.Value("on_kind"); kind {
	case "table", "view", "materialized_view", "sequence":
		word := "TABLE "
		if kind == "sequence" {
			word = "SEQUENCE "
		}
		return word + relName(on), "", relOwner(relName(on)), true
	case "column":
		table := relName(on.Object())
		return "TABLE " + table, " (" + quoteIdent(on.Sub()) + ")", relOwner(table), true
	case "function", "procedure":
		sig := routineName(on)
		return routineWord(kind) + " " + sig, "", "SELECT pg_catalog.pg_get_userbyid(proowner) FROM pg_catalog.pg_proc WHERE oid = " + quoteLiteral(sig) + "::pg_catalog.regprocedure", true
	case "schema":
		return "SCHEMA " + quoteIdent(on.Name()), "", "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = " + quoteLiteral(on.Name()), true
	case "type":
		word := "TYPE "
		if t := sd.find("type", on); t != nil && t.Attrs.Value("type") == "domain" {
			word = "DOMAIN "
		}
		return word + relName(on), "", "SELECT pg_catalog.pg_get_userbyid(typowner) FROM pg_catalog.pg_type WHERE oid = " + quoteLiteral(relName(on)) + "::pg_catalog.regtype", true
	}
	return "", "", "", false
}

func relOwner(rel string) string {
	return "SELECT pg_catalog.pg_get_userbyid(relowner) FROM pg_catalog.pg_class WHERE oid = " + quoteLiteral(rel) + "::pg_catalog.regclass"
}

// privilegeSQL renders GRANT or REVOKE of one privilege. For the owner, whose name the
// snapshot does not hold, it is a DO block that looks the owner up and runs the statement.
func privilegeSQL(sd *side, o *snapshot.Object, verb, prefix, suffix string) (string, bool) {
	target, columns, ownerQuery, ok := grantTarget(sd, o)
	if !ok {
		return "", false
	}
	to := " TO "
	if verb == "REVOKE" {
		to = " FROM "
	}
	who := o.Attrs.Value("grantee")
	stmt := verb + " " + prefix + o.Attrs.Value("privilege") + columns + " ON " + target + to
	if who != ownerPlaceholder {
		return stmt + grantee(who) + suffix + ";", true
	}
	format := strings.ReplaceAll(stmt, "%", "%%") + "%I" + suffix
	return "DO $drift$ BEGIN EXECUTE pg_catalog.format(" + quoteLiteral(format) + ", (" + ownerQuery + ")); END $drift$;", true
}

// isRevocation reports whether a privilege object stands for a default privilege taken away
// (PUBLIC's EXECUTE on a function, USAGE on a type): the catalog lists PUBLIC's default
// privilege only when it was revoked, as such an object.
func isRevocation(o *snapshot.Object) bool { return o.Attrs.Value("revoked") == "true" }

// addPrivilege writes one GRANT or REVOKE on o, read from side sd, in phase p; on objects
// drift writes no grants for, it says so.
func addPrivilege(g *gen, sd *side, o *snapshot.Object, p phase, rank int, verb, suffix string) {
	sql, ok := privilegeSQL(sd, o, verb, "", suffix)
	if !ok {
		g.cannot(o, "drift does not write grants on "+o.Attrs.Value("on_kind")+" objects yet")
		return
	}
	g.add(p, rank, o, sql)
}

func grant(g *gen, t *snapshot.Object) {
	if isRevocation(t) {
		// The side to match has the default taken away: take it away here too.
		addPrivilege(g, g.to, t, createPhase, rankGrant, "REVOKE", "")
		return
	}
	if owner := g.to.owner(t); owner != nil && g.fresh[owner.ID()] != nil && t.Attrs.Value("grantable") != "true" &&
		slices.Contains(defaultPrivileges(g, owner), t.Key.Detail()) {
		return // the object is created with it
	}
	suffix := ""
	if t.Attrs.Value("grantable") == "true" {
		suffix = " WITH GRANT OPTION"
	}
	addPrivilege(g, g.to, t, createPhase, rankGrant, "GRANT", suffix)
}

func revoke(g *gen, f *snapshot.Object) {
	if isRevocation(f) {
		// The side to match keeps the default this side took away: give it back.
		addPrivilege(g, g.from, f, createPhase, rankGrant, "GRANT", "")
		return
	}
	addPrivilege(g, g.from, f, dropPhase, rankRevoke, "REVOKE", "")
}

func alterGrant(g *gen, f, t *snapshot.Object) {
	if !attrChanged(f, t, "grantable") {
		return
	}
	var sql string
	var ok bool
	if t.Attrs.Value("grantable") == "true" {
		sql, ok = privilegeSQL(g.to, t, "GRANT", "", " WITH GRANT OPTION")
	} else {
		sql, ok = privilegeSQL(g.to, t, "REVOKE", "GRANT OPTION FOR ", "")
	}
	if !ok {
		g.cannot(t, "drift does not write grants on "+t.Attrs.Value("on_kind")+" objects yet")
		return
	}
	g.add(createPhase, rankGrant, t, sql)
}

// defaultPrivileges lists, as "grantee:PRIVILEGE", what a newly created object of o's kind is
// granted without a GRANT: everything to its owner, and EXECUTE on routines and USAGE on types
// to PUBLIC (acldefault).
func defaultPrivileges(g *gen, o *snapshot.Object) []string {
	var owner, public []string
	switch o.Kind {
	case "table", "view", "materialized_view":
		owner = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}
		if g.version >= 170000 {
			owner = append(owner, "MAINTAIN")
		}
	case "sequence":
		owner = []string{"USAGE", "SELECT", "UPDATE"}
	case "function", "procedure":
		owner, public = []string{"EXECUTE"}, []string{"EXECUTE"}
	case "type":
		owner, public = []string{"USAGE"}, []string{"USAGE"}
	case "schema":
		owner = []string{"USAGE", "CREATE"}
	}
	out := make([]string, 0, len(owner)+len(public))
	for _, p := range owner {
		out = append(out, ownerPlaceholder+":"+p)
	}
	for _, p := range public {
		out = append(out, "PUBLIC:"+p)
	}
	return out
}

// revokeDefaults revokes, from a newly created object, the owner's default privileges the side
// to match does not have. PUBLIC's are listed only when revoked, as revocation objects, which
// grant revokes in their turn.
func revokeDefaults(g *gen, t *snapshot.Object) {
	for _, d := range defaultPrivileges(g, t) {
		if strings.HasPrefix(d, "PUBLIC:") {
			continue
		}
		key := t.Key.WithDetail(d)
		if g.to.find("privilege", key) != nil {
			continue
		}
		who, priv, _ := strings.Cut(d, ":")
		p := &snapshot.Object{Kind: "privilege", Key: key, Parent: t.Key, Attrs: snapshot.NewAttrs(
			"grantee", who, "on", t.Key.String(), "on_kind", t.Kind, "privilege", priv)}
		sql, ok := privilegeSQL(g.to, p, "REVOKE", "", "")
		if !ok {
			continue
		}
		s := g.add(createPhase, rankGrant, t, sql)
		s.also = append(s.also, p.ID())
	}
}
