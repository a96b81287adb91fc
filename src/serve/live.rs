//! Live reload: the browsers watching the preview, told over server-sent events
//! when a rebuild finished or failed, and the script that listens.

use crate::diag::Diagnostic;
use std::io::Write;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::Duration;

/// The script added to every HTML page the preview serves (and to nothing `vcd build` writes).
pub const SCRIPT: &str = include_str!("live.js");
pub const SCRIPT_PATH: &str = "/__vcd/live.js";
pub const EVENTS_PATH: &str = "/__vcd/events";
pub const ERRORS_PATH: &str = "/__vcd/errors";

/// Everyone listening, and the current build errors.
#[derive(Default)]
pub struct Live {
    clients: Mutex<Vec<Sender<String>>>,
    errors: Mutex<String>,
}

impl Live {
    pub fn new() -> Live {
        Live { clients: Mutex::new(Vec::new()), errors: Mutex::new("[]".into()) }
    }

    /// The current errors as the JSON the overlay reads.
    pub fn errors_json(&self) -> String {
        self.errors.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Records the build's errors and tells every page (an empty list clears the overlay).
    pub fn set_errors(&self, diagnostics: &[Diagnostic]) {
        let list: Vec<serde_json::Value> = diagnostics
            .iter()
            .map(|d| {
                let text = d.to_string();
                serde_json::json!({
                    "file": d.file.as_ref().map(|f| f.display().to_string()),
                    "line": d.line,
                    "column": d.column,
                    "message": d.message,
                    "text": text,
                })
            })
            .collect();
        let json = serde_json::Value::from(list).to_string();
        *self.errors.lock().unwrap_or_else(|e| e.into_inner()) = json.clone();
        self.send(&format!("event: errors\ndata: {json}\n\n"));
    }

    /// Tells every page to load itself again.
    pub fn reload(&self) {
        self.send("event: reload\ndata: reload\n\n");
    }

    fn send(&self, event: &str) {
        // A browser that went away is dropped at its first failed send.
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).retain(|c| c.send(event.to_string()).is_ok());
    }

    pub fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).push(tx);
        rx
    }
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
