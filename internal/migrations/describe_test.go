package migrations

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDescribe(t *testing.T) {
	var none *Set
	require.Equal(t, "", none.Describe())
	require.Equal(t, "no migrations yet", (&Set{Language: LanguageSQL}).Describe())
	one := &Set{Language: LanguageSQL, Convention: GolangMigrate, Migrations: []Migration{{Version: "1"}}}
	require.Equal(t, "1 sql migration, golang-migrate convention", one.Describe())
	two := &Set{Language: LanguageCypher, Migrations: []Migration{{Version: "1"}, {Version: "2"}}}
	require.Equal(t, "2 cypher migrations, unknown convention", two.Describe())
}
