package fixsql

import (
	"strings"

	"github.com/drift-schema/drift/internal/snapshot"
)

// Collations are created before the types and columns that use them, and dropped after.
const (
	rankCollation     = 18
	rankDropCollation = 92
)

// createCollation writes CREATE COLLATION from the provider and locale settings the catalog
// recorded. PostgreSQL's own collations (provider default) are never created.
func createCollation(g *gen, t *snapshot.Object) {
	a := t.Attrs
	provider := a.Value("provider")
	if provider == "" || provider == "default" {
		g.cannot(t, "a collation of the database's default provider cannot be created")
		return
	}
	opts := []string{"provider = " + provider}
	if l, ok := a.Get("locale"); ok {
		opts = append(opts, "locale = "+quoteLiteral(l))
	} else {
		if c, ok := a.Get("lc_collate"); ok {
			opts = append(opts, "lc_collate = "+quoteLiteral(c))
		}
		if c, ok := a.Get("lc_ctype"); ok {
			opts = append(opts, "lc_ctype = "+quoteLiteral(c))
		}
	}
	if a.Value("deterministic") == "false" {
		opts = append(opts, "deterministic = false")
	}
	if r, ok := a.Get("rules"); ok {
		opts = append(opts, "rules = "+quoteLiteral(r))
	}
	g.add(createPhase, rankCollation, t, "CREATE COLLATION "+relName(t.Key)+" ("+strings.Join(opts, ", ")+");")
}

// dropCollation drops a collation without CASCADE: a column still using it makes the DROP fail
// rather than change its collation silently.
func dropCollation(g *gen, f *snapshot.Object) {
	g.add(dropPhase, rankDropCollation, f, "DROP COLLATION "+relName(f.Key)+";")
}

// alterCollation: a collation's settings cannot change in place.
func alterCollation(g *gen, f, t *snapshot.Object) {
	g.cannot(t, "a collation cannot be changed in place: create one with the new settings and move the columns that use it to it")
}
