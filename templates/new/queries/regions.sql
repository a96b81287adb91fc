-- The regions, for the dropdown on the home page.
SELECT DISTINCT region FROM sales ORDER BY region
