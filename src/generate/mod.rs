//! Demo-data generator: writes the vintage shop's twelve tables as CSV files from a seed.
//!
//! Entry point and options live here; the rest is split by concern: `rng` (seeded PRNG),
//! `calendar` (dates), `csv` (the writer), `catalog` (word lists), `model` (the planted
//! engagement and purchase model), `shop` (locations, market calendar), `inventory`,
//! `customers`, `sales` (orders, payments, market results), `social` (accounts, posts,
//! featured items, attribution), `metrics` (daily snapshots) and `sim` (the day loop).
//!
//! The same options always give byte-identical files. Posts, metric snapshots, orders and
//! their lines, payments, market days and attributions are streamed to disk as the days
//! pass. Items and customers are written last, once their final status and totals are
//! known, so they stay in memory in a compact form (44 and 40 bytes each): 450 MB for the
//! 8 million items and 2 million customers behind a million posts, 600 MB at the peak.

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

/// The largest business `generate` makes: memory and time grow with it (see the module
/// comment), and scale 10,000 already holds 10 million items.
pub const MAX_SCALE: f64 = 10_000.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub seed: u64,
    /// Size of the business, 1.0 = the default demo: multiplies customers, items, orders,
    /// attributions and posts; markets grow more slowly (see `shop::market_growth`). None
    /// means 1.0, or with `posts` alone the business of that many posts.
    pub scale: Option<f64>,
    /// Number of posts. Alone it scales the whole business with it: the scale becomes
    /// posts ÷ POSTS_PER_SCALE per 731 days, so sales, customers and attributions per post
    /// stay those of the demo. With `scale` it overrides only the post count and the
    /// business stays that of `scale`: purchases per post shrink (or grow) so its sales
    /// stay the same.
    pub posts: Option<u64>,
    /// First day (year, month, day).
    pub start: (i32, u32, u32),
    /// Length of the period in days.
    pub days: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options { seed: 42, scale: None, posts: None, start: (2024, 1, 1), days: 730 }
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

/// Checks the start date and length and turns them into a period.
fn period_of(opts: &Options) -> io::Result<Period> {
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

/// What to simulate: the business size, the number of posts, and the posts' density
/// relative to the business (1 = the scale's own post count).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Plan {
    scale: f64,
    posts: u64,
    density: f64,
}

/// Turns `scale` and `posts` into a plan and checks the scale.
fn plan_of(opts: &Options, period: &Period) -> io::Result<Plan> {
    // The period's length in units of the default two years: posts, customers, items and
    // markets are all counted per scale per 731 days.
    let span = period.days as f64 / 731.0;
    let scale = match (opts.scale, opts.posts) {
        (Some(scale), _) => scale,
        // At least one post's worth, so `posts: 0` still has a shop behind it.
        (None, Some(posts)) => posts.max(1) as f64 / (POSTS_PER_SCALE * span),
        (None, None) => 1.0,
    };
    if !(scale.is_finite() && scale > 0.0 && scale <= MAX_SCALE) {
        return Err(invalid(match (opts.scale, opts.posts) {
            (None, Some(posts)) => format!(
                "{posts} posts over {} days would need a business of scale {scale:.0}, above the \
                 limit of {MAX_SCALE}: give --scale too to set the business's size",
                period.days
            ),
            _ => format!("scale must be > 0 and ≤ {MAX_SCALE}, got {scale}"),
        }));
    }
    let default_posts = (POSTS_PER_SCALE * scale * span).round().max(1.0);
    let posts = opts.posts.unwrap_or(default_posts as u64);
    // Posts alone were turned into the scale: they are the business's own posts, exactly.
    let density = if opts.scale.is_some() { posts as f64 / default_posts } else { 1.0 };
    Ok(Plan { scale, posts, density })
}

/// Writes one CSV per table into `out_dir` (created if missing) and reports what it wrote.
pub fn generate(opts: &Options, out_dir: &Path) -> io::Result<Summary> {
    let period = period_of(opts)?;
    let Plan { scale, posts, density } = plan_of(opts, &period)?;
    std::fs::create_dir_all(out_dir)?;
    let seed = opts.seed;
    let span = period.days as f64 / 731.0;
    let mut shop_rng = rng::Rng::stream(seed, "shop");
    let locations = shop::build_locations(&period, scale, &mut shop_rng);
    let markets = shop::build_markets(&locations, &period, scale, &mut shop_rng);
    let mut sim = sim::Sim::new(sim::Parts {
        period,
        scale,
        markets,
        inv: inventory::Inventory::build(&period, scale, &mut rng::Rng::stream(seed, "inventory")),
        customers: customers::Customers::new(rng::Rng::stream(seed, "customers")),
        social: social::Social::create(out_dir, rng::Rng::stream(seed, "posts"), seed, density)?,
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
    // The two tables held in memory are written side by side: at benchmark scale they are
    // 3.6 GB between them, and nothing else is left to do.
    let (customers, items) = std::thread::scope(|s| {
        let customers = s.spawn(|| rest.customers.write(out_dir));
        let items = rest.inv.write(out_dir);
        (customers.join().expect("the customers thread does not panic"), items)
    });
    files.push(customers?);
    files.push(items?);
    files.sort_by_key(|f| TABLES.iter().position(|t| f.file == format!("{t}.csv")));
    Ok(Summary { files })
}
