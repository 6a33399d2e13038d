package daemon

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/snapshot"
)

// benchTables is the number of tables of each benchmark target.
const benchTables = 200

// benchSchema is each benchmark target's schema: 200 tables of 6 columns with a primary key, a
// foreign key, an index and a comment, a view and a function — about 2,600 objects.
func benchSchema() string {
	var b strings.Builder
	b.WriteString("CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL);\n")
	for i := range benchTables {
		fmt.Fprintf(&b, `CREATE TABLE public.t%02d (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			account_id bigint NOT NULL REFERENCES public.accounts (id),
			name text NOT NULL DEFAULT '',
			amount numeric(12,2),
			created_at timestamptz NOT NULL DEFAULT now(),
			flags int[]);
		CREATE INDEX t%02d_created_idx ON public.t%02d (created_at);
		COMMENT ON TABLE public.t%02d IS 'table %d';
		`, i, i, i, i, i)
	}
	b.WriteString(`CREATE VIEW public.totals AS SELECT account_id, sum(amount) AS total FROM public.t00 GROUP BY account_id;
	CREATE FUNCTION public.touch(bigint) RETURNS void LANGUAGE sql AS $$ SELECT 1 $$;`)
	return b.String()
}

// BenchmarkTick100Targets measures one daemon tick over 100 target databases of 200 tables on
// one server, 10 of them drifted: claim, check (real introspection, the expected schema from
// the targets' shared migration set, real diff), record, notify (to a discarding log notifier,
// so Slack's latency is not measured). The migration set is replayed once, by the first tick
// (reported as first-tick-s, untimed otherwise): every later tick finds it in the replay
// cache, as the daemon does until the set changes. Peak memory is the process's VmHWM (peak
// resident set, reset after setup via /proc/self/clear_refs) and the peak Go heap in use,
// sampled every 20ms.
//
//	go test -run '^$' -bench Tick100 -benchtime 5x ./internal/daemon/
func BenchmarkTick100Targets(b *testing.B) {
	const n = 100
	ctx := context.Background()
	setup := time.Now()
	tmpl := pgtest.NewDB(b)
	pgtest.Exec(b, tmpl, benchSchema())
	migs := b.TempDir()
	require.NoError(b, os.WriteFile(filepath.Join(migs, "000001_schema.up.sql"), []byte(benchSchema()), 0o644))
	proto := Target{Target: check.Target{Engine: snapshot.EnginePostgres, Expected: check.ExpectMigrations,
		MigrationsDir: migs, Schemas: []string{"public"}, Timeout: 5 * time.Minute}}
	admin := pgtest.AdminDSN(b)
	var targets []Target
	for i := range n {
		name := fmt.Sprintf("%s_%03d", dbName(b, tmpl), i)
		pgtest.Exec(b, admin, "CREATE DATABASE "+name+" TEMPLATE "+dbName(b, tmpl))
		b.Cleanup(func() { pgtest.Exec(b, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
		dsn := pgtest.WithDatabase(admin, name)
		if i%10 == 0 {
			pgtest.Exec(b, dsn, "CREATE INDEX tmp_report_idx ON public.t01 (amount); ALTER TABLE public.t02 ALTER COLUMN name DROP NOT NULL")
		}
		tg := proto
		tg.Name, tg.DSN = fmt.Sprintf("db%03d", i), dsn
		targets = append(targets, tg)
	}
	b.Logf("setup: %d databases in %s", n, time.Since(setup).Round(time.Millisecond))

	for _, conc := range []int{4, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			st, _ := newStore(b, "")
			d, err := New(withDefaults(Options{Targets: targets, Concurrency: conc}), st, newRunner(nil), slack.NewLogNotifier(nil, nil), nil)
			require.NoError(b, err)
			first := time.Now()
			for _, o := range d.RunOnce(ctx) {
				if o.Err != nil || o.Result.Status == check.StatusError {
					b.Fatalf("%s: err=%v result=%s", o.Target, o.Err, o.Result.Error)
				}
			}
			b.ReportMetric(time.Since(first).Seconds(), "first-tick-s")
			resetPeakRSS(b)
			stop, peakHeap := sampleHeap()
			b.ResetTimer()
			for b.Loop() {
				outs := d.RunOnce(ctx)
				drift := 0
				for _, o := range outs {
					if !o.Checked || o.Err != nil || o.Result.Status == check.StatusError {
						b.Fatalf("%s: checked=%v err=%v result=%s", o.Target, o.Checked, o.Err, o.Result.Error)
					}
					if o.Result.Status == check.StatusDrift {
						drift++
					}
				}
				if drift != n/10 {
					b.Fatalf("%d targets drifted, want %d", drift, n/10)
				}
			}
			b.StopTimer()
			stop()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(peakRSSKB(b))/1024, "peak-RSS-MB")
			b.ReportMetric(float64(peakHeap())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(ms.Sys)/(1<<20), "Go-Sys-MB")
		})
	}
}

// resetPeakRSS resets the kernel's peak resident set size of this process (VmHWM).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset VmHWM (%v): peak-RSS-MB includes setup", err)
	}
}

// peakRSSKB reads VmHWM from /proc/self/status.
func peakRSSKB(b *testing.B) int {
	f, err := os.Open("/proc/self/status")
	require.NoError(b, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			require.NoError(b, err)
			return kb
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// sampleHeap records the largest HeapInuse seen until stop is called.
func sampleHeap() (stop func(), peak func() uint64) {
	var max atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > max.Load() {
				max.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }, max.Load
}
