//! Inventory: the items the shop sources, which of them are on the rail at any moment, and
//! the inventory_items CSV written once the simulation knows how each item ended.
//!
//! One-of-a-kind items leave the pool when sold or reserved, so each sells at most once;
//! the few deadstock lines (several identical units) stay available for the whole period.

use std::io;
use std::path::Path;

use super::calendar;
use super::catalog::{self as cat, Fit};
use super::csv::{CsvWriter, FileSummary};
use super::rng::Rng;
use super::Period;

/// One-of-a-kind items sourced per unit of scale over two years (≥ 300 required).
pub const ITEMS_PER_SCALE: f64 = 1000.0;
/// Share of items already in stock on the first day.
const OPENING_STOCK: f64 = 0.2;
/// Days between sourcing trips.
const SOURCING_EVERY: i64 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Incoming,
    Available,
    Reserved,
    Sold,
}

/// "No value" in the one-byte index fields of `Item`.
const NONE: u8 = u8::MAX;
/// `Item::condition_note` of deadstock, which has a note of its own.
const DEADSTOCK_NOTE: u8 = u8::MAX - 1;

fn condition_note(code: u8) -> Option<&'static str> {
    match code {
        NONE => None,
        DEADSTOCK_NOTE => Some("Deadstock, never worn"),
        _ => Some(cat::CONDITION_NOTES[code as usize]),
    }
}

/// One item, in 44 bytes: every text field is an index into the catalog's word lists and
/// is spelled out only when the row is written, so the inventory of a benchmark-sized
/// business (8 million items at scale 8,300) fits in a few hundred megabytes.
pub struct Item {
    /// Selling price in cents.
    pub price_cents: u32,
    /// What the shop paid, in cents.
    cost_cents: u32,
    /// Day number (days since 1970-01-01) the item was sourced.
    pub acquired_day: i32,
    /// Order in which the item was drawn: ties on `acquired_day` keep it, so ids do not
    /// depend on the sorting algorithm.
    seq: u32,
    /// Shipping weight in grams.
    weight: u16,
    /// Index into `CATEGORIES`.
    pub category: u8,
    /// Index into the category's subcategories.
    subcategory: u8,
    /// Index into `ADJECTIVES` (tops and bottoms) or NONE.
    adjective: u8,
    /// Index into `DEADSTOCK` for a deadstock line, else NONE.
    deadstock: u8,
    brand: u8,
    /// Index into `ERAS`.
    pub era: u8,
    /// See `size_name`.
    size: u8,
    /// Chest, waist and length in inches; 0 is NULL.
    measurements: [u8; 3],
    condition: u8,
    condition_note: u8,
    material: u8,
    /// Indices into `COLOURS`; the second may be NONE.
    colours: [u8; 2],
    pattern: u8,
    source: u8,
    acquired_in: u8,
    photos: u8,
    /// Indices into `STYLES`, NONE-padded.
    tags: [u8; 3],
    pub state: State,
}

/// Size codes: 0–4 letter sizes, 10–14 waist sizes, 20–24 shoe sizes, NONE one size.
fn size_name(code: u8) -> &'static str {
    match code {
        0..=9 => cat::LETTER_SIZES[code as usize],
        10..=19 => cat::WAIST_SIZES[code as usize - 10],
        20..=29 => cat::SHOE_SIZES[code as usize - 20],
        _ => "One Size",
    }
}

impl Item {
    pub fn is_outerwear(&self) -> bool {
        self.category as usize == cat::OUTERWEAR
    }
    pub fn is_one_of_a_kind(&self) -> bool {
        self.deadstock == NONE
    }
    /// Appends the item's name to `out`: "Fringed rust suede jacket"; accessories and
    /// shoes skip the cut adjective.
    fn push_name(&self, out: &mut String) {
        if self.deadstock != NONE {
            out.push_str(cat::DEADSTOCK[self.deadstock as usize].0);
            return;
        }
        let start = out.len();
        if self.adjective != NONE {
            out.push_str(cat::ADJECTIVES[self.adjective as usize]);
            out.push(' ');
        }
        out.push_str(cat::COLOURS[self.colours[0] as usize]);
        out.push(' ');
        let what = cat::CATEGORIES[self.category as usize].subcategories[self.subcategory as usize];
        out.extend(what.chars().map(|c| if c == '_' { ' ' } else { c }));
        out[start..start + 1].make_ascii_uppercase();
    }
    /// A caption-friendly description, e.g. "1970s fringed rust suede jacket, size M".
    pub fn describe(&self) -> String {
        let era = cat::ERAS[self.era as usize].0;
        let mut name = String::new();
        self.push_name(&mut name);
        let name = name.to_lowercase();
        match cat::CATEGORIES[self.category as usize].fit {
            Fit::OneSize => format!("{era} {name}"),
            _ => format!("{era} {name}, size {}", size_name(self.size)),
        }
    }
}

/// Flag on a `pool` entry: the item is outerwear. Picking an item for sale then needs no
/// look-up in `items`, which at benchmark scale is hundreds of megabytes: one cache miss
/// per look-up.
const OUTERWEAR_BIT: u32 = 1 << 31;

pub struct Inventory {
    /// Sorted by acquisition day; item id = index + 1.
    pub items: Vec<Item>,
    /// Indices of one-of-a-kind items on the rail now (with `OUTERWEAR_BIT`), and each
    /// item's slot in it.
    pool: Vec<u32>,
    slot: Vec<u32>,
    next_arrival: usize,
    deadstock: Vec<u32>,
}

fn weighted_name(rng: &mut Rng, list: &[(&'static str, f64)]) -> u8 {
    rng.weighted_by(list, |x| x.1) as u8
}

/// An index into a list of `len` words.
fn pick_index(rng: &mut Rng, len: usize) -> u8 {
    rng.below(len as u64) as u8
}

/// (size code, chest, waist, length in inches; 0 = NULL).
fn size_and_measurements(fit: Fit, rng: &mut Rng) -> (u8, [u8; 3]) {
    match fit {
        Fit::Top => {
            let i = rng.below(5) as u8;
            (i, [32 + 2 * i + rng.range(0, 2) as u8, 0, rng.range(20, 46) as u8])
        }
        Fit::Bottom => {
            let i = rng.below(5) as u8;
            (10 + i, [0, 26 + 2 * i, rng.range(36, 44) as u8])
        }
        Fit::Shoe => (20 + pick_index(rng, cat::SHOE_SIZES.len()), [0, 0, 0]),
        Fit::OneSize => (NONE, [0, 0, 0]),
    }
}

// The draws below are made in the order the fields were once built in (name, brand, era,
// …): the default demo's bytes depend on it.
fn build_item(rng: &mut Rng, acquired_day: i64, seq: u32) -> Item {
    let ci = rng.weighted_by(cat::CATEGORIES, |c| c.share);
    let c = &cat::CATEGORIES[ci];
    let subcategory = pick_index(rng, c.subcategories.len());
    let (size, measurements) = size_and_measurements(c.fit, rng);
    let colour = pick_index(rng, cat::COLOURS.len());
    let condition = [3u8, 4, 4, 4, 5, 5][rng.below(6) as usize];
    // Price: category range, nudged by condition, rounded to whole dollars.
    let dollars = rng.range(c.price.0, c.price.1) as f64 * (0.85 + 0.06 * (i64::from(condition) - 3) as f64);
    let price_cents = (dollars.round() as i64).max(8) * 100;
    let tag_count = rng.range(1, 3) as usize;
    let mut tags = [NONE; 3];
    for (slot, t) in tags.iter_mut().zip(rng.sample_indices(cat::STYLES.len(), tag_count)) {
        *slot = t as u8;
    }
    let adjective = match c.fit {
        Fit::Top | Fit::Bottom => pick_index(rng, cat::ADJECTIVES.len()),
        Fit::Shoe | Fit::OneSize => NONE,
    };
    let brand = weighted_name(rng, cat::BRANDS);
    let era = weighted_name(rng, cat::ERAS);
    let condition_note =
        if condition < 5 && rng.chance(0.4) { pick_index(rng, cat::CONDITION_NOTES.len()) } else { NONE };
    let material = pick_index(rng, cat::MATERIALS.len());
    let second = if rng.chance(0.3) { pick_index(rng, cat::COLOURS.len()) } else { colour };
    let pattern = pick_index(rng, cat::PATTERNS.len());
    let cost_cents = (price_cents as f64 * rng.uniform(0.18, 0.35)).round() as u32;
    let source = weighted_name(rng, cat::SOURCES);
    let acquired_in = pick_index(rng, cat::SOURCE_TOWNS.len());
    let weight = rng.range(c.weight.0, c.weight.1) as u16;
    let photos = rng.range(1, 5) as u8;
    Item {
        price_cents: price_cents as u32,
        cost_cents,
        acquired_day: acquired_day as i32,
        seq,
        weight,
        category: ci as u8,
        subcategory,
        adjective,
        deadstock: NONE,
        brand,
        era,
        size,
        measurements,
        condition,
        condition_note,
        material,
        colours: [colour, if second == colour { NONE } else { second }],
        pattern,
        source,
        acquired_in,
        photos,
        tags,
        state: State::Incoming,
    }
}

fn build_deadstock(rng: &mut Rng, k: usize, acquired_day: i64, seq: u32) -> Item {
    let (_, category, dollars) = cat::DEADSTOCK[k % cat::DEADSTOCK.len()];
    let mut item = build_item(rng, acquired_day, seq);
    item.deadstock = (k % cat::DEADSTOCK.len()) as u8;
    item.category = category as u8;
    item.subcategory = 0;
    item.adjective = NONE;
    item.size = NONE;
    item.measurements = [0, 0, 0];
    item.condition = 5;
    item.condition_note = DEADSTOCK_NOTE;
    item.price_cents = dollars as u32 * 100;
    item.cost_cents = dollars as u32 * 30;
    item.era = 3; // sold as 90s-style stock
    item
}

impl Inventory {
    pub fn build(period: &Period, scale: f64, rng: &mut Rng) -> Inventory {
        let n = (ITEMS_PER_SCALE * scale * period.days as f64 / 731.0).round().max(1.0) as usize;
        let trips = (period.days / SOURCING_EVERY).max(1);
        let deadstock = cat::DEADSTOCK.len() * scale.ceil().max(1.0) as usize;
        let mut items: Vec<Item> = Vec::with_capacity(n + deadstock);
        for seq in 0..n {
            let day = if rng.chance(OPENING_STOCK) {
                period.start - rng.range(1, 150)
            } else {
                period.start + rng.range(0, trips - 1) * SOURCING_EVERY + rng.range(0, 2)
            };
            items.push(build_item(rng, day, seq as u32));
        }
        for k in 0..deadstock {
            items.push(build_deadstock(rng, k, period.start - 30, (n + k) as u32));
        }
        // In place (a stable sort would borrow half the inventory again as scratch space);
        // `seq` breaks ties as a stable sort would.
        items.sort_unstable_by_key(|i| (i.acquired_day, i.seq));
        let len = items.len();
        // Even scale 10,000 over 100 years (500 million items) leaves the flag bit free.
        assert!(len < OUTERWEAR_BIT as usize, "{len} items");
        Inventory { items, pool: Vec::new(), slot: vec![u32::MAX; len], next_arrival: 0, deadstock: Vec::new() }
    }

    /// Puts everything sourced up to `day` on the rail.
    pub fn arrive_until(&mut self, day: i64) {
        while self.next_arrival < self.items.len() && i64::from(self.items[self.next_arrival].acquired_day) <= day {
            let i = self.next_arrival;
            self.items[i].state = State::Available;
            if self.items[i].is_one_of_a_kind() {
                self.slot[i] = self.pool.len() as u32;
                self.pool.push(i as u32 | if self.items[i].is_outerwear() { OUTERWEAR_BIT } else { 0 });
            } else {
                self.deadstock.push(i as u32);
            }
            self.next_arrival += 1;
        }
    }

    /// Takes a one-of-a-kind item off the rail (sold or put on hold).
    fn remove(&mut self, item: u32, state: State) {
        let s = self.slot[item as usize] as usize;
        let last = *self.pool.last().expect("item on rail") & !OUTERWEAR_BIT;
        self.pool.swap_remove(s);
        if last != item {
            self.slot[last as usize] = s as u32;
        }
        self.slot[item as usize] = u32::MAX;
        self.items[item as usize].state = state;
    }

    pub fn reserve(&mut self, item: u32) {
        self.remove(item, State::Reserved);
    }

    /// Marks an item sold; reserved items were already off the rail.
    pub fn sell(&mut self, item: u32) {
        match self.items[item as usize].state {
            State::Available if self.items[item as usize].is_one_of_a_kind() => self.remove(item, State::Sold),
            State::Reserved => self.items[item as usize].state = State::Sold,
            _ => {}
        }
    }

    /// A random item on the rail; outerwear is twice as likely to sell in its season.
    pub fn pick_for_sale(&self, month: u32, rng: &mut Rng) -> Option<u32> {
        if self.pool.is_empty() {
            return None;
        }
        let boost = super::model::OUTERWEAR_MONTHS.contains(&month);
        for _ in 0..3 {
            let entry = rng.pick(&self.pool);
            let weight = if (entry & OUTERWEAR_BIT != 0) == boost { 1.0 } else { 0.5 };
            if rng.chance(weight) {
                return Some(entry & !OUTERWEAR_BIT);
            }
        }
        Some(rng.pick(&self.pool) & !OUTERWEAR_BIT)
    }

    /// Up to `k` distinct items on the rail, for a post to feature.
    pub fn pick_featured(&self, k: usize, rng: &mut Rng) -> Vec<u32> {
        rng.sample_indices(self.pool.len(), k).into_iter().map(|s| self.pool[s] & !OUTERWEAR_BIT).collect()
    }

    pub fn pick_deadstock(&self, rng: &mut Rng) -> Option<u32> {
        (!self.deadstock.is_empty()).then(|| rng.pick(&self.deadstock))
    }

    pub fn has_stock(&self) -> bool {
        !self.pool.is_empty()
    }

    pub fn is_available(&self, item: u32) -> bool {
        self.items[item as usize].state == State::Available
    }

    /// Writes inventory_items. At benchmark scale this is the biggest file (8 million rows,
    /// 3 GB at a million posts) and it can only be written once the simulation is over, so
    /// two threads format it: this one the even blocks of rows, a helper the odd ones,
    /// and this one writes them all in order. The bytes are those of one thread.
    pub fn write(&self, dir: &Path) -> io::Result<FileSummary> {
        const BLOCK_ROWS: usize = 1 << 14;
        let mut w = CsvWriter::create(dir, "inventory_items", &HEADER)?;
        let blocks: Vec<&[Item]> = self.items.chunks(BLOCK_ROWS).collect();
        let format = |b: usize| -> io::Result<CsvWriter> {
            let mut rows = CsvWriter::block();
            let mut scratch = String::new();
            for (k, it) in blocks[b].iter().enumerate() {
                write_item(&mut rows, (b * BLOCK_ROWS + k + 1) as i64, it, &mut scratch)?;
            }
            Ok(rows)
        };
        let (n, format) = (blocks.len(), &format);
        std::thread::scope(|s| {
            // Two blocks in flight at most: memory stays a few megabytes.
            let (tx, rx) = std::sync::mpsc::sync_channel(2);
            s.spawn(move || {
                for b in (1..n).step_by(2) {
                    if tx.send(format(b)).is_err() {
                        break; // the writer stopped on an error
                    }
                }
            });
            for b in 0..n {
                let rows =
                    if b % 2 == 0 { format(b)? } else { rx.recv().expect("the helper sends every odd block")? };
                w.append(rows)?;
            }
            Ok::<(), io::Error>(())
        })?;
        w.finish()
    }
}

const HEADER: [&str; 28] = [
    "item_id",
    "sku",
    "item_name",
    "brand",
    "category",
    "subcategory",
    "era_decade",
    "size",
    "chest_inches",
    "waist_inches",
    "length_inches",
    "condition_rating",
    "condition_notes",
    "material",
    "color_primary",
    "color_secondary",
    "pattern",
    "cost_price",
    "selling_price",
    "suggested_retail_price",
    "source",
    "acquisition_date",
    "acquisition_location",
    "is_one_of_a_kind",
    "weight_grams",
    "photo_urls",
    "tags",
    "status",
];

/// Writes one inventory row; `scratch` is space for the joined lists, reused across rows (this runs once
/// per item, millions of times at benchmark scale).
fn write_item(w: &mut CsvWriter, id: i64, it: &Item, scratch: &mut String) -> io::Result<()> {
    let year = calendar::civil_from_days(i64::from(it.acquired_day)).0;
    let sku = format!("CC-{year}-{id:05}");
    scratch.clear();
    it.push_name(scratch);
    let c = &cat::CATEGORIES[it.category as usize];
    w.int(id).str(&sku).str(scratch).str(cat::BRANDS[it.brand as usize].0).str(c.name);
    w.str(c.subcategories[it.subcategory as usize]).str(cat::ERAS[it.era as usize].0).str(size_name(it.size));
    for m in it.measurements {
        w.opt_int((m > 0).then_some(i64::from(m)));
    }
    w.int(i64::from(it.condition)).opt_str(condition_note(it.condition_note)).str(cat::MATERIALS[it.material as usize]);
    let second = (it.colours[1] != NONE).then(|| cat::COLOURS[it.colours[1] as usize]);
    w.str(cat::COLOURS[it.colours[0] as usize]).opt_str(second);
    let (cost, price) = (i64::from(it.cost_cents), i64::from(it.price_cents));
    w.str(cat::PATTERNS[it.pattern as usize]).money(cost).money(price).money((price * 115 / 100 + 499) / 500 * 500);
    w.str(cat::SOURCES[it.source as usize].0).date(i64::from(it.acquired_day));
    w.str(cat::SOURCE_TOWNS[it.acquired_in as usize]).bool(it.is_one_of_a_kind()).int(i64::from(it.weight));
    scratch.clear();
    for k in 1..=it.photos {
        if k > 1 {
            scratch.push(';');
        }
        scratch.push_str("https://cdn.example.com/curatedcloset/");
        scratch.push_str(&sku);
        scratch.push('-');
        scratch.push(char::from(b'0' + k)); // 1–5 photos
        scratch.push_str(".jpg");
    }
    w.str(scratch);
    scratch.clear();
    for (k, t) in it.tags.iter().take_while(|t| **t != NONE).enumerate() {
        if k > 0 {
            scratch.push(';');
        }
        scratch.push_str(cat::STYLES[*t as usize]);
    }
    let status = match it.state {
        State::Sold => "sold",
        State::Reserved => "reserved",
        State::Available | State::Incoming => "available",
    };
    w.str(scratch).str(status);
    w.end_row()
}
