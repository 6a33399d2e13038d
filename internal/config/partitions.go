package config

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// PartitionMode says how a target's partitions are compared: "parents" (the default, also
// written as nothing) or "all".
type PartitionMode string

// Partition modes.
const (
	// PartitionsParents compares partitioned tables and whether their partitions conform to
	// them, not the set of partitions, which applications and pg_partman change at run time.
	PartitionsParents PartitionMode = "parents"
	// PartitionsAll compares every partition as a table.
	PartitionsAll PartitionMode = "all"
)

// UnmarshalYAML accepts the two modes and nothing else.
func (m *PartitionMode) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	switch PartitionMode(s) {
	case "", PartitionsParents, PartitionsAll:
		*m = PartitionMode(s)
		return nil
	}
	return fmt.Errorf("line %d: partitions must be parents or all, not %q", n.Line, s)
}
