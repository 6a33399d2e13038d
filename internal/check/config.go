package check

import (
	"time"

	"github.com/drift-schema/drift/internal/config"
)

// TargetsFrom turns a config's targets into the targets the runner checks: paths resolved
// against the config file, the target's ignore and severity rules ahead of the global ones (so
// a target can narrow a global rule).
func TargetsFrom(cfg *config.Config, targets []config.Target) []Target {
	out := make([]Target, 0, len(targets))
	for _, t := range targets {
		out = append(out, Target{
			Name:              t.Name,
			Engine:            t.Engine,
			DSN:               t.DSN.Value(),
			Expected:          t.Expected,
			SnapshotPath:      cfg.SnapshotPath(t),
			MigrationsDir:     cfg.Resolve(t.Migrations),
			Migrations:        t.Migrations,
			Schemas:           t.Schemas,
			ColumnOrder:       t.ColumnOrder,
			ComparePartitions: t.Partitions == config.PartitionsAll,
			TrackingTable:     t.Tracking.Table,
			TrackingColumn:    t.Tracking.Column,
			ReplaySettings:    t.ReplaySettings,
			ReplayPrelude:     t.ReplayPrelude,
			Placeholders:      t.Placeholders,
			Timeout:           time.Duration(t.Timeout),
			Ignore:            append(config.IgnoreRules(t.Ignore), config.IgnoreRules(cfg.Ignore)...),
			Severities:        append(config.SeverityRules(t.Severity), config.SeverityRules(cfg.Severity)...),
		})
	}
	return out
}
