//! `vcd build --timings`: the wall time of each stage of a build and the
//! process's memory as it ends, printed to stderr ("  run queries  12.31 s
//! 812 MB, peak 1,204 MB"), so a slow or heavy build says where its time and
//! memory go. Off unless asked for; a stage costs one clock read.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static ON: AtomicBool = AtomicBool::new(false);

/// Turns the printing on for the rest of the process.
pub fn enable() {
    ON.store(true, Ordering::Relaxed);
}

/// A stage being timed; prints its name and seconds when dropped.
pub struct Stage {
    name: &'static str,
    started: Option<Instant>,
}

/// Starts timing the stage `name` (nothing happens unless [`enable`]d).
pub fn stage(name: &'static str) -> Stage {
    Stage { name, started: ON.load(Ordering::Relaxed).then(Instant::now) }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(t) = self.started {
            eprintln!("  {:<28} {:>8.2} s{}", self.name, t.elapsed().as_secs_f64(), memory());
        }
    }
}

/// The resident set now and at its peak, in MB, from `/proc/self/status`
/// (`VmRSS`, `VmHWM`; Linux only, empty elsewhere).
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return String::new() };
    let kb = |field: &str| {
        let line = status.lines().find(|l| l.starts_with(field))?;
        line[field.len()..].trim().trim_end_matches("kB").trim().parse::<u64>().ok()
    };
    match (kb("VmRSS:"), kb("VmHWM:")) {
        (Some(now), Some(peak)) => format!("  {:>6} MB, peak {:>6} MB", now / 1024, peak / 1024),
        _ => String::new(),
    }
}

/// A stage run in several passes (a build renders its pages in batches):
/// the passes' times add up, printed once when dropped.
pub struct Total {
    name: &'static str,
    spent: Option<Duration>,
}

/// Starts adding up the passes of stage `name` (nothing happens unless [`enable`]d).
pub fn total(name: &'static str) -> Total {
    Total { name, spent: ON.load(Ordering::Relaxed).then_some(Duration::ZERO) }
}

impl Total {
    /// Runs one pass of the stage, adding its time.
    pub fn time<T>(&mut self, pass: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = pass();
        if let Some(spent) = &mut self.spent {
            *spent += started.elapsed();
        }
        out
    }
}

impl Drop for Total {
    fn drop(&mut self) {
        if let Some(spent) = self.spent {
            eprintln!("  {:<28} {:>8.2} s{}", self.name, spent.as_secs_f64(), memory());
        }
    }
}
