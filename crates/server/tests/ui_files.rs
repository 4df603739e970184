//! Stored files in the web UI: the execution page links each file of a task run's outputs, and
//! the preview page shows a CSV as a table, text as text, and refuses files of other executions.
//!
//! Kestra: <https://kestra.io/docs/ui/executions> (the outputs tab's file preview).

mod ui_support;

use axum::http::StatusCode;
use serde_json::json;
use sluice_engine::State;
use sluice_store::StepCommit;
use sluice_store::prelude::*;
use ui_support::*;

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn stored_files_are_linked_and_previewed() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let mut execution = t.execution("etl", "company.team", State::Success, 0).await;
    let storage = sluice_store::Storage::local(t.dir.path()).unwrap();
    let base = format!("kestra:///company/team/etl/executions/{}/tasks/hello/r1", execution.id);
    let csv = format!("{base}/report.csv");
    let text = format!("{base}/notes.txt");
    let local = t.dir.path().join("upload");
    std::fs::write(&local, "id,name\n1,\"Ada, Countess\"\n2,<b>bob</b>\n").unwrap();
    storage.put_file(&csv, &local).await.unwrap();
    std::fs::write(&local, "plain <text>\n").unwrap();
    storage.put_file(&text, &local).await.unwrap();
    execution.task_run_list[0]
        .outputs
        .insert("outputFiles".into(), json!({"report.csv": csv, "notes.txt": text}));
    t.store.commit(&StepCommit::new(&execution)).await.unwrap();

    let page = t.get(&format!("/ui/executions/{}", execution.id)).await;
    let preview = format!("/ui/executions/{}/file?path={}", execution.id, encode(&csv));
    assert!(
        page.body.contains(&preview.replace('&', "&amp;")),
        "no link to {preview}:\n{}",
        page.body
    );

    let r = t.get(&preview).await;
    r.assert_page(StatusCode::OK, "report.csv");
    assert!(r.body.contains("<th scope=\"col\">name</th>"), "{}", r.body);
    assert!(r.body.contains("<td>Ada, Countess</td>"), "{}", r.body);
    assert!(
        r.body.contains("&lt;b&gt;bob&lt;/b&gt;"),
        "cells are escaped: {}",
        r.body
    );
    let r = t
        .get(&format!("/ui/executions/{}/file?path={}", execution.id, encode(&text)))
        .await;
    assert!(
        r.body.contains("<pre class=\"preview\">plain &lt;text&gt;"),
        "{}",
        r.body
    );

    // Another execution's file, a hostile path and a missing file are not found.
    let other = csv.replace(&execution.id, "someone-else");
    for path in [other, format!("{base}/../../x"), format!("{base}/missing.csv")] {
        let r = t
            .get(&format!("/ui/executions/{}/file?path={}", execution.id, encode(&path)))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
}
