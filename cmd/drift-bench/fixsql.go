package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/drift-schema/drift/internal/snapshot"
)

// The fix SQL benchmark: drift diff of the benchmark database against a drifted copy of its
// own snapshot, timed with and without --format sql, alternating, in the same run. Writing the
// SQL must add less than targetFixOverhead to drift diff.
const targetFixOverhead = 0.10

// fixSQL times drift diff and drift diff --format sql at one size.
func (b *bench) fixSQL(ctx context.Context, dsn string, env []string, scratch string, res *sizeResult) error {
	base := filepath.Join(scratch, "base.json")
	if _, err := measure(ctx, []string{b.opts.driftBin, "snapshot", "--from", dsn, "--out", base}, env); err != nil {
		return fmt.Errorf("writing the snapshot to drift: %w", err)
	}
	drifted := filepath.Join(scratch, "drifted.json")
	n, err := driftSnapshot(base, drifted)
	if err != nil {
		return err
	}
	res.driftedTables = n
	diff := []string{b.opts.driftBin, "diff", "--from", dsn, "--to", drifted}
	withSQL := append(slices.Clone(diff), "--format", "sql")
	for i := 1; i <= b.opts.runs; i++ {
		s, err := measure(ctx, diff, env, 1)
		if err != nil {
			return fmt.Errorf("drift diff run %d: %w", i, err)
		}
		res.diff = append(res.diff, s)
		fmt.Fprintf(b.out, "%s tables: run %d  drift diff                wall %s  cpu %s\n", thousands(res.tables), i, seconds(s.wall), seconds(s.cpu))
		s, err = measure(ctx, withSQL, env, 1)
		if err != nil {
			return fmt.Errorf("drift diff --format sql run %d: %w", i, err)
		}
		res.diffSQL = append(res.diffSQL, s)
		fmt.Fprintf(b.out, "%s tables: run %d  drift diff --format sql   wall %s  cpu %s\n", thousands(res.tables), i, seconds(s.wall), seconds(s.cpu))
	}
	return nil
}

// driftSnapshot writes a copy of the snapshot at in with drift in one table of every ten, and
// returns in how many tables: every tenth table has its first column retyped (so the views
// over it are rebuilt), an index fewer and a column more; every fiftieth is gone altogether.
func driftSnapshot(in, out string) (int, error) {
	s, err := snapshot.ReadFile(in)
	if err != nil {
		return 0, err
	}
	var tables []snapshot.Key
	for _, o := range s.Objects {
		if o.Kind == "table" {
			tables = append(tables, o.Key)
		}
	}
	gone, changed := map[snapshot.Key]bool{}, map[snapshot.Key]bool{}
	for i, k := range tables {
		switch {
		case i%50 == 0:
			gone[k] = true
		case i%10 == 0:
			changed[k] = true
		}
	}
	owner := func(o snapshot.Object) snapshot.Key {
		switch {
		case o.Kind == "table":
			return o.Key
		case o.Kind == "privilege" || o.Kind == "comment":
			return snapshot.KeyOf(o.Parent.Schema(), o.Parent.Name(), "", "")
		}
		return o.Parent
	}
	retyped, dropped := map[snapshot.Key]bool{}, map[snapshot.Key]bool{}
	var kept []snapshot.Object
	for _, o := range s.Objects {
		t := owner(o)
		if gone[t] {
			continue
		}
		if changed[t] {
			switch {
			case o.Kind == "index" && !dropped[t]:
				dropped[t] = true
				continue
			case o.Kind == "column" && o.Attrs.Value("position") == "1" && !retyped[t]:
				retyped[t] = true
				o.Attrs = o.Attrs.Clone()
				if o.Attrs.Value("type") == "bigint" {
					o.Attrs.Set("type", "numeric")
				} else {
					o.Attrs.Set("type", "bigint")
				}
			}
		}
		kept = append(kept, o)
	}
	for k := range changed {
		kept = append(kept, snapshot.Object{Kind: "column", Key: snapshot.KeyOf(k.Schema(), k.Name(), "drift_extra", ""),
			Parent: k, Attrs: snapshot.NewAttrs("type", "text", "not_null", "false", "position", "999")})
	}
	s.Objects = kept
	if err := snapshot.WriteFile(out, s); err != nil {
		return 0, err
	}
	return len(gone) + len(changed), nil
}

// fixVerdict compares drift diff with and without --format sql at one size.
type fixVerdict struct {
	diff, diffSQL time.Duration
	overhead      float64 // (with SQL - without) / without
	pass          bool
}

func judgeFix(r sizeResult) (fixVerdict, bool) {
	if len(r.diff) == 0 || len(r.diffSQL) == 0 {
		return fixVerdict{}, false
	}
	v := fixVerdict{diff: medianDuration(r.diff), diffSQL: medianDuration(r.diffSQL)}
	v.overhead = (v.diffSQL.Seconds() - v.diff.Seconds()) / v.diff.Seconds()
	v.pass = v.overhead < targetFixOverhead
	return v, true
}
