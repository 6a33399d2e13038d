package fixsql

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// quoteIdent quotes an identifier the way PostgreSQL's quote_ident does: left bare when it is
// lower-case letters, digits and underscores, does not start with a digit and is not a keyword
// the grammar reserves in some position; otherwise in double quotes, with "" for a quote. The
// server's deparsers quote the same way, so a name written here reads exactly as it does in the
// definitions drift compares.
func quoteIdent(s string) string {
	if safeIdent(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func safeIdent(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') || s[0] == '$' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return !reservedWords[s]
}

// reservedWords are the keywords quote_ident quotes: every keyword that is not unreserved
// (pg_get_keywords() catcode <> 'U' on PostgreSQL 15), plus those later majors added (the SQL/JSON
// functions of 16 and 17, SYSTEM_USER, MERGE_ACTION). Quoting a word that a server would leave
// bare is harmless; the list only has to be a superset.
var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric authorization
		between bigint binary bit boolean both case cast char character check coalesce collate
		collation column concurrently constraint create cross current_catalog current_date
		current_role current_schema current_time current_timestamp current_user dec decimal default
		deferrable desc distinct do else end except exists extract false fetch float for foreign
		freeze from full grant greatest group grouping having ilike in initially inner inout int
		integer intersect interval into is isnull join lateral leading least left like limit
		localtime localtimestamp national natural nchar none normalize not notnull null nullif
		numeric offset on only or order out outer overlaps overlay placing position precision
		primary real references returning right row select session_user setof similar smallint
		some substring symmetric table tablesample then time timestamp to trailing treat trim true
		union unique user using values varchar variadic verbose when where window with
		xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot
		xmlserialize xmltable
		json json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar
		json_serialize json_table json_value merge_action system_user`) {
		m[w] = true
	}
	return m
}()

// quoteLiteral quotes a string constant the way quote_literal does: in single quotes, a quote
// doubled, and as an escape string (E'…') with doubled backslashes when it holds one, so it
// reads the same whatever standard_conforming_strings says.
func quoteLiteral(s string) string {
	if strings.Contains(s, `\`) {
		return `E'` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `''`) + `'`
	}
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

// qualified renders schema.name, each part quoted as needed; a name in no schema alone.
func qualified(schema, name string) string {
	if schema == "" {
		return quoteIdent(name)
	}
	return quoteIdent(schema) + "." + quoteIdent(name)
}

// relName renders the schema-qualified name of the relation, type or sequence a key names.
func relName(k snapshot.Key) string { return qualified(k.Schema(), k.Name()) }

// routineName renders a function or procedure key ("touch(bigint)") as a signature:
// app.touch(bigint). The argument types are already rendered by format_type, quoted as needed.
func routineName(k snapshot.Key) string {
	name, args := splitRoutine(k.Name())
	return qualified(k.Schema(), name) + args
}

// splitRoutine splits "touch(bigint, text)" into "touch" and "(bigint, text)".
func splitRoutine(name string) (string, string) {
	if i := strings.IndexByte(name, '('); i >= 0 && strings.HasSuffix(name, ")") {
		return name[:i], name[i:]
	}
	return name, "()"
}
