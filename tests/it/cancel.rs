//! Stopping queries: past `statement_timeout`, or on Ctrl-C, a running query
//! is cancelled on either engine, the previous site stays, and nothing keeps
//! running on the server.

use crate::support::pg::test_db;
use crate::support::project::{wait_guarded, TempProject};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Far longer than any test may wait: a guard, not a measurement.
const HANG: Duration = Duration::from_secs(120);

/// A query DuckDB would run for hours on one thread (10¹² rows).
const ENDLESS_DUCKDB: &str = "SELECT sum(a.range * b.range) AS s FROM range(1000000) a, range(1000000) b\n";

#[test]
fn a_query_past_its_own_limit_is_cancelled_on_duckdb_and_the_site_stays() {
    let p = TempProject::fixture("basic");
    assert_eq!(p.vcd(&["build"]).code, 0);
    let before = p.site_files();
    p.write(
        "queries/endless.sql",
        &format!("-- The sum of a huge cross product.\n-- vcd: statement_timeout = 300ms\n{ENDLESS_DUCKDB}"),
    );
    let r = p.vcd_guarded(&["build"], &[], HANG);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("queries/endless.sql: cancelled after 300ms: the query ran past its statement_timeout"),
        "{}",
        r.stderr
    );
    assert!(p.site_files() == before, "a failed build left site/ as it was");

    // The build's limit, from vcd.toml, applies to a file without one.
    p.write("queries/endless.sql", ENDLESS_DUCKDB);
    p.write("vcd.toml", "statement_timeout = \"400ms\"\n");
    let r = p.vcd_guarded(&["build"], &[], HANG);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("queries/endless.sql: cancelled after 400ms"), "{}", r.stderr);
    // and to `vcd query`.
    let r = p.vcd_guarded(&["query", "endless"], &[], HANG);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("cancelled after 400ms"), "{}", r.stderr);
    // The other queries ran: their results are what a build without the limit gives.
    p.remove("queries/endless.sql");
    assert_eq!(p.vcd(&["build"]).code, 0);
    assert!(p.site_files() == before);
}

#[test]
fn bad_limits_are_named_at_their_line() {
    let p = TempProject::fixture("basic");
    p.write("queries/totals.sql", &format!("-- vcd: statement_timeout = soon\n{}", p.read("queries/totals.sql")));
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("queries/totals.sql:1: 'soon' is not a duration"), "{}", r.stderr);
    p.write("queries/totals.sql", &p.read("queries/totals.sql").replace("statement_timeout = soon", "timeout=3s"));
    let r = p.vcd(&["build"]);
    assert!(r.stderr.contains("queries/totals.sql:1: unknown setting 'timeout' in a -- vcd: line"), "{}", r.stderr);
    p.write("vcd.toml", "statement_timeout = \"3 fortnights\"\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("vcd.toml:1:") && r.stderr.contains("is not a duration"), "{}", r.stderr);
}

#[test]
fn a_query_past_its_limit_is_cancelled_on_postgresql_and_leaves_nothing_running() {
    let Some(db) = test_db() else { return };
    let p = TempProject::with_queries(&[("slow", "-- vcd: statement_timeout=500ms\nSELECT pg_sleep(60) AS slept\n")]);
    let r = p.vcd_guarded(&["build", "--source", "postgres", "--database-url", &db.url], &[], HANG);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("queries/slow.sql: cancelled after 500ms"), "{}", r.stderr);
    // Rows that arrive too slowly are stopped too: each one is quick, all of them are not.
    p.write(
        "queries/slow.sql",
        "-- vcd: statement_timeout=1s\nSELECT g, length(pg_sleep(0.2)::text) AS slept FROM generate_series(1, 300) g\n",
    );
    let r = p.vcd_guarded(&["build", "--source", "postgres", "--database-url", &db.url], &[], HANG);
    assert!(r.stderr.contains("queries/slow.sql: cancelled after 1s"), "{}", r.stderr);
    // The server has nothing of vcd's still running (given a moment to notice the closed sessions).
    let mut admin = db.client();
    let started = Instant::now();
    loop {
        let running: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'vcd' AND state = 'active'",
                &[],
            )
            .unwrap()
            .get(0);
        if running == 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{running} statements of vcd still running");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `vcd ARGS` started in the project, its output captured.
fn spawn(p: &TempProject, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_vcd"))
        .args(args)
        .current_dir(&p.root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends SIGINT, as Ctrl-C in a terminal does, and waits (guarded) for the exit.
fn interrupt(mut child: Child) -> (Option<i32>, String) {
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let status = wait_guarded(&mut child, HANG, "vcd after Ctrl-C");
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    (status.code(), err)
}

#[test]
fn ctrl_c_stops_a_duckdb_build_and_leaves_the_site() {
    let p = TempProject::fixture("basic");
    assert_eq!(p.vcd(&["build"]).code, 0);
    let before = p.site_files();
    p.write("queries/endless.sql", ENDLESS_DUCKDB);
    let child = spawn(&p, &["build"]);
    // Long enough for the data to load and the query to start; were it not yet
    // running, the request would still stop it before it starts.
    std::thread::sleep(Duration::from_millis(1500));
    let (code, err) = interrupt(child);
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted: the site was not changed"), "{err}");
    assert!(p.site_files() == before, "the previous site is untouched");
    assert!(
        !p.path("site.tmp").exists()
            && std::fs::read_dir(&p.root)
                .unwrap()
                .all(|e| { !e.unwrap().file_name().to_string_lossy().contains("tmp") }),
        "no staging folder is left behind"
    );
}

#[test]
fn ctrl_c_cancels_the_statements_running_on_postgresql() {
    let Some(db) = test_db() else { return };
    let p = TempProject::with_queries(&[
        ("slow", "SELECT pg_sleep(60) AS slept\n"),
        ("slower", "SELECT pg_sleep(90) AS slept\n"),
    ]);
    let mut admin = db.client();
    let sleeping = |admin: &mut postgres::Client| -> i64 {
        admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%pg_sleep(%' AND application_name = 'vcd'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let child = spawn(&p, &["build", "--source", "postgres", "--database-url", &db.url]);
    let started = Instant::now();
    while sleeping(&mut admin) < 2 {
        assert!(started.elapsed() < HANG, "the two queries never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, err) = interrupt(child);
    assert_eq!(code, Some(130), "{err}");
    // A backend in pg_sleep does not notice its client has gone: only a cancel
    // request stops it, so without one both would still be running here.
    let started = Instant::now();
    while sleeping(&mut admin) > 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "the server still runs vcd's statements");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Ctrl-C during `vcd load` cancels its statements on every connection, drops
/// what it staged, and leaves the loaded tables as they were.
#[test]
fn ctrl_c_stops_a_load_and_leaves_the_database() {
    let Some(db) = test_db() else { return };
    let p = TempProject::demo();
    assert_eq!(p.vcd(&["load", "--database-url", &db.url]).code, 0);
    let before = db.fingerprint();
    // An index on an expression that takes 50 ms a row: about a minute for the metrics.
    p.write(
        "data/schema.sql",
        &format!(
            "{}\nCREATE FUNCTION slow_key(i bigint) RETURNS bigint LANGUAGE sql IMMUTABLE\n\
                 AS $$ SELECT i + length(pg_sleep(0.05)::text) * 0 $$;\n\
             CREATE INDEX metrics_slowly ON social_media_metrics (slow_key(metric_id));\n",
            p.read("data/schema.sql")
        ),
    );
    let mut admin = db.client();
    let indexing = |admin: &mut postgres::Client| -> i64 {
        admin
            .query_one(
                // While the staging schema exists: the load over several connections.
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%metrics_slowly%' AND application_name = 'vcd'
                 AND EXISTS (SELECT FROM pg_namespace WHERE nspname = 'vcd_load')",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let child = spawn(&p, &["load", "--database-url", &db.url]);
    let started = Instant::now();
    while indexing(&mut admin) == 0 {
        assert!(started.elapsed() < HANG, "the slow index was never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, err) = interrupt(child);
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted: the database was not changed"), "{err}");
    let started = Instant::now();
    while indexing(&mut admin) > 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "the server still builds vcd's index");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(db.fingerprint() == before, "an interrupted load changed the database");
    let staged: i64 =
        admin.query_one("SELECT count(*) FROM pg_namespace WHERE nspname = 'vcd_load'", &[]).unwrap().get(0);
    assert_eq!(staged, 0, "the staging schema was left behind");
}
