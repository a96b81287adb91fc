//! Tests that the business tables agree: order totals, payments and fees, customers'
//! running totals, market results and social attribution, at the demo's size and scaled
//! up (where markets grow differently, see `shop::market_growth`).

use std::collections::{HashMap, HashSet};

use super::testkit::{day, default_data, scaled_up, timestamp, Data, Table};

type Row = Vec<Option<String>>;
/// Per market day: sales, transactions, fees, new customers.
type EventSums = (i64, i64, i64, HashSet<i64>);

fn index_by<'a>(t: &'a Table, key: &str) -> HashMap<i64, &'a Row> {
    t.rows.iter().map(|r| (t.int(r, key), r)).collect()
}

fn fee(method: &str, online: bool, amount: i64) -> i64 {
    match (method, online) {
        ("cash" | "e_transfer", _) => 0,
        (_, false) => (2 * amount * 265 + 10_000) / 20_000,
        (_, true) => (2 * amount * 290 + 10_000) / 20_000 + 30,
    }
}

fn check_order_totals_payments_and_fees_add_up(d: &Data) {
    let (o, l, p) = (d.t("orders"), d.t("order_items"), d.t("payments"));
    let mut line_sum: HashMap<i64, i64> = HashMap::new();
    for r in &l.rows {
        *line_sum.entry(l.int(r, "order_id")).or_default() += l.cents(r, "total_price");
    }
    let mut paid: HashMap<i64, (i64, usize)> = HashMap::new();
    let orders = index_by(o, "order_id");
    for r in &p.rows {
        let order = orders[&p.int(r, "order_id")];
        let (amount, method) = (p.cents(r, "amount"), p.get(r, "payment_method"));
        let online = o.get(order, "order_source") != "in_person";
        assert_eq!(p.cents(r, "processing_fee"), fee(method, online, amount), "fee for {method}");
        assert_eq!(p.cents(r, "net_amount"), amount - p.cents(r, "processing_fee"));
        assert!(timestamp(p.get(r, "payment_date")) >= timestamp(o.get(order, "order_date")));
        let e = paid.entry(p.int(r, "order_id")).or_default();
        e.0 += amount;
        e.1 += 1;
    }
    let mut last_ts = 0;
    for r in &o.rows {
        let id = o.int(r, "order_id");
        let (sub, disc, tax, tip) =
            (o.cents(r, "subtotal"), o.cents(r, "discount_amount"), o.cents(r, "tax_amount"), o.cents(r, "tip_amount"));
        assert_eq!(sub, line_sum[&id], "order {id} subtotal");
        assert_eq!(tax, (2 * (sub - disc) * 13 + 100) / 200, "order {id} HST");
        assert_eq!(o.cents(r, "total_amount"), sub - disc + tax + tip);
        assert_eq!(paid[&id].0, o.cents(r, "total_amount"), "order {id} payments");
        assert_eq!(paid[&id].1 > 1, o.get(r, "payment_method") == "split");
        let ts = timestamp(o.get(r, "order_date"));
        assert!(ts >= last_ts, "order ids follow time");
        last_ts = ts;
    }
}

fn check_customer_totals_and_dates_match_their_orders(d: &Data) {
    let (c, o) = (d.t("customers"), d.t("orders"));
    let mut agg: HashMap<i64, (i64, i64, i64, i64)> = HashMap::new();
    for r in &o.rows {
        if let Some(cid) = o.opt(r, "customer_id") {
            let dd = day(&o.get(r, "order_date")[..10]);
            let e = agg.entry(cid.parse().unwrap()).or_insert((0, 0, i64::MAX, i64::MIN));
            *e = (e.0 + 1, e.1 + o.cents(r, "total_amount"), e.2.min(dd), e.3.max(dd));
        }
    }
    let mut never = 0;
    for r in &c.rows {
        let id = c.int(r, "customer_id");
        match agg.get(&id) {
            Some(&(n, spent, first, last)) => {
                assert_eq!((c.int(r, "total_orders"), c.cents(r, "total_spent")), (n, spent), "customer {id}");
                assert_eq!(c.cents(r, "average_order_value"), (2 * spent + n) / (2 * n));
                assert_eq!((day(c.get(r, "first_purchase_date")), day(c.get(r, "last_purchase_date"))), (first, last));
            }
            None => {
                never += 1;
                assert_eq!(c.int(r, "total_orders"), 0);
                assert!(c.opt(r, "first_purchase_date").is_none() && c.opt(r, "average_order_value").is_none());
            }
        }
    }
    assert!(never > 0, "some customers never bought");
    let emails: HashSet<&str> = c.column("email").into_iter().map(Option::unwrap).collect();
    assert_eq!(emails.len(), c.rows.len(), "emails unique");
}

fn check_market_results_match_their_orders(d: &Data) {
    let (m, o, loc, c) = (d.t("market_performance"), d.t("orders"), d.t("locations"), d.t("customers"));
    let fees = index_by(loc, "location_id");
    let mut pay_fees: HashMap<i64, i64> = HashMap::new();
    let p = d.t("payments");
    for r in &p.rows {
        *pay_fees.entry(p.int(r, "order_id")).or_default() += p.cents(r, "processing_fee");
    }
    // Each customer's first order (ids are chronological).
    let mut first_order: HashMap<i64, i64> = HashMap::new();
    for r in &o.rows {
        if let Some(cid) = o.opt(r, "customer_id") {
            first_order.entry(cid.parse().unwrap()).or_insert(o.int(r, "order_id"));
        }
    }
    assert_eq!(first_order.len(), c.rows.iter().filter(|r| c.int(r, "total_orders") > 0).count());
    let mut by_event: HashMap<(i64, i64), EventSums> = HashMap::new();
    for r in o.rows.iter().filter(|r| o.get(r, "order_source") == "in_person") {
        let key = (o.int(r, "location_id"), day(&o.get(r, "order_date")[..10]));
        let e = by_event.entry(key).or_default();
        e.0 += o.cents(r, "subtotal") - o.cents(r, "discount_amount");
        e.1 += 1;
        e.2 += pay_fees[&o.int(r, "order_id")];
        if let Some(cid) = o.opt(r, "customer_id").map(|s| s.parse::<i64>().unwrap()) {
            if first_order[&cid] == o.int(r, "order_id") {
                e.3.insert(cid);
            }
        }
    }
    let mut seen = 0;
    for r in &m.rows {
        let key = (m.int(r, "location_id"), day(m.get(r, "market_date")));
        let (sales, n, f, new) = by_event.get(&key).cloned().unwrap_or_default();
        seen += usize::from(n > 0);
        assert_eq!(
            (m.cents(r, "total_sales"), m.int(r, "total_transactions"), m.cents(r, "payment_fees")),
            (sales, n, f)
        );
        assert_eq!(m.cents(r, "booth_cost"), loc.cents(fees[&key.0], "market_fee"));
        let net = sales - m.cents(r, "booth_cost") - m.cents(r, "travel_expenses") - f;
        assert_eq!(m.cents(r, "net_profit"), net);
        assert_eq!(m.int(r, "customer_acquisition_count"), new.len() as i64);
    }
    assert_eq!(seen, by_event.len(), "every in-person order belongs to a market row");
}

fn check_attributions_follow_their_posts_and_buy_a_featured_item(d: &Data) {
    let (a, o, p, f, l) = (
        d.t("social_media_attribution"),
        d.t("orders"),
        d.t("social_media_posts"),
        d.t("post_items_featured"),
        d.t("order_items"),
    );
    let (orders, posts) = (index_by(o, "order_id"), index_by(p, "post_id"));
    let featured: HashSet<(i64, i64)> = f.rows.iter().map(|r| (f.int(r, "post_id"), f.int(r, "item_id"))).collect();
    let mut kinds = HashSet::new();
    for r in &a.rows {
        let (order, post) = (orders[&a.int(r, "order_id")], posts[&a.int(r, "post_id")]);
        assert_eq!(o.get(order, "customer_id"), a.get(r, "customer_id"));
        let secs = timestamp(o.get(order, "order_date")) - timestamp(p.get(post, "posted_date"));
        assert!(secs > 0, "order after post");
        assert_eq!(a.int(r, "hours_to_purchase"), secs / 3600);
        let conf: f64 = a.get(r, "attribution_confidence").parse().unwrap();
        assert!((0.0..=1.0).contains(&conf));
        let bought = l.rows.iter().filter(|x| l.int(x, "order_id") == a.int(r, "order_id"));
        assert!(bought.into_iter().any(|x| featured.contains(&(a.int(r, "post_id"), l.int(x, "item_id")))));
        kinds.insert(a.get(r, "attribution_type").to_string());
    }
    assert_eq!(kinds.len(), 3, "all three attribution types appear: {kinds:?}");
}

#[test]
fn order_totals_payments_and_fees_add_up() {
    check_order_totals_payments_and_fees_add_up(default_data());
    check_order_totals_payments_and_fees_add_up(scaled_up());
}

#[test]
fn customer_totals_and_dates_match_their_orders() {
    check_customer_totals_and_dates_match_their_orders(default_data());
    check_customer_totals_and_dates_match_their_orders(scaled_up());
}

#[test]
fn market_results_match_their_orders() {
    check_market_results_match_their_orders(default_data());
    check_market_results_match_their_orders(scaled_up());
}

#[test]
fn attributions_follow_their_posts_and_buy_a_featured_item() {
    check_attributions_follow_their_posts_and_buy_a_featured_item(default_data());
    check_attributions_follow_their_posts_and_buy_a_featured_item(scaled_up());
}
