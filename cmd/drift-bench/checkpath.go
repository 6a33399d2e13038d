package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/drift-schema/drift/internal/benchgen"
)

// The check path: what a release gate and the daemon run. Timed in the same run as `drift
// snapshot` of the same database, so the targets are ratios that do not depend on the machine:
//
//	file → live         drift diff --from <committed snapshot> --to <live>   <= 1.3x a snapshot,
//	                                                                           peak RSS < pg_dump's
//	live → live         drift diff --from <live> --to <live>                  <= 2x a snapshot
//	migrations → live   drift check, expected: migrations, replay cached      <= 2x a snapshot
//	file → file         drift diff --from <file> --to <file>                  (reported)
const (
	targetFileToLive  = 1.3
	targetLiveToLive  = 2.0
	targetMigsToLive  = 2.0
	checkPathFileName = "committed.json"
)

// checkPath holds the samples of the check-path tools at one size.
type checkPath struct {
	fileToLive, liveToLive, migsToLive, fileToFile []sample
	snapshotBytes, pgDumpBytes                     int64
}

// checkTools are the commands timed after each snapshot/pg_dump pair, in this order.
func checkTools(driftBin, dsn, snapshotFile, configFile string) map[string][]string {
	return map[string][]string{
		"file → live":       {driftBin, "diff", "--from", snapshotFile, "--to", dsn, "--format", "json"},
		"live → live":       {driftBin, "diff", "--from", dsn, "--to", dsn, "--format", "json"},
		"migrations → live": {driftBin, "check", "--config", configFile, "--format", "json"},
		"file → file":       {driftBin, "diff", "--from", snapshotFile, "--to", snapshotFile, "--format", "json"},
	}
}

var checkToolOrder = []string{"file → live", "live → live", "migrations → live", "file → file"}

// prepareCheckPath writes what the check-path tools need into scratch: a snapshot of the live
// database (the committed file), the generated schema as a one-file migration set, a config
// with a replay cache, and one untimed check that fills that cache. It returns the config's path
// and the snapshot's.
func (b *bench) prepareCheckPath(ctx context.Context, scratch string, target connTarget, n int, env []string, cp *checkPath) (configFile, snapshotFile string, err error) {
	driftBin := b.opts.driftBin
	snapshotFile = filepath.Join(scratch, checkPathFileName)
	if _, err := measure(ctx, []string{driftBin, "snapshot", "--from", target.url, "--out", snapshotFile}, env); err != nil {
		return "", "", fmt.Errorf("writing the committed snapshot: %w", err)
	}
	st, err := os.Stat(snapshotFile)
	if err != nil {
		return "", "", err
	}
	cp.snapshotBytes = st.Size()

	migs := filepath.Join(scratch, "migrations")
	if err := os.MkdirAll(migs, 0o755); err != nil {
		return "", "", err
	}
	if err := writeSQL(filepath.Join(migs, "000001_schema.up.sql"), benchgen.Options{Tables: n, Schemas: b.opts.schemas}); err != nil {
		return "", "", err
	}
	configFile = filepath.Join(scratch, "drift.yaml")
	cfg := fmt.Sprintf("shadow:\n  cache_dir: %s\ntargets:\n  - name: bench\n    engine: postgres\n    dsn: %q\n    migrations: %s\n    expected: migrations\n    timeout: 1h\n",
		filepath.Join(scratch, "cache"), target.url, migs)
	if err := os.WriteFile(configFile, []byte(cfg), 0o600); err != nil {
		return "", "", err
	}
	// The replay is cached (the daemon's case): fill the cache once, untimed.
	if _, err := measure(ctx, []string{driftBin, "check", "--config", configFile, "--format", "json"}, env); err != nil {
		return "", "", fmt.Errorf("warming the replay cache: %w", err)
	}
	dump := filepath.Join(scratch, "pg_dump.sql")
	if _, err := measure(ctx, []string{b.env.pgDump, "--schema-only", "-f", dump, "-d", target.url}, env); err == nil {
		if st, err := os.Stat(dump); err == nil {
			cp.pgDumpBytes = st.Size()
		}
		os.Remove(dump)
	}
	return configFile, snapshotFile, nil
}

// runCheckPath times each check-path tool once.
func (b *bench) runCheckPath(ctx context.Context, n, run int, tools map[string][]string, env []string, cp *checkPath) error {
	for _, name := range checkToolOrder {
		s, err := measure(ctx, tools[name], env)
		if err != nil {
			return fmt.Errorf("%s run %d: %w", name, run, err)
		}
		switch name {
		case "file → live":
			cp.fileToLive = append(cp.fileToLive, s)
		case "live → live":
			cp.liveToLive = append(cp.liveToLive, s)
		case "migrations → live":
			cp.migsToLive = append(cp.migsToLive, s)
		case "file → file":
			cp.fileToFile = append(cp.fileToFile, s)
		}
		fmt.Fprintf(b.out, "%s tables: run %d  %-17s wall %s  cpu %s  peak RSS %s\n", thousands(n), run, name, seconds(s.wall), seconds(s.cpu), mib(s.peakRSSKiB))
	}
	return nil
}

// writeCheckPathReport prints the check-path table: each tool's medians and its ratio to `drift
// snapshot` of the same database in the same run.
func writeCheckPathReport(b *strings.Builder, results []sizeResult) error {
	if len(results) == 0 || results[0].check == nil {
		return nil
	}
	b.WriteString("\nThe check path (what `drift check` and the daemon run), against `drift snapshot` of the same\ndatabase in the same run; every comparison here finds the schemas equal:\n\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "tables\tpath\tmedian wall\tpeak RSS\ttime / snapshot\ttarget\tresult")
	for _, r := range results {
		cp := r.check
		snap := medianDuration(r.drift).Seconds()
		pgRSS := medianRSS(r.pgDump)
		row := func(name string, samples []sample, timeTarget float64, rssTarget int64) {
			ratio := medianDuration(samples).Seconds() / snap
			rss := medianRSS(samples)
			target, ok := "—", true
			if timeTarget > 0 {
				target = fmt.Sprintf("<= %.1fx", timeTarget)
				ok = ratio <= timeTarget
			}
			if rssTarget > 0 {
				target += fmt.Sprintf(", RSS < pg_dump's %s", mib(rssTarget))
				ok = ok && rss > 0 && rss < rssTarget
			}
			result := "PASS"
			if !ok {
				result = "FAIL"
			}
			if timeTarget == 0 && rssTarget == 0 {
				result = ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2fx\t%s\t%s\n", thousands(r.tables), name, seconds(medianDuration(samples)), mib(rss), ratio, target, result)
		}
		row("file → live", cp.fileToLive, targetFileToLive, pgRSS)
		row("live → live", cp.liveToLive, targetLiveToLive, 0)
		row("migrations → live", cp.migsToLive, targetMigsToLive, 0)
		row("file → file", cp.fileToFile, 0, 0)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\n")
	for _, r := range results {
		if r.check.pgDumpBytes > 0 {
			fmt.Fprintf(b, "%s tables: snapshot file %s, pg_dump --schema-only text %s\n", thousands(r.tables), mib(r.check.snapshotBytes/1024), mib(r.check.pgDumpBytes/1024))
		}
	}
	return nil
}
