package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSameAsFile compares an encoding with files that match it, differ from it, stop short of
// it or run past it; the snapshot is large enough to take many writes.
func TestSameAsFile(t *testing.T) {
	s := New(EnginePostgres)
	for i := 0; i < 8000; i++ {
		s.Add(Object{Kind: "column", Key: MustKey(fmt.Sprintf("public.t.c%04d", i)), Parent: MustKey("public.t"), Attrs: NewAttrs("type", "text", "not_null", "true")})
	}
	data, err := s.Marshal()
	require.NoError(t, err)
	require.Greater(t, len(data), 3*(64<<10))

	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, b, 0o644))
		return path
	}
	changed := append([]byte(nil), data...)
	changed[len(changed)/2] ^= 1
	cases := []struct {
		name         string
		path         string
		same, exists bool
	}{
		{"identical", write("same.json", data), true, true},
		{"one byte changed", write("changed.json", changed), false, true},
		{"truncated", write("short.json", data[:len(data)-2]), false, true},
		{"longer", write("long.json", append(append([]byte(nil), data...), '\n')), false, true},
		{"empty", write("empty.json", nil), false, true},
		{"missing", filepath.Join(dir, "missing.json"), false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			same, exists, err := SameAsFile(tc.path, s)
			require.NoError(t, err)
			require.Equal(t, tc.same, same)
			require.Equal(t, tc.exists, exists)
		})
	}

	_, _, err = SameAsFile(dir, s)
	require.ErrorContains(t, err, "reading "+dir, "a directory cannot be read as a file")

	dup := New(EnginePostgres)
	dup.Add(Object{Kind: "table", Key: MustKey("public.t")})
	dup.Add(Object{Kind: "table", Key: MustKey("public.t")})
	for _, path := range []string{filepath.Join(dir, "missing.json"), filepath.Join(dir, "same.json")} {
		_, _, err = SameAsFile(path, dup)
		require.ErrorContains(t, err, "duplicate table")
	}
}
