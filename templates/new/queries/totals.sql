-- Totals for the chosen region. $region comes from the page's dropdown; its
-- "all" choice binds NULL, which keeps every region. vcd runs this query once
-- per choice when it builds, so each total is exact.
SELECT count(*) AS orders,
       sum(amount) AS revenue,
       avg(amount) AS average_order
FROM sales
WHERE ($region IS NULL OR region = $region)
