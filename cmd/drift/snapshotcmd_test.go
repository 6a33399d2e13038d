package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/snapshot"
)

// TestSameAsFile compares an encoding with files that match it, differ from it, stop short of
// it or run past it; the snapshot is large enough to take many writes.
func TestSameAsFile(t *testing.T) {
	s := snapshot.New(snapshot.EnginePostgres)
	for i := 0; i < 4000; i++ {
		s.Add(snapshot.Object{Kind: "column", Key: snapshot.MustKey(fmt.Sprintf("public.t.c%04d", i)), Parent: snapshot.MustKey("public.t"), Attrs: snapshot.NewAttrs("type", "text", "not_null", "true")})
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
			same, exists, err := sameAsFile(tc.path, s)
			require.NoError(t, err)
			require.Equal(t, tc.same, same)
			require.Equal(t, tc.exists, exists)
		})
	}

	_, _, err = sameAsFile(dir, s)
	require.ErrorContains(t, err, "reading "+dir, "a directory cannot be read as a file")

	dup := snapshot.New(snapshot.EnginePostgres)
	dup.Add(snapshot.Object{Kind: "table", Key: snapshot.MustKey("public.t")})
	dup.Add(snapshot.Object{Kind: "table", Key: snapshot.MustKey("public.t")})
	for _, path := range []string{filepath.Join(dir, "missing.json"), filepath.Join(dir, "same.json")} {
		_, _, err = sameAsFile(path, dup)
		require.ErrorContains(t, err, "duplicate table")
	}
}
