//! Every project example in README.md builds, so the documentation cannot drift.
//!
//! Convention: a fenced block that is (part of) a project file is preceded by
//! an HTML comment naming that file, `<!-- example: pages/examples.md -->`
//! (blank lines may stand between). Blocks naming the same file are joined in
//! order, so several snippets make one page. The files are written into a copy
//! of the demo project (its data and queries), which must then build. Every
//! block in a project language (yaml, jinja, markdown, sql, toml, vega-lite)
//! must carry a marker; shell commands and the folder tree need none.

use crate::support::project::TempProject;
use std::collections::BTreeMap;

/// Languages whose blocks are project files, so each must name its file.
const PROJECT_LANGUAGES: &[&str] = &["yaml", "jinja", "markdown", "sql", "toml", "vega-lite"];

/// One fenced block: the line its fence opens on (1-based), its language and text.
struct Block {
    line: usize,
    lang: String,
    text: String,
    file: Option<String>,
}

/// The fenced blocks of a Markdown text, outermost only (a ```` fence may hold ``` ones).
fn blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        if let Some(file) = line.strip_prefix("<!-- example:").and_then(|r| r.strip_suffix("-->")) {
            marker = Some(file.trim().to_string());
        } else if line.starts_with("```") {
            let fence: String = line.chars().take_while(|&c| c == '`').collect();
            let lang = line[fence.len()..].trim().to_string();
            let start = i;
            let mut text = String::new();
            i += 1;
            while i < lines.len() && lines[i].trim_end() != fence {
                text.push_str(lines[i]);
                text.push('\n');
                i += 1;
            }
            assert!(i < lines.len(), "README.md:{}: unclosed {fence} block", start + 1);
            out.push(Block { line: start + 1, lang, text, file: marker.take() });
        } else if !line.is_empty() {
            // A marker applies to the very next block only.
            marker = None;
        }
        i += 1;
    }
    out
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn every_project_example_in_the_readme_names_its_file() {
    let found = blocks(&readme());
    assert!(found.len() >= 10, "the README's blocks were not found: {}", found.len());
    let unmarked: Vec<String> = found
        .iter()
        .filter(|b| b.file.is_none() && PROJECT_LANGUAGES.contains(&b.lang.as_str()))
        .map(|b| format!("README.md:{} ({})", b.line, b.lang))
        .collect();
    assert!(unmarked.is_empty(), "blocks without an `<!-- example: FILE -->` line before them: {unmarked:?}");
    for b in found.iter().filter(|b| b.file.is_some()) {
        assert!(
            PROJECT_LANGUAGES.contains(&b.lang.as_str()),
            "README.md:{}: a marked block needs a project language, not {:?}",
            b.line,
            b.lang
        );
    }
}

#[test]
fn every_project_example_in_the_readme_builds() {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for b in blocks(&readme()) {
        let Some(file) = b.file else { continue };
        let text = files.entry(file).or_default();
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&b.text);
    }
    assert!(files.keys().any(|f| f.starts_with("pages/")), "no page examples found: {:?}", files.keys());
    let p = TempProject::demo();
    for (file, text) in &files {
        p.write(file, text);
    }
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "the README's examples ({:?}) do not build:\n{}", files.keys(), r.stderr);
    // Each example page was written, under the URL the README's rules give it.
    for file in files.keys().filter(|f| f.starts_with("pages/") && !f.contains('[')) {
        let url = file.trim_start_matches("pages/").trim_end_matches(".md").trim_end_matches("index");
        assert!(p.path(&format!("site/{url}/index.html")).is_file(), "{file} was not written to site/{url}/");
    }
}

#[test]
fn the_block_reader_finds_markers_fences_and_nesting() {
    let text = "<!-- example: pages/a.md -->\n\n```jinja\n{{ x }}\n```\n\nprose\n```sql\nSELECT 1\n```\n\
                <!-- example: pages/b.md -->\n````markdown\n```vega-lite\n{}\n```\n````\n";
    let found = blocks(text);
    assert_eq!(found.len(), 3);
    assert_eq!(
        (found[0].file.as_deref(), found[0].lang.as_str(), found[0].text.as_str()),
        (Some("pages/a.md"), "jinja", "{{ x }}\n")
    );
    assert_eq!((found[1].file.as_deref(), found[1].line), (None, 8));
    assert_eq!(found[2].text, "```vega-lite\n{}\n```\n");
    assert_eq!(found[2].file.as_deref(), Some("pages/b.md"));
}
