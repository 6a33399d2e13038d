package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/postgres/shadow"
	"github.com/drift-schema/drift/internal/snapshot"
)

// replaySettings turns a target's replay_settings into the shadow's settings, in name order.
func replaySettings(m map[string]string) []shadow.Setting {
	out := make([]shadow.Setting, 0, len(m))
	for name, value := range m {
		out = append(out, shadow.Setting{Name: name, Value: value})
	}
	slices.SortFunc(out, func(a, b shadow.Setting) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// codeWarning says which migrations of the set are code drift cannot replay, or "".
func codeWarning(set *migrations.Set) string {
	if len(set.Code) == 0 {
		return ""
	}
	var versions []string
	for _, m := range set.Code {
		versions = append(versions, m.Version+" ("+m.File+")")
	}
	return fmt.Sprintf("the expected schema may be incomplete: %d migration(s) are code that drift cannot replay, "+
		"so whatever they change is missing from it: %s", len(set.Code), strings.Join(versions, ", "))
}

// trackingPrelude creates the live tracking table in the shadow database, with the live
// table's columns, when a migration refers to it (some sets alter or fill their tool's table):
// on live it existed before they ran. Nothing when no migration names it.
func trackingPrelude(applied *migrations.Applied, ms []migrations.Migration) []string {
	if !applied.Found() || len(applied.Columns) == 0 {
		return nil
	}
	schema, name, _ := strings.Cut(applied.Table, ".")
	mentioned := false
	for _, m := range ms {
		if strings.Contains(strings.ToLower(string(m.Content)), strings.ToLower(name)) {
			mentioned = true
			break
		}
	}
	if !mentioned {
		return nil
	}
	return []string{
		"CREATE SCHEMA IF NOT EXISTS " + pgx.Identifier{schema}.Sanitize(),
		"CREATE TABLE IF NOT EXISTS " + pgx.Identifier{schema, name}.Sanitize() + " (" + strings.Join(applied.Columns, ", ") + ")",
	}
}

// withoutTable returns a copy of s without a table and everything that hangs off it (columns,
// constraints, indexes, triggers, grants, comments, owned sequences): the migration tool's
// tracking table, found under a name drift does not leave out by itself. s is not changed (it
// may be a cached snapshot).
func withoutTable(s *snapshot.Snapshot, qualified string) *snapshot.Snapshot {
	schema, name, ok := strings.Cut(qualified, ".")
	if !ok || s == nil {
		return s
	}
	table := snapshot.NewKey(schema, name)
	prefix := qualified + "."
	out := *s
	out.Objects = slices.DeleteFunc(slices.Clone(s.Objects), func(o snapshot.Object) bool {
		switch {
		case keySchema(o.Key) == schema && keyName(o.Key) == name:
			return true
		case o.Parent == table:
			return true
		case o.Kind == "sequence" && strings.HasPrefix(o.Attrs.Value("owned_by"), prefix):
			return true
		}
		return false
	})
	// A schema a tool made for its history table alone (flyway, supabase_migrations) goes
	// with it, grants and comment included.
	if schema == "public" || slices.ContainsFunc(out.Objects, func(o snapshot.Object) bool { return keySchema(o.Key) == schema }) {
		return &out
	}
	out.Objects = slices.DeleteFunc(out.Objects, func(o snapshot.Object) bool {
		return keySchema(o.Key) == "" && keyName(o.Key) == schema && (o.Kind == "schema" || o.Kind == "privilege" || o.Kind == "comment")
	})
	return &out
}

// keySchema and keyName read a key's parts; they are the one place this file does, so that a
// change of snapshot.Key's representation touches them alone.
func keySchema(k snapshot.Key) string { return k.Schema() }
func keyName(k snapshot.Key) string   { return k.Name() }

// pendingFailure replays the pending migrations on a copy of the expected schema and reports
// the first one that fails as a critical finding: the next deploy would stop there.
func pendingFailure(ctx context.Context, opts shadow.BuildOptions, set *migrations.Set, applied, pending []migrations.Migration) (*diff.Finding, error) {
	opts.Cache = nil
	re, err := shadow.CheckPending(ctx, opts, set, applied, pending)
	if err != nil || re == nil {
		return nil, err
	}
	object := re.File
	for _, m := range pending {
		if m.File == re.File && m.Version != "" {
			object = m.Version
		}
	}
	where := re.File
	if re.Line > 0 {
		where = fmt.Sprintf("%s, line %d", re.File, re.Line)
	}
	return &diff.Finding{
		Kind:     migrations.FindingKind,
		Object:   object,
		Change:   diff.Changed,
		Severity: diff.Critical,
		Summary:  fmt.Sprintf("pending migration %s would fail on this database (%s): %s", object, where, re.Err),
		Actual:   re.Error(),
	}, nil
}
