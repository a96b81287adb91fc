//! `vcd generate`: write the demo shop's tables as CSV files.

use crate::cmd::cli::GenerateArgs;
use crate::generate::{self, Options};
use crate::project::Project;
use anyhow::{Context, Result};
use std::time::Instant;

pub fn run(project: Project, args: &GenerateArgs) -> Result<u8> {
    let out = args.out.clone().unwrap_or_else(|| project.data_dir());
    let opts = Options { seed: args.seed, scale: args.scale, posts: args.posts, days: args.days, ..Options::default() };
    // Generate beside the target and move the files in only when all were written,
    // so a failure (a full disk, bad options) never leaves a mix of old and new tables.
    let staging = out.join(".vcd-generate-tmp");
    let _ = std::fs::remove_dir_all(&staging);
    let started = Instant::now();
    let summary = match generate::generate(&opts, &staging) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            if e.kind() == std::io::ErrorKind::InvalidInput {
                eprintln!("error: {e}");
                return Ok(super::EXIT_USAGE);
            }
            return Err(e).with_context(|| format!("cannot write {}", staging.display()));
        }
    };
    for f in &summary.files {
        std::fs::rename(staging.join(&f.file), out.join(&f.file))
            .with_context(|| format!("cannot move {} into place", f.file))?;
    }
    std::fs::remove_dir_all(&staging).with_context(|| format!("cannot remove {}", staging.display()))?;
    let elapsed = started.elapsed();
    for f in &summary.files {
        eprintln!("{:>12} rows {:>14} bytes  {}", f.rows, f.bytes, project.display_path(&out.join(&f.file)).display());
    }
    eprintln!(
        "generated {} files, {} bytes in {:.2}s (seed {})",
        summary.files.len(),
        summary.total_bytes(),
        elapsed.as_secs_f64(),
        args.seed
    );
    Ok(0)
}
