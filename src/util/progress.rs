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
