-- Every market day with its venue, sales and profit after the booth fee,
-- travel and card fees (net_profit = total_sales - booth_cost - travel_expenses - payment_fees),
-- and its offline-to-online effect: of the customers whose first purchase was
-- in person at that market that day, how many later bought online (an
-- Instagram DM or the website).
WITH ranked AS (
    SELECT o.customer_id, o.location_id, o.order_source, CAST(o.order_date AS DATE) AS day,
           row_number() OVER (PARTITION BY o.customer_id ORDER BY o.order_date, o.order_id) AS n
    FROM orders o
    WHERE o.customer_id IS NOT NULL AND o.order_status = 'completed'
),
newcomers AS (
    SELECT customer_id, location_id, day FROM ranked WHERE n = 1 AND order_source = 'in_person'
),
went_online AS (
    SELECT DISTINCT nc.customer_id, nc.location_id, nc.day
    FROM newcomers nc
    JOIN ranked later ON later.customer_id = nc.customer_id AND later.n > 1
                     AND later.order_source IN ('instagram_dm', 'website')
)
SELECT mp.performance_id, mp.market_date, l.location_name, l.location_type, l.city,
       mp.total_sales, mp.total_transactions, mp.items_sold, mp.foot_traffic_estimate,
       mp.weather, mp.booth_cost, mp.travel_expenses, mp.payment_fees, mp.net_profit,
       mp.customer_acquisition_count AS new_customers,
       (SELECT count(*) FROM newcomers nc WHERE nc.location_id = mp.location_id AND nc.day = mp.market_date)
           AS first_time_buyers,
       (SELECT count(*) FROM went_online w WHERE w.location_id = mp.location_id AND w.day = mp.market_date)
           AS later_bought_online,
       mp.notes
FROM market_performance mp
JOIN locations l ON l.location_id = mp.location_id
ORDER BY mp.market_date, mp.performance_id
