-- Every market day with its venue, sales and profit after the booth fee,
-- travel and card fees (net_profit = total_sales - booth_cost - travel_expenses - payment_fees).
SELECT mp.performance_id, mp.market_date, l.location_name, l.location_type, l.city,
       mp.total_sales, mp.total_transactions, mp.items_sold, mp.foot_traffic_estimate,
       mp.weather, mp.booth_cost, mp.travel_expenses, mp.payment_fees, mp.net_profit,
       mp.customer_acquisition_count AS new_customers, mp.notes
FROM market_performance mp
JOIN locations l ON l.location_id = mp.location_id
ORDER BY mp.market_date, mp.performance_id
