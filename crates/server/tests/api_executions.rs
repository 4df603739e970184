//! The executions API: creating with inputs, searching, kill/restart/replay events, following
//! an execution, its files and its metrics. No executor runs: the tests look at what is stored.

mod api_common;

use api_common::{Env, Part, multipart, request, sse_events};
use axum::body::Body;
use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use sluice_engine::State;
use sluice_store::{Metric, MetricKind};
use std::time::Duration;

#[tokio::test]
async fn an_execution_without_body_is_stored_with_its_start_event_and_wakes_the_executor() {
    let env = Env::new("exec-create").await;
    env.create_flow().await;
    let id = env.start().await;
    tokio::time::timeout(Duration::from_secs(1), env.wake.notified())
        .await
        .expect("the executor was woken");
    let (status, body) = env.get(&format!("/api/v1/executions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["namespace"], "dev.team");
    assert_eq!(body["flowId"], "hello");
    assert_eq!(body["flowRevision"], 1);
    assert_eq!(body["state"]["current"], "CREATED");
    // Kestra keeps an optional input that was not given, as null (FlowInputOutput.resolveInputs).
    assert_eq!(
        body["inputs"],
        json!({ "who": "world", "count": null }),
        "defaults apply"
    );
    assert_eq!(env.events(&id).await, ["start"]);

    let (status, body) = env.get("/api/v1/executions/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "execution nope not found");
    let (status, _) = env
        .json(request("POST", "/api/v1/executions/dev.team/missing", Body::empty()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn multipart_inputs_are_typed_and_type_errors_name_the_input() {
    let env = Env::new("exec-inputs").await;
    let flow = "id: files\nnamespace: dev\ninputs:\n  - {id: n, type: INT}\n  - {id: data, type: FILE}\n  \
                - {id: when, type: DATE, required: false}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    \
                message: x\n";
    let (status, body) = env.post_yaml("/api/v1/flows", flow).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let bad = [
        Part {
            name: "n",
            file_name: None,
            data: b"many",
        },
        Part {
            name: "when",
            file_name: None,
            data: b"28/11/2026",
        },
        Part {
            name: "nn",
            file_name: None,
            data: b"1",
        },
    ];
    let (status, body) = env.json(multipart("/api/v1/executions/dev/files", &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let paths: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["inputs.nn", "inputs.n", "inputs.data", "inputs.when"], "{body}");
    assert!(
        body["details"][0]["help"].as_str().unwrap().contains("`n`"),
        "did you mean"
    );
    assert!(body["details"][1]["message"].as_str().unwrap().contains("`n`"));
    assert!(body["details"][1]["message"].as_str().unwrap().contains("many"));
    assert_eq!(env.store.pending_events(10).await.unwrap().len(), 0, "nothing stored");

    let good = [
        Part {
            name: "n",
            file_name: None,
            data: b" 42",
        },
        Part {
            name: "data",
            file_name: Some("rows.csv"),
            data: b"a,b\n1,2\n",
        },
    ];
    let (status, body) = env.json(multipart("/api/v1/executions/dev/files", &good)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["id"].as_str().unwrap();
    assert_eq!(body["inputs"]["n"], 42);
    // Kestra's address of an uploaded input file, kept under the name the client gave.
    let uri = format!("kestra:///dev/files/executions/{id}/inputs/data/rows.csv");
    assert_eq!(body["inputs"]["data"], uri.as_str());
    let saved = env
        .dir
        .join("storage/dev/files/executions")
        .join(id)
        .join("inputs/data/rows.csv");
    assert_eq!(std::fs::read(&saved).unwrap(), b"a,b\n1,2\n");
    // The file API serves it by that address, and refuses it for another execution.
    let (status, text) = env.text(&format!("/api/v1/executions/{id}/file?path={uri}")).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "a,b\n1,2\n"));
    let (status, _) = env.text(&format!("/api/v1/executions/{id}x/file?path={uri}")).await;
    assert_ne!(status, StatusCode::OK);
}

#[tokio::test]
async fn json_and_form_inputs_and_labels_are_read_too() {
    let env = Env::new("exec-json").await;
    env.create_flow().await;
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/executions/dev.team/hello?labels=team:data&labels=env:dev")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"who": "json", "count": "7"}"#))
        .unwrap();
    let (status, body) = env.json(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["inputs"], json!({ "who": "json", "count": 7 }));
    assert_eq!(
        body["labels"],
        json!([{ "key": "team", "value": "data" }, { "key": "env", "value": "dev" }])
    );

    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/executions/dev.team/hello")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("who=form+user&count=3"))
        .unwrap();
    let (status, body) = env.json(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["inputs"], json!({ "who": "form user", "count": 3 }));

    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/executions/dev.team/hello")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let (status, _) = env.json(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/executions/dev.team/hello")
        .header(header::CONTENT_TYPE, "multipart/form-data")
        .body(Body::from("garbage"))
        .unwrap();
    let (status, _) = env.json(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a multipart body without boundary");
}

#[tokio::test]
async fn execution_search_filters_and_pages() {
    let env = Env::new("exec-search").await;
    env.create_flow().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(env.start().await);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    env.set_state(&ids[0], State::Running).await;
    env.set_state(&ids[1], State::Running).await;
    let failed = env.set_state(&ids[2], State::Running).await;
    drop(failed);
    env.set_state(&ids[2], State::Failed).await;

    let (status, body) = env
        .get("/api/v1/executions/search?namespace=dev.team&flowId=hello")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 5);
    assert_eq!(body["results"][0]["id"], ids[4].as_str(), "newest first");
    assert_eq!(body["results"][0]["flowId"], "hello");
    assert_eq!(body["results"][0]["state"]["current"], "CREATED");
    assert!(body["results"][0]["state"]["startDate"].is_string());

    let (_, body) = env.get("/api/v1/executions/search?state=RUNNING").await;
    assert_eq!(body["total"], 2);
    let (_, body) = env.get("/api/v1/executions/search?state=RUNNING&state=FAILED").await;
    assert_eq!(body["total"], 3);
    let (_, body) = env.get("/api/v1/executions/search?state=failed").await;
    assert_eq!(body["results"][0]["id"], ids[2].as_str());
    assert!(body["results"][0]["state"]["endDate"].is_string());
    assert!(body["results"][0]["state"]["duration"].is_string());
    let (_, body) = env.get("/api/v1/executions/search?size=2&page=3").await;
    assert_eq!(body["total"], 5);
    assert_eq!(body["results"].as_array().unwrap().len(), 1);
    let (_, body) = env.get("/api/v1/executions/search?namespace=other").await;
    assert_eq!(body["total"], 0);
    let (_, body) = env
        .get("/api/v1/executions/search?startDate=2999-01-01T00:00:00Z")
        .await;
    assert_eq!(body["total"], 0);
    let (_, body) = env
        .get("/api/v1/executions/search?endDate=2999-01-01T00:00:00%2B02:00")
        .await;
    assert_eq!(body["total"], 5);
    let (status, body) = env.get("/api/v1/executions/search?state=DONE").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("SUCCESS"));
}

#[tokio::test]
async fn kill_restart_and_replay_post_the_right_events() {
    let env = Env::new("exec-events").await;
    env.create_flow().await;
    let id = env.start().await;

    let (status, body) = env
        .json(request(
            "POST",
            &format!("/api/v1/executions/{id}/restart"),
            Body::empty(),
        ))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["message"].as_str().unwrap().contains("FAILED or KILLED"), "{body}");

    let (status, body) = env
        .json(request(
            "DELETE",
            &format!("/api/v1/executions/{id}/kill"),
            Body::empty(),
        ))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["id"], id.as_str());
    let (status, _) = env
        .json(request("POST", &format!("/api/v1/executions/{id}/kill"), Body::empty()))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(env.events(&id).await, ["start", "kill", "kill"]);

    let (status, _) = env
        .json(request(
            "POST",
            &format!("/api/v1/executions/{id}/replay"),
            Body::empty(),
        ))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a running execution is not replayed");

    env.set_state(&id, State::Killed).await;
    let (status, body) = env
        .json(request("POST", &format!("/api/v1/executions/{id}/kill"), Body::empty()))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["message"].as_str().unwrap().contains("KILLED"));

    let (status, _) = env
        .json(request(
            "POST",
            &format!("/api/v1/executions/{id}/restart"),
            Body::empty(),
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(env.events(&id).await, ["start", "kill", "kill", "restart"]);

    // A replay runs the same revision with the same inputs, even after the flow changed.
    let changed = api_common::FLOW.replace("hi {{", "bye {{");
    let (status, _) = env
        .json(api_common::yaml_request(
            "PUT",
            "/api/v1/flows/dev.team/hello",
            &changed,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = env
        .json(request(
            "POST",
            &format!("/api/v1/executions/{id}/replay"),
            Body::empty(),
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new_id = body["id"].as_str().unwrap().to_string();
    assert_ne!(new_id, id);
    assert_eq!(body["originalId"], id.as_str());
    assert_eq!(body["flowRevision"], 1);
    assert_eq!(body["inputs"], json!({ "who": "world", "count": null }));
    assert_eq!(env.events(&new_id).await, ["start"]);

    let (status, _) = env
        .json(request("POST", "/api/v1/executions/nope/kill", Body::empty()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn following_an_execution_sends_its_changes_until_it_ends() {
    let env = Env::new("exec-follow").await;
    env.create_flow().await;
    let id = env.start().await;
    let store = env.store.clone();
    let driver = {
        let id = id.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(400)).await;
            let mut execution = store.get_execution(&id).await.unwrap().unwrap();
            execution.state.set(State::Running, jiff::Timestamp::now());
            store.commit(&sluice_store::StepCommit::new(&execution)).await.unwrap();
            tokio::time::sleep(Duration::from_millis(400)).await;
            execution.state.set(State::Success, jiff::Timestamp::now());
            store.commit(&sluice_store::StepCommit::new(&execution)).await.unwrap();
        }
    };
    let follow = env.send(request(
        "GET",
        &format!("/api/v1/executions/{id}/follow"),
        Body::empty(),
    ));
    let ((status, headers, body), ()) =
        tokio::time::timeout(Duration::from_secs(10), async { tokio::join!(follow, driver) })
            .await
            .expect("the stream ends");
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let states: Vec<String> = sse_events(&body)
        .into_iter()
        .filter(|(event, _, _)| event == "execution")
        .map(|(_, _, data)| {
            serde_json::from_str::<Value>(&data).unwrap()["state"]["current"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(states, ["CREATED", "RUNNING", "SUCCESS"]);

    let (status, _) = env.get("/api/v1/executions/nope/follow").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn files_are_served_only_from_the_execution_folder() {
    let env = Env::new("exec-files").await;
    env.create_flow().await;
    let id = env.start().await;
    let folder = env.dir.join("files").join(&id).join("run1").join("1");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("out.csv"), b"x,y\n").unwrap();
    std::fs::write(env.dir.join("secret.txt"), b"secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(env.dir.join("secret.txt"), folder.join("link.txt")).unwrap();

    let (status, headers, body) = env
        .send(request(
            "GET",
            &format!("/api/v1/executions/{id}/file?path=run1/1/out.csv"),
            Body::empty(),
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..], b"x,y\n");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("out.csv")
    );
    let absolute = format!("file://{}", folder.join("out.csv").display());
    let uri = format!("/api/v1/executions/{id}/file?path={}", absolute.replace('/', "%2F"));
    let (status, _, body) = env.send(request("GET", &uri, Body::empty())).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));

    let secret = env.dir.join("secret.txt").display().to_string();
    for hostile in [
        "../../secret.txt".to_string(),
        "run1/../../../secret.txt".to_string(),
        "%2E%2E%2F%2E%2E%2Fsecret.txt".to_string(),
        secret.clone(),
        format!("file://{secret}"),
        "/etc/passwd".to_string(),
        "run1/1/link.txt".to_string(),
        "run1".to_string(),
        "a%00b".to_string(),
    ] {
        let (status, body) = env.get(&format!("/api/v1/executions/{id}/file?path={hostile}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{hostile}: {body}");
        assert!(!body.to_string().contains("secret\""), "{body}");
    }
    let (status, _) = env
        .get(&format!("/api/v1/executions/{id}/file?path=run1/missing.csv"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = env.get(&format!("/api/v1/executions/{id}/file")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = env.get("/api/v1/executions/..%2F../file?path=secret.txt").await;
    assert!(status.is_client_error());
}

#[tokio::test]
async fn metrics_are_listed_in_kestra_shape() {
    let env = Env::new("exec-metrics").await;
    env.create_flow().await;
    let id = env.start().await;
    let metric = |name: &str, value: f64| Metric {
        name: name.to_string(),
        kind: MetricKind::Counter,
        value,
        tags: serde_json::Map::new(),
    };
    env.store
        .add_metrics(&id, "run-a", &[metric("rows", 10.0), metric("bytes", 2.5)])
        .await
        .unwrap();
    env.store
        .add_metrics(&id, "run-b", &[metric("rows", 1.0)])
        .await
        .unwrap();
    for uri in [
        format!("/api/v1/metrics/{id}"),
        format!("/api/v1/executions/{id}/metrics"),
    ] {
        let (status, body) = env.get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 3);
        assert_eq!(body["results"][0]["name"], "rows");
        assert_eq!(body["results"][0]["type"], "counter");
        assert_eq!(body["results"][0]["value"], 10.0);
        assert_eq!(body["results"][0]["flowId"], "hello");
    }
    let (_, body) = env.get(&format!("/api/v1/metrics/{id}?taskRunId=run-b")).await;
    assert_eq!(body["total"], 1);
    let (_, body) = env.get(&format!("/api/v1/metrics/{id}?size=2&page=2")).await;
    assert_eq!(body["results"].as_array().unwrap().len(), 1);
}

/// Kestra's `POST /api/v1/executions/{id}/resume`: only a PAUSED execution; the body's values
/// travel with the event.
#[tokio::test]
async fn resume_posts_its_values_for_a_paused_execution_only() {
    let env = Env::new("exec-resume").await;
    env.create_flow().await;
    let id = env.start().await;
    let uri = format!("/api/v1/executions/{id}/resume");
    let (status, body) = env.json(request("POST", &uri, Body::empty())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["message"].as_str().unwrap().contains("only a PAUSED"), "{body}");

    env.set_state(&id, State::Paused).await;
    let (status, body) = env.json(request("POST", &uri, Body::from("[1]"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("JSON object"), "{body}");
    let (status, _) = env
        .json(request("POST", &uri, Body::from(r#"{"approved": true}"#)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(env.events(&id).await, ["start", "resume"]);
    let events = env.store.pending_events(1000).await.unwrap();
    let resume = events
        .iter()
        .filter(|e| e.execution_id == id)
        .find_map(|e| serde_json::to_value(&e.event).ok().filter(|v| v["type"] == "resume"));
    assert_eq!(resume.unwrap()["inputs"]["approved"], json!(true));
}
