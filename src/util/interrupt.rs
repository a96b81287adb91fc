//! Ctrl-C: a process-wide request to stop, which cancels the statements the engines are running.
//!
//! A command that can run long (`build`, `check`, `query`, `load`) installs
//! the handler. The first Ctrl-C sets the request and calls every registered
//! hook (DuckDB's interrupt, PostgreSQL's cancel request), so running
//! statements end at once; the pipeline then stops at its next check and the
//! build's staging folder is dropped, leaving the previous site as it was (a
//! load drops its staging schema, or its transaction rolls back).
//! A second Ctrl-C ends the process on the spot.
//!
//! `vcd serve --watch` uses the same hooks for a rebuild made moot by a newer
//! change ([`supersede`]): its statements are cancelled and the pipeline
//! stops, until the next rebuild starts ([`resume`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static SUPERSEDED: AtomicBool = AtomicBool::new(false);
static NEXT: AtomicU64 = AtomicU64::new(0);
type Hook = Box<dyn Fn() + Send>;
static RUNNING: Mutex<BTreeMap<u64, Hook>> = Mutex::new(BTreeMap::new());

/// The exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// The error a stopped command returns, for `main` to tell from a failure.
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// Routes Ctrl-C (SIGINT, and SIGTERM) to [`request`]; a second one exits at once.
///
/// # Errors
/// The handler cannot be installed (another one already is).
pub fn install() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        if REQUESTED.load(Ordering::SeqCst) {
            std::process::exit(EXIT_INTERRUPTED.into());
        }
        eprintln!("\ninterrupted: cancelling the running queries (Ctrl-C again to quit at once)");
        request();
    })
    .map_err(|e| anyhow::anyhow!("cannot handle Ctrl-C: {e}"))
}

/// Asks everything to stop: sets the request and cancels what is running.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
    cancel_running();
}

fn cancel_running() {
    let hooks = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    for hook in hooks.values() {
        hook();
    }
}

/// Whether Ctrl-C asked the process to stop.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Cancels the running rebuild of `vcd serve --watch`: its statements, and
/// its pipeline at the next [`check`], until [`resume`].
pub fn supersede() {
    SUPERSEDED.store(true, Ordering::SeqCst);
    cancel_running();
}

/// Whether the last rebuild was superseded.
pub fn superseded() -> bool {
    SUPERSEDED.load(Ordering::SeqCst)
}

/// Lets the next rebuild run.
pub fn resume() {
    SUPERSEDED.store(false, Ordering::SeqCst);
}

/// Whether statements should stop: Ctrl-C, or a superseded rebuild.
pub fn stopping() -> bool {
    requested() || superseded()
}

/// `Err(Interrupted)` once statements should stop: the pipeline's check between steps.
pub fn check() -> anyhow::Result<()> {
    if stopping() {
        return Err(Interrupted.into());
    }
    Ok(())
}

/// A statement's cancel, registered while it runs; dropping it unregisters it.
pub struct Running(u64);

/// Registers `cancel` until the returned guard is dropped. If a stop was
/// already asked for, `cancel` runs at once.
pub fn while_running(cancel: impl Fn() + Send + 'static) -> Running {
    let id = NEXT.fetch_add(1, Ordering::SeqCst);
    RUNNING.lock().unwrap_or_else(|e| e.into_inner()).insert(id, Box::new(cancel));
    // A request that came between the caller's check and the registration.
    if stopping() {
        if let Some(hook) = RUNNING.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            hook();
        }
    }
    Running(id)
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.0);
    }
}

/// What a statement stopped by Ctrl-C (or a newer change, in `vcd serve`) reports.
pub const CANCELLED: &str = "cancelled: vcd was interrupted";
