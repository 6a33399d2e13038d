package postgres

import (
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/postgres/fixsql"
	"github.com/drift-schema/drift/internal/snapshot"
)

var _ engine.Fixer = (*Engine)(nil)

// Fix writes the SQL that turns from into to (see internal/postgres/fixsql). Constraints and
// indexes whose names PostgreSQL generated differently are renamed, as the comparison pairs
// them.
func (e *Engine) Fix(from, to *snapshot.Snapshot, o engine.FixOptions) ([]engine.Statement, error) {
	return fixsql.Generate(from, to, fixsql.Options{
		Online:          o.Online,
		ColumnOrder:     o.ColumnOrder,
		RenameSignature: Rules{}.RenameSignature,
	}), nil
}

// LineComment is SQL's.
func (e *Engine) LineComment() string { return "--" }
