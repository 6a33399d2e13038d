package migrations

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLoadNeo4jMigrationsProject loads a folder laid out as neo4j-migrations lays it out:
// versioned Cypher and XML catalog migrations, a repeatable migration with a version, lifecycle
// callbacks, and files that are not migrations at all. None of them makes the folder an error.
func TestLoadNeo4jMigrationsProject(t *testing.T) {
	set, err := LoadDir("testdata/neo4j-migrations")
	require.NoError(t, err)
	require.Equal(t, Flyway, set.Convention)
	require.Equal(t, LanguageCypher, set.Language)
	require.Equal(t, []string{"V1_0__Create_person.cypher", "V1_1__Index_names.cypher", "V2__Catalog.xml", "R2_5__Refresh_flags.cypher"}, files(set.Migrations))
	var kinds, versions []string
	for _, m := range set.Migrations {
		kinds = append(kinds, string(m.Kind))
		versions = append(versions, m.Version)
	}
	require.Equal(t, []string{"versioned", "versioned", "versioned", "repeatable"}, kinds)
	require.Equal(t, []string{"1.0", "1.1", "2", "2.5"}, versions)
	require.True(t, IsCatalogMigration(set.Migrations[2].File))
	require.False(t, IsCatalogMigration(set.Migrations[0].File))

	require.Equal(t, []string{"afterMigrate__seed_data.cypher", "beforeFirstUse.cypher", "beforeInfo.cypher"}, files(set.Callbacks))
	for _, c := range set.Callbacks {
		require.Equal(t, Callback, c.Kind)
		require.Empty(t, c.Version)
		require.NotEmpty(t, c.Content)
	}
	require.Equal(t, "seed data", set.Callbacks[0].Description)
	require.Equal(t, "afterMigrate", CallbackPhase(set.Callbacks[0].File))
	require.Equal(t, "beforeFirstUse", CallbackPhase(set.Callbacks[1].File))
	require.Equal(t, "", CallbackPhase("V1__x.cypher"))
	require.Empty(t, set.Down)

	// Callbacks count in the set's checksum: changing one changes what the set builds.
	before := set.Checksum
	set.Callbacks = set.Callbacks[:1]
	require.NotEqual(t, before, setChecksum(append(set.Migrations, set.Callbacks...)))
}

func TestParseNeo4jMigrationsNames(t *testing.T) {
	cases := []struct {
		name    string
		kind    Kind
		version string
		ok      bool
	}{
		{"R1_2__Refresh.cypher", Repeatable, "1.2", true},
		{"R__views.cypher", Repeatable, "", true}, // Flyway's repeatable
		{"V3__Catalog.xml", Versioned, "3", true},
		{"R3__Catalog.xml", Repeatable, "3", true},
		{"afterMigrate.cypher", Callback, "", true},
		{"beforeClean__wipe_test_data.cypher", Callback, "", true},
		{"AfterMigrate.cypher", "", "", false}, // phases are case-sensitive, as in the tool
		{"afterLunch.cypher", "", "", false},
		{"R1__views.sql", "", "", false}, // a version on R is neo4j-migrations', Cypher only
		{"V1__x.yaml", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, version, _, kind, ok := ParseName(tc.name)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.kind, kind)
			require.Equal(t, tc.version, version)
		})
	}
	// An SQL folder is not changed by any of this: a callback there is a language mix-up.
	require.False(t, isMigrationLike("changelog.xml"))
}
