-- "Future customers": purchases that followed a save. The attribution data links
-- a customer's order to a post they saved first (attribution_type
-- 'save_then_purchase'); the lag is the time from the post to the purchase.
SELECT sa.attribution_id, sa.customer_id, c.customer_type,
       pm.post_id, pm.platform, pm.post_type, pm.caption, pm.posted_at,
       o.order_date AS purchased_at,
       sa.hours_to_purchase,
       CAST(sa.hours_to_purchase AS DOUBLE PRECISION) / 24 AS days_to_purchase,
       CAST(o.subtotal - o.discount_amount AS DECIMAL(12, 2)) AS revenue
FROM social_media_attribution sa
JOIN post_metrics pm ON pm.post_id = sa.post_id
JOIN orders o ON o.order_id = sa.order_id
JOIN customers c ON c.customer_id = sa.customer_id
WHERE sa.attribution_type = 'save_then_purchase'
ORDER BY o.order_date DESC, sa.attribution_id
