//! Offline means offline: zoned timestamps with DuckDB's time zone functions
//! compiled in, the project time zone on both engines (figures computed here
//! independently, from the CSV's text), builds with no network at all, clear
//! errors for what the offline engine leaves out, and the same bytes from the
//! same input.

use crate::support::pg::test_db;
use crate::support::project::{Run, TempProject};
use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::Command;

/// The fixture's events as instants: each `at` read as its text says (an
/// offset, `Z`, or none, which means the project's zone), with its value.
fn events(zone: Tz) -> Vec<(i64, DateTime<Tz>, i64)> {
    let csv =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/zones/data/events.csv")).unwrap();
    csv.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let text = f[1].replace(' ', "T");
            let instant = match DateTime::parse_from_rfc3339(&text) {
                Ok(t) => t.with_timezone(&zone),
                Err(_) => {
                    let naive = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S").unwrap();
                    zone.from_local_datetime(&naive).single().unwrap()
                }
            };
            (f[0].parse().unwrap(), instant, f[2].parse().unwrap())
        })
        .collect()
}

/// How vcd writes a zoned value: local time, fraction only when there is one,
/// `Z` in UTC and the offset elsewhere.
fn written(t: &DateTime<Tz>, zone: Tz) -> String {
    let mut s = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    if t.nanosecond() != 0 {
        s.push_str(format!(".{:06}", t.nanosecond() / 1000).trim_end_matches('0'));
    }
    if zone == Tz::UTC {
        s.push('Z');
    } else {
        let off = t.offset().fix().local_minus_utc();
        s.push_str(&format!("{}{:02}:{:02}", if off < 0 { '-' } else { '+' }, off.abs() / 3600, off.abs() / 60 % 60));
    }
    s
}

/// What each query must return in `zone`, computed from the CSV text alone.
fn expected(zone: Tz) -> BTreeMap<&'static str, Value> {
    let events = events(zone);
    let mut monthly: BTreeMap<DateTime<Tz>, (i64, i64)> = BTreeMap::new();
    let mut hourly: BTreeMap<u32, (i64, i64)> = BTreeMap::new();
    for (_, t, v) in &events {
        let start = zone.with_ymd_and_hms(t.year(), t.month(), 1, 0, 0, 0).single().unwrap();
        let m = monthly.entry(start).or_default();
        *m = (m.0 + 1, m.1 + v);
        let h = hourly.entry(t.hour()).or_default();
        *h = (h.0 + 1, h.1 + v);
    }
    let july = zone.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).single().unwrap();
    BTreeMap::from([
        (
            "monthly",
            monthly
                .iter()
                .map(|(m, (n, total))| json!({"month": written(m, zone), "posts": n, "total": total}))
                .collect(),
        ),
        ("hourly", hourly.iter().map(|(h, (n, total))| json!({"hour": h, "posts": n, "total": total})).collect()),
        (
            "events",
            events
                .iter()
                .map(|(id, t, _)| {
                    json!({"id": id, "posted_at": written(t, zone), "day": t.format("%Y-%m-%d").to_string(), "from_july": *t >= july})
                })
                .collect(),
        ),
    ])
}

fn data(p: &TempProject, query: &str) -> Value {
    serde_json::from_str(&p.read(&format!("site/data/{query}.json"))).unwrap()
}

fn zones_project(zone: &str) -> TempProject {
    let p = TempProject::fixture("zones");
    p.write("vcd.toml", &format!("timezone = \"{zone}\"\n"));
    p
}

#[test]
fn zoned_aggregates_are_local_to_the_project_time_zone_offline() {
    for name in ["UTC", "America/Toronto"] {
        let zone: Tz = name.parse().unwrap();
        let p = zones_project(name);
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        for (query, want) in expected(zone) {
            assert_eq!(data(&p, query), want, "{query}.json in {name}");
        }
        // The table shows each event on its local day: event 2 (03:30 UTC on
        // Feb 1) happened on Jan 31 in Toronto.
        let html = p.read("site/index.html");
        let day = if name == "UTC" { "Feb 1, 2024" } else { "Jan 31, 2024" };
        assert!(html.contains(&format!("<td>{day}</td>")) || html.contains(&format!(">{day}<")), "{name}: {day}");
    }
}

/// The two zones really differ on this data, so the test above tells them apart.
#[test]
fn the_fixture_tells_the_zones_apart() {
    let (utc, toronto) = (expected(Tz::UTC), expected("America/Toronto".parse().unwrap()));
    for query in ["monthly", "hourly", "events"] {
        assert_ne!(utc[query], toronto[query], "{query}");
    }
}

#[test]
fn zoned_values_match_postgresql_in_two_time_zones() {
    let Some(db) = test_db() else { return };
    for name in ["UTC", "America/Toronto"] {
        let p = zones_project(name);
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let offline: Vec<Value> = ["monthly", "hourly", "events"].iter().map(|q| data(&p, q)).collect();
        let r = p.vcd(&["load", "--database-url", &db.url]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let r = p.vcd(&["build", "--source", "postgres", "--database-url", &db.url]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        for (i, q) in ["monthly", "hourly", "events"].iter().enumerate() {
            assert_eq!(data(&p, q), offline[i], "{q}.json in {name}: PostgreSQL differs from DuckDB");
        }
    }
}

#[test]
fn an_unknown_time_zone_names_the_line_in_vcd_toml() {
    let p = TempProject::fixture("zones");
    p.write("vcd.toml", "title = \"Shop\"\ntimezone = \"America/Torono\"\n");
    let r = p.vcd(&["build"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("vcd.toml:2:")
            && r.stderr.contains("unknown time zone 'America/Torono'")
            && r.stderr.contains("did you mean 'America/Toronto'?"),
        "{}",
        r.stderr
    );
}

/// `vcd ARGS` in a network namespace of its own, where no address outside the
/// process can be reached.
fn vcd_offline(p: &TempProject, args: &[&str]) -> Run {
    // `-n` alone needs root's CAP_SYS_ADMIN; `-rn` needs user namespaces.
    let flag = ["-rn", "-n"]
        .into_iter()
        .find(|f| Command::new("unshare").args([f, "true"]).status().is_ok_and(|s| s.success()))
        .expect(
            "this test needs `unshare -rn` (util-linux, user namespaces) or root's `unshare -n` to cut the network",
        );
    let out = Command::new("unshare")
        .args([flag, env!("CARGO_BIN_EXE_vcd")])
        .args(args)
        .current_dir(&p.root)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn builds_need_no_network() {
    let p = zones_project("America/Toronto");
    let r = vcd_offline(&p, &["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(data(&p, "monthly"), expected("America/Toronto".parse().unwrap())["monthly"]);
    let demo = TempProject::demo();
    let r = vcd_offline(&demo, &["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// What the offline engine leaves out fails in plain words, naming the query's
/// line, never downloading, and leaves the previous site as it was.
#[test]
fn what_the_offline_engine_leaves_out_is_a_clear_error() {
    let p = zones_project("UTC");
    assert_eq!(vcd_offline(&p, &["build"]).code, 0);
    let before = p.site_files();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "SELECT id,\n  st_point(1, 2) AS p\nFROM events",
            "queries/shape.sql:2:3",
            &["st_point() needs DuckDB's spatial extension", "never downloads", "PostgreSQL"],
        ),
        ("SELECT * FROM read_xlsx('sales.xlsx')", "queries/shape.sql:1:15", &["excel extension"]),
        ("INSTALL spatial", "queries/shape.sql:1:1", &["cannot install, load or attach"]),
        ("LOAD spatial", "queries/shape.sql:1:1", &["cannot install, load or attach"]),
        (
            "SELECT *\nFROM 'https://example.com/posts.csv'",
            "queries/shape.sql:2:7",
            &["cannot read 'https://example.com/posts.csv'", "put the file in data/"],
        ),
        ("SELECT * FROM 'data/events.csv'", "queries/shape.sql:1:16", &["cannot read 'data/events.csv'"]),
    ];
    for (sql, at, words) in cases {
        p.write("queries/shape.sql", sql);
        let r = vcd_offline(&p, &["build"]);
        assert_ne!(r.code, 0, "{sql}");
        assert!(r.stderr.contains(at), "{sql}: wanted {at} in\n{}", r.stderr);
        for w in *words {
            assert!(r.stderr.contains(w), "{sql}: wanted '{w}' in\n{}", r.stderr);
        }
        for never in ["INSTALL spatial;", "Failed to download", "extensions.duckdb.org"] {
            assert!(!r.stderr.contains(never), "{sql}: '{never}' in\n{}", r.stderr);
        }
        assert!(p.site_files() == before, "{sql}: a failed build changed site/");
        if sql.contains("st_point") {
            let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
            let first = r.stderr.lines().next().unwrap();
            assert!(readme.contains(first), "README.md shows this error as vcd prints it:\n{first}");
        }
    }
}

/// Every file of `site/`, the same in `a` and `b`.
fn assert_same_sites(a: &TempProject, b: &TempProject) {
    let (fa, fb) = (a.site_files(), b.site_files());
    let names = |f: &[(std::path::PathBuf, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&fa), names(&fb), "the same files");
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{} differs between two builds of the same input", name.display());
    }
}

/// Two builds of the demo, each in its own copy (so neither reads the other's
/// result cache), give the same bytes in every file of `site/`.
#[test]
fn the_same_input_gives_the_same_bytes() {
    let (a, b) = (TempProject::demo(), TempProject::demo());
    for p in [&a, &b] {
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert!(a.site_files().len() > 100, "the demo built its pages");
    assert_same_sites(&a, &b);
}

/// Means, sums and deviations of doubles over 600,000 rows (several of
/// DuckDB's row groups, which parallel threads would add up in whatever order
/// they finish) come out the same digit for digit, build after build.
#[test]
fn double_aggregates_over_many_rows_are_the_same_every_build() {
    let mut csv = String::from("g,x\n");
    let mut state: u64 = 7;
    for i in 0..600_000 {
        // A 64-bit linear congruential generator (Knuth's MMIX constants).
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        csv.push_str(&format!("{},{}\n", i % 7, (state >> 11) as f64 / (1u64 << 53) as f64 * 1000.0));
    }
    let project = || {
        let p = TempProject::fixture("zones");
        p.write("data/samples.csv", &csv);
        p.write("queries/spread.sql", "SELECT avg(x) AS mean, sum(x) AS total, stddev(x) AS sd FROM samples");
        p.write("queries/groups.sql", "SELECT g, sum(x) AS total, avg(x) AS mean FROM samples GROUP BY g ORDER BY g");
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        p
    };
    let first = project();
    for _ in 0..3 {
        assert_same_sites(&first, &project());
    }
}
