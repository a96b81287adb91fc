//! Test helper: a TCP proxy in front of the test PostgreSQL server, which
//! passes bytes both ways and can play a server that has no TLS.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What the proxy does to each connection.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers a client's SSLRequest with 'N', as a server built or set without
    /// TLS does, then relays the rest of the conversation untouched.
    RefuseTls,
}

/// A proxy listening on a loopback port, stopped on drop.
pub struct Proxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

/// The SSLRequest message: length 8, then the code 80877103 (protocol docs, "SSLRequest").
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

impl Proxy {
    /// Starts relaying connections to `upstream`.
    pub fn start(upstream: SocketAddr, behaviour: Behaviour) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                std::thread::spawn(move || relay(client, upstream, behaviour));
            }
        });
        Proxy { port, stop }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn relay(mut client: TcpStream, upstream: SocketAddr, behaviour: Behaviour) {
    let Ok(mut server) = TcpStream::connect(upstream) else { return };
    match behaviour {
        Behaviour::RefuseTls => {
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
    }
    let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = up.join();
}
