-- Revenue attributed to posts, by the way it came: one row per post and
-- order the attribution data links, with the post's platform and type, the
-- channel the order was placed through, and its merchandise value
-- (subtotal less discount, as post_facts.attributed_revenue counts it).
-- An order linked to two posts counts once for each, as it does there.
WITH links AS (
    SELECT DISTINCT post_id, order_id FROM social_media_attribution
)
SELECT pm.post_id, l.order_id, pm.platform, pm.post_type, pm.posted_at,
       CASE o.order_source WHEN 'in_person' THEN 'in person' WHEN 'instagram_dm' THEN 'Instagram DM'
                           ELSE o.order_source END AS order_source,
       CAST(o.subtotal - o.discount_amount AS DECIMAL(12, 2)) AS revenue
FROM links l
JOIN orders o ON o.order_id = l.order_id
JOIN post_metrics pm ON pm.post_id = l.post_id
ORDER BY pm.posted_at DESC, l.order_id
