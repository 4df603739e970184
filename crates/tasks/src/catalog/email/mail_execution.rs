//! `io.kestra.plugin.email.MailExecution`: mails a summary of an execution (this one by
//! default), as Kestra's mail template: the flow and its state in colour, the outcome, a link
//! to the execution, its facts and the custom fields.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.email.MailExecution>

use super::mail_send::SMTP;
use super::{Attachment, Mail, send};
use crate::catalog::TaskType;
use crate::catalog::notifications::EXECUTION;
use crate::catalog::notifications::summary::Report;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt};

/// The MailExecution task.
pub static MAIL_EXECUTION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.email.MailExecution",
        &["io.kestra.plugin.notifications.mail.MailExecution"],
        &[
            SMTP[0],
            SMTP[1],
            SMTP[2],
            SMTP[3],
            SMTP[4],
            SMTP[5],
            SMTP[6],
            SMTP[7],
            SMTP[8],
            SMTP[9],
            SMTP[10],
            SMTP[11],
            SMTP[12],
            EXECUTION[0],
            EXECUTION[1],
            EXECUTION[2],
            EXECUTION[3],
            no_effect(
                "htmlTextContent",
                Kind::String,
                "The HTML part.",
                "MailExecution sends its summary",
            ),
            no_effect(
                "plainTextContent",
                Kind::String,
                "The text part.",
                "MailExecution sends its summary",
            ),
            opt(
                "attachments",
                Kind::Any,
                "Files attached: a list of {name, uri, contentType}.",
            ),
            opt("embeddedImages", Kind::Any, "Images the HTML shows as `cid:<name>`."),
        ],
        "Mails a summary of an execution.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let mut mail = Mail::read(task, cx)?;
    mail.attachments = Attachment::list(task, cx, "attachments")?;
    mail.inline = Attachment::list(task, cx, "embeddedImages")?;
    let message = crate::props::text(task, cx, "customMessage")?;
    let fields = crate::catalog::notifications::map(task, cx, "customFields")?;
    let reads = mail
        .attachments
        .iter()
        .chain(&mail.inline)
        .map(|a| a.uri.clone())
        .collect();
    let timeout = crate::props::timeout(task, cx)?;
    let mut call = Call::new(timeout, move |call| async move {
        let sent = async {
            let r = Report::new(call.summary.as_ref(), message, fields)?;
            mail.html = Some(html(&r));
            send(mail, &call.files).await
        };
        match sent.await {
            Ok(line) => Finished {
                logs: vec![("INFO".into(), line)],
                ..Finished::default()
            },
            Err(failure) => Finished::failed(failure),
        }
    });
    call.summary_of = Some(crate::catalog::notifications::execution_id(task, cx)?);
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The summary as HTML.
fn html(r: &Report) -> String {
    let color = match r.e.state.as_str() {
        "SUCCESS" => "green",
        "WARNING" => "orange",
        _ => "red",
    };
    let mut out = format!(
        "<html><head><title>Flow [{ns}] {flow} execution</title></head><body><h2>[{ns}] {flow} ➛ <span style=\"color: {color}\">{state}</span></h2>",
        ns = escape(&r.e.namespace),
        flow = escape(&r.e.flow_id),
        state = escape(&r.e.state)
    );
    if let Some(m) = &r.message {
        out.push_str(&format!("<p>{}</p>", escape(m)));
    }
    out.push_str(&format!("<p>{}</p>", escape(&r.outcome())));
    if let Some(link) = &r.e.link {
        out.push_str(&format!("<p><a href=\"{}\">Open the execution</a></p>", escape(link)));
    }
    out.push_str("<ul>");
    for (k, v) in r.facts() {
        out.push_str(&format!("<li>{} : {}</li>", escape(&k), escape(&v)));
    }
    out.push_str("</ul></body></html>");
    out
}
