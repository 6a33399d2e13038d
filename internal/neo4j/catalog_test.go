package neo4j

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/snapshot"
)

const catalogNS = `<?xml version="1.0" encoding="UTF-8"?>
<migration xmlns="https://michael-simons.github.io/neo4j-migrations">`

// TestCatalogMigrations reads neo4j-migrations' XML migrations into the same items as Cypher:
// catalog items created by name, inline items, drops, refactorings that touch only data, and
// <apply/>, which replaces the whole schema with the catalog.
func TestCatalogMigrations(t *testing.T) {
	files := []File{
		{Name: "V1__catalog.xml", Content: []byte(catalogNS + `
	<?assume that edition is enterprise ?>
	<catalog>
		<indexes>
			<index name="movie_title" type="text"><label>Movie</label><properties><property>title</property></properties></index>
			<index name="search" type="fulltext"><label>Movie|Book</label><properties><property>title</property><property>plot</property></properties>
				<options>indexConfig: {` + "`fulltext.analyzer`" + `: 'english'}</options></index>
		</indexes>
		<constraints>
			<constraint name="liked_day" type="exists"><type>LIKED</type><properties><property>day</property></properties></constraint>
			<constraint name="person_keys" type="key"><label>Person</label><properties><property>first</property><property>last</property></properties></constraint>
			<constraint name="person_age" type="property_type"><label>Person</label><properties><property type="INTEGER">age</property></properties></constraint>
		</constraints>
	</catalog>
	<verify/>
	<create ref="movie_title"/>
	<create item="search"/>
	<create item="liked_day"/>
	<create ref="person_keys"/>
	<create item="person_age"/>
	<refactor type="rename.label"><parameters><from>Film</from><to>Movie</to></parameters></refactor>
	<create><constraint name="inline_id" type="unique"><label>Inline</label><properties><property>id</property></properties></constraint></create>
</migration>`)},
		{Name: "V2__drop.cypher", Content: []byte("CREATE INDEX plain FOR (n:Plain) ON (n.x)")},
		{Name: "V3__drop.xml", Content: []byte(catalogNS + `<drop item="movie_title"/><drop item="inline_id" ifExists="true"/></migration>`)},
	}
	exp, err := Parse(files, ParseOptions{})
	require.NoError(t, err)
	require.Equal(t, []snapshot.Object{
		obj(KindConstraint, "liked_day", rel("RELATIONSHIP_PROPERTY_EXISTENCE", "LIKED", "day")),
		obj(KindConstraint, "person_age", node("NODE_PROPERTY_TYPE", "Person", "age", AttrPropertyType, "INTEGER")),
		obj(KindConstraint, "person_keys", node("NODE_KEY", "Person", "first,last")),
		obj(KindIndex, "plain", node("RANGE", "Plain", "x")),
		obj(KindIndex, "search", node("FULLTEXT", "Movie,Book", "title,plot", "config.fulltext.analyzer", "english")),
	}, exp.Snapshot.Objects)

	// <apply/> drops what is there (the Cypher-made index too) and creates the whole catalog.
	files = append(files, File{Name: "V4__apply.xml", Content: []byte(catalogNS + `<catalog reset="true"><indexes>
		<index name="only"><label>Only</label><properties><property>x</property></properties></index></indexes></catalog><apply/></migration>`)})
	exp, err = Parse(files, ParseOptions{ServerVersionNum: 40400})
	require.NoError(t, err)
	require.Equal(t, []snapshot.Object{obj(KindIndex, "only", node("BTREE", "Only", "x"))}, exp.Snapshot.Objects)
}

func TestCatalogMigrationErrorsNameTheFile(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"not XML", "CREATE INDEX", "V1__x.xml:1: catalog migration: no <migration> element: this is not an XML document"},
		{"unknown reference", catalogNS + `<create item="nope"/></migration>`, `V1__x.xml:1: catalog migration: <create> refers to "nope", which no catalog defines`},
		{"schema refactoring", catalogNS + `<refactor type="migrate.replaceBTreeIndexes"/></migration>`, "V1__x.xml:1: catalog migration: refactoring migrate.replaceBTreeIndexes rewrites indexes, which the static parser does not model; replay the migrations on a scratch instance"},
		{"unknown type", catalogNS + `<catalog><constraints><constraint name="c" type="weird"><label>A</label><properties><property>x</property></properties></constraint></constraints></catalog></migration>`, `V1__x.xml:1: catalog migration: constraint c has an unknown type "weird"`},
		{"create twice without ifNotExists", catalogNS + `<catalog><indexes><index name="i"><label>A</label><properties><property>x</property></properties></index></indexes></catalog><create item="i"/><create item="i" ifNotExists="false"/></migration>`, "V1__x.xml:1: an index named i already exists (created at V1__x.xml:1)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]File{{Name: "V1__x.xml", Content: []byte(tc.content)}}, ParseOptions{})
			require.EqualError(t, err, tc.want)
		})
	}
}

func TestCatalogDropByNameOfWhatCypherMade(t *testing.T) {
	_, err := Parse([]File{{Name: "V1__x.xml", Content: []byte(catalogNS + `<drop item="gone" ifExists="false"/></migration>`)}}, ParseOptions{})
	require.EqualError(t, err, "V1__x.xml:1: there is no index or constraint named gone to drop")
}
