package check

import (
	"fmt"

	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/snapshot"
)

// ReadExpected reads what the target's expected side needs, without connecting to anything:
// its migration set (described: "4 sql migrations, golang-migrate convention"), or its
// snapshot file, whose engine must be the target's ("snapshot <path>, 12 objects").
func (t Target) ReadExpected() (string, error) {
	if t.Expected == ExpectMigrations {
		set, err := migrations.LoadDir(t.MigrationsDir)
		if err != nil {
			return "", fmt.Errorf("migrations: %w", err)
		}
		return set.Describe(), nil
	}
	s, err := snapshot.ReadFile(t.SnapshotPath)
	if err != nil {
		return "", fmt.Errorf("expected snapshot: %w (write it with drift snapshot --target %s)", err, t.Name)
	}
	if s.Engine != "" && s.Engine != t.Engine {
		return "", fmt.Errorf("expected snapshot %s is of a %s schema, the target is %s", t.SnapshotPath, s.Engine, t.Engine)
	}
	return fmt.Sprintf("snapshot %s, %d objects", t.SnapshotPath, len(s.Objects)), nil
}
