//! URL safety: the one rule for which link targets a built page may hold, and the
//! pass that applies it to every URL attribute of a page's rendered HTML.
//!
//! The rule (the runtime has the same one, `safeUrl` in `theme/vcd.js`; both are
//! tested against `tests/fixtures/safety/url_vectors.json`):
//!
//! 1. Decode HTML character references (`&#106;`, `&#x6A;`, `&colon;`), as the
//!    browser does before it reads an attribute as a URL.
//! 2. Drop every control character and space (U+0000–U+0020, U+007F–U+009F),
//!    wherever it stands. The WHATWG URL parser strips C0 controls and spaces at
//!    the ends and tabs and newlines inside
//!    (<https://url.spec.whatwg.org/#concept-basic-url-parser>); older browsers
//!    skipped other controls (a NUL) inside a scheme too. Dropping more can only
//!    refuse more.
//! 3. What is left starts with a scheme when it matches `[A-Za-z][A-Za-z0-9+.-]*:`.
//!    The schemes that run script, `javascript:`, `vbscript:`, `livescript:` and
//!    `data:`, in any case, are refused; every other URL (relative paths,
//!    `#fragments`, `?queries`, `http(s):`, `mailto:`, `tel:`, …) is kept. An
//!    image source (`<img src>`, `srcset`, `<video poster>`) may also be a
//!    `data:image/` URL of a raster format, which cannot hold script.
//!
//! The rule names what is refused rather than what is allowed: links in
//! business data use many schemes (`sms:`, `ftp:`, `slack:`, `msteams:`), only
//! these four can run script, and steps 1 and 2 are what keep a list of refused
//! schemes from being dodged. A refused URL fails the build (see
//! `render::render_page`) with the query, row and column it came from.
//!
//! Outside this rule: data placed by the author in a script context (an `on…`
//! attribute, `<iframe srcdoc>`, a `<script>`), and a chart's Vega-Lite `href`
//! channel, which Vega checks with its own sanitizer (it refuses `javascript:`
//! but lets `data:` through).
//!
//! Data reaches a page only through `{{ }}`, which escapes `<`, quotes and
//! Markdown syntax, so data can fill an attribute the author wrote (or a Markdown
//! link's target) but never make a tag of its own. The pass therefore has to find
//! every attribute of every tag the author's HTML, the Markdown renderer and the
//! components wrote. It does not follow the HTML tree (comments, `<script>`,
//! `<svg>` change how a browser reads what follows, and guessing wrong would hide
//! a tag): it reads a tag at every `<` followed by a letter, wherever it stands,
//! with the tokenizer's own rules for attributes
//! (<https://html.spec.whatwg.org/multipage/parsing.html#before-attribute-name-state>).
//! Every tag a browser sees starts that way, so none is missed; text that only
//! looks like a tag (inside a comment or a script) is checked too, which can only
//! refuse more.

use std::borrow::Cow;
use std::ops::Range;

/// Schemes whose URLs run script when followed (or, for `data:`, render a
/// document of the data's choosing).
pub const REFUSED_SCHEMES: &[&str] = &["javascript", "vbscript", "livescript", "data"];

/// Image formats a `data:` URL may carry in an image source: raster only, since
/// an SVG document can hold script.
const DATA_IMAGE_TYPES: &[&str] = &["png", "gif", "jpeg", "jpg", "webp", "avif", "bmp", "x-icon"];

/// Where a URL is used: followed as a link (or loaded as a frame, script, form
/// target…), or only drawn as an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlKind {
    Link,
    Image,
}

/// The refused scheme of `url` (lower-case, without the colon), or `None` when
/// the URL is safe to write. `url` is an attribute's text as written in HTML:
/// character references in it are decoded first.
pub fn refused_scheme(url: &str, kind: UrlKind) -> Option<String> {
    let compact: String = decode_references(url).chars().filter(|c| !ignorable(*c)).collect();
    let scheme = scheme_of(&compact)?.to_ascii_lowercase();
    if !REFUSED_SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    if scheme == "data" && kind == UrlKind::Image && is_raster_data(&compact[scheme.len() + 1..]) {
        return None;
    }
    Some(scheme)
}

/// Characters dropped before reading a scheme (rule 2 of the module doc). The
/// runtime's `safeUrl` drops the same set.
pub fn ignorable(c: char) -> bool {
    matches!(c as u32, 0x00..=0x20 | 0x7F..=0x9F)
}

/// The scheme of a URL with no ignorable characters left, if it has one.
fn scheme_of(url: &str) -> Option<&str> {
    let end = url.find(':')?;
    let scheme = &url[..end];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then_some(scheme)
}

/// Whether the part of a `data:` URL after the colon declares a raster image.
fn is_raster_data(rest: &str) -> bool {
    let rest = rest.to_ascii_lowercase();
    let Some(subtype) = rest.strip_prefix("image/") else { return false };
    let end = subtype.find([';', ',']).unwrap_or(subtype.len());
    DATA_IMAGE_TYPES.contains(&&subtype[..end]) && end < subtype.len()
}

/// Named character references that stand for an ASCII character, the only ones
/// that can change how a scheme reads (from the HTML standard's table of named
/// references, <https://html.spec.whatwg.org/multipage/named-characters.html>).
/// Others are left as written: `&` cannot start a scheme, and neither can the
/// non-ASCII character they stand for.
const ASCII_REFERENCES: &[(&str, char)] = &[
    ("AMP", '&'),
    ("DiacriticalGrave", '`'),
    ("GT", '>'),
    ("Hat", '^'),
    ("LT", '<'),
    ("NewLine", '\n'),
    ("QUOT", '"'),
    ("Tab", '\t'),
    ("UnderBar", '_'),
    ("VerticalLine", '|'),
    ("amp", '&'),
    ("apos", '\''),
    ("ast", '*'),
    ("bsol", '\\'),
    ("colon", ':'),
    ("comma", ','),
    ("commat", '@'),
    ("dollar", '$'),
    ("equals", '='),
    ("excl", '!'),
    ("grave", '`'),
    ("gt", '>'),
    ("lbrace", '{'),
    ("lbrack", '['),
    ("lcub", '{'),
    ("lowbar", '_'),
    ("lpar", '('),
    ("lsqb", '['),
    ("lt", '<'),
    ("midast", '*'),
    ("num", '#'),
    ("percnt", '%'),
    ("period", '.'),
    ("plus", '+'),
    ("quest", '?'),
    ("quot", '"'),
    ("rbrace", '}'),
    ("rbrack", ']'),
    ("rcub", '}'),
    ("rpar", ')'),
    ("rsqb", ']'),
    ("semi", ';'),
    ("sol", '/'),
    ("verbar", '|'),
    ("vert", '|'),
];

/// Decodes the character references of an attribute value: numeric ones
/// (decimal or hex, with or without the closing `;`, as browsers accept them)
/// and the named ones of [`ASCII_REFERENCES`]. A number that is no character
/// (0, a surrogate, above U+10FFFF) becomes U+FFFD, as in a browser.
pub fn decode_references(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match reference(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character a reference at the start of `s` (which starts with `&`) stands
/// for, and the reference's length in bytes.
fn reference(s: &str) -> Option<(char, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (hex, digits_at) = match num.strip_prefix(['x', 'X']) {
            Some(_) => (true, 2),
            None => (false, 1),
        };
        let digits = &body[digits_at..];
        let n = digits.chars().take_while(|c| if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() }).count();
        if n == 0 {
            return None;
        }
        let value = digits[..n]
            .chars()
            .try_fold(0u32, |acc, c| acc.checked_mul(if hex { 16 } else { 10 })?.checked_add(c.to_digit(16)?))
            .unwrap_or(u32::MAX);
        let c = numeric_character(value);
        let semi = usize::from(digits[n..].starts_with(';'));
        return Some((c, 1 + digits_at + n + semi));
    }
    let name_len = body.chars().take_while(char::is_ascii_alphanumeric).count();
    if !body[name_len..].starts_with(';') {
        return None;
    }
    let (_, c) = ASCII_REFERENCES.iter().find(|(name, _)| *name == &body[..name_len])?;
    Some((*c, name_len + 2))
}

/// The character a numeric reference stands for: 0, surrogates and numbers
/// above U+10FFFF give U+FFFD, and 0x80–0x9F are read as windows-1252, as the
/// HTML standard says (<https://html.spec.whatwg.org/multipage/parsing.html#numeric-character-reference-end-state>).
fn numeric_character(n: u32) -> char {
    const WINDOWS_1252: [u32; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ];
    let n = if (0x80..=0x9F).contains(&n) { WINDOWS_1252[(n - 0x80) as usize] } else { n };
    char::from_u32(n).filter(|c| *c != '\0').unwrap_or('\u{FFFD}')
}

/// One URL attribute the pass took out of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The element, lower-case (`a`, `img`).
    pub tag: String,
    /// The attribute, lower-case (`href`, `xlink:href`).
    pub attribute: String,
    /// The value with its character references decoded, as the browser reads it.
    pub value: String,
    /// The refused scheme, lower-case.
    pub scheme: String,
}

/// Attributes a browser follows or loads as a URL. (`srcset` and SVG animation
/// values are lists; see [`urls_in`].)
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "xlink:href",
    "src",
    "srcset",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
    "longdesc",
    "ping",
    "codebase",
    "lowsrc",
    "dynsrc",
    "manifest",
    "icon",
];

/// SVG elements that can set another attribute (an `href` too) to their `to`,
/// `from`, `by` or `values`.
const ANIMATIONS: &[&str] = &["animate", "set", "animatemotion", "animatetransform", "animatecolor"];

/// Elements whose `src`/`srcset`/`poster` are only drawn as images or media.
const IMAGE_ELEMENTS: &[&str] = &["img", "picture", "source", "video", "audio", "track", "input", "image"];

/// Applies the rule to every URL attribute in `html`: a refused one is removed
/// (so a link keeps its text and stops being a link) and reported. Returns the
/// cleaned HTML and what was removed, in document order.
pub fn sanitize_html(html: &str) -> (String, Vec<Refusal>) {
    let mut cut: Vec<Range<usize>> = Vec::new();
    let mut refusals = Vec::new();
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(at) = html[from..].find('<').map(|i| i + from) {
        from = at + 1;
        if !bytes.get(at + 1).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let tag = read_tag(html, at + 1);
        for attr in &tag.attributes {
            let name = attr.name.to_ascii_lowercase();
            let Some(value) = &attr.value else { continue };
            let raw = &html[value.clone()];
            let kind = if IMAGE_ELEMENTS.contains(&tag.name.as_str()) && name != "href" && name != "xlink:href" {
                UrlKind::Image
            } else {
                UrlKind::Link
            };
            let refused = urls_in(&tag.name, &name, raw).into_iter().find_map(|u| refused_scheme(u, kind));
            if let Some(scheme) = refused {
                cut.push(attr.span.clone());
                let value = decode_references(raw).into_owned();
                refusals.push(Refusal { tag: tag.name.clone(), attribute: name, value, scheme });
            }
        }
    }
    (remove(html, cut), refusals)
}

/// The URLs an attribute holds: none for an attribute that is not a URL, the
/// candidates of a `srcset`, the list of an SVG animation's `values`.
fn urls_in<'a>(tag: &str, attribute: &str, value: &'a str) -> Vec<&'a str> {
    if attribute == "srcset" {
        return value.split(|c: char| c.is_ascii_whitespace()).map(|t| t.trim_matches(',')).collect();
    }
    if ANIMATIONS.contains(&tag) && matches!(attribute, "to" | "from" | "by" | "values") {
        return value.split(';').collect();
    }
    if URL_ATTRIBUTES.contains(&attribute) {
        return vec![value];
    }
    Vec::new()
}

/// `html` without the byte ranges in `cut` (which may nest or overlap).
fn remove(html: &str, mut cut: Vec<Range<usize>>) -> String {
    if cut.is_empty() {
        return html.to_string();
    }
    cut.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for r in cut {
        if r.start > at {
            out.push_str(&html[at..r.start]);
        }
        at = at.max(r.end);
    }
    out.push_str(&html[at..]);
    out
}

/// A start or end tag as the HTML tokenizer reads it.
struct Tag {
    /// Lower-case.
    name: String,
    attributes: Vec<Attribute>,
}

struct Attribute {
    name: String,
    /// The value's text between its quotes (or unquoted), as written.
    value: Option<Range<usize>>,
    /// The whole attribute with the whitespace before it: what removing it takes out.
    span: Range<usize>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// Reads the tag whose name starts at `start` (just after `<`), following the
/// tokenizer's tag-name and attribute states; it ends at the first `>` outside a
/// quoted value, or at the end of the text.
fn read_tag(html: &str, start: usize) -> Tag {
    let b = html.as_bytes();
    let mut i = start;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = html[start..i].to_ascii_lowercase();
    let mut attributes = Vec::new();
    loop {
        let before = i;
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            break;
        }
        // An attribute name takes any character but these; a leading `=` is part of it.
        let name_start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr_name = html[name_start..i].to_string();
        let mut j = i;
        while j < b.len() && is_space(b[j]) {
            j += 1;
        }
        let mut value = None;
        if j < b.len() && b[j] == b'=' {
            j += 1;
            while j < b.len() && is_space(b[j]) {
                j += 1;
            }
            match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[j + 1..].find(q as char).map_or(b.len(), |k| j + 1 + k);
                    value = Some(j + 1..end);
                    i = (end + 1).min(b.len());
                }
                Some(b'>') | None => i = j,
                Some(_) => {
                    let end = (j..b.len()).find(|&k| is_space(b[k]) || b[k] == b'>').unwrap_or(b.len());
                    value = Some(j..end);
                    i = end;
                }
            }
        }
        attributes.push(Attribute { name: attr_name, value, span: before..i });
    }
    Tag { name, attributes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_decode_as_in_an_attribute() {
        assert_eq!(decode_references("&#106;avascript&colon;x"), "javascript:x");
        assert_eq!(decode_references("&#x6A&#X61;&#0000118;a"), "java");
        assert_eq!(decode_references("a&amp;b&unknown;&#;&#x;&"), "a&b&unknown;&#;&#x;&");
        assert_eq!(decode_references("&#0;&#xD800;&#99999999999;"), "\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(decode_references("&Tab;&NewLine;&colon"), "\t\n&colon");
    }

    #[test]
    fn attributes_are_read_as_the_tokenizer_reads_them() {
        let t = read_tag(r#"a href = "x>y" title='q' data-x=unq checked/>rest"#, 0);
        let names: Vec<&str> = t.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["href", "title", "data-x", "checked"]);
        let html = r#"a href = "x>y" title='q' data-x=unq checked/>rest"#;
        let values: Vec<Option<&str>> = t.attributes.iter().map(|a| a.value.clone().map(|r| &html[r])).collect();
        assert_eq!(values, [Some("x>y"), Some("q"), Some("unq"), None]);
        assert_eq!(t.name, "a");
    }

    #[test]
    fn the_pass_removes_script_links_and_keeps_their_text() {
        let (out, refused) = sanitize_html(
            "<p><a href=\"https://a.example/\">ok</a> <A HREF=' jav&#x09;ascript:alert(1)'>bad</A> \
             <img src=\"data:image/png;base64,AA\" alt=i><img src='data:text/html,x' alt=j>\
             <svg><a xlink:href=\"&#106;avascript&colon;x\"><text>t</text></a>\
             <animate attributeName=href values=\"#a;javascript:x\"/></svg>\
             <form action=vbscript:x><button formaction=\"DATA:text/html,x\">go</button></form></p>",
        );
        assert_eq!(
            out,
            "<p><a href=\"https://a.example/\">ok</a> <A>bad</A> <img src=\"data:image/png;base64,AA\" alt=i>\
             <img alt=j><svg><a><text>t</text></a><animate attributeName=href/></svg>\
             <form><button>go</button></form></p>"
        );
        let seen: Vec<(&str, &str, &str)> =
            refused.iter().map(|r| (r.tag.as_str(), r.attribute.as_str(), r.scheme.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("a", "href", "javascript"),
                ("img", "src", "data"),
                ("a", "xlink:href", "javascript"),
                ("animate", "values", "javascript"),
                ("form", "action", "vbscript"),
                ("button", "formaction", "data"),
            ]
        );
        assert_eq!(refused[0].value, " jav\tascript:alert(1)");
    }

    #[test]
    fn tags_hidden_in_comments_scripts_and_quotes_are_still_checked() {
        // A browser ends the script at `</script>` and sees the link; a reader
        // that took `<!--` or the open quote at face value would skip it.
        for html in [
            "<script>var s = \"<!--\";</script><a href=\"javascript:x\">a</a>",
            "<script>s = \"<b title='\";</script><a href=\"javascript:x\">'</a>",
            "<!-- <a href=javascript:x> -->",
            "<noscript><!--</noscript><a href=javascript:x>",
        ] {
            let (out, refused) = sanitize_html(html);
            assert_eq!(refused.len(), 1, "{html}");
            assert!(!out.contains("href=\"javascript") && !out.contains("href=javascript"), "{out}");
        }
    }

    #[test]
    fn pages_without_refused_urls_are_unchanged() {
        let html = "<p>a < b, <b>c</b> <a href=\"../posts/1/?q=x#top\">x</a> <a href=mailto:a@b.example>m</a>\
                    <script type=\"application/json\">{\"a\":\"\\u003c\"}</script><img src=x.png srcset=\"a.png 1x, b.png 2x\"></p>";
        assert_eq!(sanitize_html(html), (html.to_string(), Vec::new()));
    }
}
