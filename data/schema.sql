-- The demo shop's schema: one DDL that runs unchanged on PostgreSQL (15+) and DuckDB.
-- vcd runs it before loading data/*.csv; tables are in foreign-key order, so loading
-- the CSVs in the order of this file never references a missing row.
--
-- Portable representation choices (CSV → both engines load identical values):
-- * Lists (customers.preferred_eras/_styles/_sizes, inventory_items.photo_urls and tags,
--   social_media_posts.hashtags and mentions) are TEXT holding the elements joined by ';'
--   with no spaces and no empty elements, e.g. '#vintage;#90sfashion'. An empty list is
--   NULL. Elements never contain ';'. TEXT[] has no CSV form both engines read, so the
--   original's arrays became text. To query them portably:
--     membership:  ';' || hashtags || ';' LIKE '%;#y2kfashion;%'
--     one row per element:  unnest(string_to_array(hashtags, ';'))   (both engines)
-- * The original's JSONB measurements are normalised into integer columns
--   (chest_inches, waist_inches, length_inches; NULL where they do not apply).
-- * The original's INTERVAL time_from_post_to_purchase is hours_to_purchase INTEGER
--   (whole hours, floor), and attribution_confidence is a DECIMAL(3,2) in 0–1.
-- * Timestamps are TIMESTAMP without time zone, in the shop's local time (Toronto).
-- * Money is DECIMAL(10,2); every derived amount is exact to the cent (see CHECKs).
-- * Booleans are written true/false; NULL is an empty unquoted field; the data holds no
--   empty strings (DuckDB would read a quoted "" as NULL, PostgreSQL as '').
-- * Dropped from the original: api_access_token (never store tokens), the square_*
--   sync ids, payments.square_fee (double-counted the processing fee), device_name,
--   receipt_url. Added: market_performance.payment_fees, so net_profit can be checked.

CREATE TABLE locations (
    location_id    INTEGER PRIMARY KEY,
    location_name  VARCHAR(100) NOT NULL,
    location_type  VARCHAR(20) NOT NULL
        CHECK (location_type IN ('pop_up_market', 'festival', 'craft_fair', 'online_only')),
    address        TEXT,
    city           VARCHAR(100) NOT NULL,
    state_province VARCHAR(50) NOT NULL,
    country        VARCHAR(50) NOT NULL,
    postal_code    VARCHAR(20),
    market_fee     DECIMAL(10, 2) NOT NULL CHECK (market_fee >= 0),
    setup_date     DATE,
    end_date       DATE,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    notes          TEXT,
    CHECK (end_date IS NULL OR setup_date IS NULL OR end_date >= setup_date)
);

-- Totals and purchase dates are those of the customer's orders; NULL dates and
-- average when the customer has not bought yet.
CREATE TABLE customers (
    customer_id         INTEGER PRIMARY KEY,
    first_name          VARCHAR(100) NOT NULL,
    last_name           VARCHAR(100) NOT NULL,
    email               VARCHAR(255) NOT NULL UNIQUE,
    phone               VARCHAR(20),
    date_of_birth       DATE,
    customer_type       VARCHAR(20) NOT NULL CHECK (customer_type IN ('collector', 'casual_buyer', 'reseller')),
    preferred_eras      TEXT,
    preferred_styles    TEXT,
    preferred_sizes     TEXT,
    total_orders        INTEGER NOT NULL DEFAULT 0 CHECK (total_orders >= 0),
    total_spent         DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (total_spent >= 0),
    average_order_value DECIMAL(10, 2) CHECK (average_order_value >= 0),
    first_purchase_date DATE,
    last_purchase_date  DATE,
    acquisition_source  VARCHAR(20) NOT NULL
        CHECK (acquisition_source IN ('instagram', 'tiktok', 'word_of_mouth', 'walk_by', 'referral')),
    CHECK ((total_orders = 0) = (first_purchase_date IS NULL)),
    CHECK (first_purchase_date <= last_purchase_date)
);

-- status is 'sold' exactly when a one-of-a-kind item appears in one order line.
CREATE TABLE inventory_items (
    item_id                INTEGER PRIMARY KEY,
    sku                    VARCHAR(50) NOT NULL UNIQUE,
    item_name              VARCHAR(200) NOT NULL,
    brand                  VARCHAR(100),
    category               VARCHAR(50) NOT NULL
        CHECK (category IN ('dresses', 'tops', 'bottoms', 'outerwear', 'accessories', 'shoes')),
    subcategory            VARCHAR(50),
    era_decade             VARCHAR(10) CHECK (era_decade IN ('1960s', '1970s', '1980s', '1990s', 'Y2K')),
    size                   VARCHAR(20),
    chest_inches           INTEGER CHECK (chest_inches > 0),
    waist_inches           INTEGER CHECK (waist_inches > 0),
    length_inches          INTEGER CHECK (length_inches > 0),
    condition_rating       INTEGER NOT NULL CHECK (condition_rating BETWEEN 1 AND 5),
    condition_notes        TEXT,
    material               VARCHAR(50),
    color_primary          VARCHAR(50),
    color_secondary        VARCHAR(50),
    pattern                VARCHAR(50),
    cost_price             DECIMAL(10, 2) CHECK (cost_price >= 0),
    selling_price          DECIMAL(10, 2) NOT NULL CHECK (selling_price >= 0),
    suggested_retail_price DECIMAL(10, 2) CHECK (suggested_retail_price >= 0),
    source                 VARCHAR(50),
    acquisition_date       DATE NOT NULL,
    acquisition_location   VARCHAR(100),
    is_one_of_a_kind       BOOLEAN NOT NULL DEFAULT TRUE,
    weight_grams           INTEGER CHECK (weight_grams > 0),
    photo_urls             TEXT,
    tags                   TEXT,
    status                 VARCHAR(20) NOT NULL DEFAULT 'available'
        CHECK (status IN ('available', 'reserved', 'sold'))
);

-- customer_id is NULL for anonymous market buyers. Order ids are chronological.
CREATE TABLE orders (
    order_id        INTEGER PRIMARY KEY,
    customer_id     INTEGER REFERENCES customers (customer_id),
    location_id     INTEGER NOT NULL REFERENCES locations (location_id),
    order_date      TIMESTAMP NOT NULL,
    order_status    VARCHAR(20) NOT NULL CHECK (order_status IN ('completed', 'refunded', 'cancelled')),
    subtotal        DECIMAL(10, 2) NOT NULL CHECK (subtotal >= 0),
    tax_amount      DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (tax_amount >= 0),
    discount_amount DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
    tip_amount      DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (tip_amount >= 0),
    total_amount    DECIMAL(10, 2) NOT NULL CHECK (total_amount >= 0),
    payment_method  VARCHAR(20) NOT NULL
        CHECK (payment_method IN ('card', 'cash', 'digital_wallet', 'e_transfer', 'split')),
    order_source    VARCHAR(20) NOT NULL CHECK (order_source IN ('in_person', 'instagram_dm', 'website', 'phone')),
    staff_member    VARCHAR(100),
    notes           TEXT,
    CHECK (discount_amount <= subtotal),
    -- 13 % Ontario HST on the discounted subtotal, rounded half away from zero.
    CHECK (tax_amount = ROUND((subtotal - discount_amount) * 0.13, 2)),
    CHECK (total_amount = subtotal - discount_amount + tax_amount + tip_amount)
);

CREATE TABLE order_items (
    order_item_id   INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders (order_id),
    item_id         INTEGER NOT NULL REFERENCES inventory_items (item_id),
    quantity        INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    unit_price      DECIMAL(10, 2) NOT NULL CHECK (unit_price >= 0),
    discount_amount DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
    total_price     DECIMAL(10, 2) NOT NULL CHECK (total_price >= 0),
    CHECK (total_price = quantity * unit_price - discount_amount)
);

-- Split payments have one row per method; an order's payments sum to its total.
CREATE TABLE payments (
    payment_id     INTEGER PRIMARY KEY,
    order_id       INTEGER NOT NULL REFERENCES orders (order_id),
    payment_date   TIMESTAMP NOT NULL,
    amount         DECIMAL(10, 2) NOT NULL CHECK (amount >= 0),
    payment_method VARCHAR(20) NOT NULL CHECK (payment_method IN ('card', 'cash', 'digital_wallet', 'e_transfer')),
    payment_status VARCHAR(20) NOT NULL CHECK (payment_status IN ('completed', 'pending', 'failed', 'refunded')),
    processing_fee DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (processing_fee >= 0),
    net_amount     DECIMAL(10, 2) NOT NULL,
    CHECK (net_amount = amount - processing_fee)
);

CREATE TABLE social_media_accounts (
    account_id     INTEGER PRIMARY KEY,
    platform       VARCHAR(20) NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    account_handle VARCHAR(100) NOT NULL,
    account_name   VARCHAR(200),
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (platform, account_handle)
);

CREATE TABLE social_media_posts (
    post_id          INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES social_media_accounts (account_id),
    platform_post_id VARCHAR(100) NOT NULL UNIQUE,
    post_type        VARCHAR(20) NOT NULL CHECK (post_type IN ('photo', 'video', 'carousel', 'story', 'reel')),
    caption          TEXT,
    post_url         VARCHAR(500) NOT NULL,
    posted_date      TIMESTAMP NOT NULL,
    hashtags         TEXT,
    mentions         TEXT,
    is_promotional   BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE post_items_featured (
    feature_id      BIGINT PRIMARY KEY,
    post_id         INTEGER NOT NULL REFERENCES social_media_posts (post_id),
    item_id         INTEGER NOT NULL REFERENCES inventory_items (item_id),
    is_primary_item BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (post_id, item_id)
);

-- Daily snapshots of each post's cumulative counts for its first 14 days (none after
-- the data's last day). engagement_rate = (likes + comments + shares + saves) / reach
-- of the same snapshot, rounded half up to 4 places; NULL when reach is 0.
CREATE TABLE social_media_metrics (
    metric_id       BIGINT PRIMARY KEY,
    post_id         INTEGER NOT NULL REFERENCES social_media_posts (post_id),
    metric_date     DATE NOT NULL,
    impressions     INTEGER NOT NULL CHECK (impressions >= 0),
    reach           INTEGER NOT NULL CHECK (reach >= 0),
    likes           INTEGER NOT NULL CHECK (likes >= 0),
    comments        INTEGER NOT NULL CHECK (comments >= 0),
    shares          INTEGER NOT NULL CHECK (shares >= 0),
    saves           INTEGER NOT NULL CHECK (saves >= 0),
    clicks          INTEGER NOT NULL CHECK (clicks >= 0),
    engagement_rate DECIMAL(5, 4) CHECK (engagement_rate BETWEEN 0 AND 1),
    UNIQUE (post_id, metric_date),
    CHECK (reach <= impressions),
    CHECK (likes + comments + shares + saves <= reach)
);

-- One row per market day. total_sales = Σ (subtotal − discount) of that day's in-person
-- orders at the location (before HST and tips); booth_cost = the location's market_fee;
-- payment_fees = Σ processing fees of those orders; customer_acquisition_count = customers
-- whose first order was at this market.
CREATE TABLE market_performance (
    performance_id             INTEGER PRIMARY KEY,
    location_id                INTEGER NOT NULL REFERENCES locations (location_id),
    market_date                DATE NOT NULL,
    total_sales                DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (total_sales >= 0),
    total_transactions         INTEGER NOT NULL DEFAULT 0 CHECK (total_transactions >= 0),
    items_sold                 INTEGER NOT NULL DEFAULT 0 CHECK (items_sold >= 0),
    average_transaction_value  DECIMAL(10, 2) CHECK (average_transaction_value >= 0),
    foot_traffic_estimate      INTEGER CHECK (foot_traffic_estimate >= 0),
    weather                    VARCHAR(20) CHECK (weather IN ('sunny', 'cloudy', 'hot', 'cold', 'rain', 'snow')),
    competitor_count           INTEGER CHECK (competitor_count >= 0),
    booth_cost                 DECIMAL(10, 2) NOT NULL CHECK (booth_cost >= 0),
    travel_expenses            DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (travel_expenses >= 0),
    payment_fees               DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (payment_fees >= 0),
    net_profit                 DECIMAL(10, 2) NOT NULL,
    customer_acquisition_count INTEGER NOT NULL DEFAULT 0 CHECK (customer_acquisition_count >= 0),
    notes                      TEXT,
    UNIQUE (location_id, market_date),
    CHECK (net_profit = total_sales - booth_cost - travel_expenses - payment_fees),
    CHECK (customer_acquisition_count <= total_transactions)
);

-- A purchase linked to the post that led to it; the order always follows the post.
CREATE TABLE social_media_attribution (
    attribution_id         INTEGER PRIMARY KEY,
    customer_id            INTEGER NOT NULL REFERENCES customers (customer_id),
    order_id               INTEGER NOT NULL REFERENCES orders (order_id),
    post_id                INTEGER NOT NULL REFERENCES social_media_posts (post_id),
    attribution_type       VARCHAR(30) NOT NULL
        CHECK (attribution_type IN ('save_then_purchase', 'click_through', 'comment_inquiry')),
    attribution_confidence DECIMAL(3, 2) NOT NULL CHECK (attribution_confidence BETWEEN 0 AND 1),
    hours_to_purchase      INTEGER NOT NULL CHECK (hours_to_purchase >= 0)
);

-- Each post with its latest snapshot and platform: the base of most queries.
-- engagement_rate = (likes + comments + shares + saves) / reach of that snapshot.
-- (A join to the latest date per post, not a correlated subquery, so it stays
-- fast on millions of snapshots in both engines.)
CREATE VIEW post_metrics AS
SELECT p.post_id,
       a.platform,
       p.post_type,
       p.caption,
       p.post_url,
       p.posted_date AS posted_at,
       p.is_promotional,
       m.impressions,
       m.reach,
       m.likes,
       m.comments,
       m.shares,
       m.saves,
       m.clicks,
       CAST(m.likes + m.comments + m.shares + m.saves AS DOUBLE PRECISION) / NULLIF(m.reach, 0) AS engagement_rate
FROM social_media_posts p
JOIN social_media_accounts a ON a.account_id = p.account_id
JOIN (SELECT post_id, max(metric_date) AS metric_date FROM social_media_metrics GROUP BY post_id) latest
  ON latest.post_id = p.post_id
JOIN social_media_metrics m ON m.post_id = latest.post_id AND m.metric_date = latest.metric_date;
