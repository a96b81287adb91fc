//! Test support: drives a real headless Chromium through the DevTools Protocol (CDP) over
//! `--remote-debugging-pipe`, using nothing but std and serde_json.
//!
//! Use it from a test module with `use crate::support::browser::{Browser, Page};`
//! and skip gracefully when `Browser::available()` is false.
//!
//! Public API (every wait is bounded; nothing here can hang a test forever):
//!
//! ```text
//! Browser::available() -> bool                      // is a Chromium binary there at all?
//! Browser::launch() -> Result<Browser, String>
//! Browser::launch_with_args(extra: &[&str]) -> Result<Browser, String>
//! Browser::set_timeout(&self, Duration)             // default for pages opened later (20 s)
//! Browser::open(&self, url) -> Result<Page, String> // new tab, waits for the load event
//!
//! Page::navigate(&self, url) -> Result<(), String>  // reuse the tab, waits for load again
//! Page::eval(&self, js) -> Result<Value, String>    // by value, awaits promises, Err = exception
//! Page::wait_for(&self, js_condition, Duration) -> Result<(), String>
//! Page::console_errors(&self) -> Vec<String>        // console.error/assert, uncaught, Log errors
//! Page::console_warnings(&self) -> Vec<String>      // console.warn, Log warnings
//! Page::clear_console(&self)                        // forget messages seen so far
//! Page::click(&self, css_selector) -> Result<(), String>   // real mouse click at box centre
//! Page::click_at(&self, x: f64, y: f64) -> Result<(), String>
//! Page::select(&self, css_selector, value) -> Result<(), String>
//! Page::type_text(&self, css_selector, text) -> Result<(), String>
//! Page::set_color_scheme(&self, dark: bool) -> Result<(), String>
//! Page::cdp(&self, method, params) -> Result<Value, String>    // escape hatch: any CDP command
//! Page::events(&self, method) -> Vec<Value>         // params of the events of that name seen
//! ```
//!
//! alert()/confirm()/prompt() dialogs are accepted automatically (they would block the
//! page); they stay visible as `events("Page.javascriptDialogOpening")`.
//!
//! The binary is `$VCD_CHROMIUM` if set, else `/usr/bin/chromium` (else `chromium` or
//! `chromium-browser` on `PATH`). Linux only: the pipe set-up uses Linux fcntl constants.
//! Dropping the `Browser` kills Chromium's whole process group (SIGKILL) and deletes its
//! profile directory; a `Page` closes its tab when dropped.

use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

// std links libc already; declaring the few calls we need avoids depending on the libc crate.
extern "C" {
    fn dup2(old: i32, new: i32) -> i32;
    fn fcntl(fd: i32, cmd: i32, ...) -> i32;
    fn kill(pid: i32, sig: i32) -> i32;
}

/// Linux value of F_DUPFD_CLOEXEC (the same on every Linux architecture).
const F_DUPFD_CLOEXEC: i32 = 1030;
const SIGKILL: i32 = 9;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// How many trailing lines of Chromium's stderr are kept to explain a failure.
const STDERR_TAIL_LINES: usize = 40;

/// Test machines have no network, so everything that would phone home (component updates,
/// sync, QUIC probing, background fetches) is switched off: start-up stays fast and the
/// logs free of network noise. --disable-dev-shm-usage because /dev/shm may be small in
/// containers; --no-sandbox because tests often run as root, where the sandbox refuses.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
];

/// Locks a mutex even if another test thread panicked while holding it: one failing test
/// must not turn every later call into a poison panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Everything the reader thread shares with callers.
#[derive(Default)]
struct State {
    /// Replies not yet collected, by command id.
    responses: HashMap<u64, Value>,
    /// Ids whose caller gave up waiting; their late replies are dropped, not hoarded.
    abandoned: HashSet<u64>,
    /// Events in arrival order, keyed by sessionId ("" for browser-level events).
    events: HashMap<String, Vec<Value>>,
    /// Sessions whose target crashed or detached, with the reason; calls on them fail fast.
    dead_sessions: HashMap<String, String>,
    /// Set once the pipe is gone; every pending and future call fails with this text.
    closed: Option<String>,
}

/// The DevTools connection: a writer for fd 3 and the state filled from fd 4.
struct Conn {
    writer: Mutex<Option<std::io::PipeWriter>>,
    state: Mutex<State>,
    /// Signalled on every message and on close, so waiters re-check their condition.
    cond: Condvar,
    next_id: AtomicU64,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
}

impl Conn {
    fn stderr_summary(&self) -> String {
        let tail = lock(&self.stderr_tail);
        if tail.is_empty() {
            String::new()
        } else {
            let lines: Vec<&str> = tail.iter().map(String::as_str).collect();
            format!("\nlast Chromium stderr lines:\n{}", lines.join("\n"))
        }
    }

    fn close(&self, why: String) {
        let mut st = lock(&self.state);
        if st.closed.is_none() {
            st.closed = Some(why);
        }
        drop(st);
        self.cond.notify_all();
    }

    /// Sends one command and waits for its reply; `session` routes it to a page (flatten mode).
    fn call(&self, session: Option<&str>, method: &str, params: Value, timeout: Duration) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = Value::from(s);
        }
        let mut bytes = serde_json::to_vec(&msg).map_err(|e| format!("{method}: cannot encode: {e}"))?;
        bytes.push(0); // the pipe transport frames messages with a NUL byte
        {
            if let Some(why) = &lock(&self.state).closed {
                return Err(format!("{method}: browser connection closed: {why}"));
            }
            let mut w = lock(&self.writer);
            let w = w.as_mut().ok_or_else(|| format!("{method}: browser connection closed"))?;
            w.write_all(&bytes).and_then(|_| w.flush()).map_err(|e| {
                format!("{method}: browser connection closed: writing to Chromium failed: {e}{}", self.stderr_summary())
            })?;
        }
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.state);
        loop {
            if let Some(resp) = st.responses.remove(&id) {
                if let Some(err) = resp.get("error") {
                    let text = err.get("message").and_then(Value::as_str).unwrap_or("");
                    let data = err.get("data").and_then(Value::as_str).map(|d| format!(" ({d})")).unwrap_or_default();
                    return Err(format!("{method} failed: {text}{data}"));
                }
                return Ok(resp.get("result").cloned().unwrap_or(Value::Null));
            }
            if let Some(why) = &st.closed {
                return Err(format!("{method}: browser connection closed: {why}"));
            }
            if let Some(why) = session.and_then(|s| st.dead_sessions.get(s)) {
                return Err(format!("{method}: page is gone: {why}"));
            }
            let now = Instant::now();
            if now >= deadline {
                st.abandoned.insert(id);
                return Err(format!("{method}: no reply from Chromium within {timeout:?}"));
            }
            st = self.cond.wait_timeout(st, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Waits for an event on `session` at index >= `from` that satisfies `pred`.
    fn wait_event(
        &self,
        session: &str,
        from: usize,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        let mut next = from;
        let mut st = lock(&self.state);
        loop {
            if let Some(evs) = st.events.get(session) {
                if let Some(ev) = evs.iter().skip(next).find(|e| pred(e)) {
                    return Ok(ev.clone());
                }
                next = next.max(evs.len());
            }
            if let Some(why) = &st.closed {
                return Err(format!("waiting for {what}: browser connection closed: {why}"));
            }
            if let Some(why) = st.dead_sessions.get(session) {
                return Err(format!("waiting for {what}: page is gone: {why}"));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}"));
            }
            st = self.cond.wait_timeout(st, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    fn event_count(&self, session: &str) -> usize {
        lock(&self.state).events.get(session).map_or(0, Vec::len)
    }

    /// Writes a command without waiting for (or keeping) its reply.
    fn send_nowait(&self, session: &str, method: &str, params: Value) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        lock(&self.state).abandoned.insert(id);
        let msg = json!({ "id": id, "method": method, "params": params, "sessionId": session });
        if let (Ok(mut bytes), Some(w)) = (serde_json::to_vec(&msg), lock(&self.writer).as_mut()) {
            bytes.push(0);
            let _ = w.write_all(&bytes);
        }
    }

    /// Stores one parsed message from Chromium: replies by id, events by session.
    fn dispatch(this: &Arc<Conn>, msg: Value) {
        // alert()/confirm()/prompt() block the page's JS until answered, which would stall
        // every later command until its timeout; accept them at once (the event stays in
        // the page's events for tests that want to check for dialogs). From a separate
        // thread: this reader must never wait on the writer lock, or a caller blocked on a
        // full pipe and a Chromium blocked on fd 4 could wait for each other.
        if msg["method"] == "Page.javascriptDialogOpening" {
            if let Some(session) = msg["sessionId"].as_str().map(str::to_string) {
                let conn = Arc::clone(this);
                let _ = thread::Builder::new().name("chromium-dialog".into()).spawn(move || {
                    conn.send_nowait(&session, "Page.handleJavaScriptDialog", json!({ "accept": true }));
                });
            }
        }
        let mut st = lock(&this.state);
        if let Some(id) = msg.get("id").and_then(Value::as_u64) {
            if !st.abandoned.remove(&id) {
                st.responses.insert(id, msg);
            }
        } else if let Some(method) = msg.get("method").and_then(Value::as_str) {
            let session = msg.get("sessionId").and_then(Value::as_str).unwrap_or("").to_string();
            // Mark sessions that can no longer answer, so their callers fail at once
            // instead of sitting out the full timeout.
            match method {
                "Inspector.targetCrashed" => {
                    st.dead_sessions.insert(session.clone(), "the renderer crashed".into());
                }
                "Target.detachedFromTarget" => {
                    if let Some(s) = msg["params"]["sessionId"].as_str() {
                        st.dead_sessions.entry(s.to_string()).or_insert_with(|| "detached from its target".into());
                    }
                }
                _ => {}
            }
            st.events.entry(session).or_default().push(msg);
        }
        drop(st);
        this.cond.notify_all();
    }
}

/// A running headless Chromium. Dropping it kills the browser and removes its profile.
pub struct Browser {
    conn: Arc<Conn>,
    child: Child,
    profile_dir: PathBuf,
    timeout_ms: AtomicU64,
}

impl Browser {
    /// The Chromium binary to run, if one can be found.
    fn binary() -> Option<PathBuf> {
        let on_path = |name: &str| -> Option<PathBuf> {
            std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|f| f.is_file()))
        };
        if let Some(v) = std::env::var_os("VCD_CHROMIUM").filter(|v| !v.is_empty()) {
            let p = PathBuf::from(&v);
            return if p.components().count() > 1 { p.is_file().then_some(p) } else { on_path(&p.to_string_lossy()) };
        }
        let default = PathBuf::from("/usr/bin/chromium");
        if default.is_file() {
            return Some(default);
        }
        on_path("chromium").or_else(|| on_path("chromium-browser"))
    }

    /// True when a Chromium binary exists, so tests can skip instead of fail without one.
    /// It does not start the browser.
    /// A browser for a test, or `None` (said loudly) when Chromium is missing outside CI.
    pub fn for_test() -> Option<Browser> {
        if !Browser::available() {
            assert!(std::env::var_os("CI").is_none(), "Chromium is required under CI; .ci/run installs it");
            eprintln!("SKIPPED: browser test needs Debian's chromium (apt-get install chromium) or VCD_CHROMIUM");
            return None;
        }
        Some(Browser::launch().expect("chromium starts"))
    }

    pub fn available() -> bool {
        Self::binary().is_some()
    }

    /// Starts Chromium with the standard headless flags.
    pub fn launch() -> Result<Browser, String> {
        Self::launch_with_args(&[])
    }

    /// Starts Chromium with the standard flags plus `extra` (e.g. `--lang=de`).
    pub fn launch_with_args(extra: &[&str]) -> Result<Browser, String> {
        let bin = Self::binary().ok_or_else(|| match std::env::var("VCD_CHROMIUM") {
            Ok(v) if !v.is_empty() => {
                format!("VCD_CHROMIUM={v} is not an existing file or a program on PATH")
            }
            _ => "Chromium not found: install Debian's `chromium` package (/usr/bin/chromium) \
                  or point VCD_CHROMIUM at a Chromium binary"
                .to_string(),
        })?;

        sweep_stale_profiles();
        // A fresh profile per browser: no state leaks between tests or runs.
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let profile_dir = std::env::temp_dir().join(format!(
            "vcd-chromium-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&profile_dir)
            .map_err(|e| format!("cannot create profile dir {}: {e}", profile_dir.display()))?;

        let spawned = Self::spawn(&bin, &profile_dir, extra);
        let (child, to_chrome, from_chrome) = match spawned {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&profile_dir);
                return Err(e);
            }
        };
        let mut child = child;

        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(stderr) = child.stderr.take() {
            // Drain stderr so Chromium never blocks on a full pipe, keeping the tail for errors.
            let tail = Arc::clone(&stderr_tail);
            let _ = thread::Builder::new().name("chromium-stderr".into()).spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    // Without a session bus every start logs a burst of D-Bus errors; they
                    // would push the lines that explain a real failure out of the tail.
                    if line.contains(":ERROR:dbus/") {
                        continue;
                    }
                    let mut t = lock(&tail);
                    if t.len() == STDERR_TAIL_LINES {
                        t.pop_front();
                    }
                    t.push_back(line);
                }
            });
        }

        let conn = Arc::new(Conn {
            writer: Mutex::new(Some(to_chrome)),
            state: Mutex::new(State::default()),
            cond: Condvar::new(),
            next_id: AtomicU64::new(1),
            stderr_tail,
        });
        let reader_conn = Arc::clone(&conn);
        let reader = thread::Builder::new().name("chromium-cdp-reader".into()).spawn(move || {
            read_loop(from_chrome, reader_conn);
        });
        let browser =
            Browser { conn, child, profile_dir, timeout_ms: AtomicU64::new(DEFAULT_TIMEOUT.as_millis() as u64) };
        if let Err(e) = reader {
            return Err(format!("cannot start the CDP reader thread: {e}"));
        }
        // A round trip proves the pipe works before any test relies on it.
        browser.conn.call(None, "Browser.getVersion", json!({}), DEFAULT_TIMEOUT).map_err(|e| {
            format!(
                "Chromium ({}) did not answer on the DevTools pipe: {e}{}",
                bin.display(),
                browser.conn.stderr_summary()
            )
        })?;
        Ok(browser)
    }

    /// Spawns Chromium with our pipe ends on fds 3 (commands in) and 4 (replies out).
    fn spawn(
        bin: &Path,
        profile_dir: &Path,
        extra: &[&str],
    ) -> Result<(Child, std::io::PipeWriter, std::io::PipeReader), String> {
        let (chrome_in, to_chrome) = std::io::pipe().map_err(|e| format!("pipe(): {e}"))?;
        let (from_chrome, chrome_out) = std::io::pipe().map_err(|e| format!("pipe(): {e}"))?;
        let in_fd = chrome_in.as_raw_fd();
        let out_fd = chrome_out.as_raw_fd();

        let mut cmd = Command::new(bin);
        cmd.args(FLAGS)
            .arg(format!("--user-data-dir={}", profile_dir.display()))
            .args(extra)
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Its own process group lets Drop kill renderers and helpers along with it.
            .process_group(0);
        // SAFETY: the closure runs between fork and exec and only calls fcntl and dup2,
        // which are async-signal-safe; it touches no locks and allocates nothing.
        unsafe {
            cmd.pre_exec(move || {
                // First move both ends above 10: if either already sits on 3 or 4, a direct
                // dup2 could clobber the other one, or be a no-op that keeps CLOEXEC. These
                // temporary copies are CLOEXEC and so vanish at exec.
                let hi_in = fcntl(in_fd, F_DUPFD_CLOEXEC, 10);
                let hi_out = fcntl(out_fd, F_DUPFD_CLOEXEC, 10);
                if hi_in < 0 || hi_out < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // dup2's new descriptors never carry FD_CLOEXEC, so 3 and 4 survive exec.
                if dup2(hi_in, 3) < 0 || dup2(hi_out, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        // Close our copies of Chromium's ends: otherwise we would never see EOF on fd 4
        // when Chromium dies, and pending calls would sit out their full timeout.
        drop(chrome_in);
        drop(chrome_out);
        Ok((child, to_chrome, from_chrome))
    }

    /// Sets the command/load timeout given to pages opened from now on (default 20 s).
    pub fn set_timeout(&self, timeout: Duration) {
        self.timeout_ms.store(timeout.as_millis() as u64, Ordering::Relaxed);
    }

    /// Opens `url` in a new tab and waits for its load event.
    pub fn open(&self, url: &str) -> Result<Page, String> {
        let timeout = Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed));
        // Start on about:blank and navigate only after attaching and enabling the domains;
        // creating the target with the real URL would lose its earliest console messages.
        let created = self.conn.call(None, "Target.createTarget", json!({ "url": "about:blank" }), timeout)?;
        let target_id = created["targetId"].as_str().ok_or("Target.createTarget returned no targetId")?.to_string();
        let attached =
            self.conn.call(None, "Target.attachToTarget", json!({ "targetId": target_id, "flatten": true }), timeout);
        let attached = match attached {
            Ok(a) => a,
            Err(e) => {
                let _ = self.conn.call(None, "Target.closeTarget", json!({ "targetId": target_id }), timeout);
                return Err(e);
            }
        };
        let session = attached["sessionId"].as_str().ok_or("Target.attachToTarget returned no sessionId")?.to_string();
        // From here on the Page's Drop closes the tab if anything fails.
        let page = Page {
            conn: Arc::clone(&self.conn),
            session,
            target_id,
            console_from: AtomicUsize::new(0),
            timeout_ms: AtomicU64::new(timeout.as_millis() as u64),
        };
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            page.cdp(domain, json!({}))?;
        }
        page.navigate(url)?;
        Ok(page)
    }
}

/// Removes profile directories left by test processes that have exited without dropping
/// their Browser (e.g. one kept in a `static`): Chromium itself exits when its pipe closes,
/// but nobody deletes its profile then. Directories of live processes are left alone.
fn sweep_stale_profiles() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("vcd-chromium-")) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Reads NUL-framed JSON from Chromium's fd 4 until the pipe closes.
fn read_loop(pipe: std::io::PipeReader, conn: Arc<Conn>) {
    let mut reader = BufReader::with_capacity(1 << 16, pipe);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(0, &mut buf) {
            Ok(0) => {
                conn.close(format!(
                    "Chromium closed the DevTools pipe (it exited or crashed){}",
                    conn.stderr_summary()
                ));
                return;
            }
            Ok(_) => {
                if buf.last() == Some(&0) {
                    buf.pop();
                }
                if buf.is_empty() {
                    continue;
                }
                // A message we cannot parse is dropped; its caller then times out with a clear
                // message rather than the whole connection dying.
                if let Ok(msg) = serde_json::from_slice::<Value>(&buf) {
                    Conn::dispatch(&conn, msg);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                conn.close(format!("reading the DevTools pipe failed: {e}{}", conn.stderr_summary()));
                return;
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // SIGKILL to the whole process group (browser, zygotes, renderers, GPU and network
        // helpers) while the leader is still unreaped, so the group id (= its pid) cannot
        // have been reused. A polite Browser.close was tried and measured: ~0.5 s slower
        // per browser, and it still orphans the zygotes, so it buys nothing for a
        // throwaway profile. The crashpad handlers live in their own group and exit by
        // themselves once the browser is gone. Orphaned helpers are reaped by PID 1, so
        // `pgrep chromium` may list <defunct> entries for a moment after this returns.
        let pid = self.child.id() as i32;
        unsafe {
            kill(-pid, SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.conn.close("the Browser was dropped".into());
        *lock(&self.conn.writer) = None;
        // Other group members may take a moment longer to die than the leader; if one
        // still holds the directory busy, retry the removal briefly.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.profile_dir).is_ok() || !self.profile_dir.exists() {
                break;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// One browser tab, attached in flatten mode (commands carry its sessionId).
pub struct Page {
    conn: Arc<Conn>,
    session: String,
    target_id: String,
    /// Index into this session's events where console collection starts (clear_console).
    console_from: AtomicUsize,
    timeout_ms: AtomicU64,
}

impl Page {
    fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed))
    }

    /// Sends any CDP command to this page's session and returns its `result`.
    pub fn cdp(&self, method: &str, params: Value) -> Result<Value, String> {
        self.conn.call(Some(&self.session), method, params, self.timeout())
    }

    /// The `params` of every event named `method` this page has received since it opened
    /// (e.g. "Runtime.consoleAPICalled"; enable other domains with `cdp` first).
    pub fn events(&self, method: &str) -> Vec<Value> {
        let st = lock(&self.conn.state);
        st.events
            .get(&self.session)
            .map(|evs| evs.iter().filter(|e| e["method"] == method).map(|e| e["params"].clone()).collect())
            .unwrap_or_default()
    }

    /// Navigates this tab and waits for the load event (fragment-only changes don't wait).
    pub fn navigate(&self, url: &str) -> Result<(), String> {
        // Only load events that arrive after this point count.
        let mark = self.conn.event_count(&self.session);
        let r = self.cdp("Page.navigate", json!({ "url": url }))?;
        if let Some(err) = r.get("errorText").and_then(Value::as_str).filter(|e| !e.is_empty()) {
            return Err(format!("navigating to {url} failed: {err}"));
        }
        if r.get("loaderId").is_none() {
            return Ok(()); // same-document navigation: no new load event will come
        }
        self.conn
            .wait_event(&self.session, mark, &format!("the load event of {url}"), self.timeout(), |e| {
                e["method"] == "Page.loadEventFired"
            })
            .map(|_| ())
    }

    /// Evaluates a JS expression in the page, awaiting a returned promise, and returns the
    /// result as JSON. A thrown exception or rejected promise becomes `Err` with its text.
    /// `undefined` maps to `Null`; NaN/±Infinity/BigInt come back as strings ("NaN", "123n").
    pub fn eval(&self, js: &str) -> Result<Value, String> {
        self.eval_within(js, self.timeout())
    }

    fn eval_within(&self, js: &str, timeout: Duration) -> Result<Value, String> {
        let r = self.conn.call(
            Some(&self.session),
            "Runtime.evaluate",
            json!({ "expression": js, "returnByValue": true, "awaitPromise": true }),
            timeout,
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            return Err(format!("JS exception: {}", exception_text(ex)));
        }
        let obj = &r["result"];
        if let Some(v) = obj.get("value") {
            return Ok(v.clone());
        }
        if let Some(u) = obj.get("unserializableValue").and_then(Value::as_str) {
            return Ok(if u == "-0" { json!(0) } else { Value::from(u) });
        }
        if obj["type"] == "undefined" {
            return Ok(Value::Null);
        }
        Ok(obj.get("description").cloned().unwrap_or(Value::Null))
    }

    /// Polls the JS expression `js_condition` (every 50 ms) until it is truthy. Exceptions
    /// while polling (element not there yet, page mid-navigation) count as "not yet".
    /// On timeout the error shows the last value or exception and any console errors.
    pub fn wait_for(&self, js_condition: &str, timeout: Duration) -> Result<(), String> {
        // Truthiness is judged in JS (NaN, "", 0, document.all...), and objects are turned
        // into strings so an unserialisable value (a DOM node, a cyclic object) cannot make
        // every poll fail. The newlines keep a trailing `// comment` from eating the `)`.
        let wrapped = format!(
            "(async () => {{ const v = await (\n{js_condition}\n); \
             const plain = v === null || (typeof v !== 'object' && typeof v !== 'function'); \
             return [!!v, plain ? v : String(v)]; }})()"
        );
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(200));
            let last = match self.eval_within(&wrapped, left) {
                Ok(v) if v[0] == true => return Ok(()),
                Ok(v) => format!("value {}", v[1]),
                Err(e) => e,
            };
            if Instant::now() >= deadline {
                let errors = self.console_errors();
                let console = if errors.is_empty() {
                    String::new()
                } else {
                    format!("\nconsole errors so far:\n  {}", errors.join("\n  "))
                };
                return Err(format!("wait_for timed out after {timeout:?}: `{js_condition}`; last {last}{console}"));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Collects console messages since the page was opened (or `clear_console`).
    fn console(&self, errors: bool) -> Vec<String> {
        let from = self.console_from.load(Ordering::Relaxed);
        let st = lock(&self.conn.state);
        let Some(evs) = st.events.get(&self.session) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for ev in evs.iter().skip(from) {
            let p = &ev["params"];
            match ev["method"].as_str().unwrap_or("") {
                "Runtime.consoleAPICalled" => {
                    let kind = p["type"].as_str().unwrap_or("");
                    let wanted = if errors { kind == "error" || kind == "assert" } else { kind == "warning" };
                    if wanted {
                        let args: Vec<String> =
                            p["args"].as_array().map_or(Vec::new(), |a| a.iter().map(remote_object_text).collect());
                        // CDP reports console.warn as "warning"; show the name the code used.
                        let name = if kind == "warning" { "warn" } else { kind };
                        out.push(format!("console.{name}: {}{}", args.join(" "), stack_location(&p["stackTrace"])));
                    }
                }
                "Runtime.exceptionThrown" if errors => {
                    out.push(format!("uncaught exception: {}", exception_text(&p["exceptionDetails"])));
                }
                "Log.entryAdded" => {
                    let e = &p["entry"];
                    let level = e["level"].as_str().unwrap_or("");
                    if (errors && level == "error") || (!errors && level == "warning") {
                        let mut s = format!(
                            "log[{}]: {}",
                            e["source"].as_str().unwrap_or("?"),
                            e["text"].as_str().unwrap_or("")
                        );
                        if let Some(url) = e["url"].as_str().filter(|u| !u.is_empty()) {
                            match e["lineNumber"].as_u64() {
                                Some(l) => s.push_str(&format!(" ({url}:{})", l + 1)),
                                None => s.push_str(&format!(" ({url})")),
                            }
                        }
                        out.push(s);
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Everything DevTools would show as an error: console.error / console.assert calls,
    /// uncaught exceptions and unhandled rejections, and Log-domain errors such as failed
    /// resource loads (a 404 script). Locations are `url:line:column`, 1-based.
    pub fn console_errors(&self) -> Vec<String> {
        self.console(true)
    }

    /// console.warn calls and Log-domain warnings (e.g. deprecations, interventions).
    pub fn console_warnings(&self) -> Vec<String> {
        self.console(false)
    }

    /// Forgets the console messages seen so far, e.g. to check only what a click caused.
    pub fn clear_console(&self) {
        self.console_from.store(self.conn.event_count(&self.session), Ordering::Relaxed);
    }

    /// A real left click at the centre of the first element matching `css_selector`, after
    /// scrolling it into view. Works on SVG marks and canvases, which .click() cannot reach.
    pub fn click(&self, css_selector: &str) -> Result<(), String> {
        let sel = js_string(css_selector);
        // behavior 'instant': with CSS `scroll-behavior: smooth` the box would otherwise be
        // measured mid-scroll and the click would land somewhere else.
        let r = self.eval(&format!(
            "(() => {{ const el = document.querySelector({sel}); \
               if (!el) throw new Error('click: no element matches ' + {sel}); \
               el.scrollIntoView({{block: 'center', inline: 'center', behavior: 'instant'}}); \
               const r = el.getBoundingClientRect(); \
               return {{x: r.left + r.width / 2, y: r.top + r.height / 2, \
                        w: r.width, h: r.height}}; }})()"
        ))?;
        let (x, y) = (r["x"].as_f64().unwrap_or(0.0), r["y"].as_f64().unwrap_or(0.0));
        if r["w"].as_f64().unwrap_or(0.0) <= 0.0 && r["h"].as_f64().unwrap_or(0.0) <= 0.0 {
            return Err(format!("click: element {css_selector} has an empty box (hidden or not laid out)"));
        }
        self.click_at(x, y)
    }

    /// A real left click at viewport coordinates (CSS pixels): move, press, release.
    pub fn click_at(&self, x: f64, y: f64) -> Result<(), String> {
        // The move first gives hover handlers (tooltips, pointer-enter) their usual event.
        self.cdp(
            "Input.dispatchMouseEvent",
            json!({ "type": "mouseMoved", "x": x, "y": y, "button": "none", "buttons": 0 }),
        )?;
        self.cdp(
            "Input.dispatchMouseEvent",
            json!({ "type": "mousePressed", "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1 }),
        )?;
        self.cdp(
            "Input.dispatchMouseEvent",
            json!({ "type": "mouseReleased", "x": x, "y": y, "button": "left", "buttons": 0, "clickCount": 1 }),
        )?;
        Ok(())
    }

    /// Sets a <select>'s value and fires `input` and `change` as a user's choice would.
    /// Fails if no option has that value, listing the ones there are.
    pub fn select(&self, css_selector: &str, value: &str) -> Result<(), String> {
        let (sel, val) = (js_string(css_selector), js_string(value));
        self.eval(&format!(
            "(() => {{ const el = document.querySelector({sel}); \
               if (!el) throw new Error('select: no element matches ' + {sel}); \
               if (el.tagName !== 'SELECT') throw new Error('select: ' + {sel} + ' is a <' \
                 + el.tagName.toLowerCase() + '>, not a <select>'); \
               const values = Array.from(el.options, o => o.value); \
               if (!values.includes({val})) throw new Error('select: ' + {sel} + ' has no option ' \
                 + JSON.stringify({val}) + '; options: ' + JSON.stringify(values)); \
               el.value = {val}; \
               el.dispatchEvent(new Event('input', {{bubbles: true}})); \
               el.dispatchEvent(new Event('change', {{bubbles: true}})); \
               return true; }})()"
        ))
        .map(|_| ())
    }

    /// Focuses the element, puts the caret at the end of its current text, and inserts
    /// `text` as typed input (fires beforeinput/input, not change; blur it to get change).
    pub fn type_text(&self, css_selector: &str, text: &str) -> Result<(), String> {
        let sel = js_string(css_selector);
        self.eval(&format!(
            "(() => {{ const el = document.querySelector({sel}); \
               if (!el) throw new Error('type_text: no element matches ' + {sel}); \
               el.focus(); \
               if (document.activeElement !== el) \
                 throw new Error('type_text: ' + {sel} + ' cannot take focus'); \
               try {{ const n = el.value.length; el.setSelectionRange(n, n); }} catch (_) {{}} \
               return true; }})()"
        ))?;
        self.cdp("Input.insertText", json!({ "text": text })).map(|_| ())
    }

    /// Lays the page out in a window `width` × `height` CSS pixels (a phone's, say).
    pub fn set_viewport(&self, width: u32, height: u32) -> Result<(), String> {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 800 }),
        )
        .map(|_| ())
    }

    /// Presses and releases a key (`"Enter"`, `"Tab"`) in the focused element.
    pub fn press(&self, key: &str) -> Result<(), String> {
        let code = match key {
            "Enter" => 13,
            "Tab" => 9,
            " " => 32,
            "ArrowLeft" => 37,
            "ArrowRight" => 39,
            "Home" => 36,
            "End" => 35,
            _ => 0,
        };
        for kind in ["keyDown", "keyUp"] {
            let text = if kind == "keyDown" && key == "Enter" { "\r" } else { "" };
            self.cdp(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code, "text": text }),
            )?;
        }
        Ok(())
    }

    /// Emulates `prefers-color-scheme: dark` (true) or `light` (false).
    /// Waits until the runtime's refresh has finished (`window.vcd.ready`), so its figures are in.
    pub fn settle(&self) {
        self.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(20))
            .expect("the runtime settles");
    }

    /// Chooses option `value` of the page's dropdown named `input`, waits
    /// for the URL to carry the choice and the runtime to settle, and returns
    /// the value chosen as the URL names it.
    pub fn choose(&self, input: &str, value: &str) -> Value {
        self.select(&format!("select[data-input={input}]"), value).unwrap();
        self.wait_for(&format!("location.search.indexOf('{input}=') >= 0"), Duration::from_secs(5)).unwrap();
        self.settle();
        self.eval(&format!("new URLSearchParams(location.search).get('{input}')")).unwrap()
    }

    /// Sets date range `input` to `from`..`to` (ISO days) as a reader would,
    /// and waits for the runtime to settle.
    pub fn set_dates(&self, input: &str, from: &str, to: &str) {
        self.eval(&format!(
            "(() => {{ const f = document.querySelector('[data-input={input}]'); \
               f.querySelector('[data-end=from]').value = '{from}'; \
               f.querySelector('[data-end=to]').value = '{to}'; \
               f.querySelector('[data-end=to]').dispatchEvent(new Event('change', {{bubbles: true}})); }})()"
        ))
        .unwrap();
        self.settle();
    }

    pub fn set_color_scheme(&self, dark: bool) -> Result<(), String> {
        let value = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": value }] }),
        )
        .map(|_| ())
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        // Close the tab so a long test run does not pile up renderers. Best effort, short
        // timeout, and skipped entirely once the browser is gone.
        if lock(&self.conn.state).closed.is_none() {
            let _ = self.conn.call(
                None,
                "Target.closeTarget",
                json!({ "targetId": self.target_id }),
                Duration::from_secs(2),
            );
        }
    }
}

/// A JS string literal for `s` (JSON string syntax is valid JS).
fn js_string(s: &str) -> String {
    Value::from(s).to_string()
}

/// Human text for a CDP RemoteObject, as DevTools would print a console argument.
fn remote_object_text(o: &Value) -> String {
    match o.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => o["unserializableValue"]
            .as_str()
            .or(o["description"].as_str())
            .or(o["type"].as_str())
            .unwrap_or("?")
            .to_string(),
    }
}

/// " (url:line:col)" for the top frame of a stack trace, or "" if there is none.
fn stack_location(stack: &Value) -> String {
    let Some(f) = stack["callFrames"].as_array().and_then(|a| a.first()) else {
        return String::new();
    };
    match f["url"].as_str().filter(|u| !u.is_empty()) {
        Some(url) => format!(
            " ({url}:{}:{})",
            f["lineNumber"].as_u64().unwrap_or(0) + 1,
            f["columnNumber"].as_u64().unwrap_or(0) + 1
        ),
        None => String::new(),
    }
}

/// Text of CDP ExceptionDetails: the exception's description (message and stack) if
/// there is one, else the thrown value, else the summary text; plus where it happened.
fn exception_text(ex: &Value) -> String {
    let summary = ex["text"].as_str().unwrap_or("exception");
    let body = match ex.get("exception") {
        Some(obj) => match obj.get("description").and_then(Value::as_str) {
            Some(d) => d.to_string(),
            None => format!("{summary} {}", remote_object_text(obj)),
        },
        None => summary.to_string(),
    };
    // A description with a stack trace already says where; don't repeat it.
    if body.contains("\n    at ") {
        return body;
    }
    let location = match ex["url"].as_str().filter(|u| !u.is_empty()) {
        Some(url) => format!(
            " ({url}:{}:{})",
            ex["lineNumber"].as_u64().unwrap_or(0) + 1,
            ex["columnNumber"].as_u64().unwrap_or(0) + 1
        ),
        None => stack_location(&ex["stackTrace"]),
    };
    format!("{body}{location}")
}
