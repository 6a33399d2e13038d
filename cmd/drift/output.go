package main

import (
	"io"
	"os"
	"strings"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/report"
)

// outputOptions are the flags shared by the commands that print findings.
type outputOptions struct {
	format        string
	failOn        string
	failOnPending bool
	verbose       bool
}

func (o *outputOptions) validate(formats ...string) (diff.Severity, error) {
	if len(formats) == 0 {
		formats = []string{"text", "json", "markdown"}
	}
	if !oneOf(o.format, formats...) {
		return "", usageErr("--format must be %s, not %q", strings.Join(formats, ", "), o.format)
	}
	sev, err := diff.ParseSeverity(o.failOn)
	if err != nil {
		return "", usageErr("--fail-on: %v", err)
	}
	return sev, nil
}

// render prints results in the chosen format.
func (o *outputOptions) render(w io.Writer, results []check.Result) error {
	switch o.format {
	case "json":
		return report.JSON(w, results)
	case "markdown":
		return report.Markdown(w, results)
	default:
		return report.Text(w, results, report.TextOptions{Color: colorWanted(w), Verbose: o.verbose})
	}
}

// colorWanted: colour only on a terminal, and never when NO_COLOR is set (no-color.org).
func colorWanted(w io.Writer) bool {
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
