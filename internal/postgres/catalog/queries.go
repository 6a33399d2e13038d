package catalog

// The catalog queries, one per object kind, read in a single round trip (see batch.go).
//
// Conventions that every query follows:
//   - pg_catalog only, rendered by the server's deparsers; search_path is '' while they run, so
//     every deparsed name outside pg_catalog comes out schema-qualified.
//   - Every column is text (the batch asks for text results) and is read by its name: kind;
//     key_schema, key_name and key_sub the object's key (snapshot.Key); parent_schema,
//     parent_name and parent_sub its parent's key; attnum a column's number (turned into its position); every
//     other column is an attribute of that name. A NULL attribute is left out of the object.
//   - Key parts are raw names (no identifier quoting): snapshot.Key keeps them apart and
//     renders them.
//   - Text sorted inside an aggregate is sorted COLLATE "C", so two databases with different
//     default collations render the same list.
//   - Parameters: $1 the schemas to read (empty: all), $2 table names left out in every schema,
//     $3 and $4 the schemas and names of the caller's excluded tables, $5 whether partitions
//     are compared, $6 the columns (comma separated) a $2 table must have to be left out,
//     pairwise with $2. A query uses a prefix of
//     them; the number sent is counted from the SQL.
//
// Exclusions live in the shared CTEs below so that every kind excludes the same things: system
// schemas, TimescaleDB internals, extension members (pg_depend deptype 'e', matched with the
// classid of the catalog the object lives in), migration-tracking and drift's own tables and
// everything that hangs off them.

// extCTE lists the objects that belong to something else and are therefore never reported on
// their own: extension members, and the constructor functions PostgreSQL creates with a range
// type. Each use picks a catalog's rows by classid. It is found through pg_depend's index on the
// referenced object (the few extensions, the few range types), so its cost follows the number
// of members, not the size of pg_depend. Every use is a NOT EXISTS, which PostgreSQL plans as a
// hash anti-join against this small set (NOT IN could not be: NULL semantics), and whose row
// estimate stays right, so the joins above it are planned for the real number of objects.
const extCTE = `ext AS MATERIALIZED (
  SELECT d.classid, d.objid
  FROM pg_depend d
  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
    AND d.refobjid IN (SELECT e.oid FROM pg_extension e)
  UNION ALL
  SELECT d.classid, d.objid
  FROM pg_depend d
  WHERE d.refclassid = 'pg_type'::regclass AND d.classid = 'pg_proc'::regclass AND d.deptype = 'i'
    AND d.refobjid IN (SELECT t.oid FROM pg_type t WHERE t.typtype IN ('r', 'm'))
)`

// nsCTE lists the schemas to read: not system, not TimescaleDB internals, not created by an
// extension, and among $1 when that is not empty. Names starting with pg_ are reserved for the
// system (CREATE SCHEMA refuses them), which covers pg_catalog, pg_toast and the pg_temp_N /
// pg_toast_temp_N schemas of other sessions.
//
// A migration tool's own schema (toolSchemas: Drizzle's drizzle, Sqitch's sqitch, …) is left
// out too when it holds its tool's tracking tables and nothing else: the tool creates it when it
// runs, not the migrations, so a database built from the migration files has none.
const nsCTE = `ns AS (
  SELECT n.oid, n.nspname, n.nspowner, n.nspacl
  FROM pg_namespace n
  WHERE n.nspname !~ '^pg_'
    AND n.nspname !~ '^_timescaledb_'
    AND n.nspname NOT IN ('information_schema', 'timescaledb_information', 'timescaledb_experimental')
    AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_namespace'::regclass AND ext.objid = n.oid)
    AND CASE WHEN n.nspname IN (` + toolSchemas + `) THEN
      NOT (EXISTS (SELECT FROM pg_class c WHERE c.relnamespace = n.oid AND ` + isTrackingTable + `)
           AND NOT EXISTS (SELECT FROM pg_class c
                           WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
                             AND NOT (` + isTrackingTable + `))
           AND NOT EXISTS (SELECT FROM pg_proc p WHERE p.pronamespace = n.oid)
           AND NOT EXISTS (SELECT FROM pg_type t WHERE t.typnamespace = n.oid AND t.typtype IN ('e', 'd', 'r', 'm')))
    ELSE true END
)`

// toolSchemas are the schemas migration tools create for their tracking tables (see nsCTE).
const toolSchemas = `'drizzle', 'sqitch', 'graphile_migrate', 'supabase_migrations', 'atlas_schema_revisions'`

// isTrackingTable holds for a table c that is a migration tracking table or one of drift's own
// store tables ($2) by its name and the columns its tool gives it ($6, pairwise): one of the
// entries of its name whose columns it all has (two tools may use one name).
const isTrackingTable = `c.relkind IN ('r', 'p') AND c.relname = ANY ($2::name[])
    AND EXISTS (
      SELECT FROM unnest($2::name[], $6::text[]) AS t(rel, cols)
      WHERE t.rel = c.relname
        AND NOT EXISTS (SELECT FROM unnest(string_to_array(t.cols, ',')) AS need(col)
                        WHERE NOT EXISTS (SELECT FROM pg_attribute a
                                          WHERE a.attrelid = c.oid AND a.attname = need.col AND a.attnum > 0 AND NOT a.attisdropped)))`

// goneCTE lists the tables left out: migration tracking tables and drift's own store tables
// ($2) in every schema, found through pg_class's name index, when they have their tool's
// columns ($6); the caller's exclusions ($3 schemas and $4 tables, pairwise), looked up by
// name; and partitions unless $5 is true.
const goneCTE = `gone AS MATERIALIZED (
  SELECT c.oid
  FROM pg_class c
  WHERE ` + isTrackingTable + `
  UNION
  SELECT to_regclass(format('%I.%I', x.nsp, x.rel))::oid
  FROM unnest($3::text[], $4::text[]) AS x(nsp, rel)
  WHERE to_regclass(format('%I.%I', x.nsp, x.rel)) IS NOT NULL
  UNION
  -- Partitions, unless $5 asks to compare them: applications and pg_partman create them at
  -- run time (partitionsSQL checks that they conform to their parent instead).
  SELECT c.oid
  FROM pg_class c
  WHERE c.relispartition AND c.relkind IN ('r', 'p', 'f') AND NOT $5::boolean
)`

// relCTE lists the relations to read (tables, partitions, views, materialized views and the
// relations behind composite types) with the columns the queries need, leaving out extension
// members (classid pg_class, or pg_type for a composite type's relation) and gone tables.
// Sequences are read by seqCTE.
const relCTE = `rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relowner, c.relacl, c.reltype, c.relpersistence,
         c.relrowsecurity, c.relforcerowsecurity, c.relispartition, c.relpartbound, c.reloptions,
         c.relreplident, c.relam, ns.nspname
  FROM pg_class c
  JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'c')
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = c.reltype)
    AND NOT EXISTS (SELECT FROM gone WHERE gone.oid = c.oid)
)`

// seqCTE lists the sequences to read: not extension members, not identity sequences (the
// column's identity attribute covers them), not owned by a gone table. The sequence-to-column
// links are few (one per serial or identity column) and found from the sequences' side.
const seqCTE = `seq AS (
  SELECT c.oid, c.relname, c.relowner, c.relacl, ns.nspname,
         d.refobjid AS owner_table, d.refobjsubid AS owner_column
  FROM pg_class c
  JOIN ns ON ns.oid = c.relnamespace
  LEFT JOIN LATERAL (
    SELECT d.deptype, d.refobjid, d.refobjsubid
    FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.objsubid = 0
      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    LIMIT 1
  ) d ON true
  WHERE c.relkind = 'S'
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
    AND (d.deptype IS NULL OR (d.deptype = 'a' AND NOT EXISTS (SELECT FROM gone WHERE gone.oid = d.refobjid)))
)`

// typCTE lists the user-defined types drift models: enums, domains, ranges and stand-alone
// composite types (not the row types of tables), leaving out extension members.
const typCTE = `typ AS (
  SELECT t.oid, t.typname, t.typtype, t.typowner, t.typacl, t.typbasetype, t.typtypmod,
         t.typnotnull, t.typdefaultbin, t.typcollation, ns.nspname
  FROM pg_type t
  JOIN ns ON ns.oid = t.typnamespace
  WHERE (t.typtype IN ('e', 'd', 'r')
         OR (t.typtype = 'c' AND t.typrelid IN (SELECT c.oid FROM pg_class c WHERE c.relkind = 'c')))
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
)`

// procCTE lists functions and procedures (aggregates and window functions are reported as
// unsupported), keyed by name and argument types: "public.touch(bigint)". Argument names are
// not part of the key; they are part of the definition.
const procCTE = `proc AS (
  SELECT p.oid, p.prokind, p.proowner, p.proacl, p.prosecdef, p.prolang, ns.nspname,
         p.proname || '(' || coalesce((
           SELECT string_agg(format_type(a.t, NULL), ', ' ORDER BY a.o)
           FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, o)), '') || ')' AS name
  FROM pg_proc p
  JOIN ns ON ns.oid = p.pronamespace
  WHERE p.prokind IN ('f', 'p')
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
)`

// with joins the common table expressions a query needs, in dependency order.
func with(ctes ...string) string {
	out := "WITH "
	for i, c := range ctes {
		if i > 0 {
			out += ",\n"
		}
		out += c
	}
	return out + "\n"
}

// guardSQL reads the server version and proves the transaction is what Introspect asked for.
const guardSQL = `SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS server_version_num,
  current_setting('transaction_read_only') AS read_only, current_setting('transaction_isolation') AS isolation`

var schemasSQL = with(extCTE, nsCTE) + `SELECT 'schema' AS kind, ns.nspname AS key_name FROM ns`

// Extensions are database-wide, so they are listed whatever the schema filter says.
const extensionsSQL = `SELECT 'extension' AS kind, e.extname AS key_name, n.nspname AS schema, e.extversion AS version
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace`

// A partition bound holds only constants, so it is deparsed without the table as context.
var tablesSQL = with(extCTE, nsCTE, goneCTE, relCTE, `inh AS (
  SELECT i.inhrelid, string_agg(pn.nspname || '.' || p.relname, ', ' ORDER BY i.inhseqno) AS parents
  FROM pg_inherits i
  JOIN pg_class p ON p.oid = i.inhparent
  JOIN pg_namespace pn ON pn.oid = p.relnamespace
  GROUP BY i.inhrelid
)`) + `SELECT 'table' AS kind, r.nspname AS key_schema, r.relname AS key_name, r.nspname AS parent_name,
  CASE r.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END AS persistence,
  r.relrowsecurity::text AS rls_enabled,
  r.relforcerowsecurity::text AS rls_forced,
  CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END AS partition_key,
  CASE WHEN r.relispartition THEN inh.parents END AS partition_of,
  CASE WHEN r.relispartition THEN pg_get_expr(r.relpartbound, 0) END AS partition_bound,
  CASE WHEN NOT r.relispartition THEN inh.parents END AS inherits,
  (SELECT string_agg(o, ', ' ORDER BY o COLLATE "C") FROM unnest(r.reloptions) AS o) AS reloptions,
  CASE r.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full'
    WHEN 'i' THEN 'index ' || coalesce((SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                                        WHERE i.indrelid = r.oid AND i.indisreplident), '?') END AS replica_identity,
  CASE WHEN am.amname <> 'heap' THEN am.amname END AS access_method
FROM rel r
LEFT JOIN inh ON inh.inhrelid = r.oid
LEFT JOIN pg_am am ON am.oid = r.relam
WHERE r.relkind IN ('r', 'p')`

// collationName renders a collation the way it is written: bare when it lives in pg_catalog,
// schema-qualified otherwise. It is a subquery evaluated only for the rare non-default one.
func collationName(oid string) string {
	return `(SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname ELSE cn.nspname || '.' || co.collname END
     FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = ` + oid + `)`
}

// Columns of tables, views, materialized views and composite types. A default cannot refer to a
// column, so it is deparsed without the table as context (relid 0): with it, pg_get_expr would
// build the table's relation cache entry just to resolve names that never occur. Generated
// columns do refer to columns and get their table. The last column is attnum,
// which is not an attribute: the reader turns it into position, the ordinal among live columns
// (attnum keeps the holes of dropped columns), without a sort or window over every column here.
var columnsSQL = with(extCTE, nsCTE, goneCTE, relCTE) + `SELECT 'column' AS kind, r.nspname AS key_schema, r.relname AS key_name, a.attname AS key_sub,
  r.nspname AS parent_schema, r.relname AS parent_name,
  format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull::text AS not_null,
  -- A NULL constant, cast or not, is no default (pg_dump writes DEFAULT NULL::timestamp for
  -- some columns).
  CASE WHEN a.attgenerated = '' THEN (SELECT x.e FROM (SELECT pg_get_expr(ad.adbin, 0) AS e) AS x
    WHERE x.e !~ '` + nullDefault + `') END AS default,
  CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity,
  -- The options of an identity column's sequence, which is otherwise not read (its name is
  -- generated): found through pg_depend's index on the column, for identity columns only. Two
  -- lookups by index, not a join: with nested loops off (see batch.go) a join here is a hash
  -- of all of pg_sequence per identity column (1.9 s instead of 0.5 s at 10,000 tables).
  CASE WHEN a.attidentity <> '' THEN (
    SELECT format('start %s increment %s minvalue %s maxvalue %s cache %s%s', q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache,
                  CASE WHEN q.seqcycle THEN ' cycle' ELSE '' END)
    FROM pg_sequence q
    WHERE q.seqrelid = (SELECT d.objid FROM pg_depend d
                        WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
                          AND d.classid = 'pg_class'::regclass AND d.deptype = 'i' LIMIT 1)) END AS identity_sequence,
  CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated,
  -- PostgreSQL 18's virtual generated columns (attgenerated 'v'); stored ones, the only kind
  -- before 18, carry no such attribute, so their snapshots are unchanged.
  CASE WHEN a.attgenerated = 'v' THEN 'virtual' END AS generated_kind,
  CASE WHEN a.attcollation <> t.typcollation THEN ` + collationName("a.attcollation") + ` END AS collation,
  a.attnum::text AS attnum
FROM rel r
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE r.relkind IN ('r', 'p', 'v', 'm', 'c')`

// Table constraints and domain constraints. NOT NULL constraints (contype 'n', PostgreSQL 18)
// are covered by the column's not_null attribute.
var constraintsSQL = with(extCTE, nsCTE, goneCTE, relCTE, typCTE) + `SELECT 'constraint' AS kind, r.nspname AS key_schema, r.relname AS key_name, co.conname AS key_sub,
  r.nspname AS parent_schema, r.relname AS parent_name,
  CASE co.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key'
    WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' WHEN 't' THEN 'trigger' END AS type,
  pg_get_constraintdef(co.oid) AS definition
FROM pg_constraint co
JOIN rel r ON r.oid = co.conrelid
WHERE co.contype IN ('p', 'u', 'f', 'c', 'x', 't') AND r.relkind IN ('r', 'p')
  -- A foreign key to a partitioned table gets one internal copy per referenced partition on the
  -- same referencing table, with names generated in partition-creation order: the parent
  -- constraint stands for them.
  AND NOT (co.conparentid <> 0 AND EXISTS (SELECT FROM pg_constraint pc WHERE pc.oid = co.conparentid AND pc.conrelid = co.conrelid))
UNION ALL
SELECT 'constraint', ty.nspname, ty.typname, co.conname, ty.nspname, ty.typname, 'check', pg_get_constraintdef(co.oid)
FROM pg_constraint co
JOIN typ ty ON ty.oid = co.contypid
WHERE co.contype = 'c'`

// Indexes that no constraint owns (the constraint stands for those).
var indexesSQL = with(extCTE, nsCTE, goneCTE, relCTE) + `SELECT 'index' AS kind, r.nspname AS key_schema, ic.relname AS key_name,
  r.nspname AS parent_schema, r.relname AS parent_name,
  pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid::text AS valid
FROM pg_index i
JOIN rel r ON r.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE r.relkind IN ('r', 'p', 'm')
  AND NOT EXISTS (SELECT FROM pg_constraint co
                  WHERE co.conrelid = i.indrelid AND co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x'))`

var viewsSQL = with(extCTE, nsCTE, goneCTE, relCTE) + `SELECT CASE r.relkind WHEN 'v' THEN 'view' ELSE 'materialized_view' END AS kind,
  r.nspname AS key_schema, r.relname AS key_name, r.nspname AS parent_name,
  pg_get_viewdef(r.oid, true) AS definition,
  (SELECT string_agg(o, ', ' ORDER BY o COLLATE "C") FROM unnest(r.reloptions) AS o) AS options
FROM rel r
WHERE r.relkind IN ('v', 'm')`

var sequencesSQL = with(extCTE, nsCTE, goneCTE, seqCTE) + `SELECT 'sequence' AS kind, s.nspname AS key_schema, s.relname AS key_name, s.nspname AS parent_name,
  format_type(q.seqtypid, NULL) AS type, q.seqstart::text AS start, q.seqincrement::text AS increment,
  q.seqmin::text AS min, q.seqmax::text AS max, q.seqcache::text AS cache, q.seqcycle::text AS cycle,
  (SELECT tn.nspname || '.' || t.relname || '.' || a.attname
   FROM pg_class t
   JOIN pg_namespace tn ON tn.oid = t.relnamespace
   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = s.owner_column
   WHERE t.oid = s.owner_table) AS owned_by
FROM seq s
JOIN pg_sequence q ON q.seqrelid = s.oid`

var functionsSQL = with(extCTE, nsCTE, procCTE) + `SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind,
  p.nspname AS key_schema, p.name AS key_name, p.nspname AS parent_name,
  pg_get_functiondef(p.oid) AS definition, p.prosecdef::text AS security_definer, l.lanname AS language,
  CASE pp.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END AS volatility,
  pp.proisstrict::text AS strict, pp.proleakproof::text AS leakproof,
  CASE pp.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END AS parallel,
  (SELECT string_agg(c, ', ' ORDER BY c COLLATE "C") FROM unnest(pp.proconfig) AS c) AS config,
  -- Whom a SECURITY DEFINER function runs as is what it may do; other functions' owners say
  -- nothing about their behaviour. The database owner, who ran the migrations, is shown as
  -- <database owner> so that it reads the same on a shadow database.
  CASE WHEN p.prosecdef THEN CASE WHEN p.proowner = (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database())
    THEN '<database owner>' ELSE pg_get_userbyid(p.proowner) END END AS runs_as
FROM proc p
JOIN pg_proc pp ON pp.oid = p.oid
JOIN pg_language l ON l.oid = p.prolang`

// User triggers: internal ones (foreign keys, deferred uniqueness) are part of their
// constraint.
var triggersSQL = with(extCTE, nsCTE, goneCTE, relCTE) + `SELECT 'trigger' AS kind, r.nspname AS key_schema, r.relname AS key_name, t.tgname AS key_sub,
  r.nspname AS parent_schema, r.relname AS parent_name, pg_get_triggerdef(t.oid) AS definition,
  CASE t.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END AS enabled
FROM pg_trigger t
JOIN rel r ON r.oid = t.tgrelid
WHERE NOT t.tgisinternal`

var typesSQL = with(extCTE, nsCTE, typCTE, `labels AS (
  SELECT e.enumtypid, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) AS labels
  FROM pg_enum e
  GROUP BY e.enumtypid
)`) + `SELECT 'type' AS kind, ty.nspname AS key_schema, ty.typname AS key_name, ty.nspname AS parent_name,
  CASE ty.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite' WHEN 'r' THEN 'range' END AS type,
  labels.labels,
  CASE WHEN ty.typtype = 'd' THEN format_type(ty.typbasetype, ty.typtypmod) END AS base_type,
  CASE WHEN ty.typtype = 'd' THEN ty.typnotnull::text END AS not_null,
  CASE WHEN ty.typtype = 'd' THEN pg_get_expr(ty.typdefaultbin, 0) END AS default,
  CASE WHEN ty.typtype = 'd' AND ty.typcollation <> bt.typcollation THEN ` + collationName("ty.typcollation") + ` END AS collation,
  format_type(rg.rngsubtype, NULL) AS subtype
FROM typ ty
LEFT JOIN labels ON labels.enumtypid = ty.oid
LEFT JOIN pg_range rg ON rg.rngtypid = ty.oid
LEFT JOIN pg_type bt ON bt.oid = ty.typbasetype`

var policiesSQL = with(extCTE, nsCTE, goneCTE, relCTE) + `SELECT 'policy' AS kind, r.nspname AS key_schema, r.relname AS key_name, p.polname AS key_sub,
  r.nspname AS parent_schema, r.relname AS parent_name,
  CASE p.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END AS command,
  p.polpermissive::text AS permissive,
  (SELECT string_agg(g.name, ', ' ORDER BY g.name COLLATE "C")
   FROM (SELECT CASE WHEN x.oid = 0 THEN 'PUBLIC' ELSE coalesce(ro.rolname, 'unknown role') END AS name
         FROM unnest(p.polroles) AS x(oid)
         LEFT JOIN pg_roles ro ON ro.oid = x.oid) AS g) AS roles,
  pg_get_expr(p.polqual, p.polrelid) AS using,
  pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
FROM pg_policy p
JOIN rel r ON r.oid = p.polrelid`

// relKind names a pg_class relkind the way findings do.
const relKind = `CASE r.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view' ELSE 'table' END`

// Privileges: one row per object (its key's schema, name and sub) with its ACL as text, a NULL ACL folded into acldefault()
// (what it means), and the owner's name so the reader can show the owner as <owner>. The reader
// (acl.go) splits each ACL into one privilege object per (grantee, privilege): doing that here
// with aclexplode and a GROUP BY costs the server several times more than the parse costs drift.
// Column ACLs have no default: a NULL one means no column grants, and the few columns with one
// are found by a single pass over pg_attribute.
var privilegesSQL = with(extCTE, nsCTE, goneCTE, relCTE, seqCTE, typCTE, procCTE) + `SELECT r.nspname AS key_schema, r.relname AS key_name, NULL AS key_sub, ` + relKind + ` AS on_kind, pg_get_userbyid(r.relowner) AS owner,
  coalesce(r.relacl, acldefault('r', r.relowner))::text AS acl
FROM rel r
WHERE r.relkind IN ('r', 'p', 'v', 'm')
UNION ALL
SELECT s.nspname, s.relname, NULL, 'sequence', pg_get_userbyid(s.relowner), coalesce(s.relacl, acldefault('s', s.relowner))::text
FROM seq s
UNION ALL
SELECT r.nspname, r.relname, a.attname, 'column', pg_get_userbyid(r.relowner), a.attacl::text
FROM pg_attribute a
JOIN rel r ON r.oid = a.attrelid
WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p', 'v', 'm')
UNION ALL
SELECT p.nspname, p.name, NULL, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, pg_get_userbyid(p.proowner),
  coalesce(p.proacl, acldefault('f', p.proowner))::text
FROM proc p
UNION ALL
SELECT NULL, ns.nspname, NULL, 'schema', pg_get_userbyid(ns.nspowner), coalesce(ns.nspacl, acldefault('n', ns.nspowner))::text
FROM ns
UNION ALL
SELECT ty.nspname, ty.typname, NULL, 'type', pg_get_userbyid(ty.typowner), coalesce(ty.typacl, acldefault('T', ty.typowner))::text
FROM typ ty`

// Comments, keyed like the object they describe. Each branch starts from the comments on one
// catalog (pg_description holds few rows besides the built-in objects' comments) and keeps
// those on objects drift reads.
var commentsSQL = with(extCTE, nsCTE, goneCTE, relCTE, seqCTE, typCTE, procCTE, `d AS MATERIALIZED (
  SELECT d.classoid, d.objoid, d.objsubid, d.description FROM pg_description d
)`) + `SELECT 'comment' AS kind, o.schema AS key_schema, o.name AS key_name, o.sub AS key_sub,
  o.schema AS parent_schema, o.name AS parent_name, o.sub AS parent_sub, o.on_kind, o.description AS text FROM (
  SELECT NULL AS schema, ns.nspname AS name, NULL AS sub, 'schema' AS on_kind, d.description
  FROM d JOIN ns ON ns.oid = d.objoid
  WHERE d.classoid = 'pg_namespace'::regclass
  UNION ALL
  SELECT NULL, e.extname, NULL, 'extension', d.description
  FROM d JOIN pg_extension e ON e.oid = d.objoid
  WHERE d.classoid = 'pg_extension'::regclass
  UNION ALL
  SELECT r.nspname, r.relname, NULL, ` + relKind + `, d.description
  FROM d JOIN rel r ON r.oid = d.objoid
  WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0 AND r.relkind IN ('r', 'p', 'v', 'm')
  UNION ALL
  SELECT s.nspname, s.relname, NULL, 'sequence', d.description
  FROM d JOIN seq s ON s.oid = d.objoid
  WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0
  UNION ALL
  SELECT r.nspname, r.relname, a.attname, 'column', d.description
  FROM d
  JOIN rel r ON r.oid = d.objoid
  JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
  WHERE d.classoid = 'pg_class'::regclass AND d.objsubid > 0
  UNION ALL
  SELECT r.nspname, ic.relname, NULL, 'index', d.description
  FROM d
  JOIN pg_index i ON i.indexrelid = d.objoid
  JOIN rel r ON r.oid = i.indrelid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0
  UNION ALL
  SELECT coalesce(r.nspname, ty.nspname), coalesce(r.relname, ty.typname), co.conname, 'constraint', d.description
  FROM d
  JOIN pg_constraint co ON co.oid = d.objoid
  LEFT JOIN rel r ON r.oid = co.conrelid AND co.conrelid <> 0
  LEFT JOIN typ ty ON ty.oid = co.contypid AND co.contypid <> 0
  WHERE d.classoid = 'pg_constraint'::regclass AND (r.oid IS NOT NULL OR ty.oid IS NOT NULL)
  UNION ALL
  SELECT p.nspname, p.name, NULL, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, d.description
  FROM d JOIN proc p ON p.oid = d.objoid
  WHERE d.classoid = 'pg_proc'::regclass
  UNION ALL
  SELECT r.nspname, r.relname, t.tgname, 'trigger', d.description
  FROM d
  JOIN pg_trigger t ON t.oid = d.objoid
  JOIN rel r ON r.oid = t.tgrelid
  WHERE d.classoid = 'pg_trigger'::regclass AND NOT t.tgisinternal
  UNION ALL
  SELECT ty.nspname, ty.typname, NULL, 'type', d.description
  FROM d JOIN typ ty ON ty.oid = d.objoid
  WHERE d.classoid = 'pg_type'::regclass
  UNION ALL
  SELECT r.nspname, r.relname, p.polname, 'policy', d.description
  FROM d
  JOIN pg_policy p ON p.oid = d.objoid
  JOIN rel r ON r.oid = p.polrelid
  WHERE d.classoid = 'pg_policy'::regclass
) AS o`

// unsupportedSQL names what drift sees but does not model, so that it is flagged rather than
// silently dropped. Extension members are left out here too, and so are built-in objects
// (OIDs below FirstNormalObjectId, 16384) of the database-wide catalogs.
var unsupportedSQL = with(extCTE, nsCTE) + `SELECT 'window function' AS kind,
       ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS key_name
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE p.prokind = 'w'
  AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
UNION ALL
SELECT 'base type', ns.nspname || '.' || t.typname
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
WHERE t.typtype = 'b' AND t.typcategory <> 'A'
  AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
UNION ALL
SELECT 'operator', ns.nspname || '.' || o.oprname || '(' || format_type(o.oprleft, NULL) || ', ' || format_type(o.oprright, NULL) || ')'
FROM pg_operator o JOIN ns ON ns.oid = o.oprnamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_operator'::regclass AND ext.objid = o.oid)
UNION ALL
SELECT 'operator class', ns.nspname || '.' || oc.opcname
FROM pg_opclass oc JOIN ns ON ns.oid = oc.opcnamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_opclass'::regclass AND ext.objid = oc.oid)
UNION ALL
SELECT 'operator family', ns.nspname || '.' || f.opfname
FROM pg_opfamily f JOIN ns ON ns.oid = f.opfnamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_opfamily'::regclass AND ext.objid = f.oid)
UNION ALL
SELECT 'conversion', ns.nspname || '.' || cv.conname
FROM pg_conversion cv JOIN ns ON ns.oid = cv.connamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_conversion'::regclass AND ext.objid = cv.oid)
UNION ALL
SELECT 'text search parser', ns.nspname || '.' || pr.prsname
FROM pg_ts_parser pr JOIN ns ON ns.oid = pr.prsnamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_ts_parser'::regclass AND ext.objid = pr.oid)
UNION ALL
SELECT 'text search template', ns.nspname || '.' || tm.tmplname
FROM pg_ts_template tm JOIN ns ON ns.oid = tm.tmplnamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_ts_template'::regclass AND ext.objid = tm.oid)
UNION ALL
SELECT 'foreign-data wrapper', w.fdwname
FROM pg_foreign_data_wrapper w
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_foreign_data_wrapper'::regclass AND ext.objid = w.oid)
UNION ALL
SELECT 'access method', am.amname
FROM pg_am am
WHERE am.oid >= 16384 AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_am'::regclass AND ext.objid = am.oid)
UNION ALL
SELECT 'procedural language', l.lanname
FROM pg_language l
WHERE l.oid >= 16384 AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_language'::regclass AND ext.objid = l.oid)
UNION ALL
SELECT 'transform', format_type(tr.trftype, NULL) || ' (' || l.lanname || ')'
FROM pg_transform tr JOIN pg_language l ON l.oid = tr.trflang
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_transform'::regclass AND ext.objid = tr.oid)`
