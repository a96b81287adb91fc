//! CSV facts vcd needs itself, read with the `csv` crate so that quoted line
//! breaks are understood: a file's header, a check of every record's shape
//! (naming the line the record starts on), its longest record, and the line a
//! given record or key starts on.
//!
//! The dialect is the one the engines load (README, "Data"): comma-separated,
//! a header row, `"` quoting with `""` for a quote, UTF-8, an optional
//! byte-order mark; empty lines are skipped.

use crate::util::diag::Diagnostic;
use csv::{ByteRecord, Position, Reader, ReaderBuilder};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// What one pass over a well-formed file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Survey {
    /// Data records, the header excluded.
    pub records: u64,
    /// Bytes of the longest record (the header included), with its line break.
    pub longest: u64,
}

/// A problem with a CSV file, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line: the first line of the record at fault (records with quoted
    /// line breaks span several); `None` when the file cannot be read at all.
    pub line: Option<u64>,
    /// The cause, in plain words.
    pub message: String,
}

impl Problem {
    fn io(e: &std::io::Error) -> Problem {
        Problem { line: None, message: format!("cannot read: {e}") }
    }

    /// The problem as a message about `shown` (the file's path as the user sees it).
    pub fn diagnostic(self, shown: &Path) -> Diagnostic {
        let d = Diagnostic::in_file(shown, self.message);
        match self.line {
            Some(line) => d.at(line as usize, None),
            None => d,
        }
    }
}

/// The records of `path`, the header as record 0, each with the line it starts on.
///
/// csv-core's own line count is off in two cases: after a `\r\n` it counts the
/// `\n` only when the next record is read (so that record is named a line
/// early), and a record after blank lines gets the first blank line's number.
/// So the line is worked out from the record's byte offset instead: past any
/// `\r`/`\n` at that offset to the record's first byte, 1 + the `\n` bytes before it.
struct Records {
    rdr: Reader<LineBreaks<File>>,
    /// The record last read.
    rec: ByteRecord,
}

impl Records {
    fn open(path: &Path) -> Result<Records, Problem> {
        let file = File::open(path).map_err(|e| Problem::io(&e))?;
        // Field counts are checked by `survey` itself, to word the message.
        let rdr = ReaderBuilder::new().has_headers(false).flexible(true).from_reader(LineBreaks::new(file));
        Ok(Records { rdr, rec: ByteRecord::new() })
    }

    /// Reads the next record into `self.rec` and returns where it starts: the
    /// byte offset of its first byte, its 1-based line and its index (the header
    /// is 0); `None` at the end of the file.
    fn next(&mut self) -> csv::Result<Option<Position>> {
        if !self.rdr.read_byte_record(&mut self.rec)? {
            return Ok(None);
        }
        let raw = self.rec.position().cloned().unwrap_or_else(Position::new);
        Ok(Some(self.rdr.get_mut().locate(&raw)))
    }
}

/// A reader that notes where the `\r` and `\n` bytes it passes on are, so that
/// byte offsets can be turned into lines as records are read, in one pass.
/// It keeps only the breaks from the last located record on (that record and
/// the reader's read-ahead), so memory stays bounded by the longest record.
struct LineBreaks<R> {
    inner: R,
    /// Offset of the next byte to read.
    read: u64,
    /// `\n` bytes before the first of `breaks`, the ones already forgotten.
    lines_before: u64,
    /// Offsets of the `\r` and `\n` bytes read and not yet passed, each with
    /// whether it is a `\n`, in file order.
    breaks: VecDeque<(u64, bool)>,
}

impl<R> LineBreaks<R> {
    fn new(inner: R) -> LineBreaks<R> {
        LineBreaks { inner, read: 0, lines_before: 0, breaks: VecDeque::new() }
    }

    /// Where a record that csv-core places at `raw` really starts: its offset
    /// moved past the line ends csv-core counts into it, and the line of that byte.
    /// Offsets must not go back between calls, and the record's first byte must
    /// have been read (it has, once csv-core has parsed the record).
    fn locate(&mut self, raw: &Position) -> Position {
        while let Some(&(at, newline)) = self.breaks.front() {
            if at >= raw.byte() {
                break;
            }
            self.lines_before += newline as u64;
            self.breaks.pop_front();
        }
        let (mut first, mut line) = (raw.byte(), 1 + self.lines_before);
        for &(at, newline) in &self.breaks {
            if at != first {
                break;
            }
            first += 1;
            line += newline as u64;
        }
        let mut start = Position::new();
        start.set_byte(first).set_line(line).set_record(raw.record());
        start
    }
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, b) in buf[..n].iter().enumerate() {
            if matches!(b, b'\r' | b'\n') {
                self.breaks.push_back((self.read + i as u64, *b == b'\n'));
            }
        }
        self.read += n as u64;
        Ok(n)
    }
}

/// A read failure: with `flexible` set and bytes (not text) read, only I/O can fail.
fn read_problem(e: csv::Error) -> Problem {
    let line = e.position().map(Position::line);
    Problem { line, message: format!("cannot read: {e}") }
}

/// Reads the whole file once, in bounded memory: every record must have as
/// many fields as the header, be valid UTF-8, and every quoted field must close.
pub fn survey(path: &Path) -> Result<Survey, Problem> {
    let mut records = Records::open(path)?;
    let mut header: Option<Vec<String>> = None;
    let mut survey = Survey { records: 0, longest: 0 };
    let mut last = Position::new();
    while let Some(start) = records.next().map_err(read_problem)? {
        let rec = &records.rec;
        // From csv-core's own start, as before: that span holds one line break.
        let raw_start = rec.position().map_or(0, Position::byte);
        survey.longest = survey.longest.max(records.rdr.position().byte() - raw_start);
        check_utf8(rec, header.as_deref(), start.line())?;
        match &header {
            None => header = Some(rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()),
            Some(names) if names.len() != rec.len() => {
                // A quote left open swallows the rest of the file into this record:
                // that, not the count, is what to fix.
                if let Some(line) = unclosed_quote(path, &start)? {
                    return Err(unclosed_problem(line));
                }
                let breaks: usize = rec.iter().map(|f| f.iter().filter(|b| **b == b'\n').count()).sum();
                return Err(shape_problem(names, rec.len(), start.line(), start.line() + breaks as u64));
            }
            Some(_) => survey.records += 1,
        }
        last = start;
    }
    if let Some(line) = unclosed_quote(path, &last)? {
        return Err(unclosed_problem(line));
    }
    if header.is_none() {
        return Err(Problem {
            line: None,
            message: "the file is empty; a CSV file needs a header row naming its columns".into(),
        });
    }
    Ok(survey)
}

fn unclosed_problem(line: u64) -> Problem {
    Problem {
        line: Some(line),
        message: "a quoted field opens here and is never closed: every \" that starts a field needs a closing \" \
                  (write a quote inside a quoted field as \"\")"
            .into(),
    }
}

fn shape_problem(header: &[String], found: usize, first: u64, last: u64) -> Problem {
    let expected = header.len();
    let mut message = format!(
        "this record has {found} field{} but the header has {expected} ({})",
        if found == 1 { "" } else { "s" },
        header.join(", ")
    );
    if last > first {
        message.push_str(&format!(
            "; it runs to line {last} because a quoted field holds a line break (is a closing quote misplaced?)"
        ));
    }
    if found > expected {
        message.push_str("; a value holding a comma must be quoted (\"a, b\")");
    }
    Problem { line: Some(first), message }
}

/// Each field must be UTF-8; the message names the field's column and its line.
fn check_utf8(rec: &ByteRecord, header: Option<&[String]>, first_line: u64) -> Result<(), Problem> {
    let mut line = first_line;
    for (i, field) in rec.iter().enumerate() {
        if let Err(e) = std::str::from_utf8(field) {
            let before = &field[..e.valid_up_to()];
            let line = line + before.iter().filter(|b| **b == b'\n').count() as u64;
            let column = match header.and_then(|h| h.get(i)) {
                Some(name) => format!("column '{name}'"),
                None => format!("header field {}", i + 1),
            };
            return Err(Problem {
                line: Some(line),
                message: format!("{column} holds bytes that are not UTF-8; save the file as UTF-8"),
            });
        }
        // Quoted line breaks inside earlier fields move later fields down.
        line += field.iter().filter(|b| **b == b'\n').count() as u64;
    }
    Ok(())
}

/// The line of a quote that opens a field and is never closed. Such a field
/// swallows the rest of the file, so only the last record (from `last`) can hold one.
fn unclosed_quote(path: &Path, last: &Position) -> Result<Option<u64>, Problem> {
    let mut file = File::open(path).map_err(|e| Problem::io(&e))?;
    file.seek(SeekFrom::Start(last.byte())).map_err(|e| Problem::io(&e))?;
    let mut state = QuoteState::FieldStart;
    let (mut line, mut opened) = (last.line().max(1), 0);
    for b in BufReader::new(file).bytes() {
        let b = b.map_err(|e| Problem::io(&e))?;
        if b == b'\n' {
            line += 1;
        }
        state = match (state, b) {
            (QuoteState::FieldStart, b'"') => {
                opened = line;
                QuoteState::Quoted
            }
            (QuoteState::Quoted, b'"') => QuoteState::AfterQuote,
            // `""` inside a quoted field is one quote; the field goes on.
            (QuoteState::AfterQuote, b'"') | (QuoteState::Quoted, _) => QuoteState::Quoted,
            (_, b',' | b'\n' | b'\r') => QuoteState::FieldStart,
            _ => QuoteState::Unquoted,
        };
    }
    Ok((state == QuoteState::Quoted).then_some(opened))
}

/// Where a scan stands within a record, as far as quoting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    /// Just past a quote inside a quoted field: it closed the field, or a second one follows.
    AfterQuote,
}

/// The header row's column names.
pub fn header(path: &Path) -> std::io::Result<Vec<String>> {
    let mut rdr = ReaderBuilder::new().has_headers(false).flexible(true).from_path(path)?;
    let mut rec = ByteRecord::new();
    rdr.read_byte_record(&mut rec)?;
    Ok(rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect())
}

/// Where record `index` is, counting the header as record 0 (an engine's
/// "line N" that counts records is record N - 1): the 1-based line it starts
/// on and how many lines it spans (more than one when quoted fields hold line breaks).
pub fn record_lines(path: &Path, index: u64) -> Option<(u64, u64)> {
    let mut records = Records::open(path).ok()?;
    while let Some(pos) = records.next().ok()? {
        if pos.record() == index {
            let breaks: usize = records.rec.iter().map(|f| f.iter().filter(|b| **b == b'\n').count()).sum();
            return Some((pos.line(), 1 + breaks as u64));
        }
    }
    None
}

/// The first line of the record that spans line `line` (1-based). PostgreSQL's
/// COPY names the line a record ends on, the last of several when quoted
/// fields hold line breaks.
pub fn record_start(path: &Path, line: u64) -> Option<u64> {
    let mut records = Records::open(path).ok()?;
    let mut start = None;
    while let Some(pos) = records.next().ok()? {
        let first = pos.line();
        if first > line {
            break;
        }
        start = Some(first);
    }
    start
}

/// The 1-based line of the first record whose `column` equals `value`, to point
/// at the row behind an error that names only a key.
pub fn find_line(path: &Path, column: &str, value: &str) -> Option<u64> {
    find_nth_line(path, column, value, 0)
}

/// The 1-based line of the record after `nth` others (0 for the first) whose
/// `column` equals `value`: with `nth` = 1, the record that repeats a key.
pub fn find_nth_line(path: &Path, column: &str, value: &str, nth: usize) -> Option<u64> {
    let mut records = Records::open(path).ok()?;
    records.next().ok()??;
    let idx = records.rec.iter().position(|h| h == column.as_bytes())?;
    let mut seen = 0;
    while let Some(pos) = records.next().ok()? {
        if records.rec.get(idx) == Some(value.as_bytes()) {
            if seen == nth {
                return Some(pos.line());
            }
            seen += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file in a fresh temporary folder, removed on drop.
    struct Temp(std::path::PathBuf);

    impl Temp {
        fn new(content: &[u8]) -> Temp {
            static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let dir = std::env::temp_dir().join(format!("vcd-csv-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("t.csv");
            std::fs::write(&path, content).unwrap();
            Temp(path)
        }
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
        }
    }

    fn survey_of(content: &str) -> Result<Survey, Problem> {
        survey(&Temp::new(content.as_bytes()).0)
    }

    fn line_of(content: &str) -> Option<u64> {
        survey_of(content).expect_err("a problem").line
    }

    #[test]
    fn well_formed_files_are_measured() {
        assert_eq!(survey_of("a,b\n1,2\n33,4\n"), Ok(Survey { records: 2, longest: 5 }));
        // A quoted line break belongs to its record, which counts as one.
        assert_eq!(survey_of("a,b\n1,\"x\ny\"\n2,3\n"), Ok(Survey { records: 2, longest: 8 }));
        // No final line break, CRLF line ends, a byte-order mark, an empty line.
        assert_eq!(survey_of("a,b\n1,2").map(|s| s.records), Ok(1));
        assert_eq!(survey_of("a,b\r\n1,2\r\n").map(|s| s.records), Ok(1));
        assert_eq!(survey_of("\u{feff}a,b\n1,2\n\n3,4\n").map(|s| s.records), Ok(2));
        let long = format!("id,text\n1,\"{}\"\n", "x".repeat(3_000_000));
        assert_eq!(survey_of(&long).map(|s| s.longest), Ok(3_000_005));
    }

    #[test]
    fn a_wrong_field_count_names_the_records_first_line() {
        assert_eq!(line_of("a,b\n1,2,3\n"), Some(2));
        assert_eq!(line_of("a,b\n1,2\n3\n"), Some(3));
        // After records with quoted line breaks, the line is the file's, not the record count.
        assert_eq!(line_of("a,b\n1,\"x\ny\"\n2,\"p\n\nq\"\n2,3,4\n"), Some(7));
        // A record that itself spans lines is named by its first line.
        let p = survey_of("a,b\n1,2\n\"x\ny\",2,3\n").unwrap_err();
        assert_eq!(p.line, Some(3));
        assert!(p.message.contains("it runs to line 4 because a quoted field holds a line break"), "{}", p.message);
        let p = survey_of("id,name\n1,Smith, John\n").unwrap_err();
        assert_eq!(
            p.message,
            "this record has 3 fields but the header has 2 (id, name); a value holding a comma must be quoted (\"a, b\")"
        );
    }

    #[test]
    fn crlf_line_ends_and_blank_lines_do_not_shift_the_line() {
        // CRLF: the `\n` of a `\r\n` counts for the line it ends, not the next record.
        assert_eq!(line_of("a,b\r\n1,2,3\r\n"), Some(2));
        assert_eq!(line_of("a,b\r\n1,2\r\n3,4\r\n5\r\n"), Some(4));
        assert_eq!(line_of("a,b\r\n1,\"x\r\ny\"\r\n2,3,4\r\n"), Some(4));
        // A record after blank lines is on its own line, not the blank one's.
        assert_eq!(line_of("a,b\n\n1,2,3\n"), Some(3));
        assert_eq!(line_of("a,b\n1,2\n\n\n\n3\n"), Some(6));
        assert_eq!(line_of("a,b\r\n\r\n1,2\r\n\r\n\r\n3,4,5\r\n"), Some(6));
        // A `\r` inside quotes is a character of the value, not a line end.
        assert_eq!(line_of("a,b\n1,\"x\ry\"\n2,3,4\n"), Some(3));
        assert_eq!(line_of("a,b\r\n1,\"x\ry\rz\"\r\n2\r\n"), Some(3));
        // Mixed line ends in one file, blank lines among them.
        assert_eq!(line_of("a,b\r\n1,2\n3,4\r\n\n5,6\r\n7\n"), Some(6));
        // Past the reader's buffer (8 KiB), with blank lines every seventh line.
        let mut big = String::from("a,b\r\n");
        for i in 0..5000 {
            big.push_str(if i % 7 == 0 { "\r\n" } else { "1,2\r\n" });
        }
        big.push_str("3\r\n");
        assert_eq!(line_of(&big), Some(5002));
        // The bad byte and the unclosed quote are named on the right line too.
        assert_eq!(survey(&Temp::new(b"a,b\r\n1,ok\r\n\r\n2,caf\xe9\r\n").0).unwrap_err().line, Some(4));
        assert_eq!(line_of("a,b\r\n1,2\r\n\r\n3,\"open\r\n4,5\r\n"), Some(4));
        // A shape problem spanning lines names both ends, counted the same way.
        let p = survey_of("a,b\r\n\r\n\"x\r\ny\",2,3\r\n").unwrap_err();
        assert_eq!(p.line, Some(3));
        assert!(p.message.contains("it runs to line 4"), "{}", p.message);
    }

    #[test]
    fn record_and_key_lines_with_crlf_and_blank_lines() {
        let t = Temp::new(b"id,note\r\n1,\"a\r\nb\"\r\n\r\n2,plain\r\n3,\"x\ry\"\n\n4,end\r\n");
        assert_eq!(record_lines(&t.0, 0), Some((1, 1)));
        assert_eq!(record_lines(&t.0, 1), Some((2, 2)));
        assert_eq!(record_lines(&t.0, 2), Some((5, 1)));
        assert_eq!(record_lines(&t.0, 3), Some((6, 1)));
        assert_eq!(record_lines(&t.0, 4), Some((8, 1)));
        assert_eq!(
            (1..=9).map(|l| record_start(&t.0, l)).collect::<Vec<_>>(),
            [Some(1), Some(2), Some(2), Some(2), Some(5), Some(6), Some(6), Some(8), Some(8)]
        );
        assert_eq!(find_line(&t.0, "id", "2"), Some(5));
        assert_eq!(find_line(&t.0, "id", "4"), Some(8));
        assert_eq!(find_line(&t.0, "note", "plain"), Some(5));
        let dup = Temp::new(b"id,note\r\n1,x\r\n\r\n2,y\r\n1,again\r\n");
        assert_eq!(find_nth_line(&dup.0, "id", "1", 1), Some(5));
    }

    #[test]
    fn an_unterminated_quote_names_the_line_it_opens_on() {
        let p = survey_of("a,b\n1,2\n3,\"never closed\n4,5\n").unwrap_err();
        assert_eq!(p.line, Some(3));
        assert!(p.message.contains("never closed"), "{}", p.message);
        // A doubled quote inside does not close it; the opening line is still named.
        assert_eq!(line_of("a,b\n1,\"x\ny\"\n2,\"say \"\"hi\"\"\nmore\n"), Some(4));
        // An open quote that swallows the next lines makes a short record; the quote is the cause.
        assert_eq!(line_of("a,b,c\n1,\"open,x\n2,3,4\n5,6,7\n"), Some(2));
        // Unclosed in the last field of the last line, with no line break after it.
        assert_eq!(line_of("a,b\n1,\"x"), Some(2));
        // A quote in the middle of an unquoted value is a character, not an opening.
        assert!(survey_of("a,b\n1,5\" tall\n").is_ok());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_named_by_line_and_column() {
        let p = survey(&Temp::new(b"a,b\n1,ok\n2,caf\xe9\n").0).unwrap_err();
        assert_eq!(
            p,
            Problem {
                line: Some(3),
                message: "column 'b' holds bytes that are not UTF-8; save the file as UTF-8".into()
            }
        );
        // Inside a field after a quoted line break, the line of the bad byte.
        assert_eq!(survey(&Temp::new(b"a,b\n1,\"x\ny\xff\"\n").0).unwrap_err().line, Some(3));
    }

    #[test]
    fn an_empty_file_has_no_header() {
        assert_eq!(line_of(""), None);
        assert!(survey_of("").unwrap_err().message.contains("header row"));
    }

    #[test]
    fn lines_of_records_and_keys() {
        let t = Temp::new(b"id,note\n1,\"a\nb\"\n2,plain\n3,\"x\n\ny\"\n4,end\n");
        assert_eq!(record_lines(&t.0, 0), Some((1, 1)));
        assert_eq!(record_lines(&t.0, 1), Some((2, 2)));
        assert_eq!(record_lines(&t.0, 2), Some((4, 1)));
        assert_eq!(record_lines(&t.0, 3), Some((5, 3)));
        assert_eq!(record_lines(&t.0, 4), Some((8, 1)));
        assert_eq!(record_lines(&t.0, 5), None);
        assert_eq!((1..=9).map(|l| record_start(&t.0, l)).collect::<Vec<_>>(), [1, 2, 2, 4, 5, 5, 5, 8, 8].map(Some));
        assert_eq!(find_line(&t.0, "id", "4"), Some(8));
        assert_eq!(find_line(&t.0, "note", "plain"), Some(4));
        assert_eq!(find_line(&t.0, "id", "9"), None);
        let dup = Temp::new(b"id,note\n1,\"a\nb\"\n2,x\n1,again\n1,thrice\n");
        assert_eq!(find_nth_line(&dup.0, "id", "1", 1), Some(5));
        assert_eq!(find_nth_line(&dup.0, "id", "1", 2), Some(6));
        assert_eq!(find_nth_line(&dup.0, "id", "2", 1), None);
        assert_eq!(find_line(&t.0, "nope", "1"), None);
        assert_eq!(header(&t.0).unwrap(), vec!["id", "note"]);
        assert_eq!(header(&Temp::new("\u{feff}\"a,1\",b\n".as_bytes()).0).unwrap(), vec!["a,1", "b"]);
    }
}
