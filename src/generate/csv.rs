//! A streaming RFC 4180 CSV writer with the field formats the schema expects.
//!
//! Format, chosen so DuckDB's `COPY … (HEADER true)` and PostgreSQL's `\copy … csv header`
//! read every file to the same values: comma separator, `\n` line ends, a header row,
//! `"`-quoting only when a field needs it, `""` for a quote inside a field, and an empty
//! unquoted field for NULL. The generator never writes an empty string: DuckDB reads a
//! quoted empty field as NULL by default while PostgreSQL reads it as '', so empty strings
//! would be the one value the two engines load differently.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use super::calendar;

/// Rows and bytes written to one file, for the generator's summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSummary {
    pub file: String,
    /// Data rows, not counting the header.
    pub rows: u64,
    /// File size in bytes, header included.
    pub bytes: u64,
}

/// Bytes gathered before they are handed to the file: rows are formatted straight into
/// this buffer (no second copy through a `BufWriter`), a few gigabytes of them at
/// benchmark scale.
const FLUSH_AT: usize = 1 << 18;

pub struct CsvWriter {
    /// None for a block of rows formatted in memory (see `block`).
    out: Option<File>,
    buf: Vec<u8>,
    at_row_start: bool,
    file: String,
    rows: u64,
    /// Bytes already handed to the file.
    flushed: u64,
}

/// True when a field must be quoted to survive a round trip through either engine.
fn needs_quotes(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty() || b[0] == b' ' || b[b.len() - 1] == b' ' || has_special(b)
}

/// Whether `b` holds a comma, quote or line break. Checked 16 bytes at a time with the
/// four comparisons spelled out (a fixed-length loop of them becomes four vector compares;
/// `matches!` becomes a bit test per byte): 3× faster on long fields, and photo URL lists
/// alone are 1.5 GB at benchmark scale.
fn has_special(b: &[u8]) -> bool {
    let mut chunks = b.chunks_exact(16);
    for chunk in &mut chunks {
        let mut found = 0u8;
        for &c in chunk {
            found |= u8::from(c == b',') | u8::from(c == b'"') | u8::from(c == b'\r') | u8::from(c == b'\n');
        }
        if found != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|c| matches!(c, b',' | b'"' | b'\r' | b'\n'))
}

/// "00" to "99": two digits per division when formatting integers.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Appends an integer in decimal without allocating; this is the hot path of the
/// metrics file, which has millions of rows at benchmark scale.
fn push_int(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let mut n = v.unsigned_abs();
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `value / 10^scale` with exactly `scale` decimals, e.g. (1250, 2) → `12.50`.
pub fn push_fixed(out: &mut Vec<u8>, value: i64, scale: u32) {
    let unit = 10i64.pow(scale);
    if value < 0 {
        out.push(b'-');
    }
    let abs = value.unsigned_abs() as i64;
    push_int(out, abs / unit);
    if scale == 2 {
        // Money, on every order, line and payment row: the cents as one digit pair.
        let pair = (abs % 100) as usize * 2;
        out.push(b'.');
        out.extend_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else if scale > 0 {
        out.push(b'.');
        // Fraction digits most significant first, zero-padded (no allocation: hot path).
        let frac = abs % unit;
        let mut div = unit / 10;
        while div > 0 {
            out.push(b'0' + (frac / div % 10) as u8);
            div /= 10;
        }
    }
}

impl CsvWriter {
    /// Creates `<dir>/<table>.csv` and writes its header row.
    pub fn create(dir: &Path, table: &str, header: &[&str]) -> io::Result<Self> {
        let file = format!("{table}.csv");
        let out = Some(File::create(dir.join(&file))?);
        let mut w =
            CsvWriter { out, buf: Vec::with_capacity(FLUSH_AT + 4096), at_row_start: true, file, rows: 0, flushed: 0 };
        for h in header {
            w.str(h);
        }
        w.write_line()?;
        Ok(w)
    }

    /// A block of rows kept in memory, so another thread can format rows that `append`
    /// then adds to a file in order.
    pub fn block() -> Self {
        CsvWriter { out: None, buf: Vec::new(), at_row_start: true, file: String::new(), rows: 0, flushed: 0 }
    }

    /// Adds a block's rows after this writer's (handed to the file as they are, without
    /// another copy).
    pub fn append(&mut self, block: CsvWriter) -> io::Result<()> {
        debug_assert!(self.at_row_start && block.at_row_start, "whole rows only");
        self.flush_buf()?;
        if let Some(out) = &mut self.out {
            out.write_all(&block.buf)?;
            self.flushed += block.buf.len() as u64;
        } else {
            self.buf.extend_from_slice(&block.buf);
        }
        self.rows += block.rows;
        Ok(())
    }

    fn sep(&mut self) {
        if !self.at_row_start {
            self.buf.push(b',');
        }
        self.at_row_start = false;
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.sep();
        if needs_quotes(s) {
            self.buf.push(b'"');
            for b in s.bytes() {
                if b == b'"' {
                    self.buf.push(b'"');
                }
                self.buf.push(b);
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(s.as_bytes());
        }
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self
    }

    pub fn opt_str(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    pub fn int(&mut self, v: i64) -> &mut Self {
        self.sep();
        push_int(&mut self.buf, v);
        self
    }

    pub fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    /// A decimal with `scale` places from its scaled integer value.
    pub fn fixed(&mut self, value: i64, scale: u32) -> &mut Self {
        self.sep();
        push_fixed(&mut self.buf, value, scale);
        self
    }

    /// Money is kept in cents everywhere so sums are exact; written as `12.50`.
    pub fn money(&mut self, cents: i64) -> &mut Self {
        self.fixed(cents, 2)
    }

    pub fn opt_money(&mut self, cents: Option<i64>) -> &mut Self {
        match cents {
            Some(c) => self.money(c),
            None => self.null(),
        }
    }

    pub fn bool(&mut self, b: bool) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(if b { b"true" } else { b"false" });
        self
    }

    pub fn date(&mut self, day: i64) -> &mut Self {
        self.sep();
        calendar::push_date(&mut self.buf, day);
        self
    }

    pub fn opt_date(&mut self, day: Option<i64>) -> &mut Self {
        match day {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }

    pub fn timestamp(&mut self, ts: i64) -> &mut Self {
        self.sep();
        calendar::push_timestamp(&mut self.buf, ts);
        self
    }

    fn write_line(&mut self) -> io::Result<()> {
        self.buf.push(b'\n');
        self.at_row_start = true;
        if self.buf.len() >= FLUSH_AT && self.out.is_some() {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        if let Some(out) = &mut self.out {
            out.write_all(&self.buf)?;
            self.flushed += self.buf.len() as u64;
            self.buf.clear();
        }
        Ok(())
    }

    /// Ends the current data row.
    pub fn end_row(&mut self) -> io::Result<()> {
        self.rows += 1;
        self.write_line()
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes the file and reports what was written.
    pub fn finish(mut self) -> io::Result<FileSummary> {
        self.flush_buf()?;
        Ok(FileSummary { file: self.file, rows: self.rows, bytes: self.flushed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        let dir = std::env::temp_dir().join(format!("vcd-csv-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut w = CsvWriter::create(&dir, "t", &["a", "b", "c", "d", "e", "f", "g"]).unwrap();
        w.str("plain").str("x,y").str("say \"hi\"").str(" pad").null().str("two\nlines").money(-5);
        w.end_row().unwrap();
        w.int(-42).fixed(421, 4).money(1250).bool(true).date(19_723).timestamp(0).opt_int(None);
        w.end_row().unwrap();
        let s = w.finish().unwrap();
        let text = std::fs::read_to_string(dir.join("t.csv")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            text,
            "a,b,c,d,e,f,g\nplain,\"x,y\",\"say \"\"hi\"\"\",\" pad\",,\"two\nlines\",-0.05\n\
             -42,0.0421,12.50,true,2024-01-01,1970-01-01 00:00:00,\n"
        );
        assert_eq!(s.rows, 2);
        assert_eq!(s.bytes, text.len() as u64);
    }
}
