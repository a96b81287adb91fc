//! social_media_metrics: each post's daily cumulative snapshots for its first days.
//!
//! A post's final counts are drawn once; each snapshot is those counts times the share
//! accumulated by the end of that day, floored. One share sequence serves every column, so
//! counts never decrease, impressions ≥ reach, and likes + comments + shares + saves ≤ reach
//! on every row (Σ⌊cᵢs⌋ ≤ ⌊s Σcᵢ⌋ ≤ ⌊s·reach⌋).

use std::io;

use super::calendar::{self, SECS_PER_DAY};
use super::csv::CsvWriter;
use super::model::{self, Expected, Platform, PostType, SNAPSHOT_DAYS};
use super::rng::Rng;

pub const HEADER: [&str; 11] = [
    "metric_id",
    "post_id",
    "metric_date",
    "impressions",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "engagement_rate",
];

/// A post's counts at its last (day-14) snapshot.
#[derive(Clone, Copy, Debug, Default)]
pub struct Final {
    pub impressions: u64,
    pub reach: u64,
    pub likes: u64,
    pub comments: u64,
    pub shares: u64,
    pub saves: u64,
    pub clicks: u64,
}

impl Final {
    fn engagement(&self) -> u64 {
        self.likes + self.comments + self.shares + self.saves
    }
}

/// Draws integer final counts around the model's expectation (Poisson noise, which is
/// what makes small counts on small posts look real).
pub fn draw_final(e: &Expected, rng: &mut Rng) -> Final {
    let reach = rng.poisson(e.reach).max(1);
    let r = reach as f64;
    let mut f = Final {
        impressions: (r * e.impressions_ratio).round() as u64,
        reach,
        likes: rng.poisson(r * e.rates.likes),
        comments: rng.poisson(r * e.rates.comments),
        shares: rng.poisson(r * e.rates.shares),
        saves: rng.poisson(r * e.rates.saves),
        clicks: rng.poisson(r * e.rates.clicks).min(reach),
    };
    // Poisson noise on a tiny post could push engagement past reach; scale it back.
    let sum = f.engagement();
    if sum > reach {
        let k = |x: u64| x * reach / sum;
        f = Final { likes: k(f.likes), comments: k(f.comments), shares: k(f.shares), saves: k(f.saves), ..f };
    }
    f
}

/// Share of the final counts reached by the end of each snapshot day, non-decreasing and
/// ending at 1 on the last day. Daily increments get ±15 % noise so the curves are not
/// perfectly smooth.
fn shares(post_ts: i64, platform: Platform, post_type: PostType, rng: &mut Rng) -> [f64; SNAPSHOT_DAYS as usize] {
    let first_day = calendar::day_of(post_ts);
    let mut out = [0.0; SNAPSHOT_DAYS as usize];
    let (mut prev, mut acc) = (0.0, 0.0);
    for (k, slot) in out.iter_mut().enumerate() {
        let end = (first_day + k as i64 + 1) * SECS_PER_DAY;
        let f = model::accumulated((end - post_ts) as f64 / 3600.0, platform, post_type);
        acc += (f - prev) * rng.uniform(0.85, 1.15);
        prev = f;
        *slot = acc;
    }
    let last = out[out.len() - 1];
    for s in out.iter_mut() {
        *s /= last;
    }
    out
}

/// Engagement rate to 4 places, rounded half up, as an integer number of 1/10000ths.
fn rate_ten_thousandths(engaged: u64, reach: u64) -> i64 {
    ((2 * engaged * 10_000 + reach) / (2 * reach)) as i64
}

pub struct PostRef {
    pub id: i64,
    pub ts: i64,
    pub platform: Platform,
    pub post_type: PostType,
}

/// Writes a post's snapshots up to `last_day` (the period's end: no snapshots of the future).
pub fn write_snapshots(w: &mut CsvWriter, p: &PostRef, f: &Final, last_day: i64, rng: &mut Rng) -> io::Result<()> {
    let s = shares(p.ts, p.platform, p.post_type, rng);
    let first_day = calendar::day_of(p.ts);
    for (k, share) in s.iter().enumerate() {
        let day = first_day + k as i64;
        if day > last_day {
            break;
        }
        let at = |x: u64| (x as f64 * share).floor() as u64;
        let (reach, likes, comments, shares, saves) =
            (at(f.reach), at(f.likes), at(f.comments), at(f.shares), at(f.saves));
        w.int(w.rows() as i64 + 1).int(p.id).date(day).int(at(f.impressions) as i64).int(reach as i64);
        w.int(likes as i64).int(comments as i64).int(shares as i64).int(saves as i64).int(at(f.clicks) as i64);
        if reach == 0 {
            w.null(); // undefined before anyone has seen the post
        } else {
            w.fixed(rate_ten_thousandths(likes + comments + shares + saves, reach), 4);
        }
        w.end_row()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_rise_to_one() {
        let mut rng = Rng::new(9);
        let ts = calendar::at(19_723, 21, 30, 0);
        let s = shares(ts, Platform::TikTok, PostType::Video, &mut rng);
        assert!(s.windows(2).all(|w| w[0] <= w[1]));
        assert!((s[s.len() - 1] - 1.0).abs() < 1e-12);
        let story = shares(ts, Platform::Instagram, PostType::Story, &mut rng);
        assert!((story[2] - 1.0).abs() < 1e-12, "stories stop after a day: {story:?}");
        assert_eq!(rate_ten_thousandths(1, 3), 3333);
        assert_eq!(rate_ten_thousandths(1, 8), 1250);
        assert_eq!(rate_ten_thousandths(1, 20_000), 1); // 0.00005 rounds up
    }
}
