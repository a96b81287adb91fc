//! `vcd serve [--watch]`: build, serve over HTTP, and with --watch rebuild what
//! each change affects and reload the browser, showing errors over the page.

use crate::build::Mode;
use crate::cli::ServeArgs;
use crate::project::Project;
use crate::serve::live::Live;
use crate::serve::Server;
use crate::session::Session;
use crate::watch::ProjectWatcher;
use anyhow::Result;
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
    let (Some(live), Some(mut watcher)) = (live, watcher) else {
        // Without --watch the server runs until the process is stopped.
        loop {
            std::thread::park();
        }
    };
    eprintln!("watching pages/, queries/, theme/, data/ and vcd.toml for changes");
    while let Some(changes) = watcher.wait() {
        let t = Instant::now();
        let step = match session.apply(&changes) {
            Ok(step) => step,
            Err(e) => {
                eprintln!("error: {e:#}");
                continue;
            }
        };
        let written = session.write_pending()?;
        let errors = session.diagnostics();
        report(&errors);
        eprintln!(
            "{}: {} quer{} run, {} page{} rendered, {} file{} written in {} ms{}",
            describe(&changes),
            step.queries_run,
            if step.queries_run == 1 { "y" } else { "ies" },
            step.pages_rendered,
            if step.pages_rendered == 1 { "" } else { "s" },
            written,
            if written == 1 { "" } else { "s" },
            t.elapsed().as_millis(),
            if errors.is_empty() { String::new() } else { format!("; {} error(s) shown in the browser", errors.len()) }
        );
        live.set_errors(&errors);
        if errors.is_empty() {
            live.reload();
        }
    }
    Ok(0)
}

fn report(errors: &[crate::diag::Diagnostic]) {
    for d in errors {
        eprintln!("error: {d}");
    }
}

/// The change in a few words, for the terminal.
fn describe(c: &crate::session::Changes) -> String {
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
