// Package safefile writes the files drift is asked to write (snapshots, reports) without ever
// destroying what a path argument happens to name: a regular file is replaced atomically and
// keeps its mode, a read-only one is refused, a device or FIFO is written through (so
// `--out /dev/null` discards, as a user means it), a symlink is followed to what it points at,
// and anything else (a directory, a socket) is refused. Missing parent directories are created
// and reported.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Outcome says what Write did besides writing.
type Outcome struct {
	// Created lists the directories it created, outermost first.
	Created []string
	// Through is set when the target was a device or FIFO, written in place.
	Through bool
}

// Write writes path with what write produces. A regular file is written to a temporary file in
// the same directory and renamed over the target only when write succeeded, so an interrupted
// write never leaves half a file.
func Write(path string, write func(io.Writer) error) (Outcome, error) {
	var out Outcome
	target, err := resolve(path)
	if err != nil {
		return out, err
	}
	st, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		created, err := mkdirs(filepath.Dir(target))
		out.Created = created
		if err != nil {
			return out, err
		}
		return out, replace(target, 0o644, write)
	case err != nil:
		return out, fmt.Errorf("writing %s: %w", path, err)
	}
	mode := st.Mode()
	switch {
	case mode.IsRegular():
		if !writable(target) {
			return out, fmt.Errorf("writing %s: the file is read-only; make it writable or choose another path", path)
		}
		return out, replace(target, mode.Perm(), write)
	case mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		out.Through = true
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return out, fmt.Errorf("writing %s: %w", path, err)
		}
		if err := write(f); err != nil {
			f.Close()
			return out, fmt.Errorf("writing %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return out, fmt.Errorf("writing %s: %w", path, err)
		}
		return out, nil
	case mode.IsDir():
		return out, fmt.Errorf("writing %s: it is a directory; name a file", path)
	}
	return out, fmt.Errorf("writing %s: it is not a regular file, a device or a FIFO (%s); refusing to replace it", path, mode.Type())
}

// resolve follows symlinks to the path they name, so that writing replaces the file the link
// points at and the link stays a link. A dangling link resolves to its target path.
func resolve(path string) (string, error) {
	p := path
	for range 40 {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return "", fmt.Errorf("writing %s: %w", path, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return "", fmt.Errorf("writing %s: %w", path, err)
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return "", fmt.Errorf("writing %s: too many levels of symbolic links", path)
}

// mkdirs creates dir and its missing parents, returning those it created, outermost first.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("creating directory %s: %w", d, err)
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return created, fmt.Errorf("creating directory %s: %w", missing[i], err)
		}
		created = append(created, missing[i])
	}
	return created, nil
}

// replace writes a temporary file beside target and renames it over target.
func replace(target string, perm fs.FileMode, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if err := write(tmp); err != nil {
		return fail(err)
	}
	// A new file gets 0644, as os.WriteFile gives one under the usual umask; an existing one
	// keeps its mode.
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", target, err)
	}
	return nil
}

// writable reports whether this process may write the file (root may write anything, so the
// mode bits are what a user set to protect it: a file without any write bit is read-only).
func writable(path string) bool {
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o222 == 0 {
		return false
	}
	return syscall.Access(path, 2 /* W_OK */) == nil
}
