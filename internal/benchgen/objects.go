package benchgen

import (
	"fmt"
	"strings"
)

// preamble emits what tables depend on: roles, schemas, enums, a domain, a sequence and the
// trigger functions of every schema.
func (g *Generator) preamble() {
	for _, role := range []string{ReaderRole, WriterRole} {
		// Roles are shared by every database of the server: create them once, tolerating a
		// concurrent creation by another load.
		g.line("DO $$\nBEGIN\n    CREATE ROLE %s NOLOGIN;\nEXCEPTION WHEN duplicate_object OR unique_violation THEN\n    NULL;\nEND\n$$;", role)
	}
	for _, s := range g.schemas {
		g.line("CREATE SCHEMA %s;", s)
		g.line("COMMENT ON SCHEMA %s IS %s;", s, literal("The "+s+" domain."))
		g.line("GRANT USAGE ON SCHEMA %s TO %s, %s;", s, ReaderRole, WriterRole)
		g.line("CREATE TYPE %s.status AS ENUM ('pending', 'active', 'suspended', 'closed');", s)
		g.line("CREATE TYPE %s.priority AS ENUM ('low', 'normal', 'high', 'urgent');", s)
		g.line("CREATE DOMAIN %s.money_amount AS numeric(12,2) CONSTRAINT money_amount_nonnegative CHECK (VALUE >= 0);", s)
		g.line("CREATE SEQUENCE %s.document_number_seq AS bigint START WITH 1000 CACHE 20;", s)
		g.line(`CREATE FUNCTION %s.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;`, s)
		g.line(`CREATE FUNCTION %s.audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog
    AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE NOTICE 'audit: %% on %%.%%', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME;
        RETURN OLD;
    END IF;
    RAISE NOTICE 'audit: %% on %%.%%', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME;
    RETURN NEW;
END
$$;`, s)
		g.line("REVOKE EXECUTE ON FUNCTION %s.audit_row() FROM PUBLIC;", s)
		g.counts.Schemas++
		g.counts.Enums += 2
		g.counts.Domains++
		g.counts.Sequences++
		g.counts.Functions += 2
		g.counts.Comments++
		g.counts.Grants++
	}
}

// viewColumns are the columns a view shows when its table has them.
var viewColumns = []string{"name", "code", "title", "email", "amount", "total", "status", "priority", "is_active", "created_at", "updated_at"}

// view emits a view over t, joined to its first parent when it has one.
func (g *Generator) view(t table, fks []foreignKey, has map[string]bool) {
	r := &g.rng
	cols := []string{"t.id"}
	for _, c := range viewColumns {
		if has[c] {
			cols = append(cols, "t."+c)
		}
	}
	from := t.qualified() + " t"
	if len(fks) > 0 {
		cols = append(cols, "p.id AS parent_id")
		if has["created_at"] {
			cols = append(cols, "p.created_at AS parent_created_at")
		}
		from += fmt.Sprintf("\n    LEFT JOIN %s p ON p.id = t.%s", fks[0].parent.qualified(), fks[0].column)
	}
	var where []string
	if has["deleted_at"] {
		where = append(where, "t.deleted_at IS NULL")
	}
	if has["is_active"] {
		where = append(where, "t.is_active")
	}
	name := t.schema + ".v_" + t.name
	with := ""
	if r.chance(10) {
		with = " WITH (security_barrier = true)"
	}
	sql := fmt.Sprintf("CREATE VIEW %s%s AS\n  SELECT %s\n  FROM %s", name, with, strings.Join(cols, ", "), from)
	if len(where) > 0 {
		sql += "\n  WHERE " + strings.Join(where, " AND ")
	}
	g.line("%s;", sql)
	g.counts.Views++
	if r.chance(30) {
		g.line("COMMENT ON VIEW %s IS %s;", name, literal("Live rows of "+t.qualified()+"."))
		g.counts.Comments++
	}
	if r.chance(20) {
		g.line("GRANT SELECT ON %s TO %s;", name, ReaderRole)
		g.counts.Grants++
	}
}

// materializedView emits a daily roll-up of t, with an index.
func (g *Generator) materializedView(t table) {
	name := t.schema + ".mv_" + t.name + "_daily"
	g.line("CREATE MATERIALIZED VIEW %s AS\n  SELECT date_trunc('day', created_at) AS day, count(*) AS n\n  FROM %s\n  GROUP BY 1\nWITH NO DATA;", name, t.qualified())
	g.line("CREATE UNIQUE INDEX mv_%s_daily_day ON %s (day);", t.name, name)
	g.counts.MaterializedViews++
	g.counts.Indexes++
}

// function emits one routine over t; the kind rotates among an SQL function, a PL/pgSQL
// function, a set-returning SQL function and a PL/pgSQL procedure.
func (g *Generator) function(i int, t table, has map[string]bool) {
	r := &g.rng
	q := t.qualified()
	var sig string
	switch (i / 20) % 4 {
	case 0:
		sig = fmt.Sprintf("%s.count_%s(timestamp with time zone)", t.schema, t.name)
		g.line(`CREATE FUNCTION %s.count_%s(p_since timestamptz) RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT count(*) FROM %s WHERE created_at >= p_since
$$;`, t.schema, t.name, q)
	case 1:
		sig = fmt.Sprintf("%s.get_%s(%s)", t.schema, t.name, t.keyType)
		g.line(`CREATE FUNCTION %s.get_%s(p_id %s) RETURNS %s
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    result %s;
BEGIN
    SELECT * INTO result FROM %s WHERE id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION '%s %% not found', p_id USING ERRCODE = 'no_data_found';
    END IF;
    RETURN result;
END
$$;`, t.schema, t.name, t.keyType, q, q, q, t.name)
	case 2:
		sig = fmt.Sprintf("%s.recent_%s(integer)", t.schema, t.name)
		g.line(`CREATE FUNCTION %s.recent_%s(p_limit integer DEFAULT 50) RETURNS SETOF %s
    LANGUAGE sql STABLE
    AS $$
    SELECT * FROM %s ORDER BY created_at DESC LIMIT p_limit
$$;`, t.schema, t.name, q, q)
	default:
		cond := "created_at < p_before"
		if has["deleted_at"] {
			cond = "deleted_at IS NOT NULL AND deleted_at < p_before"
		}
		g.line(`CREATE PROCEDURE %s.purge_%s(p_before timestamptz)
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM %s WHERE %s;
END
$$;`, t.schema, t.name, q, cond)
		g.counts.Functions++
		if r.chance(50) {
			g.line("GRANT EXECUTE ON PROCEDURE %s.purge_%s(timestamptz) TO %s;", t.schema, t.name, WriterRole)
			g.counts.Grants++
		}
		return
	}
	g.counts.Functions++
	if r.chance(30) {
		g.line("COMMENT ON FUNCTION %s IS %s;", sig, literal("Reads "+q+"."))
		g.counts.Comments++
	}
	if r.chance(25) {
		g.line("GRANT EXECUTE ON FUNCTION %s TO %s;", sig, ReaderRole)
		g.counts.Grants++
	}
}
