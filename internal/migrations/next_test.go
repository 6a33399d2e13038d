package migrations

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNextNames(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	cases := []struct {
		name     string
		files    []string
		up, down string
	}{
		{"flyway", []string{"V1__init.sql", "V2__more.sql"}, "V3__adopt_drift.sql", ""},
		{"flyway padded and dotted", []string{"V001__init.sql", "V009_1__fix.sql"}, "V010__adopt_drift.sql", ""},
		{"flyway with undo files", []string{"V1__init.sql", "U1__init.sql"}, "V2__adopt_drift.sql", "U2__adopt_drift.sql"},
		{"flyway cypher", []string{"V001__init.cypher"}, "V002__adopt_drift.cypher", ""},
		{"golang-migrate", []string{"000009_a.up.sql", "000009_a.down.sql"}, "000010_adopt_drift.up.sql", "000010_adopt_drift.down.sql"},
		{"golang-migrate timestamps", []string{"20250101120000_a.up.sql"}, "20260304050607_adopt_drift.up.sql", "20260304050607_adopt_drift.down.sql"},
		{"golang-migrate timestamp from the future", []string{"20990101120000_a.up.sql"}, "20990101120001_adopt_drift.up.sql", "20990101120001_adopt_drift.down.sql"},
		{"pop, per database", []string{"20191100000001000000_a.postgres.up.sql", "20191100000001000000_a.mysql.up.sql"}, "20260304050607000000_adopt_drift.postgres.up.sql", "20260304050607000000_adopt_drift.postgres.down.sql"},
		{"pop, for every database", []string{"20191100000001000000_a.up.sql"}, "20260304050607000000_adopt_drift.up.sql", "20260304050607000000_adopt_drift.down.sql"},
		{"dotted (Authelia)", []string{"V0001.Initial_Schema.up.sql", "V0001.Initial_Schema.down.sql"}, "V0002.adopt_drift.up.sql", "V0002.adopt_drift.down.sql"},
		{"dotted per database", []string{"V0001.Init.postgres.up.sql", "V0001.Init.sqlite.up.sql", "V0001.Init.all.down.sql"}, "V0002.adopt_drift.postgres.up.sql", "V0002.adopt_drift.postgres.down.sql"},
		{"up-down", []string{"V001-init-up.sql", "V001-init-down.sql"}, "V002-adopt-drift-up.sql", "V002-adopt-drift-down.sql"},
		{"numbered", []string{"001_init.sql", "rollback/001_init.sql"}, "002_adopt_drift.sql", "rollback/002_adopt_drift.sql"},
		{"numbered with rollbacks/", []string{"7_init.sql", "rollbacks/7_init.sql"}, "8_adopt_drift.sql", "rollbacks/8_adopt_drift.sql"},
		{"timestamped", []string{"20251120_143000_schema_x.sql"}, "20260304_050607_adopt_drift.sql", ""},
		{"timestamped from the future", []string{"20991120_143000_x.sql"}, "20991120_143001_adopt_drift.sql", ""},
		{"dated, a new day", []string{"2025-01-15-003-x.cypher"}, "2026-03-04-001-adopt-drift.cypher", ""},
		{"dated, the same day", []string{"2026-03-04-009-x.cypher"}, "2026-03-04-010-adopt-drift.cypher", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tc.files {
				fsys[f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			set, err := Load(fsys)
			require.NoError(t, err)
			up, down, err := set.NextNames("adopt drift", now)
			require.NoError(t, err)
			require.Equal(t, tc.up, up)
			require.Equal(t, tc.down, down)
			// The new file is read back as the set's next migration.
			fsys[up] = &fstest.MapFile{Data: []byte("SELECT 2;")}
			if down != "" {
				fsys[down] = &fstest.MapFile{Data: []byte("SELECT 3;")}
			}
			again, err := Load(fsys)
			require.NoError(t, err)
			last, _ := Last(again.Migrations)
			require.Equal(t, up, last.File)
			require.Equal(t, len(set.Down)+map[bool]int{true: 1, false: 0}[down != ""], len(again.Down))
		})
	}
	_, _, err := (&Set{Convention: Flyway, Language: LanguageSQL}).NextNames("x", now)
	require.ErrorContains(t, err, "naming convention is unknown")
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	files := []NewFile{{Path: "002_x.sql", Content: []byte("up")}, {Path: "rollback/002_x.sql", Content: []byte("down"), Down: true}}
	require.NoError(t, WriteNew(dir, files))
	b, err := os.ReadFile(filepath.Join(dir, "rollback", "002_x.sql"))
	require.NoError(t, err)
	require.Equal(t, "down", string(b))

	// Never overwrite: and nothing of the attempt is left behind.
	err = WriteNew(dir, []NewFile{{Path: "003_x.sql", Content: []byte("up")}, {Path: "002_x.sql", Content: []byte("again")}})
	require.ErrorContains(t, err, "already exists")
	require.NoFileExists(t, filepath.Join(dir, "003_x.sql"))
	b, _ = os.ReadFile(filepath.Join(dir, "002_x.sql"))
	require.Equal(t, "up", string(b))

	// Never through a symbolic link: a file, a dangling one, the folder, a subfolder.
	outside := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(outside, "target.sql"), filepath.Join(dir, "004_x.sql")))
	require.ErrorContains(t, WriteNew(dir, []NewFile{{Path: "004_x.sql", Content: []byte("up")}}), "already exists")
	require.NoFileExists(t, filepath.Join(outside, "target.sql"))
	link := filepath.Join(t.TempDir(), "linked")
	require.NoError(t, os.Symlink(dir, link))
	require.ErrorContains(t, WriteNew(link, []NewFile{{Path: "005_x.sql", Content: []byte("up")}}), "symbolic link")
	other := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(other, "rollback")))
	require.ErrorContains(t, WriteNew(other, []NewFile{{Path: "001_x.sql"}, {Path: "rollback/001_x.sql"}}), "symbolic link")
	require.NoFileExists(t, filepath.Join(other, "001_x.sql"))
	require.NoFileExists(t, filepath.Join(outside, "001_x.sql"))

	// Never into something that is not a directory.
	file := filepath.Join(t.TempDir(), "plain")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	require.ErrorContains(t, WriteNew(file, []NewFile{{Path: "001_x.sql"}}), "not a directory")
	require.ErrorContains(t, WriteNew(dir, []NewFile{{Path: "../escape.sql"}}), "not a path inside")
}
