//! `io.kestra.plugin.email.MailSend`: sends one mail over SMTP (lettre), with a text and an
//! HTML alternative, attachments and inline images read from internal storage.
//! `transportStrategy` is Kestra's: SMTPS (implicit TLS, the default, port 465), SMTP_TLS
//! (STARTTLS required, 587), SMTP (plain, STARTTLS when offered, 25), SMTP_OAUTH2 (STARTTLS and
//! XOAUTH2). `to` and `cc` hold several addresses separated by `;` or `,`.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.email.MailSend>

use super::{Attachment, Mail, send};
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, TypeSpec, opt};

/// Kestra's text part when a mail has none.
pub(crate) const DEFAULT_PLAIN: &str = "Please view this email in a modern email client";

/// The connection's and the envelope's properties, shared with MailExecution.
pub(crate) const SMTP: [Prop; 13] = [
    opt("host", Kind::String, "The SMTP server."),
    opt(
        "port",
        Kind::Int,
        "Its port (default by transportStrategy: 465, 587 or 25).",
    ),
    opt("username", Kind::String, "SMTP user."),
    opt(
        "password",
        Kind::String,
        "SMTP password (the token with SMTP_OAUTH2 when no accessToken).",
    ),
    opt("accessToken", Kind::String, "OAuth2 token for SMTP_OAUTH2."),
    opt(
        "transportStrategy",
        Kind::Enum(&["SMTP", "SMTPS", "SMTP_TLS", "SMTP_OAUTH2"]),
        "How to connect (default SMTPS).",
    ),
    opt(
        "sessionTimeout",
        Kind::Int,
        "Milliseconds the sending may take (default 10000).",
    ),
    opt(
        "verifyServerIdentity",
        Kind::Bool,
        "Check the server's certificate and name (default true).",
    ),
    opt(
        "trustedHosts",
        Kind::StringList,
        "Hosts whose certificates are trusted without checks.",
    ),
    opt("from", Kind::String, "The sender's address."),
    opt("to", Kind::String, "Recipients, separated by `;`."),
    opt("cc", Kind::String, "Copied recipients, separated by `;`."),
    opt("subject", Kind::String, "The subject."),
];

/// The MailSend task.
pub static MAIL_SEND: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.email.MailSend",
        &["io.kestra.plugin.notifications.mail.MailSend"],
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
            opt("htmlTextContent", Kind::String, "The HTML part."),
            opt("plainTextContent", Kind::String, "The text part."),
            opt(
                "attachments",
                Kind::Any,
                "Files attached: a list of {name, uri, contentType}, or that list as JSON.",
            ),
            opt(
                "embeddedImages",
                Kind::Any,
                "Images the HTML shows as `cid:<name>`, in the attachments' shape.",
            ),
        ],
        "Sends a mail over SMTP.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let mut mail = Mail::read(task, cx)?;
    mail.html = crate::props::text(task, cx, "htmlTextContent")?;
    mail.plain = crate::props::text(task, cx, "plainTextContent")?;
    mail.attachments = Attachment::list(task, cx, "attachments")?;
    mail.inline = Attachment::list(task, cx, "embeddedImages")?;
    let reads = mail
        .attachments
        .iter()
        .chain(&mail.inline)
        .map(|a| a.uri.clone())
        .collect();
    let timeout = crate::props::timeout(task, cx)?;
    let mut call = Call::new(timeout, move |call| async move {
        match send(mail, &call.files).await {
            Ok(line) => Finished {
                logs: vec![("INFO".into(), line)],
                ..Finished::default()
            },
            Err(failure) => Finished::failed(failure),
        }
    });
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}
