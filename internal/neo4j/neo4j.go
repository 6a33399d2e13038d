// Package neo4j reads the schema of a Neo4j database (indexes and constraints) into drift's
// engine-neutral snapshot, and builds the expected schema from a set of `.cypher` migrations,
// either by parsing their schema statements (Parse) or by running them on a scratch instance
// (Replay).
//
// Both sides go through the same item model, so a live database and its migrations compare
// equal exactly when they hold the same indexes and constraints:
//
//   - An item is keyed by its name when the user gave it one, and by its content when Neo4j
//     generated the name (index_1a2b3c4d, constraint_1a2b3c4d), so a generated name, which
//     depends on the server's history, never causes drift.
//   - LOOKUP indexes (created by Neo4j itself), indexes owned by a constraint (the constraint is
//     the object), and what migration tools create for their own bookkeeping (golang-migrate's
//     SchemaMigration label, neo4j-migrations' __Neo4jMigration* labels) are left out.
//   - Volatile state (id, state, populationPercent, lastRead, readCount, trackedSince) is never
//     compared. An index that is not ONLINE is reported as a health finding next to the
//     snapshot, not as drift: its definition is the one the migrations asked for.
//   - Index settings are compared only for the settings a user chooses (the fulltext analyzer,
//     vector dimensions and similarity, point index bounds, ...) and only where they differ from
//     Neo4j's default, so the defaults a newer server fills in never read as drift. The index
//     provider is not compared: it is chosen by the server version, not by the migrations.
//
// # Vocabulary
//
// Kinds are KindIndex ("neo4j_index") and KindConstraint ("neo4j_constraint"). Keys:
//
//	named item:      its name                         e.g. person_name
//	generated name:  TYPE PATTERN(PROPERTIES)         e.g. range (:Person)(name)
//	                                                       fulltext (:Movie|Book)(title,plot)
//	                                                       unique ()-[:OWNS]-()(a,b)
//
// where TYPE is the lower-case index type, or for constraints one of unique, key, exists,
// type (property type), label (label existence) or the lower-case constraint type.
//
// Relationship patterns are written ()-[:TYPE]-() whatever direction a statement used: Neo4j
// indexes and constraints have none.
//
// Attributes (values are strings; an attribute that does not apply is omitted):
//
//	| attribute       | on               | value                                                  |
//	|-----------------|------------------|--------------------------------------------------------|
//	| type            | index            | RANGE, TEXT, POINT, FULLTEXT, VECTOR, BTREE (4.x)       |
//	| type            | constraint       | the Cypher 25 name: NODE_PROPERTY_UNIQUENESS,           |
//	|                 |                  | RELATIONSHIP_PROPERTY_UNIQUENESS, NODE_KEY,             |
//	|                 |                  | RELATIONSHIP_KEY, NODE_PROPERTY_EXISTENCE,              |
//	|                 |                  | RELATIONSHIP_PROPERTY_EXISTENCE, NODE_PROPERTY_TYPE,    |
//	|                 |                  | RELATIONSHIP_PROPERTY_TYPE, ...; Cypher 5's UNIQUENESS  |
//	|                 |                  | and RELATIONSHIP_UNIQUENESS are renamed to these        |
//	| entity_type     | both             | NODE or RELATIONSHIP                                    |
//	| labels_or_types | both             | comma-joined labels or relationship types, in the order |
//	|                 |                  | given (Neo4j keeps fulltext indexes on A|B and B|A      |
//	|                 |                  | apart, so drift does too)                               |
//	| properties      | both             | comma-joined property names, in index order             |
//	| config.<key>    | index            | an indexConfig setting that differs from Neo4j's        |
//	|                 |                  | default: config.fulltext.analyzer = english,            |
//	|                 |                  | config.vector.dimensions = 1536,                        |
//	|                 |                  | config.vector.similarity_function = EUCLIDEAN,          |
//	|                 |                  | config.spatial.cartesian.min = [-100, -100]             |
//	| property_type   | property type    | normalized: upper case, synonyms folded (INT ->         |
//	|                 | constraint       | INTEGER, BOOL -> BOOLEAN, ...), union members sorted    |
//	|                 |                  | (FLOAT | INTEGER)                                       |
//	| enforced_label  | label constraint | the label a 2025.x label-existence constraint requires |
//
// The compared indexConfig settings are listed in configDefaults.
package neo4j

// Object kinds in snapshots and findings.
const (
	KindIndex      = "neo4j_index"
	KindConstraint = "neo4j_constraint"
)

// Attribute names of neo4j_index and neo4j_constraint objects (see the package documentation).
const (
	AttrType          = "type"
	AttrEntityType    = "entity_type"
	AttrLabelsOrTypes = "labels_or_types"
	AttrProperties    = "properties"
	AttrPropertyType  = "property_type"
	AttrEnforcedLabel = "enforced_label"
	// AttrConfigPrefix prefixes indexConfig settings: "config.fulltext.analyzer".
	AttrConfigPrefix = "config."
)
