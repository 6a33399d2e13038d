package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/drift-schema/drift/internal/check"
)

// jsonReport is the document `drift check --format json` prints. Each target is a
// check.Result in its JSON form: name, engine, status, error, findings, pending, warnings and
// stale_ignores, with every finding in the diff.Finding JSON form.
type jsonReport struct {
	Targets []check.Result `json:"targets"`
}

// JSON writes results as one indented JSON document with a trailing newline. Targets keep
// their order; findings are sorted by kind, object and change, and are always an array (empty
// when clean), so consumers never meet null.
func JSON(w io.Writer, results []check.Result) error {
	doc := jsonReport{Targets: make([]check.Result, len(results))}
	for i, r := range results {
		r.Findings = sortedFindings(r.Findings)
		doc.Targets[i] = r
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing json report: %w", err)
	}
	return nil
}
