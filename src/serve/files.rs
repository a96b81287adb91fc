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

/// The file a request target names, below `site` (a folder names its `index.html`).
pub fn resolve(site: &Path, target: &str) -> Result<PathBuf, Refusal> {
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
    Ok(real)
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
    let mut h = crate::cache::Fnv::new();
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
        assert!(resolve(&s, "/").unwrap().ends_with("site/index.html"));
        assert!(resolve(&s, "/viral/?x=1").unwrap().ends_with("viral/index.html"));
        assert!(resolve(&s, "/%76iral/").unwrap().ends_with("viral/index.html"));
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
    fn types_and_validators() {
        assert_eq!(content_type(Path::new("a/b.JSON")), "application/json");
        assert!(compressible(content_type(Path::new("x.js"))));
        assert!(!compressible(content_type(Path::new("x.png"))));
        assert_eq!(etag(b"a"), etag(b"a"));
        assert_ne!(etag(b"a"), etag(b"b"));
    }
}
