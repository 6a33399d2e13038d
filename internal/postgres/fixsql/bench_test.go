package fixsql

import (
	"fmt"
	"testing"

	"github.com/drift-schema/drift/internal/snapshot"
)

// benchSnapshots builds a live-like schema of n tables (ten columns, a primary key, two
// indexes, a foreign key, a check, owner grants, a view over every tenth table) and a copy
// drifted the way cmd/drift-bench drifts it: one table in ten retyped, an index fewer and a
// column more; one in fifty gone.
func benchSnapshots(n int) (live, drifted *snapshot.Snapshot) {
	live, drifted = snapshot.New(snapshot.EnginePostgres), snapshot.New(snapshot.EnginePostgres)
	add := func(gone, changed bool, o snapshot.Object) {
		live.Add(o)
		if gone {
			return
		}
		if changed && o.Kind == "index" && o.Key.Name()[len(o.Key.Name())-1] == '1' {
			return
		}
		if changed && o.Kind == "column" && o.Key.Sub() == "c0" {
			o.Attrs = o.Attrs.Clone()
			o.Attrs.Set("type", "bigint")
		}
		drifted.Add(o)
	}
	for s := range 8 {
		schema := fmt.Sprintf("s%d", s)
		o := snapshot.Object{Kind: "schema", Key: snapshot.Named(schema)}
		live.Add(o)
		drifted.Add(o)
	}
	for i := range n {
		schema := fmt.Sprintf("s%d", i%8)
		name := fmt.Sprintf("t%05d", i)
		k := snapshot.NewKey(schema, name)
		gone, changed := i%50 == 0, i%10 == 0 && i%50 != 0
		add(gone, changed, snapshot.Object{Kind: "table", Key: k, Parent: snapshot.Named(schema),
			Attrs: snapshot.NewAttrs("persistence", "permanent", "replica_identity", "default", "rls_enabled", "false", "rls_forced", "false")})
		for c := range 10 {
			attrs := snapshot.NewAttrs("type", "integer", "not_null", "false", "position", fmt.Sprint(c+1))
			if c == 0 {
				attrs.Set("not_null", "true")
				attrs.Set("default", fmt.Sprintf("nextval('%s.%s_c0_seq'::regclass)", schema, name))
			}
			add(gone, changed, snapshot.Object{Kind: "column", Key: snapshot.NewKey(schema, name, fmt.Sprintf("c%d", c)), Parent: k, Attrs: attrs})
		}
		add(gone, changed, snapshot.Object{Kind: "sequence", Key: snapshot.NewKey(schema, name+"_c0_seq"), Parent: snapshot.Named(schema),
			Attrs: snapshot.NewAttrs("type", "integer", "start", "1", "increment", "1", "min", "1", "max", "2147483647", "cache", "1", "cycle", "false", "owned_by", schema+"."+name+".c0")})
		add(gone, changed, snapshot.Object{Kind: "constraint", Key: snapshot.NewKey(schema, name, name+"_pkey"), Parent: k,
			Attrs: snapshot.NewAttrs("type", "primary key", "definition", "PRIMARY KEY (c0)")})
		add(gone, changed, snapshot.Object{Kind: "constraint", Key: snapshot.NewKey(schema, name, name+"_c1_check"), Parent: k,
			Attrs: snapshot.NewAttrs("type", "check", "definition", "CHECK ((c1 > 0))")})
		if i > 0 {
			ref := fmt.Sprintf("s%d.t%05d", (i-1)%8, i-1)
			add(gone, changed, snapshot.Object{Kind: "constraint", Key: snapshot.NewKey(schema, name, name+"_c2_fkey"), Parent: k,
				Attrs: snapshot.NewAttrs("type", "foreign key", "definition", "FOREIGN KEY (c2) REFERENCES "+ref+"(c0)")})
		}
		for x := range 2 {
			idx := fmt.Sprintf("%s_c%d_idx%d", name, x+3, x)
			add(gone, changed, snapshot.Object{Kind: "index", Key: snapshot.NewKey(schema, idx), Parent: k,
				Attrs: snapshot.NewAttrs("definition", fmt.Sprintf("CREATE INDEX %s ON %s.%s USING btree (c%d)", idx, schema, name, x+3), "valid", "true")})
		}
		for _, p := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"} {
			pk := k.WithDetail("<owner>:" + p)
			add(gone, changed, snapshot.Object{Kind: "privilege", Key: pk, Parent: k,
				Attrs: snapshot.NewAttrs("grantable", "false", "grantee", "<owner>", "on", k.String(), "on_kind", "table", "privilege", p)})
		}
		if i%10 == 0 {
			v := snapshot.NewKey(schema, "v_"+name)
			def := fmt.Sprintf(" SELECT %s.c0,\n    %s.c1\n   FROM %s.%s;", name, name, schema, name)
			add(gone, false, snapshot.Object{Kind: "view", Key: v, Parent: snapshot.Named(schema), Attrs: snapshot.NewAttrs("definition", def)})
			for c := range 2 {
				add(gone, changed, snapshot.Object{Kind: "column", Key: snapshot.NewKey(schema, "v_"+name, fmt.Sprintf("c%d", c)), Parent: v,
					Attrs: snapshot.NewAttrs("type", "integer", "not_null", "false", "position", fmt.Sprint(c+1))})
			}
		}
		if changed {
			drifted.Add(snapshot.Object{Kind: "column", Key: snapshot.NewKey(schema, name, "extra"), Parent: k,
				Attrs: snapshot.NewAttrs("type", "text", "not_null", "false", "position", "99")})
		}
	}
	if err := live.Normalize(); err != nil {
		panic(err)
	}
	if err := drifted.Normalize(); err != nil {
		panic(err)
	}
	return live, drifted
}

// BenchmarkGenerate10000 writes the fix between a 10,000-table schema and its drifted copy.
func BenchmarkGenerate10000(b *testing.B) {
	live, drifted := benchSnapshots(10000)
	b.ResetTimer()
	for b.Loop() {
		Generate(live, drifted, Options{Online: true})
	}
}
