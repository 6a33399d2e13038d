package check

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/drift-schema/drift/internal/migrations"
)

// Adoption is what adopting one target's drift wrote.
type Adoption struct {
	// Paths are the files written: the adopting migration, then its down or rollback file
	// where the set's convention keeps one.
	Paths []string
	// Cannot counts the differences that could not be written as statements: the migration
	// only describes them, in comments.
	Cannot int
}

// Adopt writes the migration that adopts a checked target's drift into its migration set, as
// the set's next file in its own naming convention (and its down or rollback file, the revert
// fix, where the convention keeps one). It never overwrites a file. It refuses a target that
// could not be checked, one without drift, one whose expected schema is a snapshot file, and
// one with pending migrations (the drift is then measured against an earlier version of the
// set).
func (r *Runner) Adopt(t Target, res *Result, now time.Time) (Adoption, error) {
	switch {
	case res.Status == StatusError:
		return Adoption{}, fmt.Errorf("could not be checked: %s", res.Error)
	case len(res.Findings) == 0:
		return Adoption{}, errors.New("no drift to adopt")
	case t.Expected != ExpectMigrations:
		return Adoption{}, fmt.Errorf("its expected schema is a snapshot file, not a migration set: rewrite %s from the live database with `drift snapshot --from <live> --out %s` to adopt the drift", t.SnapshotPath, t.SnapshotPath)
	case len(res.Pending) > 0:
		return Adoption{}, fmt.Errorf("%d migrations of the set are not applied to the live database yet: the drift is measured against an earlier version of the set, so a migration adopting it cannot follow the last file; apply them first", len(res.Pending))
	}
	set, err := migrations.LoadDir(t.MigrationsDir)
	if err != nil {
		return Adoption{}, err
	}
	up, down, err := set.NextNames("adopt drift", now)
	if err != nil {
		return Adoption{}, fmt.Errorf("naming the adopting migration in %s: %w", t.MigrationsDir, err)
	}
	if err := r.AttachFix(res, FixAdopt, true); err != nil {
		return Adoption{}, err
	}
	fix := res.Fix
	if fix == nil {
		return Adoption{}, fmt.Errorf("drift writes no fix for %s targets", res.Engine)
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
		if err := r.AttachFix(res, FixRevert, true); err != nil {
			return Adoption{}, err
		}
		downText := c + " Written by drift check --adopt: reverts " + filepath.Base(up) + ", back to the schema the migration set\n" +
			c + " described before it.\n\n" + res.Fix.Script()
		files = append(files, migrations.NewFile{Path: down, Content: []byte(downText), Down: true})
	}
	if err := migrations.WriteNew(t.MigrationsDir, files); err != nil {
		return Adoption{}, err
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(t.MigrationsDir, filepath.FromSlash(f.Path))
	}
	return Adoption{Paths: paths, Cannot: cannot}, nil
}

// AdoptAll writes, for each drifted target (targets and results in the same order), the
// migration that adopts its drift (Adopt), prints each file's path on out and each refusal or
// failure on errOut, and returns the exit code: ExitClean when every drifted target got its
// migration, ExitError when one could not. The runner's clock dates the files.
func (r *Runner) AdoptAll(targets []Target, results []Result, out, errOut io.Writer) int {
	code := ExitClean
	for i := range results {
		res, t := &results[i], targets[i]
		if res.Status != StatusError && len(res.Findings) == 0 {
			fmt.Fprintf(out, "%s: no drift to adopt\n", t.Name)
			continue
		}
		a, err := r.Adopt(t, res, r.clock.Now())
		if err != nil {
			fmt.Fprintf(errOut, "drift check --adopt: target %s: %v\n", t.Name, r.redactor.String(err.Error()))
			code = ExitError
			continue
		}
		for _, p := range a.Paths {
			fmt.Fprintln(out, p)
		}
		if a.Cannot > 0 {
			fmt.Fprintf(errOut, "drift check --adopt: target %s: %d differences could not be written as statements; the migration says why in comments\n", t.Name, a.Cannot)
		}
	}
	return code
}
