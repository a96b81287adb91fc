//! `vcd serve`'s HTTP server: the site folder with the right content types,
//! gzip, cache validation and a 404 page, plus live reload on the same port.

pub mod files;
pub mod live;
pub mod watch;

use anyhow::{anyhow, Result};
use files::{Found, Refusal};
use live::Live;
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tiny_http::{Method, Request};

/// Worker threads answering requests; event streams get a thread of their own.
const WORKERS: usize = 4;

pub struct Server {
    http: Arc<tiny_http::Server>,
    pub addr: SocketAddr,
}

/// A file as last read: raw and gzipped bytes, valid while size and mtime
/// match (and, for a page with the reload script, while no rebuild finished).
struct Cached {
    modified: Option<SystemTime>,
    len: u64,
    build: u64,
    body: Arc<Vec<u8>>,
    /// The gzipped body and its own validator: a different representation
    /// needs a different ETag, or a cache could answer one with the other.
    gzipped: Option<(Arc<Vec<u8>>, String)>,
    etag: String,
    /// The hash a versioned URL of this content carries ([`crate::site::theme::asset_version`]).
    version: String,
}

struct Site {
    root: PathBuf,
    live: Option<Arc<Live>>,
    cache: Mutex<HashMap<PathBuf, Arc<Cached>>>,
}

impl Server {
    /// Listens on `host:port` (port 0 picks a free one) and serves `root`.
    /// With `live`, HTML pages get the reload script and `/__vcd/` answers.
    pub fn start(host: &str, port: u16, root: &Path, live: Option<Arc<Live>>) -> Result<Server> {
        let http = tiny_http::Server::http((host, port)).map_err(|e| anyhow!("cannot listen on {host}:{port}: {e}"))?;
        let addr = http.server_addr().to_ip().ok_or_else(|| anyhow!("not an IP listener"))?;
        let http = Arc::new(http);
        let site = Arc::new(Site { root: root.to_path_buf(), live, cache: Mutex::new(HashMap::new()) });
        for _ in 0..WORKERS {
            let (http, site) = (http.clone(), site.clone());
            std::thread::spawn(move || {
                while let Ok(request) = http.recv() {
                    site.answer(request);
                }
            });
        }
        Ok(Server { http, addr })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for _ in 0..WORKERS {
            self.http.unblock();
        }
    }
}

/// Writes a whole response and asks the browser to close the connection.
///
/// tiny_http's pool runs one task per connection for as long as the connection
/// lives, and it can lose the wake-up of a task queued while others start: a
/// browser opening six keep-alive connections at once could then wait forever
/// for one of its scripts. A connection per response ends each task promptly.
fn write_response(request: Request, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    let head_only = *request.method() == Method::Head;
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    // A 304 has no body, and its length would describe the one it stands for.
    if status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut out = request.into_writer();
    let _ = out.write_all(head.as_bytes());
    if !head_only && status != 304 {
        let _ = out.write_all(body);
    }
    let _ = out.flush();
}

fn request_header<'a>(request: &'a Request, name: &'static str) -> Option<&'a str> {
    request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str())
}

impl Site {
    fn answer(&self, request: Request) {
        if !matches!(request.method(), Method::Get | Method::Head) {
            let headers = [("Allow", "GET, HEAD"), ("Content-Type", "text/plain; charset=utf-8")];
            return write_response(request, 405, &headers, b"only GET and HEAD are served\n");
        }
        let url = request.url().to_string();
        let path = url.split('?').next().unwrap_or("");
        if let Some(live) = &self.live {
            match path {
                live::EVENTS_PATH => {
                    let events = live.subscribe();
                    let out = request.into_writer();
                    std::thread::spawn(move || live::stream(out, events));
                    return;
                }
                live::SCRIPT_PATH => {
                    let body = live::SCRIPT.as_bytes().to_vec();
                    return self.send(request, 200, "text/javascript; charset=utf-8", Arc::new(body), None, "no-cache");
                }
                live::ERRORS_PATH => {
                    let body = live.errors_json().into_bytes();
                    return self.send(request, 200, "application/json", Arc::new(body), None, "no-store");
                }
                _ => {}
            }
        }
        match files::resolve(&self.root, &url) {
            Ok(Found::File(file)) => {
                let query = url.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or(""));
                self.file(request, &file, path, query)
            }
            Ok(Found::Folder) => {
                let location = files::slashed(&url);
                let headers = [("Location", location.as_str()), ("Content-Type", "text/plain; charset=utf-8")];
                write_response(request, 301, &headers, format!("moved to {location}\n").as_bytes())
            }
            Err(Refusal::Malformed) => self.problem(request, 400, "Bad request", "That is not a path of this site."),
            Err(Refusal::Outside) => self.problem(request, 403, "Forbidden", "That path leads outside the site."),
            Err(Refusal::Missing) => {
                self.problem(request, 404, "Page not found", "Nothing is published at this address.")
            }
        }
    }

    fn file(&self, request: Request, file: &Path, path: &str, query: Option<&str>) {
        let content_type = files::content_type(file);
        let Some(cached) = self.read(file, content_type) else {
            return self.problem(request, 404, "Page not found", "Nothing is published at this address.");
        };
        // Only an asset URL carrying its content's hash never changes; everything
        // else (a page whose input happens to be named `v` too) is revalidated.
        let caching = if files::is_hashed_asset(path, query, &cached.version) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let gzip = files::accepts_gzip(request_header(&request, "Accept-Encoding"));
        let (body, etag, encoded) = match (&cached.gzipped, gzip) {
            (Some((gz, etag)), true) => (gz.clone(), etag.as_str(), true),
            _ => (cached.body.clone(), cached.etag.as_str(), false),
        };
        if files::etag_matches(request_header(&request, "If-None-Match"), etag) {
            let headers = [("ETag", etag), ("Cache-Control", caching), ("Vary", "Accept-Encoding")];
            return write_response(request, 304, &headers, b"");
        }
        self.send(request, 200, content_type, body, Some((etag, encoded)), caching);
    }

    /// The file's bytes (with the reload script in an HTML page when live), read
    /// again only when its size or modification time changed.
    fn read(&self, file: &Path, content_type: &str) -> Option<Arc<Cached>> {
        let meta = std::fs::metadata(file).ok()?;
        let (modified, len) = (meta.modified().ok(), meta.len());
        let live_page = self.live.as_ref().filter(|_| content_type.starts_with("text/html"));
        let build = live_page.map_or(0, |l| l.build());
        if let Some(c) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(file) {
            if c.modified == modified && c.len == len && c.build == build {
                return Some(c.clone());
            }
        }
        let mut body = std::fs::read(file).ok()?;
        let version = crate::site::theme::asset_version(&body);
        if live_page.is_some() {
            body = with_live_script(body, build);
        }
        let etag = files::etag(&body);
        let gzipped = (files::compressible(content_type) && body.len() > 512)
            .then(|| (Arc::new(files::gzip(&body)), format!("{}-gzip\"", etag.trim_end_matches('"'))));
        let cached = Arc::new(Cached { modified, len, build, etag, version, body: Arc::new(body), gzipped });
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(file.to_path_buf(), cached.clone());
        Some(cached)
    }

    fn send(
        &self,
        request: Request,
        status: u16,
        content_type: &str,
        body: Arc<Vec<u8>>,
        validator: Option<(&str, bool)>,
        caching: &str,
    ) {
        let mut headers =
            vec![("Content-Type", content_type), ("Cache-Control", caching), ("X-Content-Type-Options", "nosniff")];
        if let Some((etag, gzipped)) = validator {
            headers.push(("ETag", etag));
            headers.push(("Vary", "Accept-Encoding"));
            if gzipped {
                headers.push(("Content-Encoding", "gzip"));
            }
        }
        write_response(request, status, &headers, &body);
    }

    fn problem(&self, request: Request, status: u16, title: &str, text: &str) {
        let mut html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
             <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}}</style></head>\
             <body><h1>{status} · {title}</h1><p>{text}</p><p><a href=\"/\">Go to the home page</a></p></body></html>"
        )
        .into_bytes();
        if let Some(live) = &self.live {
            html = with_live_script(html, live.build());
        }
        self.send(request, status, "text/html; charset=utf-8", Arc::new(html), None, "no-store");
    }
}

/// The page with the reload script before `</body>` (or at the end), tagged
/// with the rebuild it is served under.
fn with_live_script(html: Vec<u8>, build: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{}\" data-build=\"{build}\"></script>", live::SCRIPT_PATH);
    let text = String::from_utf8_lossy(&html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}
