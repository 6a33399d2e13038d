package fixsql

import (
	"strconv"
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// identitySeq is an identity column's sequence, as the catalog records it in the column's
// identity_sequence attribute: "start 1 increment 1 minvalue 1 maxvalue 2147483647 cache 1",
// with " cycle" when it cycles.
type identitySeq struct {
	start, increment, min, max, cache string
	cycle                             bool
}

func parseIdentitySeq(s string) (identitySeq, bool) {
	f := strings.Fields(s)
	if len(f) < 10 || f[0] != "start" || f[2] != "increment" || f[4] != "minvalue" || f[6] != "maxvalue" || f[8] != "cache" {
		return identitySeq{}, false
	}
	return identitySeq{start: f[1], increment: f[3], min: f[5], max: f[7], cache: f[9], cycle: len(f) > 10 && f[10] == "cycle"}, true
}

// identityTypeRange is the range of the integer types an identity column can have.
var identityTypeRange = map[string][2]string{
	"smallint": {"-32768", "32767"},
	"integer":  {"-2147483648", "2147483647"},
	"bigint":   {"-9223372036854775808", "9223372036854775807"},
}

// identityOptions renders the sequence options of identity column c for GENERATED … AS
// IDENTITY: " (START WITH -100 INCREMENT BY 5 …)" with the options that differ from what
// PostgreSQL would choose for the column's type, or "" when none do (or none are recorded).
func identityOptions(c *snapshot.Object) string {
	seq, ok := parseIdentitySeq(c.Attrs.Value("identity_sequence"))
	if !ok {
		return ""
	}
	var opts []string
	inc, _ := strconv.ParseInt(seq.increment, 10, 64)
	defMin, defMax := "1", ""
	if r, ok := identityTypeRange[c.Attrs.Value("type")]; ok {
		defMax = r[1]
		if inc < 0 {
			defMin, defMax = r[0], "-1"
		}
	}
	defStart := defMin
	if inc < 0 {
		defStart = defMax
	}
	if seq.start != defStart {
		opts = append(opts, "START WITH "+seq.start)
	}
	if seq.increment != "1" {
		opts = append(opts, "INCREMENT BY "+seq.increment)
	}
	if seq.min != defMin {
		opts = append(opts, "MINVALUE "+seq.min)
	}
	if seq.max != defMax {
		opts = append(opts, "MAXVALUE "+seq.max)
	}
	if seq.cache != "1" {
		opts = append(opts, "CACHE "+seq.cache)
	}
	if seq.cycle {
		opts = append(opts, "CYCLE")
	}
	if len(opts) == 0 {
		return ""
	}
	return " (" + strings.Join(opts, " ") + ")"
}

// identitySet renders ALTER COLUMN's clauses that give an existing identity column's sequence
// the options of t: every option, so the result does not depend on what the sequence had.
// "" when t records none.
func identitySet(t *snapshot.Object) string {
	seq, ok := parseIdentitySeq(t.Attrs.Value("identity_sequence"))
	if !ok {
		return ""
	}
	cycle := "SET NO CYCLE"
	if seq.cycle {
		cycle = "SET CYCLE"
	}
	return "SET INCREMENT BY " + seq.increment + " SET MINVALUE " + seq.min + " SET MAXVALUE " + seq.max +
		" SET START WITH " + seq.start + " SET CACHE " + seq.cache + " " + cycle
}
