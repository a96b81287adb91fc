//! Tests of the generated files: determinism, counts, formats, snapshots and item sales.

use std::collections::{HashMap, HashSet};

use super::testkit::{cents, day, default_data, many_posts, read, scaled_up, scratch_dir, timestamp, Data, Table};
use crate::generate::{generate, Options, TABLES};

type Row = Vec<Option<String>>;

fn index_by<'a>(t: &'a Table, key: &str) -> HashMap<i64, &'a Row> {
    t.rows.iter().map(|r| (t.int(r, key), r)).collect()
}

#[test]
fn same_options_give_identical_bytes() {
    let opts = Options { seed: 11, ..Options::default() };
    let (a, b) = (scratch_dir("det-a"), scratch_dir("det-b"));
    let sa = generate(&opts, &a).unwrap();
    let sb = generate(&opts, &b).unwrap();
    assert_eq!(sa, sb);
    for t in TABLES {
        let f = format!("{t}.csv");
        assert_eq!(std::fs::read(a.join(&f)).unwrap(), std::fs::read(b.join(&f)).unwrap(), "{f} differs");
    }
    let c = scratch_dir("det-c");
    generate(&Options { seed: 12, ..opts }, &c).unwrap();
    assert_ne!(std::fs::read(a.join("orders.csv")).unwrap(), std::fs::read(c.join("orders.csv")).unwrap());
    for d in [a, b, c] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn default_scale_has_the_promised_sizes() {
    let d = default_data();
    let n = |t: &str| d.t(t).rows.len();
    assert!(n("customers") >= 150, "customers {}", n("customers"));
    assert!(n("inventory_items") >= 300);
    assert_eq!(n("social_media_posts"), 120);
    assert!(n("market_performance") >= 30);
    assert!(n("social_media_attribution") >= 20);
    assert!(n("social_media_metrics") > 1000);
    for f in &d.summary.files {
        assert_eq!(f.rows as usize, n(f.file.trim_end_matches(".csv")));
        assert_eq!(f.bytes, std::fs::metadata(d.dir.join(&f.file)).unwrap().len());
    }
    let posts = d.t("social_media_posts");
    let dates: Vec<i64> = posts.column("posted_date").iter().map(|s| timestamp(s.unwrap())).collect();
    let span_days = (dates.iter().max().unwrap() - dates.iter().min().unwrap()) / 86_400;
    assert!(span_days > 650, "posts span {span_days} days");
}

#[test]
fn posts_have_hours_real_urls_and_no_tokens() {
    let d = default_data();
    let p = d.t("social_media_posts");
    let hours: HashSet<&str> = p.column("posted_date").iter().map(|s| &s.unwrap()[11..13]).collect();
    assert!(hours.len() >= 8, "posting hours {hours:?}");
    let mut ids = HashSet::new();
    for r in &p.rows {
        let (url, id) = (p.get(r, "post_url"), p.get(r, "platform_post_id"));
        assert!(ids.insert(id.to_string()), "duplicate platform_post_id {id}");
        if p.get(r, "account_id") == "2" {
            let digits = url.strip_prefix("https://www.tiktok.com/@curatedcloset/video/").expect(url);
            assert!(digits.len() == 19 && digits.bytes().all(|b| b.is_ascii_digit()) && digits == id, "{url}");
        } else {
            let code = url.strip_prefix("https://www.instagram.com/p/").and_then(|u| u.strip_suffix('/')).expect(url);
            assert!(
                code.len() >= 10 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{url}"
            );
        }
    }
    let accounts = d.t("social_media_accounts");
    assert_eq!(accounts.column("account_handle"), vec![Some("@curatedcloset_vintage"), Some("@curatedcloset")]);
    for t in TABLES {
        let text = std::fs::read_to_string(d.dir.join(format!("{t}.csv"))).unwrap().to_lowercase();
        assert!(!text.contains("token"), "{t} mentions a token");
        assert!(!text.contains(",\"\",") && !text.contains(",\"\"\n"), "{t} has an empty string");
    }
}

/// Snapshots: consecutive days from the posting day, at most 14, never past the period,
/// cumulative counts that never fall, and a rate that matches its counts.
fn check_metrics(d: &Data) {
    let m = d.t("social_media_metrics");
    let posts = d.t("social_media_posts");
    let posted: HashMap<i64, i64> =
        posts.rows.iter().map(|r| (posts.int(r, "post_id"), day(&posts.get(r, "posted_date")[..10]))).collect();
    let last_day = crate::generate::calendar::days_from_civil(2025, 12, 30);
    let counts = ["impressions", "reach", "likes", "comments", "shares", "saves", "clicks"];
    let mut prev: Option<(i64, i64, Vec<i64>)> = None;
    for r in &m.rows {
        let (post, date) = (m.int(r, "post_id"), day(m.get(r, "metric_date")));
        let v: Vec<i64> = counts.iter().map(|c| m.int(r, c)).collect();
        assert!(date <= last_day && date - posted[&post] < 14 && date >= posted[&post]);
        assert!(v[0] >= v[1] && v[2] + v[3] + v[4] + v[5] <= v[1], "impressions ≥ reach ≥ engagement: {v:?}");
        match &prev {
            Some((p, pd, pv)) if *p == post => {
                assert_eq!(date, pd + 1);
                assert!(v.iter().zip(pv).all(|(a, b)| a >= b), "counts fell: {pv:?} → {v:?}");
            }
            _ => assert_eq!(date, posted[&post], "first snapshot on the posting day"),
        }
        let engaged = v[2] + v[3] + v[4] + v[5];
        match m.opt(r, "engagement_rate") {
            None => assert_eq!(v[1], 0),
            Some(rate) => {
                let x: f64 = rate.parse().unwrap();
                assert_eq!(rate.len(), 6, "four decimals: {rate}");
                assert!((x - engaged as f64 / v[1] as f64).abs() <= 0.00005 + 1e-12);
            }
        }
        prev = Some((post, date, v));
    }
}

#[test]
fn metric_snapshots_are_cumulative_and_consistent() {
    check_metrics(default_data());
    check_metrics(many_posts());
    check_metrics(scaled_up());
}

/// One-of-a-kind items sell at most once, status sold ⇔ exactly one order line, and
/// nothing is sold or featured before it was acquired.
fn check_items(d: &Data) {
    let items = d.t("inventory_items");
    let lines = d.t("order_items");
    let orders = index_by(d.t("orders"), "order_id");
    let mut sold: HashMap<i64, usize> = HashMap::new();
    let acquired: HashMap<i64, i64> =
        items.rows.iter().map(|r| (items.int(r, "item_id"), day(items.get(r, "acquisition_date")))).collect();
    for r in &lines.rows {
        let item = lines.int(r, "item_id");
        *sold.entry(item).or_default() += 1;
        let when = day(&d.t("orders").get(orders[&lines.int(r, "order_id")], "order_date")[..10]);
        assert!(when >= acquired[&item], "item {item} sold before it was bought");
        let total = lines.int(r, "quantity") * lines.cents(r, "unit_price") - lines.cents(r, "discount_amount");
        assert_eq!(total, lines.cents(r, "total_price"));
    }
    for r in &items.rows {
        let id = items.int(r, "item_id");
        if items.get(r, "is_one_of_a_kind") == "true" {
            let n = sold.get(&id).copied().unwrap_or(0);
            assert!(n <= 1, "one-of-a-kind item {id} sold {n} times");
            assert_eq!(items.get(r, "status") == "sold", n == 1, "item {id} status");
        }
    }
    let f = d.t("social_media_posts");
    let posted: HashMap<i64, i64> =
        f.rows.iter().map(|r| (f.int(r, "post_id"), day(&f.get(r, "posted_date")[..10]))).collect();
    let feat = d.t("post_items_featured");
    for r in &feat.rows {
        assert!(posted[&feat.int(r, "post_id")] >= acquired[&feat.int(r, "item_id")]);
    }
}

#[test]
fn items_sell_once_and_only_after_acquisition() {
    check_items(default_data());
    check_items(many_posts());
    check_items(scaled_up());
}

#[test]
fn csv_reader_round_trips_quoting() {
    let t = super::testkit::parse("a,b,c\n\"x,\"\"y\"\"\",,\"two\nlines\"\n");
    assert_eq!(t.rows[0], vec![Some("x,\"y\"".into()), None, Some("two\nlines".into())]);
    assert_eq!(cents("-0.05"), -5);
    let d = default_data();
    assert!(read(&d.dir, "social_media_posts").rows.iter().any(|r| r[4].as_deref().is_some_and(|c| c.contains('\n'))));
}

#[test]
fn rejects_bad_options() {
    let dir = scratch_dir("bad");
    for o in [
        Options { scale: Some(0.0), ..Options::default() },
        Options { start: (2024, 2, 30), ..Options::default() },
        Options { days: 3, ..Options::default() },
        Options { scale: Some(10_001.0), ..Options::default() },
    ] {
        assert_eq!(generate(&o, &dir).unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    }
    // A million posts in 28 days would be a business of scale 108,750: refused, with a
    // hint, before anything is allocated.
    let e = generate(&Options { posts: Some(1_000_000), days: 28, ..Options::default() }, &dir).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(e.to_string().contains("--scale"), "{e}");
}

#[test]
fn odd_options_still_give_consistent_files() {
    let dir = scratch_dir("odd");
    let cases = [
        Options { scale: Some(0.3), days: 60, start: (2024, 2, 29), ..Options::default() },
        Options { posts: Some(0), scale: Some(1.0), days: 90, ..Options::default() },
        Options { posts: Some(3), scale: Some(2.5), seed: u64::MAX, ..Options::default() },
    ];
    for o in cases {
        let s = generate(&o, &dir).unwrap();
        assert_eq!(s.rows("social_media_posts"), o.posts.unwrap_or(s.rows("social_media_posts")));
        for t in TABLES {
            let table = read(&dir, t);
            assert_eq!(table.rows.len() as u64, s.rows(t), "{t}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
