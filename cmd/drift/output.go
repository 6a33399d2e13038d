package main

import (
	"io"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/report"
)

// outputOptions are the flags shared by the commands that print findings.
type outputOptions struct {
	format, failOn         string
	failOnPending, verbose bool
	policy                 check.FailPolicy
}

// validate reads the flags, with the formats the command offers (report.Formats when none are
// given). A command asked for JSON reports its failures as JSON too, from here on: even a bad
// --fail-on or a broken config file.
func (o *outputOptions) validate(g *globals, formats ...string) error {
	format, err := report.ParseFormat(o.format, formats...)
	g.jsonErrors = format == "json"
	if err != nil {
		return usageErr("%w", err)
	}
	o.format = format
	if o.policy, err = check.ParseFailPolicy(o.failOn, o.failOnPending); err != nil {
		return usageErr("%w", err)
	}
	return nil
}

// render prints results in the chosen format.
func (o *outputOptions) render(w io.Writer, results []check.Result) error {
	return report.Format(w, o.format, results, report.TextOptions{Color: report.ColorFor(w), Verbose: o.verbose})
}
