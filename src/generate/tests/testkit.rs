//! Test support: generates fixtures once per test run and reads the CSVs back.
//!
//! The tests check the files a user gets, not the generator's internals, so the reader
//! here is an independent RFC 4180 parser (quotes, doubled quotes, embedded newlines).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::generate::calendar;
use crate::generate::{generate, Options, Summary};

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl Table {
    pub fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
    }
    /// The values of one column (None = NULL).
    pub fn column(&self, name: &str) -> Vec<Option<&str>> {
        let c = self.col(name);
        self.rows.iter().map(|r| r[c].as_deref()).collect()
    }
    /// Row accessor by column name; panics on NULL.
    pub fn get<'a>(&self, row: &'a [Option<String>], name: &str) -> &'a str {
        row[self.col(name)].as_deref().unwrap_or_else(|| panic!("{name} is NULL"))
    }
    pub fn opt<'a>(&self, row: &'a [Option<String>], name: &str) -> Option<&'a str> {
        row[self.col(name)].as_deref()
    }
    pub fn int(&self, row: &[Option<String>], name: &str) -> i64 {
        self.get(row, name).parse().unwrap_or_else(|_| panic!("{name} not an integer"))
    }
    pub fn cents(&self, row: &[Option<String>], name: &str) -> i64 {
        cents(self.get(row, name))
    }
}

/// "12.50" → 1250, "-0.05" → -5; exactly two decimals are required.
pub fn cents(s: &str) -> i64 {
    let (neg, body) = s.strip_prefix('-').map_or((false, s), |b| (true, b));
    let (whole, frac) = body.split_once('.').expect("decimal point");
    assert_eq!(frac.len(), 2, "money with two decimals: {s}");
    let v = whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

pub fn day(s: &str) -> i64 {
    assert_eq!(s.len(), 10, "date {s}");
    let p = |a: usize, b: usize| s[a..b].parse::<u32>().unwrap();
    calendar::days_from_civil(p(0, 4) as i32, p(5, 7), p(8, 10))
}

pub fn timestamp(s: &str) -> i64 {
    assert_eq!(s.len(), 19, "timestamp {s}");
    let p = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    day(&s[..10]) * 86_400 + p(11, 13) * 3600 + p(14, 16) * 60 + p(17, 19)
}

/// Parses one whole CSV file. An unquoted empty field is NULL; a quoted one is ''.
pub fn parse(text: &str) -> Table {
    let mut rows: Vec<Vec<Option<String>>> = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let (mut quoted, mut in_quotes, mut chars) = (false, false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => in_quotes = false,
            (true, c) => field.push(c),
            (false, '"') => (in_quotes, quoted) = (true, true),
            (false, ',' | '\n') => {
                let v = std::mem::take(&mut field);
                row.push(if v.is_empty() && !quoted { None } else { Some(v) });
                quoted = false;
                if c == '\n' {
                    rows.push(std::mem::take(&mut row));
                }
            }
            (false, c) => field.push(c),
        }
    }
    assert!(row.is_empty() && field.is_empty(), "file must end with a newline");
    let header = rows.remove(0).into_iter().map(|h| h.expect("header")).collect::<Vec<_>>();
    for r in &rows {
        assert_eq!(r.len(), header.len(), "column count");
    }
    Table { header, rows }
}

pub fn read(dir: &Path, table: &str) -> Table {
    parse(&std::fs::read_to_string(dir.join(format!("{table}.csv"))).expect("read csv"))
}

/// All tables of one generated folder, by name.
pub struct Data {
    pub dir: PathBuf,
    pub summary: Summary,
    pub tables: HashMap<String, Table>,
}

impl Data {
    pub fn t(&self, name: &str) -> &Table {
        &self.tables[name]
    }
}

pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vcd-generate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn load(name: &str, opts: &Options) -> Data {
    let dir = scratch_dir(name);
    let summary = generate(opts, &dir).expect("generate");
    let tables = crate::generate::TABLES.iter().map(|t| (t.to_string(), read(&dir, t))).collect();
    Data { dir, summary, tables }
}

/// The default demo, generated once per test run.
pub fn default_data() -> &'static Data {
    static D: OnceLock<Data> = OnceLock::new();
    D.get_or_init(|| load("default", &Options::default()))
}

/// Many posts on the default business (scale and posts both given), for effects that
/// need statistical power.
pub fn many_posts() -> &'static Data {
    static D: OnceLock<Data> = OnceLock::new();
    D.get_or_init(|| load("many", &Options { posts: Some(6_000), scale: Some(1.0), seed: 7, ..Options::default() }))
}

/// Four times the demo's posts and, through them, four times its business: two venue
/// series and market days twice the size, so the scaled-up paths are checked too.
pub fn scaled_up() -> &'static Data {
    static D: OnceLock<Data> = OnceLock::new();
    D.get_or_init(|| load("scaled", &Options { posts: Some(480), seed: 3, ..Options::default() }))
}
