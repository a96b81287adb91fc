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

pub struct Item {
    pub name: String,
    pub brand: &'static str,
    pub category: usize,
    pub subcategory: &'static str,
    pub era: usize,
    pub size: &'static str,
    pub measurements: [Option<i64>; 3],
    pub condition: i64,
    pub condition_notes: Option<&'static str>,
    pub material: &'static str,
    pub colours: (&'static str, Option<&'static str>),
    pub pattern: &'static str,
    pub cost_cents: i64,
    pub price_cents: i64,
    pub source: &'static str,
    pub acquired_day: i64,
    pub acquired_in: &'static str,
    pub one_of_a_kind: bool,
    pub weight: i64,
    pub photos: i64,
    pub tags: Vec<&'static str>,
    pub state: State,
}

impl Item {
    pub fn is_outerwear(&self) -> bool {
        self.category == cat::OUTERWEAR
    }
    /// A caption-friendly description, e.g. "1970s fringed rust suede jacket, size M".
    pub fn describe(&self) -> String {
        let era = cat::ERAS[self.era].0;
        let name = self.name.to_lowercase();
        match cat::CATEGORIES[self.category].fit {
            Fit::OneSize => format!("{era} {name}"),
            _ => format!("{era} {name}, size {}", self.size),
        }
    }
}

pub struct Inventory {
    /// Sorted by acquisition day; item id = index + 1.
    pub items: Vec<Item>,
    /// Indices of one-of-a-kind items on the rail now, with each item's slot in it.
    pool: Vec<u32>,
    slot: Vec<u32>,
    next_arrival: usize,
    deadstock: Vec<u32>,
}

fn weighted_name(rng: &mut Rng, list: &[(&'static str, f64)]) -> usize {
    let w: Vec<f64> = list.iter().map(|x| x.1).collect();
    rng.weighted(&w)
}

fn size_and_measurements(fit: Fit, rng: &mut Rng) -> (&'static str, [Option<i64>; 3]) {
    match fit {
        Fit::Top => {
            let i = rng.below(5) as i64;
            (cat::LETTER_SIZES[i as usize], [Some(32 + 2 * i + rng.range(0, 2)), None, Some(rng.range(20, 46))])
        }
        Fit::Bottom => {
            let i = rng.below(5) as i64;
            (cat::WAIST_SIZES[i as usize], [None, Some(26 + 2 * i), Some(rng.range(36, 44))])
        }
        Fit::Shoe => (rng.pick(cat::SHOE_SIZES), [None, None, None]),
        Fit::OneSize => ("One Size", [None, None, None]),
    }
}

/// "Fringed rust suede jacket"; accessories and shoes skip the cut adjective.
fn item_name(fit: Fit, colour: &str, subcategory: &str, rng: &mut Rng) -> String {
    let what = subcategory.replace('_', " ");
    match fit {
        Fit::Top | Fit::Bottom => format!("{} {colour} {what}", rng.pick(cat::ADJECTIVES)),
        Fit::Shoe | Fit::OneSize => {
            let mut name = format!("{colour} {what}");
            name[..1].make_ascii_uppercase();
            name
        }
    }
}

fn build_item(rng: &mut Rng, acquired_day: i64) -> Item {
    let shares: Vec<f64> = cat::CATEGORIES.iter().map(|c| c.share).collect();
    let ci = rng.weighted(&shares);
    let c = &cat::CATEGORIES[ci];
    let subcategory = rng.pick(c.subcategories);
    let (size, measurements) = size_and_measurements(c.fit, rng);
    let colour = rng.pick(cat::COLOURS);
    let condition = [3, 4, 4, 4, 5, 5][rng.below(6) as usize];
    // Price: category range, nudged by condition, rounded to whole dollars.
    let dollars = rng.range(c.price.0, c.price.1) as f64 * (0.85 + 0.06 * (condition - 3) as f64);
    let price_cents = (dollars.round() as i64).max(8) * 100;
    let tag_count = rng.range(1, 3) as usize;
    let tags = rng.sample_indices(cat::STYLES.len(), tag_count);
    Item {
        name: item_name(c.fit, colour, subcategory, rng),
        brand: cat::BRANDS[weighted_name(rng, cat::BRANDS)].0,
        category: ci,
        subcategory,
        era: weighted_name(rng, cat::ERAS),
        size,
        measurements,
        condition,
        condition_notes: (condition < 5 && rng.chance(0.4)).then(|| rng.pick(cat::CONDITION_NOTES)),
        material: rng.pick(cat::MATERIALS),
        colours: (colour, rng.chance(0.3).then(|| rng.pick(cat::COLOURS)).filter(|c2| *c2 != colour)),
        pattern: rng.pick(cat::PATTERNS),
        cost_cents: (price_cents as f64 * rng.uniform(0.18, 0.35)).round() as i64,
        price_cents,
        source: cat::SOURCES[weighted_name(rng, cat::SOURCES)].0,
        acquired_day,
        acquired_in: rng.pick(cat::SOURCE_TOWNS),
        one_of_a_kind: true,
        weight: rng.range(c.weight.0, c.weight.1),
        photos: rng.range(1, 5),
        tags: tags.into_iter().map(|i| cat::STYLES[i]).collect(),
        state: State::Incoming,
    }
}

fn build_deadstock(rng: &mut Rng, k: usize, acquired_day: i64) -> Item {
    let (name, category, dollars) = cat::DEADSTOCK[k % cat::DEADSTOCK.len()];
    let mut item = build_item(rng, acquired_day);
    item.name = name.to_string();
    item.category = category;
    item.subcategory = cat::CATEGORIES[category].subcategories[0];
    item.size = "One Size";
    item.measurements = [None, None, None];
    item.condition = 5;
    item.condition_notes = Some("Deadstock, never worn");
    item.price_cents = dollars * 100;
    item.cost_cents = dollars * 30;
    item.era = 3; // sold as 90s-style stock
    item.one_of_a_kind = false;
    item
}

impl Inventory {
    pub fn build(period: &Period, scale: f64, rng: &mut Rng) -> Inventory {
        let n = (ITEMS_PER_SCALE * scale * period.days as f64 / 731.0).round().max(1.0) as usize;
        let trips = (period.days / SOURCING_EVERY).max(1);
        let mut items: Vec<Item> = (0..n)
            .map(|_| {
                let day = if rng.chance(OPENING_STOCK) {
                    period.start - rng.range(1, 150)
                } else {
                    period.start + rng.range(0, trips - 1) * SOURCING_EVERY + rng.range(0, 2)
                };
                build_item(rng, day)
            })
            .collect();
        let deadstock = cat::DEADSTOCK.len() * scale.ceil().max(1.0) as usize;
        items.extend((0..deadstock).map(|k| build_deadstock(rng, k, period.start - 30)));
        items.sort_by_key(|i| i.acquired_day);
        let len = items.len();
        Inventory { items, pool: Vec::new(), slot: vec![u32::MAX; len], next_arrival: 0, deadstock: Vec::new() }
    }

    /// Puts everything sourced up to `day` on the rail.
    pub fn arrive_until(&mut self, day: i64) {
        while self.next_arrival < self.items.len() && self.items[self.next_arrival].acquired_day <= day {
            let i = self.next_arrival;
            self.items[i].state = State::Available;
            if self.items[i].one_of_a_kind {
                self.slot[i] = self.pool.len() as u32;
                self.pool.push(i as u32);
            } else {
                self.deadstock.push(i as u32);
            }
            self.next_arrival += 1;
        }
    }

    /// Takes a one-of-a-kind item off the rail (sold or put on hold).
    fn remove(&mut self, item: u32, state: State) {
        let s = self.slot[item as usize] as usize;
        let last = *self.pool.last().expect("item on rail");
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
            State::Available if self.items[item as usize].one_of_a_kind => self.remove(item, State::Sold),
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
            let i = rng.pick(&self.pool);
            let weight = if self.items[i as usize].is_outerwear() == boost { 1.0 } else { 0.5 };
            if rng.chance(weight) {
                return Some(i);
            }
        }
        Some(rng.pick(&self.pool))
    }

    /// Up to `k` distinct items on the rail, for a post to feature.
    pub fn pick_featured(&self, k: usize, rng: &mut Rng) -> Vec<u32> {
        rng.sample_indices(self.pool.len(), k).into_iter().map(|s| self.pool[s]).collect()
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

    pub fn write(&self, dir: &Path) -> io::Result<FileSummary> {
        let mut w = CsvWriter::create(dir, "inventory_items", &HEADER)?;
        for (i, it) in self.items.iter().enumerate() {
            write_item(&mut w, i as i64 + 1, it)?;
        }
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

fn write_item(w: &mut CsvWriter, id: i64, it: &Item) -> io::Result<()> {
    let year = calendar::civil_from_days(it.acquired_day).0;
    let sku = format!("CC-{year}-{id:05}");
    let photos: Vec<String> =
        (1..=it.photos).map(|k| format!("https://cdn.example.com/curatedcloset/{sku}-{k}.jpg")).collect();
    let status = match it.state {
        State::Sold => "sold",
        State::Reserved => "reserved",
        State::Available | State::Incoming => "available",
    };
    w.int(id).str(&sku).str(&it.name).str(it.brand).str(cat::CATEGORIES[it.category].name).str(it.subcategory);
    w.str(cat::ERAS[it.era].0).str(it.size);
    for m in it.measurements {
        w.opt_int(m);
    }
    w.int(it.condition).opt_str(it.condition_notes).str(it.material).str(it.colours.0).opt_str(it.colours.1);
    w.str(it.pattern).money(it.cost_cents).money(it.price_cents).money((it.price_cents * 115 / 100 + 499) / 500 * 500);
    w.str(it.source).date(it.acquired_day).str(it.acquired_in).bool(it.one_of_a_kind).int(it.weight);
    w.str(&photos.join(";")).str(&it.tags.join(";")).str(status);
    w.end_row()
}
