package shadow

import (
	"regexp"
	"strings"
)

// Migration tools that keep a file's up and down parts in one file mark them with comments, and
// mark files that must run outside a transaction. drift replays what the tool would run: the
// up part only, in or outside a transaction as marked.
//
//	goose          -- +goose Up / -- +goose Down, -- +goose StatementBegin / StatementEnd,
//	               -- +goose NO TRANSACTION
//	sql-migrate    -- +migrate Up [notransaction] / -- +migrate Down, StatementBegin / End
//	dbmate         -- migrate:up [transaction:false] / -- migrate:down
//	postgres-migrations  -- postgres-migrations disable-transaction
//	node-pg-migrate      -- Up Migration / -- Down Migration (each alone on its line)

// directives is what a file's marker comments say about how its tool runs it.
type directives struct {
	// noTransaction: the tool runs the file outside a transaction, statement by statement.
	noTransaction bool
}

var (
	upMarker   = regexp.MustCompile(`(?i)^--\s*(\+goose\s+up|\+migrate\s+up|migrate:up)\b(.*)$|^--[\s-]*(up\s+migration)()\s*$`)
	downMarker = regexp.MustCompile(`(?i)^--\s*(\+goose\s+down|\+migrate\s+down|migrate:down)\b|^--[\s-]*down\s+migration\s*$`)
	noTxMarker = regexp.MustCompile(`(?i)^--\s*(\+goose\s+no\s+transaction|postgres-migrations\s+disable-transaction)\s*$`)
	// Options on an up marker that turn the transaction off.
	noTxOption = regexp.MustCompile(`(?i)\b(notransaction|transaction:\s*false)\b`)
)

// upPart returns the part of a migration file its tool runs going up, with every other line
// blanked (so line numbers in errors stay those of the file), and the file's directives. A
// file without up/down markers is run whole.
func upPart(content string) (string, directives) {
	lines := strings.SplitAfter(content, "\n")
	var d directives
	sectioned := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if upMarker.MatchString(t) || downMarker.MatchString(t) {
			sectioned = true
		}
		if noTxMarker.MatchString(t) {
			d.noTransaction = true
		}
	}
	if !sectioned {
		return content, d
	}
	var b strings.Builder
	in := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case upMarker.MatchString(t):
			in = true
			if m := upMarker.FindStringSubmatch(t); noTxOption.MatchString(m[2]) {
				d.noTransaction = true
			}
		case downMarker.MatchString(t):
			in = false
		case in:
			b.WriteString(l)
			continue
		}
		// A blanked line keeps its line break.
		if strings.HasSuffix(l, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String(), d
}

// commitInBody finds COMMIT or ROLLBACK in a DO block's body: a procedure-style transaction
// control statement that cannot run inside a transaction block.
var commitInBody = regexp.MustCompile(`(?i)\b(commit|rollback)\b`)
