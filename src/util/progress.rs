//! Progress of a long build on one terminal line ("queries 5/9", "pages
//! 120/156"), redrawn at most ten times a second; silent when stderr is not a
//! terminal, so logs and pipes stay clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Progress {
    on: bool,
    what: &'static str,
    total: usize,
    done: AtomicUsize,
    last: Mutex<Instant>,
}

impl Progress {
    /// Counts `total` items of `what`; shows nothing for a count too small to wait for.
    pub fn new(what: &'static str, total: usize) -> Progress {
        let on = std::io::stderr().is_terminal() && total >= 20;
        let past = Instant::now().checked_sub(Duration::from_secs(1)).unwrap_or_else(Instant::now);
        Progress { on, what, total, done: AtomicUsize::new(0), last: Mutex::new(past) }
    }

    /// One more item finished.
    pub fn tick(&self) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.on {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() >= Duration::from_millis(100) || n == self.total {
            *last = Instant::now();
            eprint!("\r\x1b[K{} {n}/{}", self.what, self.total);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.on {
            eprint!("\r\x1b[K");
        }
    }
}

/// A reader that shows how much of it has been read, in MB, on a terminal
/// (`loading data/x.csv: 512/860 MB`), for a long load of one file.
pub struct Bytes<R> {
    inner: R,
    what: String,
    total: u64,
    read: u64,
    on: bool,
    last: Instant,
}

impl<R> Bytes<R> {
    /// `inner`, of `total` bytes, shown as `what`; nothing for a file under 10 MB.
    pub fn new(what: &str, total: u64, inner: R) -> Bytes<R> {
        let on = std::io::stderr().is_terminal() && total >= 10_000_000;
        let last = Instant::now().checked_sub(Duration::from_secs(1)).unwrap_or_else(Instant::now);
        Bytes { inner, what: what.to_string(), total, read: 0, on, last }
    }
}

impl<R: std::io::Read> std::io::Read for Bytes<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.on && (self.last.elapsed() >= Duration::from_millis(200) || n == 0) {
            self.last = Instant::now();
            eprint!("\r\x1b[K{}: {}/{} MB", self.what, self.read / 1_000_000, self.total / 1_000_000);
        }
        Ok(n)
    }
}

impl<R> Drop for Bytes<R> {
    fn drop(&mut self) {
        if self.on {
            eprint!("\r\x1b[K");
        }
    }
}
