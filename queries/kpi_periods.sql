-- The headline figures for the last 90 days of posting and for the 90 days before,
-- so each KPI can show its change. Periods are measured back from the latest post
-- on any platform; $platform (the overview's dropdown) keeps one platform's posts,
-- and NULL (its "all" choice) keeps every post.
-- Attributed revenue is the merchandise (subtotal less discount) of orders that
-- social_media_attribution links to a post of that period.
WITH bounds AS (
    SELECT max(posted_at) AS last_at FROM post_metrics
),
tagged AS (
    SELECT pm.*,
           CASE WHEN pm.posted_at > b.last_at - INTERVAL '90 days' THEN 1
                WHEN pm.posted_at > b.last_at - INTERVAL '180 days' THEN 0 END AS is_current
    FROM post_metrics pm CROSS JOIN bounds b
    WHERE ($platform IS NULL OR pm.platform = $platform)
),
revenue AS (
    SELECT t.is_current, sum(o.subtotal - o.discount_amount) AS revenue
    FROM social_media_attribution sa
    JOIN orders o ON o.order_id = sa.order_id
    JOIN tagged t ON t.post_id = sa.post_id
    WHERE t.is_current IS NOT NULL
    GROUP BY t.is_current
)
SELECT sum(CASE WHEN is_current = 1 THEN 1 ELSE 0 END) AS posts,
       sum(CASE WHEN is_current = 0 THEN 1 ELSE 0 END) AS prev_posts,
       sum(CASE WHEN is_current = 1 THEN impressions ELSE 0 END) AS impressions,
       sum(CASE WHEN is_current = 0 THEN impressions ELSE 0 END) AS prev_impressions,
       sum(CASE WHEN is_current = 1 THEN reach ELSE 0 END) AS reach,
       sum(CASE WHEN is_current = 0 THEN reach ELSE 0 END) AS prev_reach,
       sum(CASE WHEN is_current = 1 THEN saves ELSE 0 END) AS saves,
       sum(CASE WHEN is_current = 0 THEN saves ELSE 0 END) AS prev_saves,
       CAST(avg(CASE WHEN is_current = 1 THEN engagement_rate END) AS DECIMAL(12, 8)) AS engagement_rate,
       CAST(avg(CASE WHEN is_current = 0 THEN engagement_rate END) AS DECIMAL(12, 8)) AS prev_engagement_rate,
       (SELECT coalesce(sum(revenue), 0) FROM revenue WHERE is_current = 1) AS attributed_revenue,
       (SELECT coalesce(sum(revenue), 0) FROM revenue WHERE is_current = 0) AS prev_attributed_revenue
FROM tagged
WHERE is_current IS NOT NULL
