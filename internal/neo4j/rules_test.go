package neo4j

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

func ruleItem(kind, key string, kv ...string) snapshot.Object {
	return snapshot.Object{Kind: kind, Key: snapshot.Named(key), Attrs: snapshot.NewAttrs(kv...)}
}

// TestRules: a missing constraint is critical, missing and unexpected indexes are warnings,
// and findings name Neo4j's kinds the way people say them.
func TestRules(t *testing.T) {
	exp := snapshot.New(snapshot.EngineNeo4j)
	act := snapshot.New(snapshot.EngineNeo4j)
	for _, o := range []snapshot.Object{ruleItem("neo4j_constraint", "person_id", "type", "UNIQUENESS"), ruleItem("neo4j_index", "person_name", "type", "RANGE"), ruleItem("neo4j_index", "city_name", "type", "RANGE")} {
		exp.Add(o)
	}
	for _, o := range []snapshot.Object{ruleItem("neo4j_constraint", "order_id", "type", "UNIQUENESS", "labels_or_types", "Order"), ruleItem("neo4j_index", "movie_title", "type", "TEXT"), ruleItem("neo4j_index", "city_name", "type", "TEXT")} {
		act.Add(o)
	}
	type brief struct {
		Kind, Object string
		Change       diff.Change
		Severity     diff.Severity
		Summary      string
	}
	var got []brief
	for _, f := range diff.Compare(exp, act, diff.Options{Rules: Rules{}}) {
		got = append(got, brief{f.Kind, f.Object, f.Change, f.Severity, f.Summary})
	}
	require.Equal(t, []brief{
		{"neo4j_constraint", "order_id", diff.Unexpected, diff.Warning, "Neo4j constraint order_id is unexpected"},
		{"neo4j_constraint", "person_id", diff.Missing, diff.Critical, "Neo4j constraint person_id is missing"},
		{"neo4j_index", "city_name", diff.Changed, diff.Warning, "Neo4j index city_name: type changed from RANGE to TEXT"},
		{"neo4j_index", "movie_title", diff.Unexpected, diff.Warning, "Neo4j index movie_title is unexpected"},
		{"neo4j_index", "person_name", diff.Missing, diff.Warning, "Neo4j index person_name is missing"},
	}, got)
}

// TestRulesPairSameItemUnderAnotherName: an item whose only difference is its name is one
// finding, not a missing and an unexpected one: info when either name was generated (the live
// side keys such an item by content), a warning when users chose both names.
func TestRulesPairSameItemUnderAnotherName(t *testing.T) {
	unique := node("NODE_PROPERTY_UNIQUENESS", "Person", "id")
	rangeIdx := node("RANGE", "Person", "name")
	text := node("TEXT", "Person", "bio")
	exp := snapshot.New(snapshot.EngineNeo4j)
	exp.Add(obj(KindConstraint, "person_id", unique))
	exp.Add(obj(KindIndex, "person_name", rangeIdx))
	exp.Add(obj(KindIndex, "text (:Person)(bio)", text))
	act := snapshot.New(snapshot.EngineNeo4j)
	act.Add(obj(KindConstraint, "unique (:Person)(id)", unique)) // created without a name
	act.Add(obj(KindIndex, "people_name", rangeIdx))             // another user's name
	act.Add(obj(KindIndex, "bio_text", text))                    // named by hand, unnamed in the migrations
	type brief struct {
		Object   string
		Change   diff.Change
		Severity diff.Severity
		Summary  string
	}
	var got []brief
	for _, f := range diff.Compare(exp, act, diff.Options{Rules: Rules{}}) {
		got = append(got, brief{f.Object, f.Change, f.Severity, f.Summary})
	}
	require.Equal(t, []brief{
		{"person_id", diff.Changed, diff.Info, "Neo4j constraint person_id renamed from person_id to unique (:Person)(id)"},
		{"person_name", diff.Changed, diff.Warning, "Neo4j index person_name renamed from person_name to people_name"},
		{"text (:Person)(bio)", diff.Changed, diff.Info, "Neo4j index text (:Person)(bio) renamed from text (:Person)(bio) to bio_text"},
	}, got)
}
