-- Comments earned by the posts of each month, per platform.
SELECT CAST(date_trunc('month', posted_at) AS DATE) AS month,
       platform,
       sum(comments) AS comments,
       count(*) AS posts
FROM post_metrics
GROUP BY 1, 2
ORDER BY 1, 2
