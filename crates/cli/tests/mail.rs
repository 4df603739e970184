//! Kestra's mail tasks end to end: mails delivered to the real SMTP server the test command
//! starts on loopback (`scripts/smtp-receiver`: aiosmtpd with STARTTLS and AUTH), with
//! attachments read from internal storage.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.email.MailSend> and
//! <https://kestra.io/plugins/io.kestra.plugin.email.MailExecution>.

mod common;

use common::receiver::{Receiver, logs};
use common::run::{Env, task};
use serde_json::Value;
use std::time::{Duration, Instant};

fn smtp() -> (String, String, std::path::PathBuf) {
    let addr = std::env::var("SLUICE_TEST_SMTP").unwrap_or_else(|_| {
        panic!("SLUICE_TEST_SMTP is not set: run scripts/test, or `eval \"$(scripts/smtp-receiver)\"` first")
    });
    let dir = std::env::var("SLUICE_TEST_SMTP_DIR").expect("SLUICE_TEST_SMTP_DIR is set with SLUICE_TEST_SMTP");
    let (host, port) = addr.split_once(':').unwrap();
    (host.to_string(), port.to_string(), dir.into())
}

/// The mail whose text holds `marker`, once it has arrived.
fn mail_with(dir: &std::path::Path, marker: &str) -> Value {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json")
                && let Ok(text) = std::fs::read_to_string(&path)
                && text.contains(marker)
            {
                return serde_json::from_str(&text).unwrap();
            }
        }
        assert!(
            Instant::now() < until,
            "no mail with {marker} arrived in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn mail_send_over_starttls_with_login_and_a_stored_attachment() {
    let (host, port, dir) = smtp();
    let r = Receiver::new("mail-send");
    let env = Env::new("mail-send");
    let marker = format!("report-{}", std::process::id());
    let yaml = format!(
        r#"
id: mailer
namespace: company.team
tasks:
  - id: fetch
    type: io.kestra.plugin.core.http.Download
    uri: "{base}/file/orders.csv?size=300"
  - id: send
    type: io.kestra.plugin.email.MailSend
    host: {host}
    port: {port}
    transportStrategy: SMTP_TLS
    verifyServerIdentity: false
    username: sluice
    password: s3cret
    from: "Sluice <sluice@example.test>"
    to: "ada@example.test; grace@example.test"
    cc: ops@example.test
    subject: "{marker} for {{{{ flow.id }}}}"
    htmlTextContent: "<p>Orders for <b>{{{{ execution.id }}}}</b></p>"
    attachments:
      - name: orders.csv
        uri: "{{{{ outputs.fetch.uri }}}}"
        contentType: text/csv
"#,
        base = r.base
    );
    let (code, exec, stderr) = env.run(&yaml, &[]);
    assert_eq!(code, 0, "{stderr}\n{}", logs(&env, &exec));
    let mail = mail_with(&dir, &marker);
    assert_eq!(mail["from"], "sluice@example.test");
    let to: Vec<&str> = mail["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(to, ["ada@example.test", "grace@example.test", "ops@example.test"]);
    assert_eq!(mail["authenticated"], true);
    let data = mail["data"].as_str().unwrap();
    assert!(data.contains(&format!("Subject: {marker} for mailer")), "{data}");
    assert!(
        data.contains("Please view this email in a modern email client"),
        "Kestra's default text part: {data}"
    );
    assert!(
        data.contains("<b>") && data.contains(exec["id"].as_str().unwrap()),
        "{data}"
    );
    assert!(
        data.contains("filename=\"orders.csv\"") || data.contains("filename=orders.csv"),
        "{data}"
    );
    assert!(data.contains("Content-Type: text/csv"), "{data}");
    assert!(logs(&env, &exec).contains("sent to 3 recipient(s)"));
    assert_eq!(task(&exec, "send")["state"]["current"], "SUCCESS");
}

#[test]
fn mail_execution_reports_a_failure_and_a_bad_login_fails_in_bounded_time() {
    let (host, port, dir) = smtp();
    let env = Env::new("mail-execution");
    let marker = format!("alert-{}", std::process::id());
    let yaml = format!(
        r#"
id: nightly
namespace: company.team
tasks:
  - id: load
    type: io.kestra.plugin.scripts.shell.Commands
    commands: [exit 2]
errors:
  - id: mail
    type: io.kestra.plugin.notifications.mail.MailExecution
    host: {host}
    port: {port}
    transportStrategy: SMTP
    verifyServerIdentity: false
    from: sluice@example.test
    to: oncall@example.test
    subject: "{marker}"
    customMessage: "Nightly <load> broke"
  - id: bad_login
    type: io.kestra.plugin.email.MailSend
    host: {host}
    port: {port}
    transportStrategy: SMTP_TLS
    verifyServerIdentity: false
    username: sluice
    password: wrong
    sessionTimeout: 2000
    from: sluice@example.test
    to: oncall@example.test
    subject: never
"#
    );
    let started = Instant::now();
    let (code, exec, _) = env.run(&yaml, &[]);
    assert_ne!(code, 0);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "sessionTimeout bounds a stalled login"
    );
    let mail = mail_with(&dir, &marker);
    let data = mail["data"].as_str().unwrap();
    assert!(data.contains("Failed on task `load` after"), "{data}");
    assert!(
        data.contains("Nightly &lt;load&gt; broke"),
        "the custom message is escaped: {data}"
    );
    assert_eq!(task(&exec, "mail")["state"]["current"], "SUCCESS");
    assert_eq!(task(&exec, "bad_login")["state"]["current"], "FAILED");
    let all = logs(&env, &exec);
    // aiosmtpd stalls a failed login rather than answering 535: the session timeout ends it.
    assert!(
        all.contains("refused or failed the mail")
            || all.contains("did not finish taking the mail within sessionTimeout (2000 ms)"),
        "{all}"
    );
    assert!(!all.contains("wrong"), "no password in the logs: {all}");
}

#[test]
fn an_attachment_of_another_namespace_is_refused() {
    let (host, port, _) = smtp();
    let env = Env::new("mail-namespace");
    let yaml = format!(
        r#"
id: leak
namespace: company.team
tasks:
  - id: send
    type: io.kestra.plugin.email.MailSend
    host: {host}
    port: {port}
    transportStrategy: SMTP
    from: a@example.test
    to: b@example.test
    attachments: '[{{"name": "x", "uri": "kestra:///other/team/f/executions/e/inputs/i/secret.txt"}}]'
"#
    );
    let (code, exec, _) = env.run(&yaml, &[]);
    assert_ne!(code, 0);
    assert!(
        logs(&env, &exec).contains("belongs to another namespace"),
        "{}",
        logs(&env, &exec)
    );
}
