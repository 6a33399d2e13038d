package safefile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func TestWriteNewFileCreatesParents(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "snapshots", "deep", "app.json")
	out, err := Write(path, text("x"))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "snapshots"), filepath.Join(dir, "snapshots", "deep")}, out.Created)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "x", string(got))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm())
}

func TestWriteKeepsModeAndRefusesReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
	require.NoError(t, os.Chmod(path, 0o640))
	_, err := Write(path, text("new"))
	require.NoError(t, err)
	st, _ := os.Stat(path)
	require.Equal(t, os.FileMode(0o640), st.Mode().Perm(), "the mode of an existing file is kept")

	ro := filepath.Join(dir, "ro.json")
	require.NoError(t, os.WriteFile(ro, []byte("keep"), 0o444))
	_, err = Write(ro, text("new"))
	require.ErrorContains(t, err, "read-only")
	got, _ := os.ReadFile(ro)
	require.Equal(t, "keep", string(got))
}

func TestWriteFollowsSymlinksAndKeepsThem(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	require.NoError(t, os.WriteFile(real, []byte("old"), 0o644))
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.Symlink("real.json", link))
	_, err := Write(link, text("new"))
	require.NoError(t, err)
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&os.ModeSymlink, "the link is still a link")
	got, _ := os.ReadFile(real)
	require.Equal(t, "new", string(got))
}

func TestWriteThroughDevicesAndFIFOs(t *testing.T) {
	out, err := Write(os.DevNull, text("discarded"))
	require.NoError(t, err)
	require.True(t, out.Through)
	st, err := os.Stat(os.DevNull)
	require.NoError(t, err)
	require.NotZero(t, st.Mode()&os.ModeCharDevice, "/dev/null is still a device")

	fifo := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	_, err = Write(fifo, text("through the pipe"))
	require.NoError(t, err)
	require.Equal(t, "through the pipe", <-got)
	fi, err := os.Lstat(fifo)
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&os.ModeNamedPipe, "the FIFO is still a FIFO")
}

func TestWriteRefusesDirectoriesAndLeavesNoHalfFile(t *testing.T) {
	dir := t.TempDir()
	_, err := Write(dir, text("x"))
	require.ErrorContains(t, err, "directory")

	path := filepath.Join(dir, "app.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	_, err = Write(path, func(w io.Writer) error { _, _ = io.WriteString(w, "half"); return io.ErrUnexpectedEOF })
	require.Error(t, err)
	got, _ := os.ReadFile(path)
	require.Equal(t, "old", string(got), "a failed write leaves the old file")
	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 1, "no temporary file is left behind")
}
