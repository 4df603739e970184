//! `io.kestra.plugin.openai.ChatCompletion` (<https://kestra.io/plugins/io.kestra.plugin.openai.ChatCompletion>),
//! its documentation example run against the loopback HTTP receiver, which answers as OpenAI's
//! Chat Completions API does (`baseUrl` points there).

mod common;

use common::receiver::Receiver;
use common::{outputs_of, run_to_end, scratch, start_with};
use std::time::Duration;

const FLOW: &str = r#"
id: openai
namespace: company.team
inputs:
  - id: prompt
    type: STRING
    defaults: What is data orchestration?
tasks:
  - id: completion
    type: io.kestra.plugin.openai.ChatCompletion
    apiKey: "{{ secret('OPENAI_API_KEY') }}"
    model: gpt-4o
    baseUrl: BASE
    maxTokens: 50
    messages:
      - role: system
        content: You answer in one sentence.
    prompt: "{{ inputs.prompt }}"
  - id: log_output
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.completion.choices[0].message.content }}"
  - id: structured
    type: io.kestra.plugin.openai.ChatCompletion
    apiKey: "{{ secret('OPENAI_API_KEY') }}"
    model: gpt-4o-mini
    baseUrl: BASE
    prompt: extract
    jsonResponseSchema: |
      {"type": "object", "properties": {"model": {"type": "string"}}}
  - id: read_structured
    type: io.kestra.plugin.core.log.Log
    message: "model is {{ outputs.structured.choices[0].message.content | jq('.model') | first }}"
"#;

#[test]
fn chat_completion_sends_messages_and_prompt_and_hands_back_choices() {
    let r = Receiver::new("openai");
    let dir = scratch("openai");
    std::fs::write(
        dir.join("flows/openai.yaml"),
        FLOW.replace("BASE", &format!("{}/v1", r.hook())),
    )
    .unwrap();
    // Kestra's SECRET_ variables hold base64: this is `sk-test-key`.
    let (server, _) = start_with(&dir, &[("SECRET_OPENAI_API_KEY", "c2stdGVzdC1rZXk=")]);
    let (exec, logs) = run_to_end(&server.base, "company.team", "openai", Duration::from_secs(60));
    assert_eq!(exec["state"]["current"], "SUCCESS", "{exec}\n{logs}");
    assert!(logs.contains("echo: What is data orchestration?"), "{logs}");
    assert!(logs.contains("model is gpt-4o-mini"), "{logs}");
    let completion = outputs_of(&exec, "completion");
    assert_eq!(completion["usage"]["total_tokens"], 12, "{completion}");
    let requests = r.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests[0]["path"].as_str().unwrap().ends_with("/v1/chat/completions"));
    assert_eq!(requests[0]["headers"]["authorization"], "Bearer sk-test-key");
    let sent: serde_json::Value = serde_json::from_str(requests[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent["model"], "gpt-4o");
    assert_eq!(sent["max_tokens"], 50);
    assert_eq!(sent["messages"][0]["role"], "system");
    assert_eq!(
        sent["messages"][1],
        serde_json::json!({"role": "user", "content": "What is data orchestration?"})
    );
    assert!(!exec.to_string().contains("sk-test-key"), "the key is never stored");
}
