package postgres

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// obj builds an object from alternating attribute names and values.
func obj(kind, key, parent string, kv ...string) snapshot.Object {
	o := snapshot.Object{Kind: kind, Key: snapshot.MustKey(key)}
	if parent != "" {
		o.Parent = snapshot.MustKey(parent)
	}
	if len(kv) > 0 {
		o.Attrs = snapshot.NewAttrs(kv...)
	}
	return o
}

func objs(objs ...snapshot.Object) *snapshot.Snapshot {
	s := snapshot.New(snapshot.EnginePostgres)
	for _, o := range objs {
		s.Add(o)
	}
	return s
}

// brief is the part of a finding most tests assert on.
type brief struct {
	Kind, Object string
	Change       diff.Change
	Severity     diff.Severity
	Summary      string
	Attributes   []string
	Folded       []string
}

func briefs(fs []diff.Finding) []brief {
	out := make([]brief, 0, len(fs))
	for _, f := range fs {
		out = append(out, brief{f.Kind, f.Object, f.Change, f.Severity, f.Summary, f.Attributes, f.Folded})
	}
	return out
}

var (
	usersTable = obj("table", "public.users", "public", "persistence", "permanent", "rls_enabled", "false", "rls_forced", "false")
	emailText  = obj("column", "public.users.email", "public.users", "type", "text", "not_null", "true", "position", "2")
)

func withAttrs(o snapshot.Object, kv ...string) snapshot.Object {
	c := o
	c.Attrs = o.Attrs.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<absent>" {
			c.Attrs.Delete(kv[i])
		} else {
			c.Attrs.Set(kv[i], kv[i+1])
		}
	}
	return c
}

func TestCompareChanges(t *testing.T) {
	fnBody := "CREATE OR REPLACE FUNCTION public.touch(bigint)\n RETURNS void\n LANGUAGE sql\nAS $function$\n  SELECT 1\n$function$\n"
	touch := obj("function", "public.touch(bigint)", "public", "definition", fnBody, "language", "sql", "security_definer", "false")
	view := obj("view", "public.active", "public", "definition", " SELECT users.email\n   FROM users;")
	idx := obj("index", "public.users_email_idx", "public.users", "definition", "CREATE INDEX users_email_idx ON public.users USING btree (email)", "valid", "true")
	accounts := obj("table", "public.accounts", "public", "rls_enabled", "true", "rls_forced", "true")
	grant := func(grantee string) snapshot.Object {
		return obj("privilege", "public.profiles:"+grantee+":SELECT", "public.profiles",
			"on", "public.profiles", "on_kind", "table", "grantee", grantee, "privilege", "SELECT", "grantable", "false")
	}
	trig := obj("trigger", "public.users.touch", "public.users", "definition", "CREATE TRIGGER touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION touch()", "enabled", "origin")
	comment := obj("comment", "public.users", "public.users", "on_kind", "table", "text", "people")

	tests := []struct {
		name     string
		expected []snapshot.Object
		actual   []snapshot.Object
		opts     diff.Options
		want     []brief
	}{
		{
			name:     "identical",
			expected: []snapshot.Object{usersTable, emailText},
			actual:   []snapshot.Object{usersTable, emailText},
			want:     []brief{},
		},
		{
			name:     "missing table",
			expected: []snapshot.Object{obj("table", "public.orders", "public", "persistence", "permanent")},
			want:     []brief{{"table", "public.orders", diff.Missing, diff.Critical, "table public.orders is missing", nil, nil}},
		},
		{
			name:   "unexpected table",
			actual: []snapshot.Object{obj("table", "public.scratch", "public")},
			want:   []brief{{"table", "public.scratch", diff.Unexpected, diff.Warning, "table public.scratch is unexpected", nil, nil}},
		},
		{
			name:     "column type changed",
			expected: []snapshot.Object{emailText},
			actual:   []snapshot.Object{withAttrs(emailText, "type", "varchar(200)")},
			want: []brief{{"column", "public.users.email", diff.Changed, diff.Critical,
				"column public.users.email: type changed from text to varchar(200)", []string{"type"}, nil}},
		},
		{
			name:     "not null dropped",
			expected: []snapshot.Object{emailText},
			actual:   []snapshot.Object{withAttrs(emailText, "not_null", "false")},
			want: []brief{{"column", "public.users.email", diff.Changed, diff.Critical,
				"column public.users.email: NOT NULL was dropped", []string{"not_null"}, nil}},
		},
		{
			name:     "default changed",
			expected: []snapshot.Object{withAttrs(emailText, "default", "''::text")},
			actual:   []snapshot.Object{withAttrs(emailText, "default", "'none'::text")},
			want: []brief{{"column", "public.users.email", diff.Changed, diff.Warning,
				"column public.users.email: default changed from ''::text to 'none'::text", []string{"default"}, nil}},
		},
		{
			name:     "default added and collation removed",
			expected: []snapshot.Object{withAttrs(emailText, "collation", `"C"`)},
			actual:   []snapshot.Object{withAttrs(emailText, "default", "now()")},
			want: []brief{{"column", "public.users.email", diff.Changed, diff.Warning,
				`column public.users.email: collation removed (was "C"); default set to now()`, []string{"collation", "default"}, nil}},
		},
		{
			name:     "position ignored by default",
			expected: []snapshot.Object{emailText},
			actual:   []snapshot.Object{withAttrs(emailText, "position", "5")},
			want:     []brief{},
		},
		{
			name:     "position compared with column order",
			expected: []snapshot.Object{emailText},
			actual:   []snapshot.Object{withAttrs(emailText, "position", "5")},
			opts:     diff.Options{Rules: Rules{}, ColumnOrder: true},
			want: []brief{{"column", "public.users.email", diff.Changed, diff.Warning,
				"column public.users.email: position changed from 2 to 5", []string{"position"}, nil}},
		},
		{
			name:     "missing index",
			expected: []snapshot.Object{idx},
			want:     []brief{{"index", "public.users_email_idx", diff.Missing, diff.Warning, "index public.users_email_idx is missing", nil, nil}},
		},
		{
			name:   "unexpected index",
			actual: []snapshot.Object{idx},
			want:   []brief{{"index", "public.users_email_idx", diff.Unexpected, diff.Warning, "index public.users_email_idx is unexpected", nil, nil}},
		},
		{
			name:     "invalid index",
			expected: []snapshot.Object{idx},
			actual:   []snapshot.Object{withAttrs(idx, "valid", "false")},
			want: []brief{{"index", "public.users_email_idx", diff.Changed, diff.Warning,
				"index public.users_email_idx is INVALID (left by a failed CREATE INDEX CONCURRENTLY)", []string{"valid"}, nil}},
		},
		{
			name:     "invalid index with another definition",
			expected: []snapshot.Object{idx},
			actual:   []snapshot.Object{withAttrs(idx, "valid", "false", "definition", "CREATE INDEX users_email_idx ON public.users USING hash (email)")},
			want: []brief{{"index", "public.users_email_idx", diff.Changed, diff.Warning,
				"index public.users_email_idx: definition changed from CREATE INDEX users_email_idx ON public.users USING btree (email) to CREATE INDEX users_email_idx ON public.users USING hash (email); is INVALID (left by a failed CREATE INDEX CONCURRENTLY)",
				[]string{"definition", "valid"}, nil}},
		},
		{
			name:   "unexpected grant to PUBLIC",
			actual: []snapshot.Object{grant("PUBLIC")},
			want: []brief{{"privilege", "public.profiles:PUBLIC:SELECT", diff.Unexpected, diff.Critical,
				"SELECT to PUBLIC on public.profiles was granted", nil, nil}},
		},
		{
			name:   "unexpected grant to a role",
			actual: []snapshot.Object{grant("bob")},
			want: []brief{{"privilege", "public.profiles:bob:SELECT", diff.Unexpected, diff.Warning,
				"SELECT to bob on public.profiles was granted", nil, nil}},
		},
		{
			name:     "revoked grant",
			expected: []snapshot.Object{grant("bob")},
			want: []brief{{"privilege", "public.profiles:bob:SELECT", diff.Missing, diff.Critical,
				"SELECT to bob on public.profiles was revoked", nil, nil}},
		},
		{
			name:     "grant option added",
			expected: []snapshot.Object{grant("bob")},
			actual:   []snapshot.Object{withAttrs(grant("bob"), "grantable", "true")},
			want: []brief{{"privilege", "public.profiles:bob:SELECT", diff.Changed, diff.Warning,
				"SELECT to bob on public.profiles is now grantable (WITH GRANT OPTION)", []string{"grantable"}, nil}},
		},
		{
			name:     "RLS disabled",
			expected: []snapshot.Object{accounts},
			actual:   []snapshot.Object{withAttrs(accounts, "rls_enabled", "false")},
			want:     []brief{{"table", "public.accounts", diff.Changed, diff.Critical, "RLS was disabled on public.accounts", []string{"rls_enabled"}, nil}},
		},
		{
			name:     "RLS no longer forced",
			expected: []snapshot.Object{accounts},
			actual:   []snapshot.Object{withAttrs(accounts, "rls_forced", "false")},
			want:     []brief{{"table", "public.accounts", diff.Changed, diff.Critical, "RLS is no longer forced on public.accounts", []string{"rls_forced"}, nil}},
		},
		{
			name:     "RLS enabled is not critical",
			expected: []snapshot.Object{withAttrs(accounts, "rls_enabled", "false")},
			actual:   []snapshot.Object{accounts},
			want:     []brief{{"table", "public.accounts", diff.Changed, diff.Warning, "RLS was enabled on public.accounts", []string{"rls_enabled"}, nil}},
		},
		{
			name:   "unexpected security definer function",
			actual: []snapshot.Object{withAttrs(touch, "security_definer", "true")},
			want: []brief{{"function", "public.touch(bigint)", diff.Unexpected, diff.Critical,
				"function public.touch(bigint) is unexpected (SECURITY DEFINER)", nil, nil}},
		},
		{
			name:   "unexpected ordinary function",
			actual: []snapshot.Object{touch},
			want:   []brief{{"function", "public.touch(bigint)", diff.Unexpected, diff.Warning, "function public.touch(bigint) is unexpected", nil, nil}},
		},
		{
			name:     "function became security definer",
			expected: []snapshot.Object{touch},
			actual:   []snapshot.Object{withAttrs(touch, "security_definer", "true")},
			want: []brief{{"function", "public.touch(bigint)", diff.Changed, diff.Critical,
				"function public.touch(bigint) became SECURITY DEFINER", []string{"security_definer"}, nil}},
		},
		{
			name:     "function body changed",
			expected: []snapshot.Object{touch},
			actual:   []snapshot.Object{withAttrs(touch, "definition", fnBody[:len(fnBody)-22]+"  SELECT 2\n$function$\n")},
			want: []brief{{"function", "public.touch(bigint)", diff.Changed, diff.Warning,
				"function public.touch(bigint): definition changed", []string{"definition"}, nil}},
		},
		{
			name:     "function whitespace only",
			expected: []snapshot.Object{touch},
			actual:   []snapshot.Object{withAttrs(touch, "definition", fnBody[:len(fnBody)-22]+"\tSELECT   1\n\n$function$\n")},
			want: []brief{{"function", "public.touch(bigint)", diff.Changed, diff.Info,
				"function public.touch(bigint): definition differs in whitespace only", []string{"definition"}, nil}},
		},
		{
			name:     "view whitespace only",
			expected: []snapshot.Object{view},
			actual:   []snapshot.Object{withAttrs(view, "definition", "SELECT users.email FROM users;")},
			want: []brief{{"view", "public.active", diff.Changed, diff.Info,
				"view public.active: definition differs in whitespace only", []string{"definition"}, nil}},
		},
		{
			// A deparser lays out the same catalog entry the same way: whitespace can only
			// differ inside a literal, where it is data.
			name:     "trigger whitespace in a literal is not layout",
			expected: []snapshot.Object{withAttrs(trig, "definition", "CREATE TRIGGER touch BEFORE UPDATE ON public.users FOR EACH ROW WHEN (new.name <> 'a b') EXECUTE FUNCTION touch()")},
			actual:   []snapshot.Object{withAttrs(trig, "definition", "CREATE TRIGGER touch BEFORE UPDATE ON public.users FOR EACH ROW WHEN (new.name <> 'a  b') EXECUTE FUNCTION touch()")},
			want: []brief{{"trigger", "public.users.touch", diff.Changed, diff.Warning,
				"trigger public.users.touch: definition changed", []string{"definition"}, nil}},
		},
		{
			name:     "comments are info",
			expected: []snapshot.Object{comment, obj("comment", "public.users.email", "public.users.email", "on_kind", "column", "text", "login")},
			actual:   []snapshot.Object{withAttrs(comment, "text", "customers"), obj("comment", "public.orders", "public.orders", "on_kind", "table", "text", "x")},
			want: []brief{
				{"comment", "public.orders", diff.Unexpected, diff.Info, "comment on table public.orders is unexpected", nil, nil},
				{"comment", "public.users", diff.Changed, diff.Info, "comment on table public.users: text changed", []string{"text"}, nil},
				{"comment", "public.users.email", diff.Missing, diff.Info, "comment on column public.users.email is missing", nil, nil},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Rules = Rules{}
			got := diff.Compare(objs(tt.expected...), objs(tt.actual...), opts)
			require.Equal(t, tt.want, briefs(got))
		})
	}
}

func TestMissingKindsAreCritical(t *testing.T) {
	for _, kind := range []string{"schema", "extension", "table", "column", "constraint", "view", "materialized_view",
		"sequence", "function", "procedure", "trigger", "type", "policy", "privilege"} {
		t.Run(kind, func(t *testing.T) {
			got := diff.Compare(objs(obj(kind, "public.x", "")), objs(), diff.Options{Rules: Rules{}})
			require.Len(t, got, 1)
			require.Equal(t, diff.Missing, got[0].Change)
			require.Equal(t, diff.Critical, got[0].Severity)
		})
	}
	for _, kind := range []string{"index"} {
		t.Run(kind, func(t *testing.T) {
			got := diff.Compare(objs(obj(kind, "public.x", "")), objs(), diff.Options{Rules: Rules{}})
			require.Len(t, got, 1)
			require.Equal(t, diff.Warning, got[0].Severity)
		})
	}
}

func TestDefinitionsAndDiff(t *testing.T) {
	idx := obj("index", "public.users_email_idx", "public.users", "definition", "CREATE INDEX users_email_idx ON public.users USING btree (email)", "valid", "true")
	got := diff.Compare(objs(idx), objs(withAttrs(idx, "valid", "false")), diff.Options{Rules: Rules{}})
	require.Len(t, got, 1)
	require.Equal(t, "CREATE INDEX users_email_idx ON public.users USING btree (email)\nvalid: true", got[0].Expected)
	require.Equal(t, "CREATE INDEX users_email_idx ON public.users USING btree (email)\nvalid: false", got[0].Actual)
	require.Equal(t, "  CREATE INDEX users_email_idx ON public.users USING btree (email)\n- valid: true\n+ valid: false", got[0].Diff)

	col := withAttrs(emailText, "default", "''::text")
	got = diff.Compare(objs(col), objs(withAttrs(col, "type", "varchar(200)", "position", "9")), diff.Options{Rules: Rules{}})
	require.Len(t, got, 1)
	require.Equal(t, "default: ''::text\nnot_null: true\ntype: text", got[0].Expected, "position is left out without ColumnOrder")
	require.Equal(t, "  default: ''::text\n  not_null: true\n- type: text\n+ type: varchar(200)", got[0].Diff)

	got = diff.Compare(objs(col), objs(withAttrs(col, "type", "varchar(200)", "position", "9")), diff.Options{Rules: Rules{}, ColumnOrder: true})
	require.Equal(t, []string{"position", "type"}, got[0].Attributes)
	require.Equal(t, "  default: ''::text\n  not_null: true\n- position: 2\n- type: text\n+ position: 9\n+ type: varchar(200)", got[0].Diff)

	got = diff.Compare(objs(col), objs(), diff.Options{Rules: Rules{}})
	require.Equal(t, "default: ''::text\nnot_null: true\ntype: text", got[0].Expected)
	require.Empty(t, got[0].Actual)
	require.Empty(t, got[0].Diff)
}

func TestFolding(t *testing.T) {
	orders := []snapshot.Object{
		obj("table", "public.orders", "public", "persistence", "permanent"),
		obj("column", "public.orders.id", "public.orders", "type", "bigint"),
		obj("column", "public.orders.total", "public.orders", "type", "numeric"),
		obj("constraint", "public.orders.orders_pkey", "public.orders", "type", "primary key", "definition", "PRIMARY KEY (id)"),
		obj("index", "public.orders_total_idx", "public.orders", "definition", "CREATE INDEX orders_total_idx ON public.orders USING btree (total)", "valid", "true"),
		obj("trigger", "public.orders.audit", "public.orders", "definition", "CREATE TRIGGER audit ..."),
		obj("policy", "public.orders.own", "public.orders", "command", "ALL"),
		obj("privilege", "public.orders:app:SELECT", "public.orders", "on", "public.orders", "grantee", "app", "privilege", "SELECT"),
		obj("privilege", "public.orders.total:bob:UPDATE", "public.orders.total", "on", "public.orders.total", "grantee", "bob", "privilege", "UPDATE"),
		obj("comment", "public.orders", "public.orders", "on_kind", "table", "text", "orders"),
		obj("comment", "public.orders.total", "public.orders.total", "on_kind", "column", "text", "gross"),
	}
	ordersFolded := []string{
		"column public.orders.id", "column public.orders.total",
		"comment public.orders", "comment public.orders.total",
		"constraint public.orders.orders_pkey", "index public.orders_total_idx", "policy public.orders.own",
		"privilege public.orders:app:SELECT", "privilege public.orders.total:bob:UPDATE",
		"trigger public.orders.audit",
	}
	public := obj("schema", "public", "")
	money := []snapshot.Object{
		obj("type", "public.money_pair", "public", "type", "composite"),
		obj("column", "public.money_pair.amount", "public.money_pair", "type", "numeric"),
		obj("column", "public.money_pair.currency", "public.money_pair", "type", "text"),
	}
	posint := []snapshot.Object{
		obj("type", "public.posint", "public", "type", "domain", "base_type", "integer"),
		obj("constraint", "public.posint.posint_check", "public.posint", "type", "check", "definition", "CHECK (VALUE > 0)"),
	}

	tests := []struct {
		name             string
		expected, actual []snapshot.Object
		want             []brief
	}{
		{
			name:     "missing table folds its children",
			expected: append([]snapshot.Object{public}, orders...),
			actual:   []snapshot.Object{public},
			want: []brief{{"table", "public.orders", diff.Missing, diff.Critical,
				"table public.orders is missing (with 2 columns, 2 comments, 1 constraint, 1 index, 1 policy, 2 privileges, 1 trigger)",
				nil, ordersFolded}},
		},
		{
			name:     "unexpected schema folds everything in it",
			expected: nil,
			actual:   append([]snapshot.Object{obj("schema", "scratch", "")}, obj("table", "scratch.t", "scratch"), obj("column", "scratch.t.a", "scratch.t", "type", "int"), obj("sequence", "scratch.s", "scratch")),
			want: []brief{{"schema", "scratch", diff.Unexpected, diff.Warning,
				"schema scratch is unexpected (with 1 column, 1 sequence, 1 table)", nil,
				[]string{"column scratch.t.a", "sequence scratch.s", "table scratch.t"}}},
		},
		{
			name:     "missing composite and domain types fold their columns and constraints",
			expected: append(append([]snapshot.Object{public}, money...), posint...),
			actual:   []snapshot.Object{public},
			want: []brief{
				{"type", "public.money_pair", diff.Missing, diff.Critical, "type public.money_pair is missing (with 2 columns)", nil,
					[]string{"column public.money_pair.amount", "column public.money_pair.currency"}},
				{"type", "public.posint", diff.Missing, diff.Critical, "type public.posint is missing (with 1 constraint)", nil,
					[]string{"constraint public.posint.posint_check"}},
			},
		},
		{
			name:     "missing column folds its own grants only",
			expected: append([]snapshot.Object{public}, orders...),
			actual: append([]snapshot.Object{public}, slicesWithout(orders,
				"public.orders.total", "public.orders.total:bob:UPDATE")...),
			want: []brief{{"column", "public.orders.total", diff.Missing, diff.Critical,
				"column public.orders.total is missing (with 1 comment, 1 privilege)", nil,
				[]string{"comment public.orders.total", "privilege public.orders.total:bob:UPDATE"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diff.Compare(objs(tt.expected...), objs(tt.actual...), diff.Options{Rules: Rules{}})
			require.Equal(t, tt.want, briefs(got))
		})
	}
}

// slicesWithout returns objs without the objects whose key is listed.
func slicesWithout(objs []snapshot.Object, keys ...string) []snapshot.Object {
	drop := map[string]bool{}
	for _, k := range keys {
		drop[k] = true
	}
	var out []snapshot.Object
	for _, o := range objs {
		if !drop[o.Key.String()] {
			out = append(out, o)
		}
	}
	return out
}

func TestRenames(t *testing.T) {
	uniq := func(name, cols string) snapshot.Object {
		return obj("constraint", "public.users."+name, "public.users", "type", "unique", "definition", "UNIQUE ("+cols+")")
	}
	index := func(name, table, cols string) snapshot.Object {
		return obj("index", "public."+name, "public."+table,
			"definition", fmt.Sprintf("CREATE INDEX %s ON public.%s USING btree (%s)", name, table, cols), "valid", "true")
	}
	tests := []struct {
		name             string
		expected, actual []snapshot.Object
		want             []brief
	}{
		{
			name:     "generated constraint name",
			expected: []snapshot.Object{usersTable, uniq("users_email_key", "email")},
			actual:   []snapshot.Object{usersTable, uniq("users_email_key1", "email")},
			want: []brief{{"constraint", "public.users.users_email_key", diff.Changed, diff.Info,
				"constraint public.users.users_email_key renamed from users_email_key to users_email_key1", []string{"name"}, nil}},
		},
		{
			name:     "generated index name",
			expected: []snapshot.Object{usersTable, index("users_email_idx", "users", "email")},
			actual:   []snapshot.Object{usersTable, index("users_email_idx1", "users", "email")},
			want: []brief{{"index", "public.users_email_idx", diff.Changed, diff.Info,
				"index public.users_email_idx renamed from users_email_idx to users_email_idx1", []string{"name"}, nil}},
		},
		{
			name: "quoted index name",
			expected: []snapshot.Object{usersTable, obj("index", "public.Users Email", "public.users",
				"definition", `CREATE INDEX "Users Email" ON public.users USING btree (email)`, "valid", "true")},
			actual: []snapshot.Object{usersTable, index("users_email_idx", "users", "email")},
			want: []brief{{"index", "public.Users Email", diff.Changed, diff.Info,
				"index public.Users Email renamed from Users Email to users_email_idx", []string{"name"}, nil}},
		},
		{
			name:     "different definitions are not a rename",
			expected: []snapshot.Object{usersTable, uniq("users_email_key", "email")},
			actual:   []snapshot.Object{usersTable, uniq("users_email_key1", "email, tenant")},
			want: []brief{
				{"constraint", "public.users.users_email_key", diff.Missing, diff.Critical, "constraint public.users.users_email_key is missing", nil, nil},
				{"constraint", "public.users.users_email_key1", diff.Unexpected, diff.Warning, "constraint public.users.users_email_key1 is unexpected", nil, nil},
			},
		},
		{
			name:     "different tables are not a rename",
			expected: []snapshot.Object{index("a_x_idx", "a", "x")},
			actual:   []snapshot.Object{index("b_x_idx", "b", "x")},
			want: []brief{
				{"index", "public.a_x_idx", diff.Missing, diff.Warning, "index public.a_x_idx is missing", nil, nil},
				{"index", "public.b_x_idx", diff.Unexpected, diff.Warning, "index public.b_x_idx is unexpected", nil, nil},
			},
		},
		{
			name:     "an invalid index is not a rename of a valid one",
			expected: []snapshot.Object{index("t_x_idx", "t", "x")},
			actual:   []snapshot.Object{withAttrs(index("t_x_idx1", "t", "x"), "valid", "false")},
			want: []brief{
				{"index", "public.t_x_idx", diff.Missing, diff.Warning, "index public.t_x_idx is missing", nil, nil},
				{"index", "public.t_x_idx1", diff.Unexpected, diff.Warning, "index public.t_x_idx1 is unexpected", nil, nil},
			},
		},
		{
			name:     "triggers are never paired",
			expected: []snapshot.Object{obj("trigger", "public.users.a", "public.users", "definition", "x")},
			actual:   []snapshot.Object{obj("trigger", "public.users.b", "public.users", "definition", "x")},
			want: []brief{
				{"trigger", "public.users.a", diff.Missing, diff.Critical, "trigger public.users.a is missing", nil, nil},
				{"trigger", "public.users.b", diff.Unexpected, diff.Warning, "trigger public.users.b is unexpected", nil, nil},
			},
		},
		{
			name:     "several identical constraints pair in key order",
			expected: []snapshot.Object{usersTable, uniq("users_email_key", "email"), uniq("users_email_key1", "email")},
			actual:   []snapshot.Object{usersTable, uniq("users_email_key3", "email"), uniq("users_email_key2", "email"), uniq("users_email_key4", "email")},
			want: []brief{
				{"constraint", "public.users.users_email_key", diff.Changed, diff.Info,
					"constraint public.users.users_email_key renamed from users_email_key to users_email_key2", []string{"name"}, nil},
				{"constraint", "public.users.users_email_key1", diff.Changed, diff.Info,
					"constraint public.users.users_email_key1 renamed from users_email_key1 to users_email_key3", []string{"name"}, nil},
				{"constraint", "public.users.users_email_key4", diff.Unexpected, diff.Warning,
					"constraint public.users.users_email_key4 is unexpected", nil, nil},
			},
		},
		{
			name:     "constraints of a missing table are folded, not paired",
			expected: []snapshot.Object{obj("table", "public.t", "public"), obj("constraint", "public.t.t_a_key", "public.t", "type", "unique", "definition", "UNIQUE (a)")},
			actual:   []snapshot.Object{obj("view", "public.t", "public"), obj("constraint", "public.t.t_a_key1", "public.t", "type", "unique", "definition", "UNIQUE (a)")},
			want: []brief{
				{"table", "public.t", diff.Missing, diff.Critical, "table public.t is missing (with 1 constraint)", nil, []string{"constraint public.t.t_a_key"}},
				{"view", "public.t", diff.Unexpected, diff.Warning, "view public.t is unexpected (with 1 constraint)", nil, []string{"constraint public.t.t_a_key1"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diff.Compare(objs(tt.expected...), objs(tt.actual...), diff.Options{Rules: Rules{}})
			require.Equal(t, tt.want, briefs(got))
		})
	}
}

func TestRenameTexts(t *testing.T) {
	e := obj("constraint", "public.users.users_email_key", "public.users", "type", "unique", "definition", "UNIQUE (email)")
	a := obj("constraint", "public.users.users_email_key1", "public.users", "type", "unique", "definition", "UNIQUE (email)")
	got := diff.Compare(objs(e), objs(a), diff.Options{Rules: Rules{}, Target: "app"})
	require.Len(t, got, 1)
	require.Equal(t, "UNIQUE (email)\ntype: unique", got[0].Expected)
	require.Equal(t, got[0].Expected, got[0].Actual)
	require.Equal(t, "- name: users_email_key\n+ name: users_email_key1", got[0].Diff)
	require.Equal(t, diff.Fingerprint("app", "constraint", "public.users.users_email_key", diff.Changed), got[0].Fingerprint)
}

// bigSchema is a schema with every kind of change, for the determinism tests.
func bigSchema() (expected, actual []snapshot.Object) {
	for i := range 30 {
		tbl := fmt.Sprintf("public.t%02d", i)
		expected = append(expected,
			obj("table", tbl, "public", "rls_enabled", "true"),
			obj("column", tbl+".a", tbl, "type", "int", "position", "1"),
			obj("constraint", tbl+"."+fmt.Sprintf("t%02d_a_key", i), tbl, "type", "unique", "definition", "UNIQUE (a)"))
		switch i % 4 {
		case 0: // table missing
		case 1:
			actual = append(actual,
				obj("table", tbl, "public", "rls_enabled", "false"),
				obj("column", tbl+".a", tbl, "type", "bigint", "position", "1"),
				obj("constraint", tbl+"."+fmt.Sprintf("t%02d_a_key1", i), tbl, "type", "unique", "definition", "UNIQUE (a)"))
		case 2:
			actual = append(actual,
				obj("table", tbl, "public", "rls_enabled", "true"),
				obj("column", tbl+".a", tbl, "type", "int", "position", "1"),
				obj("column", tbl+".b", tbl, "type", "int", "position", "2"))
		case 3:
			actual = append(actual, expected[len(expected)-3:]...)
		}
	}
	return expected, actual
}

func TestDeterministicAndSorted(t *testing.T) {
	expected, actual := bigSchema()
	first := diff.Compare(objs(expected...), objs(actual...), diff.Options{Rules: Rules{}, Target: "app"})
	require.NotEmpty(t, first)
	for i := 1; i < len(first); i++ {
		a, b := first[i-1], first[i]
		require.True(t, a.Kind < b.Kind || a.Kind == b.Kind && (a.Object < b.Object || a.Object == b.Object && a.Change < b.Change),
			"findings %d and %d out of order: %s %s %s / %s %s %s", i-1, i, a.Kind, a.Object, a.Change, b.Kind, b.Object, b.Change)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(expected), func(i, j int) { expected[i], expected[j] = expected[j], expected[i] })
		rng.Shuffle(len(actual), func(i, j int) { actual[i], actual[j] = actual[j], actual[i] })
		require.Equal(t, first, diff.Compare(objs(expected...), objs(actual...), diff.Options{Rules: Rules{}, Target: "app"}))
	}
}

func TestFingerprints(t *testing.T) {
	e := objs(emailText)
	toVarchar := diff.Compare(e, objs(withAttrs(emailText, "type", "varchar(200)")), diff.Options{Rules: Rules{}, Target: "app"})
	toInt := diff.Compare(e, objs(withAttrs(emailText, "type", "integer")), diff.Options{Rules: Rules{}, Target: "app"})
	require.Len(t, toVarchar, 1)
	require.Len(t, toInt, 1)
	require.NotEqual(t, toVarchar[0].Summary, toInt[0].Summary)
	require.Equal(t, toVarchar[0].Fingerprint, toInt[0].Fingerprint, "the fingerprint names what drifted, not how")
	require.Equal(t, diff.Fingerprint("app", "column", "public.users.email", diff.Changed), toInt[0].Fingerprint)

	other := diff.Compare(e, objs(withAttrs(emailText, "type", "integer")), diff.Options{Rules: Rules{}, Target: "billing"})
	require.NotEqual(t, toInt[0].Fingerprint, other[0].Fingerprint, "targets have separate identities")
	missing := diff.Compare(e, objs(), diff.Options{Rules: Rules{}, Target: "app"})
	require.NotEqual(t, toInt[0].Fingerprint, missing[0].Fingerprint, "the change is part of the identity")
}

func TestNilSnapshots(t *testing.T) {
	require.Empty(t, diff.Compare(nil, nil, diff.Options{Rules: Rules{}}))
	got := diff.Compare(nil, objs(usersTable), diff.Options{Rules: Rules{}})
	require.Len(t, got, 1)
	require.Equal(t, diff.Unexpected, got[0].Change)
}

func TestParentCycleLosesNothing(t *testing.T) {
	a := obj("table", "public.a", "public.b")
	b := obj("table", "public.b", "public.a")
	c := obj("column", "public.b.c", "public.b", "type", "int")
	got := diff.Compare(objs(a, b, c), objs(), diff.Options{Rules: Rules{}})
	require.Equal(t, []brief{{"table", "public.a", diff.Missing, diff.Critical, "table public.a is missing (with 1 column, 1 table)", nil,
		[]string{"column public.b.c", "table public.b"}}}, briefs(got))
}

func TestIndexDefWithoutName(t *testing.T) {
	require.Equal(t, "CREATE UNIQUE INDEX <name> ON public.t USING btree (a)", indexDefWithoutName("CREATE UNIQUE INDEX t_a_idx ON public.t USING btree (a)"))
	require.Equal(t, "CREATE INDEX <name> ON ONLY public.t USING btree (a)", indexDefWithoutName(`CREATE INDEX "odd ""name""" ON ONLY public.t USING btree (a)`))
	require.Equal(t, "not an index", indexDefWithoutName("not an index"))
}

// TestFoldingKeepsTheWorstSeverity: a child folded into an unexpected owner still decides how
// bad the finding is, so --fail-on critical cannot miss it.
func TestFoldingKeepsTheWorstSeverity(t *testing.T) {
	exp := snapshot.New(snapshot.EnginePostgres)
	act := snapshot.New(snapshot.EnginePostgres)
	act.Add(snapshot.Object{Kind: "schema", Key: snapshot.MustKey("ops")})
	act.Add(snapshot.Object{Kind: "function", Key: snapshot.MustKey("ops.escalate()"), Parent: snapshot.MustKey("ops"), Attrs: snapshot.NewAttrs("definition", "CREATE FUNCTION ops.escalate() ...", "security_definer", "true", "language", "sql")})
	act.Add(snapshot.Object{Kind: "table", Key: snapshot.MustKey("public.leaky"), Parent: snapshot.MustKey("public"), Attrs: snapshot.NewAttrs("persistence", "permanent")})
	act.Add(snapshot.Object{Kind: "privilege", Key: snapshot.MustKey("public.leaky:PUBLIC:SELECT"), Parent: snapshot.MustKey("public.leaky"), Attrs: snapshot.NewAttrs("on", "public.leaky", "on_kind", "table", "grantee", "PUBLIC", "privilege", "SELECT", "grantable", "false")})
	act.Add(snapshot.Object{Kind: "table", Key: snapshot.MustKey("public.plain"), Parent: snapshot.MustKey("public"), Attrs: snapshot.NewAttrs("persistence", "permanent")})
	fs := diff.Compare(exp, act, diff.Options{Rules: Rules{}})
	got := map[string]diff.Severity{}
	for _, f := range fs {
		got[f.Kind+" "+f.Object] = f.Severity
	}
	require.Equal(t, map[string]diff.Severity{
		"schema ops":         diff.Critical,
		"table public.leaky": diff.Critical,
		"table public.plain": diff.Warning,
	}, got)
	for _, f := range fs {
		if f.Object == "public.leaky" {
			require.Contains(t, f.Summary, "critical because of SELECT to PUBLIC on public.leaky")
		}
	}
}
