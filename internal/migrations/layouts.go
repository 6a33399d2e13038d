package migrations

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// folderName is the name of a folder-per-migration folder: a version (digits, possibly with
// dashes as diesel writes dates) and a description.
var folderName = regexp.MustCompile(`^(\d[\d-]*\d|\d)_(.+)$`)

// loadFolderMigration reads a folder-per-migration folder (Folders): up.sql or migration.sql
// is the migration, down.sql its down file. ok is false for any other folder.
func loadFolderMigration(fsys fs.FS, dir string) (m Migration, downs []Migration, ok bool, err error) {
	match := folderName.FindStringSubmatch(dir)
	if match == nil {
		return Migration{}, nil, false, nil
	}
	p := parsed{convention: Folders, version: strings.ReplaceAll(match[1], "-", ""), description: words(match[2]), kind: Versioned, language: LanguageSQL}
	for _, up := range []string{"up.sql", "migration.sql"} {
		if _, serr := fs.Stat(fsys, path.Join(dir, up)); serr != nil {
			continue
		}
		if m, err = readMigration(fsys, path.Join(dir, up), p); err != nil {
			return Migration{}, nil, false, err
		}
		if _, serr := fs.Stat(fsys, path.Join(dir, "down.sql")); serr == nil {
			p.kind = Down
			d, err := readMigration(fsys, path.Join(dir, "down.sql"), p)
			if err != nil {
				return Migration{}, nil, false, err
			}
			downs = append(downs, d)
		}
		return m, downs, true, nil
	}
	return Migration{}, nil, false, nil
}

// codeExtensions are the languages migration tools let people write migrations in.
var codeExtensions = map[string]bool{".go": true, ".py": true, ".js": true, ".ts": true, ".rb": true, ".java": true, ".kt": true,
	".fizz": true} // pop's migration language, which drift does not translate to SQL

// codeMigration recognises a migration written in code (goose's 00002_backfill.go, a Knex
// 20230101120000_init.js): a code file whose name, with .sql for its extension, follows a
// convention. Tests and other files (main.go, migrations_test.go) are not migrations.
func codeMigration(name string) (Migration, bool) {
	ext := strings.ToLower(path.Ext(name))
	if !codeExtensions[ext] || strings.HasSuffix(name, "_test.go") {
		return Migration{}, false
	}
	p, ok := parseName(strings.TrimSuffix(name, path.Ext(name)) + ".sql")
	if !ok || p.kind != Versioned {
		return Migration{}, false
	}
	return Migration{Version: p.version, Description: p.description, File: name, Kind: Versioned, Dialect: p.dialect}, true
}

// applyBaseline lets the latest Flyway baseline migration (B5__baseline.sql) stand for every
// versioned migration up to its version, as Flyway does on an empty database: those are moved
// to superseded. Earlier baselines are superseded too. ms is sorted.
func applyBaseline(ms []Migration) (kept, superseded []Migration) {
	var base *Migration
	for i := range ms {
		if ms[i].Baseline && (base == nil || CompareVersions(ms[i].Version, base.Version) >= 0) {
			base = &ms[i]
		}
	}
	if base == nil {
		return ms, nil
	}
	b := *base
	for _, m := range ms {
		switch {
		case m.File == b.File:
			kept = append(kept, m)
		case m.Kind == Versioned && CompareVersions(m.Version, b.Version) <= 0:
			superseded = append(superseded, m)
		default:
			kept = append(kept, m)
		}
	}
	return kept, superseded
}

// drizzleJournal is the part of Drizzle's meta/_journal.json drift reads.
type drizzleJournal struct {
	Entries []struct {
		When int64  `json:"when"`
		Tag  string `json:"tag"`
	} `json:"entries"`
}

// readJournal reads Drizzle's meta/_journal.json: each migration's time by its file (tag +
// ".sql"). A folder without one has no journal (nil); one that names a file the folder lacks,
// or is not JSON, is an error naming it.
func readJournal(fsys fs.FS, ms []Migration) (map[string]int64, error) {
	const name = "meta/_journal.json"
	data, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	var j drizzleJournal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("reading %s (Drizzle's journal): %w", name, err)
	}
	out := map[string]int64{}
	for _, e := range j.Entries {
		file := e.Tag + ".sql"
		if !slices.ContainsFunc(ms, func(m Migration) bool { return m.File == file }) {
			return nil, fmt.Errorf("%s names migration %s, which the folder does not have", name, file)
		}
		out[file] = e.When
	}
	return out, nil
}
