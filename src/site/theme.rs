//! The theme: a minijinja layout plus static assets (CSS, the runtime, vendored Vega).
//! The default theme is compiled into the binary; files in a project's `theme/` override it.

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

pub const LAYOUT: &str = "layout.html";

/// The default theme, embedded so a project needs no theme files at all.
const DEFAULT_FILES: &[(&str, &[u8])] = &[
    (LAYOUT, include_bytes!("../../theme/layout.html")),
    ("style.css", include_bytes!("../../theme/style.css")),
    ("vcd.js", include_bytes!("../../theme/vcd.js")),
    ("vendor/vega.min.js", include_bytes!("../../theme/vendor/vega.min.js")),
    ("vendor/vega-lite.min.js", include_bytes!("../../theme/vendor/vega-lite.min.js")),
    ("vendor/vega-embed.min.js", include_bytes!("../../theme/vendor/vega-embed.min.js")),
    ("vendor/LICENSE-vega.txt", include_bytes!("../../theme/vendor/LICENSE-vega.txt")),
    ("vendor/LICENSE-vega-lite.txt", include_bytes!("../../theme/vendor/LICENSE-vega-lite.txt")),
    ("vendor/LICENSE-vega-embed.txt", include_bytes!("../../theme/vendor/LICENSE-vega-embed.txt")),
    ("vendor/README.md", include_bytes!("../../theme/vendor/README.md")),
];

pub struct Theme {
    pub layout: String,
    /// Where the layout came from, for messages.
    pub layout_path: String,
    /// Asset files by path relative to `site/assets/`.
    pub assets: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The default theme overlaid with every file under `theme_dir`.
    pub fn load(theme_dir: &Path) -> Result<Theme> {
        let mut files: BTreeMap<String, Vec<u8>> =
            DEFAULT_FILES.iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect();
        let mut layout_path = format!("(built-in theme)/{LAYOUT}");
        if theme_dir.is_dir() {
            for entry in walkdir::WalkDir::new(theme_dir).sort_by_file_name() {
                let entry = entry.with_context(|| format!("cannot read {}", theme_dir.display()))?;
                if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let rel = entry.path().strip_prefix(theme_dir).expect("walkdir stays under its root");
                let key = rel.to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(entry.path()).with_context(|| format!("cannot read theme/{key}"))?;
                if key == LAYOUT {
                    layout_path = format!("theme/{LAYOUT}");
                }
                files.insert(key, bytes);
            }
        }
        let layout = files.remove(LAYOUT).expect("the default theme has a layout");
        let layout = String::from_utf8(layout).with_context(|| format!("{layout_path} is not UTF-8"))?;
        Ok(Theme { layout, layout_path, assets: files })
    }

    /// Asset URLs relative to the site root, with a content hash so browsers
    /// and CDNs never serve a stale file after a rebuild.
    pub fn asset_urls(&self) -> BTreeMap<String, String> {
        self.assets
            .iter()
            .map(|(path, bytes)| (path.clone(), format!("assets/{path}?v={}", asset_version(bytes))))
            .collect()
    }
}

/// The version an asset's URL carries (`?v=` + 8 hex digits): the low 32 bits
/// of the FNV-1a hash of its bytes. The preview server recomputes it to decide
/// whether a URL may be cached for good.
pub fn asset_version(bytes: &[u8]) -> String {
    let mut h = crate::util::hash::Fnv::new();
    h.write(bytes);
    format!("{:08x}", h.finish() as u32)
}
