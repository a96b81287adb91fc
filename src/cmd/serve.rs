//! `vcd serve [--watch]`: build, serve over HTTP, and with --watch rebuild what
//! each change affects and reload the browser, showing errors over the page.

use crate::cmd::cli::ServeArgs;
use crate::pipeline::session::{Changes, Session};
use crate::pipeline::Mode;
use crate::project::Project;
use crate::serve::live::Live;
use crate::serve::watch::ProjectWatcher;
use crate::serve::Server;
use crate::util::diag::Diagnostic;
use crate::util::interrupt;
use anyhow::Result;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::Instant;

pub fn run(project: Project, args: &ServeArgs) -> Result<u8> {
    let started = Instant::now();
    let mut session = Session::open(project, Mode::Build)?;
    let errors = session.diagnostics();
    // A clean build replaces the site at once; with errors, what did build is
    // written over the previous site, so broken pages keep their last good version.
    if errors.is_empty() {
        session.write_all()?;
    } else {
        session.write_pending()?;
    }
    report(&errors);
    eprintln!(
        "built {} pages from {} queries in {:.2}s",
        session.page_count(),
        session.query_count(),
        started.elapsed().as_secs_f64()
    );
    let live = args.watch.then(|| Arc::new(Live::new()));
    if let Some(live) = &live {
        live.set_errors(&errors);
    }
    // Watching starts before the address is announced, so no edit made after it is missed.
    let watcher = if args.watch { Some(ProjectWatcher::start(&session.project.root)?) } else { None };
    let site = session.project.output_dir();
    let server = Server::start(&args.host, args.port, &site, live.clone())?;
    let loopback = server.addr.ip().is_loopback();
    if !loopback {
        eprintln!(
            "warning: listening on {}, which other machines can reach; the preview has no access control",
            server.addr.ip()
        );
    }
    eprintln!("serving {} at http://{}/", session.project.display_path(&site).display(), server.addr);
    let (Some(live), Some(watcher)) = (live, watcher) else {
        // Without --watch the server runs until the process is stopped.
        loop {
            std::thread::park();
        }
    };
    eprintln!("watching pages/, queries/, theme/, data/ and vcd.toml for changes");
    // Changes whose step failed as a whole (unreadable `vcd.toml`, a broken
    // theme): tried again with every later batch, their error shown until then.
    let mut unapplied = Changes::default();
    let mut shown_errors = !errors.is_empty();
    let (batches, building) = watch_in_background(watcher);
    while let Ok(batch) = batches.recv() {
        let t = Instant::now();
        interrupt::resume();
        let mut changes = std::mem::take(&mut unapplied);
        changes.merge(batch);
        while let Ok(more) = batches.try_recv() {
            changes.merge(more);
        }
        building.store(true, Ordering::SeqCst);
        let applied = session.apply(&changes);
        building.store(false, Ordering::SeqCst);
        if interrupt::superseded() {
            // Done again with the newer change, which is already waiting.
            eprintln!("{}: stopped for a newer change", describe(&changes));
            unapplied = changes;
            continue;
        }
        let (step, failure) = match applied {
            Ok(step) => (Some(step), None),
            Err(e) => {
                unapplied = changes.clone();
                (None, Some(Diagnostic::new(format!("{e:#}"))))
            }
        };
        let written = session.write_pending()?;
        let mut errors = session.diagnostics();
        errors.extend(failure);
        report(&errors);
        let done = match &step {
            Some(step) => format!(
                "{} quer{} run, {} page{} rendered",
                step.queries_run,
                if step.queries_run == 1 { "y" } else { "ies" },
                step.pages_rendered,
                if step.pages_rendered == 1 { "" } else { "s" },
            ),
            None => "not rebuilt".to_string(),
        };
        eprintln!(
            "{}: {done}, {} file{} written in {} ms{}",
            describe(&changes),
            written,
            if written == 1 { "" } else { "s" },
            t.elapsed().as_millis(),
            if errors.is_empty() { String::new() } else { format!("; {} error(s) shown in the browser", errors.len()) }
        );
        // Pages reload when the site changed, or when the errors over them went
        // away (pages written while they showed may be newer than what they show).
        let reload = errors.is_empty() && (written > 0 || shown_errors);
        live.finished(&errors, reload);
        shown_errors = !errors.is_empty();
    }
    Ok(0)
}

/// Waits for changes on a thread of its own, so one that comes while a
/// rebuild runs can stop that rebuild ([`interrupt::supersede`]): a slow
/// query the author has already replaced is not waited for. Returns the
/// batches, and the flag the main loop sets while it rebuilds.
fn watch_in_background(mut watcher: ProjectWatcher) -> (Receiver<Changes>, Arc<AtomicBool>) {
    let (tx, batches) = channel();
    let building = Arc::new(AtomicBool::new(false));
    let flag = building.clone();
    std::thread::spawn(move || {
        while let Some(batch) = watcher.wait() {
            if flag.load(Ordering::SeqCst) {
                interrupt::supersede();
            }
            if tx.send(batch).is_err() {
                break;
            }
        }
    });
    (batches, building)
}

fn report(errors: &[Diagnostic]) {
    for d in errors {
        eprintln!("error: {d}");
    }
}

/// The change in a few words, for the terminal.
fn describe(c: &Changes) -> String {
    let mut parts = Vec::new();
    if c.config {
        parts.push("settings changed".to_string());
    }
    if c.theme {
        parts.push("theme changed".to_string());
    }
    let list = |items: Vec<String>| items.join(", ");
    if !c.data.is_empty() {
        parts.push(list(c.data.iter().map(|p| p.display().to_string()).collect()));
    }
    if !c.queries.is_empty() {
        parts.push(list(c.queries.iter().map(|q| format!("queries/{q}.sql")).collect()));
    }
    if !c.pages.is_empty() {
        parts.push(list(c.pages.iter().map(|p| p.display().to_string()).collect()));
    }
    parts.join("; ")
}
