//! PostgreSQL as a source and as a load target, against a real server:
//! type mapping, parity with DuckDB, `vcd load`, and each bad input.

use crate::support::pg::{test_db, TestDb};
use crate::support::project::TempProject;
use std::process::Command;
use std::time::Duration;

/// Every data file of a built site (results, and the slices in their folders),
/// by path below `site/data/`.
fn data_files(p: &TempProject) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![p.path("site/data")];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let name = path.strip_prefix(p.path("site/data")).unwrap().to_string_lossy().into_owned();
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn demo_queries_return_the_same_json_on_both_engines() {
    let Some(db) = test_db() else { return };
    let offline = TempProject::demo();
    let r = offline.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let online = TempProject::demo();
    let r = online.vcd(&["load", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = online.vcd(&["build", "--source", "postgres", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (a, b) = (data_files(&offline), data_files(&online));
    assert_eq!(a.len(), b.len());
    for ((name, duck), (other, pg)) in a.iter().zip(&b) {
        assert_eq!(name, other, "the same files, the same slices");
        assert_eq!(duck, pg, "{name} differs between DuckDB and PostgreSQL");
    }
    assert_eq!(offline.read("site/index.html"), online.read("site/index.html"), "the rendered page differs");

    // A query too big to hold: its cards and charts read it through rollups
    // PostgreSQL computes, and the page is the one built with it held.
    let rows = crate::support::duck::row_count(&offline.path(""), "featured_sales");
    online.write("vcd.toml", &format!("{}\nmax_rows = {}\n", online.read("vcd.toml"), rows - 1));
    let r = online.vcd(&["build", "--source", "postgres", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!online.path("site/data/featured_sales.json").exists());
    assert_eq!(offline.read("site/business/index.html"), online.read("site/business/index.html"));
}

/// Each row of the README's type table, on PostgreSQL.
#[test]
fn postgres_types_map_to_the_documented_json() {
    let Some(db) = test_db() else { return };
    let p = TempProject::fixture("pgtypes");
    let r = p.vcd(&["build", "--source", "postgres", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("pg_types_json", p.read("site/data/types.json"));
}

/// The same values through both engines give the same JSON.
#[test]
fn shared_types_match_duckdb() {
    let Some(db) = test_db() else { return };
    let p = TempProject::fixture("pgtypes");
    p.remove("queries/types.sql");
    assert_eq!(p.vcd(&["build"]).code, 0);
    let duck = p.read("site/data/shared.json");
    let r = p.vcd(&["build", "--source", "postgres", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(duck, p.read("site/data/shared.json"));
}

#[test]
fn load_twice_gives_the_same_database() {
    let Some(db) = test_db() else { return };
    let p = TempProject::demo();
    assert_eq!(p.vcd(&["load", "--database-url", &db.url]).code, 0);
    let first = db.fingerprint();
    let r = p.vcd(&["load", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("over 2 connections"), "{}", r.stderr);
    assert_eq!(first, db.fingerprint());
    for (table, rows, _) in &first {
        if let Ok(text) = std::fs::read_to_string(p.path(&format!("data/{table}.csv"))) {
            assert_eq!(*rows as usize, csv_records(&text) - 1, "{table} row count");
        }
    }
}

/// The load sets keys and indexes aside while the data goes in: afterwards
/// the database has every one `schema.sql` makes, as running it makes them.
#[test]
fn load_puts_back_every_key_and_index() {
    let (Some(db), Some(reference)) = (test_db(), test_db()) else { return };
    let p = TempProject::demo();
    let schema = format!(
        "{}\nCREATE INDEX metrics_by_day ON social_media_metrics (metric_date, post_id);\n\
         CREATE UNIQUE INDEX posts_by_url ON social_media_posts (lower(post_url));\n",
        p.read("data/schema.sql")
    );
    p.write("data/schema.sql", &schema);
    let r = p.vcd(&["load", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    reference.client().batch_execute(&schema).unwrap();
    let (loaded, made) = (db.keys_and_indexes(), reference.keys_and_indexes());
    assert!(made.iter().any(|(_, _, def)| def.contains("FOREIGN KEY")), "the schema has foreign keys");
    assert!(made.iter().any(|(_, name, _)| name == "posts_by_url"));
    assert_eq!(loaded, made);
}

/// Records in CSV text: line breaks outside quoted fields (captions may hold newlines).
fn csv_records(text: &str) -> usize {
    let mut quoted = false;
    text.chars()
        .filter(|c| {
            if *c == '"' {
                quoted = !quoted;
            }
            *c == '\n' && !quoted
        })
        .count()
}

/// Loads the demo, breaks one CSV with `setup`, loads again: exit 1, the message
/// names `expect`, and the database is exactly as before.
fn bad_load(setup: impl Fn(&TempProject), expect: &[&str]) {
    let Some(db) = test_db() else { return };
    let p = TempProject::demo();
    assert_eq!(p.vcd(&["load", "--database-url", &db.url]).code, 0);
    let before = db.fingerprint();
    setup(&p);
    let r = p.vcd(&["load", "--database-url", &db.url]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for e in expect {
        assert!(r.stderr.contains(e), "expected {e:?} in:\n{}", r.stderr);
    }
    assert!(db.fingerprint() == before, "a failed load changed the database");
    assert_eq!(staging_schemas(&db), 0, "a failed load left its staging schema");
}

/// How many staging schemas of `vcd load` the database holds.
fn staging_schemas(db: &TestDb) -> i64 {
    db.client().query_one("SELECT count(*) FROM pg_namespace WHERE nspname = 'vcd_load'", &[]).unwrap().get(0)
}

/// Over two connections the load stages the schema and moves it into place;
/// in one transaction (`--jobs 1`, or a schema that names its schema, as
/// pg_dump writes it) it runs in place. Either way: the same rows, keys and
/// indexes, and nothing left staged.
#[test]
fn a_staged_load_and_a_load_in_one_transaction_make_the_same_database() {
    let (Some(db), Some(fresh)) = (test_db(), test_db()) else { return };
    let p = TempProject::demo();
    let r = p.vcd(&["load", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("over 2 connections"), "{}", r.stderr);
    let made = (db.fingerprint(), db.keys_and_indexes());
    assert!(made.1.iter().any(|(_, _, def)| def.contains("FOREIGN KEY")), "the schema has foreign keys");
    assert_eq!(staging_schemas(&db), 0);

    let r = p.vcd(&["load", "--jobs", "1", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("in one transaction"), "{}", r.stderr);
    assert!((db.fingerprint(), db.keys_and_indexes()) == made, "--jobs 1 made another database");

    // A view on a qualified name of a replaced table: in place it is built
    // on the new table; staged, dropping the old table would take it along.
    let plain = p.read("data/schema.sql");
    p.write(
        "data/schema.sql",
        &format!(
            "{plain}\nCREATE VIEW promoted AS SELECT post_id FROM public.social_media_posts WHERE is_promotional;\n"
        ),
    );
    let r = p.vcd(&["load", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("in one transaction"), "{}", r.stderr);
    let promoted: i64 = db.client().query_one("SELECT count(*) FROM promoted", &[]).unwrap().get(0);
    assert!(promoted > 0);
    p.write("data/schema.sql", &plain);

    // Qualified names: over the tables loaded before (the staged CREATE
    // TABLE fails), and into an empty database (it succeeds, outside staging).
    let schema = p.read("data/schema.sql").replace("CREATE TABLE ", "CREATE TABLE public.");
    p.write("data/schema.sql", &schema);
    for target in [&db, &fresh] {
        let r = p.vcd(&["load", "--database-url", &target.url]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains("in one transaction"), "{}", r.stderr);
        assert!((target.fingerprint(), target.keys_and_indexes()) == made, "a qualified schema made another database");
        assert_eq!(staging_schemas(target), 0);
    }
}

/// A partitioned table keeps its keys while its rows go in (an index on one
/// is a tree its definition does not rebuild) and loads in one transaction;
/// it ends with every key and index `schema.sql` gives it.
#[test]
fn a_partitioned_table_loads_with_its_keys() {
    let (Some(db), Some(reference)) = (test_db(), test_db()) else { return };
    let p = TempProject::demo();
    let schema = format!(
        "{}\nCREATE TABLE daily_reach (post_id integer NOT NULL REFERENCES social_media_posts (post_id), day date NOT NULL,\n\
             reach integer NOT NULL, PRIMARY KEY (post_id, day)) PARTITION BY RANGE (day);\n\
         CREATE TABLE daily_reach_2024 PARTITION OF daily_reach FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n\
         CREATE TABLE daily_reach_later PARTITION OF daily_reach DEFAULT;\n\
         CREATE INDEX daily_reach_by_reach ON daily_reach (reach);\n",
        p.read("data/schema.sql")
    );
    p.write("data/schema.sql", &schema);
    p.write("data/daily_reach.csv", "post_id,day,reach\n1,2024-03-01,10\n1,2025-03-01,12\n2,2024-05-01,7\n");
    let r = p.vcd(&["load", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("in one transaction"), "{}", r.stderr);
    reference.client().batch_execute(&schema).unwrap();
    assert_eq!(db.keys_and_indexes(), reference.keys_and_indexes());
    let later: i64 = db.client().query_one("SELECT count(*) FROM daily_reach_later", &[]).unwrap().get(0);
    assert_eq!(later, 1);
}

/// What `schema.sql` makes besides tables (a type, a function, a view over
/// the tables, an index on an expression of them) moves into place with them.
#[test]
fn a_staged_load_moves_types_functions_and_views_with_the_tables() {
    let (Some(db), Some(reference)) = (test_db(), test_db()) else { return };
    let p = TempProject::demo();
    let schema = format!(
        "{}\nCREATE TYPE reach_band AS ENUM ('low', 'high');\n\
         CREATE FUNCTION band(r integer) RETURNS reach_band LANGUAGE sql IMMUTABLE\n\
             AS $$ SELECT CASE WHEN r < 1000 THEN 'low'::reach_band ELSE 'high'::reach_band END $$;\n\
         CREATE FUNCTION label(b reach_band) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'reach ' || b::text $$;\n\
         CREATE VIEW post_bands AS SELECT post_id, label(band(reach)) AS band FROM post_metrics;\n\
         CREATE INDEX metrics_by_band ON social_media_metrics (band(reach));\n",
        p.read("data/schema.sql")
    );
    p.write("data/schema.sql", &schema);
    let r = p.vcd(&["load", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("over 2 connections"), "{}", r.stderr);
    reference.client().batch_execute(&schema).unwrap();
    assert_eq!(db.keys_and_indexes(), reference.keys_and_indexes());
    let mut c = db.client();
    let row = c
        .query_one(
            "SELECT (SELECT count(*) FROM post_bands WHERE band LIKE 'reach %'), (SELECT count(*) FROM social_media_posts),
                    label(band(5)), (SELECT typnamespace::regnamespace::text FROM pg_type WHERE typname = 'reach_band')",
            &[],
        )
        .unwrap();
    let (bands, posts, low, home): (i64, i64, String, String) = (row.get(0), row.get(1), row.get(2), row.get(3));
    assert!(posts > 0 && bands == posts, "{bands} banded of {posts} posts");
    assert_eq!((low.as_str(), home.as_str()), ("reach low", "public"));
    assert_eq!(staging_schemas(&db), 0);
}

/// Replaces line `n` (1-based) of a data file.
fn edit_line(p: &TempProject, file: &str, n: usize, f: impl Fn(&str) -> String) {
    let text = p.read(file);
    let lines: Vec<String> =
        text.lines().enumerate().map(|(i, l)| if i + 1 == n { f(l) } else { l.to_string() }).collect();
    p.write(file, &(lines.join("\n") + "\n"));
}

#[test]
fn load_rejects_a_wrong_column_count() {
    bad_load(
        // Line 4 ends a record that starts on line 3 (its caption holds a line break).
        |p| edit_line(p, "data/social_media_posts.csv", 4, |l| format!("{l},extra")),
        &["data/social_media_posts.csv:3: this record has 11 fields but the header has 10"],
    );
}

#[test]
fn load_rejects_text_in_a_numeric_column() {
    bad_load(
        |p| {
            edit_line(p, "data/social_media_metrics.csv", 3, |l| {
                let mut f: Vec<&str> = l.split(',').collect();
                f[3] = "abc";
                f.join(",")
            })
        },
        &["data/social_media_metrics.csv:3:"],
    );
}

#[test]
fn load_rejects_a_missing_foreign_key() {
    bad_load(
        |p| {
            edit_line(p, "data/social_media_metrics.csv", 5, |l| {
                let mut f: Vec<&str> = l.split(',').collect();
                f[1] = "999999";
                f.join(",")
            })
        },
        &["data/social_media_metrics.csv:5:", "999999"],
    );
}

#[test]
fn load_rejects_a_duplicate_key() {
    // The repeated record is the file's last line, and the message points there.
    let lines = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/social_media_accounts.csv"))
        .unwrap()
        .lines()
        .count();
    let at = format!("data/social_media_accounts.csv:{}:", lines + 1);
    bad_load(
        |p| {
            let text = p.read("data/social_media_accounts.csv");
            let second = text.lines().nth(1).unwrap().to_string();
            p.write("data/social_media_accounts.csv", &format!("{text}{second}\n"));
        },
        &[&at, "is duplicated"],
    );
}

#[test]
fn load_rejects_an_unreadable_file() {
    bad_load(
        |p| std::os::unix::fs::symlink("/nonexistent/vcd", p.path("data/ghost.csv")).unwrap(),
        &["data/ghost.csv", "cannot read"],
    );
}

#[test]
fn wrong_password_is_never_printed() {
    let Some(db) = test_db() else { return };
    let secret = "s3cret-Pa55word";
    let url = db.url.replacen("://vcd:vcd@", &format!("://vcd:{secret}@"), 1);
    assert_ne!(url, db.url, "test URL has the expected user:password form");
    let p = TempProject::demo();
    assert_eq!(p.vcd(&["build"]).code, 0);
    let before = p.site_files();
    for args in [vec!["build", "--source", "postgres", "--database-url", &url], vec!["load", "--database-url", &url]] {
        let r = p.vcd(&args);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains("password authentication failed"), "{}", r.stderr);
        assert!(!r.stderr.contains(secret) && !r.stdout.contains(secret), "password leaked:\n{}", r.stderr);
    }
    // Through the environment too.
    let out = Command::new(env!("CARGO_BIN_EXE_vcd"))
        .args(["build", "--source", "postgres"])
        .env("DATABASE_URL", &url)
        .current_dir(&p.root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(secret));
    assert!(p.site_files() == before);
    assert!(p.site_files().iter().all(|(_, b)| !String::from_utf8_lossy(b).contains(secret)));
}

#[test]
fn unreachable_server_fails_fast() {
    // A listener that never answers: the connection opens but the handshake stalls.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let p = TempProject::demo();
    for url in
        [format!("postgresql://vcd@127.0.0.1:{port}/x?connect_timeout=2"), "postgresql://vcd@127.0.0.1:1/x".to_string()]
    {
        // A guard against hanging, not a timing assertion: killed after 60 s.
        let r = p.vcd_guarded(&["build", "--source", "postgres", "--database-url", &url], &[], Duration::from_secs(60));
        let err = r.stderr;
        assert_eq!(r.code, 1, "{err}");
        assert!(err.contains("cannot connect to PostgreSQL at 127.0.0.1:"), "{err}");
    }
    drop(silent);
}

#[test]
fn a_missing_table_is_reported_at_the_query() {
    let Some(db) = test_db() else { return };
    let p = TempProject::demo();
    assert_eq!(p.vcd(&["build"]).code, 0);
    let before = p.site_files();
    // An empty database: no tables at all.
    let r = p.vcd(&["build", "--source", "postgres", "--database-url", &db.url]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("queries/") && r.stderr.contains("does not exist"), "{}", r.stderr);
    assert!(p.site_files() == before);
}

#[test]
fn load_moves_sequences_past_loaded_ids() {
    let Some(db) = test_db() else { return };
    let p = TempProject::fixture("pgserial");
    for _ in 0..2 {
        let r = p.vcd(&["load", "--database-url", &db.url]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let id: i32 = db.client().query_one("INSERT INTO things (name) VALUES ('new') RETURNING id", &[]).unwrap().get(0);
    assert_eq!(id, 8, "the next id follows the largest loaded one");
}

/// Rows stream from a portal in rounds of 10,000: a result over several
/// rounds arrives whole and in order, one stopped part-way leaves the
/// connection ready for the next statement, and a result spilled by key reads
/// back the same bytes as from DuckDB.
#[test]
fn a_streamed_result_crosses_rounds_stops_cleanly_and_spills_as_on_duckdb() {
    use vcd::source::Source;
    let Some(db) = test_db() else { return };
    let target = vcd::source::postgres::target(Some(&db.url), &Default::default()).unwrap();
    let pg = vcd::source::postgres::PgSource::open(target, Default::default()).unwrap();
    let sql = "SELECT g % 7 AS k, g FROM generate_series(1, 25000) AS g ORDER BY g";
    let all = pg.run(sql, &[], usize::MAX).unwrap();
    assert_eq!(all.rows.len(), 25_000);
    assert!(all.rows.iter().enumerate().all(|(i, r)| r[1] == serde_json::json!(i + 1)), "in order");
    // Stopped inside the second round, then the same pooled connection runs more.
    for _ in 0..3 {
        let part = pg.run(sql, &[], 12_345).unwrap();
        assert_eq!(part.rows.len(), 12_345);
        assert_eq!(part.rows[12_344][1], serde_json::json!(12_345));
    }
    assert_eq!(pg.run("SELECT 1 AS one", &[], 10).unwrap().rows, vec![vec![serde_json::json!(1)]]);

    let empty = tempfile::tempdir().unwrap();
    let duck = crate::support::duck::open(empty.path());
    let q = vcd::query::QueryFile::new("q".into(), "queries/q.sql".into(), sql.replace("g % 7", "(g % 7)::int"));
    let on_pg = vcd::query::spill::Spill::run(&pg, &q, "k").unwrap();
    let on_duck = vcd::query::spill::Spill::run(&duck, &q, "k").unwrap();
    assert_eq!((on_pg.rows, on_pg.values()), (25_000, 7));
    for k in 0..7 {
        assert_eq!(on_pg.bytes(&k.to_string()).unwrap(), on_duck.bytes(&k.to_string()).unwrap(), "key {k}");
    }
}
