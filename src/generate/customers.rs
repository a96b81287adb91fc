//! Customers: created at their first purchase (so their acquisition source is the channel of
//! that purchase), updated by every later order, and written once all orders are known.
//!
//! Keeping the running totals here is what makes customers.csv agree with orders.csv:
//! total_orders, total_spent, average_order_value and first/last purchase dates are
//! sums over the very orders that were written.

use std::io;
use std::path::Path;

use super::catalog as cat;
use super::csv::{CsvWriter, FileSummary};
use super::rng::Rng;
use super::Period;

/// Customers per unit of scale; buyers are topped up with newsletter sign-ups who never
/// bought, so the table has at least this many rows (≥ 150 required).
pub const CUSTOMERS_PER_SCALE: f64 = 180.0;
/// Share of extra customers who signed up but have not bought yet, relative to buyers.
const NEVER_BOUGHT_SHARE: f64 = 0.1;

pub struct Customer {
    first: &'static str,
    last: &'static str,
    domain: &'static str,
    phone: String,
    birth_day: i64,
    pub kind: &'static str,
    eras: Vec<&'static str>,
    styles: Vec<&'static str>,
    sizes: Vec<&'static str>,
    pub source: &'static str,
    pub orders: i64,
    pub spent_cents: i64,
    pub first_day: Option<i64>,
    pub last_day: Option<i64>,
}

/// Which customers a repeat purchase may come from, by type: collectors and resellers
/// come back far more often than casual buyers.
const REPEAT_TYPE_WEIGHTS: [f64; 3] = [3.0, 1.0, 2.5];

pub struct Customers {
    pub list: Vec<Customer>,
    by_type: [Vec<u32>; 3],
    rng: Rng,
}

/// ASCII letters of a name for an e-mail local part ("Côté" → "cote", "O'Neil" → "oneil").
fn mail_part(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'é' | 'è' | 'ê' => Some('e'),
            'ô' | 'ö' => Some('o'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn pick_some(rng: &mut Rng, list: &[&'static str], lo: i64, hi: i64) -> Vec<&'static str> {
    let k = rng.range(lo, hi) as usize;
    rng.sample_indices(list.len(), k).into_iter().map(|i| list[i]).collect()
}

impl Customers {
    pub fn new(rng: Rng) -> Self {
        Customers { list: Vec::new(), by_type: [Vec::new(), Vec::new(), Vec::new()], rng }
    }

    /// Adds a customer acquired through `source`; returns its index (id − 1).
    pub fn create(&mut self, source: &'static str, period: &Period) -> u32 {
        let r = &mut self.rng;
        let types: Vec<f64> = cat::CUSTOMER_TYPES.iter().map(|t| t.1).collect();
        let ti = r.weighted(&types);
        let eras: Vec<&str> = cat::ERAS.iter().map(|e| e.0).collect();
        let mut sizes = pick_some(r, cat::LETTER_SIZES, 1, 2);
        if r.chance(0.5) {
            sizes.push(r.pick(cat::WAIST_SIZES));
        }
        let c = Customer {
            first: r.pick(cat::FIRST_NAMES),
            last: r.pick(cat::LAST_NAMES),
            domain: r.pick(cat::EMAIL_DOMAINS),
            phone: format!("{}-555-01{:02}", r.pick(&["416", "647", "905", "289"]), r.below(100)),
            birth_day: period.start - r.range(18 * 365, 65 * 365),
            kind: cat::CUSTOMER_TYPES[ti].0,
            eras: pick_some(r, &eras, 1, 2),
            styles: pick_some(r, cat::STYLES, 1, 3),
            sizes,
            source,
            orders: 0,
            spent_cents: 0,
            first_day: None,
            last_day: None,
        };
        let idx = self.list.len() as u32;
        self.list.push(c);
        self.by_type[ti].push(idx);
        idx
    }

    /// An existing customer for a repeat purchase, or None if there is none yet.
    pub fn pick_repeat(&mut self, rng: &mut Rng) -> Option<u32> {
        let weights: Vec<f64> =
            self.by_type.iter().zip(REPEAT_TYPE_WEIGHTS).map(|(v, w)| if v.is_empty() { 0.0 } else { w }).collect();
        if weights.iter().all(|w| *w == 0.0) {
            return None;
        }
        let t = rng.weighted(&weights);
        Some(rng.pick(&self.by_type[t]))
    }

    pub fn kind_of(&self, idx: u32) -> &'static str {
        self.list[idx as usize].kind
    }

    /// Folds one written order into the customer's running totals.
    pub fn record_order(&mut self, idx: u32, day: i64, total_cents: i64) {
        let c = &mut self.list[idx as usize];
        c.orders += 1;
        c.spent_cents += total_cents;
        c.first_day = Some(c.first_day.map_or(day, |d| d.min(day)));
        c.last_day = Some(c.last_day.map_or(day, |d| d.max(day)));
    }

    /// Adds followers who joined the mailing list but never bought, so the table holds at
    /// least `target` customers (and some zero-order rows for the dashboard to handle).
    pub fn add_never_bought(&mut self, target: usize, period: &Period) {
        let extra = ((self.list.len() as f64 * NEVER_BOUGHT_SHARE).round() as usize)
            .max(target.saturating_sub(self.list.len()));
        for _ in 0..extra {
            let source = if self.rng.chance(0.6) { "instagram" } else { "tiktok" };
            self.create(source, period);
        }
    }

    pub fn write(&self, dir: &Path) -> io::Result<FileSummary> {
        let mut w = CsvWriter::create(
            dir,
            "customers",
            &[
                "customer_id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "date_of_birth",
                "customer_type",
                "preferred_eras",
                "preferred_styles",
                "preferred_sizes",
                "total_orders",
                "total_spent",
                "average_order_value",
                "first_purchase_date",
                "last_purchase_date",
                "acquisition_source",
            ],
        )?;
        for (i, c) in self.list.iter().enumerate() {
            let id = i as i64 + 1;
            let email = format!("{}.{}{}@{}", mail_part(c.first), mail_part(c.last), id, c.domain);
            w.int(id).str(c.first).str(c.last).str(&email).str(&c.phone).date(c.birth_day).str(c.kind);
            w.str(&c.eras.join(";")).str(&c.styles.join(";")).str(&c.sizes.join(";"));
            // Average rounded half up to the cent; undefined (NULL) without orders.
            let avg = (c.orders > 0).then(|| (2 * c.spent_cents + c.orders) / (2 * c.orders));
            w.int(c.orders).money(c.spent_cents).opt_money(avg).opt_date(c.first_day).opt_date(c.last_day);
            w.str(c.source).end_row()?;
        }
        w.finish()
    }
}
