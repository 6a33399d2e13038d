package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/snapshot"
)

// TestSnapshotOutNeverClobbers: --out writes through devices, follows symlinks, keeps modes,
// refuses read-only files and directories (exit 2, one line), and creates missing directories
// saying so.
func TestSnapshotOutNeverClobbers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.json")
	s := snapshot.New(snapshot.EnginePostgres)
	s.Add(snapshot.Object{Kind: "schema", Key: snapshot.Named("public")})
	require.NoError(t, snapshot.WriteFile(src, s))

	code, _, stderr := drift(t, "snapshot", "--from", src, "--out", os.DevNull)
	require.Equal(t, 0, code, stderr)
	st, err := os.Stat(os.DevNull)
	require.NoError(t, err)
	require.NotZero(t, st.Mode()&os.ModeCharDevice, "/dev/null is still a device")

	real := filepath.Join(dir, "real.json")
	require.NoError(t, os.WriteFile(real, []byte("{}"), 0o640))
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.Symlink(real, link))
	code, _, stderr = drift(t, "snapshot", "--from", src, "--out", link)
	require.Equal(t, 0, code, stderr)
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&os.ModeSymlink)
	st, err = os.Stat(real)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), st.Mode().Perm())
	back, err := snapshot.ReadFile(real)
	require.NoError(t, err)
	require.Len(t, back.Objects, 1)

	ro := filepath.Join(dir, "ro.json")
	require.NoError(t, os.WriteFile(ro, []byte("keep"), 0o444))
	code, _, stderr = drift(t, "snapshot", "--from", src, "--out", ro)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "read-only")
	got, _ := os.ReadFile(ro)
	require.Equal(t, "keep", string(got))

	code, _, stderr = drift(t, "snapshot", "--from", src, "--out", dir)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "directory")

	nested := filepath.Join(dir, "snapshots", "app.json")
	code, _, stderr = drift(t, "snapshot", "--from", src, "--out", nested)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "created directory "+filepath.Join(dir, "snapshots"))
}

// TestFormatIsCaseInsensitive: --format JSON prints JSON.
func TestFormatIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.json")
	require.NoError(t, snapshot.WriteFile(src, snapshot.New(snapshot.EnginePostgres)))
	code, out, stderr := drift(t, "diff", "--from", src, "--to", src, "--format", "JSON")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, `"targets": [`)
}
