//! The loopback HTTP receiver the test command starts (`scripts/http-receiver`): each test
//! sends to its own path and reads back what arrived there.

use super::run::Env;
use serde_json::Value;

/// One test's view of the receiver.
pub struct Receiver {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// This test's own path prefix.
    pub prefix: String,
}

impl Receiver {
    /// The receiver named by `SLUICE_TEST_HTTP_URL`; a missing one fails the test loudly.
    pub fn new(test: &str) -> Receiver {
        let base = std::env::var("SLUICE_TEST_HTTP_URL").unwrap_or_else(|_| {
            panic!(
                "SLUICE_TEST_HTTP_URL is not set: these tests need the loopback HTTP receiver; run scripts/test, or `eval \"$(scripts/http-receiver)\"` first"
            )
        });
        Receiver {
            base: base.trim_end_matches('/').to_string(),
            prefix: format!("/hook/{test}-{}-{}", std::process::id(), unique()),
        }
    }

    /// The URL of this test's own path.
    pub fn hook(&self) -> String {
        format!("{}{}", self.base, self.prefix)
    }

    /// Every request that arrived under this test's path, in order.
    pub fn requests(&self) -> Vec<Value> {
        let host = self.base.trim_start_matches("http://");
        let (code, body) = super::http(
            host,
            "GET",
            &format!("/_requests?path={}", self.prefix),
            "text/plain",
            "",
        );
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// The execution's logs as `sluice execution logs` prints them.
pub fn logs(env: &Env, exec: &Value) -> String {
    let id = exec["id"].as_str().unwrap_or_default();
    let out = env.sluice(&["execution", "logs", id]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}
