package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a config file, in the file's own terms: the line, the key as
// written (targets[0].engine), and what is wrong with it. Line and Key are empty when the
// problem is about the file as a whole.
type Problem struct {
	Line    int    `json:"line,omitempty"`
	Key     string `json:"key,omitempty"`
	Message string `json:"message"`
}

// String renders the problem without the file name: "line 14: targets[0].engine: …".
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error is every problem found in one config file. Commands print it as it is (its text names
// the file, so nothing needs to wrap it); `--format json` prints it as an object.
type Error struct {
	// File is the config file as the user named it.
	File     string    `json:"file"`
	Problems []Problem `json:"problems"`
}

// Error lists the problems, one a line, each with the file and line like a compiler's.
func (e *Error) Error() string {
	where := func(p Problem) string {
		if p.Line > 0 {
			return fmt.Sprintf("%s:%d: ", e.File, p.Line)
		}
		return e.File + ": "
	}
	line := func(p Problem) string {
		s := where(p)
		if p.Key != "" {
			s += p.Key + ": "
		}
		return s + p.Message
	}
	if len(e.Problems) == 1 {
		return "config " + line(e.Problems[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "config %s has %d problems:", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + line(p))
	}
	return b.String()
}

// newError sorts problems by line (file-wide ones first) and returns nil when there are none.
func newError(file string, problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	ps := append([]Problem(nil), problems...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	return &Error{File: file, Problems: ps}
}
