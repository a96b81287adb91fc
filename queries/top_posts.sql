-- The ten posts with the highest engagement rate, for the overview table;
-- $platform narrows them to one platform's ten best (NULL keeps both).
SELECT post_id, platform, post_type, caption, posted_at, reach, saves, engagement_rate
FROM post_metrics
WHERE ($platform IS NULL OR platform = $platform)
ORDER BY engagement_rate DESC, post_id
LIMIT 10
