//! Sales: turns an order draft into consistent orders, order_items and payments rows, and
//! tallies each market day into a market_performance row.
//!
//! All money is integer cents and every derived amount is computed once here, so the CSVs
//! satisfy, exactly: subtotal = Σ line total_price; tax = round(13 % × (subtotal − discount));
//! total = subtotal − discount + tax + tip; Σ payments = total; net = amount − fee.

use std::io;
use std::path::Path;

use super::csv::{CsvWriter, FileSummary};
use super::rng::Rng;
use super::shop::{Location, MarketEvent};

/// Ontario HST, in percent.
pub const HST_PERCENT: i64 = 13;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    InPerson,
    InstagramDm,
    Website,
    Phone,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::InPerson => "in_person",
            Source::InstagramDm => "instagram_dm",
            Source::Website => "website",
            Source::Phone => "phone",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Card,
    Cash,
    DigitalWallet,
    ETransfer,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Card => "card",
            Method::Cash => "cash",
            Method::DigitalWallet => "digital_wallet",
            Method::ETransfer => "e_transfer",
        }
    }
}

/// `x × num / den` rounded half up, for non-negative amounts in cents.
pub fn round_div(x: i64, num: i64, den: i64) -> i64 {
    (2 * x * num + den) / (2 * den)
}

/// Card-processor fees: 2.65 % tapped or swiped in person, 2.9 % + 30 ¢ online (card
/// or wallet); cash and Interac e-Transfer cost nothing.
pub fn processing_fee(method: Method, online: bool, amount_cents: i64) -> i64 {
    match (method, online) {
        (Method::Cash | Method::ETransfer, _) => 0,
        (_, false) => round_div(amount_cents, 265, 10_000),
        (_, true) => round_div(amount_cents, 290, 10_000) + 30,
    }
}

pub struct Line {
    pub item: u32,
    pub quantity: i64,
    pub unit_cents: i64,
    /// Haggled off this line at a market.
    pub discount_cents: i64,
}

impl Line {
    pub fn total(&self) -> i64 {
        self.quantity * self.unit_cents - self.discount_cents
    }
}

pub struct Draft {
    pub ts: i64,
    pub customer: Option<u32>,
    pub location: usize,
    pub source: Source,
    pub lines: Vec<Line>,
    /// Order-level discount in percent (bundle deals, promo codes).
    pub discount_percent: i64,
    pub tip_cents: i64,
    /// One method, or two for a split payment.
    pub methods: Vec<Method>,
    pub staff: &'static str,
    pub notes: Option<&'static str>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub subtotal: i64,
    pub discount: i64,
    pub tax: i64,
    pub tip: i64,
    pub total: i64,
}

pub fn totals(d: &Draft) -> Totals {
    let subtotal: i64 = d.lines.iter().map(Line::total).sum();
    let discount = round_div(subtotal, d.discount_percent, 100);
    let tax = round_div(subtotal - discount, HST_PERCENT, 100);
    let tip = d.tip_cents;
    Totals { subtotal, discount, tax, tip, total: subtotal - discount + tax + tip }
}

/// What one written order contributed, for customer and market tallies.
pub struct Written {
    pub order_id: i64,
    pub totals: Totals,
    pub fees_cents: i64,
    pub items: i64,
}

pub struct SalesWriter {
    orders: CsvWriter,
    lines: CsvWriter,
    payments: CsvWriter,
    rng: Rng,
}

impl SalesWriter {
    pub fn create(dir: &Path, rng: Rng) -> io::Result<Self> {
        Ok(SalesWriter {
            orders: CsvWriter::create(
                dir,
                "orders",
                &[
                    "order_id",
                    "customer_id",
                    "location_id",
                    "order_date",
                    "order_status",
                    "subtotal",
                    "tax_amount",
                    "discount_amount",
                    "tip_amount",
                    "total_amount",
                    "payment_method",
                    "order_source",
                    "staff_member",
                    "notes",
                ],
            )?,
            lines: CsvWriter::create(
                dir,
                "order_items",
                &["order_item_id", "order_id", "item_id", "quantity", "unit_price", "discount_amount", "total_price"],
            )?,
            payments: CsvWriter::create(
                dir,
                "payments",
                &[
                    "payment_id",
                    "order_id",
                    "payment_date",
                    "amount",
                    "payment_method",
                    "payment_status",
                    "processing_fee",
                    "net_amount",
                ],
            )?,
            rng,
        })
    }

    /// Writes one order with its lines and payments; ids follow write order, which the
    /// simulation keeps chronological.
    pub fn write(&mut self, d: &Draft) -> io::Result<Written> {
        let t = totals(d);
        let order_id = self.orders.rows() as i64 + 1;
        let method = if d.methods.len() > 1 { "split" } else { d.methods[0].as_str() };
        let w = &mut self.orders;
        w.int(order_id).opt_int(d.customer.map(|c| i64::from(c) + 1)).int(d.location as i64 + 1).timestamp(d.ts);
        w.str("completed").money(t.subtotal).money(t.tax).money(t.discount).money(t.tip).money(t.total);
        w.str(method).str(d.source.as_str()).str(d.staff).opt_str(d.notes).end_row()?;
        for l in &d.lines {
            let w = &mut self.lines;
            w.int(w.rows() as i64 + 1).int(order_id).int(i64::from(l.item) + 1).int(l.quantity);
            w.money(l.unit_cents).money(l.discount_cents).money(l.total()).end_row()?;
        }
        let fees_cents = self.write_payments(d, order_id, t.total)?;
        Ok(Written { order_id, totals: t, fees_cents, items: d.lines.iter().map(|l| l.quantity).sum() })
    }

    /// Splits the total over the draft's methods; returns the summed fees.
    fn write_payments(&mut self, d: &Draft, order_id: i64, total: i64) -> io::Result<i64> {
        let first =
            if d.methods.len() > 1 { (total as f64 * self.rng.uniform(0.3, 0.7)).round() as i64 } else { total };
        let mut fees = 0;
        for (k, m) in d.methods.iter().enumerate() {
            let amount = if k == 0 { first } else { total - first };
            let fee = processing_fee(*m, d.source != Source::InPerson, amount);
            // An e-Transfer lands a few hours after the DM order is agreed.
            let delay = if *m == Method::ETransfer { self.rng.range(5 * 60, 6 * 3600) } else { 0 };
            let w = &mut self.payments;
            w.int(w.rows() as i64 + 1).int(order_id).timestamp(d.ts + delay).money(amount).str(m.as_str());
            w.str("completed").money(fee).money(amount - fee).end_row()?;
            fees += fee;
        }
        Ok(fees)
    }

    pub fn finish(self) -> io::Result<Vec<FileSummary>> {
        Ok(vec![self.orders.finish()?, self.lines.finish()?, self.payments.finish()?])
    }
}

/// Running totals of one market day, filled as its orders are written.
#[derive(Default)]
pub struct MarketTally {
    /// Σ (subtotal − discount): merchandise sales net of discounts, before HST and tips
    /// (HST is collected for the government, tips are not sales).
    pub sales_cents: i64,
    pub transactions: i64,
    pub items: i64,
    pub fees_cents: i64,
    pub new_customers: i64,
}

impl MarketTally {
    pub fn add(&mut self, w: &Written, new_customer: bool) {
        self.sales_cents += w.totals.subtotal - w.totals.discount;
        self.transactions += 1;
        self.items += w.items;
        self.fees_cents += w.fees_cents;
        self.new_customers += i64::from(new_customer);
    }
}

pub fn market_writer(dir: &Path) -> io::Result<CsvWriter> {
    CsvWriter::create(
        dir,
        "market_performance",
        &[
            "performance_id",
            "location_id",
            "market_date",
            "total_sales",
            "total_transactions",
            "items_sold",
            "average_transaction_value",
            "foot_traffic_estimate",
            "weather",
            "competitor_count",
            "booth_cost",
            "travel_expenses",
            "payment_fees",
            "net_profit",
            "customer_acquisition_count",
            "notes",
        ],
    )
}

fn market_note(ev: &MarketEvent, net: i64) -> Option<&'static str> {
    match ev.weather {
        "rain" => Some("Rain most of the day; packed up early"),
        "snow" => Some("Snow kept the crowds away"),
        "hot" => Some("Heat wave, busy only in the evening"),
        _ if net < 0 => Some("Did not cover costs"),
        _ => None,
    }
}

/// net_profit = total_sales − booth_cost − travel_expenses − payment_fees.
pub fn write_market(w: &mut CsvWriter, ev: &MarketEvent, loc: &Location, t: &MarketTally) -> io::Result<()> {
    let net = t.sales_cents - loc.fee_cents - ev.travel_cents - t.fees_cents;
    let avg = (t.transactions > 0).then(|| (2 * t.sales_cents + t.transactions) / (2 * t.transactions));
    w.int(w.rows() as i64 + 1).int(ev.location as i64 + 1).date(ev.day).money(t.sales_cents).int(t.transactions);
    w.int(t.items).opt_money(avg).int(ev.foot_traffic).str(ev.weather).int(ev.competitors).money(loc.fee_cents);
    w.money(ev.travel_cents).money(t.fees_cents).money(net).int(t.new_customers).opt_str(market_note(ev, net));
    w.end_row()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_fees_are_exact() {
        let d = Draft {
            ts: 0,
            customer: None,
            location: 0,
            source: Source::InPerson,
            lines: vec![
                Line { item: 0, quantity: 1, unit_cents: 4800, discount_cents: 300 },
                Line { item: 1, quantity: 2, unit_cents: 1200, discount_cents: 0 },
            ],
            discount_percent: 10,
            tip_cents: 200,
            methods: vec![Method::Card],
            staff: "Elise",
            notes: None,
        };
        let t = totals(&d);
        assert_eq!(t.subtotal, 6900);
        assert_eq!(t.discount, 690);
        assert_eq!(t.tax, 807); // 13 % of 62.10 = 8.073
        assert_eq!(t.total, 6900 - 690 + 807 + 200);
        assert_eq!(processing_fee(Method::Card, false, 10_000), 265);
        assert_eq!(processing_fee(Method::Card, true, 10_000), 320);
        assert_eq!(processing_fee(Method::Cash, false, 10_000), 0);
        assert_eq!(round_div(5, 1, 10), 1); // 0.5 rounds up
    }
}
