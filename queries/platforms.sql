-- The platforms the shop posts on, for the platform dropdowns.
SELECT DISTINCT platform FROM post_metrics ORDER BY platform
