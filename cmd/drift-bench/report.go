package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/drift-schema/drift/internal/benchgen"
)

// The target drift must meet at every size.
const (
	targetSpeedup     = 2.0 // pg_dump wall time / drift wall time, at least
	targetMemoryRatio = 1.0 // drift peak RSS / pg_dump peak RSS, below
)

// verdict compares the medians of one size with the target.
type verdict struct {
	driftWall, pgDumpWall time.Duration
	driftRSS, pgDumpRSS   int64 // KiB; -1 unknown
	speedup               float64
	memoryRatio           float64 // -1 when a peak RSS is unknown
	pass                  bool
}

func judge(r sizeResult) verdict {
	v := verdict{
		driftWall:  medianDuration(r.drift),
		pgDumpWall: medianDuration(r.pgDump),
		driftRSS:   medianRSS(r.drift),
		pgDumpRSS:  medianRSS(r.pgDump),
	}
	v.speedup = v.pgDumpWall.Seconds() / v.driftWall.Seconds()
	v.memoryRatio = -1
	if v.driftRSS > 0 && v.pgDumpRSS > 0 {
		v.memoryRatio = float64(v.driftRSS) / float64(v.pgDumpRSS)
	}
	v.pass = v.speedup >= targetSpeedup && v.memoryRatio >= 0 && v.memoryRatio < targetMemoryRatio
	return v
}

// writeReport prints the summary table after all sizes have run.
func writeReport(w io.Writer, env environment, results []sizeResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\ndrift-bench: PostgreSQL %s, %d CPU cores, %s/%s\n", env.serverVersion, cores(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "drift:   %s\n", env.driftCmd)
	fmt.Fprintf(&b, "pg_dump: %s --schema-only -f %s (%s)\n", env.pgDump, "/dev/null", env.pgDumpVersion)
	b.WriteString("Peak RSS and CPU are each client process's own (getrusage: ru_maxrss, user + system time).\n" +
		"Both tools also make the server backend work (pg_dump locks and reads every table's catalog\n" +
		"rows there; drift runs its catalog queries there); the backend's memory and CPU are in neither\n" +
		"figure, but its time is in the wall time.\n\n")

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "tables\ttool\truns\tmedian wall\tmedian client CPU\tmedian peak RSS")
	for _, r := range results {
		v := judge(r)
		fmt.Fprintf(tw, "%s\tdrift\t%d\t%s\t%s\t%s\n", thousands(r.tables), len(r.drift), seconds(v.driftWall), seconds(medianCPU(r.drift)), mib(v.driftRSS))
		fmt.Fprintf(tw, "%s\tpg_dump\t%d\t%s\t%s\t%s\n", thousands(r.tables), len(r.pgDump), seconds(v.pgDumpWall), seconds(medianCPU(r.pgDump)), mib(v.pgDumpRSS))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "tables\ttime pg_dump/drift (target >= %.0fx)\tmemory drift/pg_dump (target < %.2f)\tresult\n", targetSpeedup, targetMemoryRatio)
	for _, r := range results {
		v := judge(r)
		mem := "n/a"
		if v.memoryRatio >= 0 {
			mem = fmt.Sprintf("%.2f", v.memoryRatio)
		}
		result := "FAIL"
		if v.pass {
			result = "PASS"
		}
		fmt.Fprintf(tw, "%s\t%.2fx\t%s\t%s\n", thousands(r.tables), v.speedup, mem, result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := writeCheckPathReport(&b, results); err != nil {
		return err
	}
	writeFixReport(&b, results)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFixReport adds what writing the fix SQL costs drift diff, where it was measured.
func writeFixReport(b *strings.Builder, results []sizeResult) {
	measured := false
	for _, r := range results {
		if _, ok := judgeFix(r); ok {
			measured = true
		}
	}
	if !measured {
		return
	}
	b.WriteString("\nFix SQL: drift diff --from <database> --to <its snapshot drifted in one table of ten>, text report\n" +
		"vs --format sql (alternating runs, medians; both read the database and compare).\n\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "tables\tdrifted tables\tdrift diff\tdrift diff --format sql\tSQL adds (target < %.0f%%)\tresult\n", targetFixOverhead*100)
	for _, r := range results {
		v, ok := judgeFix(r)
		if !ok {
			continue
		}
		result := "FAIL"
		if v.pass {
			result = "PASS"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%+.1f%%\t%s\n", thousands(r.tables), thousands(r.driftedTables), seconds(v.diff), seconds(v.diffSQL), v.overhead*100, result)
	}
	_ = tw.Flush()
}

func medianDuration(samples []sample) time.Duration {
	ds := make([]time.Duration, len(samples))
	for i, s := range samples {
		ds[i] = s.wall
	}
	return median(ds)
}

func medianCPU(samples []sample) time.Duration {
	ds := make([]time.Duration, len(samples))
	for i, s := range samples {
		ds[i] = s.cpu
	}
	return median(ds)
}

func medianRSS(samples []sample) int64 {
	rs := make([]int64, len(samples))
	for i, s := range samples {
		if s.peakRSSKiB < 0 {
			return -1
		}
		rs[i] = s.peakRSSKiB
	}
	return median(rs)
}

// median of a non-empty list; the mean of the middle two for an even count.
func median[T ~int64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// seconds formats a duration as seconds with millisecond precision: "2.104 s".
func seconds(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// mib formats KiB as MiB: "58.3 MiB".
func mib(kib int64) string {
	if kib < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

// thousands formats n with comma separators: 10000 → "10,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// describe summarises a generated schema in one line.
func describe(c benchgen.Counts) string {
	return fmt.Sprintf("%s tables in %d schemas (%s columns, %s indexes, %s foreign keys, %s checks, %s unique, %s views, %d matviews, %d routines, %s triggers, %d enums)",
		thousands(c.Tables), c.Schemas, thousands(c.Columns), thousands(c.Indexes), thousands(c.ForeignKeys),
		thousands(c.CheckConstraints), thousands(c.UniqueConstraints), thousands(c.Views), c.MaterializedViews,
		c.Functions, thousands(c.Triggers), c.Enums)
}
