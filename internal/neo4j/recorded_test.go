package neo4j

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// loadRecorded reads recorded SHOW ... YIELD * rows of a server that cannot run here (4.4,
// Enterprise). The rows were written from the documented column sets of each version.
func loadRecorded(t *testing.T, server string) catalogRows {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "recorded", server, "rows.json"))
	require.NoError(t, err)
	var raw struct {
		Components  []map[string]any `json:"components"`
		Indexes     []map[string]any `json:"indexes"`
		Constraints []map[string]any `json:"constraints"`
	}
	require.NoError(t, json.Unmarshal(data, &raw))
	return catalogRows{components: raw.Components, indexes: raw.Indexes, constraints: raw.Constraints}
}

// recordedPair builds the live snapshot from the recorded rows and the expected one from the
// server's migrations, parsed for that server's version.
func recordedPair(t *testing.T, server string, rows catalogRows) (live, expected *snapshot.Snapshot, health []diff.Finding) {
	t.Helper()
	live, health, err := buildSnapshot(rows, Options{Target: "graph"})
	require.NoError(t, err)
	exp, err := Parse(loadFiles(t, filepath.Join("testdata", "recorded", server, "migrations")), ParseOptions{ServerVersionNum: live.ServerVersionNum})
	require.NoError(t, err)
	return live, exp.Snapshot, health
}

func TestRecordedServersMatchTheirMigrations(t *testing.T) {
	cases := []struct {
		server  string
		version string
		num     int
		objects int
		health  []finding
	}{
		// 4.4: BTREE indexes, no owningConstraint column (uniqueness = UNIQUE instead),
		// ownedIndexId instead of ownedIndex, a FAILED and a POPULATING index.
		{"neo4j-4.4-community", "4.4.41 (community)", 40441, 9, []finding{
			{KindIndex, "broken", diff.Changed},
			{KindIndex, "range (:Rating)(score)", diff.Changed},
		}},
		// Enterprise-only constraint types, Cypher 5 type names (UNIQUENESS, RELATIONSHIP_UNIQUENESS).
		{"neo4j-5.26-enterprise", "5.26.12 (enterprise)", 52612, 10, nil},
		// Cypher 25 type names (NODE_PROPERTY_UNIQUENESS, ...), the enforcedLabel column.
		{"neo4j-2025.06-enterprise", "2025.06.0 (enterprise)", 20250600, 10, nil},
	}
	for _, tc := range cases {
		t.Run(tc.server, func(t *testing.T) {
			live, expected, health := recordedPair(t, tc.server, loadRecorded(t, tc.server))
			require.Equal(t, tc.version, live.ServerVersion)
			require.Equal(t, tc.num, live.ServerVersionNum)
			require.Len(t, live.Objects, tc.objects)
			require.Empty(t, live.Unsupported)
			require.Empty(t, findings(diff.Compare(expected, live, diff.Options{Rules: Rules{}, Target: "graph"})))
			if tc.health == nil {
				tc.health = []finding{}
			}
			require.Equal(t, tc.health, findings(health))
		})
	}
}

func TestRecorded44Details(t *testing.T) {
	live, _, health := recordedPair(t, "neo4j-4.4-community", loadRecorded(t, "neo4j-4.4-community"))
	idx := live.Index()
	// A plain 4.4 CREATE INDEX is BTREE; its default spatial settings are not compared.
	require.Equal(t, node("BTREE", "Movie", "title"), idx[snapshot.ID{Kind: KindIndex, Key: snapshot.Named("btree (:Movie)(title)")}].Attrs.Map())
	require.Equal(t, node("POINT", "Place", "loc", "config.spatial.cartesian.min", "[-100, -100]"),
		idx[snapshot.ID{Kind: KindIndex, Key: snapshot.Named("place_loc")}].Attrs.Map())
	require.Equal(t, node("NODE_PROPERTY_UNIQUENESS", "User", "email"),
		idx[snapshot.ID{Kind: KindConstraint, Key: snapshot.Named("unique (:User)(email)")}].Attrs.Map())
	for _, o := range live.Objects {
		require.NotContains(t, o.Key.String(), "SchemaMigration")
		require.NotEqual(t, "LOOKUP", o.Attrs.Value(AttrType))
	}
	require.Len(t, health, 2)
	require.Equal(t, diff.Warning, health[0].Severity)
	require.Equal(t, "index is FAILED and will not recover by itself: drop and recreate it (java.lang.IllegalStateException: Index population failed)", health[0].Summary)
	require.Equal(t, "state: FAILED", health[0].Actual)
	require.Equal(t, diff.Fingerprint("graph", KindIndex, "broken"+HealthSuffix, diff.Changed), health[0].Fingerprint)
	require.Equal(t, diff.Info, health[1].Severity)
	require.Equal(t, "index is POPULATING (0% done); queries cannot use it yet", health[1].Summary)
}

// TestRecordedCypher5And25Agree: the same schema read from a 5.x and a 2025.x server (different
// constraint type names, different union order) gives the same objects.
func TestRecordedCypher5And25Agree(t *testing.T) {
	five, _, err := buildSnapshot(loadRecorded(t, "neo4j-5.26-enterprise"), Options{})
	require.NoError(t, err)
	twentyFive, _, err := buildSnapshot(loadRecorded(t, "neo4j-2025.06-enterprise"), Options{})
	require.NoError(t, err)
	require.Equal(t, five.Objects, twentyFive.Objects)
	idx := five.Index()
	require.Equal(t, node("NODE_PROPERTY_TYPE", "Movie", "tagline", AttrPropertyType, "LIST<STRING NOT NULL> | STRING"),
		idx[snapshot.ID{Kind: KindConstraint, Key: snapshot.Named("movie_tagline")}].Attrs.Map())
	require.Equal(t, rel("RELATIONSHIP_PROPERTY_TYPE", "RATED", "stars", AttrPropertyType, "FLOAT | INTEGER"),
		idx[snapshot.ID{Kind: KindConstraint, Key: snapshot.Named("type ()-[:RATED]-()(stars)")}].Attrs.Map())
	require.Equal(t, rel("RELATIONSHIP_PROPERTY_EXISTENCE", "PART_OF", "order"),
		idx[snapshot.ID{Kind: KindConstraint, Key: snapshot.Named("exists ()-[:PART_OF]-()(order)")}].Attrs.Map())
	require.Equal(t, rel("RELATIONSHIP_PROPERTY_UNIQUENESS", "OWNS", "serial"),
		idx[snapshot.ID{Kind: KindConstraint, Key: snapshot.Named("owns_serial")}].Attrs.Map())
	require.Equal(t, node("VECTOR", "Doc", "vec", "config.vector.dimensions", "1536"),
		idx[snapshot.ID{Kind: KindIndex, Key: snapshot.Named("doc_vec")}].Attrs.Map())
}

// TestRecordedDrift edits recorded rows the way drift happens on those servers and expects
// exactly the matching finding.
func TestRecordedDrift(t *testing.T) {
	const server = "neo4j-5.26-enterprise"
	edit := func(f func(rows *catalogRows)) []finding {
		rows := loadRecorded(t, server)
		f(&rows)
		live, expected, _ := recordedPair(t, server, rows)
		return findings(diff.Compare(expected, live, diff.Options{Rules: Rules{}}))
	}
	byName := func(rows []map[string]any, name string) map[string]any {
		for _, r := range rows {
			if r["name"] == name {
				return r
			}
		}
		t.Fatalf("no row %s", name)
		return nil
	}
	t.Run("node key dropped", func(t *testing.T) {
		got := edit(func(rows *catalogRows) {
			var kept []map[string]any
			for _, r := range rows.constraints {
				if r["name"] != "actor_fullname" {
					kept = append(kept, r)
				}
			}
			rows.constraints = kept
		})
		require.Equal(t, []finding{{KindConstraint, "actor_fullname", diff.Missing}}, got)
	})
	t.Run("property type changed", func(t *testing.T) {
		got := edit(func(rows *catalogRows) { byName(rows.constraints, "movie_tagline")["propertyType"] = "STRING" })
		require.Equal(t, []finding{{KindConstraint, "movie_tagline", diff.Changed}}, got)
	})
	t.Run("existence constraint added by hand", func(t *testing.T) {
		got := edit(func(rows *catalogRows) {
			rows.constraints = append(rows.constraints, map[string]any{
				"id": 99.0, "name": "constraint_deadbeef", "type": "NODE_PROPERTY_EXISTENCE", "entityType": "NODE",
				"labelsOrTypes": []any{"Book"}, "properties": []any{"title"}, "ownedIndex": nil, "propertyType": nil,
			})
		})
		require.Equal(t, []finding{{KindConstraint, "exists (:Book)(title)", diff.Unexpected}}, got)
	})
	t.Run("vector similarity changed", func(t *testing.T) {
		got := edit(func(rows *catalogRows) {
			cfg := byName(rows.indexes, "doc_vec")["options"].(map[string]any)["indexConfig"].(map[string]any)
			cfg["vector.similarity_function"] = "EUCLIDEAN"
		})
		require.Equal(t, []finding{{KindIndex, "doc_vec", diff.Changed}}, got)
	})
	t.Run("volatile columns never drift", func(t *testing.T) {
		got := edit(func(rows *catalogRows) {
			for i, r := range rows.indexes {
				r["id"], r["readCount"], r["lastRead"], r["trackedSince"] = float64(1000+i), 123456.0, "2031-01-01T00:00:00Z", nil
				r["populationPercent"] = 100.0
			}
			for i, r := range rows.constraints {
				r["id"] = float64(2000 + i)
			}
		})
		require.Empty(t, got)
	})
}
