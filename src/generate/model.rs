//! The engagement and purchase-intent model: every planted effect the dashboard can find.
//!
//! A post's final (day-14) counts are `reach × rate` per interaction, where
//!
//! ```text
//! reach = MEDIAN_REACH[platform] × type_reach(type) × √HOUR_EFFECT[hour] × growth(progress)
//!         × exp(REACH_SIGMA[platform] · z)                      -- the viral tail
//! rate  = BASE_RATES[platform] × type_rates(type) × HOUR_EFFECT[hour] × WEEKDAY_EFFECT[weekday]
//!         × MONTH_EFFECT[month] × (outerwear in season ? OUTERWEAR_SEASON_BONUS : 1)
//!         × (promotional ? PROMO_ENGAGEMENT (clicks: PROMO_CLICKS) : 1)
//!         × exp(RATE_SIGMA[platform] · (ρ z + √(1−ρ²) z'))        -- post quality
//! ```
//!
//! Counts then accumulate over the first SNAPSHOT_DAYS days along `1 − exp(−h/τ)`.
//! Changing a constant here changes what the demo dashboard shows: keep README in step.

use super::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    Instagram,
    TikTok,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Instagram => "instagram",
            Platform::TikTok => "tiktok",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostType {
    Photo,
    Video,
    Carousel,
    Story,
    Reel,
}

impl PostType {
    pub fn as_str(self) -> &'static str {
        match self {
            PostType::Photo => "photo",
            PostType::Video => "video",
            PostType::Carousel => "carousel",
            PostType::Story => "story",
            PostType::Reel => "reel",
        }
    }
}

/// Interactions per unit of reach (likes/reach, …).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    pub likes: f64,
    pub comments: f64,
    pub shares: f64,
    pub saves: f64,
    pub clicks: f64,
}

impl Rates {
    /// Component-wise product: how multipliers are applied.
    pub fn times(self, o: Rates) -> Rates {
        Rates {
            likes: self.likes * o.likes,
            comments: self.comments * o.comments,
            shares: self.shares * o.shares,
            saves: self.saves * o.saves,
            clicks: self.clicks * o.clicks,
        }
    }
    /// Multiplies the four engagement interactions by `f` and clicks by `clicks`.
    pub fn scaled(self, f: f64, clicks: f64) -> Rates {
        self.times(Rates { likes: f, comments: f, shares: f, saves: f, clicks })
    }
    /// (likes + comments + shares + saves) per reach: the dashboard's engagement rate.
    pub fn engagement(&self) -> f64 {
        self.likes + self.comments + self.shares + self.saves
    }
}

// ---- Platform -------------------------------------------------------------------------

/// Share of posts that go to TikTok (the rest to Instagram).
pub const TIKTOK_SHARE: f64 = 0.4;

/// Median day-14 reach of a neutral post at the start of the period.
pub const MEDIAN_REACH: [f64; 2] = [900.0, 1_400.0];

/// Log-scale spread of reach. TikTok's is much larger: its For You page gives a few posts
/// 10–50× their usual audience, so its top-decile/median reach ratio is ≈ 5 against ≈ 2.
pub const REACH_SIGMA: [f64; 2] = [0.45, 1.25];

/// Log-scale spread of per-post engagement quality; again wider on TikTok.
pub const RATE_SIGMA: [f64; 2] = [0.25, 0.55];

/// Correlation between a post's reach luck and its rate luck, so viral posts also engage
/// more (the top-right corner of the "Viral Content Detection" scatter).
pub const VIRAL_CORRELATION: f64 = 0.5;

/// Engagement per reach of an Instagram photo, and TikTok's baseline (more likes and
/// shares, fewer saves and link clicks: no clickable captions).
pub const BASE_RATES: [Rates; 2] = [
    Rates { likes: 0.032, comments: 0.0028, shares: 0.0022, saves: 0.0055, clicks: 0.004 },
    Rates { likes: 0.048, comments: 0.0028, shares: 0.0040, saves: 0.0044, clicks: 0.002 },
];

/// Reach and impressions grow as the accounts gain followers: +80 % over the period.
pub const FOLLOWER_GROWTH: f64 = 0.8;

// ---- Post type --------------------------------------------------------------------------

/// Post-type mix per platform, in `POST_TYPES` order. TikTok has videos and photo-mode
/// carousels only; stories and reels are Instagram's.
pub const POST_TYPES: [PostType; 5] =
    [PostType::Photo, PostType::Video, PostType::Carousel, PostType::Story, PostType::Reel];
pub const POST_TYPE_MIX: [[f64; 5]; 2] = [[0.30, 0.0, 0.30, 0.15, 0.25], [0.0, 0.82, 0.18, 0.0, 0.0]];

/// Rate multipliers by post type: carousels are saved (people bookmark lookbooks),
/// reels and videos are shared, stories are barely liked and never saved but carry link
/// stickers (clicks).
pub fn type_rates(t: PostType) -> Rates {
    let r = |likes, comments, shares, saves, clicks| Rates { likes, comments, shares, saves, clicks };
    match t {
        PostType::Photo => r(1.0, 1.0, 1.0, 1.0, 1.0),
        PostType::Carousel => r(1.1, 1.15, 1.1, 2.4, 1.2),
        PostType::Reel => r(1.2, 1.0, 2.6, 1.3, 0.9),
        PostType::Video => r(1.15, 1.1, 2.4, 1.2, 0.9),
        PostType::Story => r(0.25, 0.6, 0.5, 0.0, 1.5),
    }
}

/// Reach multiplier by post type: reels are pushed to non-followers, stories only reach
/// the followers who tap them.
pub fn type_reach(t: PostType) -> f64 {
    match t {
        PostType::Reel => 1.8,
        PostType::Carousel => 1.1,
        PostType::Story => 0.35,
        PostType::Photo | PostType::Video => 1.0,
    }
}

// ---- Time --------------------------------------------------------------------------------

/// Engagement-rate multiplier by posting hour (reach gets its square root): evenings
/// 18–21 h are best, the small hours worst.
pub const HOUR_EFFECT: [f64; 24] = [
    0.70, 0.70, 0.70, 0.70, 0.70, 0.70, 0.75, 0.85, 0.85, 0.85, 0.90, 1.00, //  0–11
    1.00, 1.00, 0.95, 0.95, 0.95, 1.10, 1.30, 1.30, 1.30, 1.30, 1.10, 0.90, // 12–23
];

/// Engagement-rate multiplier by weekday, Monday first: Sunday evening scrolling wins,
/// Saturday (people are out) loses.
pub const WEEKDAY_EFFECT: [f64; 7] = [0.95, 0.97, 1.00, 1.05, 1.00, 0.92, 1.12];

/// Engagement-rate multiplier by month, January first: autumn and early winter are
/// vintage season (outerwear, holiday shopping); midsummer is slow.
pub const MONTH_EFFECT: [f64; 12] = [1.05, 1.00, 0.95, 0.92, 0.90, 0.85, 0.82, 0.85, 1.05, 1.20, 1.25, 1.15];

/// Extra multiplier for posts featuring outerwear during outerwear season.
pub const OUTERWEAR_SEASON_BONUS: f64 = 1.15;
pub const OUTERWEAR_MONTHS: [u32; 6] = [9, 10, 11, 12, 1, 2];

/// When the owner posts (weights by hour): mornings, lunch and evenings, so every
/// bucket of the weekday × hour chart has posts to compare.
pub const POSTING_HOURS: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 2.0, 2.0, 1.5, 1.5, //  0–11
    2.0, 1.5, 1.0, 1.0, 1.0, 1.5, 2.5, 2.5, 2.5, 2.0, 1.0, 0.5, // 12–23
];

/// How often the owner posts by weekday (Monday first).
pub const POSTING_WEEKDAYS: [f64; 7] = [0.9, 1.0, 1.0, 1.1, 1.1, 1.0, 1.0];

// ---- Promotion --------------------------------------------------------------------------

/// Share of posts that are promotional (sales, discount codes, market announcements).
pub const PROMO_SHARE: f64 = 0.25;
/// Promotional posts engage less (audiences scroll past ads) but earn more link clicks.
pub const PROMO_ENGAGEMENT: f64 = 0.7;
pub const PROMO_CLICKS: f64 = 2.5;

// ---- Accumulation --------------------------------------------------------------------

/// Daily snapshots per post (the post's day plus 13); none after the period's last day.
pub const SNAPSHOT_DAYS: i64 = 14;
/// Time constant of the cumulative curve: Instagram posts are done in a day or two,
/// TikTok's feed keeps serving a video for days.
pub const DECAY_HOURS: [f64; 2] = [18.0, 60.0];
/// Stories disappear after a day, so their counts stop growing then.
pub const STORY_LIFETIME_HOURS: f64 = 24.0;
/// Ceiling on the summed engagement rate, so counts never exceed reach.
pub const MAX_ENGAGEMENT_RATE: f64 = 0.6;

/// What the model needs to know about a post.
pub struct PostInputs {
    pub platform: Platform,
    pub post_type: PostType,
    pub hour: u32,
    pub weekday: u32,
    pub month: u32,
    pub promotional: bool,
    pub features_outerwear: bool,
    /// 0 at the period's start, 1 at its end (follower growth).
    pub progress: f64,
}

/// A post's expected day-14 outcome before count noise.
#[derive(Clone, Copy, Debug)]
pub struct Expected {
    pub reach: f64,
    /// impressions / reach (repeat views; higher for video).
    pub impressions_ratio: f64,
    pub rates: Rates,
}

/// Product of the time, season and promotion multipliers on the rates.
fn context_multiplier(p: &PostInputs) -> (f64, f64) {
    let mut f = HOUR_EFFECT[p.hour as usize] * WEEKDAY_EFFECT[p.weekday as usize] * MONTH_EFFECT[p.month as usize - 1];
    if p.features_outerwear && OUTERWEAR_MONTHS.contains(&p.month) {
        f *= OUTERWEAR_SEASON_BONUS;
    }
    let mut clicks = f;
    if p.promotional {
        f *= PROMO_ENGAGEMENT;
        clicks *= PROMO_CLICKS;
    }
    (f, clicks)
}

/// Draws a post's expected outcome: the deterministic effects times its random luck.
pub fn expected(p: &PostInputs, rng: &mut Rng) -> Expected {
    let pi = p.platform.index();
    let z = rng.normal();
    let z2 = rng.normal();
    let growth = 1.0 + FOLLOWER_GROWTH * p.progress;
    let reach = MEDIAN_REACH[pi]
        * type_reach(p.post_type)
        * HOUR_EFFECT[p.hour as usize].sqrt()
        * growth
        * (REACH_SIGMA[pi] * z).exp();
    let quality_z = VIRAL_CORRELATION * z + (1.0 - VIRAL_CORRELATION * VIRAL_CORRELATION).sqrt() * z2;
    let quality = (RATE_SIGMA[pi] * quality_z).exp();
    let (f, clicks) = context_multiplier(p);
    let mut rates = BASE_RATES[pi].times(type_rates(p.post_type)).scaled(f * quality, clicks * quality);
    let total = rates.engagement();
    if total > MAX_ENGAGEMENT_RATE {
        rates = rates.scaled(MAX_ENGAGEMENT_RATE / total, 1.0);
    }
    let video = matches!(p.post_type, PostType::Video | PostType::Reel);
    let impressions_ratio = 1.1 + rng.uniform(0.0, 0.3) + if video { 0.3 } else { 0.0 };
    Expected { reach: reach.max(1.0), impressions_ratio, rates }
}

/// Fraction of the final counts reached `hours` after posting.
pub fn accumulated(hours: f64, platform: Platform, post_type: PostType) -> f64 {
    let h = if post_type == PostType::Story { hours.min(STORY_LIFETIME_HOURS) } else { hours };
    1.0 - (-h.max(0.0) / DECAY_HOURS[platform.index()]).exp()
}

// ---- Purchase intent and attribution ------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributionType {
    /// Saved the post, bought the featured item days later.
    SaveThenPurchase,
    /// Tapped the link (bio, sticker, caption) and bought on the website.
    ClickThrough,
    /// Commented "is this still available?" and bought through DMs.
    CommentInquiry,
}

impl AttributionType {
    pub fn as_str(self) -> &'static str {
        match self {
            AttributionType::SaveThenPurchase => "save_then_purchase",
            AttributionType::ClickThrough => "click_through",
            AttributionType::CommentInquiry => "comment_inquiry",
        }
    }
    /// (median hours, log spread, min, max) of the time from post to purchase.
    pub fn delay(self) -> (f64, f64, i64, i64) {
        match self {
            AttributionType::SaveThenPurchase => (96.0, 0.9, 12, 720),
            AttributionType::ClickThrough => (3.0, 1.0, 0, 48),
            AttributionType::CommentInquiry => (8.0, 0.8, 1, 96),
        }
    }
    /// Range of the attribution confidence (0–1): a comment thread is direct evidence,
    /// a save days earlier only suggestive.
    pub fn confidence(self) -> (f64, f64) {
        match self {
            AttributionType::SaveThenPurchase => (0.35, 0.75),
            AttributionType::ClickThrough => (0.70, 0.95),
            AttributionType::CommentInquiry => (0.85, 1.00),
        }
    }
}

/// Weights turning a post's final saves, clicks and comments into purchase intents for
/// each featured item: λ = INTENT_SCALE × (w·counts) / featured items and
/// P = min(1 − e^−λ, MAX_INTENT_PROBABILITY) / density (posts ÷ the scale's own post count:
/// 1 unless both a scale and a post count are given). Saves weigh most,
/// which is the planted "savers become buyers" finding; the kind of intent is drawn in
/// proportion to w·count, and the item is held for the buyer until the purchase.
pub const INTENT_WEIGHTS: [(AttributionType, f64); 3] = [
    (AttributionType::SaveThenPurchase, 1.0),
    (AttributionType::ClickThrough, 0.6),
    (AttributionType::CommentInquiry, 0.8),
];
pub const INTENT_SCALE: f64 = 0.03;
pub const MAX_INTENT_PROBABILITY: f64 = 0.85;
/// Share of intent purchases made by someone who was not yet a customer.
pub const INTENT_NEW_CUSTOMER: f64 = 0.55;
