//! Demo-data generator: writes the vintage shop's twelve tables as CSV files from a seed.
//!
//! Entry point and options live here; the rest is split by concern: `rng` (seeded PRNG),
//! `calendar` (dates), `csv` (the writer), `catalog` (word lists), `model` (the planted
//! engagement and purchase model), `shop` (locations, market calendar), `inventory`,
//! `customers`, `sales` (orders, payments, market results), `social` (accounts, posts,
//! featured items, attribution), `metrics` (daily snapshots) and `sim` (the day loop).
//!
//! The same options always give byte-identical files. Posts and metric snapshots are
//! streamed to disk, so memory does not grow with `posts`; the business tables (customers,
//! items, orders) are small and grow with `scale` only.

mod calendar;
mod catalog;
mod csv;
mod customers;
mod inventory;
mod metrics;
mod model;
mod rng;
mod sales;
mod shop;
mod sim;
mod social;
#[cfg(test)]
mod tests;

use std::io;
use std::path::Path;

pub use self::csv::FileSummary;

/// Posts per unit of scale over the default two years (≥ 80 required).
pub const POSTS_PER_SCALE: f64 = 120.0;

/// The tables in foreign-key order: the order to create and load them in.
pub const TABLES: [&str; 12] = [
    "locations",
    "customers",
    "inventory_items",
    "orders",
    "order_items",
    "payments",
    "social_media_accounts",
    "social_media_posts",
    "post_items_featured",
    "social_media_metrics",
    "market_performance",
    "social_media_attribution",
];

#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub seed: u64,
    /// 1.0 = the default demo; multiplies customers, items, markets, orders and posts.
    pub scale: f64,
    /// Overrides the post count (e.g. 1_000_000 for benchmarks) without changing the
    /// business: purchases per post shrink so sales stay those of `scale`.
    pub posts: Option<u64>,
    /// First day (year, month, day).
    pub start: (i32, u32, u32),
    /// Length of the period in days.
    pub days: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options { seed: 42, scale: 1.0, posts: None, start: (2024, 1, 1), days: 730 }
    }
}

/// What was written: one entry per table, in `TABLES` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub files: Vec<FileSummary>,
}

impl Summary {
    pub fn rows(&self, table: &str) -> u64 {
        self.files.iter().find(|f| f.file == format!("{table}.csv")).map_or(0, |f| f.rows)
    }
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

/// The simulated period: day numbers since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub days: i64,
}

impl Period {
    pub fn last_day(&self) -> i64 {
        self.start + self.days - 1
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Checks the options and turns the start date into a period.
fn period_of(opts: &Options) -> io::Result<Period> {
    if !(opts.scale.is_finite() && opts.scale > 0.0 && opts.scale <= 10_000.0) {
        return Err(invalid(format!("scale must be > 0 and ≤ 10000, got {}", opts.scale)));
    }
    let (y, m, d) = opts.start;
    let start = calendar::days_from_civil(y, m, d);
    if !(1..=9998).contains(&y) || calendar::civil_from_days(start) != (y, m, d) {
        return Err(invalid(format!("start date {y:04}-{m:02}-{d:02} is not a valid date")));
    }
    if !(28..=36_500).contains(&opts.days) {
        return Err(invalid(format!("days must be between 28 and 36500, got {}", opts.days)));
    }
    Ok(Period { start, days: i64::from(opts.days) })
}

/// Writes one CSV per table into `out_dir` (created if missing) and reports what it wrote.
pub fn generate(opts: &Options, out_dir: &Path) -> io::Result<Summary> {
    let period = period_of(opts)?;
    std::fs::create_dir_all(out_dir)?;
    let seed = opts.seed;
    let scale = opts.scale;
    let span = period.days as f64 / 731.0;
    let default_posts = (POSTS_PER_SCALE * scale * span).round().max(1.0);
    let posts = opts.posts.unwrap_or(default_posts as u64);
    let mut shop_rng = rng::Rng::stream(seed, "shop");
    let locations = shop::build_locations(&period, scale, &mut shop_rng);
    let markets = shop::build_markets(&locations, &period, scale, &mut shop_rng);
    let mut sim = sim::Sim::new(sim::Parts {
        period,
        scale,
        markets,
        inv: inventory::Inventory::build(&period, scale, &mut rng::Rng::stream(seed, "inventory")),
        customers: customers::Customers::new(rng::Rng::stream(seed, "customers")),
        social: social::Social::create(out_dir, rng::Rng::stream(seed, "posts"), seed, posts as f64 / default_posts)?,
        sales: sales::SalesWriter::create(out_dir, rng::Rng::stream(seed, "payments"))?,
        market_w: sales::market_writer(out_dir)?,
        rng: rng::Rng::stream(seed, "sales"),
        schedule: social::schedule(&period, posts, &mut rng::Rng::stream(seed, "schedule")),
        locations,
    });
    sim.run()?;
    let (mut files, mut rest) = sim.finish()?;
    let target = (customers::CUSTOMERS_PER_SCALE * scale * span).round() as usize;
    rest.customers.add_never_bought(target, &period);
    files.push(shop::write_locations(out_dir, &rest.locations, &period)?);
    files.push(social::write_accounts(out_dir)?);
    files.push(rest.customers.write(out_dir)?);
    files.push(rest.inv.write(out_dir)?);
    files.sort_by_key(|f| TABLES.iter().position(|t| f.file == format!("{t}.csv")));
    Ok(Summary { files })
}
