//! PostgreSQL faults, through a proxy that misbehaves as a server or network
//! does: a connection cut mid-result, a server restarting between queries or
//! refusing connections, a server that answers too slowly, and one out of
//! connections. Each gives a clear error naming the query, or recovers, and
//! never hangs past the limits or touches the previous site.

use crate::support::pg::{server_addr, test_db};
use crate::support::project::TempProject;
use crate::support::proxy::{Behaviour, Proxy};
use std::time::Duration;
use vcd::source::Source;

/// A guard against a hang, not a measurement.
const HANG: Duration = Duration::from_secs(120);

/// The test database's URL, reached through `proxy`.
fn through(url: &str, proxy: &Proxy) -> String {
    let port = server_addr().port();
    let proxied = url.replacen(&format!(":{port}/"), &format!(":{}/", proxy.port), 1);
    assert_ne!(proxied, url, "the test URL names its port");
    proxied
}

/// A project of one page over `sql`, a query named `q`.
fn one_query(sql: &str) -> TempProject {
    TempProject::with_queries(&[("q", sql)])
}

#[test]
fn a_connection_cut_mid_result_fails_naming_the_query_and_keeps_the_site() {
    let Some(db) = test_db() else { return };
    let p = one_query("SELECT g, repeat('x', 40) AS pad FROM generate_series(1, 50000) g ORDER BY g\n");
    let direct = p.vcd(&["build", "--source", "postgres", "--database-url", &db.url]);
    assert_eq!(direct.code, 0, "{}", direct.stderr);
    let before = p.site_files();
    // The result is about 3 MB: the cut comes after its first rows.
    let cut = Proxy::start(server_addr(), Behaviour::CutAfter(300_000));
    let r = p.vcd_guarded(&["build", "--source", "postgres", "--database-url", &through(&db.url, &cut)], &[], HANG);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("queries/q.sql: the connection to the server was lost while the query ran"),
        "{}",
        r.stderr
    );
    assert!(p.site_files() == before, "the previous site is untouched");
}

#[test]
fn a_server_restarting_is_tried_once_more() {
    let Some(db) = test_db() else { return };
    let p = one_query("SELECT 1 AS one\n");
    assert_eq!(p.vcd(&["build", "--source", "postgres", "--database-url", &db.url]).code, 0);
    let before = p.site_files();
    // The first connection is closed at once; the retry a second later gets in.
    let restarting = Proxy::start(server_addr(), Behaviour::RefuseFirst(1));
    let r =
        p.vcd_guarded(&["build", "--source", "postgres", "--database-url", &through(&db.url, &restarting)], &[], HANG);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(restarting.accepted(), 2, "one refused, one retried");
    assert!(p.site_files() == before, "the same site");
    // Refused twice: an error, after one retry only.
    let down = Proxy::start(server_addr(), Behaviour::RefuseFirst(usize::MAX));
    let r = p.vcd_guarded(&["build", "--source", "postgres", "--database-url", &through(&db.url, &down)], &[], HANG);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("cannot connect to PostgreSQL at 127.0.0.1:{}/", down.port)), "{}", r.stderr);
    assert_eq!(down.accepted(), 2, "tried once more, not again and again");
    assert!(p.site_files() == before);
}

#[test]
fn connections_lost_between_queries_are_replaced() {
    let Some(db) = test_db() else { return };
    let proxy = Proxy::start(server_addr(), Behaviour::Pass);
    let target = vcd::source::postgres::target(Some(&through(&db.url, &proxy)), &Default::default()).unwrap();
    let pg = vcd::source::postgres::PgSource::open(target, Default::default()).unwrap();
    assert_eq!(pg.run("SELECT 1 AS one", &[], 10).unwrap().rows, vec![vec![serde_json::json!(1)]]);
    // The server restarts: the idle connection is dead; the next query gets a new one.
    proxy.cut_all();
    for n in 2..5 {
        let r = pg.run(&format!("SELECT {n} AS n"), &[], 10).unwrap();
        assert_eq!(r.rows, vec![vec![serde_json::json!(n)]]);
    }
    assert!(proxy.accepted() >= 2, "a new connection was made");
}

#[test]
fn a_server_answering_too_slowly_is_given_up_on_after_the_limit() {
    let Some(db) = test_db() else { return };
    let proxy = Proxy::start(server_addr(), Behaviour::Pass);
    let target = vcd::source::postgres::target(Some(&through(&db.url, &proxy)), &Default::default()).unwrap();
    let pg = vcd::source::postgres::PgSource::open(target, Default::default()).unwrap();
    // Every answer from now on takes 20 s to arrive: the server finishes
    // `SELECT 1` at once, so only the build giving up can end the wait early.
    proxy.set_delay(Duration::from_secs(20));
    let started = std::time::Instant::now();
    let e = pg
        .run_within("SELECT 1 AS one", &[], 10, Some(Duration::from_millis(500)))
        .expect_err("the answer came too late");
    assert!(e.message.starts_with("cancelled after 500ms: the query ran past its statement_timeout"), "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(20), "gave up before the delayed answer came");
}

#[test]
fn a_server_with_room_for_fewer_connections_serves_the_build_on_those() {
    let Some(db) = test_db() else { return };
    let p = TempProject::demo();
    assert_eq!(p.vcd(&["load", "--database-url", &db.url]).code, 0);
    let as_owner = p.vcd(&["build", "--source", "postgres", "--database-url", &db.url]);
    assert_eq!(as_owner.code, 0, "{}", as_owner.stderr);
    let site = p.site_files();
    // A role the server lets open two connections, and one it lets open none.
    let mut admin = db.client();
    let role = format!("{}_few", db.name);
    let none = format!("{}_none", db.name);
    admin
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN PASSWORD 'few' CONNECTION LIMIT 2; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
             CREATE ROLE {none} LOGIN PASSWORD 'none' CONNECTION LIMIT 0;"
        ))
        .unwrap();
    let url_as = |user: &str, pw: &str| db.url.replacen("://vcd:vcd@", &format!("://{user}:{pw}@"), 1);
    let r = p.vcd_guarded(&["build", "--source", "postgres", "--database-url", &url_as(&role, "few")], &[], HANG);
    let r2 = p.vcd_guarded(&["build", "--source", "postgres", "--database-url", &url_as(&none, "none")], &[], HANG);
    drop(admin);
    let mut admin = db.client();
    admin.batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}; DROP ROLE {none}")).unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(p.site_files() == site, "the same site over two connections as over four");
    assert_eq!(r2.code, 1, "{}", r2.stderr);
    assert!(r2.stderr.contains("too many connections for role"), "{}", r2.stderr);
    assert!(p.site_files() == site);
}
