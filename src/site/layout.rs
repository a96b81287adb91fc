//! The theme layout: wraps each page's content with the sidebar, title and scripts.

use crate::page::nav::{self, NavNode};
use crate::page::Page;
use crate::render::RenderedPage;
use crate::site::theme::{Theme, LAYOUT};
use crate::util::diag::{excerpt, Diagnostic};
use minijinja::{context, Environment, UndefinedBehavior, Value};
use std::collections::BTreeMap;

pub struct Layout<'a> {
    env: Environment<'a>,
    theme: &'a Theme,
    site_title: &'a str,
    tree: Vec<NavNode>,
    assets: BTreeMap<String, String>,
    /// A syntax error in the layout, reported for every page that needs it.
    broken: Option<Diagnostic>,
    /// When the build's data was current: `data_as_of` (`{iso, text}`) in the layout.
    as_of: Option<crate::project::as_of::AsOf>,
}

impl<'a> Layout<'a> {
    pub fn new(theme: &'a Theme, site_title: &'a str, pages: &[Page]) -> Layout<'a> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(escape_html);
        let broken = env.add_template(LAYOUT, &theme.layout).err().map(|e| error(theme, &e));
        Layout { env, theme, site_title, tree: nav::tree(pages), assets: theme.asset_urls(), broken, as_of: None }
    }

    /// The layout with the build's "data as of" time to show.
    pub fn with_data_as_of(mut self, as_of: Option<crate::project::as_of::AsOf>) -> Layout<'a> {
        self.as_of = as_of;
        self
    }

    pub fn render(&self, page: &Page, r: &RenderedPage) -> Result<String, Diagnostic> {
        if let Some(d) = &self.broken {
            return Err(d.clone());
        }
        let template = self.env.get_template(LAYOUT).map_err(|e| error(self.theme, &e))?;
        template
            .render(context! {
                site_title => self.site_title,
                title => page.title(),
                description => &page.front.description,
                root => nav::relative_root(&page.url),
                assets => &self.assets,
                nav => Value::from(minijinja::value::Serde(nav::view(&self.tree, &page.url))),
                content => Value::from_safe_string(r.content.clone()),
                has_charts => r.has_charts,
                has_h1 => r.has_h1,
                data_as_of => self.as_of.as_ref().map(|a| context! { iso => a.iso(), text => a.text() }),
            })
            .map_err(|e| error(self.theme, &e))
    }
}

/// Escapes the five HTML metacharacters (minijinja's default also escapes `/`,
/// which would make every URL in the layout unreadable).
fn escape_html(out: &mut minijinja::Output, _: &mut minijinja::State, value: &Value) -> Result<(), minijinja::Error> {
    let text = value.to_string();
    let text = if value.is_safe() { text } else { crate::util::html::escape(&text) };
    out.write_str(&text).map_err(minijinja::Error::from)
}

fn error(theme: &Theme, e: &minijinja::Error) -> Diagnostic {
    let message = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    let d = Diagnostic::in_file(&theme.layout_path, message);
    match e.line() {
        Some(l) => d.at(l, None).with_detail(excerpt(&theme.layout, l, None)),
        None => d,
    }
}
