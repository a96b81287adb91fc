//! The sidebar: a tree of pages built from the `pages/` folder structure.

use crate::page::Page;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NavItem {
    pub title: String,
    /// Link relative to the page being rendered; `None` for a folder without an index page.
    pub href: Option<String>,
    pub active: bool,
    pub children: Vec<NavItem>,
}

/// One node of the site's page tree, independent of which page is being viewed.
#[derive(Debug, Clone)]
pub struct NavNode {
    pub url: String,
    pub title: String,
    pub order: i64,
    pub has_page: bool,
    pub children: Vec<NavNode>,
}

/// Builds the tree from all pages: the home page first, then each folder's pages
/// ordered by front matter `order`, then title. Folders without an index page
/// still appear, as unlinked group headings.
pub fn tree(pages: &[Page]) -> Vec<NavNode> {
    let mut top: Vec<NavNode> = Vec::new();
    // Pages generated from rows (one per post, say) would flood the sidebar; pages link to them.
    let mut sorted: Vec<&Page> = pages.iter().filter(|p| p.row.is_none()).collect();
    sorted.sort_by_key(|p| p.depth());
    for page in sorted {
        insert(&mut top, page, "");
    }
    sort(&mut top);
    top
}

fn insert(level: &mut Vec<NavNode>, page: &Page, prefix: &str) {
    let rest = &page.url[prefix.len()..];
    let node_url = match rest.find('/') {
        Some(i) if i + 1 < rest.len() => format!("{prefix}{}", &rest[..=i]),
        _ => page.url.clone(),
    };
    if node_url == page.url {
        let node = NavNode {
            url: page.url.clone(),
            title: page.title(),
            order: page.front.order.unwrap_or(i64::MAX),
            has_page: true,
            children: Vec::new(),
        };
        match level.iter_mut().find(|n| n.url == node.url) {
            Some(existing) => {
                existing.title = node.title;
                existing.order = node.order;
                existing.has_page = true;
            }
            None => level.push(node),
        }
        return;
    }
    let idx = match level.iter().position(|n| n.url == node_url) {
        Some(i) => i,
        None => {
            let name = node_url.trim_end_matches('/').rsplit('/').next().unwrap_or("").replace(['-', '_'], " ");
            level.push(NavNode {
                url: node_url.clone(),
                title: name,
                order: i64::MAX,
                has_page: false,
                children: Vec::new(),
            });
            level.len() - 1
        }
    };
    insert(&mut level[idx].children, page, &node_url);
}

fn sort(level: &mut [NavNode]) {
    // The home page (empty URL) always leads.
    level.sort_by(|a, b| (!a.url.is_empty(), a.order, &a.title).cmp(&(!b.url.is_empty(), b.order, &b.title)));
    level.iter_mut().for_each(|n| sort(&mut n.children));
}

/// The tree as seen from the page at `current`, with relative links.
pub fn view(nodes: &[NavNode], current: &str) -> Vec<NavItem> {
    let root = relative_root(current);
    nodes
        .iter()
        .map(|n| NavItem {
            title: n.title.clone(),
            href: n.has_page.then(|| {
                let href = format!("{root}{}", crate::page::href(&n.url));
                if href.is_empty() {
                    "./".to_string()
                } else {
                    href
                }
            }),
            active: n.url == current,
            children: view(&n.children, current),
        })
        .collect()
}

/// `../` once per folder level of `url`, to reach the site root from its page.
pub fn relative_root(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::frontmatter::FrontMatter;
    use std::path::PathBuf;

    fn page(url: &str, title: &str, order: Option<i64>) -> Page {
        Page {
            source: PathBuf::from(format!("pages/{url}x.md")).into(),
            url: url.into(),
            front: FrontMatter { title: Some(title.into()), order, ..Default::default() }.into(),
            row_title: None,
            body: "".into(),
            key: None,
            row: None,
        }
    }

    #[test]
    fn tree_orders_and_links_relatively() {
        let pages = vec![
            page("b/", "B", None),
            page("", "Home", None),
            page("a/", "A", Some(5)),
            page("posts/one/", "One", None),
        ];
        let nav = view(&tree(&pages), "posts/one/");
        let titles: Vec<&str> = nav.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(titles, ["Home", "A", "B", "posts"]);
        assert_eq!(nav[0].href.as_deref(), Some("../../"));
        assert_eq!(nav[1].href.as_deref(), Some("../../a/"));
        assert_eq!(nav[3].href, None);
        assert!(nav[3].children[0].active);
        assert_eq!(view(&tree(&pages), "")[0].href.as_deref(), Some("./"));
    }

    #[test]
    fn names_with_spaces_and_accents_link_percent_encoded() {
        let pages = vec![
            page("", "Home", None),
            page("Año nuevo/", "Año nuevo", None),
            page("Bilan 2024 ✨/Qui sommes-nous/", "Qui sommes-nous", None),
        ];
        let nav = view(&tree(&pages), "Año nuevo/");
        assert_eq!(nav[1].href.as_deref(), Some("../A%C3%B1o%20nuevo/"));
        assert!(nav[1].active);
        assert_eq!(nav[2].title, "Bilan 2024 ✨", "a folder without an index keeps its name");
        assert_eq!(nav[2].children[0].href.as_deref(), Some("../Bilan%202024%20%E2%9C%A8/Qui%20sommes-nous/"));
    }
}
