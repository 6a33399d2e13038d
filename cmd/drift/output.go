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
	// never: --fail-on never, drift does not fail the run.
	never bool
}

// validate checks the flags, with the output formats the command offers (text, json and
// markdown when none are given). A command asked for JSON reports its failures as JSON too, from
// here on: even a bad --fail-on or a broken config file.
func (o *outputOptions) validate(g *globals, formats ...string) (diff.Severity, error) {
	o.format = strings.ToLower(strings.TrimSpace(o.format))
	g.jsonErrors = o.format == "json"
	if len(formats) == 0 {
		formats = []string{"text", "json", "markdown"}
	}
	if !oneOf(o.format, formats...) {
		return "", usageErr("--format must be %s, not %q", strings.Join(formats, ", "), o.format)
	}
	if strings.EqualFold(strings.TrimSpace(o.failOn), "never") {
		o.never = true
		return diff.Critical, nil
	}
	sev, err := diff.ParseSeverity(o.failOn)
	if err != nil {
		return "", usageErr("--fail-on must be critical, warning, info or never, not %q", o.failOn)
	}
	return sev, nil
}

// exitCode is drift check's exit code for results; with --fail-on never, drift is exit 0 and
// only a target that could not be checked fails (exit 2).
func (o *outputOptions) exitCode(results []check.Result, failOn diff.Severity) int {
	code := check.ExitCode(results, failOn, o.failOnPending)
	if o.never && code == check.ExitDrift {
		return check.ExitClean
	}
	return code
}

// render prints results in the chosen format.
func (o *outputOptions) render(w io.Writer, results []check.Result) error {
	return report.Format(w, o.format, results, report.TextOptions{Color: colorWanted(w), Verbose: o.verbose})
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
