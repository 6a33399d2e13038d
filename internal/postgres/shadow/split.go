package shadow

import (
	"fmt"
	"strings"
)

// StatementKind classifies a statement for the replayer's transaction handling.
type StatementKind int

// Statement kinds.
const (
	// Plain statements run anywhere, inside a transaction or not.
	Plain StatementKind = iota
	// Begin opens a transaction block (BEGIN, START TRANSACTION).
	Begin
	// End closes one (COMMIT, END, ROLLBACK, ABORT).
	End
	// NoTransaction statements cannot run inside a transaction block: CREATE/DROP INDEX
	// CONCURRENTLY, REINDEX ... CONCURRENTLY (and of a whole database or system), VACUUM,
	// CREATE/DROP DATABASE, CREATE/DROP TABLESPACE, ALTER SYSTEM, CREATE/DROP SUBSCRIPTION,
	// DETACH PARTITION ... CONCURRENTLY, COMMIT/ROLLBACK PREPARED.
	NoTransaction
	// AddEnumValue is ALTER TYPE ... ADD VALUE, which cannot run inside a transaction block
	// on PostgreSQL 11 and older, and whose new value cannot be used later in the same
	// transaction on any version.
	AddEnumValue
	// DoBlock is an anonymous code block (DO): one that commits or rolls back inside cannot
	// run inside a transaction block.
	DoBlock
)

// Statement is one SQL statement of a migration file.
type Statement struct {
	// SQL is the statement from its first token through its last, without the terminating
	// semicolon. Comments inside it are kept; comments before it are not.
	SQL string
	// Line is the 1-based line of the file on which the statement starts.
	Line int
	Kind StatementKind
}

// OutsideTransaction reports whether the statement must run outside a transaction block on a
// server of the given server_version_num.
func (s Statement) OutsideTransaction(serverVersionNum int) bool {
	switch s.Kind {
	case NoTransaction:
		return true
	case AddEnumValue:
		return serverVersionNum < 120000
	}
	return false
}

// SplitError is a script the splitter cannot read: an unterminated quote or comment, or a psql
// meta-command.
type SplitError struct {
	Line int
	Msg  string
}

func (e *SplitError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Split splits a SQL script into statements the way psql does: semicolons end statements,
// except inside single-quoted strings (a doubled quote escapes), E'...' strings (backslash escapes),
// double-quoted identifiers, dollar-quoted bodies ($$ and $tag$), -- and nested /* */
// comments, parentheses, and the BEGIN ATOMIC ... END body of a CREATE FUNCTION or PROCEDURE.
//
// psql meta-commands (a line whose first character is a backslash, such as \i or \set) are
// rejected: drift replays what migration tools run, and none of them runs psql scripts. A
// leading UTF-8 byte order mark is ignored.
func Split(script string) ([]Statement, error) {
	sc := scanner{src: strings.TrimPrefix(script, "\uFEFF"), line: 1, lineStart: true, start: -1}
	return sc.run()
}

type scanner struct {
	src       string
	i         int
	line      int
	lineStart bool // only whitespace so far on this line

	// The statement being read.
	start      int // byte offset of its first token, -1 before it
	startLine  int
	parens     int
	atomic     int // BEGIN/CASE ... END depth inside CREATE FUNCTION/PROCEDURE
	words      []string
	lastSignif int // byte offset just past its last token

	out []Statement
}

// maxWords is how many leading words of a statement are kept to classify it.
const maxWords = 24

func (sc *scanner) run() ([]Statement, error) {
	src := sc.src
	for sc.i < len(src) {
		c := src[sc.i]
		switch {
		case c == '\n':
			sc.line++
			sc.lineStart = true
			sc.i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			sc.i++
			continue
		case c == '-' && sc.peek(1) == '-':
			for sc.i < len(src) && src[sc.i] != '\n' {
				sc.i++
			}
			continue
		case c == '/' && sc.peek(1) == '*':
			if err := sc.blockComment(); err != nil {
				return nil, err
			}
			sc.lineStart = false
			continue
		case c == '\\' && sc.lineStart:
			cmd := src[sc.i:]
			if end := strings.IndexAny(cmd, " \t\r\n"); end >= 0 {
				cmd = cmd[:end]
			}
			return nil, &SplitError{Line: sc.line, Msg: fmt.Sprintf("psql meta-command %s is not supported: migration files must be plain SQL", cmd)}
		}
		sc.lineStart = false
		if sc.start < 0 {
			sc.start, sc.startLine, sc.lastSignif = sc.i, sc.line, sc.i
			sc.parens, sc.atomic, sc.words = 0, 0, sc.words[:0]
		}
		var err error
		switch {
		case c == '\'':
			err = sc.quoted('\'', sc.escapeString())
		case c == '"':
			err = sc.quoted('"', false)
		case c == '$' && sc.dollarQuote():
			// consumed by dollarQuote
		case c == ';':
			if sc.parens == 0 && sc.atomic == 0 {
				sc.emit()
				sc.i++
				continue
			}
			sc.i++
		case c == '(':
			sc.parens++
			sc.i++
		case c == ')':
			if sc.parens > 0 {
				sc.parens--
			}
			sc.i++
		case isIdentStart(c):
			sc.word()
		case c >= '0' && c <= '9':
			for sc.i < len(src) && isIdentChar(src[sc.i]) {
				sc.i++
			}
		default:
			sc.i++
		}
		if err != nil {
			return nil, err
		}
		sc.lastSignif = sc.i
	}
	if sc.start >= 0 {
		sc.emit()
	}
	return sc.out, nil
}

func (sc *scanner) peek(n int) byte {
	if sc.i+n < len(sc.src) {
		return sc.src[sc.i+n]
	}
	return 0
}

func (sc *scanner) emit() {
	text := strings.TrimRight(sc.src[sc.start:sc.lastSignif], " \t\r\n\f\v")
	if text != "" {
		sc.out = append(sc.out, Statement{SQL: text, Line: sc.startLine, Kind: classify(sc.words)})
	}
	sc.start = -1
}

// blockComment skips a /* */ comment; they nest in PostgreSQL.
func (sc *scanner) blockComment() error {
	startLine, depth := sc.line, 0
	for sc.i < len(sc.src) {
		switch {
		case sc.src[sc.i] == '/' && sc.peek(1) == '*':
			depth++
			sc.i += 2
		case sc.src[sc.i] == '*' && sc.peek(1) == '/':
			depth--
			sc.i += 2
			if depth == 0 {
				return nil
			}
		default:
			if sc.src[sc.i] == '\n' {
				sc.line++
			}
			sc.i++
		}
	}
	return &SplitError{Line: startLine, Msg: "unterminated /* comment"}
}

// escapeString reports whether the quote at sc.i opens an E'...' string, where backslashes escape.
func (sc *scanner) escapeString() bool {
	if sc.i == 0 || (sc.src[sc.i-1] != 'E' && sc.src[sc.i-1] != 'e') {
		return false
	}
	return sc.i < 2 || !isIdentChar(sc.src[sc.i-2])
}

// quoted skips a string or quoted identifier opened at sc.i; a doubled quote is an escaped
// quote, and so is a backslash-escaped one in an E'...' string.
func (sc *scanner) quoted(q byte, backslash bool) error {
	startLine := sc.line
	sc.i++
	for sc.i < len(sc.src) {
		c := sc.src[sc.i]
		switch {
		case c == '\\' && backslash:
			if sc.peek(1) == '\n' {
				sc.line++
			}
			sc.i += 2
			continue
		case c == q:
			if sc.peek(1) == q {
				sc.i += 2
				continue
			}
			sc.i++
			return nil
		case c == '\n':
			sc.line++
		}
		sc.i++
	}
	what := "string"
	if q == '"' {
		what = "quoted identifier"
	}
	return &SplitError{Line: startLine, Msg: "unterminated " + what}
}

// dollarQuote skips a dollar-quoted body when one starts at sc.i, and reports whether it did.
// "$1" (a parameter) and "a$b" (an identifier) are not dollar quotes.
func (sc *scanner) dollarQuote() bool {
	if sc.i > 0 && isIdentChar(sc.src[sc.i-1]) {
		return false
	}
	j := sc.i + 1
	if j < len(sc.src) && isIdentStart(sc.src[j]) {
		for j < len(sc.src) && isIdentChar(sc.src[j]) && sc.src[j] != '$' {
			j++
		}
	}
	if j >= len(sc.src) || sc.src[j] != '$' {
		return false
	}
	tag := sc.src[sc.i : j+1]
	end := strings.Index(sc.src[j+1:], tag)
	if end < 0 {
		// psql reads to the end of the input; so do we, and the server reports the error.
		end = len(sc.src) - (j + 1)
		sc.line += strings.Count(sc.src[j+1:], "\n")
		sc.i = len(sc.src)
		return true
	}
	body := sc.src[j+1 : j+1+end]
	sc.line += strings.Count(body, "\n")
	sc.i = j + 1 + end + len(tag)
	return true
}

// word reads an unquoted identifier or keyword, and tracks BEGIN ATOMIC bodies.
func (sc *scanner) word() {
	j := sc.i
	for j < len(sc.src) && isIdentChar(sc.src[j]) {
		j++
	}
	w := strings.ToLower(sc.src[sc.i:j])
	sc.i = j
	if len(sc.words) < maxWords {
		sc.words = append(sc.words, w)
	} else {
		// Keep the last word current for statements classified by their end.
		sc.words[maxWords-1] = w
	}
	// As psql does: inside CREATE [OR REPLACE] FUNCTION/PROCEDURE, BEGIN and CASE open a
	// block that END closes, and semicolons inside it do not end the statement.
	if !isRoutine(sc.words) {
		return
	}
	switch w {
	case "begin", "case":
		sc.atomic++
	case "end":
		if sc.atomic > 0 {
			sc.atomic--
		}
	}
}

func isRoutine(words []string) bool {
	if len(words) < 2 || words[0] != "create" {
		return false
	}
	w := words[1:]
	if len(w) >= 3 && w[0] == "or" && w[1] == "replace" {
		w = w[2:]
	}
	return len(w) > 0 && (w[0] == "function" || w[0] == "procedure")
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '$'
}

// classify tells statements that need special transaction handling from the rest, by their
// leading (unquoted) words.
func classify(w []string) StatementKind {
	at := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	has := func(word string) bool {
		for _, x := range w {
			if x == word {
				return true
			}
		}
		return false
	}
	switch at(0) {
	case "begin":
		return Begin
	case "start":
		if at(1) == "transaction" {
			return Begin
		}
	case "commit", "rollback", "abort", "end":
		if at(1) == "prepared" {
			return NoTransaction
		}
		if at(1) == "to" || (at(1) == "work" || at(1) == "transaction") && at(2) == "to" {
			return Plain // ROLLBACK TO SAVEPOINT
		}
		return End
	case "vacuum":
		return NoTransaction
	case "do":
		return DoBlock
	case "create":
		i := 1
		if at(i) == "unique" {
			i++
		}
		switch at(i) {
		case "index":
			if at(i+1) == "concurrently" {
				return NoTransaction
			}
		case "database", "tablespace", "subscription":
			return NoTransaction
		}
	case "drop":
		switch at(1) {
		case "index":
			if at(2) == "concurrently" {
				return NoTransaction
			}
		case "database", "tablespace", "subscription":
			return NoTransaction
		}
	case "reindex":
		if has("concurrently") || has("database") || has("system") {
			return NoTransaction
		}
	case "alter":
		switch at(1) {
		case "system":
			return NoTransaction
		case "type":
			for i := 2; i+1 < len(w); i++ {
				if w[i] == "add" && w[i+1] == "value" {
					return AddEnumValue
				}
			}
		case "table":
			if has("detach") && has("partition") && w[len(w)-1] == "concurrently" {
				return NoTransaction
			}
		}
	}
	return Plain
}
