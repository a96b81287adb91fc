-- The ten posts with the highest engagement rate, for the overview table.
SELECT post_id, platform, post_type, caption, posted_at, reach, saves, engagement_rate
FROM post_metrics
ORDER BY engagement_rate DESC, post_id
LIMIT 10
