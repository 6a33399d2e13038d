package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/benchgen"
	"github.com/drift-schema/drift/internal/pgcluster"
)

// bench runs the benchmark for every size.
type bench struct {
	opts options
	log  *slog.Logger
	out  io.Writer // progress lines: one per load and per run
	env  environment
}

// sizeResult holds what was measured at one size.
type sizeResult struct {
	tables int
	counts benchgen.Counts
	load   time.Duration
	vacuum time.Duration
	drift  []sample
	pgDump []sample
	// check holds the check path's samples; nil when only a -drift-cmd was given.
	check *checkPath
	// diff and diffSQL time drift diff against a snapshot drifted in driftedTables tables,
	// without and with --format sql.
	driftedTables int
	diff, diffSQL []sample
}

func (b *bench) all(ctx context.Context) ([]sizeResult, error) {
	b.env.driftCmd = b.opts.driftSrc
	var results []sizeResult
	for _, n := range b.opts.sizes {
		r, err := b.size(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("benchmarking %d tables: %w", n, err)
		}
		results = append(results, r)
	}
	return results, nil
}

// size benchmarks one schema size on a server of its own (or a database of its own on -dsn).
func (b *bench) size(ctx context.Context, n int) (_ sizeResult, err error) {
	log := b.log.With("tables", n)
	res := sizeResult{tables: n}

	adminDSN, clusterBin := b.opts.dsn, ""
	if adminDSN == "" {
		log.InfoContext(ctx, "starting a throwaway PostgreSQL cluster")
		c, err := pgcluster.Start(ctx, pgcluster.Options{Major: b.opts.pgMajor})
		if err != nil {
			return res, fmt.Errorf("starting a throwaway cluster: %w", err)
		}
		defer func() {
			if stopErr := c.Stop(context.Background()); stopErr != nil {
				err = errors.Join(err, fmt.Errorf("stopping the throwaway cluster: %w", stopErr))
			}
		}()
		adminDSN, clusterBin = c.DSN("postgres"), c.BinDir()
	}

	admin, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return res, fmt.Errorf("connecting to the server: %w", err)
	}
	defer admin.Close(context.Background())
	var version string
	var versionNum int
	if err := admin.QueryRow(ctx, "SELECT current_setting('server_version'), current_setting('server_version_num')::int").Scan(&version, &versionNum); err != nil {
		return res, fmt.Errorf("reading the server version: %w", err)
	}
	major := versionNum / 10000
	b.env.serverVersion = version

	pgDump, err := findPgDump(b.opts.pgDump, major, clusterBin)
	if err != nil {
		return res, err
	}
	if b.env.pgDump != pgDump {
		out, err := exec.CommandContext(ctx, pgDump, "--version").Output()
		if err != nil {
			return res, fmt.Errorf("running %s --version: %w", pgDump, err)
		}
		b.env.pgDump, b.env.pgDumpVersion = pgDump, strings.TrimSpace(string(out))
	}

	dbname := fmt.Sprintf("drift_bench_%d", n)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{dbname}.Sanitize()+" TEMPLATE template0"); err != nil {
		return res, fmt.Errorf("creating database %s: %w", dbname, err)
	}
	if b.opts.dsn != "" {
		// On a server we do not own, drop exactly the database we created, and nothing else.
		defer func() {
			dropCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, dropErr := admin.Exec(dropCtx, "DROP DATABASE IF EXISTS "+pgx.Identifier{dbname}.Sanitize()+" WITH (FORCE)"); dropErr != nil {
				err = errors.Join(err, fmt.Errorf("dropping database %s: %w", dbname, dropErr))
			}
		}()
	}
	target, err := targetFor(adminDSN, dbname)
	if err != nil {
		return res, err
	}

	if err := b.load(ctx, log, target, n, &res); err != nil {
		return res, err
	}
	fmt.Fprintf(b.out, "%s tables: loaded %s in %s (vacuum analyze %s)\n",
		thousands(n), describe(res.counts), seconds(res.load), seconds(res.vacuum))

	scratch, err := os.MkdirTemp("", "drift-bench-")
	if err != nil {
		return res, fmt.Errorf("creating a scratch directory: %w", err)
	}
	defer os.RemoveAll(scratch)
	env := os.Environ()
	if target.password != "" {
		env = append(env, "PGPASSWORD="+target.password)
	}
	pgDumpArgv := []string{pgDump, "--schema-only", "-f", os.DevNull, "-d", target.url}
	var tools map[string][]string
	if b.opts.driftBin != "" {
		res.check = &checkPath{}
		configFile, snapshotFile, err := b.prepareCheckPath(ctx, scratch, target, n, env, res.check)
		if err != nil {
			return res, err
		}
		tools = checkTools(b.opts.driftBin, target.url, snapshotFile, configFile)
	}
	for i := 1; i <= b.opts.runs; i++ {
		out := filepath.Join(scratch, fmt.Sprintf("snapshot-%d.json", i))
		driftArgv := expand(b.opts.drift, map[string]string{"{dsn}": target.url, "{out}": out, "{pgbin}": filepath.Dir(pgDump)})
		s, err := measure(ctx, driftArgv, env)
		if err != nil {
			return res, fmt.Errorf("drift run %d: %w", i, err)
		}
		wrote := ""
		if st, err := os.Stat(out); err == nil {
			wrote = fmt.Sprintf("  (wrote %s)", mib(st.Size()/1024))
			_ = os.Remove(out)
		}
		res.drift = append(res.drift, s)
		fmt.Fprintf(b.out, "%s tables: run %d  drift    wall %s  cpu %s  peak RSS %s%s\n", thousands(n), i, seconds(s.wall), seconds(s.cpu), mib(s.peakRSSKiB), wrote)

		s, err = measure(ctx, pgDumpArgv, env)
		if err != nil {
			return res, fmt.Errorf("pg_dump run %d: %w", i, err)
		}
		res.pgDump = append(res.pgDump, s)
		fmt.Fprintf(b.out, "%s tables: run %d  pg_dump  wall %s  cpu %s  peak RSS %s\n", thousands(n), i, seconds(s.wall), seconds(s.cpu), mib(s.peakRSSKiB))
		if tools != nil {
			if err := b.runCheckPath(ctx, n, i, tools, env, res.check); err != nil {
				return res, err
			}
		}
	}
	if b.opts.driftBin != "" {
		if err := b.fixSQL(ctx, target.url, env, scratch, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// load generates the schema into the benchmark database, then vacuums and analyzes it so that
// catalog statistics are current and autovacuum has nothing left to do while tools are timed.
func (b *bench) load(ctx context.Context, log *slog.Logger, target connTarget, n int, res *sizeResult) error {
	gopts := benchgen.Options{Tables: n, Schemas: b.opts.schemas}
	if b.opts.sqlDir != "" {
		path := filepath.Join(b.opts.sqlDir, fmt.Sprintf("schema_%d.sql", n))
		if err := writeSQL(path, gopts); err != nil {
			return err
		}
		log.InfoContext(ctx, "wrote the generated schema", "path", path)
	}
	cfg, err := pgx.ParseConfig(target.url)
	if err != nil {
		return fmt.Errorf("parsing the benchmark database URL: %w", err)
	}
	if target.password != "" {
		cfg.Password = target.password
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connecting to the benchmark database: %w", err)
	}
	defer conn.Close(context.Background())

	log.InfoContext(ctx, "loading the generated schema")
	start := time.Now()
	res.counts, err = benchgen.Load(ctx, conn, gopts, log)
	if err != nil {
		return err
	}
	res.load = time.Since(start)

	start = time.Now()
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE", pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("vacuuming the benchmark database: %w", err)
	}
	res.vacuum = time.Since(start)
	// Flush the load's dirty pages now rather than during a timed run. Needs a superuser (or
	// pg_checkpoint on 15+); without one the benchmark still runs, a little noisier.
	if _, err := conn.Exec(ctx, "CHECKPOINT", pgx.QueryExecModeSimpleProtocol); err != nil {
		log.WarnContext(ctx, "could not checkpoint after loading; timings may be noisier", "error", err)
	}
	return nil
}

func writeSQL(path string, opts benchgen.Options) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing the generated schema: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing the generated schema: %w", cerr)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := benchgen.Write(w, opts); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing the generated schema: %w", err)
	}
	return nil
}

// expand substitutes the placeholders in every word of a command template.
func expand(template []string, values map[string]string) []string {
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, k, v)
	}
	r := strings.NewReplacer(pairs...)
	out := make([]string, len(template))
	for i, w := range template {
		out[i] = r.Replace(w)
	}
	return out
}
