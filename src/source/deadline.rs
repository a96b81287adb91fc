//! A query's time limit (`statement_timeout`): a watchdog that acts once the limit passes, unless the query ended first.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Watches one query. Dropping it disarms it, so once it is dropped its
/// action can no longer start.
pub struct Watchdog {
    done: Option<Sender<()>>,
    fired: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Runs `act` (an engine's cancel: DuckDB's interrupt, PostgreSQL's cancel
    /// request) once `limit` has passed; with no limit, never.
    pub fn arm(limit: Option<Duration>, act: impl FnOnce() + Send + 'static) -> Watchdog {
        let fired = Arc::new(AtomicBool::new(false));
        let Some(limit) = limit else { return Watchdog { done: None, fired, thread: None } };
        let (done, ended) = channel::<()>();
        let flag = fired.clone();
        let thread = std::thread::spawn(move || {
            if ended.recv_timeout(limit) == Err(RecvTimeoutError::Timeout) {
                flag.store(true, Ordering::SeqCst);
                act();
            }
        });
        Watchdog { done: Some(done), fired, thread: Some(thread) }
    }

    /// Whether the limit passed and the action ran (or is running).
    pub fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }

    /// Stops watching and says whether the action ran: once this returns, it
    /// cannot start any more.
    pub fn disarm(self) -> bool {
        let fired = self.fired.clone();
        drop(self);
        fired.load(Ordering::SeqCst)
    }
}

impl Drop for Watchdog {
    /// Disarms. An action already started is not waited for: a cancel request
    /// to a server that does not answer must not hold the build.
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(t) = self.thread.take() {
            if !self.fired() {
                // It either sees the sender gone, or has just fired: either way it ends soon.
                let _ = t.join();
            }
        }
    }
}

/// What a query stopped by its limit reports, on either engine.
pub fn exceeded(limit: Duration) -> String {
    format!(
        "cancelled after {}: the query ran past its statement_timeout; make it faster, or raise the limit (`statement_timeout` in vcd.toml, or a `-- vcd: statement_timeout=…` line in the query)",
        humantime::format_duration(limit)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_watchdog_acts_after_its_limit_and_never_once_dropped() {
        let (tx, rx) = channel();
        let dog = Watchdog::arm(Some(Duration::from_millis(20)), move || tx.send(()).unwrap());
        rx.recv_timeout(Duration::from_secs(10)).expect("the action ran");
        assert!(dog.fired());
        let (tx, rx) = channel::<()>();
        let started = Instant::now();
        let dog = Watchdog::arm(Some(Duration::from_secs(600)), move || tx.send(()).unwrap());
        drop(dog);
        assert!(started.elapsed() < Duration::from_secs(60), "dropping does not wait for the limit");
        assert!(rx.recv().is_err(), "the action was dropped unrun");
        assert!(!Watchdog::arm(None, || panic!("no limit, no action")).fired());
    }

    #[test]
    fn the_message_names_the_limit_and_both_places_to_set_it() {
        let m = exceeded(Duration::from_secs(90));
        assert!(m.starts_with("cancelled after 1m 30s:"), "{m}");
        assert!(m.contains("vcd.toml") && m.contains("-- vcd: statement_timeout="), "{m}");
    }
}
