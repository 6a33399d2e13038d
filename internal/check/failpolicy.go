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

// ExitCode is the exit code of a command that checked results: ExitError when one could not be
// checked, else ExitDrift when one drifted by the policy (never under Never), else ExitClean.
func (p FailPolicy) ExitCode(results []Result) int {
	code := ExitCode(results, p.Severity, p.Pending)
	if p.Never && code == ExitDrift {
		return ExitClean
	}
	return code
}
