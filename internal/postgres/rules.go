package postgres

import (
	"fmt"
	"slices"
	"strings"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Rules are PostgreSQL's comparison rules: which kinds' absence is critical, which grants and
// functions are dangerous, which names the server generates, which differences are layout
// alone, and how findings read.
type Rules struct{ diff.BaseRules }

var _ diff.Rules = Rules{}

// newKinds are the kinds the catalog writes beyond tables, columns, constraints, indexes, views,
// sequences, functions, triggers, types, policies, privileges and comments: everything else a
// migration can create, and how partitions conform to their parent.
var newKinds = []string{
	"aggregate", "cast", "collation", "default_privilege", "event_trigger", "foreign_server",
	"foreign_table", "partitioning", "publication", "rule", "statistics",
	"text_search_configuration", "text_search_dictionary", "user_mapping",
}

// missingCritical lists the kinds whose absence from the live database is critical: something
// the application, its security or the next migration relies on is gone. Missing indexes and
// statistics objects are only slow.
var missingCritical = map[string]bool{
	"schema": true, "extension": true, "table": true, "column": true, "constraint": true,
	"view": true, "materialized_view": true, "sequence": true, "function": true,
	"procedure": true, "trigger": true, "type": true, "policy": true, "privilege": true,
	"rule": true, "event_trigger": true, "aggregate": true, "cast": true, "collation": true,
	"text_search_configuration": true, "text_search_dictionary": true, "foreign_server": true,
	"foreign_table": true, "user_mapping": true, "publication": true,
	// TimescaleDB: a table that should be a hypertable and is not has lost its partitioning;
	// a missing continuous aggregate is a missing view. Missing retention policies are in
	// timescaleSeverity.
	"hypertable": true, "continuous_aggregate": true,
}

// Severity is the default severity of a finding, by one rule: critical when data is exposed,
// lost or corrupted or a migration will fail; warning when behaviour differs; info when it is
// cosmetic.
//
//	critical  missing schema objects (every kind in missingCritical: the application and later
//	          migrations use them; a hypertable that is a plain table), a missing TimescaleDB
//	          retention policy, and a missing revoke from PUBLIC; a changed column type or
//	          NOT NULL; RLS enabled or forced turned off; an unexpected grant or default
//	          privilege to PUBLIC; an unexpected SECURITY DEFINER function or procedure, one
//	          that became SECURITY DEFINER or runs as another role; an unexpected INSTEAD
//	          rule (writes go elsewhere); an unexpected permissive policy (more rows visible)
//	info      comments; renames of generated names; statistics objects that are unexpected;
//	          renderings of the same definition (Equivalent)
//	warning   everything else: missing or unexpected indexes, invalid indexes, unexpected
//	          tables, columns and others, changed defaults and function bodies, a grant or
//	          default privilege missing or revoked
func (Rules) Severity(f diff.Finding, expected, actual *snapshot.Object) diff.Severity {
	if f.Kind == "comment" {
		return diff.Info
	}
	switch f.Change {
	case diff.Missing:
		if expected != nil && isRevoke(*expected) {
			return diff.Critical // PUBLIC holds what it was meant not to
		}
		if f.Kind == "default_privilege" {
			return diff.Warning // objects created from now on lack a grant
		}
		if expected != nil && missingRetention(*expected) {
			return diff.Critical // the hypertable grows without bound
		}
		if missingCritical[f.Kind] {
			return diff.Critical
		}
	case diff.Unexpected:
		if actual != nil && unexpectedCritical(*actual) {
			return diff.Critical
		}
		if f.Kind == "statistics" {
			return diff.Info
		}
	case diff.Changed:
		return changedSeverity(f, expected, actual)
	}
	return diff.Warning
}

// isRevoke reports a privilege object that records a default privilege taken away.
func isRevoke(o snapshot.Object) bool {
	return (o.Kind == "privilege" || o.Kind == "default_privilege") && o.Attrs.Value("revoked") == "true"
}

func unexpectedCritical(o snapshot.Object) bool {
	switch {
	case o.Kind == "privilege" || o.Kind == "default_privilege":
		return o.Attrs.Value("grantee") == "PUBLIC" && !isRevoke(o)
	case isFunction(o.Kind):
		return o.Attrs.Value("security_definer") == "true"
	case o.Kind == "rule":
		return strings.Contains(o.Attrs.Value("definition"), " DO INSTEAD ")
	case o.Kind == "policy":
		// Permissive policies are OR-ed together: one more lets more rows through.
		return o.Attrs.Value("permissive") == "true"
	}
	return false
}

func changedSeverity(f diff.Finding, e, a *snapshot.Object) diff.Severity {
	if e == nil || a == nil {
		return diff.Warning
	}
	if e.Key != a.Key {
		return diff.Info // a rename of a generated name
	}
	turnedOff := func(name string) bool {
		return slices.Contains(f.Attributes, name) && e.Attrs.Value(name) == "true" && a.Attrs.Value(name) != "true"
	}
	switch {
	case e.Kind == "column" && (slices.Contains(f.Attributes, "type") || slices.Contains(f.Attributes, "not_null")):
		return diff.Critical
	case e.Kind == "table" && (turnedOff("rls_enabled") || turnedOff("rls_forced")):
		return diff.Critical
	case isFunction(e.Kind) && slices.Contains(f.Attributes, "security_definer") && a.Attrs.Value("security_definer") == "true":
		return diff.Critical
	case isFunction(e.Kind) && slices.Contains(f.Attributes, "runs_as") && a.Attrs.Value("security_definer") == "true":
		return diff.Critical
	}
	return diff.Warning
}

func isFunction(kind string) bool { return kind == "function" || kind == "procedure" }

// codeKinds are the kinds whose definition is text as written (function bodies) or laid out
// by a deparser that may change layout (views): whitespace there is layout.
var codeKinds = map[string]bool{"function": true, "procedure": true, "view": true, "materialized_view": true}

// expressionAttrs are the attributes the server renders from a stored expression, where the
// same stored meaning can come out with casts and parentheses in other places depending on
// how it was written (kind "" matches every kind).
var expressionAttrs = map[[2]string]bool{
	{"constraint", "definition"}: true, {"column", "default"}: true, {"column", "generated"}: true,
	{"type", "default"}: true, {"policy", "using"}: true, {"policy", "with_check"}: true,
	{"index", "definition"}: true, {"table", "partition_bound"}: true, {"trigger", "definition"}: true,
	{"rule", "definition"}: true, {"view", "definition"}: true, {"materialized_view", "definition"}: true,
	{"publication", "tables"}: true, {"statistics", "definition"}: true, {"foreign_table", "columns"}: true,
	{"table", "partition_key"}: true,
	// A routine's definition holds its argument defaults (and a BEGIN ATOMIC body), rendered
	// from stored expressions; a body in quotes is one literal, compared as written.
	{"function", "definition"}: true, {"procedure", "definition"}: true,
}

// Equivalent reports definitions that differ in rendering alone:
//
//   - function bodies and view text that differ only in whitespace outside string literals,
//     a trailing newline included ("whitespace only"; "a+b" and "a + b" are the same tokens);
//   - expressions that are the same once the server's casts, IN and = ANY, redundant
//     parentheses and the spelling of numbers are normalized ("same expression, rendered
//     differently"), such as a CHECK (c IN ('a', 'b')) on a varchar column and its pg_dump, or
//     DEFAULT '2'::bigint and DEFAULT 2.
func (Rules) Equivalent(kind, attr, expected, actual string) (string, bool) {
	if attr == "definition" && codeKinds[kind] && sameCode(expected, actual) {
		return "whitespace only", true
	}
	if expressionAttrs[[2]string{kind, attr}] && sameExpression(expected, actual) {
		return "same expression, rendered differently", true
	}
	return "", false
}

// RenameSignature: PostgreSQL generates the names of constraints and indexes (t_col_key,
// t_check1, t_col_idx), so they can differ between two databases built from the same
// migrations. The signature is the object without its name.
func (Rules) RenameSignature(o snapshot.Object) (string, bool) {
	switch o.Kind {
	case "constraint":
	case "index":
		if def, ok := o.Attrs.Get("definition"); ok {
			o.Attrs = o.Attrs.Clone()
			o.Attrs.Set("definition", indexDefWithoutName(def))
		}
	default:
		return "", false
	}
	return o.Definition(), true
}

// indexDefWithoutName replaces the index name in a pg_get_indexdef rendering
// ("CREATE [UNIQUE] INDEX name ON ...") with a placeholder.
func indexDefWithoutName(def string) string {
	rest, prefix := def, ""
	for _, p := range []string{"CREATE UNIQUE INDEX ", "CREATE INDEX "} {
		if strings.HasPrefix(def, p) {
			prefix, rest = p, def[len(p):]
			break
		}
	}
	if prefix == "" {
		return def
	}
	end := nameEnd(rest)
	return prefix + "<name>" + rest[end:]
}

// nameEnd returns the length of the identifier at the start of s, which is either a bare word
// or a double-quoted identifier with "" escapes.
func nameEnd(s string) int {
	if !strings.HasPrefix(s, `"`) {
		if i := strings.IndexByte(s, ' '); i >= 0 {
			return i
		}
		return len(s)
	}
	for i := 1; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '"' {
			i++
			continue
		}
		return i + 1
	}
	return len(s)
}

// Subject names grants, default privileges and comments by what they are about: "SELECT to
// PUBLIC on public.profiles", "default SELECT to PUBLIC on tables created by app in schema
// public", "comment on table public.users".
func (r Rules) Subject(o snapshot.Object) string {
	switch o.Kind {
	case "privilege":
		priv, grantee, on := o.Attrs.Value("privilege"), o.Attrs.Value("grantee"), o.Attrs.Value("on")
		if priv != "" && grantee != "" && on != "" {
			return fmt.Sprintf("%s to %s on %s", priv, grantee, on)
		}
	case "default_privilege":
		priv, grantee, on, role := o.Attrs.Value("privilege"), o.Attrs.Value("grantee"), o.Attrs.Value("on"), o.Attrs.Value("for_role")
		if priv != "" && grantee != "" && on != "" && role != "" {
			s := fmt.Sprintf("default %s to %s on %s created by %s", priv, grantee, on, role)
			if in := o.Attrs.Value("in_schema"); in != "" {
				s += " in schema " + in
			}
			return s
		}
	case "job":
		return jobSubject(o)
	case "comment":
		if on := o.Attrs.Value("on_kind"); on != "" {
			return fmt.Sprintf("comment on %s %s", r.KindLabel(on), o.Key)
		}
		return "comment on " + o.Key.String()
	}
	return r.BaseRules.Subject(o)
}

// Unmatched says a grant was granted or revoked, and flags a new SECURITY DEFINER function.
// A revoke of a privilege PostgreSQL gives by default reads the other way round: missing, it
// means PUBLIC still holds the privilege.
func (r Rules) Unmatched(o snapshot.Object, change diff.Change) string {
	isGrant := o.Kind == "privilege" || o.Kind == "default_privilege"
	switch {
	case isGrant && isRevoke(o) && change == diff.Missing:
		return r.Subject(o) + " was expected to be revoked but is still given"
	case isGrant && isRevoke(o):
		return r.Subject(o) + " was revoked"
	case isGrant && change == diff.Missing:
		return r.Subject(o) + " was revoked"
	case isGrant:
		return r.Subject(o) + " was granted"
	case o.Kind == "hypertable" && change == diff.Missing:
		return o.Key.String() + " is not a hypertable"
	case o.Kind == "hypertable":
		return o.Key.String() + " is a hypertable, expected a plain table"
	case change == diff.Unexpected && isFunction(o.Kind) && o.Attrs.Value("security_definer") == "true":
		return r.Subject(o) + " is unexpected (SECURITY DEFINER)"
	case change == diff.Missing:
		return r.Subject(o) + " is missing"
	}
	return r.Subject(o) + " is unexpected"
}

// Phrase words the changes whose meaning is not "from x to y": RLS, validity, SECURITY DEFINER,
// NOT NULL, grant options, comment text.
func (Rules) Phrase(e, a snapshot.Object, name string) (diff.Phrase, bool) {
	eTrue, aTrue := e.Attrs.Value(name) == "true", a.Attrs.Value(name) == "true"
	switch {
	case e.Kind == "table" && name == "rls_enabled":
		text := "RLS was enabled"
		if eTrue && !aTrue {
			text = "RLS was disabled"
		}
		return diff.Phrase{Text: text, Alone: text + " on " + e.Key.String()}, true
	case e.Kind == "table" && name == "rls_forced":
		text := "RLS is now forced"
		if eTrue && !aTrue {
			text = "RLS is no longer forced"
		}
		return diff.Phrase{Text: text, Alone: text + " on " + e.Key.String()}, true
	case e.Kind == "index" && name == "valid":
		if eTrue && !aTrue {
			return diff.Phrase{Text: "is INVALID (left by a failed CREATE INDEX CONCURRENTLY)", Predicate: true}, true
		}
		return diff.Phrase{Text: "is valid but expected to be INVALID", Predicate: true}, true
	case isFunction(e.Kind) && name == "security_definer":
		if aTrue {
			return diff.Phrase{Text: "became SECURITY DEFINER", Predicate: true}, true
		}
		return diff.Phrase{Text: "is no longer SECURITY DEFINER", Predicate: true}, true
	case e.Kind == "column" && name == "not_null":
		if aTrue {
			return diff.Phrase{Text: "NOT NULL was added"}, true
		}
		return diff.Phrase{Text: "NOT NULL was dropped"}, true
	case (e.Kind == "hypertable" || e.Kind == "continuous_aggregate") && name == "compression_enabled":
		text := "compression was turned on"
		if eTrue && !aTrue {
			text = "compression was turned off"
		}
		return diff.Phrase{Text: text, Alone: text + " on " + e.Key.String()}, true
	case e.Kind == "comment" && name == "text":
		return diff.Phrase{Text: "text changed"}, true // comments are prose: the diff shows them better
	case e.Kind == "privilege" && name == "grantable":
		if aTrue {
			return diff.Phrase{Text: "is now grantable (WITH GRANT OPTION)", Predicate: true}, true
		}
		return diff.Phrase{Text: "is no longer grantable", Predicate: true}, true
	}
	return diff.Phrase{}, false
}
