package fixsql

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Row-level security policies.

// roleList renders a policy's roles as the catalog lists them ("PUBLIC", "alice, bob").
func roleList(text string) string {
	rs := strings.Split(text, ", ")
	for i, r := range rs {
		rs[i] = grantee(r)
	}
	return strings.Join(rs, ", ")
}

func createPolicy(g *gen, t *snapshot.Object) {
	a := t.Attrs
	sql := "CREATE POLICY " + quoteIdent(t.Key.Sub()) + " ON " + relName(t.Parent)
	if a.Value("permissive") == "false" {
		sql += " AS RESTRICTIVE"
	}
	if cmd, ok := a.Get("command"); ok {
		sql += " FOR " + cmd
	}
	if roles, ok := a.Get("roles"); ok {
		sql += " TO " + roleList(roles)
	}
	if u, ok := a.Get("using"); ok {
		sql += " USING (" + u + ")"
	}
	if w, ok := a.Get("with_check"); ok {
		sql += " WITH CHECK (" + w + ")"
	}
	g.add(createPhase, rankPolicy, t, sql+";")
}

func dropPolicy(g *gen, f *snapshot.Object) {
	g.add(dropPhase, rankDropPolicy, f, "DROP POLICY "+quoteIdent(f.Key.Sub())+" ON "+relName(f.Parent)+";")
}

// rebuildPolicy: ALTER POLICY changes roles and expressions, not the command or whether the
// policy is permissive, and cannot take an expression away.
func rebuildPolicy(_ *gen, f, t *snapshot.Object) bool {
	return attrChanged(f, t, "command") || attrChanged(f, t, "permissive") ||
		(f.Attrs.Has("using") && !t.Attrs.Has("using")) || (f.Attrs.Has("with_check") && !t.Attrs.Has("with_check"))
}

func alterPolicy(g *gen, f, t *snapshot.Object) {
	sql := "ALTER POLICY " + quoteIdent(t.Key.Sub()) + " ON " + relName(t.Parent)
	if attrChanged(f, t, "roles") {
		roles := t.Attrs.Value("roles")
		if roles == "" {
			roles = "PUBLIC"
		}
		sql += " TO " + roleList(roles)
	}
	if attrChanged(f, t, "using") {
		sql += " USING (" + t.Attrs.Value("using") + ")"
	}
	if attrChanged(f, t, "with_check") {
		sql += " WITH CHECK (" + t.Attrs.Value("with_check") + ")"
	}
	g.add(createPhase, rankPolicy, t, sql+";")
}
