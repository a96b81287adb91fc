-- Every item a post featured, and whether it sold after the post went up:
-- sold_after_post = 1 when the item's first completed sale came on or after the
-- post; days_to_sale counts calendar days from the post to that sale.
WITH sales AS (
    SELECT oi.item_id, min(o.order_date) AS sold_at, sum(oi.total_price) AS sold_for
    FROM order_items oi
    JOIN orders o ON o.order_id = oi.order_id
    WHERE o.order_status = 'completed'
    GROUP BY oi.item_id
)
SELECT pif.feature_id, pm.post_id, pm.platform, pm.post_type, pm.posted_at,
       i.item_name, i.category, i.era_decade, i.selling_price,
       CASE WHEN s.sold_at >= pm.posted_at THEN 1 ELSE 0 END AS sold_after_post,
       CASE WHEN s.sold_at >= pm.posted_at THEN CAST(s.sold_for AS DECIMAL(12, 2))
            ELSE CAST(0 AS DECIMAL(12, 2)) END AS sales_after_post,
       CASE WHEN s.sold_at >= pm.posted_at THEN CAST(s.sold_at AS DATE) - CAST(pm.posted_at AS DATE) END AS days_to_sale
FROM post_items_featured pif
JOIN post_metrics pm ON pm.post_id = pif.post_id
JOIN inventory_items i ON i.item_id = pif.item_id
LEFT JOIN sales s ON s.item_id = pif.item_id
ORDER BY pm.posted_at DESC, pif.feature_id
