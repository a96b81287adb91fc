//! The demo dashboard against independent SQL: every KPI card's figure and every
//! chart's and table's rows, on every page, unfiltered and for one platform.
//! The SQL here is written from the base tables, not from the demo's queries,
//! so a mistake in a query (or in the browser's filtering) shows as a mismatch.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::Value;
use std::time::Duration;
use vcd::source::Source;

/// Each post's latest snapshot, with its platform and day: what every post figure derives from.
const POSTS: &str = "
    WITH latest AS (SELECT post_id, max(metric_date) AS metric_date FROM social_media_metrics GROUP BY post_id),
    posts AS (
        SELECT sp.post_id, a.platform, CAST(sp.posted_date AS DATE) AS day, sp.posted_date,
               m.impressions, m.reach, m.saves, m.shares,
               CAST(m.likes + m.comments + m.shares + m.saves AS DOUBLE) / m.reach AS er
        FROM social_media_posts sp
        JOIN social_media_accounts a ON a.account_id = sp.account_id
        JOIN latest l ON l.post_id = sp.post_id
        JOIN social_media_metrics m ON m.post_id = l.post_id AND m.metric_date = l.metric_date),
    bounds AS (SELECT max(day) AS last_day FROM posts),
    cut AS (SELECT platform, quantile_cont(er, 0.9) AS q FROM posts GROUP BY platform)";

/// `AND <column> = 'tiktok'` when filtering, else nothing.
fn only(platform: Option<&str>, column: &str) -> String {
    platform.map(|p| format!(" AND {column} = '{p}'")).unwrap_or_default()
}

/// The figure each KPI card must show, by page and card label.
fn kpi_sql(page: &str, label: &str, p: Option<&str>) -> Option<String> {
    let posts = |select: &str, window: &str| {
        format!("{POSTS} SELECT {select} FROM posts, bounds WHERE {window}{}", only(p, "platform"))
    };
    let last90 = "day > last_day - 90";
    let all = "TRUE";
    let attributed = |window: &str| {
        format!(
            "{POSTS} SELECT sum(o.subtotal - o.discount_amount) FROM social_media_attribution sa \
             JOIN orders o ON o.order_id = sa.order_id JOIN posts ON posts.post_id = sa.post_id, bounds \
             WHERE {window}{}",
            only(p, "posts.platform")
        )
    };
    let saved = |select: &str| {
        format!(
            "{POSTS} SELECT {select} FROM social_media_attribution sa JOIN orders o ON o.order_id = sa.order_id \
             JOIN posts ON posts.post_id = sa.post_id WHERE sa.attribution_type = 'save_then_purchase'{}",
            only(p, "posts.platform")
        )
    };
    let featured = |select: &str| {
        format!(
            "{POSTS}, sold AS (SELECT oi.item_id, min(o.order_date) AS at, sum(oi.total_price) AS amount \
               FROM order_items oi JOIN orders o ON o.order_id = oi.order_id WHERE o.order_status = 'completed' \
               GROUP BY oi.item_id) \
             SELECT {select} FROM post_items_featured f JOIN posts ON posts.post_id = f.post_id \
             LEFT JOIN sold ON sold.item_id = f.item_id WHERE TRUE{}",
            only(p, "posts.platform")
        )
    };
    let viral = "CASE WHEN er >= (SELECT q FROM cut WHERE cut.platform = posts.platform) THEN 1 ELSE 0 END";
    let sql = match (page, label) {
        ("", "Posts") => posts("count(*)", last90),
        ("", "Impressions") => posts("sum(impressions)", last90),
        ("", "Reach") => posts("sum(reach)", last90),
        ("", "Engagement rate") => posts("avg(er)", last90),
        ("", "Saves") => posts("sum(saves)", last90),
        ("", "Attributed revenue") => attributed(last90),
        ("viral/", "Viral posts") => posts(&format!("sum({viral})"), all),
        ("viral/", "Share of posts that went viral") => posts(&format!("avg({viral})"), all),
        ("viral/" | "platforms/", "Mean engagement rate") => posts("avg(er)", all),
        ("platforms/", "Posts") => posts("count(*)", all),
        ("platforms/", "Mean reach") => posts("avg(reach)", all),
        ("platforms/", "Mean saves") => posts("avg(saves)", all),
        ("platforms/", "Mean shares") => posts("avg(shares)", all),
        ("audience/", "Purchases after a save") => saved("count(*)"),
        ("audience/", "Their revenue") => saved("sum(o.subtotal - o.discount_amount)"),
        ("audience/", "Mean days from post to purchase") => saved("avg(sa.hours_to_purchase / 24.0)"),
        ("business/", "Items featured") => featured("count(*)"),
        ("business/", "Sold after the post") => featured("avg(CASE WHEN sold.at >= posts.posted_date THEN 1 ELSE 0 END)"),
        ("business/", "Their sales") => featured("sum(CASE WHEN sold.at >= posts.posted_date THEN sold.amount ELSE 0 END)"),
        ("business/", "Mean days to sell") => {
            featured("avg(CASE WHEN sold.at >= posts.posted_date THEN CAST(sold.at AS DATE) - posts.day END)")
        }
        // Market days have no platform: the same figures whatever the platform filter.
        ("business/", "Market days") => "SELECT count(*) FROM market_performance".into(),
        ("business/", "Net profit") => "SELECT sum(net_profit) FROM market_performance".into(),
        ("business/", "New customers") => "SELECT sum(customer_acquisition_count) FROM market_performance".into(),
        ("business/", "Later bought online") => "
            WITH ranked AS (SELECT customer_id, location_id, order_source, CAST(order_date AS DATE) AS day,
                                   row_number() OVER (PARTITION BY customer_id ORDER BY order_date, order_id) AS n
                            FROM orders WHERE customer_id IS NOT NULL AND order_status = 'completed')
            SELECT count(*) FROM ranked f JOIN market_performance mp ON mp.location_id = f.location_id AND mp.market_date = f.day
            WHERE f.n = 1 AND f.order_source = 'in_person' AND EXISTS (
                SELECT 1 FROM ranked later WHERE later.customer_id = f.customer_id AND later.n > 1
                AND later.order_source IN ('instagram_dm', 'website'))"
            .into(),
        _ => return None,
    };
    Some(sql)
}

/// How many rows a chart or table reading `query` must hold.
fn rows_sql(query: &str, p: Option<&str>) -> String {
    match query {
        "post_facts" => format!("{POSTS} SELECT count(*) FROM posts WHERE TRUE{}", only(p, "platform")),
        "viral_thresholds" => {
            format!("{POSTS} SELECT count(DISTINCT platform) FROM posts WHERE TRUE{}", only(p, "platform"))
        }
        "future_customers" => format!(
            "{POSTS} SELECT count(*) FROM social_media_attribution sa JOIN posts ON posts.post_id = sa.post_id \
             WHERE sa.attribution_type = 'save_then_purchase'{}",
            only(p, "posts.platform")
        ),
        "featured_sales" => format!(
            "{POSTS} SELECT count(*) FROM post_items_featured f JOIN posts ON posts.post_id = f.post_id WHERE TRUE{}",
            only(p, "posts.platform")
        ),
        "market_events" => "SELECT count(*) FROM market_performance".into(),
        "attributed_flows" => format!(
            "{POSTS} SELECT count(*) FROM (SELECT DISTINCT post_id, order_id FROM social_media_attribution) l \
             JOIN posts ON posts.post_id = l.post_id WHERE TRUE{}",
            only(p, "posts.platform")
        ),
        other => panic!("no independent count for query '{other}'"),
    }
}

fn number(v: &Value) -> f64 {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Waits until the runtime has drawn every chart (a 10,000-post page may take a while).
pub(crate) fn settle(page: &Page) {
    page.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(60))
        .unwrap();
    page.wait_for(
        "Array.from(document.querySelectorAll('figure.vcd-chart')).every(f => f.getAttribute('data-status') === 'rendered')",
        Duration::from_secs(60),
    )
    .unwrap();
}

#[test]
fn every_kpi_and_dataset_matches_independent_sql() {
    let Some(browser) = Browser::for_test() else { return };
    let demo = TempProject::demo();
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let source = crate::support::duck::open(&demo.path("data"));
    let one = |sql: &str| -> f64 {
        let result = source.run(sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}\n{sql}", e.message));
        number(&result.rows[0][0])
    };
    let server = StaticServer::start(&demo.path("site"), "/");
    let page = browser.open("about:blank").unwrap();
    let mut checked = (0, 0);
    for url in ["", "viral/", "platforms/", "audience/", "timing/", "business/"] {
        for platform in [None, Some("tiktok")] {
            let query = platform.map(|p| format!("?platform={p}")).unwrap_or_default();
            page.navigate(&server.url(&format!("{url}{query}"))).unwrap();
            settle(&page);
            let cards = page
                .eval(
                    "Array.from(document.querySelectorAll('.kpi')).map(k => [k.querySelector('.kpi-label').textContent, \
                       k.querySelector('.kpi-value').getAttribute('data-value')])",
                )
                .unwrap();
            for card in cards.as_array().unwrap() {
                let label = card[0].as_str().unwrap();
                let sql = kpi_sql(url, label, platform)
                    .unwrap_or_else(|| panic!("/{url}: no independent SQL for the card '{label}'"));
                let (shown, want) = (number(&card[1]), one(&sql));
                assert!(
                    (shown - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "/{url}{query}: card '{label}' shows {shown}, SQL says {want}"
                );
                checked.0 += 1;
            }
            let sets = page
                .eval(
                    "Array.from(document.querySelectorAll('figure.vcd-chart:not(.vcd-spark), figure.vcd-table')).map(f => [\
                       f.id || 'table', JSON.parse((f.querySelector('script.vcd-spec') || f.querySelector('script.vcd-table-spec')).textContent), \
                       +f.getAttribute('data-rows')])",
                )
                .unwrap();
            for set in sets.as_array().unwrap() {
                let spec = &set[1];
                let name = spec["data"]["name"].as_str().or(spec["query"].as_str()).unwrap();
                let want = one(&rows_sql(name, platform));
                assert_eq!(number(&set[2]), want, "/{url}{query}: {} reads {name}", set[0]);
                checked.1 += 1;
            }
        }
    }
    eprintln!("checked {} KPI figures and {} datasets", checked.0, checked.1);
    assert!(checked.0 >= 40 && checked.1 >= 40, "{checked:?}");
}
