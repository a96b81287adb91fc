-- Sales per month and region. One row per pair, so the page can filter rows by region.
SELECT CAST(date_trunc('month', ordered_on) AS DATE) AS month,
       region,
       sum(amount) AS revenue,
       sum(quantity) AS items
FROM sales
GROUP BY 1, 2
ORDER BY 1, 2
