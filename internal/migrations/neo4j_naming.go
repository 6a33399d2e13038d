package migrations

import (
	"path"
	"regexp"
	"strings"
)

// The names neo4j-migrations (github.com/michael-simons/neo4j-migrations) gives files beyond
// Flyway's V1__desc.cypher, which the Flyway patterns already read:
//
//   - lifecycle callbacks, named for their phase alone or with a description:
//     beforeMigrate.cypher, afterMigrate__seed_data.cypher;
//   - repeatable migrations, which carry a version: R1_2__refresh_views.cypher;
//   - catalog-based migrations in the tool's XML format: V010__create_indexes.xml.
//
// Callbacks are not part of the versioned chain: they are kept in Set.Callbacks, and the engine
// decides which phases count for the expected schema.

// Callback marks a neo4j-migrations lifecycle callback: run around a command, never recorded
// as applied, never versioned.
const Callback Kind = "callback"

// CallbackPhases are neo4j-migrations' lifecycle phases, in the order they run around a
// migrate: beforeFirstUse (once, in the schema database), beforeMigrate, afterMigrate; then the
// phases of the other commands (clean, validate, info). Names are case-sensitive, as in the tool.
var CallbackPhases = []string{
	"beforeFirstUse", "beforeMigrate", "afterMigrate",
	"beforeClean", "afterClean", "beforeValidate", "afterValidate", "beforeInfo", "afterInfo",
}

var (
	callbackName   = regexp.MustCompile(`^([A-Za-z]+)(?:__(.*))?\.cypher$`)
	repeatableName = regexp.MustCompile(`^R(\d+(?:[._]\d+)*)__(.*)\.cypher$`)
	catalogName    = regexp.MustCompile(`^([VR])(\d+(?:[._]\d+)*)__(.*)\.xml$`)
)

// parseNeo4jMigrationsName reads the names only neo4j-migrations uses. Catalog migrations are
// in the Cypher language: they describe Neo4j schema, and share a folder with .cypher files.
func parseNeo4jMigrationsName(base string) (parsed, bool) {
	if m := repeatableName.FindStringSubmatch(base); m != nil {
		return parsed{convention: Flyway, version: strings.ReplaceAll(m[1], "_", "."), description: words(m[2]), kind: Repeatable, language: LanguageCypher}, true
	}
	if m := catalogName.FindStringSubmatch(base); m != nil {
		kind := Versioned
		if m[1] == "R" {
			kind = Repeatable
		}
		return parsed{convention: Flyway, version: strings.ReplaceAll(m[2], "_", "."), description: words(m[3]), kind: kind, language: LanguageCypher}, true
	}
	if m := callbackName.FindStringSubmatch(base); m != nil && isCallbackPhase(m[1]) {
		return parsed{description: words(m[2]), kind: Callback, language: LanguageCypher}, true
	}
	return parsed{}, false
}

func isCallbackPhase(s string) bool {
	for _, p := range CallbackPhases {
		if p == s {
			return true
		}
	}
	return false
}

// CallbackPhase returns the lifecycle phase a callback file is for ("afterMigrate" for
// afterMigrate__seed.cypher), or "" when the file is not a callback.
func CallbackPhase(file string) string {
	m := callbackName.FindStringSubmatch(path.Base(file))
	if m == nil || !isCallbackPhase(m[1]) {
		return ""
	}
	return m[1]
}

// IsCatalogMigration reports whether a migration file is a neo4j-migrations catalog migration
// (XML) rather than a Cypher script.
func IsCatalogMigration(file string) bool { return catalogName.MatchString(path.Base(file)) }
