package fixsql

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// A "partitioning" object sums up how a partitioned table's partitions depart from it. It has
// no SQL of its own: it comes and goes with its table's PARTITION BY, and its issues are fixed
// on the partitions, which are compared one by one only with partitions: all.

// createPartitioning: the table's CREATE TABLE … PARTITION BY makes it.
func createPartitioning(g *gen, t *snapshot.Object) {
	if g.fresh[snapshot.ID{Kind: "table", Key: t.Key}] != nil {
		if how, ok := t.Attrs.Get("nonconforming"); ok && !hasPartitions(g.to, t.Key) {
			// The table is made, but what its partitions hold of their own is not known by name.
			g.cannot(t, "its partitions are not compared one by one: set partitions: all to get the SQL for each partition ("+how+")")
		}
		return
	}
	g.cannot(t, "the table is not partitioned here, and a table cannot become partitioned in place: create the table anew, move the data and swap the names")
}

// dropPartitioning: dropping the table drops it.
func dropPartitioning(g *gen, f *snapshot.Object) {
	if g.gone[snapshot.ID{Kind: "table", Key: f.Key}] != nil {
		return
	}
	g.cannot(f, "the table is partitioned here, and a table cannot stop being partitioned in place: create the table anew, move the data and swap the names")
}

// alterPartitioning: the partitions' own fixes make the change when they are compared as tables
// (partitions: all); otherwise drift does not know their names and cannot write it.
func alterPartitioning(g *gen, f, t *snapshot.Object) {
	if hasPartitions(g.to, t.Key) || hasPartitions(g.from, f.Key) {
		s := g.add(createPhase, rankNote, t, "")
		s.notes = append(s.notes, "partitioning "+t.Key.String()+" is made by the statements on its partitions")
		return
	}
	how := t.Attrs.Value("nonconforming")
	if how == "" {
		how = "they conform here; on the other side: " + f.Attrs.Value("nonconforming")
	}
	g.cannot(t, "its partitions are not compared one by one: set partitions: all to get the SQL for each partition ("+how+")")
}

// partitionSummaryNaming returns the partitioned table (or tables, comma separated) whose
// partitions' summary on the from side holds text: what a partition has of its own that a
// statement of the fix may run into, when partitions are not compared one by one.
func (g *gen) partitionSummaryNaming(text string) string {
	var who []string
	for _, p := range g.from.ofKind("partitioning") {
		if strings.Contains(p.Attrs.Value("nonconforming"), text) {
			who = append(who, p.Key.String())
		}
	}
	return strings.Join(who, ", ")
}

// partitionsOf lists the side's partitions of a partitioned table (those compared as tables),
// read once per side.
func (s *side) partitionsOf(parent snapshot.Key) []snapshot.Key {
	if s.partitions == nil {
		s.partitions = map[snapshot.Key][]snapshot.Key{}
		for _, t := range s.ofKind("table") {
			if p, ok := t.Attrs.Get("partition_of"); ok {
				for _, k := range s.tableList(p) {
					s.partitions[k] = append(s.partitions[k], t.Key)
				}
			}
		}
	}
	return s.partitions[parent]
}

// hasPartitions says whether the side holds a partition of the table as a table of its own.
func hasPartitions(s *side, parent snapshot.Key) bool { return len(s.partitionsOf(parent)) > 0 }
