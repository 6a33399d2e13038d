package neo4j

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/neo4jtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// loadFiles reads the .cypher files of a directory in name order (the corpus names them so
// that name order is migration order).
func loadFiles(t *testing.T, dir string) []File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.cypher"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no .cypher files in %s", dir)
	sort.Strings(paths)
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		content, err := os.ReadFile(p)
		require.NoError(t, err)
		files = append(files, File{Name: filepath.Base(p), Content: content})
	}
	return files
}

func corpusCases(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("testdata/corpus/*")
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	sort.Strings(dirs)
	return dirs
}

// TestParseCorpusGolden pins the expected snapshot of every corpus case, so a change to the
// attribute vocabulary shows up in review. Refresh with go test -run Golden -update.
func TestParseCorpusGolden(t *testing.T) {
	for _, dir := range corpusCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			exp, err := Parse(loadFiles(t, dir), ParseOptions{})
			require.NoError(t, err)
			got, err := exp.Snapshot.Marshal()
			require.NoError(t, err)
			golden := filepath.Join("testdata", "golden", filepath.Base(dir)+".json")
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -run Golden -update to create it")
			require.Equal(t, string(want), string(got))
		})
	}
}

// TestParserAndReplayAgree runs every corpus case both ways: statically parsed, and replayed
// on the real server and introspected. The two snapshots must be identical, and the scratch
// database must be left as empty as it was found.
func TestParserAndReplayAgree(t *testing.T) {
	uri := neo4jtest.Fresh(t)
	for _, dir := range corpusCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			files := loadFiles(t, dir)
			exp, err := Parse(files, ParseOptions{})
			require.NoError(t, err)
			replayed, err := Replay(ctx, uri, files, ReplayOptions{})
			require.NoError(t, err)
			require.Empty(t, diff.Compare(exp.Snapshot, replayed, diff.Options{Rules: Rules{}}))
			require.Equal(t, exp.Snapshot.Objects, replayed.Objects)
			require.NotEmpty(t, replayed.Objects)
			require.Equal(t, snapshot.SourceMigrations, replayed.Source.Kind)

			live, health, err := IntrospectURI(ctx, uri, Options{})
			require.NoError(t, err)
			require.Empty(t, health)
			require.Empty(t, live.Objects, "the replay must drop everything it created")
			assertNoNodes(t, uri)
		})
	}
}
