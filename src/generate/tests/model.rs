//! Tests that the planted effects of `model` show in the model and in the written data.

use std::collections::HashMap;

use super::testkit::{default_data, many_posts, scaled_up, timestamp, Data};
use crate::generate::model::{self, Platform, PostInputs, PostType};
use crate::generate::rng::Rng;

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Top-decile / median: how heavy the tail is.
fn tail_ratio(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let q = |f: f64| s[((s.len() - 1) as f64 * f) as usize];
    q(0.9) / q(0.5)
}

fn neutral(platform: Platform, post_type: PostType) -> PostInputs {
    PostInputs {
        platform,
        post_type,
        hour: 12,
        weekday: 2,
        month: 4,
        promotional: false,
        features_outerwear: false,
        progress: 0.5,
    }
}

/// Mean expected rates over many draws of the model's luck.
fn avg(p: &PostInputs, f: impl Fn(&model::Expected) -> f64) -> f64 {
    let mut rng = Rng::new(5);
    mean(&(0..4000).map(|_| f(&model::expected(p, &mut rng))).collect::<Vec<_>>())
}

#[test]
fn model_effects_point_the_planted_way() {
    let ig = |t| neutral(Platform::Instagram, t);
    let saves = |e: &model::Expected| e.rates.saves;
    let shares = |e: &model::Expected| e.rates.shares;
    let eng = |e: &model::Expected| e.rates.engagement();
    assert!(avg(&ig(PostType::Carousel), saves) > 2.0 * avg(&ig(PostType::Photo), saves));
    assert!(avg(&ig(PostType::Reel), shares) > 2.0 * avg(&ig(PostType::Photo), shares));
    assert!(
        avg(&PostInputs { hour: 19, ..ig(PostType::Photo) }, eng)
            > 1.4 * avg(&PostInputs { hour: 8, ..ig(PostType::Photo) }, eng)
    );
    let promo = PostInputs { promotional: true, ..ig(PostType::Photo) };
    assert!(avg(&promo, eng) < 0.75 * avg(&ig(PostType::Photo), eng));
    assert!(avg(&promo, |e| e.rates.clicks) > 2.0 * avg(&ig(PostType::Photo), |e| e.rates.clicks));
    assert!(
        avg(&PostInputs { month: 11, ..ig(PostType::Photo) }, eng)
            > 1.3 * avg(&PostInputs { month: 7, ..ig(PostType::Photo) }, eng)
    );
    let reach = |p: &PostInputs| {
        let mut rng = Rng::new(6);
        (0..4000).map(|_| model::expected(p, &mut rng).reach).collect::<Vec<f64>>()
    };
    let (r_ig, r_tt) = (reach(&ig(PostType::Photo)), reach(&neutral(Platform::TikTok, PostType::Video)));
    assert!(tail_ratio(&r_tt) > 2.0 * tail_ratio(&r_ig));
}

/// One post's latest snapshot with what it was posted as.
struct Post {
    tiktok: bool,
    kind: String,
    hour: u32,
    month: u32,
    promo: bool,
    reach: f64,
    er: f64,
    save_rate: f64,
    share_rate: f64,
}

/// Posts with all 14 snapshots (younger posts are still growing), by their last one.
fn posts(d: &Data) -> Vec<Post> {
    let m = d.t("social_media_metrics");
    let mut last: HashMap<i64, (usize, &Vec<Option<String>>)> = HashMap::new();
    for r in &m.rows {
        let e = last.entry(m.int(r, "post_id")).or_insert((0, r));
        *e = (e.0 + 1, r);
    }
    let p = d.t("social_media_posts");
    p.rows
        .iter()
        .filter_map(|r| {
            let (n, s) = last[&p.int(r, "post_id")];
            let ts = p.get(r, "posted_date");
            let reach = m.int(s, "reach") as f64;
            (n == 14).then(|| Post {
                tiktok: p.get(r, "account_id") == "2",
                kind: p.get(r, "post_type").to_string(),
                hour: (timestamp(ts) % 86_400 / 3600) as u32,
                month: ts[5..7].parse().unwrap(),
                promo: p.get(r, "is_promotional") == "true",
                reach,
                er: m.get(s, "engagement_rate").parse().unwrap(),
                save_rate: m.int(s, "saves") as f64 / reach,
                share_rate: m.int(s, "shares") as f64 / reach,
            })
        })
        .collect()
}

fn mean_of(ps: &[Post], keep: impl Fn(&Post) -> bool, val: impl Fn(&Post) -> f64) -> f64 {
    mean(&ps.iter().filter(|p| keep(p)).map(val).collect::<Vec<_>>())
}

/// The effects a dashboard page looks for; `strict` adds those that need many posts.
fn check_effects(d: &Data, strict: bool) {
    let ps = posts(d);
    let er = |p: &Post| p.er;
    let carousel = mean_of(&ps, |p| p.kind == "carousel", er);
    let photo = mean_of(&ps, |p| p.kind == "photo", er);
    assert!(carousel > photo, "carousel {carousel} vs photo {photo}");
    let eve = mean_of(&ps, |p| (18..=21).contains(&p.hour), er);
    let morning = mean_of(&ps, |p| (7..=10).contains(&p.hour), er);
    assert!(eve > 1.15 * morning, "evening {eve} vs morning {morning}");
    assert!(mean_of(&ps, |p| p.promo, er) < mean_of(&ps, |p| !p.promo, er));
    let reach = |tt: bool| ps.iter().filter(|p| p.tiktok == tt).map(|p| p.reach).collect::<Vec<_>>();
    assert!(tail_ratio(&reach(true)) > 1.5 * tail_ratio(&reach(false)), "TikTok tail");
    let save = |k: &'static str| mean_of(&ps, move |p| p.kind == k, |p| p.save_rate);
    assert!(save("carousel") > 1.5 * save("photo"), "carousel save rate");
    let share = |k: &'static str| mean_of(&ps, move |p| p.kind == k, |p| p.share_rate);
    assert!(share("video") > 1.5 * share("photo") && share("reel") > 1.5 * share("photo"), "video shares");
    if strict {
        let ers = |tt: bool| ps.iter().filter(|p| p.tiktok == tt).map(|p| p.er).collect::<Vec<_>>();
        assert!(tail_ratio(&ers(true)) > tail_ratio(&ers(false)), "TikTok engagement tail");
        let autumn = mean_of(&ps, |p| (10..=12).contains(&p.month), er);
        let summer = mean_of(&ps, |p| (6..=8).contains(&p.month), er);
        assert!(autumn > 1.2 * summer, "autumn {autumn} vs summer {summer}");
    }
}

#[test]
fn default_demo_shows_the_planted_effects() {
    check_effects(default_data(), false);
    check_effects(scaled_up(), false);
}

#[test]
fn many_posts_show_every_planted_effect() {
    check_effects(many_posts(), true);
}

#[test]
fn saves_lead_to_purchases() {
    // Featured items of save-heavy posts are bought through save_then_purchase more often.
    let d = many_posts();
    let a = d.t("social_media_attribution");
    let kinds: Vec<&str> = a.column("attribution_type").into_iter().map(Option::unwrap).collect();
    let saves = kinds.iter().filter(|k| **k == "save_then_purchase").count();
    assert!(saves * 2 > kinds.len(), "save_then_purchase is the main path: {saves}/{}", kinds.len());
    // With both a scale and a post count, business volume hardly depends on the post
    // count (same seed, default posts).
    let dir = super::testkit::scratch_dir("few");
    let summary =
        crate::generate::generate(&crate::generate::Options { seed: 7, ..crate::generate::Options::default() }, &dir)
            .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let base = summary.rows("orders") as f64;
    let many = d.t("orders").rows.len() as f64;
    assert!((many / base - 1.0).abs() < 0.25, "orders {base} vs {many}");
}
