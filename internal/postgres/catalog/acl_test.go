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
			{"", "SELECT", false},
			{"alice", "INSERT", false}, {"alice", "SELECT", false}, {"alice", "UPDATE", false},
			{"alice", "DELETE", false}, {"alice", "TRUNCATE", false}, {"alice", "REFERENCES", false},
			{"alice", "TRIGGER", false},
		}},
		{"grant option", `{bob=r*w/alice}`, []grant{{"bob", "SELECT", true}, {"bob", "UPDATE", false}}},
		{"two grantors fold", `{bob=r/alice,bob=r*/carol}`, []grant{{"bob", "SELECT", true}}},
		{"quoted role", `{"\"we ird\"\" one=x\"=U/alice"}`, []grant{{`we ird" one=x`, "USAGE", false}}},
		{"quoted array element with comma", `{"a,b=X/c"}`, []grant{{"a,b", "EXECUTE", false}}},
		{"schema", `{alice=UC/alice,=U/alice}`, []grant{{"alice", "USAGE", false}, {"alice", "CREATE", false}, {"", "USAGE", false}}},
		{"database letters", `{=Tc/alice}`, []grant{{"", "TEMPORARY", false}, {"", "CONNECT", false}}},
		{"maintain", `{alice=m/alice}`, []grant{{"alice", "MAINTAIN", false}}},
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
