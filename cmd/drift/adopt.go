package main

import (
	"fmt"
	"time"

	"github.com/drift-schema/drift/internal/check"
)

// adopt writes, for each drifted target, the migration that adopts its drift into its migration
// set, prints the paths, and returns the exit code: 0 when every drifted target got its
// migration, 2 when one could not.
func adopt(g *globals, r *check.Runner, targets []check.Target, results []check.Result) int {
	code := check.ExitClean
	for i := range results {
		res, t := &results[i], targets[i]
		if res.Status != check.StatusError && len(res.Findings) == 0 {
			fmt.Fprintf(g.stdout, "%s: no drift to adopt\n", t.Name)
			continue
		}
		a, err := r.Adopt(t, res, time.Now())
		if err != nil {
			fmt.Fprintf(g.stderr, "drift check --adopt: target %s: %v\n", t.Name, g.redactor.String(err.Error()))
			code = check.ExitError
			continue
		}
		for _, p := range a.Paths {
			fmt.Fprintln(g.stdout, p)
		}
		if a.Cannot > 0 {
			fmt.Fprintf(g.stderr, "drift check --adopt: target %s: %d differences could not be written as statements; the migration says why in comments\n", t.Name, a.Cannot)
		}
	}
	return code
}
