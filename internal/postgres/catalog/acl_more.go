package catalog

import (
	"errors"

	"github.com/drift-schema/drift/internal/snapshot"
)

// publicDefault is the privilege PostgreSQL gives PUBLIC on every new object of a kind (its
// acldefault). Nobody granted it, so it is not reported as a grant: a new function is not a
// grant to PUBLIC. Its absence is what someone did (REVOKE EXECUTE ... FROM PUBLIC), so that is
// reported, as a privilege object marked revoked.
var publicDefault = map[string]string{"function": "EXECUTE", "procedure": "EXECUTE", "aggregate": "EXECUTE", "type": "USAGE"}

// foldPublicDefault takes PUBLIC's default privilege out of grants, or marks it revoked when
// it is not there. A default privilege held WITH GRANT OPTION was granted by someone and
// stays a grant.
func foldPublicDefault(gs []grant, privilege string) []grant {
	for i, g := range gs {
		if g.grantee == "" && g.privilege == privilege {
			if g.grantable {
				return gs
			}
			return append(gs[:i], gs[i+1:]...)
		}
	}
	return append(gs, grant{privilege: privilege, revoked: true})
}

// defaultPrivileges reads one pg_default_acl entry (ALTER DEFAULT PRIVILEGES) into one object
// per privilege it grants or revokes, keyed by the schema it is limited to (none: every
// schema), the role whose new objects it applies to, and "tables:grantee:PRIVILEGE" as detail.
//
// An entry for every schema replaces the built-in default (builtin): what it holds beyond that
// default was granted, what it lacks of it was revoked. An entry for one schema only adds.
func (b *builder) defaultPrivileges(l *layout, v [][]byte) error {
	role, onKind, acl := at(v, l.keyName), l.value(v, "on_kind"), l.value(v, "acl")
	if role == nil || onKind == nil || acl == nil {
		return errors.New("expected key_name, on_kind and acl")
	}
	granted, err := parseACL(string(acl))
	if err != nil {
		return err
	}
	var builtin []grant
	if bv := l.value(v, "builtin"); bv != nil {
		if builtin, err = parseACL(string(bv)); err != nil {
			return err
		}
	}
	var changes []grant
	for _, g := range granted {
		if !holds(builtin, g, true) {
			changes = append(changes, g)
		}
	}
	for _, g := range builtin {
		if !holds(granted, g, false) {
			g.revoked, g.grantable = true, false
			changes = append(changes, g)
		}
	}
	schema := string(at(v, l.keySchema))
	on := string(onKind)
	for _, g := range changes {
		grantee := g.grantee
		if grantee == "" {
			grantee = "PUBLIC"
		}
		o := snapshot.Object{Kind: "default_privilege", Key: withDetail(snapshot.NewKey(schema, string(role)), on+":"+grantee+":"+g.privilege)}
		if schema != "" {
			o.Parent = snapshot.Named(schema)
		}
		// Attributes in name order, as Attrs keeps them.
		o.Attrs = snapshot.Attrs{
			{Name: "for_role", Value: b.internString(string(role))},
			{Name: "grantable", Value: boolText(g.grantable)},
			{Name: "grantee", Value: b.internString(grantee)},
		}
		if schema != "" {
			o.Attrs = append(o.Attrs, snapshot.Attr{Name: "in_schema", Value: schema})
		}
		o.Attrs = append(o.Attrs, snapshot.Attr{Name: "on", Value: on}, snapshot.Attr{Name: "privilege", Value: g.privilege})
		if g.revoked {
			o.Attrs = append(o.Attrs, snapshot.Attr{Name: "revoked", Value: "true"})
		}
		b.add(o)
	}
	return nil
}

// holds reports whether gs gives g's grantee g's privilege (with the same grant option when
// exact is set).
func holds(gs []grant, g grant, exact bool) bool {
	for _, h := range gs {
		if h.grantee == g.grantee && h.privilege == g.privilege && (!exact || h.grantable == g.grantable) {
			return true
		}
	}
	return false
}

// withDetail returns k with its detail set.
func withDetail(k snapshot.Key, detail string) snapshot.Key { return k.WithDetail(detail) }
