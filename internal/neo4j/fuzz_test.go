package neo4j

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParse feeds arbitrary files to the statement splitter and the parser (as Cypher and as
// an XML catalog migration). Whatever the input, they must not panic; an input they reject is
// a *ParseError naming the file and a line of it; an input they accept gives a snapshot that
// normalizes. Run longer with: go test -run '^$' -fuzz FuzzParse ./internal/neo4j/
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"CREATE INDEX a FOR (n:A) ON (n.x);",
		"CYPHER 5 runtime=slotted USE neo4j CREATE TEXT INDEX t IF NOT EXISTS FOR ()-[r:R]-() ON (r.x)",
		":use movies;\nCREATE CONSTRAINT c FOR (n:C) REQUIRE (n.a, n.b) IS NODE KEY OPTIONS {indexConfig: {}};",
		"CALL db.index.vector.createNodeIndex('v', 'Doc', 'emb', 1536, 'cosine') YIELD name",
		"CALL db.createIndex(null, ['B'], ['x'], 'lucene+native-3.0', {`spatial.cartesian.min`: [-1.5e3, -10]})",
		"CREATE CONSTRAINT ON (p:P) ASSERT exists(p.x); DROP INDEX ON :A(x)",
		"CREATE CONSTRAINT FOR (n:A) REQUIRE n.x IS :: LIST<INTEGER NOT NULL> | STRING",
		"/* c */ // d\n'unterminated",
		"`weird``name` \"str\\\"ing\" $param 1.5e-3 :: <> {a: [1, {b: null}]}",
		`<migration><catalog><indexes><index name="i" type="text"><label>A</label><properties><property>x</property></properties></index></indexes></catalog><create item="i"/><apply/></migration>`,
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, content string, xml bool) {
		name := "V1__fuzz.cypher"
		if xml {
			name = "V1__fuzz.xml"
		}
		lines := strings.Count(content, "\n") + 1
		if !xml {
			stmts, err := splitStatements(name, []byte(content))
			if err == nil {
				for _, st := range stmts {
					require.GreaterOrEqual(t, st.line, 1)
					require.LessOrEqual(t, st.line, lines)
					_, _ = classify(st, "RANGE")
					_, _ = useClause(st)
					_, _, _ = useCommand(st)
				}
			}
		}
		for _, target := range []string{"", "movies"} {
			exp, err := Parse([]File{{Name: name, Content: []byte(content)}}, ParseOptions{Database: target})
			if err != nil {
				var pe *ParseError
				require.True(t, errors.As(err, &pe), "not a ParseError: %v", err)
				require.Equal(t, name, pe.File)
				require.GreaterOrEqual(t, pe.Line, 1)
				require.LessOrEqual(t, pe.Line, lines)
				continue
			}
			require.NotNil(t, exp.Snapshot)
			require.NoError(t, exp.Snapshot.Normalize())
		}
	})
}

// TestParseRejectsGarbage: text that is not Cypher (binary, prose, broken DDL) is an error
// naming the file and line, never a silently empty expected schema.
func TestParseRejectsGarbage(t *testing.T) {
	for _, garbage := range []string{
		"\x00\x01\x02\xff\xfe",
		"Lorem ipsum dolor sit amet;",
		"CREATE INDEX (((;",
		"CREATE CONSTRAINT FOR (n:A) REQUIRE;",
		"DROP;",
		"CALL db.createIndex('i', ['A'], ['x'], 'native-btree-1.0'",
		"CYPHER 5 CREATE INDEX FOR ON;",
		"USE;",
		"}{",
		"CREATE INDEX a FOR (n:A) ON (n.x) OPTIONS {indexConfig: {a: }}",
	} {
		_, err := Parse([]File{{Name: "V1__garbage.cypher", Content: []byte(garbage)}}, ParseOptions{})
		var pe *ParseError
		require.ErrorAs(t, err, &pe, "%q", garbage)
		require.Equal(t, "V1__garbage.cypher", pe.File)
	}
	for _, garbage := range []string{"", "not xml", "<html><body/></html>", "<migration><frobnicate/></migration>"} {
		_, err := Parse([]File{{Name: "V1__garbage.xml", Content: []byte(garbage)}}, ParseOptions{})
		require.Error(t, err, "%q", garbage)
	}
}
