//! Markdown to HTML: CommonMark with tables, strikethrough, task lists and footnotes.

use pulldown_cmark::{html, Options, Parser};

pub fn to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES;
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_render() {
        let out = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(out.contains("<table>") && out.contains("<td>2</td>"), "{out}");
    }

    #[test]
    fn escaped_data_stays_text() {
        let escaped = crate::util::html::escape_for_markdown("<b>x</b> [l](javascript:x) a|b");
        let out = to_html(&format!("| c |\n|---|\n| {escaped} |\n"));
        assert!(out.contains("&lt;b&gt;x&lt;/b&gt; [l](javascript:x) a|b"), "{out}");
        assert!(!out.contains("<a "), "{out}");
    }
}
