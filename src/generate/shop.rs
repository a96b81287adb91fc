//! The shop's fixed world: its locations, the market calendar, and the CSV of locations.
//!
//! Markets are planted to differ: festivals draw crowds but convert poorly and cost the
//! most, pop-ups convert best, rain and snow keep people home, and the owner can only be
//! at one market a day.
//!
//! Above scale 1 the market side grows by `market_growth(scale)` = √scale in two ways at
//! once: more venues and market days (one more series of the venues, and one more team
//! that can be out on the same day, per step of growth) and bigger market days (each
//! day's crowd, booth fee and travel costs times the growth). Their product is the scale,
//! so market sales stay in proportion to the rest of the business. Venues cannot grow in
//! proportion: a city has a handful of markets, and 8,000 copies of each would make the
//! locations table, and every per-market page, a list of near-duplicates. Scaling a day's
//! costs with its crowd keeps every market's profit in the same proportion, and a day's
//! luck (`day_luck`) keeps its spread, so the planted differences (pop-ups most
//! profitable, some days at a loss) hold at any size.

use std::io;
use std::path::Path;

use super::calendar;
use super::catalog::{fee_range, VENUES};
use super::csv::{CsvWriter, FileSummary};
use super::rng::Rng;
use super::Period;

/// Market events per unit of scale over the default two years (≥ 30 required), up to
/// scale 1; above it they grow with √scale (see `market_growth`).
pub const MARKETS_PER_SCALE: f64 = 34.0;

/// How much bigger the market side is than the demo's in each of its two dimensions:
/// venues and market days, and the size of each day. 1 up to scale 1 (a smaller business
/// just goes to fewer markets), √scale above.
pub fn market_growth(scale: f64) -> f64 {
    scale.sqrt().max(1.0)
}

/// Scales an amount in cents by the market growth, to the cent (exact at growth 1).
fn grown(cents: i64, growth: f64) -> i64 {
    (cents as f64 * growth).round() as i64
}

pub struct Location {
    pub name: String,
    pub kind: &'static str,
    pub city: &'static str,
    pub address: Option<&'static str>,
    pub postal: Option<&'static str>,
    pub fee_cents: i64,
    pub setup_day: Option<i64>,
    pub end_day: Option<i64>,
    pub notes: Option<&'static str>,
    pub travel: (i64, i64),
}

impl Location {
    pub fn is_online(&self) -> bool {
        self.kind == "online_only"
    }
    fn open_on(&self, day: i64) -> bool {
        self.setup_day.is_none_or(|s| day >= s) && self.end_day.is_none_or(|e| day <= e)
    }
}

/// One series of the venues per step of market growth, then the online store last (as in
/// the original). Booth fees grow with the market days' size.
pub fn build_locations(period: &Period, scale: f64, rng: &mut Rng) -> Vec<Location> {
    let growth = market_growth(scale);
    let copies = growth.ceil() as usize;
    let mut out = Vec::new();
    for copy in 0..copies {
        for (i, v) in VENUES.iter().enumerate() {
            let (lo, hi) = fee_range(v.kind);
            let name = if copy == 0 { v.name.to_string() } else { format!("{} (series {})", v.name, copy + 1) };
            // Two venues closed part-way through, one opened part-way: the dashboard's
            // "active" flag then means something.
            let closes = i == 7 || i == 10;
            let opens_late = i == 8;
            let setup = if opens_late { period.start + period.days / 4 } else { period.start - rng.range(60, 900) };
            out.push(Location {
                name,
                kind: v.kind,
                city: v.city,
                address: Some(v.address),
                postal: Some(v.postal),
                fee_cents: grown(rng.range(lo, hi) * 100 + if rng.chance(0.3) { 50 } else { 0 }, growth),
                setup_day: Some(setup),
                end_day: closes.then(|| period.start + period.days * 3 / 5),
                notes: closes.then_some("Market series ended"),
                travel: v.travel,
            });
        }
    }
    out.push(Location {
        name: "Online Store".into(),
        kind: "online_only",
        city: "Toronto",
        address: None,
        postal: None,
        fee_cents: 0,
        setup_day: None,
        end_day: None,
        notes: Some("Website, Instagram DMs and phone orders; ships across Canada"),
        travel: (0, 0),
    });
    out
}

pub fn write_locations(dir: &Path, locations: &[Location], period: &Period) -> io::Result<FileSummary> {
    let mut w = CsvWriter::create(
        dir,
        "locations",
        &[
            "location_id",
            "location_name",
            "location_type",
            "address",
            "city",
            "state_province",
            "country",
            "postal_code",
            "market_fee",
            "setup_date",
            "end_date",
            "is_active",
            "notes",
        ],
    )?;
    for (i, l) in locations.iter().enumerate() {
        let active = l.end_day.is_none_or(|e| e >= period.last_day());
        w.int(i as i64 + 1).str(&l.name).str(l.kind).opt_str(l.address).str(l.city).str("ON").str("Canada");
        w.opt_str(l.postal).money(l.fee_cents).opt_date(l.setup_day).opt_date(l.end_day).bool(active).opt_str(l.notes);
        w.end_row()?;
    }
    w.finish()
}

/// One market day at one location.
pub struct MarketEvent {
    pub location: usize,
    pub day: i64,
    pub weather: &'static str,
    pub foot_traffic: i64,
    pub competitors: i64,
    pub travel_cents: i64,
    /// Expected share of visitors who buy.
    pub conversion: f64,
}

/// How well a venue type fits a month (festivals in summer, craft fairs before Christmas).
fn season_fit(kind: &str, month: u32) -> f64 {
    match (kind, month) {
        ("festival", 6..=8) => 1.0,
        ("festival", 5 | 9) => 0.4,
        ("festival", _) => 0.0,
        ("craft_fair", 11 | 12) => 1.0,
        ("craft_fair", 10) => 0.5,
        ("craft_fair", 3 | 4) => 0.3,
        ("craft_fair", _) => 0.1,
        (_, 1 | 2) => 0.25,
        (_, 3 | 4) => 0.6,
        (_, 11 | 12) => 0.7,
        _ => 1.0,
    }
}

fn weather(month: u32, rng: &mut Rng) -> (&'static str, f64) {
    const W: [(&str, f64); 6] =
        [("sunny", 1.1), ("cloudy", 1.0), ("hot", 0.85), ("cold", 0.8), ("rain", 0.6), ("snow", 0.5)];
    let weights: [f64; 6] = match month {
        12 | 1 | 2 | 3 => [0.15, 0.25, 0.0, 0.35, 0.0, 0.25],
        6..=8 => [0.5, 0.1, 0.25, 0.0, 0.15, 0.0],
        _ => [0.4, 0.35, 0.0, 0.0, 0.25, 0.0],
    };
    W[rng.weighted(&weights)]
}

/// Visitors, vendor count and buying propensity by venue type.
fn crowd(kind: &str, rng: &mut Rng) -> (i64, i64, f64) {
    match kind {
        "festival" => (rng.range(1200, 2500), rng.range(20, 45), 0.007),
        "craft_fair" => (rng.range(400, 900), rng.range(15, 40), 0.018),
        _ => (rng.range(150, 500), rng.range(5, 20), 0.035),
    }
}

/// One market day; its crowd and travel costs are `growth` times a demo-sized day's.
fn make_event(location: usize, l: &Location, day: i64, growth: f64, rng: &mut Rng) -> MarketEvent {
    let (sky, traffic_factor) = weather(calendar::month(day), rng);
    let (traffic, competitors, conversion) = crowd(l.kind, rng);
    let conversion = conversion * (1.0 - competitors as f64 / 120.0);
    let travel_cents = grown(rng.range(l.travel.0 * 100, l.travel.1 * 100), growth);
    let luck = if growth > 1.0 { day_luck(traffic as f64 * traffic_factor * conversion, growth, rng) } else { 1.0 };
    MarketEvent {
        location,
        day,
        weather: sky,
        foot_traffic: (traffic as f64 * traffic_factor * growth).round() as i64,
        competitors,
        travel_cents,
        conversion: conversion * luck,
    }
}

/// A bigger market day's luck: a factor (mean 1) on how many of its visitors buy.
///
/// At the demo's size a day has about 5–15 buyers, and that Poisson count alone moves its
/// sales by ±30–40 %: it is what puts the odd market day at a loss. A day `growth` times
/// bigger would average the spread away (±4 % at growth 90) and no market would ever lose
/// money, so the missing spread is drawn here as a log-normal factor: Poisson(growth·λ·L)
/// then varies as Poisson(λ) does (a day's turnout, a competitor next door: shocks a
/// bigger stand does not average out). `demo_buyers` is λ, the demo-sized expectation.
fn day_luck(demo_buyers: f64, growth: f64, rng: &mut Rng) -> f64 {
    // Var[L] = e^σ² − 1 = 1/λ − 1/(growth·λ): the relative variance lost to the bigger crowd.
    let sigma2 = (1.0 + (1.0 - 1.0 / growth) / demo_buyers.max(0.5)).ln();
    rng.lognormal(-sigma2 / 2.0, sigma2.sqrt())
}

/// Picks the market days: weighted sampling without replacement (Efraimidis–Spirakis keys)
/// over every open (weekend day, venue) pair, at most one per venue series a day.
pub fn build_markets(locations: &[Location], period: &Period, scale: f64, rng: &mut Rng) -> Vec<MarketEvent> {
    let growth = market_growth(scale);
    let per_day = growth.ceil() as usize;
    let mut candidates: Vec<(f64, usize, i64)> = Vec::new();
    for day in period.start..period.start + period.days {
        let wd = calendar::weekday(day);
        if wd < 5 {
            continue;
        }
        let day_weight = if wd == 5 { 1.0 } else { 0.6 };
        for (li, l) in locations.iter().enumerate() {
            let w = day_weight * season_fit(l.kind, calendar::month(day));
            if l.is_online() || !l.open_on(day) || w <= 0.0 {
                continue;
            }
            let key = (1.0 - rng.f64()).ln() / w;
            candidates.push((key, li, day));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)).then(a.1.cmp(&b.1)));
    let target = ((MARKETS_PER_SCALE * (scale / growth) * period.days as f64 / 731.0).round() as usize).max(1);
    let mut per_day_count = std::collections::HashMap::new();
    let mut chosen: Vec<(i64, usize)> = Vec::new();
    for (_, li, day) in candidates {
        if chosen.len() >= target {
            break;
        }
        let n = per_day_count.entry(day).or_insert(0usize);
        if *n < per_day {
            *n += 1;
            chosen.push((day, li));
        }
    }
    chosen.sort();
    chosen.into_iter().map(|(day, li)| make_event(li, &locations[li], day, growth, rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A market day `growth` times bigger still varies as a demo-sized one does: its buyer
    /// count's coefficient of variation stays 1/√λ instead of shrinking to 1/√(growth·λ).
    #[test]
    fn bigger_market_days_keep_their_spread() {
        let mut rng = Rng::new(4);
        let (lambda, growth, n) = (6.0, 50.0, 20_000);
        let mut count = || {
            let luck = day_luck(lambda, growth, &mut rng);
            rng.poisson(growth * lambda * luck) as f64
        };
        let counts: Vec<f64> = (0..n).map(|_| count()).collect();
        let mean = counts.iter().sum::<f64>() / n as f64;
        let sd = (counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!((mean / (growth * lambda) - 1.0).abs() < 0.02, "mean {mean}");
        let cv = sd / mean;
        assert!((cv * lambda.sqrt() - 1.0).abs() < 0.1, "coefficient of variation {cv}, want {}", 1.0 / lambda.sqrt());
        assert_eq!(market_growth(0.3), 1.0);
        assert_eq!(market_growth(1.0), 1.0);
        assert_eq!(market_growth(16.0), 4.0);
    }
}
