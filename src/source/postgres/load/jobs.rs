//! Running a load's steps over several connections: each step names the
//! tables it touches and the steps it waits for; a free connection takes the
//! first step in list order whose waits are over and whose tables no other
//! connection is using, so two steps never lock the same table (and so never
//! deadlock on each other).

use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// One step of the load.
pub struct Step<W> {
    /// The tables it locks.
    pub tables: Vec<String>,
    /// Indexes of the steps that must have finished first.
    pub after: Vec<usize>,
    pub work: W,
}

struct Board {
    started: Vec<bool>,
    done: Vec<bool>,
    busy: BTreeSet<String>,
    failed: bool,
}

/// Runs every step on one of `workers` (one thread each) with `run`, and
/// returns each step's result and how long it took, in step order. The first
/// failure stops the run: `stop` is called once (to cancel what the other
/// connections are running), no step starts after it, and its error is
/// returned once every worker has finished its current step.
///
/// A step whose waits can never be met (a cycle in `after`) is never started;
/// the run then ends without it, which the caller sees as a missing result.
pub fn run<C, W, T, E>(
    workers: &mut [C],
    steps: &[Step<W>],
    run: impl Fn(&mut C, &W) -> Result<T, E> + Sync,
    stop: impl Fn() + Sync,
) -> Result<Vec<Option<(T, Duration)>>, E>
where
    C: Send,
    W: Sync,
    T: Send,
    E: Send,
{
    let board = Mutex::new(Board {
        started: vec![false; steps.len()],
        done: vec![false; steps.len()],
        busy: BTreeSet::new(),
        failed: false,
    });
    let changed = Condvar::new();
    let results: Mutex<Vec<Option<(T, Duration)>>> = Mutex::new((0..steps.len()).map(|_| None).collect());
    let first_error: Mutex<Option<E>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for worker in workers.iter_mut() {
            let (board, changed, results, first_error, run, stop) =
                (&board, &changed, &results, &first_error, &run, &stop);
            scope.spawn(move || loop {
                let Some(i) = next(board, changed, steps) else { return };
                let started = Instant::now();
                // A panic still ends the step, or the other workers would wait for it forever.
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| run(worker, &steps[i].work)));
                let took = started.elapsed();
                let mut b = board.lock().unwrap_or_else(|e| e.into_inner());
                let outcome = match outcome {
                    Ok(outcome) => outcome,
                    Err(panic) => {
                        b.failed = true;
                        b.done[i] = true;
                        drop(b);
                        changed.notify_all();
                        stop();
                        std::panic::resume_unwind(panic);
                    }
                };
                for t in &steps[i].tables {
                    b.busy.remove(t);
                }
                b.done[i] = true;
                match outcome {
                    Ok(value) => results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some((value, took)),
                    Err(e) => {
                        if !b.failed {
                            b.failed = true;
                            *first_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                            stop();
                        }
                    }
                }
                changed.notify_all();
            });
        }
    });
    match first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(results.into_inner().unwrap_or_else(|e| e.into_inner())),
    }
}

/// Waits for a step this worker may start and marks it started; `None` when
/// there is nothing left for it (all started, or the run failed).
fn next<W>(board: &Mutex<Board>, changed: &Condvar, steps: &[Step<W>]) -> Option<usize> {
    let mut b = board.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if b.failed {
            return None;
        }
        let ready = (0..steps.len()).find(|&i| {
            !b.started[i]
                && steps[i].after.iter().all(|&j| b.done[j])
                && steps[i].tables.iter().all(|t| !b.busy.contains(t))
        });
        if let Some(i) = ready {
            b.started[i] = true;
            for t in &steps[i].tables {
                b.busy.insert(t.clone());
            }
            return Some(i);
        }
        // Nothing ready: done if nothing is running either (what is left can never start).
        let running = (0..steps.len()).any(|i| b.started[i] && !b.done[i]);
        if !running {
            return None;
        }
        b = changed.wait(b).unwrap_or_else(|e| e.into_inner());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn step(tables: &[&str], after: &[usize], work: usize) -> Step<usize> {
        Step { tables: tables.iter().map(|t| t.to_string()).collect(), after: after.to_vec(), work }
    }

    #[test]
    fn steps_wait_for_their_waits_and_never_share_a_table() {
        let steps = vec![
            step(&["a"], &[], 0),
            step(&["b"], &[], 1),
            step(&["a"], &[0], 2),
            step(&["b"], &[1], 3),
            step(&["a", "b"], &[2, 3], 4),
            step(&["b", "a"], &[2, 3], 5),
        ];
        let log = Mutex::new(Vec::new());
        let holding = Mutex::new(BTreeSet::new());
        let mut workers = vec![(), (), ()];
        let out = run(
            &mut workers,
            &steps,
            |_, &w| {
                {
                    let mut h = holding.lock().unwrap();
                    for t in &steps[w].tables {
                        assert!(h.insert(t.clone()), "step {w} shares {t} with a running step");
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
                log.lock().unwrap().push(w);
                let mut h = holding.lock().unwrap();
                for t in &steps[w].tables {
                    h.remove(t);
                }
                Ok::<_, ()>(w * 10)
            },
            || {},
        )
        .unwrap();
        let log = log.into_inner().unwrap();
        let at = |w: usize| log.iter().position(|&x| x == w).unwrap();
        assert!(at(0) < at(2) && at(1) < at(3));
        assert!(at(2) < at(4) && at(3) < at(4) && at(2) < at(5) && at(3) < at(5));
        let values: Vec<usize> = out.into_iter().map(|r| r.unwrap().0).collect();
        assert_eq!(values, vec![0, 10, 20, 30, 40, 50]);
    }

    #[test]
    fn the_first_failure_stops_the_run_and_is_returned() {
        let steps: Vec<Step<usize>> = (0..20).map(|i| step(&[&format!("t{i}")], &[], i)).collect();
        let stops = AtomicUsize::new(0);
        let ran = AtomicUsize::new(0);
        let mut workers = vec![(), ()];
        let out = run(
            &mut workers,
            &steps,
            |_, &w| {
                ran.fetch_add(1, Ordering::SeqCst);
                if w == 3 {
                    return Err(format!("step {w} failed"));
                }
                // A step after the failing one holds its worker until the stop,
                // so at most one can have started before it.
                let until = std::time::Instant::now() + Duration::from_secs(10);
                while w > 3 && stops.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(())
            },
            || {
                stops.fetch_add(1, Ordering::SeqCst);
            },
        );
        assert_eq!(out.err().as_deref(), Some("step 3 failed"));
        assert_eq!(stops.load(Ordering::SeqCst), 1);
        // Steps 0–3, and at most the one the other worker took meanwhile.
        assert!(ran.load(Ordering::SeqCst) <= 5, "{} steps ran", ran.load(Ordering::SeqCst));
    }

    #[test]
    fn a_step_that_waits_on_itself_is_left_out_not_waited_for() {
        let steps = vec![step(&["a"], &[], 0), step(&["b"], &[1], 1)];
        let mut workers = vec![(), ()];
        let out = run(&mut workers, &steps, |_, &w| Ok::<_, ()>(w), || {}).unwrap();
        assert!(out[0].is_some() && out[1].is_none());
    }
}
