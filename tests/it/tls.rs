//! TLS to PostgreSQL: each `sslmode` against the test server with TLS on
//! (`.ci/pg-tls`) and against a proxy that plays a server without TLS, a
//! client certificate, and where the settings may come from.

use crate::support::pg::{server_addr, test_db, tls_dir};
use crate::support::project::{Run, TempProject};
use crate::support::proxy::{Behaviour, Proxy};
use std::path::Path;

/// Asks the server whether this very connection is encrypted.
const IS_TLS: &str = "SELECT ssl::text AS tls FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

/// `vcd query` over `url`, with the PGSSL* variables cleared and HOME in the
/// project, so neither the environment nor `~/.postgresql/` of the machine
/// running the tests changes the outcome; `env` then sets what a case needs.
fn query(p: &TempProject, url: &str, env: &[(&str, &str)]) -> Run {
    let home = p.root.to_string_lossy().into_owned();
    let mut all =
        vec![("HOME", home.as_str()), ("PGSSLMODE", ""), ("PGSSLROOTCERT", ""), ("PGSSLCERT", ""), ("PGSSLKEY", "")];
    all.extend_from_slice(env);
    p.vcd_env(&["query", "--source", "postgres", "--database-url", url, IS_TLS], &all)
}

/// The connection was made, and the server says whether it is encrypted.
fn connected(r: &Run, tls: bool) {
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = if tls { "true" } else { "false" };
    assert!(r.stdout.lines().any(|l| l.trim() == expected), "expected tls = {expected}:\n{}", r.stdout);
}

/// The connection failed for the `reason` given, naming the server and the mode.
fn refused(r: &Run, reason: &str) {
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("cannot connect to PostgreSQL at"), "{}", r.stderr);
    assert!(r.stderr.contains(reason), "expected '{reason}' in:\n{}", r.stderr);
}

fn url(host: &str, port: u16, user: &str, params: &str, dir: &Path) -> String {
    let params = params.replace("$DIR", &dir.to_string_lossy());
    let user = if user == "vcd" { "vcd:vcd".to_string() } else { user.to_string() };
    format!("postgresql://{user}@{host}:{port}/postgres?{params}")
}

#[test]
fn each_sslmode_does_what_libpq_says() {
    let (Some(_db), Some(dir)) = (test_db(), tls_dir()) else { return };
    let port = server_addr().port();
    let p = TempProject::fixture("basic");
    let at = |host: &str, params: &str| url(host, port, "vcd", params, &dir);

    // verify-full: the chain and the name. The certificate names "localhost" only.
    connected(&query(&p, &at("localhost", "sslmode=verify-full&sslrootcert=$DIR/ca.crt"), &[]), true);
    let r = query(&p, &at("127.0.0.1", "sslmode=verify-full&sslrootcert=$DIR/ca.crt"), &[]);
    refused(&r, "host name mismatch: the server's certificate is not valid for '127.0.0.1' (it names localhost)");
    assert!(r.stderr.contains("(sslmode=verify-full)"), "{}", r.stderr);
    // verify-ca: the chain only, so the address is enough.
    connected(&query(&p, &at("127.0.0.1", "sslmode=verify-ca&sslrootcert=$DIR/ca.crt"), &[]), true);
    // A CA that did not sign the server's certificate.
    for mode in ["verify-ca", "verify-full"] {
        let r = query(&p, &at("localhost", &format!("sslmode={mode}&sslrootcert=$DIR/other-ca.crt")), &[]);
        refused(&r, "the server's certificate is not trusted: it is not signed by the CA certificates in");
        assert!(r.stderr.contains("other-ca.crt"), "{}", r.stderr);
    }
    // With no CA file, the system's roots, which do not know the test CA.
    let r = query(&p, &at("localhost", "sslmode=verify-full"), &[]);
    refused(&r, "not signed by the system's trust roots");
    // require: encrypted, not checked; with a CA file it checks the chain, as libpq does.
    connected(&query(&p, &at("127.0.0.1", "sslmode=require"), &[]), true);
    refused(&query(&p, &at("127.0.0.1", "sslmode=require&sslrootcert=$DIR/other-ca.crt"), &[]), "not trusted");
    // prefer (the default) and allow connect; disable never encrypts.
    connected(&query(&p, &at("127.0.0.1", "sslmode=prefer"), &[]), true);
    connected(&query(&p, &at("127.0.0.1", "connect_timeout=5"), &[]), true);
    connected(&query(&p, &at("127.0.0.1", "sslmode=allow"), &[]), false);
    connected(&query(&p, &at("127.0.0.1", "sslmode=disable"), &[]), false);
    // A mode libpq does not have.
    let r = query(&p, &at("127.0.0.1", "sslmode=verify_full"), &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("sslmode 'verify_full' is not one of disable, allow, prefer, require"), "{}", r.stderr);
}

#[test]
fn a_server_without_tls_fails_require_and_serves_prefer_in_the_clear() {
    let (Some(_db), Some(dir)) = (test_db(), tls_dir()) else { return };
    let plain = Proxy::start(server_addr(), Behaviour::RefuseTls);
    let p = TempProject::fixture("basic");
    let at = |params: &str| url("127.0.0.1", plain.port, "vcd", params, &dir);
    for mode in ["require", "verify-ca", "verify-full"] {
        let r = query(&p, &at(&format!("sslmode={mode}&sslrootcert=$DIR/ca.crt")), &[]);
        refused(&r, &format!("the server does not offer TLS, and sslmode={mode} requires it"));
    }
    connected(&query(&p, &at("sslmode=prefer"), &[]), false);
    connected(&query(&p, &at(""), &[]), false);
}

#[test]
fn a_client_certificate_is_offered_where_the_server_demands_one() {
    let (Some(_db), Some(dir)) = (test_db(), tls_dir()) else { return };
    let port = server_addr().port();
    let p = TempProject::fixture("basic");
    // The role vcd_cert may log in only with a certificate of the test CA naming it.
    let with_cert = "sslmode=verify-full&sslrootcert=$DIR/ca.crt&sslcert=$DIR/client.crt&sslkey=$DIR/client.key";
    connected(&query(&p, &url("localhost", port, "vcd_cert", with_cert, &dir), &[]), true);
    // allow: refused in the clear, then let in over TLS with the certificate.
    let allow = "sslmode=allow&sslcert=$DIR/client.crt&sslkey=$DIR/client.key";
    connected(&query(&p, &url("localhost", port, "vcd_cert", allow, &dir), &[]), true);
    // Without it, the server's own refusal.
    let r = query(&p, &url("localhost", port, "vcd_cert", "sslmode=verify-full&sslrootcert=$DIR/ca.crt", &dir), &[]);
    refused(&r, "connection requires a valid client certificate");
    // A certificate without its key is a settings error, before any connection.
    let r = query(&p, &url("localhost", port, "vcd_cert", "sslcert=$DIR/client.crt", &dir), &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("client.crt is set but sslkey is not"), "{}", r.stderr);
}

#[test]
fn tls_settings_come_from_the_url_then_vcd_toml_then_the_environment() {
    let (Some(_db), Some(dir)) = (test_db(), tls_dir()) else { return };
    let port = server_addr().port();
    let p = TempProject::fixture("basic");
    let ca = dir.join("ca.crt").to_string_lossy().into_owned();
    let other = dir.join("other-ca.crt").to_string_lossy().into_owned();
    let bare = url("localhost", port, "vcd", "", &dir);

    // The environment alone: libpq's variables.
    connected(&query(&p, &bare, &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", &ca)]), true);
    refused(&query(&p, &bare, &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", &other)]), "not trusted");

    // vcd.toml over the environment, its paths relative to the project.
    std::fs::copy(dir.join("ca.crt"), p.path("ca.pem")).unwrap();
    let toml = std::fs::read_to_string(p.path("vcd.toml")).unwrap_or_default();
    p.write("vcd.toml", &format!("{toml}\n[postgres]\nsslmode = \"verify-full\"\nsslrootcert = \"ca.pem\"\n"));
    connected(&query(&p, &bare, &[("PGSSLROOTCERT", &other)]), true);
    // The connection string over vcd.toml.
    let r = query(&p, &url("localhost", port, "vcd", "sslrootcert=$DIR/other-ca.crt", &dir), &[]);
    refused(&r, "not trusted");
    connected(&query(&p, &url("127.0.0.1", port, "vcd", "sslmode=disable", &dir), &[]), false);
    // libpq's keyword/value form reads the same keys.
    let pairs = format!(
        "host=localhost port={port} user=vcd password=vcd dbname=postgres sslmode=verify-ca sslrootcert='{other}'"
    );
    refused(&query(&p, &pairs, &[]), "not trusted");

    // ~/.postgresql/root.crt is libpq's default CA file, and makes require check the chain.
    std::fs::create_dir_all(p.path(".postgresql")).unwrap();
    std::fs::copy(dir.join("other-ca.crt"), p.path(".postgresql/root.crt")).unwrap();
    p.write("vcd.toml", &toml);
    refused(&query(&p, &url("127.0.0.1", port, "vcd", "sslmode=require", &dir), &[]), "not trusted");
    std::fs::copy(dir.join("ca.crt"), p.path(".postgresql/root.crt")).unwrap();
    connected(&query(&p, &url("127.0.0.1", port, "vcd", "sslmode=require", &dir), &[]), true);

    // A misspelt setting in vcd.toml is named.
    p.write("vcd.toml", &format!("{toml}\n[postgres]\nssl_mode = \"require\"\n"));
    let r = query(&p, &bare, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("vcd.toml:") && r.stderr.contains("unknown field `ssl_mode`"), "{}", r.stderr);
}

#[test]
fn tls_failures_never_print_the_password() {
    let (Some(_db), Some(dir)) = (test_db(), tls_dir()) else { return };
    let port = server_addr().port();
    let p = TempProject::fixture("basic");
    let secret = "Tls-s3cret";
    for params in
        ["sslmode=verify-full&sslrootcert=$DIR/other-ca.crt", "sslmode=verify-full&sslrootcert=$DIR/missing.crt"]
    {
        let u = url("127.0.0.1", port, "vcd", params, &dir).replacen("vcd:vcd@", &format!("vcd:{secret}@"), 1);
        let r = query(&p, &u, &[]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(!r.stderr.contains(secret) && !r.stdout.contains(secret), "{}", r.stderr);
    }
}
