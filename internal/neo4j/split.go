package neo4j

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// File is one migration file: its name (for messages) and content. Parse and Replay take files
// in migration order; loading and ordering them is the migrations package's job.
type File struct {
	Name    string
	Content []byte
}

// ParseError is a statement drift could not parse or apply, with the file and line it starts on.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// statement is one statement of a migration file.
type statement struct {
	file string
	line int    // 1-based line of the statement's first significant character
	text string // the statement without its terminating semicolon; comments kept
	// command is a cypher-shell command (":begin", ":use db"), which ends at the end of its line.
	command bool
}

// summary is the statement's first line, shortened, for verbose output.
func (s statement) summary() string {
	text := strings.TrimSpace(s.text)
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = strings.TrimSpace(text[:i]) + " …"
	}
	if utf8.RuneCountInString(text) > 100 {
		r := []rune(text)
		text = string(r[:100]) + "…"
	}
	return text
}

// splitStatements splits a file on semicolons that are outside strings ('…', "…"), quoted
// names (`…`) and comments (// to the end of the line, /* … */). A line starting with ':' at
// the start of a statement is a cypher-shell command and ends at the end of its line. A last
// statement without a semicolon is kept; statements holding only comments are dropped.
func splitStatements(name string, content []byte) ([]statement, error) {
	src := string(content)
	var out []statement
	line := 1
	i := 0
	startLine, start := 0, -1 // start of the current statement's significant text
	emit := func(end int) {
		if start >= 0 {
			out = append(out, statement{file: name, line: startLine, text: src[start:end]})
		}
		start = -1
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(src[i:], "\ufeff"):
			i += len("\ufeff")
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			open := line
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, &ParseError{File: name, Line: open, Msg: "unterminated /* comment"}
			}
			line += strings.Count(src[i:i+2+end+2], "\n")
			i += 2 + end + 2
		case c == ':' && start < 0:
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			out = append(out, statement{file: name, line: line, text: strings.TrimSpace(src[i : i+end]), command: true})
			i += end
		case c == ';':
			emit(i)
			i++
		case c == '\'' || c == '"' || c == '`':
			if start < 0 {
				start, startLine = i, line
			}
			open := line
			j, err := skipQuoted(src, i)
			if err != nil {
				return nil, &ParseError{File: name, Line: open, Msg: err.Error()}
			}
			line += strings.Count(src[i:j], "\n")
			i = j
		default:
			if start < 0 {
				start, startLine = i, line
			}
			i++
		}
	}
	emit(len(src))
	return out, nil
}

// skipQuoted returns the index just past the quoted text starting at src[i]. Strings use
// backslash escapes; quoted names double the backtick.
func skipQuoted(src string, i int) (int, error) {
	q := src[i]
	j := i + 1
	for j < len(src) {
		switch {
		case q != '`' && src[j] == '\\':
			j += 2
		case src[j] == q:
			if q == '`' && j+1 < len(src) && src[j+1] == '`' {
				j += 2
				continue
			}
			return j + 1, nil
		default:
			j++
		}
	}
	if q == '`' {
		return 0, fmt.Errorf("unterminated `quoted name`")
	}
	return 0, fmt.Errorf("unterminated string")
}

// tokKind classifies tokens.
type tokKind int

const (
	tokWord   tokKind = iota // identifier or keyword
	tokQuoted                // `quoted name`
	tokString                // 'string' or "string", unescaped
	tokNumber
	tokParam // $name
	tokPunct // ( ) [ ] { } : :: , . | - < > = * + and anything else
)

type token struct {
	kind tokKind
	text string // words as written; strings and quoted names unescaped
	line int
	// start and end are the token's byte offsets in the statement's text.
	start, end int
}

// is reports whether the token is the given keyword (case-insensitive) or punctuation.
func (t token) is(s string) bool {
	switch t.kind {
	case tokWord:
		return strings.EqualFold(t.text, s)
	case tokPunct:
		return t.text == s
	}
	return false
}

// lex tokenizes one statement. Comments are skipped.
func lex(st statement) ([]token, error) {
	src := st.text
	line := st.line
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		r, size := utf8.DecodeRuneInString(src[i:])
		from, n := i, len(toks)
		switch {
		case c == '\n':
			line++
			i++
		case unicode.IsSpace(r):
			i += size
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, &ParseError{File: st.file, Line: line, Msg: "unterminated /* comment"}
			}
			line += strings.Count(src[i:i+2+end+2], "\n")
			i += 2 + end + 2
		case c == '\'' || c == '"' || c == '`':
			j, err := skipQuoted(src, i)
			if err != nil {
				return nil, &ParseError{File: st.file, Line: line, Msg: err.Error()}
			}
			raw := src[i+1 : j-1]
			t := token{kind: tokString, text: unescapeString(raw), line: line}
			if c == '`' {
				t = token{kind: tokQuoted, text: strings.ReplaceAll(raw, "``", "`"), line: line}
			}
			toks = append(toks, t)
			line += strings.Count(src[i:j], "\n")
			i = j
		case c == '$':
			j := i + 1
			for j < len(src) && isWordByte(src, j) {
				j++
			}
			toks = append(toks, token{kind: tokParam, text: src[i:j], line: line})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == '_' ||
				src[j] == 'e' || src[j] == 'E' || (src[j] == '-' || src[j] == '+') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			toks = append(toks, token{kind: tokNumber, text: src[i:j], line: line})
			i = j
		case unicode.IsLetter(r) || c == '_':
			j := i
			for j < len(src) && isWordByte(src, j) {
				_, n := utf8.DecodeRuneInString(src[j:])
				j += n
			}
			toks = append(toks, token{kind: tokWord, text: src[i:j], line: line})
			i = j
		case strings.HasPrefix(src[i:], "::"):
			toks = append(toks, token{kind: tokPunct, text: "::", line: line})
			i += 2
		default:
			toks = append(toks, token{kind: tokPunct, text: string(r), line: line})
			i += size
		}
		if len(toks) > n {
			toks[n].start, toks[n].end = from, i
		}
	}
	return toks, nil
}

func isWordByte(src string, j int) bool {
	r, _ := utf8.DecodeRuneInString(src[j:])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}

// unescapeString resolves the backslash escapes of a Cypher string literal.
func unescapeString(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
