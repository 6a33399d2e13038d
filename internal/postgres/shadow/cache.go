package shadow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"

	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Cache keeps expected snapshots built from migrations, so that replaying the same set for many
// targets or runs is done once. Entries are keyed by the set's checksum, the exact migrations
// replayed (the applied version), the shadow server's major version, the introspection
// options and the roles (the live owner the migrations are replayed as, the live roles). It lives in memory and, when given a directory, on disk as JSON files, which
// survive restarts. Concurrent builds of the same key wait for one replay. A nil *Cache caches
// nothing.
type Cache struct {
	dir string

	mu      sync.Mutex
	mem     map[string][]byte
	flights map[string]*flight
	stats   CacheStats
}

// CacheStats counts cache outcomes.
type CacheStats struct {
	// Hits are builds answered from memory or disk.
	Hits int
	// Misses are builds that replayed the migrations.
	Misses int
}

type flight struct {
	done chan struct{}
	data []byte
	err  error
}

// NewCache returns a cache; dir, when not empty, is where entries are also kept on disk (it is
// created when needed).
func NewCache(dir string) *Cache {
	return &Cache{dir: dir, mem: map[string][]byte{}, flights: map[string]*flight{}}
}

// Stats returns the counts so far.
func (c *Cache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// cacheFormat changes whenever what a cached entry means changes.
const cacheFormat = "drift-shadow-cache-2"

// cacheKey identifies an expected snapshot. The build identity of the running binary is part of
// it, so that an upgraded drift (whose introspection may render differently) does not read
// entries written by an older one from a disk cache. options renders everything else the
// result depends on (introspection options, roles).
func cacheKey(setChecksum string, upTo []migrations.Migration, major int, options string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%s\x00%s\x00%d\x00%s\n", cacheFormat, snapshot.FormatVersion, buildIdentity(), setChecksum, major, options)
	for _, m := range upTo {
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", m.Kind, m.File, m.Checksum)
	}
	return hex.EncodeToString(h.Sum(nil))
}

var buildIdentity = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	id := info.Main.Path + "@" + info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			id += " " + s.Key + "=" + s.Value
		}
	}
	return id
})

// get returns the snapshot for key, building it with build on a miss. Each call returns its own
// copy.
func (c *Cache) get(ctx context.Context, key string, logger *slog.Logger, build func() (*snapshot.Snapshot, error)) (*snapshot.Snapshot, error) {
	if c == nil {
		return build()
	}
	c.mu.Lock()
	if data, ok := c.mem[key]; ok {
		c.stats.Hits++
		c.mu.Unlock()
		return decode(data)
	}
	if f, ok := c.flights[key]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for another build of the same expected schema: %w", ctx.Err())
		}
		if f.err != nil {
			return nil, f.err
		}
		c.mu.Lock()
		c.stats.Hits++
		c.mu.Unlock()
		return decode(f.data)
	}
	f := &flight{done: make(chan struct{})}
	c.flights[key] = f
	c.mu.Unlock()

	var hit bool
	f.data, hit, f.err = c.load(key, logger, build)

	c.mu.Lock()
	if f.err == nil {
		c.mem[key] = f.data
	}
	if hit {
		c.stats.Hits++
	} else {
		c.stats.Misses++
	}
	delete(c.flights, key)
	c.mu.Unlock()
	close(f.done)
	if f.err != nil {
		return nil, f.err
	}
	return decode(f.data)
}

// lookup returns the snapshot for key when it is cached, in memory or on disk, without
// building it.
func (c *Cache) lookup(key string, logger *slog.Logger) (*snapshot.Snapshot, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	data, ok := c.mem[key]
	c.mu.Unlock()
	if !ok {
		if data, ok = c.readDisk(key, logger); !ok {
			return nil, false
		}
		c.mu.Lock()
		c.mem[key] = data
		c.mu.Unlock()
	}
	s, err := decode(data)
	if err != nil {
		return nil, false
	}
	c.mu.Lock()
	c.stats.Hits++
	c.mu.Unlock()
	return s, true
}

// readDisk reads key's disk entry. A damaged or unreadable one is no entry.
func (c *Cache) readDisk(key string, logger *slog.Logger) ([]byte, bool) {
	if c.dir == "" {
		return nil, false
	}
	path := filepath.Join(c.dir, key+".json")
	s, err := snapshot.ReadFile(path)
	switch {
	case err == nil:
		if data, err := s.Marshal(); err == nil {
			return data, true
		}
	case !errors.Is(err, fs.ErrNotExist):
		logger.Warn("ignoring an unreadable cached expected schema", "file", path, "error", err)
	}
	return nil, false
}

// load reads key from disk, or builds it and writes it to disk. A damaged or unreadable disk
// entry is rebuilt, and a failed write only loses the disk copy: the cache never fails a build.
func (c *Cache) load(key string, logger *slog.Logger, build func() (*snapshot.Snapshot, error)) (data []byte, hit bool, err error) {
	if data, ok := c.readDisk(key, logger); ok {
		return data, true, nil
	}
	path := ""
	if c.dir != "" {
		path = filepath.Join(c.dir, key+".json")
	}
	s, err := build()
	if err != nil {
		return nil, false, err
	}
	data, err = s.Marshal()
	if err != nil {
		return nil, false, fmt.Errorf("caching the expected schema: %w", err)
	}
	if path != "" {
		if err := os.MkdirAll(c.dir, 0o755); err != nil {
			logger.Warn("cannot write the expected-schema cache", "dir", c.dir, "error", err)
		} else if err := snapshot.WriteFile(path, s); err != nil {
			logger.Warn("cannot write the expected-schema cache", "file", path, "error", err)
		}
	}
	return data, false, nil
}

func decode(data []byte) (*snapshot.Snapshot, error) {
	s, err := snapshot.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading a cached expected schema: %w", err)
	}
	return s, nil
}
