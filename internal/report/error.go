package report

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/redact"
)

// JSONError prints a failure as {"error": {...}} for a program that asked for JSON: the
// message (already redacted), the exit code and, for a configuration error, every problem with
// its line, each passed through red.
func JSONError(w io.Writer, err error, msg string, code int, red *redact.Redactor) error {
	type problem struct {
		Line    int    `json:"line,omitempty"`
		Key     string `json:"key,omitempty"`
		Message string `json:"message"`
	}
	body := struct {
		Message  string    `json:"message"`
		ExitCode int       `json:"exit_code"`
		File     string    `json:"file,omitempty"`
		Problems []problem `json:"problems,omitempty"`
	}{Message: msg, ExitCode: code}
	var cerr *config.Error
	if errors.As(err, &cerr) {
		body.File = cerr.File
		for _, p := range cerr.Problems {
			body.Problems = append(body.Problems, problem{Line: p.Line, Key: p.Key, Message: red.String(p.Message)})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"error": body})
}
