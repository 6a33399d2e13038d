package neo4j

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/snapshot"
)

// parseOne parses a single migration file.
func parseOne(t *testing.T, src string, opts ParseOptions) (*Expected, error) {
	t.Helper()
	return Parse([]File{{Name: "V001__test.cypher", Content: []byte(src)}}, opts)
}

func obj(kind, key string, attrs map[string]string) snapshot.Object {
	return snapshot.Object{Kind: kind, Key: snapshot.Named(key), Attrs: snapshot.AttrsOf(attrs)}
}

func node(typ, label, props string, extra ...string) map[string]string {
	m := map[string]string{AttrType: typ, AttrEntityType: entityNode, AttrLabelsOrTypes: label, AttrProperties: props}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func rel(typ, relType, props string, extra ...string) map[string]string {
	m := node(typ, relType, props, extra...)
	m[AttrEntityType] = entityRelationship
	return m
}

func TestParseStatementForms(t *testing.T) {
	cases := []struct {
		name string
		src  string
		opts ParseOptions
		want []snapshot.Object
	}{
		{"named range index", "CREATE INDEX person_name FOR (p:Person) ON (p.name)",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "person_name", node("RANGE", "Person", "name"))}},
		{"unnamed range index keyed by content", "CREATE RANGE INDEX FOR (p:Person) ON (p.name, p.born)",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "range (:Person)(name,born)", node("RANGE", "Person", "name,born"))}},
		{"plain CREATE INDEX is BTREE for 4.x", "CREATE INDEX FOR (p:Person) ON (p.name)",
			ParseOptions{ServerVersionNum: 40430}, []snapshot.Object{obj(KindIndex, "btree (:Person)(name)", node("BTREE", "Person", "name"))}},
		{"lower case keywords, IF NOT EXISTS", "create index person_name if not exists for (p:Person) on (p.name)",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "person_name", node("RANGE", "Person", "name"))}},
		{"IF NOT EXISTS without a name", "CREATE TEXT INDEX IF NOT EXISTS FOR (m:Movie) ON (m.title)",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "text (:Movie)(title)", node("TEXT", "Movie", "title"))}},
		{"relationship index, both directions", "CREATE INDEX r1 FOR ()-[r:KNOWS]-() ON (r.since);\nCREATE INDEX r2 FOR ()<-[r:LIKES]-() ON (r.at);\nCREATE INDEX r3 FOR ()-[r:RATED]->() ON (r.stars)",
			ParseOptions{}, []snapshot.Object{
				obj(KindIndex, "r1", rel("RANGE", "KNOWS", "since")),
				obj(KindIndex, "r2", rel("RANGE", "LIKES", "at")),
				obj(KindIndex, "r3", rel("RANGE", "RATED", "stars")),
			}},
		{"quoted names", "CREATE INDEX `my index` FOR (n:`Odd Label`) ON (n.`odd prop`)",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "my index", node("RANGE", "Odd Label", "odd prop"))}},
		{"point index with options", "CREATE POINT INDEX FOR (p:Place) ON (p.loc) OPTIONS {indexProvider: 'point-1.0', indexConfig: {`spatial.cartesian.min`: [-10.5, -10], `spatial.wgs-84.max`: [180.0, 90.0]}}",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "point (:Place)(loc)", node("POINT", "Place", "loc", "config.spatial.cartesian.min", "[-10.5, -10]"))}},
		{"fulltext index on several labels", "CREATE FULLTEXT INDEX titles FOR (n:Movie|Book) ON EACH [n.title, n.plot] OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "titles", node("FULLTEXT", "Movie,Book", "title,plot", "config.fulltext.analyzer", "english"))}},
		{"fulltext relationship index", "CREATE FULLTEXT INDEX FOR ()-[r:REVIEWED|RATED]-() ON EACH [r.text]",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "fulltext ()-[:REVIEWED|RATED]-()(text)", rel("FULLTEXT", "REVIEWED,RATED", "text"))}},
		{"vector index", "CREATE VECTOR INDEX emb FOR (d:Doc) ON (d.embedding) OPTIONS {indexConfig: {`vector.dimensions`: 1536, `vector.similarity_function`: 'cosine', `vector.quantization.enabled`: false}}",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "emb", node("VECTOR", "Doc", "embedding", "config.vector.dimensions", "1536", "config.vector.quantization.enabled", "false"))}},
		{"vector index, property without parentheses", "CREATE VECTOR INDEX emb FOR (d:Doc) ON d.embedding",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "emb", node("VECTOR", "Doc", "embedding"))}},
		{"lookup indexes are not compared", "CREATE LOOKUP INDEX node_labels FOR (n) ON EACH labels(n);\nCREATE LOOKUP INDEX IF NOT EXISTS FOR ()-[r]-() ON type(r)",
			ParseOptions{}, []snapshot.Object{}},
		{"3.x index syntax", "CREATE INDEX ON :Person(name, born)",
			ParseOptions{ServerVersionNum: 40400}, []snapshot.Object{obj(KindIndex, "btree (:Person)(name,born)", node("BTREE", "Person", "name,born"))}},
		{"5.x uniqueness constraint", "CREATE CONSTRAINT user_email FOR (u:User) REQUIRE u.email IS UNIQUE",
			ParseOptions{}, []snapshot.Object{obj(KindConstraint, "user_email", node("NODE_PROPERTY_UNIQUENESS", "User", "email"))}},
		{"composite uniqueness, IS NODE UNIQUE, IF NOT EXISTS", "CREATE CONSTRAINT IF NOT EXISTS FOR (a:Account) REQUIRE (a.bank, a.number) IS NODE UNIQUE OPTIONS {indexProvider: 'range-1.0'}",
			ParseOptions{}, []snapshot.Object{obj(KindConstraint, "unique (:Account)(bank,number)", node("NODE_PROPERTY_UNIQUENESS", "Account", "bank,number"))}},
		{"relationship uniqueness", "CREATE CONSTRAINT owns FOR ()-[o:OWNS]-() REQUIRE o.ref IS REL UNIQUE",
			ParseOptions{}, []snapshot.Object{obj(KindConstraint, "owns", rel("RELATIONSHIP_PROPERTY_UNIQUENESS", "OWNS", "ref"))}},
		{"4.x ON ... ASSERT uniqueness", "CREATE CONSTRAINT ON (u:User) ASSERT u.email IS UNIQUE",
			ParseOptions{}, []snapshot.Object{obj(KindConstraint, "unique (:User)(email)", node("NODE_PROPERTY_UNIQUENESS", "User", "email"))}},
		{"4.x named ASSERT node key", "CREATE CONSTRAINT actor IF NOT EXISTS ON (a:Actor) ASSERT (a.first, a.last) IS NODE KEY",
			ParseOptions{}, []snapshot.Object{obj(KindConstraint, "actor", node("NODE_KEY", "Actor", "first,last"))}},
		{"4.x ASSERT exists()", "CREATE CONSTRAINT ON (a:Author) ASSERT exists(a.name);\nCREATE CONSTRAINT ON ()-[r:WROTE]-() ASSERT exists(r.year)",
			ParseOptions{}, []snapshot.Object{
				obj(KindConstraint, "exists ()-[:WROTE]-()(year)", rel("RELATIONSHIP_PROPERTY_EXISTENCE", "WROTE", "year")),
				obj(KindConstraint, "exists (:Author)(name)", node("NODE_PROPERTY_EXISTENCE", "Author", "name")),
			}},
		{"existence, key and type constraints", "CREATE CONSTRAINT a FOR (a:Author) REQUIRE a.name IS NOT NULL;\n" +
			"CREATE CONSTRAINT k FOR ()-[k:KNOWS]-() REQUIRE (k.since, k.how) IS RELATIONSHIP KEY;\n" +
			"CREATE CONSTRAINT t1 FOR (m:Movie) REQUIRE m.tagline IS :: STRING;\n" +
			"CREATE CONSTRAINT t2 FOR (m:Movie) REQUIRE m.year IS TYPED INT | FLOAT;\n" +
			"CREATE CONSTRAINT t3 FOR ()-[r:RATED]-() REQUIRE r.tags :: LIST<VARCHAR NOT NULL>",
			ParseOptions{}, []snapshot.Object{
				obj(KindConstraint, "a", node("NODE_PROPERTY_EXISTENCE", "Author", "name")),
				obj(KindConstraint, "k", rel("RELATIONSHIP_KEY", "KNOWS", "since,how")),
				obj(KindConstraint, "t1", node("NODE_PROPERTY_TYPE", "Movie", "tagline", AttrPropertyType, "STRING")),
				obj(KindConstraint, "t2", node("NODE_PROPERTY_TYPE", "Movie", "year", AttrPropertyType, "FLOAT | INTEGER")),
				obj(KindConstraint, "t3", rel("RELATIONSHIP_PROPERTY_TYPE", "RATED", "tags", AttrPropertyType, "LIST<STRING NOT NULL>")),
			}},
		{"drop by name", "CREATE INDEX a FOR (n:A) ON (n.x);\nCREATE INDEX b FOR (n:B) ON (n.x);\nDROP INDEX a;\nCREATE CONSTRAINT c FOR (n:C) REQUIRE n.x IS UNIQUE;\nDROP CONSTRAINT c IF EXISTS;\nDROP INDEX gone IF EXISTS",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "b", node("RANGE", "B", "x"))}},
		{"4.x drop by schema", "CREATE INDEX ON :A(x);\nCREATE INDEX named FOR (n:B) ON (n.y);\nCREATE CONSTRAINT ON (n:C) ASSERT n.z IS UNIQUE;\nDROP INDEX ON :A(x);\nDROP INDEX ON :B(y);\nDROP CONSTRAINT ON (n:C) ASSERT n.z IS UNIQUE",
			ParseOptions{ServerVersionNum: 40400}, []snapshot.Object{}},
		{"4.x fulltext procedures", "CALL db.index.fulltext.createNodeIndex('titles', ['Movie', 'Book'], ['title'], {analyzer: 'english', eventually_consistent: 'true'});\n" +
			"CALL db.index.fulltext.createRelationshipIndex(\"notes\", [\"RATED\"], [\"note\"]);\nCALL db.index.fulltext.drop('notes')",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "titles", node("FULLTEXT", "Movie,Book", "title", "config.fulltext.analyzer", "english", "config.fulltext.eventually_consistent", "true"))}},
		{"IF NOT EXISTS on an equivalent index is a no-op", "CREATE INDEX a FOR (n:A) ON (n.x);\nCREATE INDEX IF NOT EXISTS FOR (n:A) ON (n.x);\nCREATE INDEX a IF NOT EXISTS FOR (n:Other) ON (n.y)",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "a", node("RANGE", "A", "x"))}},
		{"IF NOT EXISTS index where a constraint owns one is a no-op", "CREATE CONSTRAINT c FOR (n:A) REQUIRE n.x IS UNIQUE;\nCREATE INDEX IF NOT EXISTS FOR (n:A) ON (n.x)",
			ParseOptions{}, []snapshot.Object{obj(KindConstraint, "c", node("NODE_PROPERTY_UNIQUENESS", "A", "x"))}},
		{"USE prefix", "USE neo4j CREATE INDEX a FOR (n:A) ON (n.x)",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "a", node("RANGE", "A", "x"))}},
		{"Cypher version and query options", "CYPHER 5 CREATE INDEX a FOR (n:A) ON (n.x);\nCYPHER 25 CREATE CONSTRAINT c FOR (n:C) REQUIRE n.x IS UNIQUE;\n" +
			"CYPHER 5 runtime=slotted planner = cost USE neo4j CREATE TEXT INDEX t FOR (n:T) ON (n.x);\ncypher 4.4 CREATE INDEX ON :Old(x)",
			ParseOptions{}, []snapshot.Object{
				obj(KindConstraint, "c", node("NODE_PROPERTY_UNIQUENESS", "C", "x")),
				obj(KindIndex, "a", node("RANGE", "A", "x")),
				obj(KindIndex, "range (:Old)(x)", node("RANGE", "Old", "x")),
				obj(KindIndex, "t", node("TEXT", "T", "x")),
			}},
		{"vector procedure", "CALL db.index.vector.createNodeIndex('emb', 'Doc', 'embedding', 1536, 'euclidean');\n" +
			"CALL db.index.vector.createNodeIndex('emb2', 'Doc', 'other', 8, 'COSINE') YIELD name",
			ParseOptions{}, []snapshot.Object{
				obj(KindIndex, "emb", node("VECTOR", "Doc", "embedding", "config.vector.dimensions", "1536", "config.vector.similarity_function", "EUCLIDEAN")),
				obj(KindIndex, "emb2", node("VECTOR", "Doc", "other", "config.vector.dimensions", "8")),
			}},
		{"4.x index and constraint procedures", "CALL db.createIndex('i', ['A'], ['x', 'y'], 'native-btree-1.0');\n" +
			"CALL db.createIndex(null, ['B'], ['x'], 'lucene+native-3.0', {`spatial.cartesian.min`: [-10.0, -10.0]});\n" +
			"CALL db.createUniquePropertyConstraint('u', ['C'], ['x'], 'native-btree-1.0');\n" +
			"CALL db.createNodeKey('k', ['D'], ['x', 'y'], 'lucene+native-3.0', {})",
			ParseOptions{ServerVersionNum: 40400}, []snapshot.Object{
				obj(KindConstraint, "k", node("NODE_KEY", "D", "x,y")),
				obj(KindConstraint, "u", node("NODE_PROPERTY_UNIQUENESS", "C", "x")),
				obj(KindIndex, "btree (:B)(x)", node("BTREE", "B", "x", "config.spatial.cartesian.min", "[-10, -10]")),
				obj(KindIndex, "i", node("BTREE", "A", "x,y")),
			}},
		{"4.x index procedure read for a 5.x server", "CALL db.createIndex('i', ['A'], ['x'], 'native-btree-1.0')",
			ParseOptions{}, []snapshot.Object{obj(KindIndex, "i", node("RANGE", "A", "x"))}},
		{"migration tools' own items are left out", "CREATE CONSTRAINT ON (a:SchemaMigration) ASSERT a.version IS UNIQUE;\nCREATE CONSTRAINT unique_version___Neo4jMigration FOR (m:__Neo4jMigration) REQUIRE m.version IS UNIQUE",
			ParseOptions{}, []snapshot.Object{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exp, err := parseOne(t, tc.src, tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.want, exp.Snapshot.Objects)
			require.Empty(t, exp.Skipped)
		})
	}
}

func TestParseSkipsDataStatements(t *testing.T) {
	src := `:begin
CREATE (:Person {name: 'Ann; not the end'});
MATCH (p:Person) SET p.seen = true;
MERGE (c:City {name: "Oslo"});
CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'SET n.x = 1', {});
CALL { MATCH (n) SET n.y = 2 } IN TRANSACTIONS;
UNWIND [1, 2] AS x CREATE (:N {x: x});
CREATE INDEX a FOR (n:A) ON (n.x);
CREATE USER bob SET PASSWORD 'secret';
SHOW INDEXES;
OPTIONAL MATCH (n) RETURN n;
:commit
`
	exp, err := parseOne(t, src, ParseOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, exp.Statements)
	require.Equal(t, []snapshot.Object{obj(KindIndex, "a", node("RANGE", "A", "x"))}, exp.Snapshot.Objects)
	require.Equal(t, []Skipped{
		{File: "V001__test.cypher", Line: 1, Statement: ":begin", Reason: skipCommand},
		{File: "V001__test.cypher", Line: 2, Statement: "CREATE (:Person {name: 'Ann; not the end'})", Reason: skipData},
		{File: "V001__test.cypher", Line: 3, Statement: "MATCH (p:Person) SET p.seen = true", Reason: skipData},
		{File: "V001__test.cypher", Line: 4, Statement: `MERGE (c:City {name: "Oslo"})`, Reason: skipData},
		{File: "V001__test.cypher", Line: 5, Statement: "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'SET n.x = 1', {})", Reason: skipCall},
		{File: "V001__test.cypher", Line: 6, Statement: "CALL { MATCH (n) SET n.y = 2 } IN TRANSACTIONS", Reason: skipData},
		{File: "V001__test.cypher", Line: 7, Statement: "UNWIND [1, 2] AS x CREATE (:N {x: x})", Reason: skipData},
		{File: "V001__test.cypher", Line: 9, Statement: "CREATE USER bob SET PASSWORD 'secret'", Reason: skipAdmin},
		{File: "V001__test.cypher", Line: 10, Statement: "SHOW INDEXES", Reason: skipShow},
		{File: "V001__test.cypher", Line: 11, Statement: "OPTIONAL MATCH (n) RETURN n", Reason: skipData},
		{File: "V001__test.cypher", Line: 12, Statement: ":commit", Reason: skipCommand},
	}, exp.Skipped)
}

func TestParseAppliesFilesInOrder(t *testing.T) {
	files := []File{
		{Name: "V001__a.cypher", Content: []byte("CREATE INDEX a FOR (n:A) ON (n.x);")},
		{Name: "V002__b.cypher", Content: []byte("DROP INDEX a;\nCREATE INDEX a FOR (n:A) ON (n.x, n.y);")},
	}
	exp, err := Parse(files, ParseOptions{})
	require.NoError(t, err)
	require.Equal(t, []snapshot.Object{obj(KindIndex, "a", node("RANGE", "A", "x,y"))}, exp.Snapshot.Objects)
	require.Equal(t, snapshot.SourceMigrations, exp.Snapshot.Source.Kind)
	require.Equal(t, snapshot.EngineNeo4j, exp.Snapshot.Engine)
	require.Equal(t, 3, exp.Statements)

	_, err = Parse([]File{files[1], files[0]}, ParseOptions{})
	require.EqualError(t, err, "V002__b.cypher:1: there is no index named a to drop")
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unparseable statement", "CREATE INDEX a FOR (n:A) ON (n.x);\n\nFOO BAR;", `V001__test.cypher:3: cannot parse statement starting with "FOO"`},
		{"missing ON", "// header\nCREATE INDEX a FOR (n:A) (n.x)", `V001__test.cypher:2: expected ON, found "("`},
		{"error on a later line of a statement", "CREATE INDEX a\nFOR (n:A)\nON (n.x) OPTIONS {indexConfig: $cfg}", "V001__test.cypher:3: parameter $cfg: drift cannot know its value (use a literal, or replay the migrations)"},
		{"parameter as name", "CREATE INDEX $name FOR (n:A) ON (n.x)", "V001__test.cypher:1: name $name is a parameter; drift cannot know its value (use a literal name, or replay the migrations)"},
		{"wrong variable", "CREATE INDEX a FOR (n:A) ON (m.x)", "V001__test.cypher:1: variable m is not the pattern's variable n"},
		{"trailing garbage", "CREATE INDEX a FOR (n:A) ON (n.x) PLEASE", `V001__test.cypher:1: unexpected "PLEASE"`},
		{"unterminated string", "CREATE (:A {x: 'oops});\nCREATE INDEX a FOR (n:A) ON (n.x);", "V001__test.cypher:1: unterminated string"},
		{"unterminated comment", "CREATE INDEX a FOR (n:A) ON (n.x);\n/* never closed\n", "V001__test.cypher:2: unterminated /* comment"},
		{"duplicate name", "CREATE INDEX a FOR (n:A) ON (n.x);\nCREATE TEXT INDEX a FOR (n:B) ON (n.y);", "V001__test.cypher:2: an index named a already exists (created at V001__test.cypher:1)"},
		{"equivalent index", "CREATE INDEX a FOR (n:A) ON (n.x);\nCREATE INDEX b FOR (n:A) ON (n.x);", "V001__test.cypher:2: an equivalent index already exists (created at V001__test.cypher:1)"},
		{"constraint over an index", "CREATE INDEX a FOR (n:A) ON (n.x);\nCREATE CONSTRAINT IF NOT EXISTS FOR (n:A) REQUIRE n.x IS UNIQUE;", "V001__test.cypher:2: an index on (:A) already exists; the node_property_uniqueness constraint cannot be created until it is dropped (created at V001__test.cypher:1)"},
		{"drop index that is a constraint", "CREATE CONSTRAINT c FOR (n:A) REQUIRE n.x IS UNIQUE;\nDROP INDEX c;", "V001__test.cypher:2: c is a constraint, not an index"},
		{"drop missing constraint", "DROP CONSTRAINT nope", "V001__test.cypher:1: there is no constraint named nope to drop"},
		{"drop generated name", "CREATE INDEX FOR (n:A) ON (n.x);\nDROP INDEX index_1a2b3c4d;", "V001__test.cypher:2: index_1a2b3c4d looks like a name Neo4j generated; the static parser cannot tell which unnamed index it is (name your indexes, or replay the migrations on a scratch instance)"},
		{"existence on two properties", "CREATE CONSTRAINT FOR (n:A) REQUIRE (n.x, n.y) IS NOT NULL", "V001__test.cypher:1: an existence or property type constraint takes exactly one property"},
		{"node keyword on a relationship", "CREATE CONSTRAINT FOR ()-[r:R]-() REQUIRE r.x IS NODE UNIQUE", "V001__test.cypher:1: IS NODE ... does not fit a relationship pattern"},
		{"range index on two labels", "CREATE INDEX FOR (n:A|B) ON (n.x)", "V001__test.cypher:1: a range index takes exactly one label or relationship type"},
		{"bad property type", "CREATE CONSTRAINT FOR (n:A) REQUIRE n.x IS :: LIST<STRING", `V001__test.cypher:1: property type "LIST < STRING": missing > after LIST<`},
		{"procedure with a parameter", "CALL db.createIndex($name, ['A'], ['x'], 'native-btree-1.0')", "V001__test.cypher:1: parameter $name: drift cannot know its value (use a literal, or replay the migrations)"},
		{"procedure with too few arguments", "CALL db.index.vector.createNodeIndex('v', 'Doc', 'emb', 128)", "V001__test.cypher:1: db.index.vector.createNodeIndex takes 5 arguments, found 4"},
		{"procedure on two labels", "CALL db.createNodeKey('k', ['A', 'B'], ['x'], 'native-btree-1.0')", "V001__test.cypher:1: db.createNodeKey takes exactly one label, found 2"},
		{"procedure with an unknown provider", "CALL db.createIndex('i', ['A'], ['x'], 'quantum-1.0')", `V001__test.cypher:1: db.createIndex: unknown index provider "quantum-1.0"`},
		{"fulltext procedure without a name", "CALL db.index.fulltext.createNodeIndex(null, ['A'], ['x'])", "V001__test.cypher:1: db.index.fulltext.createNodeIndex needs the name as a string literal"},
		{"USE with a graph function", "USE graph.byName('x') CREATE INDEX a FOR (n:A) ON (n.x)", "V001__test.cypher:1: USE with a graph function (graph.byName(...)) is not supported by the static parser; name the database"},
		{"unreadable :use", ":use my db\nCREATE INDEX a FOR (n:A) ON (n.x)", `V001__test.cypher:1: cannot read the database of ":use my db"`},
		{"graph types", "ALTER CURRENT GRAPH TYPE SET { (:A => {x :: STRING}) }", "V001__test.cypher:1: graph types (ALTER CURRENT GRAPH TYPE) are not supported by the static parser; replay the migrations on a scratch instance instead"},
		{"drop of something else", "DROP THING x", `V001__test.cypher:1: cannot parse DROP "THING"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseOne(t, tc.src, ParseOptions{})
			require.EqualError(t, err, tc.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "V001__test.cypher", pe.File)
		})
	}
}

func TestSplitStatements(t *testing.T) {
	src := "// leading comment; with a semicolon\n" +
		"CREATE (:A {s: 'a;b', t: \"c\\\";d\", `we;ird`: 1});\n" +
		"/* block; comment\n spanning lines */ MATCH (n)\n" +
		"RETURN n // trailing; comment\n;\n" +
		"  ;\n" +
		":use system\n" +
		"CREATE INDEX x FOR (n:`a``b;c`) ON (n.p)"
	stmts, err := splitStatements("f.cypher", []byte(src))
	require.NoError(t, err)
	type got struct {
		line    int
		command bool
		summary string
	}
	var out []got
	for _, s := range stmts {
		out = append(out, got{s.line, s.command, s.summary()})
	}
	require.Equal(t, []got{
		{2, false, "CREATE (:A {s: 'a;b', t: \"c\\\";d\", `we;ird`: 1})"},
		{4, false, "MATCH (n) …"},
		{8, true, ":use system"},
		{9, false, "CREATE INDEX x FOR (n:`a``b;c`) ON (n.p)"},
	}, out)
}

func TestNormalizePropertyType(t *testing.T) {
	cases := map[string]string{
		"string":                                  "STRING",
		"INT | FLOAT":                             "FLOAT | INTEGER",
		"FLOAT|INTEGER|INT":                       "FLOAT | INTEGER",
		"LIST<STRING NOT NULL> | STRING":          "LIST<STRING NOT NULL> | STRING",
		"ANY<BOOL | VARCHAR>":                     "BOOLEAN | STRING",
		"TIMESTAMP WITH TIME ZONE":                "ZONED DATETIME",
		"time without time zone":                  "LOCAL TIME",
		"ARRAY<INT NOT NULL>":                     "LIST<INTEGER NOT NULL>",
		"LIST<FLOAT NOT NULL | INTEGER NOT NULL>": "LIST<FLOAT NOT NULL | INTEGER NOT NULL>",
	}
	for in, want := range cases {
		got, err := normalizePropertyType(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := normalizePropertyType("LIST<")
	require.Error(t, err)
}

func TestIsGeneratedName(t *testing.T) {
	for _, name := range []string{"index_343aff4e", "index_a98908a", "constraint_e4cf7301", "constraint_1"} {
		require.True(t, isGeneratedName(name), name)
	}
	for _, name := range []string{"person_name", "index_person", "index_343AFF4E", "my_index_343aff4e", "index_123456789", "constraint_"} {
		require.False(t, isGeneratedName(name), name)
	}
}

// TestParseRoutesDatabases compares each database with its own target: statements after a
// `:use other` (to the end of the file or the next `:use`) and with a `USE other` clause are
// skipped and said to be for that database; a new file starts in the target database again.
func TestParseRoutesDatabases(t *testing.T) {
	files := []File{
		{Name: "V1__both.cypher", Content: []byte(`CREATE INDEX home FOR (n:Home) ON (n.x);
:use movies;
CREATE INDEX movie_title FOR (m:Movie) ON (m.title);
USE neo4j CREATE INDEX via_clause FOR (n:Clause) ON (n.x);
:USE neo4j
CREATE INDEX back_home FOR (n:Back) ON (n.x);
:use ` + "`movies`" + `
CREATE INDEX movie_year FOR (m:Movie) ON (m.year);
`)},
		{Name: "V2__fresh.cypher", Content: []byte("CREATE INDEX fresh FOR (n:Fresh) ON (n.x);\nUSE Movies CREATE INDEX movie_genre FOR (m:Movie) ON (m.genre)")},
	}
	keys := func(e *Expected) []string {
		var out []string
		for _, o := range e.Snapshot.Objects {
			out = append(out, o.Key.String())
		}
		return out
	}

	exp, err := Parse(files, ParseOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"back_home", "fresh", "home", "via_clause"}, keys(exp))
	require.Equal(t, []Skipped{
		{File: "V1__both.cypher", Line: 3, Statement: "CREATE INDEX movie_title FOR (m:Movie) ON (m.title)", Reason: "for database movies, not neo4j", Database: "movies"},
		{File: "V1__both.cypher", Line: 8, Statement: "CREATE INDEX movie_year FOR (m:Movie) ON (m.year)", Reason: "for database movies, not neo4j", Database: "movies"},
		{File: "V2__fresh.cypher", Line: 2, Statement: "USE Movies CREATE INDEX movie_genre FOR (m:Movie) ON (m.genre)", Reason: "for database Movies, not neo4j", Database: "Movies"},
	}, exp.Skipped)

	// The same set, for a target on the movies database: names compare without case.
	exp, err = Parse(files, ParseOptions{Database: "MOVIES"})
	require.NoError(t, err)
	require.Equal(t, []string{"fresh", "home", "movie_genre", "movie_title", "movie_year"}, keys(exp),
		"statements without a database run in the target database, whichever it is")
	require.Len(t, exp.Skipped, 2)
	require.Equal(t, "neo4j", exp.Skipped[0].Database)
}
