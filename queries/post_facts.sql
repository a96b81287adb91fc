-- One row per post: when and how it was posted, its latest counts, its rates,
-- whether it went viral, and the revenue attributed to it. Most of the
-- dashboard aggregates these rows in the browser, so every chart and KPI built
-- on them follows the platform filter and the date range exactly.
--   engagements = likes + comments + shares + saves; link_clicks = clicks on the post's link
--   engagement_rate = engagements / reach
--   save_rate = saves / reach, comment_rate = comments / reach, share_rate = shares / reach
--   viral = 1 when engagement_rate is at or above its platform's 90th percentile
--   attributed_revenue = merchandise (subtotal less discount) of orders attributed to the post
WITH thresholds AS (
    SELECT platform, percentile_cont(0.9) WITHIN GROUP (ORDER BY engagement_rate) AS threshold
    FROM post_metrics
    GROUP BY platform
),
attributed AS (
    SELECT sa.post_id,
           count(DISTINCT sa.order_id) AS orders,
           sum(o.subtotal - o.discount_amount) AS revenue
    FROM social_media_attribution sa
    JOIN orders o ON o.order_id = sa.order_id
    GROUP BY sa.post_id
),
featured AS (
    SELECT pif.post_id, min(i.category) AS category
    FROM post_items_featured pif
    JOIN inventory_items i ON i.item_id = pif.item_id
    WHERE pif.is_primary_item
    GROUP BY pif.post_id
),
facts AS (
    SELECT pm.*,
           CAST(extract(hour FROM pm.posted_at) AS INTEGER) AS hour,
           CAST(extract(isodow FROM pm.posted_at) AS INTEGER) AS weekday
    FROM post_metrics pm
)
SELECT f.post_id, f.platform, f.post_type, f.caption, f.posted_at,
       CAST(date_trunc('month', f.posted_at) AS DATE) AS month,
       CAST(extract(month FROM f.posted_at) AS INTEGER) AS month_of_year,
       f.weekday,
       CASE f.weekday WHEN 1 THEN '1 Mon' WHEN 2 THEN '2 Tue' WHEN 3 THEN '3 Wed' WHEN 4 THEN '4 Thu'
                      WHEN 5 THEN '5 Fri' WHEN 6 THEN '6 Sat' ELSE '7 Sun' END AS day_of_week,
       f.hour,
       CASE WHEN f.hour BETWEEN 6 AND 11 THEN '1 morning (6–11)'
            WHEN f.hour BETWEEN 12 AND 16 THEN '2 afternoon (12–16)'
            WHEN f.hour BETWEEN 17 AND 21 THEN '3 evening (17–21)'
            ELSE '4 night (22–5)' END AS time_of_day,
       CASE WHEN f.is_promotional THEN 'promoted' ELSE 'organic' END AS promotion,
       coalesce(fe.category, 'no item') AS featured_category,
       f.impressions, f.reach, f.likes, f.comments, f.shares, f.saves,
       f.likes + f.comments + f.shares + f.saves AS engagements,
       f.clicks AS link_clicks,
       f.engagement_rate,
       CAST(f.saves AS DOUBLE PRECISION) / NULLIF(f.reach, 0) AS save_rate,
       CAST(f.comments AS DOUBLE PRECISION) / NULLIF(f.reach, 0) AS comment_rate,
       CAST(f.shares AS DOUBLE PRECISION) / NULLIF(f.reach, 0) AS share_rate,
       CASE WHEN f.engagement_rate >= t.threshold THEN 1 ELSE 0 END AS viral,
       coalesce(a.orders, 0) AS attributed_orders,
       CAST(coalesce(a.revenue, 0) AS DECIMAL(12, 2)) AS attributed_revenue
FROM facts f
JOIN thresholds t ON t.platform = f.platform
LEFT JOIN attributed a ON a.post_id = f.post_id
LEFT JOIN featured fe ON fe.post_id = f.post_id
ORDER BY f.posted_at DESC, f.post_id
