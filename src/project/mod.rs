//! A vcd project on disk: its root, settings and the folders the pipeline reads.

pub mod as_of;
pub mod config;
pub mod postgres;
pub mod timezone;

use crate::project::config::Config;
use anyhow::Result;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    /// What the command line set over `vcd.toml`, kept so a reload of the
    /// settings (in `vcd serve --watch`) applies it again.
    pub overrides: Overrides,
}

/// Settings given on the command line, which win over `vcd.toml`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub source: Option<crate::project::config::SourceKind>,
    pub database_url: Option<String>,
    pub no_cache: bool,
    pub output: Option<PathBuf>,
}

impl Project {
    pub fn open(root: &Path) -> Result<Project> {
        Project::open_with(root, Overrides::default())
    }

    /// Reads the settings, then applies the command line's `overrides`.
    pub fn open_with(root: &Path, overrides: Overrides) -> Result<Project> {
        let mut config = Config::load(root)?;
        if let Some(source) = overrides.source {
            config.source = source;
        }
        if let Some(url) = &overrides.database_url {
            config.database_url = Some(url.clone());
        }
        if overrides.no_cache {
            config.cache = false;
        }
        if let Some(out) = &overrides.output {
            config.output = out.clone();
        }
        Ok(Project { root: root.to_path_buf(), config, overrides })
    }

    pub fn pages_dir(&self) -> PathBuf {
        self.root.join("pages")
    }

    pub fn queries_dir(&self) -> PathBuf {
        self.root.join("queries")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    pub fn theme_dir(&self) -> PathBuf {
        self.root.join("theme")
    }

    pub fn output_dir(&self) -> PathBuf {
        self.root.join(&self.config.output)
    }

    /// A path as the user should read it in messages: relative to the project root.
    pub fn display_path(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }
}
