//! HTML escaping: text and attribute values, and text that Markdown turns into HTML.

use std::fmt::Write;

/// `text` with the five HTML metacharacters escaped.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Escapes text for a Markdown source that becomes HTML (see `render::template::format_value`).
pub fn escape_for_markdown(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' | '<' | '>' | '"' | '\'' | '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '~' | '!'
            | '=' | '+' | '-' | '.' | '{' | '}' | '\n' | '\r' => {
                let _ = write!(s, "&#{};", c as u32);
            }
            _ => s.push(c),
        }
    }
    s
}
