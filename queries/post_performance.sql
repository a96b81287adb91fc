-- One row per post with its latest counts and engagement rate, for the scatter.
SELECT post_id, platform, post_type, caption, posted_at,
       impressions, reach, saves, comments, shares, engagement_rate
FROM post_metrics
ORDER BY posted_at
