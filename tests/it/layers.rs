//! The shape of `src/`: every module says what it holds, each folder imports
//! only from the folders before it in the pipeline, and no two modules import
//! each other, directly or around a loop. Read from the `crate::` and `super::`
//! paths in the code (comments and unit-test modules are skipped; a `{…}`
//! group counts each item), so a new import that breaks the
//! order fails here with the line that adds it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The pipeline's folders in order: a module may use its own folder and the
/// ones before it. `generate` (the demo data) uses none of them.
const LAYERS: &[&str] = &[
    "util",
    "project",
    "source",
    "query",
    "page",
    "chart",
    "components",
    "render",
    "site",
    "pipeline",
    "serve",
    "cmd",
];

/// Each module of the library (`query::cache`, `source::postgres`) with its file.
fn modules() -> BTreeMap<String, PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            if parts == ["lib"] || parts == ["main"] {
                continue;
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// The modules one file uses, each with the first line that uses it: every
/// `crate::a::b` and `super::a` path outside comments, resolved to the longest
/// module it names.
fn uses(module: &str, file: &Path, all: &BTreeMap<String, PathBuf>) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(file).unwrap();
    // `super` from `a/b.rs` and from `a/b/mod.rs` (module a::b) is `a`.
    let parent: Vec<&str> = {
        let mut p: Vec<&str> = module.split("::").collect();
        p.pop();
        p
    };
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        // A module's unit tests (at its end, by convention) may use anything.
        if line.trim() == "#[cfg(test)]" {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        for (prefix, base) in [("crate::", Vec::new()), ("super::", parent.clone())] {
            let mut rest = code;
            while let Some(i) = rest.find(prefix) {
                let before = rest[..i].chars().last();
                rest = &rest[i + prefix.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                // `super::{a, b::c}`: each item is a path from the same base.
                let items: Vec<&str> = match rest.strip_prefix('{') {
                    Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
                    None => vec![rest],
                };
                for item in items {
                    let path: Vec<&str> = item
                        .trim()
                        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .next()
                        .unwrap_or("")
                        .split("::")
                        .filter(|s| !s.is_empty() && *s != "self")
                        .collect();
                    let mut full: Vec<&str> = base.clone();
                    full.extend(path);
                    // The longest prefix that is a module.
                    while !full.is_empty() && !all.contains_key(&full.join("::")) {
                        full.pop();
                    }
                    let target = full.join("::");
                    if !target.is_empty() && target != module {
                        out.entry(target).or_insert(n + 1);
                    }
                }
            }
        }
    }
    out
}

fn layer(module: &str) -> Option<usize> {
    let top = module.split("::").next().unwrap();
    LAYERS.iter().position(|l| *l == top)
}

#[test]
fn every_module_says_what_it_holds() {
    for (module, file) in modules() {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("//! "), "{} ({module}) must start with a `//!` line", file.display());
    }
}

#[test]
fn folders_use_only_the_folders_before_them() {
    let all = modules();
    let mut bad = Vec::new();
    for (module, file) in &all {
        for (target, line) in uses(module, file, &all) {
            let ok = match (layer(module), layer(&target)) {
                (Some(a), Some(b)) => b <= a,
                // generate stands apart: it uses nothing, and only cmd uses it.
                (None, None) => true,
                (Some(a), None) => LAYERS[a] == "cmd",
                (None, Some(_)) => false,
            };
            if !ok {
                bad.push(format!("{}:{line}: {module} uses {target}", file.display()));
            }
        }
    }
    assert!(bad.is_empty(), "imports against the pipeline's order ({}):\n{}", LAYERS.join(" → "), bad.join("\n"));
}

#[test]
fn no_module_imports_itself_around_a_loop() {
    let all = modules();
    let graph: BTreeMap<String, BTreeMap<String, usize>> =
        all.iter().map(|(m, f)| (m.clone(), uses(m, f, &all))).collect();
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeMap<String, usize>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m.to_string());
            cycles.push(cycle.join(" → "));
            return;
        }
        if done.contains(m) {
            return;
        }
        path.push(m.to_string());
        for t in graph.get(m).into_iter().flat_map(|u| u.keys()) {
            visit(t, graph, path, done, cycles);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let (mut done, mut cycles) = (BTreeSet::new(), Vec::new());
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// The check itself: a use of a later folder, and a loop, are both found.
#[test]
fn the_checks_see_a_wrong_import() {
    let all = modules();
    assert!(all.contains_key("query::cache") && all.contains_key("source::postgres"), "{all:?}");
    let dir = std::env::temp_dir().join(format!("vcd-layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("probe.rs");
    std::fs::write(
        &file,
        "//! x\nuse crate::site::layout::Layout; // crate::cmd in a comment\nfn f() { super::cache::Cache::get(); }\n",
    )
    .unwrap();
    let found = uses("query::probe", &file, &all);
    assert_eq!(found.get("site::layout"), Some(&2));
    assert_eq!(found.get("query::cache"), Some(&3));
    assert!(!found.contains_key("cmd"));
    assert!(layer("site::layout") > layer("query::probe"));
    std::fs::remove_dir_all(dir).unwrap();
}
