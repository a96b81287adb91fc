//! The demo's figures against what the generator plants (README, "What is
//! planted in it"). Each planted effect is a pair of groups on a chart with
//! 95 % intervals: group A should read above group B. At the demo's 120 posts
//! a chart may show the pair either way, but it must never show it backwards
//! with confidence: A below B, neither a small sample, and A's interval
//! wholly below B's. At 3,000 posts noise no longer hides the effects, and
//! every pair must read in the planted direction.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::Value;
use std::time::Duration;

/// One planted effect: on the chart titled `chart` of page `page`, the bars
/// where column `key` is `high` read above those where it is `low`, within
/// each value of the chart's other key (its platform), where both exist.
struct Effect {
    page: &'static str,
    chart: &'static str,
    key: &'static str,
    high: &'static str,
    low: &'static str,
    planted: &'static str,
}

const EFFECTS: &[Effect] = &[
    Effect {
        page: "timing/",
        chart: "By time of day",
        key: "time_of_day",
        high: "3 evening (17–21)",
        low: "1 morning (6–11)",
        planted: "evenings engage 1.3×, mornings 0.85×",
    },
    Effect {
        page: "timing/",
        chart: "By time of day",
        key: "time_of_day",
        high: "3 evening (17–21)",
        low: "4 night (22–5)",
        planted: "the small hours engage 0.7×",
    },
    Effect {
        page: "timing/",
        chart: "Engagement rate by month of the year",
        key: "month_of_year",
        high: "11",
        low: "7",
        planted: "engagement peaks in October–December and dips in July",
    },
    Effect {
        page: "timing/",
        chart: "Engagement rate by month of the year",
        key: "month_of_year",
        high: "12",
        low: "7",
        planted: "engagement peaks in October–December and dips in July",
    },
    Effect {
        page: "viral/",
        chart: "Promoted or organic",
        key: "promotion",
        high: "organic",
        low: "promoted",
        planted: "promotional posts engage 0.7× as much",
    },
    Effect {
        page: "platforms/",
        chart: "Saves per post",
        key: "post_type",
        high: "carousel",
        low: "photo",
        planted: "carousels are saved about 2.4× as often as photos",
    },
    Effect {
        page: "platforms/",
        chart: "Shares per post",
        key: "post_type",
        high: "reel",
        low: "photo",
        planted: "reels are shared about 2.5× as often",
    },
    Effect {
        page: "platforms/",
        chart: "Reach per post",
        key: "post_type",
        high: "reel",
        low: "photo",
        planted: "reels reach 1.8× more people",
    },
    Effect {
        page: "platforms/",
        chart: "Reach per post",
        key: "post_type",
        high: "photo",
        low: "story",
        planted: "stories reach about a third as many",
    },
];

/// A drawn group: its keys' values as text, its mean, interval and whether it is a small sample.
#[derive(Debug)]
struct Bar {
    keys: Vec<(String, String)>,
    mean: f64,
    low: Option<f64>,
    high: Option<f64>,
    small: bool,
}

/// Every chart of `page` with intervals: title → its bars.
fn charts(page: &Page) -> std::collections::BTreeMap<String, Vec<Bar>> {
    page.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(30))
        .unwrap();
    let got = page
        .eval(
            "Array.from(document.querySelectorAll('figure.vcd-chart')).map(f => {\
               const s = JSON.parse(f.querySelector('script.vcd-spec').textContent);\
               return [s.title, s.usermeta && s.usermeta.vcd, f.vcdRows || []]; })",
        )
        .unwrap();
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), String::from);
    let mut out = std::collections::BTreeMap::new();
    for c in got.as_array().unwrap() {
        let meta = &c[1];
        let Some(u) = meta.get("uncertainty").filter(|u| u["ci"] == true) else { continue };
        let mean = u["mean"].as_str().unwrap();
        let measures: Vec<&str> = meta["measures"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let bars = c[2]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let obj = r.as_object().unwrap();
                let keys = obj
                    .iter()
                    .filter(|(k, _)| {
                        !measures.contains(&k.as_str())
                            && !["Sample", "small sample", "95% low", "95% high"].contains(&k.as_str())
                    })
                    .map(|(k, v)| (k.clone(), text(v)))
                    .collect();
                Bar {
                    keys,
                    mean: r[mean].as_f64().unwrap_or(f64::NAN),
                    low: r["95% low"].as_f64(),
                    high: r["95% high"].as_f64(),
                    small: r["small sample"] == true,
                }
            })
            .collect();
        out.insert(text(&c[0]), bars);
    }
    out
}

/// The pairs of bars an effect compares: (high group, low group, the other keys).
fn pairs<'a>(bars: &'a [Bar], e: &Effect) -> Vec<(&'a Bar, &'a Bar, String)> {
    let value = |b: &Bar| b.keys.iter().find(|(k, _)| k == e.key).map(|(_, v)| v.clone()).unwrap_or_default();
    let rest = |b: &Bar| format!("{:?}", b.keys.iter().filter(|(k, _)| k != e.key).collect::<Vec<_>>());
    let mut out = Vec::new();
    for a in bars.iter().filter(|b| value(b) == e.high) {
        if let Some(b) = bars.iter().find(|b| value(b) == e.low && rest(b) == rest(a)) {
            out.push((a, b, rest(a)));
        }
    }
    out
}

/// Checks every effect on the demo generated at `posts` posts (the demo's own
/// data when `None`); `strict`: each must read in the planted direction.
fn check(posts: Option<&str>, strict: bool) {
    let Some(browser) = Browser::for_test() else { return };
    let demo = TempProject::demo();
    if let Some(n) = posts {
        let g = demo.vcd(&["generate", "--posts", n]);
        assert_eq!(g.code, 0, "{}", g.stderr);
    }
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&demo.path("site"), "/");
    let page = browser.open("about:blank").unwrap();
    let mut read: std::collections::BTreeMap<&str, _> = std::collections::BTreeMap::new();
    let mut compared = 0;
    let mut wrong = Vec::new();
    for e in EFFECTS {
        if !read.contains_key(e.page) {
            page.navigate(&server.url(e.page)).unwrap();
            read.insert(e.page, charts(&page));
        }
        let bars =
            read[e.page].get(e.chart).unwrap_or_else(|| panic!("{}: no chart '{}' with intervals", e.page, e.chart));
        for (a, b, rest) in pairs(bars, e) {
            compared += 1;
            let backwards = a.mean < b.mean;
            let confidently = !a.small && !b.small && matches!((a.high, b.low), (Some(h), Some(l)) if h < l);
            if (strict && backwards) || (backwards && confidently) {
                wrong.push(format!(
                    "{} '{}' {rest}: {} {} [{:?}, {:?}]{} against {} {} [{:?}, {:?}]{} — planted: {}",
                    e.page,
                    e.chart,
                    e.high,
                    a.mean,
                    a.low,
                    a.high,
                    if a.small { " small" } else { "" },
                    e.low,
                    b.mean,
                    b.low,
                    b.high,
                    if b.small { " small" } else { "" },
                    e.planted
                ));
            }
        }
    }
    assert!(compared >= EFFECTS.len(), "only {compared} pairs found to compare");
    assert!(wrong.is_empty(), "shown against what was planted:\n{}", wrong.join("\n"));
}

#[test]
fn the_demo_never_shows_a_planted_effect_confidently_backwards() {
    check(None, false);
}

#[test]
fn at_3000_posts_every_planted_effect_reads_in_its_direction() {
    check(Some("3000"), true);
}
