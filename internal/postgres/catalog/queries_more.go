package catalog

// The catalog queries of the object kinds beyond tables, columns, constraints, indexes, views,
// sequences, functions, triggers, types, policies, grants and comments (queries.go): rules,
// event triggers, aggregates, publications, default privileges, casts, collations, text search
// configurations and dictionaries, foreign servers, user mappings, foreign tables and extended
// statistics. They follow the conventions of queries.go.
//
// Columns that exist in some PostgreSQL majors only are read through to_jsonb(row) ->> 'name',
// which is NULL where the column does not exist, so one query serves every major.

// secretOption renders one "name=value" option of a foreign server or table with the value
// replaced when its name says it is a secret. User mappings hide every value (optionsNamesOnly).
const secretOption = `CASE WHEN split_part(o, '=', 1) ~* '(pass|secret|token|key|cred)' THEN split_part(o, '=', 1) || '=<redacted>' ELSE o END`

// optionList renders an options array (srvoptions, ftoptions) sorted, secrets redacted.
func optionList(col string) string {
	return `(SELECT string_agg(` + secretOption + `, ', ' ORDER BY o COLLATE "C") FROM unnest(` + col + `) AS o)`
}

// Rules other than a view's own _RETURN rule, keyed by their table.
var rulesSQL = with(extCTE, nsCTE, goneCTE, relCTE) + `SELECT 'rule' AS kind, r.nspname AS key_schema, r.relname AS key_name, rw.rulename AS key_sub,
  r.nspname AS parent_schema, r.relname AS parent_name,
  pg_get_ruledef(rw.oid) AS definition,
  CASE rw.ev_enabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END AS enabled
FROM pg_rewrite rw
JOIN rel r ON r.oid = rw.ev_class
WHERE rw.rulename <> '_RETURN'`

// Event triggers are database-wide.
var eventTriggersSQL = with(extCTE) + `SELECT 'event_trigger' AS kind, e.evtname AS key_name,
  e.evtevent AS event,
  (SELECT string_agg(tag, ', ' ORDER BY tag COLLATE "C") FROM unnest(e.evttags) AS tag) AS tags,
  e.evtfoid::regprocedure::text AS function,
  CASE e.evtenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END AS enabled
FROM pg_event_trigger e
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_event_trigger'::regclass AND ext.objid = e.oid)`

// aggCTE lists the user's aggregates, keyed like functions.
const aggCTE = `agg AS (
  SELECT p.oid, p.proowner, p.proacl, p.proparallel, ns.nspname,
         p.proname || '(' || coalesce((
           SELECT string_agg(format_type(a.t, NULL), ', ' ORDER BY a.o)
           FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, o)), '') || ')' AS name
  FROM pg_proc p
  JOIN ns ON ns.oid = p.pronamespace
  WHERE p.prokind = 'a'
    AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
)`

// Aggregates: every part of CREATE AGGREGATE, support functions by name (qualified unless in
// pg_catalog: search_path is empty).
var aggregatesSQL = with(extCTE, nsCTE, aggCTE) + `SELECT 'aggregate' AS kind, g.nspname AS key_schema, g.name AS key_name, g.nspname AS parent_name,
  pg_get_function_arguments(g.oid) AS arguments,
  CASE a.aggkind WHEN 'n' THEN 'normal' WHEN 'o' THEN 'ordered-set' WHEN 'h' THEN 'hypothetical-set' END AS aggregate_kind,
  a.aggtransfn::regproc::text AS sfunc,
  format_type(a.aggtranstype, NULL) AS stype,
  nullif(a.aggtransspace, 0)::text AS sspace,
  nullif(a.aggfinalfn, 0)::regproc::text AS finalfunc,
  CASE WHEN a.aggfinalextra THEN 'true' END AS finalfunc_extra,
  CASE WHEN a.aggfinalfn <> 0 THEN to_jsonb(a) ->> 'aggfinalmodify' END AS finalfunc_modify,
  nullif(a.aggcombinefn, 0)::regproc::text AS combinefunc,
  nullif(a.aggserialfn, 0)::regproc::text AS serialfunc,
  nullif(a.aggdeserialfn, 0)::regproc::text AS deserialfunc,
  a.agginitval AS initcond,
  nullif(a.aggmtransfn, 0)::regproc::text AS msfunc,
  nullif(a.aggminvtransfn, 0)::regproc::text AS minvfunc,
  CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END AS mstype,
  nullif(a.aggmfinalfn, 0)::regproc::text AS mfinalfunc,
  a.aggminitval AS minitcond,
  nullif(a.aggsortop, 0)::regoperator::text AS sortop,
  CASE g.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END AS parallel
FROM agg g
JOIN pg_aggregate a ON a.aggfnoid = g.oid`

// publicationsSQL reads publications: what they publish and, for a list of tables, which
// tables (with their column list and row filter on PostgreSQL 15 and later) and schemas
// (FOR TABLES IN SCHEMA, PostgreSQL 15 and later: schemas is the expression listing them).
func publicationsSQL(major int) string {
	schemas := "NULL"
	if major >= 15 {
		schemas = `(SELECT string_agg(n.nspname, ', ' ORDER BY n.nspname COLLATE "C")
   FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = p.oid)`
	}
	return with(extCTE) + `SELECT 'publication' AS kind, p.pubname AS key_name,
  p.puballtables::text AS all_tables,
  concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
    CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END) AS publish,
  p.pubviaroot::text AS via_root,
  (SELECT string_agg(t.item, ', ' ORDER BY t.item COLLATE "C") FROM (
     SELECT format('%I.%I', n.nspname, c.relname)
              || CASE WHEN to_jsonb(pr) ->> 'prattrs' IS NOT NULL
                   THEN ' (' || (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(to_jsonb(pt) -> 'attnames') AS x) || ')' ELSE '' END
              || coalesce(' WHERE ' || (to_jsonb(pt) ->> 'rowfilter'), '') AS item
     FROM pg_publication_rel pr
     JOIN pg_class c ON c.oid = pr.prrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_publication_tables pt ON pt.pubname = p.pubname AND pt.schemaname = n.nspname AND pt.tablename = c.relname
     WHERE pr.prpubid = p.oid) AS t) AS tables,
  ` + schemas + ` AS schemas
FROM pg_publication p
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_publication'::regclass AND ext.objid = p.oid)`
}

// Default privileges (ALTER DEFAULT PRIVILEGES): one row per entry with its ACL and, for an
// entry that applies in every schema (it replaces the built-in default), that built-in default,
// so the reader can tell what was granted from what was revoked.
var defaultPrivilegesSQL = `SELECT n.nspname AS key_schema, pg_get_userbyid(d.defaclrole) AS key_name,
  CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
    WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' WHEN 'L' THEN 'large objects' ELSE d.defaclobjtype::text END AS on_kind,
  d.defaclacl::text AS acl,
  CASE WHEN d.defaclnamespace = 0 AND d.defaclobjtype IN ('r', 'S', 'f', 'T', 'n') THEN
    acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END, d.defaclrole)::text END AS builtin
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
WHERE d.defaclnamespace = 0 OR n.nspname !~ '^pg_'`

// User-defined casts (built-in ones have OIDs below FirstNormalObjectId, 16384; those that
// CREATE TYPE ... AS RANGE makes for its multirange depend on the type internally).
var castsSQL = with(extCTE) + `SELECT 'cast' AS kind, '(' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ')' AS key_name,
  CASE c.castmethod WHEN 'f' THEN c.castfunc::regprocedure::text WHEN 'i' THEN 'WITH INOUT' ELSE 'WITHOUT FUNCTION' END AS method,
  CASE c.castcontext WHEN 'e' THEN 'explicit' WHEN 'a' THEN 'assignment' WHEN 'i' THEN 'implicit' END AS context
FROM pg_cast c
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_cast'::regclass AND ext.objid = c.oid)
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid AND d.deptype = 'i')`

// Collations. The locale columns moved between majors (colliculocale in 15 and 16, colllocale
// from 17), hence to_jsonb. Before 15 an ICU collation kept its locale in collcollate and
// collctype: it is read as the locale there, as later majors store it.
var collationsSQL = with(extCTE, nsCTE) + `SELECT 'collation' AS kind, ns.nspname AS key_schema, co.collname AS key_name, ns.nspname AS parent_name,
  CASE co.collprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' WHEN 'd' THEN 'default' END AS provider,
  co.collisdeterministic::text AS deterministic,
  CASE WHEN NOT j.icu_before_15 THEN nullif(j.doc ->> 'collcollate', '') END AS lc_collate,
  CASE WHEN NOT j.icu_before_15 THEN nullif(j.doc ->> 'collctype', '') END AS lc_ctype,
  nullif(coalesce(j.doc ->> 'colllocale', j.doc ->> 'colliculocale', CASE WHEN j.icu_before_15 THEN j.doc ->> 'collcollate' END), '') AS locale,
  nullif(j.doc ->> 'collicurules', '') AS rules
FROM pg_collation co
CROSS JOIN LATERAL (SELECT to_jsonb(co) AS doc,
  co.collprovider = 'i' AND NOT (to_jsonb(co) ? 'colllocale' OR to_jsonb(co) ? 'colliculocale') AS icu_before_15) AS j
JOIN ns ON ns.oid = co.collnamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_collation'::regclass AND ext.objid = co.oid)`

// Text search configurations: their parser and token-to-dictionary mappings.
var textSearchConfigsSQL = with(extCTE, nsCTE) + `SELECT 'text_search_configuration' AS kind, ns.nspname AS key_schema, c.cfgname AS key_name, ns.nspname AS parent_name,
  (SELECT CASE WHEN pn.nspname = 'pg_catalog' THEN pr.prsname ELSE pn.nspname || '.' || pr.prsname END
   FROM pg_ts_parser pr JOIN pg_namespace pn ON pn.oid = pr.prsnamespace WHERE pr.oid = c.cfgparser) AS parser,
  (SELECT string_agg(m.item, '; ' ORDER BY m.tok) FROM (
     SELECT mp.maptokentype AS tok,
            (SELECT tt.alias FROM ts_token_type(c.cfgparser) AS tt WHERE tt.tokid = mp.maptokentype) || ': ' ||
            string_agg(mp.mapdict::regdictionary::text, ', ' ORDER BY mp.mapseqno) AS item
     FROM pg_ts_config_map mp
     WHERE mp.mapcfg = c.oid
     GROUP BY mp.maptokentype) AS m) AS mappings
FROM pg_ts_config c
JOIN ns ON ns.oid = c.cfgnamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_ts_config'::regclass AND ext.objid = c.oid)`

// Text search dictionaries: their template and options.
var textSearchDictionariesSQL = with(extCTE, nsCTE) + `SELECT 'text_search_dictionary' AS kind, ns.nspname AS key_schema, d.dictname AS key_name, ns.nspname AS parent_name,
  (SELECT CASE WHEN tn.nspname = 'pg_catalog' THEN tm.tmplname ELSE tn.nspname || '.' || tm.tmplname END
   FROM pg_ts_template tm JOIN pg_namespace tn ON tn.oid = tm.tmplnamespace WHERE tm.oid = d.dicttemplate) AS template,
  d.dictinitoption AS options
FROM pg_ts_dict d
JOIN ns ON ns.oid = d.dictnamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_ts_dict'::regclass AND ext.objid = d.oid)`

// Foreign servers and user mappings. Option values that may be secrets are never read out:
// a server's options named like a password, token or key, and every option of a user mapping
// (pg_user_mappings shows them only to the server's owner anyway).
var foreignServersSQL = with(extCTE) + `SELECT 'foreign_server' AS kind, s.srvname AS key_name, NULL AS key_detail, NULL AS parent_name,
  w.fdwname AS wrapper, s.srvtype AS type, s.srvversion AS version, ` + optionList("s.srvoptions") + ` AS options
FROM pg_foreign_server s
JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_foreign_server'::regclass AND ext.objid = s.oid)
UNION ALL
SELECT 'user_mapping', m.srvname, m.usename, m.srvname, NULL, NULL, NULL,
  (SELECT string_agg(split_part(o, '=', 1) || '=<redacted>', ', ' ORDER BY o COLLATE "C") FROM unnest(m.umoptions) AS o)
FROM pg_user_mappings m
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_foreign_server'::regclass AND ext.objid = m.srvid)`

// Foreign tables, with their server, options and columns (in order: some wrappers map columns
// by position).
var foreignTablesSQL = with(extCTE, nsCTE, goneCTE) + `SELECT 'foreign_table' AS kind, ns.nspname AS key_schema, c.relname AS key_name, ns.nspname AS parent_name,
  s.srvname AS server, ` + optionList("ft.ftoptions") + ` AS options,
  (SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod))
            || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
            || coalesce(' DEFAULT ' || pg_get_expr(ad.adbin, 0), '')
            || coalesce(' OPTIONS (' || (SELECT string_agg(` + secretOption + `, ', ' ORDER BY o COLLATE "C") FROM unnest(a.attfdwoptions) AS o) || ')', ''),
          ', ' ORDER BY a.attnum)
   FROM pg_attribute a
   LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
FROM pg_class c
JOIN ns ON ns.oid = c.relnamespace
JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
JOIN pg_foreign_server s ON s.oid = ft.ftserver
WHERE c.relkind = 'f'
  AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
  AND NOT EXISTS (SELECT FROM gone WHERE gone.oid = c.oid)`

// Extended statistics objects (CREATE STATISTICS), keyed by name, owned by their table.
var statisticsSQL = with(extCTE, nsCTE, goneCTE) + `SELECT 'statistics' AS kind, ns.nspname AS key_schema, s.stxname AS key_name,
  tn.nspname AS parent_schema, t.relname AS parent_name,
  pg_get_statisticsobjdef(s.oid) AS definition,
  nullif(to_jsonb(s) ->> 'stxstattarget', '-1') AS statistics_target
FROM pg_statistic_ext s
JOIN ns ON ns.oid = s.stxnamespace
JOIN pg_class t ON t.oid = s.stxrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_statistic_ext'::regclass AND ext.objid = s.oid)
  AND NOT EXISTS (SELECT FROM gone WHERE gone.oid = s.stxrelid)`

// Privileges on the objects above that carry an ACL: aggregates, foreign servers and foreign
// tables (read like privilegesSQL).
var morePrivilegesSQL = with(extCTE, nsCTE, goneCTE, aggCTE) + `SELECT g.nspname AS key_schema, g.name AS key_name, NULL AS key_sub, 'aggregate' AS on_kind,
  pg_get_userbyid(g.proowner) AS owner, coalesce(g.proacl, acldefault('f', g.proowner))::text AS acl
FROM agg g
UNION ALL
SELECT NULL, s.srvname, NULL, 'foreign_server', pg_get_userbyid(s.srvowner), coalesce(s.srvacl, acldefault('S', s.srvowner))::text
FROM pg_foreign_server s
WHERE NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_foreign_server'::regclass AND ext.objid = s.oid)
UNION ALL
SELECT ns.nspname, c.relname, NULL, 'foreign_table', pg_get_userbyid(c.relowner), coalesce(c.relacl, acldefault('r', c.relowner))::text
FROM pg_class c
JOIN ns ON ns.oid = c.relnamespace
WHERE c.relkind = 'f'
  AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
  AND NOT EXISTS (SELECT FROM gone WHERE gone.oid = c.oid)`

// nullDefault matches a default that is a NULL constant, cast or not.
const nullDefault = `^NULL(::[[:alnum:]_ ."]+(\([0-9, ]+\))?(\[\])*)?$`

// Partitioned tables and how their partitions (at every level) depart from their parent: what
// each partition has that its parent does not give it, or lacks (column defaults included:
// a partition keeps its own). The issues are listed without
// the partitions' names, which are made at run time (events_2025_03_14), so a partition created
// tomorrow that conforms changes nothing, and one that does not is reported however it is named.
var partitionsSQL = with(extCTE, nsCTE, goneCTE, relCTE) + `SELECT 'partitioning' AS kind, r.nspname AS key_schema, r.relname AS key_name,
  r.nspname AS parent_schema, r.relname AS parent_name,
  (SELECT string_agg(y.issue, '; ' ORDER BY y.issue COLLATE "C") FROM (SELECT DISTINCT x.issue FROM (
     SELECT 'a partition lacks the index ' || pic.relname AS issue
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_index pi ON pi.indrelid = pt.parentrelid
     JOIN pg_class pic ON pic.oid = pi.indexrelid
     WHERE pt.level > 0
       AND NOT EXISTS (SELECT FROM pg_inherits ii JOIN pg_index ci ON ci.indexrelid = ii.inhrelid
                       WHERE ii.inhparent = pi.indexrelid AND ci.indrelid = pt.relid)
     UNION ALL
     SELECT 'a partition has an index of its own: ' ||
            regexp_replace(pg_get_indexdef(ci.indexrelid), '^CREATE (UNIQUE )?INDEX \S+ ON \S+ ', 'CREATE \1INDEX ON <partition> ')
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_index ci ON ci.indrelid = pt.relid
     WHERE pt.level > 0 AND NOT EXISTS (SELECT FROM pg_inherits ii WHERE ii.inhrelid = ci.indexrelid)
     UNION ALL
     SELECT 'a partition has a constraint of its own: ' || pg_get_constraintdef(co.oid)
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_constraint co ON co.conrelid = pt.relid
     WHERE pt.level > 0 AND co.conislocal AND co.coninhcount = 0 AND co.contype IN ('c', 'f', 'u', 'p', 'x')
     UNION ALL
     SELECT 'a partition has a trigger of its own: ' || t.tgname
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_trigger t ON t.tgrelid = pt.relid
     WHERE pt.level > 0 AND NOT t.tgisinternal AND (to_jsonb(t) ->> 'tgparentid') = '0'
     UNION ALL
     -- Policies are never inherited: one on a partition applies when it is queried directly.
     SELECT 'a partition has a policy of its own: ' || p.polname
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_policy p ON p.polrelid = pt.relid
     WHERE pt.level > 0
     UNION ALL
     SELECT CASE
              WHEN d.relowner <> q.relowner THEN 'a partition is owned by ' || pg_get_userbyid(d.relowner) || ', its parent by ' || pg_get_userbyid(q.relowner)
            END
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_class d ON d.oid = pt.relid
     JOIN pg_class q ON q.oid = pt.parentrelid
     WHERE pt.level > 0 AND d.relowner <> q.relowner
     UNION ALL
     SELECT 'a partition has other grants than its parent'
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_class d ON d.oid = pt.relid
     JOIN pg_class q ON q.oid = pt.parentrelid
     WHERE pt.level > 0 AND d.relowner = q.relowner
       AND coalesce(d.relacl, acldefault('r', d.relowner))::text <> coalesce(q.relacl, acldefault('r', q.relowner))::text
     UNION ALL
     SELECT CASE WHEN d.relpersistence = 'u' THEN 'a partition is UNLOGGED' ELSE 'a partition is logged, its parent UNLOGGED' END
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_class d ON d.oid = pt.relid
     JOIN pg_class q ON q.oid = pt.parentrelid
     WHERE pt.level > 0 AND d.relpersistence <> q.relpersistence
     UNION ALL
     SELECT 'a partition has its own default for column ' || a.attname || ': ' || coalesce(dd.e, 'none')
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_attribute a ON a.attrelid = pt.relid AND a.attnum > 0 AND NOT a.attisdropped
     JOIN pg_attribute pa ON pa.attrelid = pt.parentrelid AND pa.attname = a.attname
     LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     LEFT JOIN pg_attrdef pad ON pad.adrelid = pa.attrelid AND pad.adnum = pa.attnum
     -- A NULL constant is no default (pg_dump writes DEFAULT NULL::type on partitions).
     LEFT JOIN LATERAL (SELECT x.e FROM (SELECT pg_get_expr(ad.adbin, ad.adrelid) AS e) AS x WHERE x.e !~ '` + nullDefault + `') AS dd ON true
     LEFT JOIN LATERAL (SELECT x.e FROM (SELECT pg_get_expr(pad.adbin, pad.adrelid) AS e) AS x WHERE x.e !~ '` + nullDefault + `') AS pd ON true
     WHERE pt.level > 0 AND a.attgenerated = '' AND dd.e IS DISTINCT FROM pd.e
     UNION ALL
     SELECT 'a partition has row level security ' || CASE WHEN d.relrowsecurity THEN 'enabled' ELSE 'disabled' END || ', unlike its parent'
     FROM pg_partition_tree(r.oid) pt
     JOIN pg_class d ON d.oid = pt.relid
     JOIN pg_class q ON q.oid = pt.parentrelid
     WHERE pt.level > 0 AND d.relrowsecurity <> q.relrowsecurity
  ) AS x) AS y) AS nonconforming
FROM rel r
WHERE r.relkind = 'p' AND NOT r.relispartition`

// Comments on the objects above, keyed like the object they describe (see commentsSQL).
var moreCommentsSQL = with(extCTE, nsCTE, goneCTE, relCTE, aggCTE, `d AS MATERIALIZED (
  SELECT d.classoid, d.objoid, d.objsubid, d.description FROM pg_description d
)`) + `SELECT 'comment' AS kind, o.schema AS key_schema, o.name AS key_name, o.sub AS key_sub,
  o.schema AS parent_schema, o.name AS parent_name, o.sub AS parent_sub, o.on_kind, o.description AS text FROM (
  SELECT r.nspname AS schema, r.relname AS name, rw.rulename AS sub, 'rule' AS on_kind, d.description
  FROM d JOIN pg_rewrite rw ON rw.oid = d.objoid JOIN rel r ON r.oid = rw.ev_class
  WHERE d.classoid = 'pg_rewrite'::regclass AND rw.rulename <> '_RETURN'
  UNION ALL
  SELECT NULL, e.evtname, NULL, 'event_trigger', d.description
  FROM d JOIN pg_event_trigger e ON e.oid = d.objoid
  WHERE d.classoid = 'pg_event_trigger'::regclass
  UNION ALL
  SELECT g.nspname, g.name, NULL, 'aggregate', d.description
  FROM d JOIN agg g ON g.oid = d.objoid
  WHERE d.classoid = 'pg_proc'::regclass
  UNION ALL
  SELECT NULL, p.pubname, NULL, 'publication', d.description
  FROM d JOIN pg_publication p ON p.oid = d.objoid
  WHERE d.classoid = 'pg_publication'::regclass
  UNION ALL
  SELECT ns.nspname, co.collname, NULL, 'collation', d.description
  FROM d JOIN pg_collation co ON co.oid = d.objoid JOIN ns ON ns.oid = co.collnamespace
  WHERE d.classoid = 'pg_collation'::regclass
  UNION ALL
  SELECT ns.nspname, c.cfgname, NULL, 'text_search_configuration', d.description
  FROM d JOIN pg_ts_config c ON c.oid = d.objoid JOIN ns ON ns.oid = c.cfgnamespace
  WHERE d.classoid = 'pg_ts_config'::regclass
  UNION ALL
  SELECT ns.nspname, t.dictname, NULL, 'text_search_dictionary', d.description
  FROM d JOIN pg_ts_dict t ON t.oid = d.objoid JOIN ns ON ns.oid = t.dictnamespace
  WHERE d.classoid = 'pg_ts_dict'::regclass
  UNION ALL
  SELECT NULL, s.srvname, NULL, 'foreign_server', d.description
  FROM d JOIN pg_foreign_server s ON s.oid = d.objoid
  WHERE d.classoid = 'pg_foreign_server'::regclass
  UNION ALL
  SELECT ns.nspname, c.relname, NULL, 'foreign_table', d.description
  FROM d JOIN pg_class c ON c.oid = d.objoid JOIN ns ON ns.oid = c.relnamespace
  WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0 AND c.relkind = 'f'
    AND NOT EXISTS (SELECT FROM gone WHERE gone.oid = c.oid)
  UNION ALL
  SELECT ns.nspname, s.stxname, NULL, 'statistics', d.description
  FROM d JOIN pg_statistic_ext s ON s.oid = d.objoid JOIN ns ON ns.oid = s.stxnamespace
  WHERE d.classoid = 'pg_statistic_ext'::regclass
  UNION ALL
  SELECT NULL, '(' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ')', NULL, 'cast', d.description
  FROM d JOIN pg_cast c ON c.oid = d.objoid
  WHERE d.classoid = 'pg_cast'::regclass AND c.oid >= 16384
) AS o`
