package neo4j

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/migrations"
)

// planChain splits migrations (versioned and repeatable, in version order) by what a
// neo4j-migrations chain says is applied, with the semantics migrations.Plan has for the SQL
// tools: toReplay is what the expected schema is built from, pending is not drift, and the
// findings (kind "migration") are problems of the migration state:
//
//   - a run's lock left in the database (a run going on, or one that crashed mid-way): critical;
//   - a migration recorded as failed (a chain imported from Flyway): critical;
//   - an applied migration whose file changed since (checksum): warning; a repeatable one is
//     pending instead, because neo4j-migrations applies it again on the next run;
//   - an applied version with no file in the set: warning;
//   - a migration older than the last applied one that was never applied: warning, and pending.
//
// Catalog (XML) migrations are matched by version; their checksum is over a canonical form of
// the XML that drift does not compute, so a changed catalog migration is not detected.
func planChain(ms []migrations.Migration, st *liveState) (toReplay, pending []migrations.Migration, findings []diff.Finding) {
	byVersion := map[string]chainEntry{}
	bySource := map[string]chainEntry{}
	high := ""
	for _, e := range st.chain {
		if e.failed {
			findings = append(findings, migrationFinding(e.version, diff.Changed, diff.Critical,
				fmt.Sprintf("migration %s (%s) failed: %s records it as unsuccessful; repair it before trusting this comparison", e.version, e.source, chainWhere)))
			continue
		}
		byVersion[normalVersion(e.version)] = e
		bySource[e.source] = e
		if high == "" || migrations.CompareVersions(e.version, high) > 0 {
			high = e.version
		}
	}
	matched := map[string]bool{}
	for _, m := range ms {
		e, ok := byVersion[normalVersion(m.Version)]
		if !ok || m.Version == "" {
			e, ok = bySource[path.Base(m.File)]
		}
		if !ok {
			pending = append(pending, m)
			if high != "" && m.Version != "" && migrations.CompareVersions(m.Version, high) < 0 {
				findings = append(findings, migrationFinding(m.Version, diff.Missing, diff.Warning,
					fmt.Sprintf("migration %s (%s) has not been applied although later ones have (%s is at %s)", m.Version, m.File, chainWhere, high)))
			}
			continue
		}
		matched[normalVersion(e.version)] = true
		toReplay = append(toReplay, m)
		if e.checksum == "" || migrations.IsCatalogMigration(m.File) || checksumMatches(e.checksum, m.Content) {
			continue
		}
		if m.Kind == migrations.Repeatable {
			pending = append(pending, m)
			continue
		}
		f := migrationFinding(m.Version, diff.Changed, diff.Warning,
			fmt.Sprintf("migration %s (%s) changed since it was applied: checksum %s in %s, %s for the file now", m.Version, m.File, e.checksum, chainWhere, Neo4jMigrationsChecksum(m.Content)))
		f.Expected = fmt.Sprintf("checksum %s (the file as applied)", e.checksum)
		f.Actual = fmt.Sprintf("checksum %s (the file now)", Neo4jMigrationsChecksum(m.Content))
		findings = append(findings, f)
	}
	for _, e := range st.chain {
		if !e.failed && !matched[normalVersion(e.version)] {
			findings = append(findings, migrationFinding(e.version, diff.Unexpected, diff.Warning,
				fmt.Sprintf("migration %s (%s) is recorded as applied in %s but no file in the set has that version", e.version, e.source, chainWhere)))
		}
	}
	for _, l := range st.locks {
		obj := "lock"
		if l != "" {
			obj = "lock " + l
		}
		findings = append(findings, migrationFinding(obj, diff.Changed, diff.Critical,
			fmt.Sprintf("neo4j-migrations holds a lock (:__Neo4jMigrationsLock {name: %q}): a migration is running, or one crashed mid-way; "+
				"if none is running, repair the database and remove the lock before trusting this comparison", l)))
	}
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if c := migrations.CompareVersions(a.Object, b.Object); c != 0 {
			return c < 0
		}
		return a.Object < b.Object
	})
	return toReplay, pending, findings
}

func migrationFinding(object string, change diff.Change, severity diff.Severity, summary string) diff.Finding {
	return diff.Finding{Kind: migrations.FindingKind, Object: object, Change: change, Severity: severity, Summary: summary}
}

// normalVersion is a version's numeric parts joined with dots, trailing zero parts dropped,
// as neo4j-migrations compares versions (1_0 is 1.0 is 1).
func normalVersion(v string) string {
	var parts []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r < '0' || r > '9' }) {
		f = strings.TrimLeft(f, "0")
		if f == "" {
			f = "0"
		}
		parts = append(parts, f)
	}
	for len(parts) > 1 && parts[len(parts)-1] == "0" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, ".")
}

// inVersionOrder orders migrations the way neo4j-migrations applies them: by version,
// repeatable and versioned ones alike, then those without a version by file name.
func inVersionOrder(ms []migrations.Migration) []migrations.Migration {
	out := append([]migrations.Migration(nil), ms...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Version == "" || b.Version == "" {
			if a.Version != b.Version {
				return a.Version != ""
			}
			return a.File < b.File
		}
		return migrations.CompareVersions(a.Version, b.Version) < 0
	})
	return out
}
