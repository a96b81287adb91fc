//! `vcd build --timings`: the wall time of each stage of a build, printed to
//! stderr as the stage ends ("  run queries  12.31 s"), so a slow build says
//! where its time goes. Off unless asked for; a stage costs one clock read.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

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
            eprintln!("  {:<28} {:>8.2} s", self.name, t.elapsed().as_secs_f64());
        }
    }
}
