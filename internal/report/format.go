package report

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/drift-schema/drift/internal/check"
)

// Formats are the report formats of the commands that print findings.
var Formats = []string{"text", "json", "markdown"}

// ParseFormat reads a --format value (any case, spaces trimmed) among allowed (Formats when
// none are given).
func ParseFormat(format string, allowed ...string) (string, error) {
	if len(allowed) == 0 {
		allowed = Formats
	}
	f := strings.ToLower(strings.TrimSpace(format))
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	list := strings.Join(allowed, ", ")
	if n := len(allowed); n > 1 {
		list = strings.Join(allowed[:n-1], ", ") + " or " + allowed[n-1]
	}
	return "", fmt.Errorf("--format must be %s, not %q", list, format)
}

// Format writes results in the format a command was asked for: json, markdown, or text (the
// default) with opts.
func Format(w io.Writer, format string, results []check.Result, opts TextOptions) error {
	switch format {
	case "json":
		return JSON(w, results)
	case "markdown":
		return Markdown(w, results)
	default:
		return Text(w, results, opts)
	}
}

// ColorFor says whether text written to w may be coloured: only on a terminal, and never when
// NO_COLOR is set (no-color.org).
func ColorFor(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
