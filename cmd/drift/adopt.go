package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/migrations"
)

// adopt writes, for each drifted target, the migration that adopts its drift into its migration
// set, prints the paths, and returns the exit code: 0 when every drifted target got its
// migration, 2 when one could not.
func adopt(g *globals, r *check.Runner, targets []check.Target, results []check.Result) int {
	code := check.ExitClean
	fail := func(name string, err error) {
		fmt.Fprintf(g.stderr, "drift check --adopt: target %s: %v\n", name, g.redactor.String(err.Error()))
		code = check.ExitError
	}
	for i := range results {
		res, t := &results[i], targets[i]
		switch {
		case res.Status == check.StatusError:
			fail(t.Name, fmt.Errorf("could not be checked: %s", res.Error))
			continue
		case len(res.Findings) == 0:
			fmt.Fprintf(g.stdout, "%s: no drift to adopt\n", t.Name)
			continue
		case t.Expected != check.ExpectMigrations:
			fail(t.Name, fmt.Errorf("its expected schema is a snapshot file, not a migration set: rewrite %s from the live database with `drift snapshot --from <live> --out %s` to adopt the drift", t.SnapshotPath, t.SnapshotPath))
			continue
		case len(res.Pending) > 0:
			fail(t.Name, fmt.Errorf("%d migrations of the set are not applied to the live database yet: the drift is measured against an earlier version of the set, so a migration adopting it cannot follow the last file; apply them first", len(res.Pending)))
			continue
		}
		paths, cannot, err := writeAdoption(r, t, res, time.Now())
		if err != nil {
			fail(t.Name, err)
			continue
		}
		for _, p := range paths {
			fmt.Fprintln(g.stdout, p)
		}
		if cannot > 0 {
			fmt.Fprintf(g.stderr, "drift check --adopt: target %s: %d differences could not be written as statements; the migration says why in comments\n", t.Name, cannot)
		}
	}
	return code
}

// writeAdoption writes the adopting migration of one target (and its down or rollback file,
// the revert fix, where the set's convention keeps one) and returns the paths written and how
// many differences it could only describe.
func writeAdoption(r *check.Runner, t check.Target, res *check.Result, now time.Time) ([]string, int, error) {
	set, err := migrations.LoadDir(t.MigrationsDir)
	if err != nil {
		return nil, 0, err
	}
	up, down, err := set.NextNames("adopt drift", now)
	if err != nil {
		return nil, 0, fmt.Errorf("naming the adopting migration in %s: %w", t.MigrationsDir, err)
	}
	if err := r.AttachFix(res, check.FixAdopt, true); err != nil {
		return nil, 0, err
	}
	fix := res.Fix
	if fix == nil {
		return nil, 0, fmt.Errorf("drift writes no fix for %s targets", res.Engine)
	}
	c := fix.Comment
	cannot := 0
	for _, s := range fix.Statements {
		if s.SQL == "" {
			cannot++
		}
	}
	upText := c + " Written by drift check --adopt: adopts into the migration set the drift found on target " + t.Name + ".\n" +
		c + " The live database already has this schema: record this migration as applied there with your\n" +
		c + " migration tool (golang-migrate: migrate force <version>) rather than running it on it.\n" +
		c + " Review every statement; each one that can hurt says how (\"" + c + " hazard: …\").\n\n" + fix.Script()
	files := []migrations.NewFile{{Path: up, Content: []byte(upText)}}
	if down != "" {
		if err := r.AttachFix(res, check.FixRevert, true); err != nil {
			return nil, 0, err
		}
		downText := c + " Written by drift check --adopt: reverts " + filepath.Base(up) + ", back to the schema the migration set\n" +
			c + " described before it.\n\n" + res.Fix.Script()
		files = append(files, migrations.NewFile{Path: down, Content: []byte(downText), Down: true})
	}
	if err := migrations.WriteNew(t.MigrationsDir, files); err != nil {
		return nil, 0, err
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(t.MigrationsDir, filepath.FromSlash(f.Path))
	}
	return paths, cannot, nil
}
