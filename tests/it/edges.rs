//! Inputs at their edges: CSV files with records longer than DuckDB's default
//! limit or spanning several lines (every error names the file, the line the
//! record starts on and the cause), `$name` inside literals and comments, and
//! `max_rows` enforced while rows stream in, on DuckDB and PostgreSQL.

use crate::support::pg::test_db;
use crate::support::project::{Run, TempProject};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The schema the CSV tests load into, when they use one.
const SCHEMA: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT, n INTEGER, d DATE);\n";

/// A project with `data/t.csv` holding `csv` (and `data/schema.sql` when `schema`
/// is given) and a query reading the table.
fn csv_project(csv: &[u8], schema: Option<&str>) -> TempProject {
    let p = TempProject::fixture("edges");
    std::fs::create_dir_all(p.path("data")).unwrap();
    std::fs::write(p.path("data/t.csv"), csv).unwrap();
    if let Some(schema) = schema {
        p.write("data/schema.sql", schema);
    }
    p.write("queries/rows.sql", "SELECT * FROM t ORDER BY id\n");
    p
}

/// The rows a built site holds for one query.
fn rows(p: &TempProject, query: &str) -> Value {
    serde_json::from_str(&p.read(&format!("site/data/{query}.json"))).unwrap()
}

/// The run failed with one error about `data/t.csv`, which starts with
/// `expected`. (Without a schema, the query then also misses its table.)
fn assert_one_error(r: &Run, expected: &str) {
    assert_eq!(r.code, 1, "{}", r.stderr);
    let errors: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("error: data/")).collect();
    assert_eq!(errors.len(), 1, "{}", r.stderr);
    assert!(errors[0].starts_with(&format!("error: {expected}")), "expected {expected:?}, got:\n{}", r.stderr);
}

/// A quoted CSV field of at least `len` bytes with quotes and line breaks in it,
/// and how many characters it holds once loaded (each `""` is one `"`).
fn long_field(len: usize) -> (String, usize) {
    let unit = "Hand-knit \"\"Shetland\"\" wool, 1970s;\n";
    let n = len / unit.len() + 1;
    (format!("\"{}\"", unit.repeat(n)), n * unit.replace("\"\"", "\"").chars().count())
}

#[test]
fn a_record_longer_than_duckdbs_default_limit_loads_with_and_without_a_schema() {
    for schema in [Some(SCHEMA), None] {
        // 3 MB in one field (DuckDB's default limit is 2,000,000 bytes), then ordinary records.
        let (field, chars) = long_field(3_000_000);
        let csv = format!("id,note,n,d\n1,{field},7,2024-05-01\n2,short,8,2024-05-02\n");
        let p = csv_project(csv.as_bytes(), schema);
        p.write("queries/sizes.sql", "SELECT id, length(note) AS chars, n FROM t ORDER BY id\n");
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "schema {schema:?}: {}", r.stderr);
        assert_eq!(
            rows(&p, "sizes"),
            json!([{"id": 1, "chars": chars, "n": 7}, {"id": 2, "chars": 5, "n": 8}]),
            "schema {schema:?}"
        );
    }
}

#[test]
fn csv_errors_name_the_file_the_records_first_line_and_the_cause() {
    let unclosed = "a quoted field opens here and is never closed: every \" that starts a field needs a closing \" \
                    (write a quote inside a quoted field as \"\")";
    let mut cases: Vec<(String, Vec<u8>, &str)> = vec![
        // Structure, found the same with or without a schema.
        (format!("data/t.csv:3: {unclosed}"), b"id,note,n,d\n1,ok,1,\n2,\"never closed,2,\n3,x,3,\n".to_vec(), "both"),
        (
            format!("data/t.csv:4: {unclosed}"),
            b"id,note,n,d\n1,\"a\nb\",1,\n2,\"say \"\"hi\"\" and never close,2,\n3,x,3,\n".to_vec(),
            "both",
        ),
        (
            "data/t.csv:7: this record has 5 fields but the header has 4 (id, note, n, d); \
             a value holding a comma must be quoted (\"a, b\")"
                .into(),
            b"id,note,n,d\n1,\"a\nb\",1,\n2,\"c\n\nd\",2,\n3,Smith, John,3,\n".to_vec(),
            "both",
        ),
        (
            "data/t.csv:5: this record has 2 fields but the header has 4 (id, note, n, d)".into(),
            b"id,note,n,d\n1,\"a\nb\nc\",1,\n2,x\n".to_vec(),
            "both",
        ),
        (
            "data/t.csv:4: column 'note' holds bytes that are not UTF-8; save the file as UTF-8".into(),
            b"id,note,n,d\n1,\"a\nb\",1,\n2,caf\xe9,2,\n".to_vec(),
            "both",
        ),
        // CRLF line ends, blank lines, a `\r` inside quotes, and all of them mixed:
        // the line is the file's as an editor shows it (1 + the `\n` bytes before).
        (
            "data/t.csv:3: this record has 2 fields but the header has 4 (id, note, n, d)".into(),
            b"id,note,n,d\r\n1,ok,1,\r\n2,x\r\n".to_vec(),
            "both",
        ),
        (
            "data/t.csv:5: this record has 5 fields but the header has 4 (id, note, n, d); \
             a value holding a comma must be quoted (\"a, b\")"
                .into(),
            b"id,note,n,d\n1,ok,1,\n\n\n2,Smith, John,2,\n".to_vec(),
            "both",
        ),
        (format!("data/t.csv:3: {unclosed}"), b"id,note,n,d\n1,\"a\rb\",1,\n2,\"never closed,2,\n".to_vec(), "both"),
        (
            "data/t.csv:5: column 'note' holds bytes that are not UTF-8; save the file as UTF-8".into(),
            b"id,note,n,d\r\n1,\"a\r\nb\",1,\n\r\n2,caf\xe9,2,\r\n".to_vec(),
            "both",
        ),
        (
            "data/t.csv:6: this record has 3 fields but the header has 4 (id, note, n, d)".into(),
            b"id,note,n,d\r\n\r\n1,\"x\ry\",1,\r\n2,\"p\nq\",2,\n3,z,3\r\n".to_vec(),
            "both",
        ),
        // Values the declared type cannot hold, after records with quoted line breaks.
        ("data/t.csv:4: ".into(), b"id,note,n,d\n1,\"a\nb\",5,\n2,\"c\nd\ne\",six,\n".to_vec(), "schema"),
        ("data/t.csv:4: ".into(), b"id,note,n,d\r\n1,\"a\r\nb\",5,\r\n2,x,six,\r\n".to_vec(), "schema"),
        (
            "data/t.csv:6: ".into(),
            b"id,note,n,d\n1,\"x\ny\",1,2024-01-02\n2,\"\"\"q\"\"\n\",2,2024-02-01\n3,ok,3,2024-02-30\n".to_vec(),
            "schema",
        ),
        // A repeated key: the record that repeats it.
        (
            "data/t.csv:5: Constraint Error: PRIMARY KEY or UNIQUE constraint violation: duplicate key \"2\"".into(),
            b"id,note,n,d\n2,\"a\nb\",1,\n1,x,2,\n2,again,3,\n".to_vec(),
            "schema",
        ),
    ];
    // A bad value after a valid record longer than DuckDB's default limit, whose
    // field holds tens of thousands of line breaks.
    let (field, _) = long_field(2_500_000);
    let line = 3 + field.matches('\n').count();
    cases.push((
        format!("data/t.csv:{line}: "),
        format!("id,note,n,d\n1,{field},1,\n2,\"p\nq\",x,\n").into_bytes(),
        "schema",
    ));
    for (expected, csv, modes) in &cases {
        let schemas: &[Option<&str>] = match *modes {
            "both" => &[Some(SCHEMA), None],
            _ => &[Some(SCHEMA)],
        };
        for schema in schemas {
            let p = csv_project(csv, *schema);
            let r = p.vcd(&["check"]);
            eprintln!("case {expected:?} with schema {}", schema.is_some());
            assert_one_error(&r, expected);
        }
    }
}

#[test]
fn a_bad_value_names_its_column_and_value() {
    let p = csv_project(b"id,note,n,d\n1,\"a\nb\",5,\n2,\"c\nd\ne\",six,\n", Some(SCHEMA));
    let r = p.vcd(&["check"]);
    assert_one_error(&r, "data/t.csv:4: ");
    assert!(r.stderr.contains("six") && r.stderr.contains('n'), "{}", r.stderr);
}

/// The peak resident memory of a process, in KiB, sampled from
/// `/proc/PID/status` until it exits, with its output.
fn run_measured(mut cmd: Command) -> (std::process::Output, u64, Duration) {
    let started = Instant::now();
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let status = format!("/proc/{}/status", child.id());
    let sampler = std::thread::spawn(move || {
        let mut peak = 0;
        while let Ok(text) = std::fs::read_to_string(&status) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            match hwm {
                Some(kb) => peak = peak.max(kb),
                None => break, // a zombie has no memory lines left
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    let out = child.wait_with_output().unwrap();
    (out, sampler.join().unwrap(), started.elapsed())
}

/// Ten billion rows: materialised, the result would take minutes and about
/// 80 GB before any check could count it; streamed, it stops at max_rows + 1.
const HUGE: &str = "SELECT * FROM range(10000000000) AS t(n)\n";

fn assert_stopped_early(p: &TempProject, args: &[&str], query_file: &str) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vcd"));
    cmd.args(args).current_dir(&p.root);
    let (out, peak_kb, took) = run_measured(cmd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: {query_file}: query returns more than max_rows = 1000 rows; aggregate in SQL or raise max_rows in vcd.toml"
        )),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
    // The binary, DuckDB and a thousand rows fit well within this; the result would not.
    assert!(peak_kb > 0 && peak_kb < 600_000, "peak resident memory {peak_kb} KiB");
    eprintln!("{args:?}: stopped in {took:?}, peak resident memory {peak_kb} KiB");
}

#[test]
fn max_rows_stops_a_huge_duckdb_result_while_it_streams() {
    let p = TempProject::fixture("edges");
    p.write("vcd.toml", "max_rows = 1000\n");
    p.write("queries/huge.sql", HUGE);
    p.write("queries/at_limit.sql", "SELECT * FROM range(1000) AS t(n)\n");
    assert_stopped_early(&p, &["build"], "queries/huge.sql");
    assert_stopped_early(&p, &["query", "huge"], "queries/huge.sql");
    // Exactly max_rows rows is within the limit.
    p.remove("queries/huge.sql");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(rows(&p, "at_limit").as_array().unwrap().len(), 1000);
}

#[test]
fn max_rows_stops_a_huge_postgres_result_while_it_streams() {
    let Some(db) = test_db() else { return };
    let p = TempProject::fixture("edges");
    p.write("vcd.toml", "max_rows = 1000\nsource = \"postgres\"\n");
    // A set-returning function in the select list yields row by row; the
    // server stops when the portal has sent max_rows + 1.
    p.write("queries/huge.sql", "SELECT generate_series(1, 10000000000) AS n\n");
    p.write("queries/at_limit.sql", "SELECT generate_series(1, 1000) AS n\n");
    assert_stopped_early(&p, &["build", "--database-url", &db.url], "queries/huge.sql");
    p.remove("queries/huge.sql");
    let r = p.vcd(&["build", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(rows(&p, "at_limit").as_array().unwrap().len(), 1000);
}

/// SQL where every `$name` but `$kept` sits in a literal or a comment.
const LITERALS: &str = "SELECT E'don\\'t $x' AS e, 'it''s $y' AS s, $$ $z $$ AS dq, $tag$ $$ $w $tag$ AS tagged,\n\
    \"col$v\".n AS q /* outer /* inner */ $u */, -- $t\n  CAST($kept AS INTEGER) AS kept\n\
    FROM (SELECT 1 AS n) AS \"col$v\"\n";

#[test]
fn dollar_names_in_literals_and_comments_are_text_on_duckdb() {
    let p = TempProject::fixture("edges");
    p.write("queries/literals.sql", LITERALS);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = json!([{"e": "don't $x", "s": "it's $y", "dq": " $z ", "tagged": " $$ $w ", "q": 1, "kept": null}]);
    assert_eq!(rows(&p, "literals"), expected);
    let r = p.vcd(&["query", "literals", "--param", "kept=42"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().nth(3).is_some_and(|l| l.trim_end().ends_with("42")), "{}", r.stdout);
}

#[test]
fn dollar_names_in_literals_and_comments_are_text_on_postgres() {
    let Some(db) = test_db() else { return };
    let p = TempProject::fixture("edges");
    p.write("queries/literals.sql", LITERALS);
    let r = p.vcd(&["build", "--source", "postgres", "--database-url", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = json!([{"e": "don't $x", "s": "it's $y", "dq": " $z ", "tagged": " $$ $w ", "q": 1, "kept": null}]);
    assert_eq!(rows(&p, "literals"), expected);
}

#[test]
fn an_error_after_parameters_points_at_the_files_column() {
    let p = TempProject::fixture("edges");
    // `$platform` becomes `$1` plus padding; the unknown column must still be found at 3:5.
    p.write(
        "queries/bad.sql",
        "SELECT $platform AS p, -- $not_a_param\n  'it''s $x' AS s,\n    no_such_column + $day_count AS n\n",
    );
    let r = p.vcd(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error: queries/bad.sql:3:5: "), "{}", r.stderr);
    assert!(r.stderr.contains("no_such_column"), "{}", r.stderr);
}

#[test]
fn postgres_load_names_the_records_first_line() {
    let Some(db) = test_db() else { return };
    let cases: Vec<(&[u8], &str)> = vec![
        // PostgreSQL names the line the record ends on (6); vcd names where it starts.
        (
            b"id,note,n,d\n1,\"a\nb\",5,\n2,\"c\nd\ne\",six,\n",
            "data/t.csv:4: ERROR: invalid input syntax for type integer: \"six\"",
        ),
        (
            b"id,note,n,d\n1,\"x\ny\",1,2024-01-02\n2,\"z\",2,2024-02-30\n",
            "data/t.csv:4: ERROR: date/time field value out of range",
        ),
        (
            b"id,note,n,d\n1,\"a\nb\",1,\n2,\"c\n\nd\",2,\n3,Smith, John,3,\n",
            "data/t.csv:7: this record has 5 fields but the header has 4",
        ),
        (
            b"id,note,n,d\n1,ok,1,\n2,\"never closed,2,\n3,x,3,\n",
            "data/t.csv:3: a quoted field opens here and is never closed",
        ),
        // CRLF line ends and blank lines do not shift the line named.
        (
            b"id,note,n,d\r\n1,\"a\r\nb\",5,\r\n2,x,six,\r\n",
            "data/t.csv:4: ERROR: invalid input syntax for type integer: \"six\"",
        ),
        (b"id,note,n,d\r\n1,ok,1,\r\n\r\n2,x,2,,\r\n", "data/t.csv:4: this record has 5 fields but the header has 4"),
        // A repeated key is found by looking the key up: the record on line 4 repeats it.
        (b"id,note,n,d\n1,\"a\nb\",1,\n1,c,2,\n", "data/t.csv:4: ERROR: could not create unique index \"t_pkey\""),
    ];
    for (csv, expected) in cases {
        let p = csv_project(csv, Some(SCHEMA));
        let r = p.vcd(&["load", "--database-url", &db.url]);
        assert_one_error(&r, expected);
    }
}
