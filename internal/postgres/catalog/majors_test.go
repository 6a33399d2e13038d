package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

// pg18SQL uses what PostgreSQL 18 added to the catalog: virtual generated columns, NOT NULL
// constraints in pg_constraint (named, and NOT VALID), and NOT ENFORCED constraints.
const pg18SQL = `
CREATE TABLE public.p (id int PRIMARY KEY, price numeric NOT NULL, qty int CONSTRAINT qty_nn NOT NULL,
  total numeric GENERATED ALWAYS AS (price * qty) VIRTUAL,
  stored numeric GENERATED ALWAYS AS (price * 2) STORED,
  CONSTRAINT price_positive CHECK (price > 0) NOT ENFORCED);
CREATE TABLE public.c (id int, p_id int, note text,
  CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES public.p (id) NOT ENFORCED);
ALTER TABLE public.c ADD CONSTRAINT note_nn NOT NULL note NOT VALID;
CREATE TABLE public.parted (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.parted_1 PARTITION OF public.parted FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
`

// TestPostgres18CatalogAdditions: each addition is read where it exists, and two databases made
// by the same SQL read the same.
func TestPostgres18CatalogAdditions(t *testing.T) {
	t.Parallel()
	if m := pgtest.ServerMajor(t); m < 18 {
		t.Skipf("PostgreSQL %d has no virtual generated columns, NOT NULL constraints in pg_constraint or NOT ENFORCED constraints", m)
	}
	a, b := snap(t, build(t, pg18SQL), Options{}), snap(t, build(t, pg18SQL), Options{})
	requireSameObjects(t, a, b)

	require.Equal(t, "virtual", find(a, "column", "public.p.total").Attrs.Value("generated_kind"))
	require.False(t, find(a, "column", "public.p.stored").Attrs.Has("generated_kind"), "a stored column reads as before 18")
	require.Equal(t, "true", find(a, "column", "public.p.qty").Attrs.Value("not_null"))
	// NOT NULL is the column's attribute, never a constraint object as well: no double finding.
	for _, key := range keysOf(a, "constraint") {
		require.NotContains(t, key, "_nn", "a NOT NULL constraint read as a constraint object")
		require.NotContains(t, key, "not_null")
	}
	require.Contains(t, find(a, "constraint", "public.p.price_positive").Attrs.Value("definition"), "NOT ENFORCED")
	require.Contains(t, find(a, "constraint", "public.c.c_p_fk").Attrs.Value("definition"), "NOT ENFORCED")

	// The same table, with the generated column stored and the check enforced, reads otherwise.
	other := snap(t, build(t, strings.NewReplacer("(price * qty) VIRTUAL", "(price * qty) STORED", "CHECK (price > 0) NOT ENFORCED", "CHECK (price > 0)").Replace(pg18SQL)), Options{})
	require.False(t, find(other, "column", "public.p.total").Attrs.Has("generated_kind"))
	require.NotContains(t, find(other, "constraint", "public.p.price_positive").Attrs.Value("definition"), "NOT ENFORCED")
}

// requireSameObjects fails when two snapshots differ in any object or attribute.
func requireSameObjects(t *testing.T, a, b *snapshot.Snapshot) {
	t.Helper()
	require.Equal(t, len(a.Objects), len(b.Objects))
	for _, o := range a.Objects {
		p := find(b, o.Kind, o.Key.String())
		require.NotNil(t, p, "%s %s", o.Kind, o.Key)
		require.Equal(t, o.Attrs.Map(), p.Attrs.Map(), "%s %s", o.Kind, o.Key)
	}
}
