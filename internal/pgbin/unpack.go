package pgbin

import (
	"archive/tar"
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ulikunitz/xz"
)

// unpackJar extracts the one .txz (an xz-compressed tar) inside the jar into dest.
func unpackJar(jar, dest string) error {
	zr, err := zip.OpenReader(jar)
	if err != nil {
		return fmt.Errorf("reading the jar: %w", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".txz") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("reading %s in the jar: %w", f.Name, err)
		}
		defer rc.Close()
		xr, err := xz.NewReader(rc)
		if err != nil {
			return fmt.Errorf("reading %s in the jar: %w", f.Name, err)
		}
		return untar(tar.NewReader(xr), dest)
	}
	return errors.New("the jar holds no .txz archive")
}

// untar writes regular files, directories and symbolic links under dest. Every path must stay
// inside dest, links included: the archive is checked, but it is still input.
func untar(tr *tar.Reader, dest string) error {
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		name := filepath.Clean(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("the archive holds a path outside its root: %q", h.Name)
		}
		path := filepath.Join(dest, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
			if err := os.Chmod(path, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			// Readable by everyone: root's clusters run as an unprivileged user.
			mode := os.FileMode(0o644)
			if h.Mode&0o111 != 0 {
				mode = 0o755
			}
			if err := writeFile(path, tr, mode); err != nil {
				return err
			}
		case tar.TypeSymlink:
			target := h.Linkname
			if filepath.IsAbs(target) || !filepath.IsLocal(filepath.Join(filepath.Dir(name), target)) {
				return fmt.Errorf("the archive holds a link outside its root: %q -> %q", h.Name, h.Linkname)
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(target, path); err != nil {
				return err
			}
		default:
			return fmt.Errorf("the archive holds an entry of an unexpected kind (%c): %q", h.Typeflag, h.Name)
		}
	}
}

func writeFile(path string, r io.Reader, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, mode) // whatever the umask

}
