package catalog

import (
	"strings"
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

// rows feeds rows to a reader through a layout of the given column names.
func rows(t *testing.T, read func(*layout, [][]byte) error, names string, rs ...[]string) {
	t.Helper()
	l, err := newLayout(strings.Fields(names))
	require.NoError(t, err)
	for _, r := range rs {
		require.NoError(t, read(l, row(r...)))
	}
}

// TestBuilderOrdersAndNumbers feeds rows in the scrambled order a server may send them and
// checks what finish makes of them: objects in (kind, key) order, attributes sorted by name
// whatever the column order, column positions by attnum within each table, privileges from an
// ACL, colliding comments told apart. A table whose name holds a dot ("t.x") keeps its columns
// apart from the columns of table t, and its key says which is which.
func TestBuilderOrdersAndNumbers(t *testing.T) {
	b := newBuilder()
	rows(t, b.row, "kind key_schema key_name key_sub parent_schema parent_name type not_null default attnum",
		[]string{"column", "s", "t", "b", "s", "t", "text", "false", "<null>", "3"},
		[]string{"column", "s", "t.x", "a", "s", "t.x", "int", "true", "<null>", "1"},
		[]string{"column", "s", "t", "a", "s", "t", "bigint", "true", "nextval('s.t_a_seq')", "1"},
		[]string{"column", "s", "t.x", "b", "s", "t.x", "int", "false", "<null>", "5"},
		[]string{"column", "s", "t", "c", "s", "t", "date", "false", "<null>", "7"},
	)
	rows(t, b.row, "kind key_schema key_name parent_name rls_enabled persistence",
		[]string{"table", "s", "t.x", "s", "false", "permanent"},
		[]string{"table", "s", "t", "s", "true", "unlogged"},
	)
	rows(t, b.row, "kind key_schema key_name key_sub parent_schema parent_name parent_sub on_kind text",
		[]string{"comment", "s", "t", "x", "s", "t", "x", "constraint", "a check"},
		[]string{"comment", "s", "t", "x", "s", "t", "x", "column", "a column"},
	)
	rows(t, b.privileges, "key_schema key_name key_sub on_kind owner acl",
		[]string{"s", "t", "<null>", "table", "alice", `{alice=arw/alice,=r/alice}`})
	rows(t, b.row, "kind key_name", []string{"schema", "s"})

	s := b.finish()
	require.NoError(t, s.Normalize())
	var got []string
	for _, o := range s.Objects {
		got = append(got, o.Kind+" "+o.Key.String()+" "+o.Definition())
	}
	require.Equal(t, []string{
		"column s.t.a default: nextval('s.t_a_seq')\nnot_null: true\nposition: 1\ntype: bigint",
		"column s.t.b not_null: false\nposition: 2\ntype: text",
		"column s.t.c not_null: false\nposition: 3\ntype: date",
		`column s."t.x".a not_null: true` + "\nposition: 1\ntype: int",
		`column s."t.x".b not_null: false` + "\nposition: 2\ntype: int",
		"comment s.t.x (column) on_kind: column\ntext: a column",
		"comment s.t.x (constraint) on_kind: constraint\ntext: a check",
		"privilege s.t:<owner>:INSERT grantable: false\ngrantee: <owner>\non: s.t\non_kind: table\nprivilege: INSERT",
		"privilege s.t:<owner>:SELECT grantable: false\ngrantee: <owner>\non: s.t\non_kind: table\nprivilege: SELECT",
		"privilege s.t:<owner>:UPDATE grantable: false\ngrantee: <owner>\non: s.t\non_kind: table\nprivilege: UPDATE",
		"privilege s.t:PUBLIC:SELECT grantable: false\ngrantee: PUBLIC\non: s.t\non_kind: table\nprivilege: SELECT",
		"schema s ",
		"table s.t persistence: unlogged\nrls_enabled: true",
		`table s."t.x" persistence: permanent` + "\nrls_enabled: false",
	}, got)
	require.Equal(t, snapshot.NewKey("s", "t.x"), s.Objects[3].Parent, "the column's parent is the dotted table, not column x of t")
	for _, o := range s.Objects {
		require.Equal(t, snapshot.AttrsOf(o.Attrs.Map()), o.Attrs, "attributes of %s are sorted", o.Key)
	}
}
