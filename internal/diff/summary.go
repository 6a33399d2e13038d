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

// pluralLabel renders "3 columns", "1 index", "2 policies".
func pluralLabel(label string, n int) string {
	if n != 1 {
		switch {
		case strings.HasSuffix(label, "x"), strings.HasSuffix(label, "s"), strings.HasSuffix(label, "ch"):
			label += "es"
		case strings.HasSuffix(label, "y") && !strings.HasSuffix(label, "ey"):
			label = strings.TrimSuffix(label, "y") + "ies"
		default:
			label += "s"
		}
	}
	return fmt.Sprintf("%d %s", n, label)
}

// unmatchedSummary describes a missing or unexpected object and what was folded into it.
func unmatchedSummary(r Rules, o snapshot.Object, change Change, folded []snapshot.ID) string {
	s := r.Unmatched(o, change)
	if len(folded) == 0 {
		return s
	}
	return s + " (with " + countKinds(r, folded) + ")"
}

// countKinds renders "3 columns, 1 index" in order of first appearance.
func countKinds(r Rules, ids []snapshot.ID) string {
	counts := map[string]int{}
	var kinds []string
	for _, id := range ids {
		if counts[id.Kind] == 0 {
			kinds = append(kinds, id.Kind)
		}
		counts[id.Kind]++
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = pluralLabel(r.KindLabel(k), counts[k])
	}
	return strings.Join(parts, ", ")
}

// changedSummary describes an object present on both sides with the given changed attributes.
// how is set when every change is only a rendering of the same thing.
func changedSummary(r Rules, e, a snapshot.Object, changed []string, how string) string {
	if how != "" {
		return fmt.Sprintf("%s: %s differs in %s", r.Subject(e), strings.Join(changed, ", "), how)
	}
	phrases := make([]Phrase, len(changed))
	for i, name := range changed {
		p, ok := r.Phrase(e, a, name)
		if !ok {
			p = GenericPhrase(e, a, name)
		}
		phrases[i] = p
	}
	if len(phrases) == 1 && phrases[0].Alone != "" {
		return phrases[0].Alone
	}
	if len(phrases) == 1 && phrases[0].Predicate {
		return r.Subject(e) + " " + phrases[0].Text
	}
	texts := make([]string, len(phrases))
	for i, p := range phrases {
		texts[i] = p.Text
	}
	return r.Subject(e) + ": " + strings.Join(texts, "; ")
}
