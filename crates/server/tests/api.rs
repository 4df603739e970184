//! The flows API, the error shape every route shares, and the OpenAPI document.

mod api_common;

use api_common::{Env, FLOW, request, yaml_request};
use axum::body::Body;
use axum::http::{StatusCode, header};
use serde_json::Value;

#[tokio::test]
async fn a_created_flow_is_returned_with_its_revision_and_source() {
    let env = Env::new("create").await;
    let flow = env.create_flow().await;
    assert_eq!(flow["id"], "hello");
    assert_eq!(flow["namespace"], "dev.team");
    assert_eq!(flow["revision"], 1);
    assert_eq!(flow["source"], FLOW);
    assert_eq!(flow["tasks"][0]["id"], "greet");

    let (status, body) = env.post_yaml("/api/v1/flows", FLOW).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("already exists"));
}

#[tokio::test]
async fn an_invalid_flow_gets_every_diagnostic_with_line_column_and_path() {
    let env = Env::new("invalid").await;
    let yaml = "id: bad\nnamespace: dev\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    messag: hi\n  \
                - id: b\n    type: nope.Unknown\n";
    let (status, body) = env.post_yaml("/api/v1/flows", yaml).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let expected = sluice_tasks::validator().check(yaml).diagnostics;
    let details = body["details"].as_array().unwrap();
    assert_eq!(details.len(), expected.len(), "{body}");
    assert!(expected.len() >= 2, "{expected:?}");
    for (detail, diagnostic) in details.iter().zip(&expected) {
        assert_eq!(detail["line"], diagnostic.pos.line);
        assert_eq!(detail["column"], diagnostic.pos.column);
        assert_eq!(detail["code"], diagnostic.code);
        assert_eq!(detail["message"], diagnostic.message.as_str());
    }
    let unknown = details.iter().find(|d| d["line"] == 6).expect("a diagnostic on line 6");
    assert_eq!(unknown["path"], "tasks[0].messag");
    assert!(
        details
            .iter()
            .any(|d| d["path"].as_str().unwrap_or("").starts_with("tasks[1]"))
    );
    assert!(body["message"].as_str().unwrap().contains("invalid"));
    assert!(env.store.get_flow("dev", "bad", None).await.unwrap().is_none());
}

#[tokio::test]
async fn unreadable_bodies_are_json_errors() {
    let env = Env::new("bodies").await;
    let (status, body) = env
        .json(request(
            "POST",
            "/api/v1/flows",
            Body::from(vec![0x69, 0x64, 0xff, 0xfe]),
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("UTF-8"), "{body}");

    let huge = format!("id: x\nnamespace: y\n# {}\n", "a".repeat(11 * 1024 * 1024));
    let (status, body) = env.json(yaml_request("POST", "/api/v1/flows", &huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["message"].as_str().unwrap().contains("limit"), "{body}");

    let (status, body) = env.post_yaml("/api/v1/flows", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = env.post_yaml("/api/v1/flows", "{[: nope").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn updates_make_revisions_that_stay_readable() {
    let env = Env::new("update").await;
    let (status, _) = env
        .json(yaml_request("PUT", "/api/v1/flows/dev.team/hello", FLOW))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    env.create_flow().await;

    let changed = FLOW.replace("hi {{", "hello {{");
    let (status, body) = env
        .json(yaml_request("PUT", "/api/v1/flows/dev.team/hello", &changed))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revision"], 2);

    let other = FLOW.replace("id: hello", "id: other");
    let (status, body) = env
        .json(yaml_request("PUT", "/api/v1/flows/dev.team/hello", &other))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("dev.team.other"), "{body}");

    let (status, body) = env.get("/api/v1/flows/dev.team/hello").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["revision"], 2);
    assert!(body.get("source").is_none());
    let (_, body) = env.get("/api/v1/flows/dev.team/hello?revision=1&source=true").await;
    assert_eq!(body["revision"], 1);
    assert_eq!(body["source"], FLOW);
    let (status, _) = env.get("/api/v1/flows/dev.team/hello?revision=9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = env.get("/api/v1/flows/dev.team/hello?revision=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("revision"));

    let (status, body) = env.get("/api/v1/flows/dev.team/hello/revisions").await;
    assert_eq!(status, StatusCode::OK);
    let revisions: Vec<&Value> = body.as_array().unwrap().iter().map(|r| &r["revision"]).collect();
    assert_eq!(revisions, [1, 2]);
    assert_eq!(body[1]["source"], changed);
}

#[tokio::test]
async fn deleted_flows_are_gone() {
    let env = Env::new("delete").await;
    env.create_flow().await;
    let (status, _, body) = env
        .send(request("DELETE", "/api/v1/flows/dev.team/hello", Body::empty()))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(body.is_empty());
    let (status, body) = env.get("/api/v1/flows/dev.team/hello").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "flow dev.team.hello not found");
    let (status, _) = env
        .json(request("DELETE", "/api/v1/flows/dev.team/hello", Body::empty()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn flow_search_filters_and_pages() {
    let env = Env::new("flow-search").await;
    for (namespace, id) in [("dev", "a1"), ("dev.team", "b2"), ("devops", "c3"), ("prod", "a4")] {
        let yaml = format!(
            "id: {id}\nnamespace: {namespace}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    \
             message: x\n"
        );
        let (status, body) = env.post_yaml("/api/v1/flows", &yaml).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let ids = |body: &Value| -> Vec<String> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, body) = env.get("/api/v1/flows/search").await;
    assert_eq!(body["total"], 4);
    let (_, body) = env.get("/api/v1/flows/search?namespace=dev").await;
    assert_eq!(ids(&body), ["a1", "b2"], "children count, `devops` does not");
    let (_, body) = env.get("/api/v1/flows/search?q=A1").await;
    assert_eq!(ids(&body), ["a1"], "case does not matter");
    let (_, body) = env.get("/api/v1/flows/search?q=team").await;
    assert_eq!(ids(&body), ["b2"], "the namespace is searched too");
    let (_, body) = env.get("/api/v1/flows/search?size=3&page=2").await;
    assert_eq!(body["total"], 4);
    assert_eq!(ids(&body), ["a4"]);
    assert!(body["results"][0].get("source").is_none());
    let (status, _) = env.get("/api/v1/flows/search?size=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn validate_reports_each_document_with_lines_in_the_whole_text() {
    let env = Env::new("validate").await;
    let text = format!("{FLOW}---\nid: two\nnamespace: dev\ntasks:\n  - id: t\n    type: nope.Nope\n");
    let (status, body) = env.post_yaml("/api/v1/flows/validate", &text).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results = body.as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["index"], 0);
    assert_eq!(results[0]["flow"], "hello");
    assert_eq!(results[0]["valid"], true);
    assert!(results[0]["constraints"].is_null());
    assert_eq!(results[1]["flow"], "two");
    assert_eq!(results[1]["valid"], false);
    assert!(results[1]["constraints"].as_str().unwrap().contains("line"));
    let first_line_of_second = FLOW.lines().count() as u64 + 2;
    let detail = &results[1]["details"][0];
    assert!(detail["line"].as_u64().unwrap() > first_line_of_second, "{detail}");
    assert_eq!(detail["path"], "tasks[0].type");
}

#[tokio::test]
async fn unknown_routes_methods_and_parameters_answer_in_json() {
    let env = Env::new("errors").await;
    let (status, body) = env.get("/api/v1/nothing/here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["message"].as_str().unwrap().contains("/api/v1/nothing/here"));

    let (status, headers, raw) = env.send(request("PATCH", "/api/v1/flows/search", Body::empty())).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = serde_json::from_slice(&raw).unwrap();
    assert!(body["message"].as_str().unwrap().contains("PATCH"), "{body}");

    let (status, body) = env.get("/api/v1/executions/search?page=-1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("page"));
    let (status, _) = env.get("/api/v1/executions/search?startDate=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = env.get("/api/v1/flows/%ff%fe/x").await;
    assert!(status.is_client_error());
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let env = Env::new("openapi").await;
    let (status, doc) = env.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/flows", "post"),
        ("/api/v1/flows/search", "get"),
        ("/api/v1/flows/validate", "post"),
        ("/api/v1/flows/{namespace}/{id}", "get"),
        ("/api/v1/flows/{namespace}/{id}", "put"),
        ("/api/v1/flows/{namespace}/{id}", "delete"),
        ("/api/v1/flows/{namespace}/{id}/revisions", "get"),
        ("/api/v1/executions/{namespace}/{id}", "post"),
        ("/api/v1/executions/search", "get"),
        ("/api/v1/executions/{executionId}", "get"),
        ("/api/v1/executions/{executionId}/kill", "post"),
        ("/api/v1/executions/{executionId}/kill", "delete"),
        ("/api/v1/executions/{executionId}/restart", "post"),
        ("/api/v1/executions/{executionId}/state", "post"),
        ("/api/v1/executions/{executionId}/replay", "post"),
        ("/api/v1/executions/{executionId}/follow", "get"),
        ("/api/v1/executions/{executionId}/file", "get"),
        ("/api/v1/executions/{executionId}/metrics", "get"),
        ("/api/v1/metrics/{executionId}", "get"),
        ("/api/v1/logs/{executionId}", "get"),
        ("/api/v1/logs/{executionId}/download", "get"),
        ("/api/v1/logs/{executionId}/follow", "get"),
        ("/api/v1/namespaces/{namespace}/kv", "get"),
        ("/api/v1/namespaces/{namespace}/kv/{key}", "put"),
        ("/api/v1/namespaces/{namespace}/files", "post"),
        ("/api/v1/namespaces/{namespace}/files", "put"),
        ("/api/v1/namespaces/{namespace}/files/directory", "get"),
    ] {
        assert!(paths[path].get(method).is_some(), "{method} {path} is not described");
    }
    let mut operation_ids: Vec<&str> = paths
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap())
        .collect();
    let count = operation_ids.len();
    operation_ids.sort();
    operation_ids.dedup();
    assert_eq!(operation_ids.len(), count, "operation ids are unique");
    // Every reference resolves.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for reference in text.split("#/components/schemas/").skip(1) {
        let name: String = reference.chars().take_while(|c| c.is_alphanumeric()).collect();
        assert!(schemas.contains_key(&name), "missing schema {name}");
    }
}
