//! The keys and indexes of the loaded tables: read from the catalog and
//! dropped before the data goes in, put back (and so checked) after.

use crate::source::sql_ident;
use postgres::GenericClient;

/// The primary keys, unique constraints, foreign keys and other indexes of
/// the loaded tables, as statements that put them back.
pub struct SetAside {
    /// `(table, statement)`: primary keys and unique constraints, then the
    /// other indexes; each needs only its own table's rows.
    pub keys: Vec<(String, String)>,
    /// `(table, referenced table, statement)`: each needs the referenced
    /// table's key back first.
    pub foreign: Vec<(String, String, String)>,
}

impl SetAside {
    /// Reads and drops the keys and indexes of `tables` in the current schema.
    /// A partitioned table and its partitions keep their keys and indexes (an
    /// index on one is a tree of indexes, which its definition does not
    /// rebuild); a partitioned table's foreign keys are set aside, as they
    /// would keep the keys they reference from being dropped.
    pub fn take(client: &mut impl GenericClient, tables: &[String]) -> Result<SetAside, postgres::Error> {
        let constraints = client.query(
            "SELECT t.relname::text, c.conname::text, pg_get_constraintdef(c.oid), c.contype = 'f',
                    (SELECT r.relname::text FROM pg_class r WHERE r.oid = c.confrelid)
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
             WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1) AND c.contype IN ('p', 'u', 'f')
               AND NOT t.relispartition AND (t.relkind = 'r' OR c.contype = 'f')
             ORDER BY c.contype = 'f', t.relname, c.conname",
            &[&tables],
        )?;
        let indexes = client.query(
            "SELECT t.relname::text, x.relname::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
             WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)
               AND t.relkind = 'r' AND NOT t.relispartition
               AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
             ORDER BY t.relname, x.relname",
            &[&tables],
        )?;
        let mut drops = Vec::new();
        let mut keys = Vec::new();
        let mut foreign = Vec::new();
        for row in &constraints {
            let (table, name, def, is_fk): (String, String, String, bool) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            let add = format!("ALTER TABLE {} ADD CONSTRAINT {} {def}", sql_ident(&table), sql_ident(&name));
            let drop = format!("ALTER TABLE {} DROP CONSTRAINT {}", sql_ident(&table), sql_ident(&name));
            if is_fk {
                // Foreign keys go first, or the keys they lean on cannot be dropped.
                drops.insert(0, drop);
                foreign.push((table, row.get::<_, Option<String>>(4).unwrap_or_default(), add));
            } else {
                drops.push(drop);
                keys.push((table, add));
            }
        }
        for row in &indexes {
            let (table, name, def): (String, String, String) = (row.get(0), row.get(1), row.get(2));
            drops.push(format!("DROP INDEX {}", sql_ident(&name)));
            keys.push((table, def));
        }
        for drop in &drops {
            client.batch_execute(drop)?;
        }
        Ok(SetAside { keys, foreign })
    }

    /// Puts everything back in order on one connection; a failure comes with the table it was on.
    pub fn restore(self, client: &mut impl GenericClient) -> Result<(), (postgres::Error, String)> {
        let foreign = self.foreign.into_iter().map(|(table, _, statement)| (table, statement));
        for (table, statement) in self.keys.into_iter().chain(foreign) {
            client.batch_execute(&statement).map_err(|e| (e, table))?;
        }
        Ok(())
    }
}
