//! Serving the site's files: mapping a request path to a file without ever
//! leaving the site folder, content types, cache validation and gzip.

use std::path::{Path, PathBuf};

/// Why a request path does not name a file of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a path at all (bad percent-encoding, a NUL, not starting with `/`): 400.
    Malformed,
    /// A path that reaches outside the site (`..`, or a symlink pointing out): 403.
    Outside,
    /// Nothing there: 404.
    Missing,
}

/// What a request target names inside the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A file (a folder named with its trailing slash stands for its `index.html`).
    File(PathBuf),
    /// A folder named without its trailing slash: answered with a redirect to
    /// the slashed address, so the page's relative links resolve inside it.
    Folder,
}

/// The file a request target names, below `site`.
pub fn resolve(site: &Path, target: &str) -> Result<Found, Refusal> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(Refusal::Malformed);
    }
    let decoded = percent_decode(path).ok_or(Refusal::Malformed)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err(Refusal::Malformed);
    }
    let mut file = site.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if segment == ".." {
            return Err(Refusal::Outside);
        }
        file.push(segment);
    }
    if file.is_dir() {
        if !decoded.ends_with('/') {
            let inside = file.canonicalize().ok().zip(site.canonicalize().ok()).is_some_and(|(f, r)| f.starts_with(r));
            return if inside { Ok(Found::Folder) } else { Err(Refusal::Outside) };
        }
        file.push("index.html");
    }
    // A symlink inside the site may point anywhere; only what really lies inside is served.
    let real = file.canonicalize().map_err(|_| Refusal::Missing)?;
    let root = site.canonicalize().map_err(|_| Refusal::Missing)?;
    if !real.starts_with(&root) {
        return Err(Refusal::Outside);
    }
    if !real.is_file() {
        return Err(Refusal::Missing);
    }
    Ok(Found::File(real))
}

/// Where a folder named without its slash lives: the same path with one
/// leading slash (`//host` would leave the site) and a trailing one, and the
/// same query string.
pub fn slashed(target: &str) -> String {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let path = path.split('#').next().unwrap_or("");
    let mut location = format!("/{}/", path.trim_start_matches('/'));
    if let Some(q) = query {
        location.push('?');
        location.push_str(q.split('#').next().unwrap_or(""));
    }
    location
}

/// Whether `Accept-Encoding` admits gzip (RFC 9110, 12.5.3): `gzip` (or `x-gzip`)
/// with a non-zero quality, or, when gzip is not named, `*` with a non-zero quality.
pub fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else { return false };
    let mut star = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
            .map(|v| v.trim().parse::<f32>().unwrap_or(0.0))
            .next()
            .unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => return q > 0.0,
            "*" => star = Some(q > 0.0),
            _ => {}
        }
    }
    star.unwrap_or(false)
}

/// Whether an `If-None-Match` header names `etag` (a list, `*`, or weak forms).
pub fn etag_matches(if_none_match: Option<&str>, etag: &str) -> bool {
    let Some(header) = if_none_match else { return false };
    header.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// Whether a request for `path` with query `query` is a hashed asset URL
/// (`/assets/…?v=<version>`) whose hash is the served content's `version`
/// ([`crate::site::theme::asset_version`]): only those may be cached for good.
pub fn is_hashed_asset(path: &str, query: Option<&str>, version: &str) -> bool {
    path.starts_with("/assets/") && query.and_then(|q| q.strip_prefix("v=")) == Some(version)
}

/// `%XX` sequences decoded; `None` for a bad sequence or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` for a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether gzip is worth it for this type (text compresses; images already are).
pub fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/") || content_type.starts_with("application/json") || content_type.contains("svg")
}

/// A strong validator from the bytes themselves, so a rebuild that writes the
/// same file leaves browsers' copies valid.
pub fn etag(bytes: &[u8]) -> String {
    let mut h = crate::util::hash::Fnv::new();
    h.write(bytes);
    format!("\"{:016x}\"", h.finish())
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), flate2::Compression::fast());
    enc.write_all(bytes).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("vcd-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("site/viral")).unwrap();
        std::fs::write(dir.join("site/index.html"), "home").unwrap();
        std::fs::write(dir.join("site/viral/index.html"), "viral").unwrap();
        std::fs::write(dir.join("secret.txt"), "secret").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("secret.txt"), dir.join("site/link.txt")).unwrap();
        dir
    }

    #[test]
    fn paths_stay_inside_the_site() {
        let dir = site();
        let s = dir.join("site");
        let file = |t: &str| match resolve(&s, t) {
            Ok(Found::File(f)) => f,
            other => panic!("{t}: {other:?}"),
        };
        assert!(file("/").ends_with("site/index.html"));
        assert!(file("/viral/?x=1").ends_with("viral/index.html"));
        assert!(file("/%76iral/").ends_with("viral/index.html"));
        assert_eq!(resolve(&s, "/viral"), Ok(Found::Folder));
        assert_eq!(resolve(&s, "/viral?x=1"), Ok(Found::Folder));
        assert_eq!(resolve(&s, "//viral"), Ok(Found::Folder));
        assert_eq!(resolve(&s, "/../secret.txt"), Err(Refusal::Outside));
        assert_eq!(resolve(&s, "/%2e%2e/secret.txt"), Err(Refusal::Outside));
        assert_eq!(resolve(&s, "/viral/%2E%2E/%2E%2E/secret.txt"), Err(Refusal::Outside));
        assert_eq!(resolve(&s, "/..%2fsecret.txt"), Err(Refusal::Outside));
        assert_eq!(resolve(&s, "http://x/secret.txt"), Err(Refusal::Malformed));
        assert_eq!(resolve(&s, "/%zz"), Err(Refusal::Malformed));
        assert_eq!(resolve(&s, "/a%00b"), Err(Refusal::Malformed));
        assert_eq!(resolve(&s, "/nothing"), Err(Refusal::Missing));
        #[cfg(unix)]
        assert_eq!(resolve(&s, "/link.txt"), Err(Refusal::Outside));
        assert_eq!(resolve(&s, &format!("/{}", dir.join("secret.txt").display())), Err(Refusal::Missing));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn folders_redirect_to_their_slashed_address_on_this_host() {
        assert_eq!(slashed("/viral"), "/viral/");
        assert_eq!(slashed("/viral?platform=1&v=2"), "/viral/?platform=1&v=2");
        assert_eq!(slashed("//evil.example"), "/evil.example/", "never a host-relative URL");
        assert_eq!(slashed("/a%20b#top"), "/a%20b/");
    }

    #[test]
    fn gzip_only_when_accepted() {
        for (header, ok) in [
            (None, false),
            (Some(""), false),
            (Some("gzip"), true),
            (Some("gzip, deflate, br"), true),
            (Some("br;q=1.0, gzip;q=0.8"), true),
            (Some("gzip;q=0"), false),
            (Some("gzip; q=0.000"), false),
            (Some("GZIP;Q=0.5"), true),
            (Some("identity"), false),
            (Some("*"), true),
            (Some("*;q=0"), false),
            (Some("gzip;q=0, *"), false),
            (Some("x-gzip"), true),
            (Some("deflate, *;q=0.1"), true),
        ] {
            assert_eq!(accepts_gzip(header), ok, "{header:?}");
        }
    }

    #[test]
    fn validators_and_hashed_assets() {
        assert!(etag_matches(Some("\"abc\""), "\"abc\""));
        assert!(etag_matches(Some("\"x\", W/\"abc\""), "\"abc\""));
        assert!(etag_matches(Some("*"), "\"abc\""));
        assert!(!etag_matches(Some("\"abc-gz\""), "\"abc\""));
        assert!(!etag_matches(None, "\"abc\""));
        let v = crate::site::theme::asset_version(b"body{}");
        assert!(is_hashed_asset("/assets/style.css", Some(&format!("v={v}")), &v));
        assert!(!is_hashed_asset("/assets/style.css", Some("v=00000000"), &v), "a stale hash");
        assert!(!is_hashed_asset("/viral/", Some(&format!("v={v}")), &v), "a page with an input named v");
        assert!(!is_hashed_asset("/assets/style.css", None, &v));
        assert!(!is_hashed_asset("/assets/style.css", Some(&format!("x=1&v={v}")), &v));
    }

    #[test]
    fn types_and_validators() {
        assert_eq!(content_type(Path::new("a/b.JSON")), "application/json");
        assert!(compressible(content_type(Path::new("x.js"))));
        assert!(!compressible(content_type(Path::new("x.png"))));
        assert_eq!(etag(b"a"), etag(b"a"));
        assert_ne!(etag(b"a"), etag(b"b"));
    }
}
