//! Connection strings: the TLS keys libpq accepts and tokio-postgres does not, taken out before the rest is parsed.
//!
//! tokio-postgres knows `sslmode` only as `disable`, `prefer` or `require`
//! and rejects `sslrootcert`, `sslcert` and `sslkey`; vcd handles all four
//! itself (see [`super::tls`]), so they are lifted out of the string here and
//! everything else is passed on as written. Both of libpq's forms are read
//! (<https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING>):
//! a URI, `postgresql://user@host/db?sslmode=verify-full&sslrootcert=ca.pem`,
//! whose parameter values are percent-decoded, and keyword/value pairs,
//! `host=db.example.com sslmode=require`, whose values may be single-quoted
//! with `\'` and `\\` escapes.

/// The keys vcd takes out of a connection string.
pub const TLS_KEYS: [&str; 4] = ["sslmode", "sslrootcert", "sslcert", "sslkey"];

/// A connection string split in two.
#[derive(Debug, PartialEq, Eq)]
pub struct Split {
    /// The string without the TLS keys, for tokio-postgres to parse.
    pub rest: String,
    /// The TLS keys with their decoded values, in the order written.
    pub tls: Vec<(String, String)>,
}

/// Splits `conn` into its TLS keys and the rest.
///
/// Errors: a malformed pair or percent escape, described without repeating
/// the string (it may hold a password).
pub fn split(conn: &str) -> Result<Split, String> {
    let uri = ["postgresql://", "postgres://"].iter().any(|p| conn.starts_with(p));
    if uri {
        split_uri(conn)
    } else {
        split_pairs(conn)
    }
}

fn split_uri(conn: &str) -> Result<Split, String> {
    let Some((head, query)) = conn.split_once('?') else {
        return Ok(Split { rest: conn.to_string(), tls: Vec::new() });
    };
    let mut kept = Vec::new();
    let mut tls = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) =
            pair.split_once('=').ok_or_else(|| format!("a URL parameter has no '=' ({})", key_of(pair)))?;
        let key = decode(key)?;
        if TLS_KEYS.contains(&key.as_str()) {
            tls.push((key, decode(value)?));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() { head.to_string() } else { format!("{head}?{}", kept.join("&")) };
    Ok(Split { rest, tls })
}

/// The key of a malformed `key=value` pair, for a message: the text before any
/// `=` is a key name, never a secret.
fn key_of(pair: &str) -> &str {
    if pair.len() > 40 {
        "a long parameter"
    } else {
        pair
    }
}

fn decode(s: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| "a URL parameter is not valid UTF-8 once percent-decoded".to_string())
}

fn split_pairs(conn: &str) -> Result<Split, String> {
    let mut kept: Vec<&str> = Vec::new();
    let mut tls = Vec::new();
    let bytes = conn.as_bytes();
    let mut i = 0;
    let skip_space = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    loop {
        i = skip_space(i);
        if i == bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &conn[start..i];
        i = skip_space(i);
        if bytes.get(i) != Some(&b'=') {
            return Err(format!("'{key}' in the connection string has no '=' and value"));
        }
        i = skip_space(i + 1);
        let mut value = String::new();
        if bytes.get(i) == Some(&b'\'') {
            i += 1;
            loop {
                match bytes.get(i) {
                    None => return Err(format!("the value of '{key}' in the connection string has no closing quote")),
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if i + 1 < bytes.len() => {
                        value.push(conn[i + 1..].chars().next().unwrap_or('\\'));
                        i += 1 + conn[i + 1..].chars().next().map_or(1, char::len_utf8);
                    }
                    Some(_) => {
                        let c = conn[i..].chars().next().unwrap_or(' ');
                        value.push(c);
                        i += c.len_utf8();
                    }
                }
            }
        } else {
            while let Some(&b) = bytes.get(i) {
                if b.is_ascii_whitespace() {
                    break;
                }
                if b == b'\\' && i + 1 < bytes.len() {
                    i += 1;
                }
                let c = conn[i..].chars().next().unwrap_or(' ');
                value.push(c);
                i += c.len_utf8();
            }
        }
        if TLS_KEYS.contains(&key) {
            tls.push((key.to_string(), value));
        } else {
            kept.push(&conn[start..i]);
        }
    }
    Ok(Split { rest: kept.join(" "), tls })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_uri_loses_its_tls_parameters_and_keeps_the_rest_as_written() {
        let s = split(
            "postgresql://u:p%40ss@db:5432/shop?sslmode=verify-full&connect_timeout=3&sslrootcert=%2Ftmp%2Fca%20x.pem",
        )
        .unwrap();
        assert_eq!(s.rest, "postgresql://u:p%40ss@db:5432/shop?connect_timeout=3");
        assert_eq!(s.tls, tls(&[("sslmode", "verify-full"), ("sslrootcert", "/tmp/ca x.pem")]));
        let s = split("postgres://db/shop?sslmode=require").unwrap();
        assert_eq!(s, Split { rest: "postgres://db/shop".into(), tls: tls(&[("sslmode", "require")]) });
        let s = split("postgres://db/shop").unwrap();
        assert_eq!(s, Split { rest: "postgres://db/shop".into(), tls: vec![] });
    }

    #[test]
    fn keyword_pairs_are_read_with_libpq_quoting() {
        let s = split(r"host=db  sslmode = verify-ca sslrootcert='/my certs/it\'s.pem' password='a b' sslkey=k\ y")
            .unwrap();
        assert_eq!(s.rest, "host=db password='a b'");
        assert_eq!(s.tls, tls(&[("sslmode", "verify-ca"), ("sslrootcert", "/my certs/it's.pem"), ("sslkey", "k y")]));
    }

    #[test]
    fn malformed_strings_are_described_without_their_values() {
        let e = split("host=db password='secret").unwrap_err();
        assert!(e.contains("'password'") && !e.contains("secret"), "{e}");
        let e = split("host=db sslmode").unwrap_err();
        assert!(e.contains("'sslmode'"), "{e}");
        let e = split("postgresql://db/x?sslrootcert=%FF").unwrap_err();
        assert!(e.contains("UTF-8"), "{e}");
    }
}
