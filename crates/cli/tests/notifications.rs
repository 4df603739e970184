//! Kestra's notification tasks end to end: a flow whose `errors` branch alerts Slack, Teams,
//! Discord and the others delivers their JSON to the real HTTP receiver the test command starts
//! on loopback (`scripts/http-receiver`).
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.slack.notifications.SlackIncomingWebhook>,
//! <https://kestra.io/plugins/io.kestra.plugin.slack.notifications.SlackExecution>,
//! <https://kestra.io/plugins/io.kestra.plugin.discord.DiscordIncomingWebhook>,
//! <https://kestra.io/plugins/io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook>,
//! <https://kestra.io/plugins/io.kestra.plugin.telegram.TelegramSend>.

mod common;

use common::receiver::{Receiver, logs};
use common::run::{Env, task};
use serde_json::Value;

fn body_of(requests: &[Value], suffix: &str) -> Value {
    let r = requests
        .iter()
        .find(|q| q["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("nothing arrived at {suffix}: {requests:#?}"));
    assert_eq!(r["method"], "POST");
    assert_eq!(r["headers"]["content-type"], "application/json", "{r:#}");
    serde_json::from_str(r["body"].as_str().unwrap()).unwrap_or_else(|e| panic!("{e}: {r:#}"))
}

#[test]
fn an_errors_branch_alerts_slack_teams_discord_and_telegram() {
    let r = Receiver::new("notify-errors");
    let env = Env::new("notify-errors");
    let hook = r.hook();
    let yaml = format!(
        r#"
id: nightly
namespace: company.team
tasks:
  - id: load
    type: io.kestra.plugin.scripts.shell.Commands
    commands: [exit 3]
errors:
  - id: slack
    type: io.kestra.plugin.slack.notifications.SlackIncomingWebhook
    url: "{hook}/slack"
    payload: |
      {{"text": "Failure alert for flow {{{{ flow.namespace }}}}.{{{{ flow.id }}}} with ID {{{{ execution.id }}}}"}}
  - id: slack_old_name
    type: io.kestra.plugin.notifications.slack.SlackIncomingWebhook
    url: "{hook}/slack-md"
    messageText: "**{{{{ flow.id }}}}** failed, [see]({hook}/ui)"
  - id: slack_summary
    type: io.kestra.plugin.notifications.slack.SlackExecution
    url: "{hook}/slack-summary"
    customMessage: nightly load
    customFields: {{Env: prod}}
  - id: teams
    type: io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook
    url: "{hook}/teams"
    payload: '{{"@type": "MessageCard", "text": "{{{{ flow.id }}}} failed"}}'
  - id: teams_summary
    type: io.kestra.plugin.notifications.teams.TeamsExecution
    url: "{hook}/teams-summary"
  - id: discord
    type: io.kestra.plugin.discord.DiscordIncomingWebhook
    url: "{hook}/discord"
    payload: '{{"username": "Kestra", "content": "{{{{ flow.id }}}} failed"}}'
  - id: discord_summary
    type: io.kestra.plugin.discord.DiscordExecution
    url: "{hook}/discord-summary"
    username: Sluice
  - id: telegram
    type: io.kestra.plugin.telegram.TelegramSend
    endpointOverride: "{hook}/telegram"
    token: "123:abc"
    channel: "-1001"
    payload: "{{{{ flow.id }}}} failed"
"#
    );
    let (code, exec, stderr) = env.run(&yaml, &["--public-url", "http://sluice.test:8080"]);
    assert_ne!(code, 0, "the execution fails: {stderr}");
    for t in [
        "slack",
        "slack_old_name",
        "slack_summary",
        "teams",
        "teams_summary",
        "discord",
        "discord_summary",
        "telegram",
    ] {
        assert_eq!(
            task(&exec, t)["state"]["current"],
            "SUCCESS",
            "{t}: {}",
            logs(&env, &exec)
        );
    }
    let seen = r.requests();
    let id = exec["id"].as_str().unwrap();
    assert_eq!(
        body_of(&seen, "/slack")["text"],
        format!("Failure alert for flow company.team.nightly with ID {id}")
    );
    assert_eq!(
        body_of(&seen, "/slack-md")["text"],
        format!("*nightly* failed, <{hook}/ui|see>")
    );
    let summary = body_of(&seen, "/slack-summary");
    let headline = format!(
        "*<http://sluice.test:8080/ui/executions/{id}|[company.team] nightly ➛ RUNNING>*\n> Failed on task `load` after "
    );
    assert!(summary["text"].as_str().unwrap().starts_with(&headline), "{summary:#}");
    assert_eq!(summary["blocks"][0]["text"]["text"], "nightly load");
    assert_eq!(
        summary["blocks"][1]["accessory"]["url"],
        format!("http://sluice.test:8080/ui/executions/{id}")
    );
    let fields = &summary["attachments"][0]["fields"];
    assert_eq!(fields[2]["value"], id);
    assert_eq!(fields[4]["title"], "Env");
    assert_eq!(fields[4]["value"], "prod");
    assert_eq!(summary["attachments"][0]["color"], "danger");
    assert_eq!(body_of(&seen, "/teams")["text"], "nightly failed");
    let card = body_of(&seen, "/teams-summary");
    assert_eq!(card["@type"], "MessageCard");
    assert_eq!(card["sections"][0]["facts"][1]["value"], "nightly");
    assert_eq!(body_of(&seen, "/discord")["content"], "nightly failed");
    let embed = body_of(&seen, "/discord-summary");
    assert_eq!(embed["username"], "Sluice");
    assert!(
        embed["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Failed on task `load` after")
    );
    let telegram = body_of(&seen, "/telegram/bot123:abc/sendMessage");
    assert_eq!(telegram["chat_id"], "-1001");
    assert_eq!(telegram["text"], "nightly failed");
}

#[test]
fn a_refused_or_broken_notification_fails_with_the_reason_and_hides_the_url() {
    let r = Receiver::new("notify-refused");
    let env = Env::new("notify-refused");
    let yaml = format!(
        r#"
id: refused
namespace: company.team
tasks:
  - id: refused
    type: io.kestra.plugin.slack.notifications.SlackIncomingWebhook
    url: "{base}/status/403"
    payload: '{{"text": "hi"}}'
    allowFailure: true
  - id: broken
    type: io.kestra.plugin.discord.DiscordIncomingWebhook
    url: "{hook}/never"
    payload: '{{"content": oops}}'
    allowFailure: true
"#,
        base = r.base,
        hook = r.hook()
    );
    let (_, exec, _) = env.run(&yaml, &[]);
    let all = logs(&env, &exec);
    assert_eq!(task(&exec, "refused")["state"]["current"], "FAILED");
    assert!(all.contains("answered 403 Forbidden"), "{all}");
    assert!(!all.contains("/status/403"), "the webhook URL is a credential: {all}");
    assert!(all.contains("`payload` is not valid JSON after rendering"), "{all}");
    assert!(r.requests().is_empty(), "a broken payload is never sent");
}
