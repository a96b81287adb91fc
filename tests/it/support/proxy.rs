//! Test helper: a TCP proxy in front of the test PostgreSQL server, which
//! relays bytes both ways and can misbehave as a server or network does:
//! refuse TLS, refuse connections, delay its answers, or cut connections.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does to each connection from the start.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Relays everything.
    Pass,
    /// Answers a client's SSLRequest with 'N', as a server built or set without
    /// TLS does, then relays the rest of the conversation untouched.
    RefuseTls,
    /// Closes each of the first `n` connections at once, as a server that is
    /// restarting does; relays the ones after.
    RefuseFirst(usize),
    /// Cuts each connection once it has relayed this many bytes from the
    /// server: a connection lost in the middle of a result.
    CutAfter(u64),
}

/// A proxy listening on a loopback port, stopped on drop.
pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
}

struct Shared {
    stop: AtomicBool,
    /// How long each chunk from the server waits before it is relayed, in ms.
    delay_ms: AtomicU64,
    accepted: AtomicUsize,
    /// Both ends of every connection relayed so far, to cut them.
    open: Mutex<Vec<(TcpStream, TcpStream)>>,
}

/// The SSLRequest message: length 8, then the code 80877103 (protocol docs, "SSLRequest").
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

impl Proxy {
    /// Starts relaying connections to `upstream`.
    pub fn start(upstream: SocketAddr, behaviour: Behaviour) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            delay_ms: AtomicU64::new(0),
            accepted: AtomicUsize::new(0),
            open: Mutex::new(Vec::new()),
        });
        let state = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if state.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let n = state.accepted.fetch_add(1, Ordering::SeqCst);
                if let Behaviour::RefuseFirst(first) = behaviour {
                    if n < first {
                        let _ = client.shutdown(Shutdown::Both);
                        continue;
                    }
                }
                let state = state.clone();
                std::thread::spawn(move || relay(client, upstream, behaviour, &state));
            }
        });
        Proxy { port, shared }
    }

    /// From now on, every chunk the server sends waits `delay` before it is relayed.
    pub fn set_delay(&self, delay: Duration) {
        self.shared.delay_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Cuts every connection relayed so far, as a server restart does.
    pub fn cut_all(&self) {
        for (a, b) in self.shared.open.lock().unwrap().drain(..) {
            let _ = a.shutdown(Shutdown::Both);
            let _ = b.shutdown(Shutdown::Both);
        }
    }

    /// How many connections it has accepted.
    pub fn accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.cut_all();
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn relay(mut client: TcpStream, upstream: SocketAddr, behaviour: Behaviour, shared: &Shared) {
    let Ok(mut server) = TcpStream::connect(upstream) else { return };
    if behaviour == Behaviour::RefuseTls {
        let mut first = [0u8; 8];
        if client.read_exact(&mut first).is_err() {
            return;
        }
        if first == SSL_REQUEST {
            if client.write_all(b"N").is_err() {
                return;
            }
        } else if server.write_all(&first).is_err() {
            return;
        }
    }
    shared.open.lock().unwrap().push((client.try_clone().unwrap(), server.try_clone().unwrap()));
    let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(Shutdown::Write);
    });
    let limit = match behaviour {
        Behaviour::CutAfter(n) => n,
        _ => u64::MAX,
    };
    let mut relayed = 0u64;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match server.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let delay = shared.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            std::thread::sleep(Duration::from_millis(delay));
        }
        let n = n.min(usize::try_from(limit - relayed).unwrap_or(usize::MAX));
        if client.write_all(&buf[..n]).is_err() {
            break;
        }
        relayed += n as u64;
        if relayed >= limit {
            let _ = server.shutdown(Shutdown::Both);
            let _ = client.shutdown(Shutdown::Both);
            break;
        }
    }
    let _ = client.shutdown(Shutdown::Write);
    let _ = up.join();
}
