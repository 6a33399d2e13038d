package report

import (
	"io"

	"github.com/drift-schema/drift/internal/check"
)

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
