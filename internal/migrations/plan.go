package migrations

import (
	"bytes"
	"crypto/sha512"
	"fmt"
	"path"
	"slices"
	"sort"

	"github.com/drift-schema/drift/internal/diff"
)

// FindingKind is the finding kind of migration tracking problems.
const FindingKind = "migration"

// Plan splits a set by what the live database has applied. toReplay is what the expected schema
// is built from: the applied versioned migrations in version order, then the applied repeatable
// ones. pending are the migrations not applied yet: the database is behind, which is not drift.
// findings are tracking problems, each a diff.Finding of kind "migration" (their Fingerprint is
// left for the caller, who knows the target):
//
//   - a dirty (golang-migrate) or failed (Flyway) migration: critical;
//   - an applied migration whose file changed since (Flyway checksum): warning;
//   - an applied version with no file in the set: warning;
//   - a migration older than the applied version that was never applied (Flyway, list): warning,
//     and pending.
//
// With no tracking table (applied nil or not Found) the whole set is replayed.
//
// golang-migrate records only the current version: every migration up to it counts as applied,
// including the dirty one, so that the comparison shows what the failed migration left undone.
// A Flyway repeatable migration changed since it was applied is replayed (its old content is
// gone) and also listed as pending, because Flyway re-applies it on the next migrate.
func Plan(set *Set, applied *Applied) (toReplay, pending []Migration, findings []diff.Finding) {
	if !applied.Found() {
		return append([]Migration(nil), set.Migrations...), nil, nil
	}
	st := applied.state()
	high := applied.Version()
	byVersion := map[string]AppliedEntry{}
	for _, e := range st.versions {
		byVersion[normalVersion(e.Version)] = e
	}
	matched := map[string]bool{}
	for _, m := range set.Migrations {
		switch m.Kind {
		case Versioned:
			key := normalVersion(m.Version)
			e, isApplied := byVersion[key]
			if st.cumulative {
				isApplied = high != "" && CompareVersions(m.Version, high) <= 0
				e = AppliedEntry{Version: high}
			}
			if !isApplied && st.baseline != "" && CompareVersions(m.Version, st.baseline) <= 0 {
				isApplied, e = true, AppliedEntry{Version: m.Version}
			}
			if !isApplied && m.Baseline && high != "" && CompareVersions(m.Version, high) <= 0 {
				// A database migrated through the versions a baseline migration stands for:
				// Flyway does not run the baseline there, and its content is what they built.
				isApplied, e = true, AppliedEntry{Version: m.Version}
			}
			if !isApplied {
				pending = append(pending, m)
				if !st.cumulative && high != "" && CompareVersions(m.Version, high) < 0 {
					findings = append(findings, finding(m.Version, diff.Missing, diff.Warning,
						fmt.Sprintf("migration %s (%s) has not been applied although later ones have (%s is at %s)", m.Version, m.File, applied.Table, high)))
				}
				continue
			}
			matched[key] = true
			toReplay = append(toReplay, m)
			if f, ok := checksumFinding(applied, e, m); ok {
				findings = append(findings, f)
			}
		case Repeatable:
			e, ok := st.repeatables[path.Base(m.File)]
			if !ok {
				pending = append(pending, m)
				continue
			}
			matched["R:"+path.Base(m.File)] = true
			toReplay = append(toReplay, m)
			if e.Checksum != nil && *e.Checksum != FlywayChecksum(m.Content) {
				pending = append(pending, m)
			}
		}
	}
	for _, m := range slices.Concat(set.Superseded, set.Code) {
		// Versions a baseline migration stands for, and code migrations (which drift cannot
		// replay; the engine says so), are known, applied or not.
		matched[normalVersion(m.Version)] = true
	}
	if st.cumulative {
		if high != "" && !matched[normalVersion(high)] {
			findings = append(findings, finding(high, diff.Unexpected, diff.Warning,
				fmt.Sprintf("migration %s is recorded as applied in %s but no file in the set has that version", high, applied.Table)))
		}
		switch {
		case st.dirty && high == "":
			findings = append(findings, finding("-1", diff.Changed, diff.Critical,
				fmt.Sprintf("%s is dirty with no version (a migration down to nothing failed mid-way): repair the database and force the version before trusting this comparison", applied.Table)))
		case st.dirty:
			findings = append(findings, finding(high, diff.Changed, diff.Critical,
				fmt.Sprintf("migration %s%s is dirty (failed mid-way: its up, or the down of the version after it) in %s: repair the database and force the version before trusting this comparison", high, fileOf(set, high), applied.Table)))
		}
	} else {
		for _, e := range st.versions {
			if !matched[normalVersion(e.Version)] {
				findings = append(findings, finding(e.Version, diff.Unexpected, diff.Warning,
					fmt.Sprintf("migration %s is recorded as applied in %s but no file in the set has that version", e.Version, applied.Table)))
			}
		}
		for name := range st.repeatables {
			if !matched["R:"+name] {
				findings = append(findings, finding(name, diff.Unexpected, diff.Warning,
					fmt.Sprintf("migration %s is recorded as applied in %s but is not in the set", name, applied.Table)))
			}
		}
	}
	for _, e := range st.failed {
		obj := e.Version
		if obj == "" {
			obj = path.Base(e.Script)
		}
		findings = append(findings, finding(obj, diff.Changed, diff.Critical,
			fmt.Sprintf("migration %s%s failed: %s records it as unsuccessful; repair it before trusting this comparison", obj, scriptOf(e), applied.Table)))
	}
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if c := CompareVersions(a.Object, b.Object); c != 0 {
			return c < 0
		}
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Summary < b.Summary
	})
	return toReplay, pending, findings
}

// checksumFinding compares the recorded checksum of an applied migration (Flyway's, sqlx's)
// with its file.
func checksumFinding(applied *Applied, e AppliedEntry, m Migration) (diff.Finding, bool) {
	if applied.Format == TrackingSqlx && len(e.Digest) > 0 {
		now := sha512.Sum384(m.Content)
		if bytes.Equal(e.Digest, now[:]) {
			return diff.Finding{}, false
		}
		return finding(m.Version, diff.Changed, diff.Warning,
			fmt.Sprintf("migration %s (%s) changed since it was applied: its SHA-384 in %s is not the file's now", m.Version, m.File, applied.Table)), true
	}
	if applied.Format != TrackingFlyway || e.Checksum == nil {
		return diff.Finding{}, false
	}
	now := FlywayChecksum(m.Content)
	if *e.Checksum == now {
		return diff.Finding{}, false
	}
	f := finding(m.Version, diff.Changed, diff.Warning,
		fmt.Sprintf("migration %s (%s) changed since it was applied: checksum %d in %s, %d for the file now", m.Version, m.File, *e.Checksum, applied.Table, now))
	f.Expected = fmt.Sprintf("checksum %d (the file as applied)", *e.Checksum)
	f.Actual = fmt.Sprintf("checksum %d (the file now)", now)
	return f, true
}

func finding(object string, change diff.Change, severity diff.Severity, summary string) diff.Finding {
	return diff.Finding{Kind: FindingKind, Object: object, Change: change, Severity: severity, Summary: summary}
}

// fileOf names the file of a version in the set, as " (file)", or "" when none has it.
func fileOf(set *Set, version string) string {
	for _, m := range set.Migrations {
		if m.Kind == Versioned && CompareVersions(m.Version, version) == 0 {
			return " (" + m.File + ")"
		}
	}
	return ""
}

func scriptOf(e AppliedEntry) string {
	if e.Script == "" || e.Version == "" {
		return ""
	}
	return " (" + e.Script + ")"
}
