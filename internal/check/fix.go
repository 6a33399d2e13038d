package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/snapshot"
)

// FixMode says which way a fix goes.
type FixMode string

// Fix modes.
const (
	// FixRevert turns the actual schema into the expected one: it undoes the drift.
	FixRevert FixMode = "revert"
	// FixAdopt turns the expected schema into the actual one: the migration that adopts the
	// drift into the migration set.
	FixAdopt FixMode = "adopt"
)

// ParseFixMode reads "revert" or "adopt".
func ParseFixMode(s string) (FixMode, error) {
	switch m := FixMode(strings.ToLower(strings.TrimSpace(s))); m {
	case FixRevert, FixAdopt:
		return m, nil
	}
	return "", fmt.Errorf("unknown fix %q (want revert or adopt)", s)
}

// Purpose says what the fix of a drifted target does, for a heading: "revert its drift".
func (m FixMode) Purpose() string {
	switch m {
	case FixRevert:
		return "revert its drift"
	case FixAdopt:
		return "turn its expected schema into the live one"
	}
	return ""
}

// Fix is the fix of one comparison: the statements, in the order they must run, that resolve
// its findings. drift prints them and writes them into migration files; it never runs them
// against a database it watches.
type Fix struct {
	Mode FixMode `json:"mode"`
	// Online: written to be run by hand on the live database (CREATE INDEX CONCURRENTLY and
	// the like, some statements outside a transaction block); otherwise for a migration file.
	Online bool `json:"online"`
	// Language is the statements' language, as migration files name it: "sql", "cypher".
	Language   string             `json:"language"`
	Statements []engine.Statement `json:"statements"`
	// Comment starts a comment line in the statements' language ("--", "//").
	Comment string `json:"-"`
	// Says, when set, is what Describe says: the fix of drift diff names the command line's
	// sides, not expected and actual.
	Says string `json:"-"`
}

// Describe says which way a fix goes, for a heading: "revert: turns the live database into
// the expected schema".
func (f *Fix) Describe() string {
	if f.Says != "" {
		return f.Says
	}
	if f.Mode == FixAdopt {
		return "adopt: turns the expected schema into the actual one"
	}
	return "revert: turns the actual schema into the expected one"
}

// Script renders the statements as one script.
func (f *Fix) Script() string {
	if f == nil {
		return ""
	}
	return engine.Script(f.Statements, f.Comment)
}

// AttachFix writes the fix of a checked comparison into res: res.Fix, and each finding's Fix
// (the statements that resolve it). A statement is kept when it serves a reported finding, so
// what an ignore rule silences is never "fixed". forMigration writes it for a migration file
// instead of for running by hand (no CONCURRENTLY). An engine that writes no fix leaves res
// as it is. It reads only the two schemas Check kept: nothing is read again.
func (r *Runner) AttachFix(res *Result, mode FixMode, forMigration bool) error {
	w, err := r.prepareFix(res, mode, forMigration)
	if w == nil || err != nil {
		return err
	}
	w.write()
	return w.attach(res)
}

// fixWork is a fix being written: the engine's statements are written from the two schemas
// alone (write), and then attached to the findings (attach). Check writes them while it
// compares.
type fixWork struct {
	mode     FixMode
	eng      engine.Engine
	fixer    engine.Fixer
	from, to *snapshot.Snapshot
	opts     engine.FixOptions

	stmts    []engine.Statement
	err      error
	panicked any // a panic while writing, raised again by attach (the caller's recovery applies)
	done     chan struct{}
}

// prepareFix checks that res can have a fix and says how to write it; nil when there is
// nothing to write (an error, an engine that writes no fix).
func (r *Runner) prepareFix(res *Result, mode FixMode, forMigration bool) (*fixWork, error) {
	if res.Status == StatusError || res.Expected == nil || res.Actual == nil {
		return nil, nil
	}
	if res.streamed[0] || res.streamed[1] {
		// Written from an envelope, the fix would drop every object of the file's side.
		return nil, errors.New("the fix needs the snapshot file read whole: check with Options.WholeSnapshots (Target.WholeSnapshots)")
	}
	e, ok := r.Engine(res.Engine)
	if !ok {
		return nil, fmt.Errorf("engine %q is not supported", res.Engine)
	}
	fixer, ok := e.(engine.Fixer)
	if !ok {
		return nil, nil
	}
	from, to, fromLive := res.Actual, res.Expected, res.sources[1] == SourceLive
	if mode == FixAdopt {
		from, to, fromLive = res.Expected, res.Actual, res.sources[0] == SourceLive
	}
	return &fixWork{mode: mode, eng: e, fixer: fixer, from: from, to: to,
		opts: engine.FixOptions{Online: fromLive && !forMigration, ColumnOrder: res.columnOrder}}, nil
}

// write asks the engine for the statements.
func (w *fixWork) write() {
	defer func() { w.panicked = recover() }()
	w.stmts, w.err = w.fixer.Fix(w.from, w.to, w.opts)
}

// start writes the statements in the background; attach waits for them.
func (w *fixWork) start() {
	w.done = make(chan struct{})
	go func() {
		defer close(w.done)
		w.write()
	}()
}

// wait returns once a started write is over.
func (w *fixWork) wait() {
	if w != nil && w.done != nil {
		<-w.done
	}
}

// attach keeps the statements that serve res's findings, as AttachFix says.
func (w *fixWork) attach(res *Result) error {
	w.wait()
	if w.panicked != nil {
		panic(w.panicked)
	}
	mode, e, fixer, from, to := w.mode, w.eng, w.fixer, w.from, w.to
	stmts, err := w.stmts, w.err
	if err != nil {
		return fmt.Errorf("writing the %s fix: %w", mode, err)
	}
	fix := &Fix{Mode: mode, Online: w.opts.Online, Language: e.Language(), Comment: fixer.LineComment(), Statements: []engine.Statement{}}
	byFinding := findingIndex(res.Findings)
	perFinding := make([][]engine.Statement, len(res.Findings))
	red := res.redactor()
	var pending []engine.Statement // statements serving nothing alone (SET …): kept with the next kept one
	for _, s := range stmts {
		s.SQL, s.Notes = red.String(s.SQL), redactAll(red, s.Notes)
		if len(s.Objects) == 0 {
			pending = append(pending, s)
			continue
		}
		served := map[int]bool{}
		for _, id := range s.Objects {
			for _, i := range byFinding[id] {
				served[i] = true
			}
		}
		if len(served) == 0 {
			continue
		}
		fix.Statements = append(fix.Statements, pending...)
		pending = nil
		fix.Statements = append(fix.Statements, s)
		for i := range served {
			perFinding[i] = append(perFinding[i], s)
		}
	}
	var objects map[snapshot.ID]bool // the objects of both sides, read when a finding has no statement
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Kind == diff.KindNotCompared && len(perFinding[i]) == 0 {
			// What drift does not model it cannot write either; say so rather than nothing.
			note := engine.Statement{Notes: []string{"drift cannot write " + languageName(fix.Language) + " for " + f.Object + " objects: drift does not compare them yet"}}
			perFinding[i] = []engine.Statement{note}
			fix.Statements = append(fix.Statements, note)
		} else if len(perFinding[i]) == 0 {
			if objects == nil {
				objects = map[snapshot.ID]bool{}
				for _, s := range []*snapshot.Snapshot{from, to} {
					for _, o := range s.Objects {
						objects[o.ID()] = true
					}
				}
			}
			if k, err := snapshot.ParseKey(f.Object); err == nil && objects[snapshot.ID{Kind: f.Kind, Key: k}] {
				// A difference of a schema object that the engine wrote nothing for: an empty fix
				// would read as "nothing to do".
				note := engine.Statement{Notes: []string{red.String("drift cannot write " + languageName(fix.Language) + " for this difference, write it by hand: " + f.Summary)}}
				perFinding[i] = []engine.Statement{note}
				fix.Statements = append(fix.Statements, note)
			}
		}
		f.Fix = strings.TrimSuffix(engine.Script(perFinding[i], fix.Comment), "\n")
	}
	res.Fix = fix
	return nil
}

// findingIndex maps every object a finding stands for (its own, and those folded into it) to
// the findings' positions.
func findingIndex(fs []diff.Finding) map[snapshot.ID][]int {
	out := map[snapshot.ID][]int{}
	add := func(kind, key string, i int) {
		k, err := snapshot.ParseKey(key)
		if err != nil {
			return
		}
		id := snapshot.ID{Kind: kind, Key: k}
		out[id] = append(out[id], i)
	}
	for i, f := range fs {
		add(f.Kind, f.Object, i)
		for _, folded := range f.Folded {
			if kind, key, ok := strings.Cut(folded, " "); ok {
				add(kind, key, i)
			}
		}
	}
	return out
}

func redactAll(red interface{ String(string) string }, ss []string) []string {
	for i := range ss {
		ss[i] = red.String(ss[i])
	}
	return ss
}

// languageName names a migration language in prose: "SQL", "Cypher".
func languageName(lang string) string {
	if lang == "sql" {
		return "SQL"
	}
	if lang == "" {
		return "statements"
	}
	return strings.ToUpper(lang[:1]) + lang[1:]
}
