package snapshot

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadsFieldsInAnyOrder: PostgreSQL's jsonb, which the daemon's store keeps snapshots in,
// reorders object keys (shorter first): rows come before attrs, objects before the version. A
// whole read takes them in any order, in format 2 and in format 1.
func TestReadsFieldsInAnyOrder(t *testing.T) {
	s := New(EnginePostgres)
	s.Source = Source{Kind: SourceLive}
	s.Add(Object{Kind: "table", Key: MustKey("public.users"), Parent: MustKey("public"), Attrs: NewAttrs("persistence", "permanent")})
	s.Add(Object{Kind: "column", Key: MustKey("public.users.email"), Parent: MustKey("public.users"), Attrs: NewAttrs("type", "text")})
	s.Add(Object{Kind: "column", Key: MustKey("public.users.name"), Parent: MustKey("public.users")})
	want, err := s.Hash()
	require.NoError(t, err)
	for _, doc := range []string{
		`{"engine": "postgres", "source": {"kind": "live"}, "objects": {"table": {"rows": [["public.users", null, "permanent"]], "attrs": ["persistence"]}, "column": {"rows": [["public.users.email", null, "text"], ["public.users.name"]], "attrs": ["type"]}}, "format_version": 2}`,
		`{"engine": "postgres", "source": {"kind": "live"}, "objects": [{"key": "public.users", "kind": "table", "attrs": {"persistence": "permanent"}, "parent": "public"}, {"key": "public.users.email", "kind": "column", "attrs": {"type": "text"}, "parent": "public.users"}, {"key": "public.users.name", "kind": "column", "parent": "public.users"}], "format_version": 1}`,
	} {
		back, err := Read(bytes.NewReader([]byte(doc)))
		require.NoError(t, err, doc)
		got, err := back.Hash()
		require.NoError(t, err)
		require.Equal(t, want, got, doc)
		require.Equal(t, SourceLive, back.Source.Kind)
	}
}
