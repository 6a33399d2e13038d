package fixsql

import "strings"

// refs are the names a definition mentions, as the server deparsed it: with search_path empty
// every name outside pg_catalog is schema-qualified, so "app.orders" in a view's text is the
// relation app.orders, "app.touch(" a call of a function app.touch, and a regclass literal
// ('app.orders_id_seq'::regclass) the sequence it names.
//
// Finding dependencies in text over-approximates: a name inside a string literal or a column
// alias that happens to match is taken for a reference. That only ever adds an ordering
// constraint or rebuilds a dependent that did not need it; it never loses a dependency the
// server would enforce.
type refs struct {
	// qualified are the schema-qualified names mentioned: [schema, name].
	qualified [][2]string
	// words are the bare identifiers mentioned (column names, among others).
	words map[string]bool
}

// scanRefs reads the names in a deparsed definition. String literals are skipped unless they
// are cast to regclass (then their content is a name); dollar-quoted bodies are skipped.
func scanRefs(text string) refs {
	var r refs
	addWord := func(w string) {
		if r.words == nil {
			r.words = map[string]bool{}
		}
		r.words[w] = true
	}
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == '\'':
			end := skipString(text, i)
			if strings.HasPrefix(text[end:], "::regclass") || strings.HasPrefix(text[end:], "::regproc") {
				lit := strings.ReplaceAll(text[i+1:end-1], "''", "'")
				if parts := splitName(lit); len(parts) >= 2 {
					r.qualified = append(r.qualified, [2]string{parts[len(parts)-2], parts[len(parts)-1]})
				} else if len(parts) == 1 {
					addWord(parts[0])
				}
			}
			i = end
		case c == '$' && (i == 0 || !identChar(text[i-1])):
			if end, ok := skipDollar(text, i); ok {
				i = end
			} else {
				i++
			}
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			if nl := strings.IndexByte(text[i:], '\n'); nl >= 0 {
				i += nl
			} else {
				i = len(text)
			}
		case c == '"' || identStart(c):
			parts, end := readChain(text, i)
			for _, p := range parts {
				addWord(p)
			}
			if len(parts) >= 2 {
				r.qualified = append(r.qualified, [2]string{parts[0], parts[1]})
				if len(parts) >= 3 {
					r.qualified = append(r.qualified, [2]string{parts[1], parts[2]})
				}
			}
			i = end
		default:
			i++
		}
	}
	return r
}

// readChain reads dotted identifiers (a.b."C") from text at i and returns their parts, bare ones
// folded to lower case as the server folds them, and where the chain ends.
func readChain(text string, i int) ([]string, int) {
	var parts []string
	for {
		part, next, more, ok := readChainPart(text, i)
		if !ok {
			return parts, i
		}
		parts, i = append(parts, part), next
		if !more {
			return parts, i
		}
	}
}

// readChainPart reads one identifier of a dotted chain at i: its text (a bare one folded to
// lower case), where the next part starts, and whether a next part follows the dot.
func readChainPart(text string, i int) (part string, next int, more, ok bool) {
	if i >= len(text) {
		return "", i, false, false
	}
	if text[i] == '"' {
		j := i + 1
		var b strings.Builder
		for j < len(text) {
			if text[j] == '"' {
				if j+1 < len(text) && text[j+1] == '"' {
					b.WriteByte('"')
					j += 2
					continue
				}
				break
			}
			b.WriteByte(text[j])
			j++
		}
		part, i = b.String(), min(j+1, len(text))
	} else if identStart(text[i]) {
		j := i
		for j < len(text) && identChar(text[j]) {
			j++
		}
		part, i = strings.ToLower(text[i:j]), j
	} else {
		return "", i, false, false
	}
	if i < len(text) && text[i] == '.' && i+1 < len(text) && (text[i+1] == '"' || identStart(text[i+1])) {
		return part, i + 1, true, true
	}
	return part, i, false, true
}

// splitName splits a possibly qualified, possibly quoted name ("app"."T", app.t) into parts.
func splitName(s string) []string {
	parts, end := readChain(strings.TrimSpace(s), 0)
	if end != len(strings.TrimSpace(s)) {
		return nil
	}
	return parts
}

func identStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func identChar(c byte) bool { return identStart(c) || c >= '0' && c <= '9' || c == '$' }

// skipString returns the index just past the string literal starting at text[i] (a quote).
// An escape string's (E'…') backslash escapes are honoured when the E precedes it.
func skipString(text string, i int) int {
	escapes := i > 0 && (text[i-1] == 'E' || text[i-1] == 'e') && (i < 2 || !identChar(text[i-2]))
	j := i + 1
	for j < len(text) {
		switch {
		case escapes && text[j] == '\\':
			j += 2
			continue
		case text[j] == '\'':
			if j+1 < len(text) && text[j+1] == '\'' {
				j += 2
				continue
			}
			return j + 1
		}
		j++
	}
	return len(text)
}

// skipDollar returns the index just past the dollar-quoted string starting at text[i], and
// false when text[i] does not start one ($1 is a parameter).
func skipDollar(text string, i int) (int, bool) {
	j := i + 1
	for j < len(text) && text[j] != '$' {
		if !identChar(text[j]) || text[j] == '$' || (j == i+1 && text[j] >= '0' && text[j] <= '9') {
			return 0, false
		}
		j++
	}
	if j >= len(text) {
		return 0, false
	}
	tag := text[i : j+1]
	end := strings.Index(text[j+1:], tag)
	if end < 0 {
		return len(text), true
	}
	return j + 1 + end + len(tag), true
}

// scanQualified calls fn with every schema-qualified name the text mentions, as scanRefs finds
// them, without collecting the bare words: the cheap pass over every definition of a schema.
func scanQualified(text string, fn func(schema, name string)) {
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == '\'':
			end := skipString(text, i)
			if strings.HasPrefix(text[end:], "::regclass") || strings.HasPrefix(text[end:], "::regproc") {
				if parts := splitName(strings.ReplaceAll(text[i+1:end-1], "''", "'")); len(parts) >= 2 {
					fn(parts[len(parts)-2], parts[len(parts)-1])
				}
			}
			i = end
		case c == '$' && (i == 0 || !identChar(text[i-1])):
			if end, ok := skipDollar(text, i); ok {
				i = end
			} else {
				i++
			}
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			if nl := strings.IndexByte(text[i:], '\n'); nl >= 0 {
				i += nl
			} else {
				i = len(text)
			}
		case c == '"' || identStart(c):
			var parts [3]string
			n, end := readChainInto(text, i, &parts)
			if n >= 2 {
				fn(parts[0], parts[1])
				if n >= 3 {
					fn(parts[1], parts[2])
				}
			}
			i = end
		default:
			i++
		}
	}
}

// readChainInto is readChain keeping at most three parts, without a slice.
func readChainInto(text string, i int, parts *[3]string) (int, int) {
	n := 0
	for {
		part, next, more, ok := readChainPart(text, i)
		if !ok {
			break
		}
		if n < len(parts) {
			parts[n] = part
		}
		n, i = n+1, next
		if !more {
			break
		}
	}
	return min(n, len(parts)), i
}
