//! Test helper: a throwaway PostgreSQL database on the server named by
//! `VCD_TEST_DATABASE_URL` (which `.ci/run` starts and sets).

use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A database created for one test and dropped afterwards.
pub struct TestDb {
    admin_url: String,
    pub name: String,
    /// Connection URL of the new database.
    pub url: String,
}

/// A fresh database, or `None` (said loudly) when no server is configured outside CI.
pub fn test_db() -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("VCD_TEST_DATABASE_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PostgreSQL tests must run under CI: set VCD_TEST_DATABASE_URL (.ci/run does)"
        );
        eprintln!("SKIPPED: PostgreSQL test needs VCD_TEST_DATABASE_URL=postgresql://user:pw@host:port/postgres");
        return None;
    };
    let name = format!("vcd_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).expect("connect to the test server");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = match admin_url.rfind('/') {
        Some(i) => format!("{}/{name}", &admin_url[..i]),
        None => panic!("VCD_TEST_DATABASE_URL must end in /database"),
    };
    Some(TestDb { admin_url, name, url })
}

impl TestDb {
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }

    /// Every user table with its row count and a checksum of its contents, to
    /// show a failed operation changed nothing.
    pub fn fingerprint(&self) -> Vec<(String, i64, String)> {
        let mut c = self.client();
        let tables: Vec<String> = c
            .query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        tables
            .into_iter()
            .map(|t| {
                let row = c
                    .query_one(&format!("SELECT count(*), coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM \"{t}\" x"), &[])
                    .unwrap();
                (t, row.get(0), row.get(1))
            })
            .collect()
    }
}

impl TestDb {
    /// Every key, constraint and index on the database's tables, by table and
    /// name, with its definition as the server prints it.
    pub fn keys_and_indexes(&self) -> Vec<(String, String, String)> {
        let mut c = self.client();
        let rows = c
            .query(
                "SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid) FROM pg_constraint
                 WHERE connamespace = 'public'::regnamespace
                 UNION ALL
                 SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
                 WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
                 ORDER BY 1, 2, 3",
                &[],
            )
            .unwrap();
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// The TLS files `.ci/pg-tls` made for the test server (`VCD_TEST_TLS_DIR`):
/// `ca.crt`, `other-ca.crt`, `client.crt`, `client.key`. `None` (said loudly)
/// outside CI when unset, like [`test_db`].
pub fn tls_dir() -> Option<std::path::PathBuf> {
    let Some(dir) = std::env::var_os("VCD_TEST_TLS_DIR") else {
        assert!(std::env::var_os("CI").is_none(), "TLS tests must run under CI: set VCD_TEST_TLS_DIR (.ci/run does)");
        eprintln!("SKIPPED: TLS test needs VCD_TEST_TLS_DIR, made by .ci/pg-tls");
        return None;
    };
    Some(dir.into())
}

/// The test server's address and the port as the URL names it.
pub fn server_addr() -> std::net::SocketAddr {
    let url = std::env::var("VCD_TEST_DATABASE_URL").expect("VCD_TEST_DATABASE_URL");
    let config: postgres::Config = url.parse().unwrap();
    let host = match &config.get_hosts()[0] {
        postgres::config::Host::Tcp(h) => h.clone(),
        other => panic!("the test server must be reached over TCP, not {other:?}"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)).unwrap().next().unwrap()
}
