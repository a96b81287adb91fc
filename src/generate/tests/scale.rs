//! Tests that a post count alone scales the whole business with it: orders, customers,
//! items and attributions grow with the posts, so sales and attributions per post stay
//! those of the demo, while venues and market days grow by √scale in number and in size.

use std::collections::HashSet;

use super::testkit::{read, scratch_dir};
use crate::generate::{generate, Options, Summary};

/// What one generated folder adds up to: its row counts, and money in cents.
struct Totals {
    summary: Summary,
    /// Σ orders.total_amount.
    revenue: i64,
    /// Σ total_amount of the orders a post is credited with.
    attributed_revenue: i64,
    /// Σ market_performance.total_sales.
    market_sales: i64,
}

impl Totals {
    fn rows(&self, table: &str) -> f64 {
        self.summary.rows(table) as f64
    }
}

fn totals_of(name: &str, opts: &Options) -> Totals {
    let dir = scratch_dir(name);
    let summary = generate(opts, &dir).unwrap();
    let (orders, attribution, markets) =
        (read(&dir, "orders"), read(&dir, "social_media_attribution"), read(&dir, "market_performance"));
    std::fs::remove_dir_all(&dir).unwrap();
    let credited: HashSet<i64> = attribution.rows.iter().map(|r| attribution.int(r, "order_id")).collect();
    let total = |r: &Vec<Option<String>>| orders.cents(r, "total_amount");
    Totals {
        revenue: orders.rows.iter().map(total).sum(),
        attributed_revenue: orders
            .rows
            .iter()
            .filter(|r| credited.contains(&orders.int(r, "order_id")))
            .map(total)
            .sum(),
        market_sales: markets.rows.iter().map(|r| markets.cents(r, "total_sales")).sum(),
        summary,
    }
}

#[test]
fn posts_alone_scale_the_business_in_proportion() {
    // One business of 16 times the demo's posts against the demo averaged over 8 seeds
    // (the average halves the demo's own noise).
    let demos: Vec<Totals> =
        (1..=8).map(|seed| totals_of(&format!("demo{seed}"), &Options { seed, ..Options::default() })).collect();
    let big = totals_of("x16", &Options { posts: Some(16 * 120), seed: 100, ..Options::default() });
    let ratio = |f: &dyn Fn(&Totals) -> f64| f(&big) / (demos.iter().map(f).sum::<f64>() / demos.len() as f64);
    let check = |what: &str, r: f64, want: f64, tolerance: f64| {
        assert!((r / want - 1.0).abs() <= tolerance, "{what}: {r:.2}× the demo's, want {want}× ± {tolerance}");
    };
    assert_eq!(big.rows("social_media_posts"), 16.0 * 120.0);
    // Sales tables hold thousands of rows at 16×: their noise is a few per cent, so ±10 %
    // is about 3 standard deviations (without the change they stay at 1×).
    for t in ["orders", "order_items", "payments", "customers", "inventory_items", "post_items_featured"] {
        check(t, ratio(&|x| x.rows(t)), 16.0, 0.10);
    }
    check("revenue", ratio(&|x| x.revenue as f64), 16.0, 0.10);
    // The demo credits only about 64 orders to posts, so the 8-seed mean is ±4.4 % and the
    // 16× business ±3 % (Poisson), ±5.5 % for the ratio and a bit more for money (order
    // values vary): ±20 % is again about 3 standard deviations. Per post, that is the
    // demo's attributed orders and revenue.
    check("attributed orders", ratio(&|x| x.rows("social_media_attribution")), 16.0, 0.20);
    check("attributed revenue", ratio(&|x| x.attributed_revenue as f64), 16.0, 0.20);
    // Markets: √16 = 4 times the market days, each 4 times the size (crowd, fees). Their
    // count is set, not drawn; their sales vary by weather and venue (±5 % for the ratio).
    check("market days", ratio(&|x| x.rows("market_performance")), 4.0, 0.02);
    check("market sales", ratio(&|x| x.market_sales as f64), 16.0, 0.15);
    // Venues grow by series of the 11 (⌈√16.02⌉ = 5 of them), not 16 copies.
    assert_eq!(big.rows("locations"), 5.0 * 11.0 + 1.0);
}

#[test]
fn items_and_customers_stay_compact() {
    // They are held in memory until the end: 8.4 million items and 2.1 million customers
    // at a million posts, so a byte more each is 10 MB more.
    assert_eq!(std::mem::size_of::<crate::generate::inventory::Item>(), 44);
    assert_eq!(std::mem::size_of::<crate::generate::customers::Customer>(), 40);
}
