//! Kestra's HTTP tasks end to end through `sluice flow run`, against the real HTTP server that
//! the test command starts on loopback (`scripts/http-receiver`): what arrives there, and what
//! the flow sees of the answer.
//!
//! Kestra: <https://kestra.io/plugins/core/http/io.kestra.plugin.core.http.request> and
//! <https://kestra.io/plugins/core/http/io.kestra.plugin.core.http.download>.

mod common;

use common::receiver::{Receiver, logs};
use common::run::{Env, task};
use serde_json::Value;

#[test]
fn request_sends_method_headers_and_body_and_keeps_the_answer() {
    let r = Receiver::new("http-request");
    let env = Env::new("http-request");
    let yaml = format!(
        r#"
id: req
namespace: demo.http
inputs:
  - {{id: who, type: STRING, defaults: ada}}
tasks:
  - id: get
    type: io.kestra.plugin.core.http.Request
    uri: {base}/json
  - id: post
    type: io.kestra.plugin.core.http.Request
    uri: "{hook}/post?x=1"
    method: POST
    body: '{{"n": {{{{ outputs.get.body.n }}}}, "who": "{{{{ inputs.who }}}}"}}'
    headers:
      X-Sluice: "{{{{ inputs.who }}}}"
  - id: form
    type: io.kestra.plugin.fs.http.Request
    uri: "{hook}/form"
    method: PUT
    contentType: application/x-www-form-urlencoded
    formData: {{a: "1 2", b: "{{{{ inputs.who }}}}"}}
  - id: multipart
    type: http.Request
    uri: "{hook}/multipart"
    method: POST
    contentType: multipart/form-data
    formData:
      field: plain
      upload: {{name: notes.txt, content: "line one"}}
  - id: show
    type: io.kestra.plugin.core.log.Log
    message: "{{{{ outputs.get.code }}}} {{{{ outputs.get.body.hello }}}} {{{{ outputs.post.body }}}} {{{{ outputs.get.headers['content-type'] | first }}}}"
"#,
        base = r.base,
        hook = r.hook()
    );
    let (code, exec, stderr) = env.run(&yaml, &[]);
    assert_eq!(code, 0, "{stderr}\n{exec:#}");
    let seen = r.requests();
    let post = seen
        .iter()
        .find(|q| q["path"].as_str().unwrap().ends_with("/post"))
        .unwrap();
    assert_eq!(post["method"], "POST");
    assert_eq!(post["query"], "x=1");
    assert_eq!(post["headers"]["x-sluice"], "ada");
    assert_eq!(post["headers"]["content-type"], "application/json");
    assert_eq!(post["body"], r#"{"n": 1, "who": "ada"}"#);
    let form = seen
        .iter()
        .find(|q| q["path"].as_str().unwrap().ends_with("/form"))
        .unwrap();
    assert_eq!(form["method"], "PUT");
    assert_eq!(form["headers"]["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(form["body"], "a=1+2&b=ada");
    let multi = seen
        .iter()
        .find(|q| q["path"].as_str().unwrap().ends_with("/multipart"))
        .unwrap();
    let body = multi["body"].as_str().unwrap();
    assert!(
        multi["headers"]["content-type"]
            .as_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert!(
        body.contains(r#"name="upload"; filename="notes.txt""#) && body.contains("line one"),
        "{body}"
    );
    assert!(body.contains(r#"name="field""#) && body.contains("plain"), "{body}");
    let get = task(&exec, "get");
    assert_eq!(get["outputs"]["code"], 200);
    assert_eq!(
        get["outputs"]["body"]["hello"], "world",
        "a JSON answer is kept as JSON"
    );
    assert!(get["outputs"]["uri"].as_str().unwrap().ends_with("/json"));
    assert_eq!(
        task(&exec, "post")["outputs"]["body"],
        "ok",
        "a text answer is kept as text"
    );
    assert!(
        logs(&env, &exec).contains("200 world ok application/json"),
        "{}",
        logs(&env, &exec)
    );
}

#[test]
fn status_codes_redirects_and_authentication_follow_kestras_options() {
    let r = Receiver::new("http-status");
    let env = Env::new("http-status");
    let base = &r.base;
    let yaml = format!(
        r#"
id: status
namespace: demo.http
tasks:
  - id: allowed
    type: io.kestra.plugin.core.http.Request
    uri: {base}/status/404
    options: {{allowFailed: true}}
  - id: listed
    type: io.kestra.plugin.core.http.Request
    uri: {base}/status/409
    options: {{allowFailed: true, allowedResponseCodes: [409]}}
  - id: unlisted
    type: io.kestra.plugin.core.http.Request
    uri: {base}/json
    options: {{allowedResponseCodes: [201]}}
    allowFailure: true
  - id: followed
    type: io.kestra.plugin.core.http.Request
    uri: "{base}/redirect?to=/json"
  - id: not_followed
    type: io.kestra.plugin.core.http.Request
    uri: "{base}/redirect?to=/json"
    options: {{followRedirects: false}}
  - id: basic
    type: io.kestra.plugin.core.http.Request
    uri: {base}/basic/ada/s3cret
    options: {{auth: {{type: BASIC, username: ada, password: s3cret}}}}
  - id: basic_old
    type: io.kestra.plugin.core.http.Request
    uri: {base}/basic/ada/s3cret
    options: {{basicAuthUser: ada, basicAuthPassword: s3cret}}
  - id: bearer
    type: io.kestra.plugin.core.http.Request
    uri: {base}/bearer/tok
    options: {{auth: {{type: BEARER, token: tok}}}}
  - id: refused
    type: io.kestra.plugin.core.http.Request
    uri: {base}/status/503
"#
    );
    let (code, exec, _) = env.run(&yaml, &[]);
    assert_ne!(code, 0, "the 503 fails the execution");
    assert_eq!(exec["state"]["current"], "FAILED");
    assert_eq!(task(&exec, "allowed")["outputs"]["code"], 404);
    assert_eq!(task(&exec, "listed")["outputs"]["code"], 409);
    assert_eq!(
        task(&exec, "unlisted")["state"]["current"],
        "FAILED",
        "a 200 not in the list fails"
    );
    assert_eq!(task(&exec, "followed")["outputs"]["body"]["hello"], "world");
    assert_eq!(task(&exec, "not_followed")["outputs"]["code"], 302);
    for t in ["basic", "basic_old", "bearer"] {
        assert_eq!(task(&exec, t)["outputs"]["body"], "ok", "{t}: {exec:#}");
    }
    let refused = task(&exec, "refused");
    assert_eq!(refused["state"]["current"], "FAILED");
    let all = logs(&env, &exec);
    assert!(all.contains("/status/503 answered 503 Service Unavailable"), "{all}");
}

#[test]
fn a_slow_server_fails_the_task_with_the_option_to_raise() {
    let r = Receiver::new("http-slow");
    let env = Env::new("http-slow");
    let yaml = format!(
        r#"
id: slow
namespace: demo.http
tasks:
  - id: slow
    type: io.kestra.plugin.core.http.Request
    uri: {base}/slow/3000
    options: {{readTimeout: PT0.5S}}
"#,
        base = r.base
    );
    let started = std::time::Instant::now();
    let (code, exec, _) = env.run(&yaml, &[]);
    assert_ne!(code, 0);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let all = logs(&env, &exec);
    assert!(all.contains("timed out (raise `options.readTimeout`"), "{all}");
    let unreachable = r#"
id: down
namespace: demo.http
tasks:
  - id: down
    type: io.kestra.plugin.core.http.Request
    uri: http://127.0.0.1:9/nothing
"#;
    let (code, exec, _) = env.run(unreachable, &[]);
    assert_ne!(code, 0);
    assert!(logs(&env, &exec).contains("could not connect"), "{}", logs(&env, &exec));
}

#[test]
fn download_stores_the_file_for_later_tasks() {
    let r = Receiver::new("http-download");
    let env = Env::new("http-download");
    let yaml = format!(
        r#"
id: dl
namespace: demo.http
tasks:
  - id: dl
    type: io.kestra.plugin.core.http.Download
    uri: "{base}/file/report%20v1.csv?size=2500"
  - id: use
    type: io.kestra.plugin.scripts.shell.Commands
    inputFiles:
      got.csv: "{{{{ outputs.dl.uri }}}}"
    commands:
      - wc -c < got.csv
  - id: named
    type: io.kestra.plugin.fs.http.Download
    uri: "{base}/file/x.bin?size=3"
    saveAs: orders.csv
  - id: empty
    type: io.kestra.plugin.core.http.Download
    uri: "{base}/file/empty.txt?size=0"
"#,
        base = r.base
    );
    let (code, exec, _) = env.run(&yaml, &[]);
    assert_ne!(code, 0, "an empty download fails by default");
    let dl = &task(&exec, "dl")["outputs"];
    let uri = dl["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("kestra:///demo/http/dl/executions/") && uri.ends_with("/report+v1.csv"),
        "{uri}"
    );
    assert_eq!(dl["length"], 2500);
    assert!(
        task(&exec, "named")["outputs"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/orders.csv")
    );
    assert_eq!(dl["code"], 200);
    let all = logs(&env, &exec);
    assert!(all.contains("2500"), "the next task reads the stored file: {all}");
    assert!(
        all.contains("answered nothing; set `failOnEmptyResponse: false`"),
        "{all}"
    );
    let stored = env.dir.join("data/storage").join(uri.trim_start_matches("kestra:///"));
    assert_eq!(std::fs::metadata(&stored).unwrap().len(), 2500);
    let accepting = yaml.replace("size=0\"", "size=0\"\n    failOnEmptyResponse: false");
    let (code, exec, stderr) = env.run(&accepting, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(task(&exec, "empty")["outputs"]["length"], 0);
}

#[test]
fn http_properties_are_checked_before_anything_runs() {
    let env = Env::new("http-invalid");
    let bad = r#"
id: bad
namespace: demo.http
tasks:
  - id: t
    type: io.kestra.plugin.core.http.Request
    uri: http://127.0.0.1:9/
    method: FETCH
    options: {readTimout: PT1S}
"#;
    let path = env.flow(bad);
    let out = env.sluice(&["flow", "validate", path.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(said.contains("FETCH"), "{said}");
    assert!(said.contains("readTimeout"), "did-you-mean for the option: {said}");
    let not_url = r#"
id: bad
namespace: demo.http
tasks:
  - id: t
    type: io.kestra.plugin.core.http.Request
    uri: "ftp://example/x"
"#;
    let (code, exec, _) = env.run(not_url, &[]);
    assert_ne!(code, 0);
    let said: Value = exec["taskRunList"][0]["attempts"][0]["reason"].clone();
    assert!(
        said.as_str().unwrap().contains("must start with http:// or https://"),
        "{said}"
    );
}
