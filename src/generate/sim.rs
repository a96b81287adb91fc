//! The day-by-day simulation that ties the shop and its social accounts together.
//!
//! Each day's events (posts, market sales, online orders, and purchases set in motion by
//! earlier posts) are processed in time order, so an item is always on the rail when it
//! is featured or sold, an attributed order always follows its post, and order ids are
//! chronological. Only that day's events and the pending intents are held in memory.

use std::io;

use super::calendar::{self, at};
use super::catalog as cat;
use super::csv::CsvWriter;
use super::customers::Customers;
use super::inventory::Inventory;
use super::model::{self, AttributionType, Platform};
use super::rng::Rng;
use super::sales::{self, Draft, Line, MarketTally, Method, SalesWriter, Source, Written};
use super::shop::{Location, MarketEvent};
use super::social::{Intent, Social};
use super::Period;

/// Unattributed online orders per day per unit of scale, before the monthly season factor.
const ONLINE_PER_DAY: f64 = 0.14;
/// Market buyers who give no name (cash, in a hurry): orders without a customer_id.
const MARKET_ANONYMOUS: f64 = 0.3;
/// Of the named buyers, how many are new to the shop.
const MARKET_NEW: f64 = 0.7;
const ONLINE_NEW: f64 = 0.45;
/// How buyers met the shop, by the channel of their first purchase.
const MARKET_SOURCES: [(&str, f64); 5] =
    [("walk_by", 0.55), ("word_of_mouth", 0.25), ("referral", 0.10), ("instagram", 0.06), ("tiktok", 0.04)];
const ONLINE_SOURCES: [(&str, f64); 4] =
    [("instagram", 0.45), ("tiktok", 0.2), ("word_of_mouth", 0.2), ("referral", 0.15)];
/// When online orders arrive, by hour.
const ONLINE_HOURS: [f64; 24] = [
    0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.6, 0.8, 1.0, 1.0, 1.0, 1.2, 1.1, 1.0, 1.0, 1.0, 1.2, 1.5, 1.8, 2.0, 2.0, 1.5,
    0.8,
];
const ONLINE_NOTES: [&str; 4] = ["Gift wrapped", "Local pickup", "Ships to Ottawa", "Bundle with earlier order"];

enum Kind {
    Post,
    Market(usize),
    Online,
}

pub struct Sim {
    period: Period,
    scale: f64,
    locations: Vec<Location>,
    markets: Vec<MarketEvent>,
    next_market: usize,
    inv: Inventory,
    customers: Customers,
    social: Social,
    sales: SalesWriter,
    market_w: CsvWriter,
    rng: Rng,
    schedule: Vec<u32>,
    tallies: Vec<(usize, MarketTally)>,
}

fn pick_source(rng: &mut Rng, list: &[(&'static str, f64)]) -> &'static str {
    list[rng.weighted_by(list, |x| x.1)].0
}

fn in_person_methods(rng: &mut Rng) -> Vec<Method> {
    match rng.weighted(&[0.35, 0.42, 0.20, 0.03]) {
        0 => vec![Method::Cash],
        1 => vec![Method::Card],
        2 => vec![Method::DigitalWallet],
        _ => vec![Method::Cash, Method::Card],
    }
}

fn online_methods(source: Source, rng: &mut Rng) -> Vec<Method> {
    match source {
        Source::Website if rng.chance(0.25) => vec![Method::DigitalWallet],
        Source::InstagramDm if rng.chance(0.7) => vec![Method::ETransfer],
        _ => vec![Method::Card],
    }
}

/// Everything `Sim::new` needs besides the writers' folder.
pub struct Parts {
    pub period: Period,
    pub scale: f64,
    pub locations: Vec<Location>,
    pub markets: Vec<MarketEvent>,
    pub inv: Inventory,
    pub customers: Customers,
    pub social: Social,
    pub sales: SalesWriter,
    pub market_w: CsvWriter,
    pub rng: Rng,
    pub schedule: Vec<u32>,
}

impl Sim {
    pub fn new(p: Parts) -> Self {
        Sim {
            period: p.period,
            scale: p.scale,
            locations: p.locations,
            markets: p.markets,
            next_market: 0,
            inv: p.inv,
            customers: p.customers,
            social: p.social,
            sales: p.sales,
            market_w: p.market_w,
            rng: p.rng,
            schedule: p.schedule,
            tallies: Vec::new(),
        }
    }

    pub fn run(&mut self) -> io::Result<()> {
        for d in 0..self.period.days {
            self.day(self.period.start + d)?;
        }
        Ok(())
    }

    pub fn finish(self) -> io::Result<(Vec<super::csv::FileSummary>, SmallTables)> {
        let mut files = self.sales.finish()?;
        files.extend(self.social.finish()?);
        files.push(self.market_w.finish()?);
        Ok((files, SmallTables { locations: self.locations, inv: self.inv, customers: self.customers }))
    }

    fn day(&mut self, day: i64) -> io::Result<()> {
        self.inv.arrive_until(day);
        let mut events: Vec<(i64, u8, Kind)> = Vec::new();
        for _ in 0..self.schedule[(day - self.period.start) as usize] {
            events.push((self.social.post_time(day), 0, Kind::Post));
        }
        while self.next_market < self.markets.len() && self.markets[self.next_market].day == day {
            let m = &self.markets[self.next_market];
            for _ in 0..self.rng.poisson(m.foot_traffic as f64 * m.conversion) {
                events.push((at(day, 10, 0, 0) + self.rng.range(0, 7 * 3600 - 1), 1, Kind::Market(self.next_market)));
            }
            self.tallies.push((self.next_market, MarketTally::default()));
            self.next_market += 1;
        }
        let season = model::MONTH_EFFECT[calendar::month(day) as usize - 1];
        for _ in 0..self.rng.poisson(ONLINE_PER_DAY * self.scale * season) {
            let ts = at(day, self.rng.weighted(&ONLINE_HOURS) as i64, self.rng.range(0, 59), self.rng.range(0, 59));
            events.push((ts, 2, Kind::Online));
        }
        events.sort_by_key(|e| (e.0, e.1));
        for (ts, _, kind) in events {
            self.fire_intents(ts)?;
            match kind {
                Kind::Post => self.social.publish(ts, &mut self.inv, &self.period)?,
                Kind::Market(i) => self.market_sale(ts, i)?,
                Kind::Online => self.online_sale(ts)?,
            }
        }
        self.fire_intents(at(day + 1, 0, 0, 0) - 1)?;
        for (i, t) in std::mem::take(&mut self.tallies) {
            let ev = &self.markets[i];
            sales::write_market(&mut self.market_w, ev, &self.locations[ev.location], &t)?;
        }
        Ok(())
    }

    /// A line for a one-of-a-kind item, marking it sold; at markets some prices are haggled
    /// down to a round $5 below 85 %.
    fn sell_line(&mut self, item: u32, haggle: bool) -> Line {
        self.inv.sell(item);
        let unit = i64::from(self.inv.items[item as usize].price_cents);
        let discount = if haggle { unit - unit * 85 / 100 / 500 * 500 } else { 0 };
        Line { item, quantity: 1, unit_cents: unit, discount_cents: discount }
    }

    fn pick_lines(&mut self, n: usize, month: u32, haggle_p: f64) -> Vec<Line> {
        let mut lines = Vec::new();
        for _ in 0..n {
            if let Some(item) = self.inv.pick_for_sale(month, &mut self.rng) {
                let haggle = self.rng.chance(haggle_p);
                lines.push(self.sell_line(item, haggle));
            }
        }
        lines
    }

    /// An existing customer, or a new one acquired through `source` (returns is_new).
    fn customer(&mut self, p_new: f64, source: &'static str) -> (u32, bool) {
        if !self.rng.chance(p_new) {
            if let Some(c) = self.customers.pick_repeat(&mut self.rng) {
                return (c, false);
            }
        }
        (self.customers.create(source, &self.period), true)
    }

    fn commit(&mut self, d: &Draft) -> io::Result<Written> {
        let w = self.sales.write(d)?;
        if let Some(c) = d.customer {
            self.customers.record_order(c, calendar::day_of(d.ts), w.totals.total);
        }
        Ok(w)
    }

    fn market_sale(&mut self, ts: i64, market: usize) -> io::Result<()> {
        if !self.inv.has_stock() {
            return Ok(()); // sold out: the visitor leaves without buying
        }
        let month = calendar::month(calendar::day_of(ts));
        let named = !self.rng.chance(MARKET_ANONYMOUS);
        let (customer, is_new) = if named {
            let src = pick_source(&mut self.rng, &MARKET_SOURCES);
            let (c, n) = self.customer(MARKET_NEW, src);
            (Some(c), n)
        } else {
            (None, false)
        };
        let reseller = customer.is_some_and(|c| self.customers.kind_of(c) == "reseller");
        let n = if reseller {
            self.rng.range(2, 4)
        } else {
            1 + i64::from(self.rng.chance(0.3)) + i64::from(self.rng.chance(0.08))
        };
        let mut lines = self.pick_lines(n as usize, month, 0.12);
        if self.rng.chance(0.12) {
            if let Some(item) = self.inv.pick_deadstock(&mut self.rng) {
                let unit = i64::from(self.inv.items[item as usize].price_cents);
                lines.push(Line { item, quantity: self.rng.range(1, 3), unit_cents: unit, discount_cents: 0 });
            }
        }
        let methods = in_person_methods(&mut self.rng);
        let tip = if methods[0] != Method::Cash && self.rng.chance(0.15) { self.rng.range(1, 5) * 100 } else { 0 };
        let d = Draft {
            ts,
            customer,
            location: self.markets[market].location,
            source: Source::InPerson,
            discount_percent: if reseller && lines.len() >= 2 { 10 } else { 0 },
            notes: (reseller && lines.len() >= 2).then_some("Reseller bundle, 10% off"),
            lines,
            tip_cents: tip,
            methods,
            staff: self.rng.pick(cat::STAFF),
        };
        let w = self.commit(&d)?;
        if let Some(t) = self.tallies.iter_mut().find(|t| t.0 == market) {
            t.1.add(&w, is_new);
        }
        Ok(())
    }

    fn online_draft(&mut self, ts: i64, source: Source, customer: u32, lines: Vec<Line>, promo: bool) -> Draft {
        Draft {
            ts,
            customer: Some(customer),
            location: self.locations.len() - 1,
            source,
            lines,
            discount_percent: if promo { 15 } else { 0 },
            tip_cents: 0,
            methods: online_methods(source, &mut self.rng),
            staff: "Elise",
            notes: if promo {
                Some("Promo code SAVE15")
            } else if self.rng.chance(0.1) {
                Some(self.rng.pick(&ONLINE_NOTES))
            } else {
                None
            },
        }
    }

    fn online_sale(&mut self, ts: i64) -> io::Result<()> {
        let month = calendar::month(calendar::day_of(ts));
        let n = if self.rng.chance(0.2) { 2 } else { 1 };
        let lines = self.pick_lines(n, month, 0.0);
        if lines.is_empty() {
            return Ok(());
        }
        let source = [Source::Website, Source::InstagramDm, Source::Phone][self.rng.weighted(&[0.55, 0.30, 0.15])];
        let src = pick_source(&mut self.rng, &ONLINE_SOURCES);
        let (customer, _) = self.customer(ONLINE_NEW, src);
        let promo = source == Source::Website && self.rng.chance(0.15);
        let d = self.online_draft(ts, source, customer, lines, promo);
        self.commit(&d)?;
        Ok(())
    }

    fn fire_intents(&mut self, until: i64) -> io::Result<()> {
        while self.social.intents.peek().is_some_and(|i| i.due <= until) {
            let intent = self.social.intents.pop().expect("peeked");
            self.intent_sale(&intent)?;
        }
        Ok(())
    }

    /// The purchase a post caused: the held item, sometimes with one more from the rail.
    fn intent_sale(&mut self, i: &Intent) -> io::Result<()> {
        let month = calendar::month(calendar::day_of(i.due));
        let mut lines = vec![self.sell_line(i.item, false)];
        if self.rng.chance(0.15) {
            lines.extend(self.pick_lines(1, month, 0.0));
        }
        let source = match (i.kind, i.platform) {
            (AttributionType::CommentInquiry, _) => Source::InstagramDm,
            (AttributionType::ClickThrough, _) => Source::Website,
            (_, Platform::Instagram) if self.rng.chance(0.4) => Source::InstagramDm,
            _ => Source::Website,
        };
        let (customer, _) = self.customer(model::INTENT_NEW_CUSTOMER, i.platform.as_str());
        let d = self.online_draft(i.due, source, customer, lines, false);
        let w = self.commit(&d)?;
        self.social.write_attribution(customer, w.order_id, i)
    }
}

/// What is left after the streams are closed: the small tables written last.
pub struct SmallTables {
    pub locations: Vec<Location>,
    pub inv: Inventory,
    pub customers: Customers,
}
