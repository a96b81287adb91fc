-- Each post's daily snapshots (cumulative counts), for the per-post pages.
SELECT post_id, metric_date, impressions, reach, likes, comments, shares, saves
FROM social_media_metrics
ORDER BY post_id, metric_date
