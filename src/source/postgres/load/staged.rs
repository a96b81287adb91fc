//! A load over several connections. `schema.sql` runs in a staging schema;
//! the files are copied and the keys built there, several at a time; then one
//! short transaction drops the old tables and moves everything `schema.sql`
//! made into the target schema. Readers see the old tables or the new ones,
//! never a part, and a failure anywhere leaves the target as it was.
//!
//! Used only where moving gives the same database as running `schema.sql` in
//! place: it must create its objects where it is pointed (no schema-qualified
//! names), change nothing that already exists (no rows, comments, grants,
//! enum values or casts outside its own objects), and make only objects that
//! can be moved (tables that are not partitioned, views, sequences, enum,
//! domain and composite types, functions). Anything else loads in one
//! transaction as before.

use super::set_aside::SetAside;
use crate::source::sql_ident;
use postgres::Client;

/// The staging schema. One load per database runs at a time (an advisory
/// lock), so the name is fixed and a leftover from a killed load is dropped
/// by the next.
pub const STAGING: &str = "vcd_load";

/// The comment that marks the staging schema as vcd's: a schema of that name
/// without it is someone else's, never dropped (the load then takes the
/// one-transaction way).
const MARK: &str = "made by vcd load while it runs; dropped by the next load if left behind";

/// What [`prepare`] made: the schema to move into, the search path the
/// loading sessions use, and the keys and indexes the staged tables wait for.
pub struct Staged {
    pub target: String,
    pub search_path: String,
    pub set_aside: SetAside,
}

/// Takes the database's load lock for this session (waiting, with a note,
/// while another load holds it) and drops a staging schema a killed load left.
pub fn lock(client: &mut Client) -> Result<(), postgres::Error> {
    let free: bool = client.query_one("SELECT pg_try_advisory_lock(hashtext('vcd load'))", &[])?.get(0);
    if !free {
        eprintln!("waiting for another vcd load into this database to finish");
        client.batch_execute("SELECT pg_advisory_lock(hashtext('vcd load'))")?;
    }
    let ours: bool = client
        .query_one(
            "SELECT coalesce(obj_description(to_regnamespace($1), 'pg_namespace') = $2, false)",
            &[&STAGING, &MARK],
        )?
        .get(0);
    if ours {
        discard(client);
    }
    Ok(())
}

/// Every catalog row outside the staging schema that a statement could add,
/// change or drop (relations and their columns, indexes, triggers, rules and
/// policies; constraints, types and enum values, functions, casts, schemas,
/// extensions, default privileges, comments on objects not staged): how many
/// there are, and how many this transaction wrote (`age(xmin) <= 0`: its own
/// rows are 0, its subtransactions' (a `DO` block's exception handler) below;
/// a concurrent change counts too, and only makes the load take the
/// one-transaction way). TOAST tables are left out: the staged tables' own
/// land in `pg_toast`.
const OUTSIDE: &str = "
WITH stage AS (SELECT to_regnamespace('vcd_load') AS ns),
rels AS (
    SELECT c.oid, c.xmin FROM pg_class c, stage
    WHERE c.relnamespace IS DISTINCT FROM stage.ns AND c.relnamespace <> 'pg_toast'::regnamespace
), staged AS (
    SELECT c.oid FROM pg_class c, stage WHERE c.relnamespace = stage.ns
    UNION ALL SELECT t.oid FROM pg_type t, stage WHERE t.typnamespace = stage.ns
    UNION ALL SELECT p.oid FROM pg_proc p, stage WHERE p.pronamespace = stage.ns
    UNION ALL SELECT k.oid FROM pg_constraint k, stage WHERE k.connamespace = stage.ns
    UNION ALL SELECT stage.ns FROM stage
), written AS (
    SELECT r.xmin FROM rels r
    UNION ALL SELECT a.xmin FROM pg_attribute a JOIN rels r ON r.oid = a.attrelid
    UNION ALL SELECT i.xmin FROM pg_index i JOIN rels r ON r.oid = i.indrelid
    UNION ALL SELECT g.xmin FROM pg_trigger g JOIN rels r ON r.oid = g.tgrelid
    UNION ALL SELECT w.xmin FROM pg_rewrite w JOIN rels r ON r.oid = w.ev_class
    UNION ALL SELECT p.xmin FROM pg_policy p JOIN rels r ON r.oid = p.polrelid
    UNION ALL SELECT k.xmin FROM pg_constraint k, stage WHERE k.connamespace IS DISTINCT FROM stage.ns
    UNION ALL SELECT t.xmin FROM pg_type t, stage WHERE t.typnamespace IS DISTINCT FROM stage.ns
    UNION ALL SELECT e.xmin FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid, stage
              WHERE t.typnamespace IS DISTINCT FROM stage.ns
    UNION ALL SELECT p.xmin FROM pg_proc p, stage WHERE p.pronamespace IS DISTINCT FROM stage.ns
    UNION ALL SELECT n.xmin FROM pg_namespace n, stage WHERE n.oid IS DISTINCT FROM stage.ns
    UNION ALL SELECT xmin FROM pg_cast
    UNION ALL SELECT xmin FROM pg_extension
    UNION ALL SELECT xmin FROM pg_default_acl
    UNION ALL SELECT d.xmin FROM pg_description d WHERE d.objoid NOT IN (SELECT oid FROM staged)
)
SELECT count(*), count(*) FILTER (WHERE age(xmin) <= 0) FROM written";

/// Rows this transaction inserted, changed or deleted in tables outside the
/// staging schema, or inserted into the staged tables the files go into
/// (which the load's `TRUNCATE` would throw away).
const ROWS_WRITTEN: &str = "
SELECT (coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del) FILTER (
            WHERE schemaname NOT IN ('vcd_load', 'pg_catalog', 'pg_toast', 'information_schema')), 0)
      + coalesce(sum(n_tup_ins) FILTER (WHERE schemaname = 'vcd_load' AND relname = ANY($1)), 0))::bigint
FROM pg_stat_xact_all_tables";

/// Objects in the staging schema that [`swap`] would not move, or not as
/// running `schema.sql` in place would make them: operators, collations, text
/// search objects, statistics, range and base types, partitioned tables
/// (and their partitions).
const UNMOVABLE: &str = "
SELECT (SELECT count(*) FROM pg_operator WHERE oprnamespace = s)
     + (SELECT count(*) FROM pg_opclass WHERE opcnamespace = s)
     + (SELECT count(*) FROM pg_opfamily WHERE opfnamespace = s)
     + (SELECT count(*) FROM pg_collation WHERE collnamespace = s)
     + (SELECT count(*) FROM pg_conversion WHERE connamespace = s)
     + (SELECT count(*) FROM pg_ts_config WHERE cfgnamespace = s)
     + (SELECT count(*) FROM pg_ts_dict WHERE dictnamespace = s)
     + (SELECT count(*) FROM pg_ts_parser WHERE prsnamespace = s)
     + (SELECT count(*) FROM pg_ts_template WHERE tmplnamespace = s)
     + (SELECT count(*) FROM pg_statistic_ext WHERE stxnamespace = s)
     + (SELECT count(*) FROM pg_extension WHERE extnamespace = s)
     + (SELECT count(*) FROM pg_type WHERE typnamespace = s AND typtype NOT IN ('c', 'd', 'e')
                                       AND NOT (typcategory = 'A' AND typelem <> 0))
     + (SELECT count(*) FROM pg_class WHERE relnamespace = s
            AND (relkind NOT IN ('r', 'v', 'm', 'S', 'i', 'c', 'f') OR relispartition))
FROM (SELECT to_regnamespace('vcd_load') AS s) x";

/// What [`swap`] moves, as `(kind, name)` for `ALTER kind name SET SCHEMA`:
/// functions first (their argument types are named where they are now),
/// then relations (a table takes its indexes, row type and owned sequences
/// along) and standalone types (each takes its array type).
const MOVABLE: &str = "
SELECT kind, name FROM (
    SELECT 0 AS rank, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END AS kind,
           'vcd_load.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name
    FROM pg_proc p WHERE p.pronamespace = to_regnamespace('vcd_load')
    UNION ALL
    SELECT 1, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                             WHEN 'c' THEN 'TYPE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
           'vcd_load.' || quote_ident(c.relname)
    FROM pg_class c
    WHERE c.relnamespace = to_regnamespace('vcd_load') AND c.relkind IN ('r', 'v', 'm', 'S', 'c', 'f')
      AND NOT (c.relkind = 'S' AND EXISTS (
          SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
            AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid AND d.deptype IN ('a', 'i')))
    UNION ALL
    SELECT 1, 'TYPE', 'vcd_load.' || quote_ident(t.typname)
    FROM pg_type t WHERE t.typnamespace = to_regnamespace('vcd_load') AND t.typtype IN ('d', 'e')
) m
ORDER BY rank, name";

/// Runs `schema` in a fresh staging schema and sets aside the keys and
/// indexes it made on `tables`; `Ok(None)` (everything undone) when this
/// schema cannot be staged (see the module's comment), including when
/// `schema.sql` fails there: the load in one transaction then runs it again
/// and reports the failure at its line.
pub fn prepare(client: &mut Client, schema: &str, tables: &[String]) -> Result<Option<Staged>, postgres::Error> {
    let row = client.query_one("SELECT current_schema()::text, current_setting('search_path')", &[])?;
    let (target, path): (Option<String>, String) = (row.get(0), row.get(1));
    let Some(target) = target else { return Ok(None) };
    // Default privileges for the target schema would not reach tables made in staging.
    let defaults: i64 = client
        .query_one("SELECT count(*) FROM pg_default_acl WHERE defaclnamespace = to_regnamespace($1)", &[&target])?
        .get(0);
    if defaults != 0 {
        return Ok(None);
    }
    let mut tx = client.transaction()?;
    let made = format!("CREATE SCHEMA {s}; COMMENT ON SCHEMA {s} IS '{MARK}'", s = sql_ident(STAGING));
    if tx.batch_execute(&made).is_err() {
        return Ok(None);
    }
    let count = |tx: &mut postgres::Transaction| -> Result<(i64, i64), postgres::Error> {
        let row = tx.query_one(OUTSIDE, &[])?;
        Ok((row.get(0), row.get(1)))
    };
    let (before, _) = count(&mut tx)?;
    // The rest of the path stays, so schema.sql can use what is already
    // there (an extension's types); whatever it creates lands in staging.
    let search_path = format!("{}, {path}", sql_ident(STAGING));
    tx.batch_execute(&format!("SET LOCAL search_path = {search_path}"))?;
    if tx.batch_execute(schema).is_err() {
        return Ok(None);
    }
    let (after, written) = count(&mut tx)?;
    let rows: i64 = tx.query_one(ROWS_WRITTEN, &[&tables])?.get(0);
    if after != before || written != 0 || rows != 0 {
        return Ok(None);
    }
    let staged: i64 = tx
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relnamespace = to_regnamespace('vcd_load') AND relname = ANY($1)",
            &[&tables],
        )?
        .get(0);
    let unmovable: i64 = tx.query_one(UNMOVABLE, &[])?.get(0);
    if staged != tables.len() as i64 || unmovable != 0 || collides(&mut tx, &target, tables)? {
        return Ok(None);
    }
    let set_aside = SetAside::take(&mut tx, tables)?;
    tx.commit()?;
    Ok(Some(Staged { target, search_path, set_aside }))
}

/// Whether dropping the replaced tables would touch what is staged (a view
/// on a schema-qualified old table goes with it), or leave a namesake in the
/// target of something staged (a type, a function, an index; a view over the
/// old tables goes with them): running `schema.sql` in place would have
/// built on the new table, or failed on the namesake or replaced it, and
/// which one cannot be told from here.
fn collides(tx: &mut postgres::Transaction, target: &str, tables: &[String]) -> Result<bool, postgres::Error> {
    const STAGED: &str = "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = to_regnamespace('vcd_load'))
                               + (SELECT count(*) FROM pg_type WHERE typnamespace = to_regnamespace('vcd_load'))
                               + (SELECT count(*) FROM pg_proc WHERE pronamespace = to_regnamespace('vcd_load'))";
    let mut probe = tx.transaction()?;
    let staged: i64 = probe.query_one(STAGED, &[])?.get(0);
    let names: Vec<String> = tables.iter().map(|t| format!("{}.{}", sql_ident(target), sql_ident(t))).collect();
    probe.batch_execute(&format!("DROP TABLE IF EXISTS {} CASCADE", names.join(", ")))?;
    let still: i64 = probe.query_one(STAGED, &[])?.get(0);
    let clashes: i64 = probe
        .query_one(
            "SELECT (SELECT count(*) FROM pg_class s JOIN pg_class t ON t.relname = s.relname
                     WHERE s.relnamespace = to_regnamespace('vcd_load') AND t.relnamespace = to_regnamespace($1))
                  + (SELECT count(*) FROM pg_type s JOIN pg_type t ON t.typname = s.typname
                     WHERE s.typnamespace = to_regnamespace('vcd_load') AND t.typnamespace = to_regnamespace($1))
                  + (SELECT count(*) FROM pg_proc s JOIN pg_proc t ON t.proname = s.proname
                     WHERE s.pronamespace = to_regnamespace('vcd_load') AND t.pronamespace = to_regnamespace($1))",
            &[&target],
        )?
        .get(0);
    // Undone: the drop only looked ahead.
    probe.rollback()?;
    Ok(clashes != 0 || still != staged)
}

/// Drops the replaced tables in the target and moves everything staged into
/// it, in one transaction; `finish` then runs in it (after the move) before
/// the commit, and may still refuse it. The staging schema is dropped empty:
/// something left in it fails the swap rather than being lost.
pub fn swap(
    client: &mut Client,
    target: &str,
    tables: &[String],
    finish: impl FnOnce(&mut postgres::Transaction) -> Result<(), postgres::Error>,
) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    let names: Vec<String> = tables.iter().map(|t| format!("{}.{}", sql_ident(target), sql_ident(t))).collect();
    tx.batch_execute(&format!("DROP TABLE IF EXISTS {} CASCADE", names.join(", ")))?;
    for row in tx.query(MOVABLE, &[])? {
        let (kind, name): (String, String) = (row.get(0), row.get(1));
        tx.batch_execute(&format!("ALTER {kind} {name} SET SCHEMA {}", sql_ident(target)))?;
    }
    tx.batch_execute(&format!("DROP SCHEMA {}", sql_ident(STAGING)))?;
    finish(&mut tx)?;
    tx.commit()
}

/// Drops the staging schema after a failed load (best effort: a connection
/// that is gone leaves it to the next load).
pub fn discard(client: &mut Client) {
    let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", sql_ident(STAGING)));
}
