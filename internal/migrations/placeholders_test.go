package migrations

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestSubstitute(t *testing.T) {
	set, err := Load(fstest.MapFS{
		"V1__init.sql": {Data: []byte("CREATE TABLE ${schema}.t (id int);\n-- ${flyway:filename} in ${flyway:defaultSchema}, tracked in ${flyway:table}\n")},
		"V2__b.sql":    {Data: []byte("SELECT '$notaplaceholder', '${ also not }';\n")},
	})
	require.NoError(t, err)
	out, err := set.WithPlaceholders(Placeholders{"schema": "app"})
	require.NoError(t, err)
	require.Equal(t, "CREATE TABLE app.t (id int);\n-- V1__init.sql in public, tracked in flyway_schema_history\n", string(out.Migrations[0].Content))
	require.NotEqual(t, set.Migrations[0].Checksum, out.Migrations[0].Checksum)
	require.NotEqual(t, set.Checksum, out.Checksum, "a cached replay follows the values")
	require.Equal(t, set.Migrations[1], out.Migrations[1], "nothing to replace")
	require.Equal(t, out.Migrations[:1], out.Same(set.Migrations[:1]))

	same, err := set.WithPlaceholders(Placeholders{"schema": "app", "unused": "x"})
	require.NoError(t, err)
	require.Equal(t, out.Checksum, same.Checksum)

	_, err = set.WithPlaceholders(nil)
	require.EqualError(t, err, "V1__init.sql line 1: no value for the Flyway placeholder ${schema}: set it as the project's Flyway configuration does (a target's placeholders: {name: value}, or --placeholder name=value on drift diff)")

	// Other tools replace nothing.
	plain, err := Load(fstest.MapFS{"000001_init.up.sql": {Data: []byte("SELECT '${schema}';")}})
	require.NoError(t, err)
	kept, err := plain.WithPlaceholders(nil)
	require.NoError(t, err)
	require.Same(t, plain, kept)
}
