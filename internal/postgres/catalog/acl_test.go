package catalog

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
)

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

func TestParseACL(t *testing.T) {
	cases := []struct {
		name string
		acl  string
		want []grant
	}{
		{"empty", `{}`, nil},
		{"public and owner", `{=r/alice,alice=arwdDxt/alice}`, []grant{
			{"", "SELECT", false, false},
			{"alice", "INSERT", false, false}, {"alice", "SELECT", false, false}, {"alice", "UPDATE", false, false},
			{"alice", "DELETE", false, false}, {"alice", "TRUNCATE", false, false}, {"alice", "REFERENCES", false, false},
			{"alice", "TRIGGER", false, false},
		}},
		{"grant option", `{bob=r*w/alice}`, []grant{{"bob", "SELECT", true, false}, {"bob", "UPDATE", false, false}}},
		{"two grantors fold", `{bob=r/alice,bob=r*/carol}`, []grant{{"bob", "SELECT", true, false}}},
		{"quoted role", `{"\"we ird\"\" one=x\"=U/alice"}`, []grant{{`we ird" one=x`, "USAGE", false, false}}},
		{"quoted array element with comma", `{"a,b=X/c"}`, []grant{{"a,b", "EXECUTE", false, false}}},
		{"schema", `{alice=UC/alice,=U/alice}`, []grant{{"alice", "USAGE", false, false}, {"alice", "CREATE", false, false}, {"", "USAGE", false, false}}},
		{"database letters", `{=Tc/alice}`, []grant{{"", "TEMPORARY", false, false}, {"", "CONNECT", false, false}}},
		{"maintain", `{alice=m/alice}`, []grant{{"alice", "MAINTAIN", false, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseACL(tc.acl)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseACLRejectsGarbage(t *testing.T) {
	for _, acl := range []string{``, `{`, `x`, `{bob}`, `{bob=r}`, `{bob=q/alice}`, `{"bob=r/alice}`, `{"\"bob=r/alice"}`} {
		_, err := parseACL(acl)
		require.Error(t, err, "%q", acl)
	}
}

// TestPrivilegesWithUnusualRoleNames checks the ACL reader against what the server really
// prints for role names that need quoting.
func TestPrivilegesWithUnusualRoleNames(t *testing.T) {
	weird := pgtest.NewRole(t, "")
	// pgtest.NewRole names are plain; add one that needs every kind of quoting.
	odd := `Odd "Role", =x/y ` + weird[len(weird)-6:]
	admin := pgtest.AdminDSN(t)
	pgtest.Exec(t, admin, `CREATE ROLE `+quoteIdent(odd))
	// Registered before the database is built, so it runs after the database (which holds
	// grants to the role) is dropped.
	t.Cleanup(func() { pgtest.Exec(t, admin, `DROP ROLE IF EXISTS `+quoteIdent(odd)) })

	dsn := build(t, `CREATE TABLE public.t (id int, c text);
GRANT SELECT ON public.t TO `+quoteIdent(odd)+` WITH GRANT OPTION;
GRANT UPDATE (c) ON public.t TO `+quoteIdent(odd)+`;
GRANT INSERT ON public.t TO `+weird+`;`)
	s := snap(t, dsn, Options{})
	p := find(s, "privilege", "public.t:"+odd+":SELECT")
	require.NotNil(t, p, "privileges: %v", keysOf(s, "privilege"))
	require.Equal(t, odd, p.Attrs.Value("grantee"))
	require.Equal(t, "true", p.Attrs.Value("grantable"))
	require.Equal(t, "table", p.Attrs.Value("on_kind"))
	require.Equal(t, "public.t", p.Attrs.Value("on"))
	require.Equal(t, "public.t", p.Parent.String())
	c := find(s, "privilege", "public.t.c:"+odd+":UPDATE")
	require.NotNil(t, c)
	require.Equal(t, "column", c.Attrs.Value("on_kind"))
	require.NotNil(t, find(s, "privilege", "public.t:"+weird+":INSERT"))
	require.NotNil(t, find(s, "privilege", "public.t:<owner>:SELECT"))
	require.Nil(t, find(s, "privilege", "public.t:PUBLIC:SELECT"))
}
