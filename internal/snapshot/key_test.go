package snapshot

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeyRendering(t *testing.T) {
	cases := []struct {
		key  Key
		text string
	}{
		{Named("public"), "public"},
		{NewKey("public", "users"), "public.users"},
		{NewKey("public", "users", "email"), "public.users.email"},
		{NewKey("s", "a.b"), `s."a.b"`},
		{NewKey("a", "b", "c"), "a.b.c"},
		{NewKey("a.b", "c"), `"a.b".c`},
		{NewKey("public", "touch(bigint)"), "public.touch(bigint)"},
		{NewKey("public", "f(public.t, integer[])"), "public.f(public.t, integer[])"},
		{NewKey("public", "a.b(integer)"), `public."a.b(integer)"`},
		{NewKey("public", `say "hi"`), `public."say ""hi"""`},
		{NewKey("public", "t(", "c"), `public."t(".c`},
		{NewKey("public", "t:x"), `public."t:x"`},
		{KeyOf("public", "t", "", "PUBLIC:SELECT"), "public.t:PUBLIC:SELECT"},
		{KeyOf("public", "t", "c", "a.b:UPDATE"), "public.t.c:a.b:UPDATE"},
		{Named("range (:Person)(name)"), "range (:Person)(name)"},
		{Named("unique ()-[:OWNS]-()(a,b) [constraint_1]"), "unique ()-[:OWNS]-()(a,b) [constraint_1]"},
		{Named(""), `""`},
	}
	for _, tc := range cases {
		require.Equal(t, tc.text, tc.key.String())
		back, err := ParseKey(tc.text)
		require.NoError(t, err, tc.text)
		require.Equal(t, tc.key, back, tc.text)
	}
	require.NotEqual(t, NewKey("a", "b.c"), NewKey("a.b", "c"), "parts keep apart what dots would merge")
	require.NotEqual(t, NewKey("a", "b.c").String(), NewKey("a", "b", "c").String())

	for _, bad := range []string{"", "a.", ".a", `"a`, "a.b.c.d", "a:", `a"b`, "a)"} {
		_, err := ParseKey(bad)
		require.Error(t, err, bad)
	}
}

func TestKeyOrderAndParts(t *testing.T) {
	k := NewKey("public", "t", "c").WithDetail("alice:SELECT")
	require.Equal(t, NewKey("public", "t", "c"), k.Object())
	require.Equal(t, NewKey("public", "t"), NewKey("public", "t", "c").Object())
	require.Equal(t, "c", k.Local())
	require.Equal(t, "t", NewKey("public", "t").Local())
	require.Negative(t, NewKey("public", "t").Compare(NewKey("public", "t", "c")))
	require.Negative(t, NewKey("public", "t", "z").Compare(NewKey("public", "t_x")))
	require.Zero(t, k.Compare(k))
	require.True(t, Key{}.IsZero())
	require.Equal(t, "public.t.x (constraint)", NewKey("public", "t", "x").WithSuffix(" (constraint)").String())
	require.Equal(t, "public.t (table)", NewKey("public", "t").WithSuffix(" (table)").String())
	require.Equal(t, []string{"public", "t", "c", "alice:SELECT"}, []string{k.Schema(), k.Name(), k.Sub(), k.Detail()})
}

// FuzzKeyRoundTrip: every key renders to text that parses back to the same key, and no text
// makes the parser panic.
func FuzzKeyRoundTrip(f *testing.F) {
	f.Add("public", "t", "c", "")
	f.Add("s", "a.b", "", "x:y")
	f.Add(`"`, "(", "]", "")
	f.Fuzz(func(t *testing.T, schema, name, sub, detail string) {
		if name == "" && (schema != "" || sub != "") {
			name = "n"
		}
		if sub != "" && schema == "" {
			schema = "s" // a sub-name belongs to an object in a schema
		}
		k := KeyOf(schema, name, sub, detail)
		back, err := ParseKey(k.String())
		require.NoError(t, err, k.String())
		require.Equal(t, k, back)
		_, _ = ParseKey(schema + name + sub + detail)
	})
}
