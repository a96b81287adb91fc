-- The engagement rate a post needs to count as viral on each platform (90th percentile).
SELECT platform,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY engagement_rate) AS threshold,
       count(*) AS posts
FROM post_metrics
GROUP BY platform
ORDER BY platform
