//! Kestra's email plugin (`io.kestra.plugin.email`, formerly
//! `io.kestra.plugin.notifications.mail`): the mail both tasks send, and its sending over SMTP.
//!
//! Kestra: <https://kestra.io/plugins/plugin-email>

pub mod mail_execution;
pub mod mail_send;

use crate::{PlanContext, TaskError};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;
use sluice_flow::model::Task;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The most a mail's attachments may weigh together.
const MAX_ATTACHED: u64 = 25 * 1024 * 1024;

/// A stored file to attach.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub name: String,
    pub uri: String,
    pub content_type: String,
}

impl Attachment {
    /// `attachments` (or `embeddedImages`): a list of `{name, uri, contentType}`, or that list
    /// (or one entry) as JSON text.
    pub(crate) fn list(task: &Task, cx: &PlanContext<'_>, key: &str) -> Result<Vec<Attachment>, TaskError> {
        let invalid = |message: String| TaskError::Invalid {
            task: task.id.clone(),
            message,
        };
        let Some(raw) = task.properties.get(key).filter(|v| !v.is_null()) else {
            return Ok(Vec::new());
        };
        let mut value = cx.renderer.value(&task.id, key, raw, cx.variables)?;
        for _ in 0..2 {
            if let Value::String(s) = &value {
                value = serde_json::from_str(s)
                    .map_err(|e| invalid(format!("`{key}` is text that is not a JSON list of {{name, uri}}: {e}")))?;
            }
        }
        let items = match value {
            Value::Array(items) => items,
            one @ Value::Object(_) => vec![one],
            other => {
                return Err(invalid(format!(
                    "`{key}` must be a list of {{name, uri, contentType}}, found {other}"
                )));
            }
        };
        items
            .into_iter()
            .map(|item| {
                let get = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_string);
                match (get("name"), get("uri")) {
                    (Some(name), Some(uri)) => Ok(Attachment {
                        name,
                        uri,
                        content_type: get("contentType").unwrap_or_else(|| "application/octet-stream".into()),
                    }),
                    _ => Err(invalid(format!(
                        "each of `{key}` needs a `name` and a `uri`, found {item}"
                    ))),
                }
            })
            .collect()
    }
}

/// One mail and how to send it.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    host: String,
    port: Option<u16>,
    credentials: Option<(String, String)>,
    strategy: String,
    timeout: Duration,
    verify: bool,
    trusted: Vec<String>,
    from: String,
    to: String,
    cc: Option<String>,
    subject: String,
    pub html: Option<String>,
    pub plain: Option<String>,
    pub attachments: Vec<Attachment>,
    pub inline: Vec<Attachment>,
}

impl Mail {
    /// The connection and envelope of `task`, rendered; `from` and `to` are required.
    pub(crate) fn read(task: &Task, cx: &PlanContext<'_>) -> Result<Mail, TaskError> {
        let text = |k: &str| crate::props::text(task, cx, k);
        let needed = |k: &str, what: &str| -> Result<String, TaskError> {
            text(k)?
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| TaskError::Invalid {
                    task: task.id.clone(),
                    message: format!("set `{k}`, {what}"),
                })
        };
        let strategy = text("transportStrategy")?.unwrap_or_else(|| "SMTPS".into());
        let user = text("username")?;
        let secret = match strategy.as_str() {
            "SMTP_OAUTH2" => text("accessToken")?.or(text("password")?),
            _ => text("password")?,
        };
        let port = match text("port")? {
            None => None,
            Some(p) => Some(p.trim().parse::<u16>().map_err(|_| TaskError::Invalid {
                task: task.id.clone(),
                message: format!("`port` is {p:?}, not a port number"),
            })?),
        };
        let timeout_ms = text("sessionTimeout")?
            .and_then(|t| t.trim().parse::<u64>().ok())
            .unwrap_or(10_000);
        Ok(Mail {
            host: needed("host", "the SMTP server's name")?,
            port,
            credentials: user.map(|u| (u, secret.unwrap_or_default())),
            strategy,
            timeout: Duration::from_millis(timeout_ms),
            verify: crate::props::flag(task, "verifyServerIdentity", true),
            trusted: crate::props::strings(task, cx, "trustedHosts")?,
            from: needed("from", "the sender's address")?,
            to: needed("to", "the recipients' addresses, separated by `;`")?,
            cc: text("cc")?,
            subject: text("subject")?.unwrap_or_default(),
            html: None,
            plain: None,
            attachments: Vec::new(),
            inline: Vec::new(),
        })
    }
}

fn mailboxes(field: &str, list: &str) -> Result<Vec<Mailbox>, String> {
    list.split([';', ','])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            a.parse::<Mailbox>()
                .map_err(|e| format!("`{field}` holds {a:?}, which is not a mail address: {e}"))
        })
        .collect()
}

async fn part(
    a: &Attachment,
    files: &BTreeMap<String, PathBuf>,
    inline: bool,
    total: &mut u64,
) -> Result<SinglePart, String> {
    let path = files
        .get(&a.uri)
        .ok_or_else(|| format!("the attachment {} was not handed to the task", a.uri))?;
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("cannot read the attachment {}: {e}", a.uri))?
        .len();
    *total += size;
    if *total > MAX_ATTACHED {
        return Err(format!(
            "the attachments weigh more than {} MiB; link to large files instead",
            MAX_ATTACHED >> 20
        ));
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| format!("cannot read the attachment {}: {e}", a.uri))?;
    let kind = ContentType::parse(&a.content_type).map_err(|_| {
        format!(
            "the attachment {} has the content type {:?}, which is not a MIME type",
            a.name, a.content_type
        )
    })?;
    let attachment = match inline {
        true => lettre::message::Attachment::new_inline(a.name.clone()),
        false => lettre::message::Attachment::new(a.name.clone()),
    };
    Ok(attachment.body(bytes, kind))
}

/// Builds and sends `mail`; answers the line to log.
pub(crate) async fn send(mail: Mail, files: &BTreeMap<String, PathBuf>) -> Result<String, String> {
    let from: Mailbox = mail
        .from
        .parse()
        .map_err(|e| format!("`from` {:?} is not a mail address: {e}", mail.from))?;
    let mut b = Message::builder().from(from.clone()).subject(mail.subject.clone());
    let to = mailboxes("to", &mail.to)?;
    if to.is_empty() {
        return Err("`to` holds no address".into());
    }
    for m in &to {
        b = b.to(m.clone());
    }
    let cc = mailboxes("cc", mail.cc.as_deref().unwrap_or_default())?;
    for m in &cc {
        b = b.cc(m.clone());
    }
    let plain = mail
        .plain
        .clone()
        .unwrap_or_else(|| mail_send::DEFAULT_PLAIN.to_string());
    let mut total = 0;
    let mut body = match &mail.html {
        Some(html) => MultiPart::alternative_plain_html(plain, html.clone()),
        None => MultiPart::mixed().singlepart(SinglePart::plain(plain)),
    };
    if !mail.inline.is_empty() {
        let mut related = MultiPart::related().multipart(body);
        for a in &mail.inline {
            related = related.singlepart(part(a, files, true, &mut total).await?);
        }
        body = related;
    }
    if !mail.attachments.is_empty() {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in &mail.attachments {
            mixed = mixed.singlepart(part(a, files, false, &mut total).await?);
        }
        body = mixed;
    }
    let message = b
        .multipart(body)
        .map_err(|e| format!("the mail could not be built: {e}"))?;
    let smtp = transport(&mail)?;
    let sending = smtp.send(message);
    match tokio::time::timeout(mail.timeout, sending).await {
        Ok(sent) => sent.map_err(|e| format!("the SMTP server {} refused or failed the mail: {e}", mail.host))?,
        Err(_) => {
            return Err(format!(
                "the SMTP server {} did not finish taking the mail within sessionTimeout ({} ms); raise `sessionTimeout`, or check the credentials and transportStrategy",
                mail.host,
                mail.timeout.as_millis()
            ));
        }
    };
    Ok(format!(
        "mail \"{}\" sent to {} recipient(s) through {}",
        mail.subject,
        to.len() + cc.len(),
        mail.host
    ))
}

fn transport(mail: &Mail) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let trusted = mail.trusted.iter().any(|h| h == &mail.host);
    let tls = TlsParameters::builder(mail.host.clone())
        .dangerous_accept_invalid_certs(!mail.verify || trusted)
        .dangerous_accept_invalid_hostnames(!mail.verify || trusted)
        .build_rustls()
        .map_err(|e| format!("TLS could not be set up for {}: {e}", mail.host))?;
    let (tls, port) = match mail.strategy.as_str() {
        "SMTP" => (Tls::Opportunistic(tls), 25),
        "SMTPS" => (Tls::Wrapper(tls), 465),
        "SMTP_TLS" | "SMTP_OAUTH2" => (Tls::Required(tls), 587),
        other => {
            return Err(format!(
                "`transportStrategy` {other} is not one of SMTP, SMTPS, SMTP_TLS, SMTP_OAUTH2"
            ));
        }
    };
    let mut t = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(mail.host.clone())
        .port(mail.port.unwrap_or(port))
        .tls(tls)
        .timeout(Some(mail.timeout));
    if let Some((user, secret)) = &mail.credentials {
        t = t.credentials(Credentials::new(user.clone(), secret.clone()));
        if mail.strategy == "SMTP_OAUTH2" {
            t = t.authentication(vec![Mechanism::Xoauth2]);
        }
    }
    Ok(t.build())
}
