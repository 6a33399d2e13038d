package shadow

import (
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/pgcluster"
)

// TimescaleDB must be loaded when its server starts (shared_preload_libraries): a shadow whose
// migrations create the extension needs a server started that way.

// createsTimescale matches CREATE EXTENSION [IF NOT EXISTS] timescaledb.
var createsTimescale = regexp.MustCompile(`(?is)^\s*CREATE\s+EXTENSION\s+(IF\s+NOT\s+EXISTS\s+)?"?timescaledb"?(\s|$)`)

// needsTimescale reports whether the files being replayed create the timescaledb extension.
func (b *builder) needsTimescale() bool {
	for _, f := range b.files {
		for _, s := range f.stmts {
			if createsTimescale.MatchString(s.SQL) {
				return true
			}
		}
	}
	return false
}

// timescalePreload returns the options of a throwaway shadow cluster with TimescaleDB preloaded
// when the migrations create the extension: the binaries are picked as Start would pick them,
// and must have timescaledb.so in their library directory. Without the extension the options
// are returned as they are.
func (b *builder) timescalePreload(o pgcluster.Options) (pgcluster.Options, error) {
	if !b.needsTimescale() {
		return o, nil
	}
	if o.BinDir == "" {
		dir, major, err := pgcluster.FindBinaries(o.Major)
		if err != nil {
			return o, err
		}
		o.BinDir, o.Major = dir, major
	}
	lib := pkgLibDir(o.BinDir)
	if _, err := os.Stat(filepath.Join(lib, "timescaledb.so")); err != nil {
		return o, fmt.Errorf("the migrations create the timescaledb extension, but the PostgreSQL server binaries in %s do not have it (no timescaledb.so in %s): "+
			"install TimescaleDB for them, or set shadow.postgres_dsn to a server with timescaledb in shared_preload_libraries", o.BinDir, lib)
	}
	settings := map[string]string{"shared_preload_libraries": "'timescaledb'", "timescaledb.telemetry_level": "off"}
	for k, v := range o.Settings {
		settings[k] = v
	}
	o.Settings = settings
	return o, nil
}

// pkgLibDir is where the server in binDir loads libraries from: pg_config's answer when it is
// there, else the lib directory beside bin (Debian's layout and the binary bundles').
func pkgLibDir(binDir string) string {
	if out, err := osexec.Command(filepath.Join(binDir, "pg_config"), "--pkglibdir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			return dir
		}
	}
	return filepath.Join(filepath.Dir(binDir), "lib")
}

// checkTimescalePreload refuses, with what to configure, a shadow server that cannot replay
// migrations creating the timescaledb extension: CREATE EXTENSION would fail there with
// TimescaleDB's own, less helpful message.
func (b *builder) checkTimescalePreload(ctx context.Context, admin *pgx.Conn) error {
	if !b.needsTimescale() {
		return nil
	}
	var preload string
	var available bool
	err := admin.QueryRow(ctx, `SELECT current_setting('shared_preload_libraries'),
		EXISTS (SELECT FROM pg_catalog.pg_available_extensions WHERE name = 'timescaledb')`).Scan(&preload, &available)
	if err != nil {
		return fmt.Errorf("reading the shadow server's shared_preload_libraries: %w", err)
	}
	loaded := false
	for _, l := range strings.Split(preload, ",") {
		if strings.Trim(strings.TrimSpace(l), `"`) == "timescaledb" {
			loaded = true
		}
	}
	switch {
	case !available:
		return errors.New("the migrations create the timescaledb extension, but the shadow server (shadow.postgres_dsn) does not have TimescaleDB installed: " +
			"install it there and add timescaledb to its shared_preload_libraries, or unset shadow.postgres_dsn to replay on a local throwaway cluster whose binaries have it")
	case !loaded:
		return errors.New("the migrations create the timescaledb extension, but the shadow server (shadow.postgres_dsn) does not preload it: " +
			"add timescaledb to its shared_preload_libraries and restart it, or unset shadow.postgres_dsn to replay on a local throwaway cluster")
	}
	return nil
}
