//! Small CSV facts vcd needs itself: a file's header row and the line a given value sits on.

use std::io::{BufRead, BufReader};
use std::path::Path;

/// Splits one CSV record (RFC 4180 quoting) into fields.
pub fn split_record(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// The header row's column names.
pub fn header(path: &Path) -> std::io::Result<Vec<String>> {
    let mut first = String::new();
    BufReader::new(std::fs::File::open(path)?).read_line(&mut first)?;
    let line = first.trim_end_matches(['\r', '\n']).trim_start_matches('\u{feff}');
    Ok(split_record(line))
}

/// The 1-based line of the first record whose `column` equals `value`, to point
/// at the row behind an error that names only a key. Assumes one record per
/// line, which holds for the generated demo data.
pub fn find_line(path: &Path, column: &str, value: &str) -> Option<usize> {
    let reader = BufReader::new(std::fs::File::open(path).ok()?);
    let mut lines = reader.lines();
    let header = split_record(lines.next()?.ok()?.trim_start_matches('\u{feff}'));
    let idx = header.iter().position(|h| h == column)?;
    lines.enumerate().find_map(|(i, l)| {
        let l = l.ok()?;
        (split_record(&l).get(idx).map(String::as_str) == Some(value)).then_some(i + 2)
    })
}

/// The first record whose field count differs from the header's, as
/// `(line, expected, found)`; quoted fields may span lines.
pub fn shape_error(path: &Path) -> std::io::Result<Option<(usize, usize, usize)>> {
    let reader = BufReader::new(std::fs::File::open(path)?);
    let mut expected = None;
    let mut record = String::new();
    let mut start_line = 0;
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if record.is_empty() {
            start_line = i + 1;
        } else {
            record.push('\n');
        }
        record.push_str(&line);
        // An odd number of quotes so far means a quoted field continues on the next line.
        if record.matches('"').count() % 2 == 1 {
            continue;
        }
        let fields = split_record(std::mem::take(&mut record).trim_start_matches('\u{feff}')).len();
        match expected {
            None => expected = Some(fields),
            Some(n) if n != fields && !(fields == 1 && line.is_empty()) => return Ok(Some((start_line, n, fields))),
            _ => {}
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_split_with_quotes() {
        assert_eq!(split_record("id,\"a,b\",\"say \"\"hi\"\"\""), vec!["id", "a,b", "say \"hi\""]);
        assert_eq!(split_record("1,,x"), vec!["1", "", "x"]);
    }

    #[test]
    fn shape_error_finds_the_bad_record() {
        let dir = std::env::temp_dir().join(format!("vcd-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("t.csv");
        std::fs::write(&f, "a,b\n1,\"x\ny\"\n2,3,4\n").unwrap();
        assert_eq!(shape_error(&f).unwrap(), Some((4, 2, 3)));
        std::fs::write(&f, "a,b\n1,2\n").unwrap();
        assert_eq!(shape_error(&f).unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
