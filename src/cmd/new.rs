//! `vcd new DIR`: a small working project from a template compiled into the
//! binary: sample data, queries (one with a parameter), and a page with KPIs,
//! a chart, a table and an input.

use anyhow::{bail, Context, Result};
use std::path::Path;

/// The template's files, by path inside the new project.
const FILES: &[(&str, &str)] = &[
    ("vcd.toml", include_str!("../../templates/new/vcd.toml")),
    ("data/sales.csv", include_str!("../../templates/new/data/sales.csv")),
    ("queries/regions.sql", include_str!("../../templates/new/queries/regions.sql")),
    ("queries/monthly_sales.sql", include_str!("../../templates/new/queries/monthly_sales.sql")),
    ("queries/totals.sql", include_str!("../../templates/new/queries/totals.sql")),
    ("pages/index.md", include_str!("../../templates/new/pages/index.md")),
    (".gitignore", "/site\n.vcd-cache/\n"),
];

pub fn run(dir: &Path) -> Result<u8> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?.next().is_none();
        if !empty {
            bail!("{} already exists and is not empty; choose a new folder", dir.display());
        }
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!("created {} with {} files. Next:", dir.display(), FILES.len());
    eprintln!("  cd {}", dir.display());
    eprintln!("  vcd serve --watch     # then open http://127.0.0.1:3000/");
    Ok(0)
}
