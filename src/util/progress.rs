//! Progress of a long build on one terminal line ("queries 5/9", "pages
//! 120/156"), redrawn at most ten times a second; silent when stderr is not a
//! terminal, so logs and pipes stay clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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

/// Bytes read from one or more files, in MB on one terminal line
/// (`loading data/: 512/5600 MB`), for a long load; files read at once on
/// several threads add to the same count.
pub struct Meter {
    what: String,
    total: u64,
    read: AtomicU64,
    on: bool,
    last: Mutex<Instant>,
}

impl Meter {
    /// `total` bytes to read, shown as `what`; nothing under 10 MB or off a terminal.
    pub fn new(what: &str, total: u64) -> Meter {
        let on = std::io::stderr().is_terminal() && total >= 10_000_000;
        let past = Instant::now().checked_sub(Duration::from_secs(1)).unwrap_or_else(Instant::now);
        Meter { what: what.to_string(), total, read: AtomicU64::new(0), on, last: Mutex::new(past) }
    }

    /// `inner`, counted as it is read.
    pub fn reader<R>(&self, inner: R) -> Bytes<'_, R> {
        Bytes { inner, meter: self }
    }

    fn add(&self, n: usize) {
        let read = self.read.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if !self.on {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() >= Duration::from_millis(200) || read == self.total {
            *last = Instant::now();
            eprint!("\r\x1b[K{}: {}/{} MB", self.what, read / 1_000_000, self.total / 1_000_000);
        }
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        if self.on {
            eprint!("\r\x1b[K");
        }
    }
}

/// A reader that adds what is read from it to a [`Meter`].
pub struct Bytes<'a, R> {
    inner: R,
    meter: &'a Meter,
}

impl<R: std::io::Read> std::io::Read for Bytes<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter.add(n);
        Ok(n)
    }
}
