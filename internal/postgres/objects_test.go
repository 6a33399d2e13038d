package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/snapshot"
)

func row(values ...string) [][]byte {
	v := make([][]byte, len(values))
	for i, s := range values {
		if s != "<null>" {
			v[i] = []byte(s)
		}
	}
	return v
}

// TestBuilderOrdersAndNumbers feeds rows in the scrambled order a server may send them and
// checks what finish makes of them: objects in (kind, key) order, attributes sorted by name,
// column positions by attnum within each table, privileges from an ACL, colliding comments
// told apart. Tables named so that one's key is a prefix of another's keep their columns apart.
func TestBuilderOrdersAndNumbers(t *testing.T) {
	b := newBuilder()
	cols := newLayout("type", "not_null", "default")
	for _, r := range [][]string{
		{"column", "s.t.b", "s.t", "text", "false", "<null>", "3"},
		{"column", "s.t.x.a", "s.t.x", "int", "true", "<null>", "1"},
		{"column", "s.t.a", "s.t", "bigint", "true", "nextval('s.t_a_seq')", "1"},
		{"column", "s.t.x.b", "s.t.x", "int", "false", "<null>", "5"},
		{"column", "s.t.c", "s.t", "date", "false", "<null>", "7"},
	} {
		require.NoError(t, b.column(row(r...), cols))
	}
	tables := newLayout("rls_enabled", "persistence")
	for _, r := range [][]string{{"table", "s.t.x", "s", "false", "permanent"}, {"table", "s.t", "s", "true", "unlogged"}} {
		_, err := b.object(row(r...), tables, 0)
		require.NoError(t, err)
	}
	comments := newLayout("on_kind", "text")
	for _, r := range [][]string{{"comment", "s.t.x", "s.t", "constraint", "a check"}, {"comment", "s.t.x", "s.t.x", "table", "a table"}} {
		_, err := b.object(row(r...), comments, 0)
		require.NoError(t, err)
	}
	require.NoError(t, b.privileges(row("s.t", "table", "alice", `{alice=arw/alice,=r/alice}`)))
	_, err := b.object(row("schema", "s", "<null>"), newLayout(), 0)
	require.NoError(t, err)

	s := b.finish()
	require.NoError(t, s.Normalize())
	var got []string
	for _, o := range s.Objects {
		got = append(got, o.Kind+" "+o.Key+" "+o.Definition())
	}
	require.Equal(t, []string{
		"column s.t.a default: nextval('s.t_a_seq')\nnot_null: true\nposition: 1\ntype: bigint",
		"column s.t.b not_null: false\nposition: 2\ntype: text",
		"column s.t.c not_null: false\nposition: 3\ntype: date",
		"column s.t.x.a not_null: true\nposition: 1\ntype: int",
		"column s.t.x.b not_null: false\nposition: 2\ntype: int",
		"comment s.t.x (constraint) on_kind: constraint\ntext: a check",
		"comment s.t.x (table) on_kind: table\ntext: a table",
		"privilege s.t:<owner>:INSERT grantable: false\ngrantee: <owner>\non: s.t\non_kind: table\nprivilege: INSERT",
		"privilege s.t:<owner>:SELECT grantable: false\ngrantee: <owner>\non: s.t\non_kind: table\nprivilege: SELECT",
		"privilege s.t:<owner>:UPDATE grantable: false\ngrantee: <owner>\non: s.t\non_kind: table\nprivilege: UPDATE",
		"privilege s.t:PUBLIC:SELECT grantable: false\ngrantee: PUBLIC\non: s.t\non_kind: table\nprivilege: SELECT",
		"schema s ",
		"table s.t persistence: unlogged\nrls_enabled: true",
		"table s.t.x persistence: permanent\nrls_enabled: false",
	}, got)
	for _, o := range s.Objects {
		require.Equal(t, snapshot.AttrsOf(o.Attrs.Map()), o.Attrs, "attributes of %s are sorted", o.Key)
	}
}
