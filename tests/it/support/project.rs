//! Test helper: a throwaway copy of a fixture project, the `vcd` binary run on it,
//! and the `<main>` of a rendered page (what the snapshots in `build` hold).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A project folder under the system temp dir, removed on drop.
pub struct TempProject {
    pub root: PathBuf,
}

/// The outcome of one `vcd` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TempProject {
    /// Copies `tests/fixtures/<name>` into a fresh folder.
    pub fn fixture(name: &str) -> TempProject {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        Self::copy_of(&src, &[])
    }

    /// The `basic` fixture's data with only `queries` (name, SQL) and a
    /// one-page site showing how many rows each returned: a project for
    /// tests about running queries, not about pages.
    pub fn with_queries(queries: &[(&str, &str)]) -> TempProject {
        let p = TempProject::fixture("basic");
        p.remove("queries");
        p.remove("pages");
        let mut page = String::from("# Queries\n\n");
        for (name, sql) in queries {
            p.write(&format!("queries/{name}.sql"), sql);
            page.push_str(&format!("{{{{ {name} | length }}}} rows of {name}\n\n"));
        }
        p.write("pages/index.md", &page);
        p
    }

    /// Copies the repository's demo project (pages, queries, data, theme, vcd.toml).
    pub fn demo() -> TempProject {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        Self::copy_of(repo, &["pages", "queries", "data", "theme", "vcd.toml"])
    }

    /// A copy of `src` (only the listed entries when `only` is non-empty).
    fn copy_of(src: &Path, only: &[&str]) -> TempProject {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root = std::env::temp_dir().join(format!("vcd-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        for entry in std::fs::read_dir(src).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if only.is_empty() || only.contains(&name.as_str()) {
                copy_tree(&entry.path(), &root.join(&name));
            }
        }
        TempProject { root }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    pub fn remove(&self, rel: &str) {
        let p = self.path(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    }

    /// For each `(call, says)`: a page holding only `{{ call }}` (on line 3)
    /// fails the build, naming the page, the line and `says`.
    pub fn refuses(&self, cases: &[(&str, &str)]) {
        for (call, says) in cases {
            self.write("pages/bad.md", &format!("# Bad\n\n{{{{ {call} }}}}\n"));
            let r = self.vcd(&["build"]);
            assert_eq!(r.code, 1, "{call}");
            assert!(r.stderr.contains("pages/bad.md:3") && r.stderr.contains(says), "{call}: {}", r.stderr);
        }
    }

    /// Runs `vcd ARGS` with the project as working directory.
    pub fn vcd(&self, args: &[&str]) -> Run {
        self.vcd_env(args, &[])
    }

    /// Runs `vcd ARGS` with the project as working directory and `env` set.
    pub fn vcd_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = self.command(args, env).output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `vcd ARGS` in the project with `env` set. Every build in the tests
    /// has the same "data as of" (`SOURCE_DATE_EPOCH`), so two copies of a
    /// project, or two engines, write the same bytes; a test of the time
    /// itself sets the variable (empty: the data files' time).
    fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_vcd"));
        command.args(args).current_dir(&self.root).env("SOURCE_DATE_EPOCH", "1700000000");
        for (k, v) in env {
            command.env(k, v);
        }
        command
    }

    /// [`TempProject::vcd_env`], killed (and the test failed) if it runs past
    /// `guard`: a guard against a hang, not a timing assertion.
    pub fn vcd_guarded(&self, args: &[&str], env: &[(&str, &str)], guard: std::time::Duration) -> Run {
        let mut command = self.command(args, env);
        let mut child =
            command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut out, &mut text).unwrap();
            text
        });
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut err, &mut text).unwrap();
            text
        });
        let status = wait_guarded(&mut child, guard, &format!("vcd {args:?}"));
        Run { code: status.code().unwrap_or(-1), stdout: reader.join().unwrap(), stderr: errors.join().unwrap() }
    }

    /// Every file under `site/` with its bytes, to prove a failed build changed nothing.
    pub fn site_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        collect(&self.path("site"), &self.path("site"), &mut out);
        out.sort();
        out
    }
}

impl Drop for TempProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn copy_tree(src: &Path, dst: &Path) {
    if src.is_dir() {
        std::fs::create_dir_all(dst).unwrap();
        for e in std::fs::read_dir(src).unwrap() {
            let e = e.unwrap();
            copy_tree(&e.path(), &dst.join(e.file_name()));
        }
    } else {
        std::fs::copy(src, dst).unwrap();
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(root, &p, out);
        } else {
            out.push((p.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
        }
    }
}

/// Waits for `child` to exit; kills it and fails the test if it runs past
/// `guard` (a guard against a hang, not a timing assertion).
pub fn wait_guarded(
    child: &mut std::process::Child,
    guard: std::time::Duration,
    what: &str,
) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if started.elapsed() > guard {
            child.kill().unwrap();
            panic!("{what} still ran after {guard:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The `<main>` element of a rendered page: what the page itself contributes.
pub fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("page has <main>");
    let end = html.find("</main>").expect("page has </main>") + "</main>".len();
    html[start..end].to_string()
}

/// Folder URLs (relative to the site root) of the pages under `dir` of a built site, sorted.
pub fn page_urls(site: &Path, dir: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut stack = vec![site.join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && !p.starts_with(site.join("data")) && !p.starts_with(site.join("assets")) {
                stack.push(p);
            } else if p.file_name().unwrap() == "index.html" {
                let rel = p.parent().unwrap().strip_prefix(site).unwrap().to_string_lossy().into_owned();
                urls.push(if rel.is_empty() { rel } else { format!("{rel}/") });
            }
        }
    }
    urls.sort();
    urls
}
