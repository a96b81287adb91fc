//! Word lists the generator draws from: names, garments, brands, places, hashtags, captions.
//!
//! Everything here is invented or generic; e-mail addresses use the reserved example.*
//! domains and phone numbers the 555-01xx fiction range, so no row can reach a real person.

pub const FIRST_NAMES: &[&str] = &[
    "Ava", "Olivia", "Emma", "Chloe", "Maya", "Zoe", "Priya", "Aisha", "Sofia", "Hannah", "Leah", "Nora", "Grace",
    "Isla", "Mei", "Yasmin", "Clara", "Ruby", "Naomi", "Elena", "Tessa", "Jade", "Amara", "Lucy", "Noah", "Liam",
    "Ethan", "Arjun", "Mateo", "Owen", "Kenji", "Samir", "Jonah", "Felix", "Theo", "Marcus",
];

pub const LAST_NAMES: &[&str] = &[
    "Tremblay",
    "Nguyen",
    "Smith",
    "Patel",
    "Roy",
    "Martin",
    "Chen",
    "Singh",
    "MacDonald",
    "Gagnon",
    "Wong",
    "Brown",
    "Kaur",
    "Campbell",
    "Li",
    "Wilson",
    "O'Neil",
    "Taylor",
    "Kim",
    "Morin",
    "Ahmed",
    "Clarke",
    "Fraser",
    "Santos",
    "Bouchard",
    "Leblanc",
    "Ali",
    "Murphy",
    "Côté",
    "Reid",
];

pub const EMAIL_DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];

pub const CUSTOMER_TYPES: &[(&str, f64)] = &[("collector", 0.2), ("casual_buyer", 0.7), ("reseller", 0.1)];

pub const ERAS: &[(&str, f64)] = &[("1960s", 0.10), ("1970s", 0.25), ("1980s", 0.25), ("1990s", 0.28), ("Y2K", 0.12)];

pub const STYLES: &[&str] =
    &["bohemian", "grunge", "preppy", "punk", "disco", "band_tees", "minimalist", "romantic", "western", "workwear"];

pub const LETTER_SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];
pub const WAIST_SIZES: &[&str] = &["W26", "W28", "W30", "W32", "W34"];
pub const SHOE_SIZES: &[&str] = &["US 6", "US 7", "US 8", "US 9", "US 10"];

/// How a category is sized and measured.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fit {
    Top,
    Bottom,
    Shoe,
    OneSize,
}

pub struct Category {
    pub name: &'static str,
    pub subcategories: &'static [&'static str],
    /// Selling price range in whole dollars.
    pub price: (i64, i64),
    pub fit: Fit,
    /// Weight range in grams (for shipping).
    pub weight: (i64, i64),
    pub share: f64,
}

pub const CATEGORIES: &[Category] = &[
    Category {
        name: "dresses",
        subcategories: &["mini_dress", "midi_dress", "maxi_dress", "slip_dress"],
        price: (35, 120),
        fit: Fit::Top,
        weight: (200, 700),
        share: 0.18,
    },
    Category {
        name: "tops",
        subcategories: &["blouse", "knit_sweater", "band_tee", "cardigan", "polo"],
        price: (20, 65),
        fit: Fit::Top,
        weight: (120, 600),
        share: 0.24,
    },
    Category {
        name: "bottoms",
        subcategories: &["jeans", "skirt", "trousers", "cords"],
        price: (30, 95),
        fit: Fit::Bottom,
        weight: (250, 900),
        share: 0.18,
    },
    Category {
        name: "outerwear",
        subcategories: &["leather_jacket", "denim_jacket", "wool_coat", "suede_jacket", "windbreaker"],
        price: (60, 190),
        fit: Fit::Top,
        weight: (600, 2200),
        share: 0.16,
    },
    Category {
        name: "accessories",
        subcategories: &["handbag", "silk_scarf", "belt", "sunglasses", "jewelry"],
        price: (12, 55),
        fit: Fit::OneSize,
        weight: (30, 700),
        share: 0.14,
    },
    Category {
        name: "shoes",
        subcategories: &["boots", "loafers", "platforms", "sneakers"],
        price: (30, 115),
        fit: Fit::Shoe,
        weight: (500, 1500),
        share: 0.10,
    },
];

pub const OUTERWEAR: usize = 3;

pub const BRANDS: &[(&str, f64)] = &[
    ("Unbranded", 0.28),
    ("Levi's", 0.12),
    ("Wrangler", 0.05),
    ("Eaton's", 0.05),
    ("Roots", 0.05),
    ("Esprit", 0.06),
    ("Laura Ashley", 0.04),
    ("Gap", 0.08),
    ("Guess", 0.05),
    ("Ralph Lauren", 0.05),
    ("Handmade", 0.07),
    ("St. Michael", 0.04),
    ("Le Château", 0.06),
];

pub const MATERIALS: &[&str] =
    &["cotton", "silk", "wool", "polyester", "leather", "denim", "suede", "linen", "rayon", "corduroy"];
pub const COLOURS: &[&str] = &[
    "black",
    "cream",
    "rust",
    "navy",
    "forest green",
    "mustard",
    "burgundy",
    "denim blue",
    "brown",
    "pink",
    "lilac",
    "grey",
];
pub const PATTERNS: &[&str] =
    &["solid", "floral", "plaid", "stripes", "paisley", "polka_dot", "geometric", "animal_print"];
pub const ADJECTIVES: &[&str] =
    &["Oversized", "Cropped", "Fitted", "Embroidered", "Fringed", "Faded", "Quilted", "Pleated", "Classic", "Boxy"];

pub const SOURCES: &[(&str, f64)] = &[
    ("estate_sale", 0.25),
    ("thrift_store", 0.30),
    ("consignment", 0.10),
    ("online_marketplace", 0.15),
    ("wholesale_bale", 0.15),
    ("donation", 0.05),
];
pub const SOURCE_TOWNS: &[&str] =
    &["Toronto", "Hamilton", "Guelph", "Kitchener", "Peterborough", "Barrie", "Niagara Falls", "Kingston"];

pub const CONDITION_NOTES: &[&str] = &[
    "Small mark on hem, barely visible",
    "Missing one button, spare included",
    "Light fading, adds character",
    "Tiny repair at seam, professionally done",
    "Minor pilling under arms",
    "Like new, tags attached",
];

/// Deadstock lines the shop restocks (not one of a kind): (name, category index, price $).
pub const DEADSTOCK: &[(&str, usize, i64)] = &[
    ("Deadstock 90s bandana", 4, 12),
    ("Deadstock cat-eye sunglasses", 4, 22),
    ("Deadstock enamel pin set", 4, 14),
    ("Deadstock tube socks (3 pairs)", 4, 15),
    ("Deadstock silk scrunchie", 4, 10),
];

/// A market venue: (name, type, city, street address, postal code, travel cost range $).
pub struct Venue {
    pub name: &'static str,
    pub kind: &'static str,
    pub city: &'static str,
    pub address: &'static str,
    pub postal: &'static str,
    pub travel: (i64, i64),
}

pub const VENUES: &[Venue] = &[
    Venue {
        name: "Queen West Vintage Pop-Up",
        kind: "pop_up_market",
        city: "Toronto",
        address: "780 Queen St W",
        postal: "M6J 1E9",
        travel: (12, 25),
    },
    Venue {
        name: "Junction Flea",
        kind: "pop_up_market",
        city: "Toronto",
        address: "2960 Dundas St W",
        postal: "M6P 1Z4",
        travel: (10, 22),
    },
    Venue {
        name: "Kensington Sunday Market",
        kind: "pop_up_market",
        city: "Toronto",
        address: "160 Augusta Ave",
        postal: "M5T 2L6",
        travel: (10, 20),
    },
    Venue {
        name: "Leslieville Makers Market",
        kind: "craft_fair",
        city: "Toronto",
        address: "1040 Queen St E",
        postal: "M4M 1K4",
        travel: (12, 25),
    },
    Venue {
        name: "Harbourfront Summer Festival",
        kind: "festival",
        city: "Toronto",
        address: "235 Queens Quay W",
        postal: "M5J 2G8",
        travel: (20, 40),
    },
    Venue {
        name: "James Street Vintage Fair",
        kind: "pop_up_market",
        city: "Hamilton",
        address: "180 James St N",
        postal: "L8R 2L2",
        travel: (45, 80),
    },
    Venue {
        name: "Guelph Holiday Craft Fair",
        kind: "craft_fair",
        city: "Guelph",
        address: "40 Baker St",
        postal: "N1H 4G1",
        travel: (50, 90),
    },
    Venue {
        name: "Kitchener Retro Market",
        kind: "pop_up_market",
        city: "Kitchener",
        address: "300 King St E",
        postal: "N2G 2L3",
        travel: (55, 95),
    },
    Venue {
        name: "Lakeshore Music & Arts Festival",
        kind: "festival",
        city: "Oakville",
        address: "1 Navy St",
        postal: "L6J 2Y5",
        travel: (35, 60),
    },
    Venue {
        name: "Ottawa Glebe Winter Craft Show",
        kind: "craft_fair",
        city: "Ottawa",
        address: "1000 Exhibition Way",
        postal: "K1S 5J3",
        travel: (140, 220),
    },
    Venue {
        name: "Burlington Waterfront Pop-Up",
        kind: "pop_up_market",
        city: "Burlington",
        address: "1340 Lakeshore Rd",
        postal: "L7S 1B1",
        travel: (35, 60),
    },
];

/// Booth fee range in dollars by venue type.
pub fn fee_range(kind: &str) -> (i64, i64) {
    match kind {
        "festival" => (220, 400),
        "craft_fair" => (120, 240),
        _ => (60, 140),
    }
}

pub const STAFF: &[&str] = &["Elise", "Elise", "Elise", "Sam"];

pub const HASHTAGS_BASE: &[&str] = &[
    "#vintage",
    "#vintageclothing",
    "#torontovintage",
    "#thrifted",
    "#secondhandfashion",
    "#sustainablefashion",
    "#curatedcloset",
];
pub const HASHTAGS_TIKTOK: &[&str] = &["#thrifttok", "#vintagetok", "#fyp", "#thriftfinds"];
pub const HASHTAGS_PROMO: &[&str] = &["#sale", "#shopsmall", "#popupmarket"];
/// Era hashtags, in ERAS order.
pub const HASHTAGS_ERA: &[&str] = &["#60sfashion", "#70sfashion", "#80sfashion", "#90sfashion", "#y2kfashion"];
/// Category hashtags, in CATEGORIES order.
pub const HASHTAGS_CATEGORY: &[&str] =
    &["#vintagedress", "#vintagetops", "#vintagedenim", "#vintagejacket", "#vintageaccessories", "#vintageshoes"];

pub const MENTIONS: &[&str] = &["@photo.by.jun", "@styledbyrae", "@northsidethrift.collab"];

/// Caption openers for posts that show an item; `{item}` is replaced by its name.
pub const ITEM_CAPTIONS: &[&str] = &[
    "Just landed: {item}",
    "New in, {item}. DM to claim!",
    "Would you wear this {item}? Tell us below 👇",
    "Styling the {item} three ways",
    "\"Forever piece\" alert: {item}",
    "{item}, one of one. Link in bio",
    "Sunday drop preview\n{item} + more at 7pm",
];

pub const PROMO_CAPTIONS: &[&str] = &[
    "20% off all denim this weekend, in store & online",
    "Find us at the market this Saturday! Cash, card, tap",
    "Flash sale: everything under $40 until midnight",
    "Free shipping in Ontario, this week only",
    "Holiday gift guide: vintage under $50\nShop via link in bio",
];

pub const STORY_CAPTIONS: &[&str] = &[
    "Packing your orders 📦",
    "Booth set-up, come say hi",
    "Restock sneak peek",
    "Thrift haul unboxing",
    "Poll: which era next?",
];

pub const PLAIN_CAPTIONS: &[&str] = &[
    "Behind the scenes at the studio",
    "Steaming, mending, photographing: restock day",
    "Our favourite finds of the month",
];
