//! Which queries a change to data files reaches: those that name a changed
//! table, or a view of `schema.sql` that reads one, directly or through
//! other views.

use super::Session;
use std::collections::BTreeSet;
use std::path::PathBuf;

impl Session {
    /// The queries that may read any of the changed data files: those naming
    /// the file's table, or a view that reads it. A change to `schema.sql`
    /// can change any table, so it re-runs every query.
    pub(super) fn queries_reading(&self, files: &BTreeSet<PathBuf>) -> BTreeSet<String> {
        let schema = std::fs::read_to_string(self.project.data_dir().join("schema.sql")).unwrap_or_default();
        let mut tables: BTreeSet<String> = BTreeSet::new();
        for f in files {
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_ascii_lowercase();
            if stem == "schema" {
                return self.queries.iter().map(|q| q.name.clone()).collect();
            }
            tables.insert(stem);
        }
        let tables = reached(&schema, tables);
        self.queries.iter().filter(|q| tables.iter().any(|t| mentions(&q.sql, t))).map(|q| q.name.clone()).collect()
    }
}

/// `tables` and every view of `schema` that reads one of them, directly or
/// through other views (see [`crate::util::sqltext::views`] for the forms understood).
fn reached(schema: &str, mut tables: BTreeSet<String>) -> BTreeSet<String> {
    let views = crate::util::sqltext::views(schema);
    // A view may read a view defined after it (CREATE OR REPLACE): repeat until nothing is added.
    loop {
        let before = tables.len();
        for (view, body) in &views {
            if !tables.contains(view) && tables.iter().any(|t| mentions(body, t)) {
                tables.insert(view.clone());
            }
        }
        if tables.len() == before {
            return tables;
        }
    }
}

/// Whether `sql` (or a page's text) mentions `word` as a whole identifier, ignoring case.
pub(super) fn mentions(sql: &str, word: &str) -> bool {
    let sql = sql.to_ascii_lowercase();
    let word = word.to_ascii_lowercase();
    let word = word.as_str();
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    sql.match_indices(word).any(|(i, _)| {
        !sql[..i].chars().next_back().is_some_and(is_ident)
            && !sql[i + word.len()..].chars().next().is_some_and(is_ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_and_mentions_find_what_a_data_change_reaches() {
        let schema =
            "CREATE TABLE posts (id INT);\nCREATE VIEW post_metrics AS SELECT * FROM posts JOIN metrics USING (id);";
        let v = crate::util::sqltext::views(schema);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].0, "post_metrics");
        assert!(mentions(&v[0].1, "metrics"));
        assert!(mentions("select * from Posts", "posts"));
        assert!(!mentions("select * from posts_archive", "posts"));
        assert!(!mentions("select * from old_posts", "posts"));
    }

    #[test]
    fn a_data_change_reaches_views_in_every_form_and_through_chains() {
        let schema = "CREATE TABLE posts (id INT);\n\
            CREATE OR REPLACE VIEW IF NOT EXISTS \"Daily\" AS SELECT * FROM weekly; -- defined before what it reads\n\
            create temp view weekly as select * from posts;\n\
            CREATE TEMPORARY VIEW unrelated AS SELECT 1 /* posts */;\n\
            CREATE VIEW s.Monthly AS SELECT * FROM daily";
        let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
        assert_eq!(reached(schema, set(&["posts"])), set(&["posts", "weekly", "daily", "monthly"]));
        assert_eq!(reached(schema, set(&["orders"])), set(&["orders"]));
    }
}
