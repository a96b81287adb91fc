//! Customers: created at their first purchase (so their acquisition source is the channel of
//! that purchase), updated by every later order, and written once all orders are known.
//!
//! Keeping the running totals here is what makes customers.csv agree with orders.csv:
//! total_orders, total_spent, average_order_value and first/last purchase dates are
//! sums over the very orders that were written.

use std::fmt::Write as _;
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

/// "No value" in the one-byte index fields of `Customer`.
const NONE: u8 = u8::MAX;
/// How customers first met the shop (`acquisition_source`).
const ACQUISITION_SOURCES: [&str; 5] = ["instagram", "tiktok", "word_of_mouth", "walk_by", "referral"];
const AREA_CODES: [&str; 4] = ["416", "647", "905", "289"];
/// Waist sizes are stored in `Customer::sizes` after this offset, letter sizes below it.
const WAIST: u8 = 10;

/// One customer, in 40 bytes: the text columns are indices into the catalog's word lists,
/// spelled out when the table is written, so the two million customers of a benchmark-sized
/// business fit in memory until their totals are known.
pub struct Customer {
    /// Sum of the customer's order totals, in cents.
    spent_cents: i64,
    /// Day numbers (days since 1970-01-01); `first_day`/`last_day` are i32::MIN before
    /// the first order.
    birth_day: i32,
    first_day: i32,
    last_day: i32,
    orders: u32,
    first: u8,
    last: u8,
    domain: u8,
    area: u8,
    /// The last two digits of the 555-01xx phone number.
    phone_tail: u8,
    /// Index into `CUSTOMER_TYPES`.
    kind: u8,
    /// Index into `ACQUISITION_SOURCES`.
    source: u8,
    /// Indices into `ERAS`, `STYLES` and the sizes (see `WAIST`), NONE-padded, in the
    /// order drawn.
    eras: [u8; 2],
    styles: [u8; 3],
    sizes: [u8; 3],
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

/// `lo`–`hi` distinct indices into a list of `len`, NONE-padded to N.
fn pick_some<const N: usize>(rng: &mut Rng, len: usize, lo: i64, hi: i64) -> [u8; N] {
    let k = rng.range(lo, hi) as usize;
    let mut out = [NONE; N];
    for (slot, i) in out.iter_mut().zip(rng.sample_indices(len, k)) {
        *slot = i as u8;
    }
    out
}

/// Replaces `out` with the NONE-padded indices as words joined by `;` (the schema's list
/// representation).
fn join_into<'a>(out: &'a mut String, idx: &[u8], word: impl Fn(u8) -> &'static str) -> &'a str {
    out.clear();
    for (k, i) in idx.iter().take_while(|i| **i != NONE).enumerate() {
        if k > 0 {
            out.push(';');
        }
        out.push_str(word(*i));
    }
    out
}

fn size_name(code: u8) -> &'static str {
    if code >= WAIST {
        cat::WAIST_SIZES[(code - WAIST) as usize]
    } else {
        cat::LETTER_SIZES[code as usize]
    }
}

impl Customers {
    pub fn new(rng: Rng) -> Self {
        Customers { list: Vec::new(), by_type: [Vec::new(), Vec::new(), Vec::new()], rng }
    }

    /// Adds a customer acquired through `source` (one of `ACQUISITION_SOURCES`); returns
    /// its index (id − 1).
    pub fn create(&mut self, source: &'static str, period: &Period) -> u32 {
        let source = ACQUISITION_SOURCES.iter().position(|s| *s == source).expect("a known acquisition source") as u8;
        let r = &mut self.rng;
        let pick = |r: &mut Rng, len: usize| r.below(len as u64) as u8;
        // The draws are made in the order the default demo's bytes depend on.
        let ti = r.weighted_by(cat::CUSTOMER_TYPES, |t| t.1);
        let mut sizes: [u8; 3] = pick_some(r, cat::LETTER_SIZES.len(), 1, 2);
        if r.chance(0.5) {
            let free = sizes.iter().position(|s| *s == NONE).expect("room for a waist size");
            sizes[free] = WAIST + pick(r, cat::WAIST_SIZES.len());
        }
        let first = pick(r, cat::FIRST_NAMES.len());
        let last = pick(r, cat::LAST_NAMES.len());
        let domain = pick(r, cat::EMAIL_DOMAINS.len());
        let area = pick(r, AREA_CODES.len());
        let phone_tail = r.below(100) as u8;
        let birth_day = (period.start - r.range(18 * 365, 65 * 365)) as i32;
        let eras = pick_some(r, cat::ERAS.len(), 1, 2);
        let styles = pick_some(r, cat::STYLES.len(), 1, 3);
        let c = Customer {
            spent_cents: 0,
            birth_day,
            first_day: i32::MIN,
            last_day: i32::MIN,
            orders: 0,
            first,
            last,
            domain,
            area,
            phone_tail,
            kind: ti as u8,
            source,
            eras,
            styles,
            sizes,
        };
        let idx = self.list.len() as u32;
        self.list.push(c);
        self.by_type[ti].push(idx);
        idx
    }

    /// An existing customer for a repeat purchase, or None if there is none yet.
    pub fn pick_repeat(&mut self, rng: &mut Rng) -> Option<u32> {
        let mut weights = REPEAT_TYPE_WEIGHTS;
        for (w, v) in weights.iter_mut().zip(&self.by_type) {
            if v.is_empty() {
                *w = 0.0;
            }
        }
        if weights.iter().all(|w| *w == 0.0) {
            return None;
        }
        let t = rng.weighted(&weights);
        Some(rng.pick(&self.by_type[t]))
    }

    pub fn kind_of(&self, idx: u32) -> &'static str {
        cat::CUSTOMER_TYPES[self.list[idx as usize].kind as usize].0
    }

    /// Folds one written order into the customer's running totals.
    pub fn record_order(&mut self, idx: u32, day: i64, total_cents: i64) {
        let c = &mut self.list[idx as usize];
        c.orders += 1;
        c.spent_cents += total_cents;
        let day = day as i32;
        c.first_day = if c.first_day == i32::MIN { day } else { c.first_day.min(day) };
        c.last_day = c.last_day.max(day);
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
        // Millions of rows at benchmark scale: the e-mail name parts are worked out once,
        // and text is assembled in reused buffers rather than a String per field.
        let firsts: Vec<String> = cat::FIRST_NAMES.iter().map(|n| mail_part(n)).collect();
        let lasts: Vec<String> = cat::LAST_NAMES.iter().map(|n| mail_part(n)).collect();
        let mut text = String::new();
        for (i, c) in self.list.iter().enumerate() {
            let id = i as i64 + 1;
            let (first, last) = (cat::FIRST_NAMES[c.first as usize], cat::LAST_NAMES[c.last as usize]);
            w.int(id).str(first).str(last);
            text.clear();
            write!(
                text,
                "{}.{}{id}@{}",
                firsts[c.first as usize],
                lasts[c.last as usize],
                cat::EMAIL_DOMAINS[c.domain as usize]
            )
            .expect("write to a String");
            w.str(&text);
            text.clear();
            write!(text, "{}-555-01{:02}", AREA_CODES[c.area as usize], c.phone_tail).expect("write to a String");
            w.str(&text).date(i64::from(c.birth_day)).str(cat::CUSTOMER_TYPES[c.kind as usize].0);
            w.str(join_into(&mut text, &c.eras, |e| cat::ERAS[e as usize].0));
            w.str(join_into(&mut text, &c.styles, |s| cat::STYLES[s as usize]));
            w.str(join_into(&mut text, &c.sizes, size_name));
            // Average rounded half up to the cent; undefined (NULL) without orders.
            let orders = i64::from(c.orders);
            let avg = (orders > 0).then(|| (2 * c.spent_cents + orders) / (2 * orders));
            let day = |d: i32| (d != i32::MIN).then_some(i64::from(d));
            w.int(orders).money(c.spent_cents).opt_money(avg).opt_date(day(c.first_day)).opt_date(day(c.last_day));
            w.str(ACQUISITION_SOURCES[c.source as usize]).end_row()?;
        }
        w.finish()
    }
}
