package postgres

import (
	"strings"
)

// This file tells two renderings of the same definition apart from two definitions. The
// server's deparsers render what is stored, and what is stored depends on how the SQL was
// written: `CHECK (c IN ('a', 'b'))` on a varchar column is stored with casts that a pg_dump
// of it, restored, stores in other places; `DEFAULT '2'::bigint` and `DEFAULT 2` store the
// same value; a function body keeps the author's layout. Such pairs are reported as info,
// never as drift (Rules.Equivalent).

// tokenKind classifies a token.
type tokenKind int

const (
	tokWord   tokenKind = iota // identifier or keyword
	tokQuoted                  // "quoted identifier"
	tokString                  // 'string', E'string', $$string$$ (when bodies are not scanned)
	tokNumber
	tokOp      // operator characters, ::
	tokPunct   // ( ) [ ] , ; .
	tokComment // -- or /* */
	tokDollar  // a dollar-quote delimiter, when bodies are scanned
)

type token struct {
	kind tokenKind
	text string
}

// tokenize splits SQL into tokens, dropping whitespace. With scanBodies, dollar-quoted text is
// scanned as SQL too (a function body is code whose layout does not matter); otherwise it is
// one string token. Tokenizing never fails: an unterminated quote runs to the end.
func tokenize(s string, scanBodies bool) []token {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				end = len(s) - i
			}
			out = append(out, token{tokComment, strings.TrimSpace(s[i : i+end])})
			i += end
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				end = len(s) - i - 2
			} else {
				end += 2
			}
			out = append(out, token{tokComment, s[i : i+2+end]})
			i += 2 + end
		case c == '\'' || ((c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\''):
			start := i
			if c != '\'' {
				i++
			}
			backslash := c != '\''
			i++
			for i < len(s) {
				if backslash && s[i] == '\\' {
					i += 2
					continue
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			out = append(out, token{tokString, s[start:min(i, len(s))]})
		case c == '"':
			end := i + 1
			for end < len(s) {
				if s[end] == '"' {
					if end+1 < len(s) && s[end+1] == '"' {
						end += 2
						continue
					}
					break
				}
				end++
			}
			end = min(end+1, len(s))
			out = append(out, token{tokQuoted, s[i:end]})
			i = end
		case c == '$' && dollarTag(s[i:]) != "":
			tag := dollarTag(s[i:])
			if scanBodies {
				out = append(out, token{tokDollar, tag})
				i += len(tag)
				continue
			}
			end := strings.Index(s[i+len(tag):], tag)
			if end < 0 {
				end = len(s) - i - len(tag)
			} else {
				end += len(tag)
			}
			out = append(out, token{tokString, s[i : i+len(tag)+end]})
			i += len(tag) + end
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9'):
			start := i
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
				((s[i] == '+' || s[i] == '-') && (s[i-1] == 'e' || s[i-1] == 'E'))) {
				i++
			}
			out = append(out, token{tokNumber, s[start:i]})
		case isWordStart(c):
			start := i
			for i < len(s) && isWordChar(s[i]) {
				// In a body, "END$$" ends the word where the closing quote starts.
				if scanBodies && s[i] == '$' && dollarTag(s[i:]) != "" {
					break
				}
				i++
			}
			out = append(out, token{tokWord, s[start:i]})
		case strings.IndexByte("()[],;.", c) >= 0:
			out = append(out, token{tokPunct, string(c)})
			i++
		default:
			start := i
			for i < len(s) && strings.IndexByte("+-*/<>=~!@#%^&|`?:", s[i]) >= 0 {
				if i > start && s[i] == '-' && s[i-1] == '-' || s[i] == '/' && i+1 < len(s) && s[i+1] == '*' {
					break
				}
				i++
			}
			if i == start {
				i++ // a character of its own (a stray byte)
			}
			out = append(out, token{tokOp, s[start:i]})
		}
	}
	return out
}

// dollarTag returns the dollar-quote delimiter at the start of s ($$, $body$), or "".
func dollarTag(s string) string {
	if len(s) < 2 || s[0] != '$' {
		return ""
	}
	for j := 1; j < len(s); j++ {
		switch {
		case s[j] == '$':
			return s[:j+1]
		case isWordChar(s[j]) && !(j == 1 && s[j] >= '0' && s[j] <= '9'):
		default:
			return "" // $1 is a parameter, not a quote
		}
	}
	return ""
}

func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isWordChar(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' || c == '$' }

func sameTokens(a, b []token) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sameCode reports whether two texts are the same code laid out differently: the same tokens,
// whitespace anywhere outside string literals and quoted identifiers (dollar-quoted bodies are
// scanned as code) not counting, a trailing newline on one side included.
func sameCode(a, b string) bool {
	return sameTokens(tokenize(a, true), tokenize(b, true))
}

// sameExpression reports whether two deparsed definitions are the same expression rendered
// differently: once normalized (normalizeExpr), their tokens are equal.
func sameExpression(a, b string) bool {
	return sameTokens(normalizeExpr(tokenize(a, false)), normalizeExpr(tokenize(b, false)))
}

// stringTypes are the types a cast to which changes no comparison between string values the
// server already typed: they are what `IN` on a varchar column and its pg_dump differ by.
var stringTypes = map[string]bool{"text": true, "character": true, "varchar": true, "bpchar": true, "name": true, "char": true}

// typeWords continue a multi-word type name after a cast.
var typeWords = map[string]bool{"varying": true, "precision": true, "with": true, "without": true, "time": true, "zone": true}

// normalizeExpr rewrites the tokens of a deparsed expression into a canonical form:
//
//   - casts to string types are dropped, and so are casts of a literal (the server writes the
//     type of every constant; two spellings of one value differ only there);
//   - a string literal holding a number is that number, and numbers lose trailing zeros
//     after the decimal point (0.010000 is 0.01);
//   - `x IN (a, b)` is `x = ANY (ARRAY[a, b])`, `x NOT IN (...)` is `x <> ALL (ARRAY[...])`;
//   - `(x AT TIME ZONE z)` is `timezone(z, x)`, and so for the other calls PostgreSQL 14 and
//     later render in SQL syntax when they were written so, and earlier majors (and their
//     dumps, restored anywhere) as the function: SUBSTRING(x FROM a FOR b), POSITION(a IN b),
//     TRIM(BOTH c FROM x), OVERLAY(x PLACING y FROM a FOR b), COLLATION FOR (x);
//   - redundant parentheses go: doubled ones, ones around a single token, and ones around
//     the whole text.
func normalizeExpr(ts []token) []token {
	ts = dropCasts(ts)
	for i := range ts {
		switch ts[i].kind {
		case tokString:
			if n, ok := numericString(ts[i].text); ok {
				ts[i] = token{tokNumber, n}
			}
		case tokNumber:
			ts[i].text = trimNumber(ts[i].text)
		case tokWord:
			ts[i].text = strings.ToUpper(ts[i].text) // keywords are case-insensitive; names here are deparsed, so lower already
		case tokQuoted:
			// The functions behind SQL syntax are keywords, so their call form is quoted.
			if name := strings.Trim(ts[i].text, `"`); sqlSyntaxFuncs[name] {
				ts[i] = token{tokWord, strings.ToUpper(name)}
			}
		}
	}
	ts = rewriteSQLSyntax(ts)
	ts = rewriteIn(ts)
	ts = rewriteAtTimeZone(ts)
	for {
		n := len(ts)
		ts = dropParens(ts)
		if len(ts) == n {
			return ts
		}
	}
}

// dropCasts removes `::type` where the type is a string type or the cast's operand is a
// literal.
func dropCasts(ts []token) []token {
	out := make([]token, 0, len(ts))
	for i := 0; i < len(ts); i++ {
		if ts[i].kind != tokOp || ts[i].text != "::" {
			out = append(out, ts[i])
			continue
		}
		end, base := typeEnd(ts, i+1)
		if stringTypes[strings.ToLower(base)] || literalBefore(out) {
			i = end - 1
			continue
		}
		out = append(out, ts[i])
	}
	return out
}

// typeEnd returns the index after the type name starting at i, and the type's base word
// (its last name part before any typmod: "varchar" for pg_catalog.varchar(10)[]).
func typeEnd(ts []token, i int) (int, string) {
	base := ""
	for i < len(ts) && (ts[i].kind == tokWord || ts[i].kind == tokQuoted) {
		base = strings.Trim(ts[i].text, `"`)
		i++
		if i+1 < len(ts) && ts[i].text == "." && ts[i].kind == tokPunct {
			i++
			continue
		}
		break
	}
	if strings.EqualFold(base, "character") || strings.EqualFold(base, "char") {
		if i < len(ts) && strings.EqualFold(ts[i].text, "varying") {
			base = "varchar"
		}
	}
	for i < len(ts) {
		switch {
		case ts[i].kind == tokWord && typeWords[strings.ToLower(ts[i].text)]:
			i++
		case ts[i].text == "(" && ts[i].kind == tokPunct:
			i = matching(ts, i) + 1
		case ts[i].text == "[" && ts[i].kind == tokPunct:
			i = matching(ts, i) + 1
		default:
			return i, base
		}
	}
	return i, base
}

// literalBefore reports whether the tokens end with a literal, possibly in parentheses.
func literalBefore(ts []token) bool {
	j := len(ts) - 1
	closing := 0
	for j >= 0 && ts[j].kind == tokPunct && ts[j].text == ")" {
		closing++
		j--
	}
	if j < 0 || (ts[j].kind != tokString && ts[j].kind != tokNumber && !(ts[j].kind == tokWord && strings.EqualFold(ts[j].text, "NULL"))) {
		return false
	}
	for k := 1; k <= closing; k++ {
		if j-k < 0 || ts[j-k].text != "(" {
			return false
		}
	}
	return true
}

// matching returns the index of the bracket closing the one at i (the last index when it is
// never closed).
func matching(ts []token, i int) int {
	open, close := ts[i].text, ")"
	if open == "[" {
		close = "]"
	}
	depth := 0
	for j := i; j < len(ts); j++ {
		if ts[j].kind != tokPunct {
			continue
		}
		switch ts[j].text {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(ts) - 1
}

// numericString returns the number a string literal holds ('2', '0.50'), normalized.
func numericString(s string) (string, bool) {
	if len(s) < 3 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	body := s[1 : len(s)-1]
	digits, dot := 0, false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		case c == '-' && i == 0:
		default:
			return "", false
		}
	}
	if digits == 0 {
		return "", false
	}
	return trimNumber(body), true
}

// trimNumber drops trailing zeros after a decimal point, and the point when nothing follows.
func trimNumber(s string) string {
	if !strings.Contains(s, ".") || strings.ContainsAny(s, "eE") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// rewriteIn turns `IN (list)` into `= ANY (ARRAY[list])` and `NOT IN (list)` into
// `<> ALL (ARRAY[list])`, unless the list is a subquery.
func rewriteIn(ts []token) []token {
	out := make([]token, 0, len(ts)+4)
	for i := 0; i < len(ts); i++ {
		if ts[i].kind != tokWord || ts[i].text != "IN" || i+1 >= len(ts) || ts[i+1].text != "(" ||
			(i+2 < len(ts) && ts[i+2].kind == tokWord && (ts[i+2].text == "SELECT" || ts[i+2].text == "VALUES")) {
			out = append(out, ts[i])
			continue
		}
		end := matching(ts, i+1)
		op, quant := "=", "ANY"
		if n := len(out); n > 0 && out[n-1].kind == tokWord && out[n-1].text == "NOT" {
			out = out[:n-1]
			op, quant = "<>", "ALL"
		}
		out = append(out, token{tokOp, op}, token{tokWord, quant}, token{tokPunct, "("}, token{tokWord, "ARRAY"}, token{tokPunct, "["})
		out = append(out, ts[i+2:end]...)
		out = append(out, token{tokPunct, "]"}, token{tokPunct, ")"})
		i = end
	}
	return out
}

// dropParens removes one layer of redundant parentheses wherever there is one: a pair right
// inside another pair, a pair around a single token that is not a call's or a keyword's
// argument list, and a pair around everything.
func dropParens(ts []token) []token {
	if len(ts) >= 2 && ts[0].text == "(" && ts[0].kind == tokPunct && matching(ts, 0) == len(ts)-1 {
		return ts[1 : len(ts)-1]
	}
	drop := map[int]bool{}
	for i := 0; i < len(ts); i++ {
		if ts[i].kind != tokPunct || ts[i].text != "(" {
			continue
		}
		j := matching(ts, i)
		if j >= len(ts) || ts[j].text != ")" {
			continue
		}
		// ((x)) → (x)
		if i+1 < j && ts[i+1].text == "(" && ts[i+1].kind == tokPunct && matching(ts, i+1) == j-1 {
			drop[i+1], drop[j-1] = true, true
			break
		}
		// (x) → x, unless it is an argument list: f(x), ANY (x), IN (x), ARRAY(x)
		if j == i+2 && (i == 0 || ts[i-1].kind != tokWord && ts[i-1].kind != tokQuoted) {
			drop[i], drop[j] = true, true
			break
		}
	}
	if len(drop) == 0 {
		return ts
	}
	out := make([]token, 0, len(ts)-len(drop))
	for i, t := range ts {
		if !drop[i] {
			out = append(out, t)
		}
	}
	return out
}

// rewriteAtTimeZone turns every `( x AT TIME ZONE z )`, as the server renders it (always in
// parentheses, each operand a single term), into `TIMEZONE ( z , x )`, the function it calls.
// Tokens are upper-cased words already. An AT TIME ZONE whose left operand is not alone in its
// parentheses is left as it is.
func rewriteAtTimeZone(ts []token) []token {
	isWord := func(i int, w string) bool { return i < len(ts) && ts[i].kind == tokWord && ts[i].text == w }
	for i := 0; i+2 < len(ts); i++ {
		if !isWord(i, "AT") || !isWord(i+1, "TIME") || !isWord(i+2, "ZONE") {
			continue
		}
		open, depth := -1, 0
		for j := i - 1; j >= 0 && open < 0; j-- {
			if ts[j].kind != tokPunct {
				continue
			}
			switch ts[j].text {
			case ")", "]":
				depth++
			case "(", "[":
				if depth == 0 {
					open = j
				}
				depth--
			case ",":
				if depth == 0 {
					return ts // a list, not the server's parentheses around one AT TIME ZONE
				}
			}
		}
		if open < 0 || ts[open].text != "(" || open+1 == i {
			return ts
		}
		end := matching(ts, open)
		if end <= i+3 || end >= len(ts) || ts[end].text != ")" {
			return ts
		}
		out := make([]token, 0, len(ts)+2)
		out = append(out, ts[:open]...)
		out = append(out, token{tokWord, "TIMEZONE"}, token{tokPunct, "("})
		out = append(out, ts[i+3:end]...)
		out = append(out, token{tokPunct, ","})
		out = append(out, ts[open+1:i]...)
		out = append(out, token{tokPunct, ")"})
		out = append(out, ts[end+1:]...)
		ts = out
		i = open
	}
	return ts
}

// sqlSyntaxFuncs are the functions whose call form the server quotes, being keywords, and
// whose SQL syntax rewriteSQLSyntax reads.
var sqlSyntaxFuncs = map[string]bool{"substring": true, "position": true, "overlay": true}

// rewriteSQLSyntax turns the SQL-syntax calls the server renders (14 and later, when they
// were written so) into the function calls they are, as earlier majors render them:
// SUBSTRING(x FROM a FOR b) and SUBSTRING(x SIMILAR p ESCAPE e) into SUBSTRING(x, a, b),
// POSITION(a IN b) into POSITION(b, a), TRIM(BOTH c FROM x) into BTRIM(x, c) (LEADING: LTRIM,
// TRAILING: RTRIM), OVERLAY(x PLACING y FROM a FOR b) into OVERLAY(x, y, a, b) and
// COLLATION FOR (x) into PG_COLLATION_FOR(x). Words are upper-cased already. The innermost
// calls go first, so one nested in another's arguments is rewritten too.
func rewriteSQLSyntax(ts []token) []token {
	for i := len(ts) - 2; i >= 0; i-- {
		if ts[i].kind != tokWord || ts[i+1].kind != tokPunct || ts[i+1].text != "(" {
			continue
		}
		if ts[i].text == "FOR" && i > 0 && ts[i-1].kind == tokWord && ts[i-1].text == "COLLATION" {
			ts = splice(ts, i-1, i+1, token{tokWord, "PG_COLLATION_FOR"})
			i--
			continue
		}
		end := matching(ts, i+1)
		if end >= len(ts) || ts[end].text != ")" {
			continue
		}
		parts, seps := splitTopLevel(ts[i+2 : end])
		var call []token
		switch ts[i].text {
		case "SUBSTRING":
			if !allIn(seps, "FROM", "FOR", "SIMILAR", "ESCAPE") {
				continue
			}
			call = joinArgs(ts[i], parts...)
		case "OVERLAY":
			if !allIn(seps, "PLACING", "FROM", "FOR") {
				continue
			}
			call = joinArgs(ts[i], parts...)
		case "POSITION":
			if len(seps) != 1 || seps[0] != "IN" {
				continue
			}
			call = joinArgs(ts[i], parts[1], parts[0])
		case "TRIM":
			// TRIM(BOTH [c] FROM x): the side is the first word of the first part.
			if len(seps) != 1 || seps[0] != "FROM" || len(parts[0]) == 0 || parts[0][0].kind != tokWord {
				continue
			}
			fn := map[string]string{"BOTH": "BTRIM", "LEADING": "LTRIM", "TRAILING": "RTRIM"}[parts[0][0].text]
			if fn == "" {
				continue
			}
			args := [][]token{parts[1]}
			if chars := parts[0][1:]; len(chars) > 0 {
				args = append(args, chars)
			}
			call = joinArgs(token{tokWord, fn}, args...)
		default:
			continue
		}
		ts = splice(ts, i, end+1, call...)
	}
	return ts
}

// splitTopLevel splits the tokens of a call's arguments at the keywords of SQL syntax that
// stand outside any parentheses (FROM, FOR, IN, ...), returning the parts and the keywords.
func splitTopLevel(ts []token) (parts [][]token, seps []string) {
	depth, start := 0, 0
	for j, tk := range ts {
		switch {
		case tk.kind == tokPunct && (tk.text == "(" || tk.text == "["):
			depth++
		case tk.kind == tokPunct && (tk.text == ")" || tk.text == "]"):
			depth--
		case depth == 0 && tk.kind == tokWord && sqlSyntaxWords[tk.text] && j > start:
			parts, seps = append(parts, ts[start:j]), append(seps, tk.text)
			start = j + 1
		case depth == 0 && tk.kind == tokPunct && tk.text == ",":
			return nil, []string{","} // a call with commas is a call already
		}
	}
	return append(parts, ts[start:]), seps
}

var sqlSyntaxWords = map[string]bool{"FROM": true, "FOR": true, "IN": true, "SIMILAR": true, "ESCAPE": true, "PLACING": true}

func allIn(seps []string, allowed ...string) bool {
	if len(seps) == 0 {
		return false
	}
	for _, s := range seps {
		found := false
		for _, a := range allowed {
			found = found || s == a
		}
		if !found {
			return false
		}
	}
	return true
}

// joinArgs renders fn(a, b, ...).
func joinArgs(fn token, args ...[]token) []token {
	out := []token{fn, {tokPunct, "("}}
	for k, a := range args {
		if k > 0 {
			out = append(out, token{tokPunct, ","})
		}
		out = append(out, a...)
	}
	return append(out, token{tokPunct, ")"})
}

// splice replaces ts[from:to] with with.
func splice(ts []token, from, to int, with ...token) []token {
	out := make([]token, 0, len(ts)-(to-from)+len(with))
	out = append(out, ts[:from]...)
	out = append(out, with...)
	return append(out, ts[to:]...)
}
