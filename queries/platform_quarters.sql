-- Each platform's posts and the reach they got, by the quarter they went up:
-- the sparklines beside the viral thresholds.
SELECT platform,
       CAST(date_trunc('quarter', posted_at) AS DATE) AS quarter,
       count(*) AS posts,
       sum(reach) AS reach
FROM post_metrics
GROUP BY platform, CAST(date_trunc('quarter', posted_at) AS DATE)
ORDER BY platform, quarter
