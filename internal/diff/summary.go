package diff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// definitionText renders an object for the Expected/Actual fields. When the server rendered a
// definition, that comes first, verbatim; the other attributes follow as "name: value" lines
// in name order. Excluded attributes are left out.
func definitionText(o snapshot.Object, exclude []string) string {
	var b strings.Builder
	if def, ok := o.Attrs.Get("definition"); ok {
		b.WriteString(def)
	}
	for _, a := range o.Attrs { // sorted by name
		if a.Name == "definition" || slices.Contains(exclude, a.Name) {
			continue
		}
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
		b.WriteString(a.Name)
		b.WriteString(": ")
		b.WriteString(a.Value)
	}
	return b.String()
}

// KindLabel renders a kind for people: "materialized view", "Neo4j index".
func KindLabel(kind string) string {
	label := strings.ReplaceAll(kind, "_", " ")
	if strings.HasPrefix(label, "neo4j ") {
		label = "Neo4j " + strings.TrimPrefix(label, "neo4j ")
	}
	return label
}

// pluralLabel renders "3 columns", "1 index", "2 policies".
func pluralLabel(kind string, n int) string {
	label := KindLabel(kind)
	if n != 1 {
		switch {
		case strings.HasSuffix(label, "x"):
			label += "es"
		case strings.HasSuffix(label, "y"):
			label = strings.TrimSuffix(label, "y") + "ies"
		default:
			label += "s"
		}
	}
	return fmt.Sprintf("%d %s", n, label)
}

// subject names an object the way a sentence about it starts: "column public.users.email",
// "SELECT to PUBLIC on public.profiles", "comment on table public.users".
func subject(o snapshot.Object) string {
	switch o.Kind {
	case "privilege":
		priv, grantee, on := o.Attrs.Value("privilege"), o.Attrs.Value("grantee"), o.Attrs.Value("on")
		if priv != "" && grantee != "" && on != "" {
			return fmt.Sprintf("%s to %s on %s", priv, grantee, on)
		}
	case "comment":
		if on := o.Attrs.Value("on_kind"); on != "" {
			return fmt.Sprintf("comment on %s %s", KindLabel(on), o.Key)
		}
		return "comment on " + o.Key
	}
	return KindLabel(o.Kind) + " " + o.Key
}

// unmatchedSummary describes a missing or unexpected object and what was folded into it.
func unmatchedSummary(o snapshot.Object, change Change, folded []snapshot.ID) string {
	var s string
	switch {
	case o.Kind == "privilege" && change == Missing:
		s = subject(o) + " was revoked"
	case o.Kind == "privilege":
		s = subject(o) + " was granted"
	case change == Missing:
		s = subject(o) + " is missing"
	default:
		s = subject(o) + " is unexpected"
		if isFunction(o.Kind) && o.Attrs.Value("security_definer") == "true" {
			s += " (SECURITY DEFINER)"
		}
	}
	if len(folded) == 0 {
		return s
	}
	counts := map[string]int{}
	var kinds []string
	for _, id := range folded {
		if counts[id.Kind] == 0 {
			kinds = append(kinds, id.Kind)
		}
		counts[id.Kind]++
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = pluralLabel(k, counts[k])
	}
	return s + " (with " + strings.Join(parts, ", ") + ")"
}

func isFunction(kind string) bool { return kind == "function" || kind == "procedure" }

// whitespaceKinds are the kinds whose definition text may differ in layout alone: function
// bodies are stored as written, and view text can differ in layout between deparser versions.
// Other kinds are deparsed from the catalog, where a whitespace difference can only come from
// inside a literal and is therefore real.
var whitespaceKinds = map[string]bool{"function": true, "procedure": true, "view": true, "materialized_view": true}

// whitespaceOnly reports whether the only difference between e and a is the layout of the
// definition of a kind listed in whitespaceKinds. Runs of whitespace are compared as one
// space, so "a  b" and "a\n\tb" are equal but "a+b" and "a + b" are not (telling those apart
// safely needs a tokenizer, and a false "whitespace only" would hide drift).
func whitespaceOnly(e, a *snapshot.Object, changed []string) bool {
	if e == nil || a == nil || !whitespaceKinds[e.Kind] || len(changed) != 1 || changed[0] != "definition" {
		return false
	}
	ev, eok := e.Attrs.Get("definition")
	av, aok := a.Attrs.Get("definition")
	return eok && aok && ev != av && strings.Join(strings.Fields(ev), " ") == strings.Join(strings.Fields(av), " ")
}

// phrase is what one changed attribute contributes to a summary. A predicate reads after the
// subject ("index X is INVALID"); other phrases after a colon ("column X: type changed ...").
type phrase struct {
	text      string
	predicate bool
}

// changedSummary describes an object present on both sides with the given changed attributes.
func changedSummary(e, a snapshot.Object, changed []string) string {
	if whitespaceOnly(&e, &a, changed) {
		return subject(e) + ": definition differs in whitespace only"
	}
	if e.Kind == "table" && len(changed) == 1 && (changed[0] == "rls_enabled" || changed[0] == "rls_forced") {
		return attrPhrase(e, a, changed[0]).text + " on " + e.Key
	}
	phrases := make([]phrase, len(changed))
	for i, name := range changed {
		phrases[i] = attrPhrase(e, a, name)
	}
	if len(phrases) == 1 && phrases[0].predicate {
		return subject(e) + " " + phrases[0].text
	}
	texts := make([]string, len(phrases))
	for i, p := range phrases {
		texts[i] = p.text
	}
	return subject(e) + ": " + strings.Join(texts, "; ")
}

// attrPhrase describes one changed attribute.
func attrPhrase(e, a snapshot.Object, name string) phrase {
	ev, eok := e.Attrs.Get(name)
	av, aok := a.Attrs.Get(name)
	eTrue, aTrue := ev == "true", av == "true"
	switch {
	case e.Kind == "table" && name == "rls_enabled":
		if eTrue && !aTrue {
			return phrase{text: "RLS was disabled"}
		}
		return phrase{text: "RLS was enabled"}
	case e.Kind == "table" && name == "rls_forced":
		if eTrue && !aTrue {
			return phrase{text: "RLS is no longer forced"}
		}
		return phrase{text: "RLS is now forced"}
	case e.Kind == "index" && name == "valid":
		if eTrue && !aTrue {
			return phrase{text: "is INVALID (left by a failed CREATE INDEX CONCURRENTLY)", predicate: true}
		}
		return phrase{text: "is valid but expected to be INVALID", predicate: true}
	case isFunction(e.Kind) && name == "security_definer":
		if aTrue {
			return phrase{text: "became SECURITY DEFINER", predicate: true}
		}
		return phrase{text: "is no longer SECURITY DEFINER", predicate: true}
	case e.Kind == "column" && name == "not_null":
		if aTrue {
			return phrase{text: "NOT NULL was added"}
		}
		return phrase{text: "NOT NULL was dropped"}
	case e.Kind == "comment" && name == "text":
		return phrase{text: "text changed"} // comments are prose: the diff shows them better
	case e.Kind == "privilege" && name == "grantable":
		if aTrue {
			return phrase{text: "is now grantable (WITH GRANT OPTION)", predicate: true}
		}
		return phrase{text: "is no longer grantable", predicate: true}
	}
	switch {
	case !eok:
		if !inlineable(av) {
			return phrase{text: name + " was added"}
		}
		return phrase{text: fmt.Sprintf("%s set to %s", name, shown(av))}
	case !aok:
		if !inlineable(ev) {
			return phrase{text: name + " was removed"}
		}
		return phrase{text: fmt.Sprintf("%s removed (was %s)", name, shown(ev))}
	case !inlineable(ev) || !inlineable(av):
		return phrase{text: name + " changed"}
	}
	return phrase{text: fmt.Sprintf("%s changed from %s to %s", name, shown(ev), shown(av))}
}

// inlineable reports whether a value is short enough to quote inside a one-line summary;
// longer ones (function bodies, view queries) are left to the Diff field.
func inlineable(v string) bool { return len(v) <= 80 && !strings.ContainsAny(v, "\r\n") }

func shown(v string) string {
	if v == "" {
		return `""`
	}
	return v
}
