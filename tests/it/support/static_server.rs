//! Test support: a tiny static HTTP/1.1 file server on 127.0.0.1, so browser tests can load
//! a built site over real HTTP (fetch() and module scripts refuse file:// URLs).
//!
//! Use it from a test module with `use crate::support::static_server::StaticServer;`.
//!
//! Public API:
//!
//! ```text
//! StaticServer::start(root: &Path, base: &str) -> StaticServer  // panics if it cannot bind
//! StaticServer::url(&self, path: &str) -> String  // url("viral/") -> http://127.0.0.1:P/dash/viral/
//! StaticServer::origin(&self) -> String           // http://127.0.0.1:P
//! StaticServer::requests(&self) -> Vec<(String, u16)>  // (path without query, status), in order
//! StaticServer::failures(&self) -> Vec<(String, u16)>  // the subset with status >= 400
//! ```
//!
//! Behaviour: files under `root` are served below the URL prefix `base` ("/" or "/dash/");
//! GET and HEAD only (405 otherwise); a directory URL ending in `/` serves its index.html,
//! one without the slash gets a 301 to the slashed form (as does the bare base, "/dash");
//! `..` segments, paths outside `root` (also via symlinks) and missing files give 404,
//! except a missing `/favicon.ico`, which Chromium requests by itself: that gets 204.
//! Every response has `Connection: close` and `Cache-Control: no-store`. One thread
//! accepts, one short-lived thread serves each connection; Drop stops the accept thread.

// A test binary rarely uses every helper, and unused ones must not warn.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Largest request head we accept; anything bigger is not a browser GET.
const MAX_HEAD: usize = 16 * 1024;

pub struct StaticServer {
    addr: SocketAddr,
    base: String,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<(String, u16)>>>,
    thread: Option<JoinHandle<()>>,
}

/// What every connection thread needs to know.
struct Site {
    root: PathBuf,
    base: String,
    log: Arc<Mutex<Vec<(String, u16)>>>,
}

impl StaticServer {
    /// Serves `root` under the URL prefix `base` on a free port of 127.0.0.1.
    /// Panics if `root` is not a directory or the socket cannot be bound: a test cannot
    /// do anything useful without its server.
    pub fn start(root: &Path, base: &str) -> StaticServer {
        // Canonical root, so the "outside root" check compares like with like.
        let root =
            root.canonicalize().unwrap_or_else(|e| panic!("StaticServer: root {} is unusable: {e}", root.display()));
        assert!(root.is_dir(), "StaticServer: root {} is not a directory", root.display());
        let base = normalize_base(base);
        let listener = TcpListener::bind("127.0.0.1:0").expect("StaticServer: cannot bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("StaticServer: no local address");
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let site = Arc::new(Site { root, base: base.clone(), log: Arc::clone(&log) });
        let stop_flag = Arc::clone(&stop);
        let thread = thread::Builder::new()
            .name(format!("static-server-{}", addr.port()))
            .spawn(move || {
                for conn in listener.incoming() {
                    // Drop sets the flag and then connects once to wake this accept().
                    if stop_flag.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let site = Arc::clone(&site);
                    let _ =
                        thread::Builder::new().name("static-server-conn".into()).spawn(move || serve(stream, &site));
                }
            })
            .expect("StaticServer: cannot spawn the accept thread");
        StaticServer { addr, base, stop, log, thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Full URL of `path` relative to the base ("" gives the base itself; a leading `/`
    /// is ignored, so "viral/" and "/viral/" both give http://127.0.0.1:P/dash/viral/).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}{}", self.origin(), self.base, path.trim_start_matches('/'))
    }

    /// Every request so far as (path as requested, without the query string; status).
    pub fn requests(&self) -> Vec<(String, u16)> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The requests answered with a status of 400 or more (404s, 405s, ...).
    pub fn failures(&self) -> Vec<(String, u16)> {
        self.requests().into_iter().filter(|(_, s)| *s >= 400).collect()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // accept() has no timeout; a throwaway connection wakes it to see the flag. If even
        // that fails, leave the thread detached rather than risk joining it forever.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if let Some(t) = self.thread.take() {
            if woke {
                let _ = t.join();
            }
        }
    }
}

/// "/" stays "/"; "dash", "/dash" and "/dash/" all become "/dash/".
fn normalize_base(base: &str) -> String {
    let trimmed = base.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    }
}

/// A response before it is written: status, extra headers, body and its type.
struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn text(status: u16, msg: String) -> Reply {
        Reply { status, content_type: "text/plain; charset=utf-8", headers: Vec::new(), body: msg.into_bytes() }
    }

    fn redirect(location: String) -> Reply {
        let mut r = Reply::text(301, format!("moved to {location}\n"));
        r.headers.push(("Location", location));
        r
    }
}

/// Handles one connection: read the request head, answer, close.
fn serve(mut stream: TcpStream, site: &Site) {
    // Time limits, so a client that connects and says nothing cannot pin a thread forever.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let Some(head) = read_head(&mut stream) else {
        return;
    };
    let request_line = head.lines().next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    // Only the path identifies the file; the query is kept for redirects.
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let path = path.split('#').next().unwrap_or("");

    let reply = if method != "GET" && method != "HEAD" {
        let mut r = Reply::text(405, format!("method {method} not allowed\n"));
        r.headers.push(("Allow", "GET, HEAD".into()));
        r
    } else if !path.starts_with('/') {
        Reply::text(400, format!("bad request target {target:?}\n"))
    } else {
        let r = route(site, path, query);
        // Chromium asks for /favicon.ico on its own, outside any base path. A 404 there
        // would be noise in failures() and in the page's console errors that no site can
        // fix, so a missing one gets "204 No Content" (still logged as 204).
        if r.status == 404 && path == "/favicon.ico" {
            Reply { status: 204, content_type: "", headers: Vec::new(), body: Vec::new() }
        } else {
            r
        }
    };

    site.log.lock().unwrap_or_else(|e| e.into_inner()).push((path.to_string(), reply.status));

    let mut out = format!(
        "HTTP/1.1 {} {}\r\nConnection: close\r\nCache-Control: no-store\r\n",
        reply.status,
        reason(reply.status)
    );
    // A 204 must not carry a body, nor headers describing one.
    if reply.status != 204 {
        out.push_str(&format!("Content-Type: {}\r\nContent-Length: {}\r\n", reply.content_type, reply.body.len()));
    }
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if method != "HEAD" {
        bytes.extend_from_slice(&reply.body);
    }
    let _ = stream.write_all(&bytes);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

/// Reads up to the blank line ending the request head; None if the client gave up.
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_HEAD {
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Maps a request path to a reply: file, index.html, redirect or 404.
fn route(site: &Site, path: &str, query: Option<&str>) -> Reply {
    let with_query = |p: String| match query {
        Some(q) => format!("{p}?{q}"),
        None => p,
    };
    let not_found = || Reply::text(404, format!("404 not found: {path}\n"));

    // "/dash" is the site's own root without its slash: redirect like any directory.
    if site.base != "/" && path == site.base.trim_end_matches('/') {
        return Reply::redirect(with_query(site.base.clone()));
    }
    let Some(rest) = path.strip_prefix(site.base.as_str()) else {
        return not_found();
    };
    let Some(decoded) = percent_decode(rest) else {
        return not_found();
    };

    let mut file = site.root.clone();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            // Never step upwards, whatever the rest of the path would resolve to.
            ".." => return not_found(),
            s if s.contains('\\') || s.contains('\0') => return not_found(),
            s => file.push(s),
        }
    }
    if file.is_dir() {
        if !path.ends_with('/') {
            return Reply::redirect(with_query(format!("{path}/")));
        }
        file.push("index.html");
    }
    // Symlinks could still point outside the root; the canonical path settles it.
    let Ok(real) = file.canonicalize() else {
        return not_found();
    };
    if !real.starts_with(&site.root) || !real.is_file() {
        return not_found();
    }
    match std::fs::read(&real) {
        Ok(body) => {
            Reply { status: 200, content_type: vcd::serve::files::content_type(&real), headers: Vec::new(), body }
        }
        Err(_) => not_found(),
    }
}

/// Decodes %XX escapes; None for malformed escapes or non-UTF-8 results.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Unknown",
    }
}
