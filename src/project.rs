//! A vcd project on disk: its root, settings and the folders the pipeline reads.

use crate::config::Config;
use anyhow::Result;
use std::path::{Path, PathBuf};

pub struct Project {
    pub root: PathBuf,
    pub config: Config,
}

impl Project {
    pub fn open(root: &Path) -> Result<Project> {
        let config = Config::load(root)?;
        Ok(Project { root: root.to_path_buf(), config })
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
