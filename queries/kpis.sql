-- Headline figures for the overview. avg_engagement_rate is the mean of
-- per-post rates; a post is viral when its rate is in the top 10% of its platform.
WITH thresholds AS (
    SELECT platform, percentile_cont(0.9) WITHIN GROUP (ORDER BY engagement_rate) AS p90
    FROM post_metrics
    GROUP BY platform
)
SELECT count(*) AS total_posts,
       -- Rounded so both engines print the same digits (their float sums differ in the last bit).
       CAST(avg(pm.engagement_rate) AS DECIMAL(12, 8)) AS avg_engagement_rate,
       sum(pm.impressions) AS total_impressions,
       sum(pm.reach) AS total_reach,
       sum(pm.saves) AS total_saves,
       count(*) FILTER (WHERE pm.engagement_rate >= t.p90) AS viral_posts
FROM post_metrics pm
JOIN thresholds t ON t.platform = pm.platform
