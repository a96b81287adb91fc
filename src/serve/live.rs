//! Live reload: the browsers watching the preview, told over server-sent events
//! when a rebuild finished or failed, and the script that listens.
//!
//! The protocol (all events carry JSON):
//! - `state` — `{"build": N, "errors": [...]}`, the first event of every stream, so
//!   a browser that connects at any moment, even between a rebuild and its
//!   announcement, learns the current errors and whether its page is stale;
//! - `errors` — `[...]`, after every rebuild (an empty list clears the overlay);
//! - `reload` — `N`, after a rebuild that changed the site and has no errors.
//!
//! `N` counts finished rebuilds; every served page carries the count it was
//! served under (`data-build` on the script tag), so the script reloads a page
//! that a rebuild overtook before its stream opened.

use crate::util::diag::Diagnostic;
use std::io::Write;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::Duration;

/// The script added to every HTML page the preview serves (and to nothing `vcd build` writes).
pub const SCRIPT: &str = include_str!("live.js");
pub const SCRIPT_PATH: &str = "/__vcd/live.js";
pub const EVENTS_PATH: &str = "/__vcd/events";
pub const ERRORS_PATH: &str = "/__vcd/errors";

/// Everyone listening, the current build errors and the rebuild count, under one
/// lock so that subscribing and announcing never interleave.
#[derive(Default)]
pub struct Live {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    clients: Vec<Sender<String>>,
    /// The current errors as the JSON list the overlay reads.
    errors: String,
    build: u64,
}

impl State {
    fn send(&mut self, event: &str) {
        // A browser that went away is dropped at its first failed send.
        self.clients.retain(|c| c.send(event.to_string()).is_ok());
    }
}

impl Live {
    pub fn new() -> Live {
        Live { state: Mutex::new(State { errors: "[]".into(), ..State::default() }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current errors as the JSON the overlay reads.
    pub fn errors_json(&self) -> String {
        self.lock().errors.clone()
    }

    /// How many rebuilds have finished (0 after the first build).
    pub fn build(&self) -> u64 {
        self.lock().build
    }

    /// Announces a finished rebuild: records its errors and tells every page
    /// (an empty list clears the overlay); with `reload`, pages load again.
    pub fn finished(&self, diagnostics: &[Diagnostic], reload: bool) {
        let json = errors_json(diagnostics);
        let mut state = self.lock();
        state.build += 1;
        state.errors = json.clone();
        state.send(&format!("event: errors\ndata: {json}\n\n"));
        if reload {
            let build = state.build;
            state.send(&format!("event: reload\ndata: {build}\n\n"));
        }
    }

    /// Records the first build's errors, before any browser listens.
    pub fn set_errors(&self, diagnostics: &[Diagnostic]) {
        self.lock().errors = errors_json(diagnostics);
    }

    /// A new listener, whose first event is the current `state`.
    pub fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        let mut state = self.lock();
        let first = format!("event: state\ndata: {{\"build\":{},\"errors\":{}}}\n\n", state.build, state.errors);
        tx.send(first).expect("the receiver is still here");
        state.clients.push(tx);
        rx
    }
}

/// Diagnostics as the overlay's JSON: file, line, column, message and the full text.
fn errors_json(diagnostics: &[Diagnostic]) -> String {
    let list: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            serde_json::json!({
                "file": d.file.as_ref().map(|f| f.display().to_string()),
                "line": d.line,
                "column": d.column,
                "message": d.message,
                "text": d.to_string(),
            })
        })
        .collect();
    serde_json::Value::from(list).to_string()
}

/// Streams events to one browser until it goes away. A comment every 15 s
/// keeps proxies and the browser from closing an idle stream.
pub fn stream(mut out: Box<dyn Write + Send>, events: Receiver<String>) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                Connection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n";
    if out.write_all(head.as_bytes()).and_then(|_| out.flush()).is_err() {
        return;
    }
    loop {
        let chunk = match events.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if out.write_all(chunk.as_bytes()).and_then(|_| out.flush()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(rx: &Receiver<String>) -> Vec<String> {
        rx.try_iter().collect()
    }

    #[test]
    fn a_listener_first_hears_the_current_state() {
        let live = Live::new();
        let early = live.subscribe();
        assert_eq!(drain(&early), vec!["event: state\ndata: {\"build\":0,\"errors\":[]}\n\n"]);
        live.finished(&[Diagnostic::in_file("pages/a.md", "boom").at(3, Some(4))], false);
        let late = live.subscribe();
        let first = drain(&late).remove(0);
        assert!(first.starts_with("event: state\ndata: {\"build\":1,\"errors\":[{"), "{first}");
        assert!(first.contains("pages/a.md:3:4: boom"), "{first}");
        let heard = drain(&early);
        assert_eq!(heard.len(), 1, "errors only, no reload: {heard:?}");
        assert!(heard[0].starts_with("event: errors\ndata: [{"));
        live.finished(&[], true);
        for rx in [&early, &late] {
            assert_eq!(drain(rx), vec!["event: errors\ndata: []\n\n", "event: reload\ndata: 2\n\n"]);
        }
        assert_eq!(live.build(), 2);
        assert_eq!(live.errors_json(), "[]");
    }
}
