package catalog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// aclPrivileges maps the privilege letters of an aclitem to the names findings use.
var aclPrivileges = map[byte]string{
	'r': "SELECT",
	'w': "UPDATE",
	'a': "INSERT",
	'd': "DELETE",
	'D': "TRUNCATE",
	'x': "REFERENCES",
	't': "TRIGGER",
	'X': "EXECUTE",
	'U': "USAGE",
	'C': "CREATE",
	'c': "CONNECT",
	'T': "TEMPORARY",
	'm': "MAINTAIN",
	's': "SET",
	'A': "ALTER SYSTEM",
}

// grant is one privilege of one grantee, after folding grantors together.
type grant struct {
	grantee   string // role name; "" is PUBLIC
	privilege string
	grantable bool
	// revoked marks a privilege PostgreSQL gives by default that was taken away.
	revoked bool
}

// parseACL reads an aclitem[] in its text form, e.g. {=r/alice,"bob smith"=arw*/alice}, into
// grants. The same privilege given to a grantee by several grantors is one grant, grantable
// when any of them is.
func parseACL(s string) ([]grant, error) {
	return appendACL(nil, s)
}

// appendACL is parseACL appending to out, so a caller can reuse one buffer.
func appendACL(out []grant, s string) ([]grant, error) {
	items, err := splitArray(s)
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		grantee, rest, err := readRoleName(item)
		if err != nil {
			return nil, fmt.Errorf("aclitem %q: %w", item, err)
		}
		if !strings.HasPrefix(rest, "=") {
			return nil, fmt.Errorf("aclitem %q: no '=' after the grantee", item)
		}
		rest = rest[1:]
		slash := strings.IndexByte(rest, '/')
		if slash < 0 {
			return nil, fmt.Errorf("aclitem %q: no grantor", item)
		}
		privs := rest[:slash]
		for i := 0; i < len(privs); i++ {
			name, ok := aclPrivileges[privs[i]]
			if !ok {
				return nil, fmt.Errorf("aclitem %q: unknown privilege %q", item, privs[i])
			}
			grantable := i+1 < len(privs) && privs[i+1] == '*'
			if grantable {
				i++
			}
			out = mergeGrant(out, grant{grantee: grantee, privilege: name, grantable: grantable})
		}
	}
	return out, nil
}

// mergeGrant adds g, folding it into an existing grant of the same grantee and privilege. ACLs
// are short, so a linear scan beats a map.
func mergeGrant(gs []grant, g grant) []grant {
	for i := range gs {
		if gs[i].grantee == g.grantee && gs[i].privilege == g.privilege {
			gs[i].grantable = gs[i].grantable || g.grantable
			return gs
		}
	}
	return append(gs, g)
}

// splitArray splits the text form of a one-dimensional array into its elements, undoing the
// double quotes and backslash escapes array_out adds around elements with special characters.
func splitArray(s string) ([]string, error) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("not an array: %q", s)
	}
	body := s[1 : len(s)-1]
	var items []string
	for len(body) > 0 {
		var item strings.Builder
		if body[0] == '"' {
			i := 1
			for ; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				item.WriteByte(body[i])
			}
			if i >= len(body) {
				return nil, fmt.Errorf("unterminated element in %q", s)
			}
			body = body[i+1:]
		} else {
			end := strings.IndexByte(body, ',')
			if end < 0 {
				end = len(body)
			}
			item.WriteString(body[:end])
			body = body[end:]
		}
		items = append(items, item.String())
		if len(body) > 0 {
			if body[0] != ',' {
				return nil, fmt.Errorf("malformed array %q", s)
			}
			body = body[1:]
		}
	}
	return items, nil
}

// readRoleName reads a role name at the start of an aclitem: bare, or double-quoted with ""
// standing for a quote. It returns the name and what follows it.
func readRoleName(s string) (string, string, error) {
	if !strings.HasPrefix(s, `"`) {
		end := strings.IndexAny(s, "=/")
		if end < 0 {
			return "", "", errors.New("no role name")
		}
		return s[:end], s[end:], nil
	}
	var name strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] == '"' {
			if i+1 < len(s) && s[i+1] == '"' {
				name.WriteByte('"')
				i++
				continue
			}
			return name.String(), s[i+1:], nil
		}
		name.WriteByte(s[i])
	}
	return "", "", errors.New("unterminated quoted role name")
}

// privileges reads one object's ACL row (its key's parts, on_kind, owner, acl) into privilege
// objects keyed by the object, with the grantee and privilege as the key's detail. PUBLIC's
// default privilege on functions and types is left out, or reported revoked (publicDefault).
func (b *builder) privileges(l *layout, v [][]byte) error {
	onKind, owner, acl := l.value(v, "on_kind"), l.value(v, "owner"), l.value(v, "acl")
	if at(v, l.keyName) == nil || onKind == nil || owner == nil || acl == nil {
		return errors.New("expected key_name, on_kind, owner and acl")
	}
	grants, err := appendACL(b.grants[:0], string(acl))
	if err != nil {
		return err
	}
	kind := b.intern(onKind)
	if p, ok := publicDefault[kind]; ok {
		grants = foldPublicDefault(grants, p)
	}
	b.grants = grants
	on := b.key(v, l.keySchema, l.keyName, l.keySub)
	onText := on.String()
	ownerName := string(owner)
	for _, g := range grants {
		grantee := g.grantee
		switch {
		case grantee == "":
			grantee = "PUBLIC"
		case grantee == ownerName:
			grantee = "<owner>"
		}
		key := on.WithDetail(grantee + ":" + g.privilege)
		// Attributes in name order, as Attrs keeps them.
		attrs := snapshot.Attrs{
			{Name: "grantable", Value: boolText(g.grantable)},
			{Name: "grantee", Value: b.internString(grantee)},
			{Name: "on", Value: onText},
			{Name: "on_kind", Value: kind},
			{Name: "privilege", Value: g.privilege},
		}
		if g.revoked {
			attrs = append(attrs, snapshot.Attr{Name: "revoked", Value: "true"})
		}
		b.add(snapshot.Object{Kind: "privilege", Key: key, Parent: on, Attrs: attrs})
	}
	return nil
}

func boolText(v bool) string {
	if v {
		return "true"
	}
	return "false"
}
