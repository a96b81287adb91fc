//! Social media: the two accounts, the posting schedule, each post with its featured items
//! and metric snapshots, and the purchase intents its saves, clicks and comments create.
//!
//! Posts are produced one at a time in time order and written straight to disk, so memory
//! does not grow with the number of posts; only pending purchase intents (bounded by the
//! inventory) are kept.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::io;
use std::path::Path;

use super::calendar;
use super::catalog as cat;
use super::csv::{CsvWriter, FileSummary};
use super::inventory::Inventory;
use super::metrics::{self, Final, PostRef};
use super::model::{self, AttributionType, Platform, PostInputs, PostType};
use super::rng::Rng;
use super::Period;

pub const HANDLES: [(&str, &str); 2] =
    [("@curatedcloset_vintage", "Curated Closet Vintage"), ("@curatedcloset", "Curated Closet")];

/// The two accounts; never an access token, whatever the original schema had.
pub fn write_accounts(dir: &Path) -> io::Result<FileSummary> {
    let mut w = CsvWriter::create(
        dir,
        "social_media_accounts",
        &["account_id", "platform", "account_handle", "account_name", "is_active"],
    )?;
    for (i, p) in [Platform::Instagram, Platform::TikTok].into_iter().enumerate() {
        w.int(i as i64 + 1).str(p.as_str()).str(HANDLES[i].0).str(HANDLES[i].1).bool(true).end_row()?;
    }
    w.finish()
}

/// Posts per day: exactly `total` spread over the period by weekday habit, with day-to-day
/// jitter so the calendar does not look mechanical.
pub fn schedule(period: &Period, total: u64, rng: &mut Rng) -> Vec<u32> {
    let weights: Vec<f64> = (0..period.days)
        .map(|d| model::POSTING_WEEKDAYS[calendar::weekday(period.start + d) as usize] * rng.lognormal(0.0, 0.5))
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut cum = 0.0;
    let mut prev = 0u64;
    let mut out = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        cum += w / sum;
        let upto = if i + 1 == weights.len() { total } else { ((total as f64) * cum).floor() as u64 };
        out.push((upto.max(prev) - prev) as u32);
        prev = upto.max(prev);
    }
    out
}

/// A purchase a post set in motion: the featured item is held until `due`.
pub struct Intent {
    pub due: i64,
    seq: u64,
    pub post_id: i64,
    pub platform: Platform,
    pub item: u32,
    pub kind: AttributionType,
    /// Confidence in hundredths (0–100).
    pub confidence: i64,
    pub hours: i64,
}

// Ordered so BinaryHeap pops the earliest due first (ties by creation order).
impl Ord for Intent {
    fn cmp(&self, o: &Self) -> Ordering {
        (o.due, o.seq).cmp(&(self.due, self.seq))
    }
}
impl PartialOrd for Intent {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl PartialEq for Intent {
    fn eq(&self, o: &Self) -> bool {
        (self.due, self.seq) == (o.due, o.seq)
    }
}
impl Eq for Intent {}

pub struct Social {
    posts: CsvWriter,
    featured: CsvWriter,
    metrics: CsvWriter,
    attribution: CsvWriter,
    rng: Rng,
    key: u64,
    /// Posts relative to the business's own post count: 1 unless both scale and posts were
    /// given. Above 1, intents per post shrink so a fixed business keeps its sales however
    /// many posts share them.
    density: f64,
    next_seq: u64,
    pub intents: BinaryHeap<Intent>,
}

/// A bijection on the low `bits` bits (xor, odd multiply, xorshift): platform ids look
/// random but distinct posts can never collide.
fn permute(x: u64, bits: u32, key: u64) -> u64 {
    let mask = (1u64 << bits) - 1;
    let mut v = (x ^ key) & mask;
    v = v.wrapping_mul(0x9E37_79B1) & mask;
    v ^= v >> (bits / 2);
    v = v.wrapping_mul(0x85EB_CA77) & mask;
    v ^ (v >> (bits / 2 + 1))
}

/// Instagram-style shortcode: the media id in URL-safe base64 digits.
fn shortcode(mut id: u64) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    while id > 0 {
        out.push(A[(id % 64) as usize]);
        id /= 64;
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// (platform_post_id, post_url). TikTok ids carry the posting second in their top bits
/// like real ones (19 digits); Instagram media ids carry milliseconds since its 2011 epoch.
fn platform_ids(platform: Platform, post_id: i64, ts: i64, key: u64) -> (String, String) {
    match platform {
        Platform::TikTok => {
            let id = ((ts as u64) << 32) | permute(post_id as u64, 32, key);
            (id.to_string(), format!("https://www.tiktok.com/@curatedcloset/video/{id}"))
        }
        Platform::Instagram => {
            let ms = (ts * 1000 - 1_314_220_021_721).max(0) as u64;
            let id = (ms << 23) | permute(post_id as u64, 23, key);
            (id.to_string(), format!("https://www.instagram.com/p/{}/", shortcode(id)))
        }
    }
}

struct Draft {
    platform: Platform,
    post_type: PostType,
    promo: bool,
    featured: Vec<u32>,
}

impl Social {
    pub fn create(dir: &Path, rng: Rng, seed: u64, density: f64) -> io::Result<Self> {
        Ok(Social {
            posts: CsvWriter::create(
                dir,
                "social_media_posts",
                &[
                    "post_id",
                    "account_id",
                    "platform_post_id",
                    "post_type",
                    "caption",
                    "post_url",
                    "posted_date",
                    "hashtags",
                    "mentions",
                    "is_promotional",
                ],
            )?,
            featured: CsvWriter::create(
                dir,
                "post_items_featured",
                &["feature_id", "post_id", "item_id", "is_primary_item"],
            )?,
            metrics: CsvWriter::create(dir, "social_media_metrics", &metrics::HEADER)?,
            attribution: CsvWriter::create(
                dir,
                "social_media_attribution",
                &[
                    "attribution_id",
                    "customer_id",
                    "order_id",
                    "post_id",
                    "attribution_type",
                    "attribution_confidence",
                    "hours_to_purchase",
                ],
            )?,
            rng,
            key: seed.rotate_left(17) ^ 0x0005_DEEC_E66D,
            density,
            next_seq: 0,
            intents: BinaryHeap::new(),
        })
    }

    /// When the owner posts on `day`: an hour from her habits, any minute and second.
    pub fn post_time(&mut self, day: i64) -> i64 {
        let h = self.rng.weighted(&model::POSTING_HOURS) as i64;
        calendar::at(day, h, self.rng.range(0, 59), self.rng.range(0, 59))
    }

    fn draft(&mut self, inv: &Inventory) -> Draft {
        let r = &mut self.rng;
        let platform = if r.chance(model::TIKTOK_SHARE) { Platform::TikTok } else { Platform::Instagram };
        let post_type = model::POST_TYPES[r.weighted(&model::POST_TYPE_MIX[platform.index()])];
        let promo = r.chance(model::PROMO_SHARE);
        let k = match post_type {
            PostType::Photo => 1,
            PostType::Carousel => r.range(2, 5),
            PostType::Story => r.range(0, 1),
            PostType::Video | PostType::Reel => r.range(1, 3),
        };
        let k = if promo && r.chance(0.5) { 0 } else { k as usize };
        Draft { platform, post_type, promo, featured: inv.pick_featured(k, r) }
    }

    fn caption(&mut self, d: &Draft, inv: &Inventory) -> String {
        let r = &mut self.rng;
        if d.promo {
            r.pick(cat::PROMO_CAPTIONS).to_string()
        } else if d.post_type == PostType::Story {
            r.pick(cat::STORY_CAPTIONS).to_string()
        } else if let Some(first) = d.featured.first() {
            r.pick(cat::ITEM_CAPTIONS).replace("{item}", &inv.items[*first as usize].describe())
        } else {
            r.pick(cat::PLAIN_CAPTIONS).to_string()
        }
    }

    fn hashtags(&mut self, d: &Draft, inv: &Inventory) -> String {
        let r = &mut self.rng;
        let mut tags: Vec<&str> = vec!["#vintage"];
        let k = r.range(1, 3) as usize;
        tags.extend(r.sample_indices(cat::HASHTAGS_BASE.len() - 1, k).into_iter().map(|i| cat::HASHTAGS_BASE[i + 1]));
        if let Some(first) = d.featured.first() {
            let it = &inv.items[*first as usize];
            tags.push(cat::HASHTAGS_ERA[it.era as usize]);
            tags.push(cat::HASHTAGS_CATEGORY[it.category as usize]);
        }
        if d.platform == Platform::TikTok {
            tags.push(r.pick(cat::HASHTAGS_TIKTOK));
        }
        if d.promo {
            tags.push(r.pick(cat::HASHTAGS_PROMO));
        }
        tags.dedup();
        tags.join(";")
    }

    /// Publishes one post at `ts`: writes it, its featured items and its snapshots, and
    /// queues the purchases it will cause.
    pub fn publish(&mut self, ts: i64, inv: &mut Inventory, period: &Period) -> io::Result<()> {
        let d = self.draft(inv);
        let id = self.posts.rows() as i64 + 1;
        let day = calendar::day_of(ts);
        let inputs = PostInputs {
            platform: d.platform,
            post_type: d.post_type,
            hour: calendar::hour_of(ts),
            weekday: calendar::weekday(day),
            month: calendar::month(day),
            promotional: d.promo,
            features_outerwear: d.featured.iter().any(|i| inv.items[*i as usize].is_outerwear()),
            progress: (day - period.start) as f64 / period.days as f64,
        };
        let expected = model::expected(&inputs, &mut self.rng);
        let fin = metrics::draw_final(&expected, &mut self.rng);
        self.write_post(id, ts, &d, inv)?;
        let post = PostRef { id, ts, platform: d.platform, post_type: d.post_type };
        metrics::write_snapshots(&mut self.metrics, &post, &fin, period.last_day(), &mut self.rng)?;
        self.queue_intents(&post, &d.featured, &fin, inv);
        Ok(())
    }

    fn write_post(&mut self, id: i64, ts: i64, d: &Draft, inv: &Inventory) -> io::Result<()> {
        let (platform_id, url) = platform_ids(d.platform, id, ts, self.key);
        let caption = self.caption(d, inv);
        let hashtags = self.hashtags(d, inv);
        let mention = self.rng.chance(0.08).then(|| self.rng.pick(cat::MENTIONS));
        let w = &mut self.posts;
        w.int(id).int(d.platform.index() as i64 + 1).str(&platform_id).str(d.post_type.as_str()).str(&caption);
        w.str(&url).timestamp(ts).str(&hashtags).opt_str(mention).bool(d.promo).end_row()?;
        for (k, item) in d.featured.iter().enumerate() {
            let f = &mut self.featured;
            f.int(f.rows() as i64 + 1).int(id).int(i64::from(*item) + 1).bool(k == 0).end_row()?;
        }
        Ok(())
    }

    /// Each featured item may be bought because of this post; saves weigh most.
    fn queue_intents(&mut self, post: &PostRef, featured: &[u32], f: &Final, inv: &mut Inventory) {
        if featured.is_empty() {
            return;
        }
        let counts = [f.saves, f.clicks, f.comments];
        let weights: Vec<f64> = model::INTENT_WEIGHTS.iter().zip(counts).map(|((_, w), c)| w * c as f64).collect();
        let lambda = model::INTENT_SCALE * weights.iter().sum::<f64>() / featured.len() as f64;
        // Scaled after the cap, so expected purchases per period stay those of the default
        // density however many posts share them.
        let p = ((1.0 - (-lambda).exp()).min(model::MAX_INTENT_PROBABILITY) / self.density).min(1.0);
        for item in featured {
            if !inv.is_available(*item) || !self.rng.chance(p) {
                continue;
            }
            let kind = model::INTENT_WEIGHTS[self.rng.weighted(&weights)].0;
            let (median, sigma, lo, hi) = kind.delay();
            let hours = (self.rng.lognormal(median.ln(), sigma).round() as i64).clamp(lo, hi);
            let (clo, chi) = kind.confidence();
            let confidence = (self.rng.uniform(clo, chi) * 100.0).round() as i64;
            let due = post.ts + hours * 3600 + self.rng.range(60, 3599);
            inv.reserve(*item);
            let seq = self.next_seq;
            self.next_seq += 1;
            self.intents.push(Intent {
                due,
                seq,
                post_id: post.id,
                platform: post.platform,
                item: *item,
                kind,
                confidence,
                hours,
            });
        }
    }

    /// Records that `order_id` by `customer` came from the intent's post.
    pub fn write_attribution(&mut self, customer: u32, order_id: i64, i: &Intent) -> io::Result<()> {
        let w = &mut self.attribution;
        w.int(w.rows() as i64 + 1).int(i64::from(customer) + 1).int(order_id).int(i.post_id);
        w.str(i.kind.as_str()).fixed(i.confidence, 2).int(i.hours).end_row()
    }

    pub fn finish(self) -> io::Result<Vec<FileSummary>> {
        Ok(vec![self.posts.finish()?, self.featured.finish()?, self.metrics.finish()?, self.attribution.finish()?])
    }
}
