//! Test helper: `vcd serve` as a child process on a free port, a plain HTTP
//! client, and a reader of its server-sent events.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Serve {
    child: Child,
    pub port: u16,
    /// Everything the server printed to stderr so far.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Serve {
    /// Starts `vcd serve --watch --port 0` in `project` and waits until it listens.
    // The child is killed and waited for on every path: by `Drop`, or before the panic.
    #[allow(clippy::zombie_processes)]
    pub fn start(project: &Path) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vcd"))
            .args(["-C", project.to_str().unwrap(), "serve", "--watch", "--port", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vcd starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let port = log.lock().unwrap().iter().find_map(|l| {
                l.strip_prefix("serving ")
                    .and_then(|rest| rest.split("http://127.0.0.1:").nth(1))
                    .and_then(|p| p.trim_end_matches('/').parse().ok())
            });
            if let Some(port) = port {
                return Serve { child, port, log };
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("vcd serve did not start: {:?}", log.lock().unwrap());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Sends `target` as the raw request target of a GET; returns status, headers and body.
    pub fn get(&self, target: &str) -> (u16, String, Vec<u8>) {
        self.request(&format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
    }

    pub fn request(&self, raw: &str) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(raw.as_bytes()).unwrap();
        let mut all = Vec::new();
        s.read_to_end(&mut all).unwrap();
        let split = all.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
        let head = String::from_utf8_lossy(&all[..split]).into_owned();
        let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        (status, head, all[split + 4..].to_vec())
    }

    /// The body of a page, as text.
    pub fn text(&self, target: &str) -> String {
        let (status, _, body) = self.get(target);
        assert_eq!(status, 200, "GET {target}");
        String::from_utf8(body).unwrap()
    }

    pub fn events(&self) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.write_all(b"GET /__vcd/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        s.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        let mut events = Events { stream: s, buffer: String::new() };
        // The stream is open once its head and first `retry:` line arrive.
        events.wait_for("retry:", Duration::from_secs(10));
        events
    }

    /// Waits until `condition` holds, polling every 20 ms.
    pub fn eventually(&self, what: &str, timeout: Duration, condition: impl Fn() -> bool) {
        let deadline = Instant::now() + timeout;
        while !condition() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}; server log:\n{}", self.log().join("\n"));
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server-sent event stream, read as text.
pub struct Events {
    stream: TcpStream,
    buffer: String,
}

impl Events {
    /// Waits until the stream has carried `needle`, and consumes everything up to it.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(at) = self.buffer.find(needle) {
                let seen: String = self.buffer.drain(..at + needle.len()).collect();
                return seen;
            }
            assert!(Instant::now() < deadline, "no {needle:?} in the event stream; got {:?}", self.buffer);
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("the event stream closed; got {:?}", self.buffer),
                Ok(n) => self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n])),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("reading events: {e}"),
            }
        }
    }

    /// Everything that arrives within `window` (and was not consumed before).
    pub fn read_for(&mut self, window: Duration) -> String {
        let deadline = Instant::now() + window;
        while Instant::now() < deadline {
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n])),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("reading events: {e}"),
            }
        }
        std::mem::take(&mut self.buffer)
    }

    /// Forgets what arrived so far.
    pub fn clear(&mut self) {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = self.stream.read(&mut chunk) {
            if n == 0 {
                break;
            }
        }
        self.buffer.clear();
    }
}
