package check

import (
	"fmt"
	"strings"

	"github.com/drift-schema/drift/internal/diff"
)

// FailPolicy is when a command's exit code says drift: --fail-on (a severity, or never) and
// --fail-on-pending.
type FailPolicy struct {
	// Severity is the least severe finding that is drift (exit 1).
	Severity diff.Severity
	// Never: drift is never a failure (exit 0); only a target that could not be checked is
	// (exit 2), for a scheduler that counts exit 1 as a failed job.
	Never bool
	// Pending: migrations not yet applied are drift too.
	Pending bool
}

// ParseFailPolicy reads --fail-on (critical, warning, info or never) and --fail-on-pending.
func ParseFailPolicy(failOn string, pending bool) (FailPolicy, error) {
	if strings.EqualFold(strings.TrimSpace(failOn), "never") {
		return FailPolicy{Severity: diff.Critical, Never: true, Pending: pending}, nil
	}
	sev, err := diff.ParseSeverity(failOn)
	if err != nil {
		return FailPolicy{}, fmt.Errorf("--fail-on must be critical, warning, info or never, not %q", failOn)
	}
	return FailPolicy{Severity: sev, Pending: pending}, nil
}

// ExitCode is the exit code of a command that checked results. A target that could not be
// checked makes it ExitError even if another drifted: "could not check" must never be read as
// "checked". Else ExitDrift when a finding is at least Severity (or, with Pending, a migration
// is pending), unless Never; else ExitClean.
func (p FailPolicy) ExitCode(results []Result) int {
	code := ExitClean
	for _, r := range results {
		if r.Status == StatusError {
			return ExitError
		}
		if p.Pending && len(r.Pending) > 0 {
			code = ExitDrift
		}
		for _, f := range r.Findings {
			if f.Severity.AtLeast(p.Severity) {
				code = ExitDrift
			}
		}
	}
	if p.Never {
		return ExitClean // a target that could not be checked has returned above
	}
	return code
}
