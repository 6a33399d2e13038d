package config

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
)

// FuzzParse: whatever the bytes, the loader returns a config or an *Error — it never panics,
// never holds more than a bounded amount of memory (the file is capped, aliases are not
// expanded past a bound), and never accepts a file without a valid target.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../../configs/drift.example.yaml"); err == nil {
		f.Add(string(data))
	}
	for _, s := range []string{
		"targets: [{name: a, dsn: x}]\n",
		"schedule: '0 * * * *'\ndaemon: {concurrency: -1, timeout: 5m}\ntargets: [{name: a, dsn: '${X:-y}', engine: neo4j}]\n",
		"a: &a {b: *a}\n",
		"x: &m {concurrency: 1}\ndaemon: {<<: [*m, *m]}\ntargets: [{name: a, dsn: x}]\n",
		"targets:\n  - name: a\n    dsn: x\n    ignore: [{kind: index, object: '[', reason: r, expires: 2027-13-01}]\n",
		"\x00\xff{[",
		"- - - -",
		"targets: !!binary aGVsbG8=\n",
	} {
		f.Add(s)
	}
	lookup := func(name string) (string, bool) {
		if strings.HasPrefix(name, "SET") {
			return "postgres://u:pw@h/d", true
		}
		return "", false
	}
	f.Fuzz(func(t *testing.T, data string) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cfg, err := Parse(strings.NewReader(data), "/fuzz/drift.yaml", lookup)
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20 {
			t.Fatalf("parsing %d bytes allocated %d MiB", len(data), grew>>20)
		}
		if err != nil {
			var cerr *Error
			if !errors.As(err, &cerr) || len(cerr.Problems) == 0 {
				t.Fatalf("an error that is not a list of problems: %T %v", err, err)
			}
			for _, p := range cerr.Problems {
				if p.Message == "" {
					t.Fatalf("a problem without a message: %+v", p)
				}
			}
			return
		}
		if len(cfg.Targets) == 0 {
			t.Fatal("a config without targets was accepted")
		}
		for _, tg := range cfg.Targets {
			if !validName(tg.Name) || tg.DSN == "" || (tg.Engine != "postgres" && tg.Engine != "neo4j") {
				t.Fatalf("an invalid target was accepted: %+v", tg)
			}
		}
		if cfg.Daemon.Concurrency < 1 || cfg.Daemon.Timeout <= 0 || cfg.Daemon.FailureThreshold < 1 {
			t.Fatalf("nonsense daemon settings were accepted: %+v", cfg.Daemon)
		}
	})
}
