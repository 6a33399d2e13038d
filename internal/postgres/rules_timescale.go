package postgres

import (
	"github.com/drift-schema/drift/internal/postgres/timescale"
	"github.com/drift-schema/drift/internal/snapshot"
)

// missingRetention reports a TimescaleDB retention policy: without it nothing drops old chunks.
func missingRetention(o snapshot.Object) bool {
	return o.Kind == "job" && o.Key.Sub() == timescale.JobRetention
}

// jobSubject names a TimescaleDB job by what it serves, never by its ID (which differs between
// any two databases): "public.metrics retention policy", "public.metrics_hourly refresh
// policy", "custom job public.tidy with config {"keep": 5}".
func jobSubject(o snapshot.Object) string {
	k := o.Key
	if k.Sub() == timescale.JobCustom {
		s := "custom job " + snapshot.NewKey(k.Schema(), k.Name()).String()
		if c := k.Detail(); c != "" && c != "{}" {
			s += " with config " + c
		}
		return s
	}
	return snapshot.NewKey(k.Schema(), k.Name()).String() + " " + k.Sub() + " policy"
}
