//! TLS for PostgreSQL connections: libpq's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`, over rustls.
//!
//! The modes mean what libpq's table says
//! (<https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION>):
//! `disable` never encrypts; `allow` tries without TLS first; `prefer` (the
//! default) tries TLS first and connects without it when the server offers
//! none; `require` insists on TLS and checks the certificate only when a CA
//! file is given (or `~/.postgresql/root.crt` exists), as libpq does;
//! `verify-ca` checks the chain; `verify-full` checks the chain and that the
//! certificate names the host. With no CA file, the system's trust roots are
//! used, and `sslrootcert=system` asks for them explicitly (it then requires
//! `verify-full`, as in libpq 16).

pub use crate::project::postgres::{SslMode, TlsOptions};
use anyhow::{anyhow, bail, Context, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

impl TlsOptions {
    /// From the keys [`super::conninfo::split`] took out of a connection string.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<TlsOptions> {
        let mut o = TlsOptions::default();
        for (key, value) in pairs {
            match key.as_str() {
                "sslmode" => o.sslmode = Some(SslMode::parse(value)?),
                "sslrootcert" => o.sslrootcert = Some(value.into()),
                "sslcert" => o.sslcert = Some(value.into()),
                "sslkey" => o.sslkey = Some(value.into()),
                _ => {}
            }
        }
        Ok(o)
    }

    /// From libpq's variables `PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT` and `PGSSLKEY`.
    pub fn from_env() -> Result<TlsOptions> {
        let var = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
        Ok(TlsOptions {
            sslmode: var("PGSSLMODE").map(|m| SslMode::parse(&m).context("PGSSLMODE")).transpose()?,
            sslrootcert: var("PGSSLROOTCERT").map(PathBuf::from),
            sslcert: var("PGSSLCERT").map(PathBuf::from),
            sslkey: var("PGSSLKEY").map(PathBuf::from),
        })
    }

    /// libpq's default files in `~/.postgresql/`, where they exist.
    fn defaults() -> TlsOptions {
        let Some(home) = std::env::var_os("HOME").map(PathBuf::from) else { return TlsOptions::default() };
        let existing = |name: &str| Some(home.join(".postgresql").join(name)).filter(|p| p.is_file());
        TlsOptions {
            sslmode: None,
            sslrootcert: existing("root.crt"),
            sslcert: existing("postgresql.crt"),
            sslkey: existing("postgresql.key"),
        }
    }
}

/// Where the certificates a server shows are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    File(PathBuf),
    System,
}

/// Resolved TLS settings and the connector built from them, shared by every connection.
#[derive(Clone)]
pub struct Tls {
    pub mode: SslMode,
    /// What the server's certificate is checked against; `None` when it is not checked.
    pub roots: Option<Roots>,
    /// Whether a client certificate is offered.
    pub client_cert: bool,
    pub connector: MakeRustlsConnect,
}

impl Tls {
    /// Resolves `options` (already merged from every source) over libpq's
    /// default files and builds the connector, reading every file now so a
    /// missing or unreadable one fails before any connection.
    ///
    /// Errors: a file that cannot be read or holds no certificate or key
    /// (named, with the setting that points at it), a client certificate
    /// without its key, or `sslrootcert=system` with a mode weaker than
    /// `verify-full`.
    pub fn build(options: TlsOptions) -> Result<Tls> {
        let o = options.or(TlsOptions::defaults());
        let system = o.sslrootcert.as_deref() == Some(Path::new("system"));
        // libpq 16: the system's roots make verify-full the default, and any weaker mode an error.
        let mode = o.sslmode.unwrap_or(if system { SslMode::VerifyFull } else { SslMode::Prefer });
        if system && mode < SslMode::VerifyFull {
            bail!(
                "sslrootcert=system needs sslmode=verify-full (got {}): the system's roots vouch for names, not for a CA of your own",
                mode.name()
            );
        }
        // libpq checks the chain under `require` when a CA file is there to check it with.
        let verify = mode >= SslMode::VerifyCa || (mode == SslMode::Require && o.sslrootcert.is_some());
        let roots = verify.then(|| match &o.sslrootcert {
            Some(p) if p != Path::new("system") => Roots::File(p.clone()),
            _ => Roots::System,
        });
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match &roots {
            None => Arc::new(Unchecked(provider.clone())),
            Some(r) => {
                let store = Arc::new(root_store(r)?);
                let webpki = WebPkiServerVerifier::builder_with_provider(store, provider.clone())
                    .build()
                    .map_err(|e| anyhow!("cannot use the CA certificates: {e}"))?;
                if mode == SslMode::VerifyFull {
                    webpki
                } else {
                    Arc::new(ChainOnly(webpki))
                }
            }
        };
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| anyhow!("TLS: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let client_cert = o.sslcert.is_some();
        let config = match (&o.sslcert, &o.sslkey) {
            (Some(cert), Some(key)) => {
                builder.with_client_auth_cert(certificates(cert, "sslcert")?, private_key(key)?).map_err(|e| {
                    anyhow!(
                        "sslcert {} and sslkey {} do not make a client certificate: {e}",
                        cert.display(),
                        key.display()
                    )
                })?
            }
            (Some(cert), None) => {
                bail!("sslcert {} is set but sslkey is not: a client certificate needs its key", cert.display())
            }
            (None, _) => builder.with_no_client_auth(),
        };
        Ok(Tls { mode, roots, client_cert, connector: MakeRustlsConnect::new(config) })
    }

    /// The mode tokio-postgres is given: it knows only disable, prefer and require;
    /// the checks of the stronger modes are made by the connector's verifier.
    pub fn wire_mode(mode: SslMode) -> postgres::config::SslMode {
        match mode {
            SslMode::Disable | SslMode::Allow => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => postgres::config::SslMode::Require,
        }
    }

    /// A failed connection's TLS cause in words, or `None` when TLS was not the cause.
    pub fn explain(&self, e: &postgres::Error, host: &str) -> Option<String> {
        let roots = || match &self.roots {
            Some(Roots::File(p)) => format!("the CA certificates in {}", p.display()),
            _ => "the system's trust roots".to_string(),
        };
        let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
        while let Some(c) = cause {
            if c.to_string() == "server does not support TLS" {
                return Some(format!(
                    "the server does not offer TLS, and sslmode={} requires it (sslmode=prefer connects without TLS when the server has none)",
                    self.mode.name()
                ));
            }
            let rustls_error = c
                .downcast_ref::<rustls::Error>()
                .or_else(|| c.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()?.downcast_ref()));
            if let Some(r) = rustls_error {
                return Some(describe(r, host, &roots()));
            }
            cause = c.source();
        }
        None
    }
}

/// A rustls error as a sentence about the certificate or the handshake.
fn describe(e: &rustls::Error, host: &str, roots: &str) -> String {
    use rustls::AlertDescription as A;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => {
                format!("the server's certificate is not trusted: it is not signed by {roots}")
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                let presented = match c {
                    CertificateError::NotValidForNameContext { presented, .. } => {
                        let names: Vec<&str> = presented.iter().map(|n| bare_name(n)).collect();
                        format!(" (it names {})", names.join(", "))
                    }
                    _ => String::new(),
                };
                format!(
                    "host name mismatch: the server's certificate is not valid for '{host}'{presented}; connect by a name it lists, or use sslmode=verify-ca, which checks the chain only"
                )
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "the server's certificate has expired".into()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "the server's certificate is not valid yet (check this machine's clock)".into()
            }
            CertificateError::Revoked => "the server's certificate has been revoked".into(),
            other => format!("the server's certificate was refused: {other:?}"),
        },
        rustls::Error::AlertReceived(A::CertificateRequired) => {
            "the server requires a client certificate: set sslcert and sslkey".into()
        }
        rustls::Error::AlertReceived(A::UnknownCA | A::BadCertificate | A::CertificateUnknown | A::AccessDenied) => {
            "the server refused the client certificate (sslcert): it is not signed by a CA the server trusts".into()
        }
        other => format!("the TLS handshake failed: {other}"),
    }
}

/// A name as rustls presents it (`DnsName("shop.example")`, `IpAddress(10.0.0.1)`) without its wrapping.
fn bare_name(presented: &str) -> &str {
    let inner = presented.split_once('(').and_then(|(_, rest)| rest.strip_suffix(')')).unwrap_or(presented);
    inner.trim_matches('"')
}

/// The CA certificates at `roots`, as a store.
fn root_store(roots: &Roots) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            for cert in certificates(path, "sslrootcert")? {
                store.add(cert).map_err(|e| {
                    anyhow!("sslrootcert {}: a certificate in it cannot be a root: {e}", path.display())
                })?;
            }
        }
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                bail!("no trust roots found on this system: set sslrootcert to a CA file");
            }
        }
    }
    Ok(store)
}

/// Every certificate in a PEM file; `setting` names the setting that points at it.
fn certificates(path: &Path, setting: &str) -> Result<Vec<CertificateDer<'static>>> {
    let read = std::fs::read(path).with_context(|| format!("{setting} {}: cannot read it", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&read)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!("{setting} {}: not a PEM certificate file: {e}", path.display()))?;
    if certs.is_empty() {
        bail!("{setting} {}: no certificate in it (expected PEM, -----BEGIN CERTIFICATE-----)", path.display());
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    let read = std::fs::read(path).with_context(|| format!("sslkey {}: cannot read it", path.display()))?;
    PrivateKeyDer::from_pem_slice(&read).map_err(|e| {
        anyhow!("sslkey {}: no private key in it (expected PEM: PKCS#8, PKCS#1 or SEC1): {e}", path.display())
    })
}

/// The verifier of `prefer`, `allow` and `require` without a CA file: the
/// connection is encrypted, but who is at the other end is not checked
/// (libpq's meaning of those modes). The handshake's signatures are still
/// verified, so the session keys belong to the certificate shown.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The verifier of `verify-ca`: the whole check of `verify-full` but the host
/// name. WebPKI checks the chain before the name, so a name error means the
/// chain was good.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presented_names_lose_their_wrapping() {
        assert_eq!(bare_name("DnsName(\"localhost\")"), "localhost");
        assert_eq!(bare_name("IpAddress(10.0.0.1)"), "10.0.0.1");
        assert_eq!(bare_name("plain"), "plain");
    }

    #[test]
    fn bad_files_and_combinations_are_named() {
        let missing = TlsOptions {
            sslmode: Some(SslMode::VerifyCa),
            sslrootcert: Some("/nonexistent/ca.pem".into()),
            ..Default::default()
        };
        let e = format!("{:#}", Tls::build(missing).err().unwrap());
        assert!(e.contains("sslrootcert /nonexistent/ca.pem: cannot read it"), "{e}");
        let system =
            TlsOptions { sslmode: Some(SslMode::Require), sslrootcert: Some("system".into()), ..Default::default() };
        let e = Tls::build(system).err().unwrap().to_string();
        assert!(e.contains("sslrootcert=system needs sslmode=verify-full"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = Tls::build(TlsOptions {
            sslmode: Some(SslMode::VerifyFull),
            sslrootcert: Some(empty),
            ..Default::default()
        })
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("no certificate in it"), "{e}");
        let client = TlsOptions { sslcert: Some("/c.pem".into()), sslkey: Some("/k.pem".into()), ..Default::default() };
        let e = format!("{:#}", Tls::build(client).err().unwrap());
        assert!(e.contains("sslcert /c.pem: cannot read it"), "{e}");
        let e =
            Tls::build(TlsOptions { sslcert: Some("/c.pem".into()), ..Default::default() }).err().unwrap().to_string();
        assert!(e.contains("sslcert /c.pem is set but sslkey is not"), "{e}");
    }
}
