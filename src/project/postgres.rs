//! The `[postgres]` settings of `vcd.toml`: TLS for the connection, with libpq's names.
//! How they are resolved and used is `source::postgres::tls`.

use anyhow::{bail, Result};
use serde::Deserialize;
use std::path::PathBuf;

/// libpq's `sslmode`: how much protection a connection must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    /// Reads libpq's spelling (`verify-full`); errors list the accepted values.
    pub fn parse(s: &str) -> Result<SslMode> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => bail!("sslmode '{s}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// TLS settings from one place (the connection string, `vcd.toml` or the
/// environment); each is optional, and [`TlsOptions::or`] fills the gaps of
/// one from another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsOptions {
    pub sslmode: Option<SslMode>,
    /// A PEM file of CA certificates, or `system` for the system's trust roots.
    pub sslrootcert: Option<PathBuf>,
    /// A PEM file with the client's certificate (and any intermediates).
    pub sslcert: Option<PathBuf>,
    /// A PEM file with the client certificate's private key (PKCS#8, PKCS#1 or SEC1).
    pub sslkey: Option<PathBuf>,
}

impl TlsOptions {
    /// Each setting of `self`, or else `other`'s.
    pub fn or(self, other: TlsOptions) -> TlsOptions {
        TlsOptions {
            sslmode: self.sslmode.or(other.sslmode),
            sslrootcert: self.sslrootcert.or(other.sslrootcert),
            sslcert: self.sslcert.or(other.sslcert),
            sslkey: self.sslkey.or(other.sslkey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_libpqs_names_and_order_by_protection() {
        for m in ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] {
            assert_eq!(SslMode::parse(m).unwrap().name(), m);
        }
        let e = SslMode::parse("verify_full").unwrap_err().to_string();
        assert!(e.contains("verify-full"), "{e}");
        assert!(SslMode::Prefer < SslMode::Require && SslMode::Require < SslMode::VerifyCa);
    }

    #[test]
    fn earlier_settings_win_field_by_field() {
        let url = TlsOptions { sslmode: Some(SslMode::VerifyFull), ..Default::default() };
        let toml =
            TlsOptions { sslmode: Some(SslMode::Require), sslrootcert: Some("ca.pem".into()), ..Default::default() };
        let merged = url.or(toml);
        assert_eq!(merged.sslmode, Some(SslMode::VerifyFull));
        assert_eq!(merged.sslrootcert, Some(PathBuf::from("ca.pem")));
    }
}
