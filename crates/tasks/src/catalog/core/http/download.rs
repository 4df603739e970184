//! `io.kestra.plugin.core.http.Download`: streams a URL's answer into internal storage; outputs
//! the file's `kestra://` address (`uri`), `code`, `length` and `headers`. The file is named
//! `saveAs`, else from the answer's Content-Disposition, else from the URL's last path segment. An empty
//! answer fails unless `failOnEmptyResponse: false`; a body shorter than its Content-Length
//! fails.
//!
//! Kestra: <https://kestra.io/plugins/core/http/io.kestra.plugin.core.http.download>

use super::COMMON;
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError, http};
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, deprecated, opt};
use tokio::io::AsyncWriteExt;

/// The Download task.
pub static DOWNLOAD: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.http.Download",
        &[
            "io.kestra.plugin.fs.http.Download",
            "io.kestra.core.tasks.http.Download",
            "core.http.Download",
            "http.Download",
        ],
        &[
            COMMON[0],
            COMMON[1],
            COMMON[2],
            COMMON[3],
            COMMON[4],
            COMMON[5],
            COMMON[6],
            COMMON[7],
            opt(
                "saveAs",
                Kind::String,
                "The stored file's name (default: the answer's Content-Disposition, else the URL's last segment).",
            ),
            opt(
                "failOnEmptyResponse",
                Kind::Bool,
                "Fail when the answer is empty (default true).",
            ),
            deprecated(
                "allowFailed",
                Kind::Bool,
                "Succeed on any status code.",
                "`options.allowFailed`",
            ),
        ],
        "Downloads a URL into internal storage.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let (req, opts) = super::outgoing(task, cx)?;
    super::refuse_stored_file_parts(task, &req)?;
    let fail_on_empty = crate::props::flag(task, "failOnEmptyResponse", true) && !opts.allow_failed;
    let ids = crate::props::StoredIds::of(cx);
    let save_as = crate::props::text(task, cx, "saveAs")?.filter(|s| !s.trim().is_empty());
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let uri = req.uri.clone();
        let temp = call.files_dir.join(format!("download-{}", std::process::id()));
        let got = async {
            let mut response = http::send(&opts, req).await?;
            let code = response.status().as_u16();
            let headers = http::headers(&response);
            let expected = response.content_length();
            let name = match &save_as {
                Some(n) => url_encode(&sluice_flow::storage::safe_file_name(n)),
                None => file_name(&response),
            };
            tokio::fs::create_dir_all(&call.files_dir)
                .await
                .map_err(|e| format!("cannot make the folder for the download: {e}"))?;
            let mut file = tokio::fs::File::create(&temp)
                .await
                .map_err(|e| format!("cannot write the download: {e}"))?;
            let mut length = 0u64;
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| format!("the download from {uri} broke off after {length} bytes: {e}"))?
            {
                file.write_all(&chunk)
                    .await
                    .map_err(|e| format!("cannot write the download: {e}"))?;
                length += chunk.len() as u64;
            }
            file.flush()
                .await
                .map_err(|e| format!("cannot write the download: {e}"))?;
            if let Some(n) = expected.filter(|n| *n != length) {
                return Err(format!(
                    "the download from {uri} is {length} bytes, but the server announced {n}"
                ));
            }
            Ok::<_, String>((code, headers, length, name))
        };
        let mut done = Finished::default();
        match got.await {
            Ok((_, _, 0, _)) if fail_on_empty => {
                done.failure = Some(format!(
                    "{uri} answered nothing; set `failOnEmptyResponse: false` to accept an empty file"
                ));
            }
            Ok((code, headers, length, name)) => {
                if length == 0 {
                    done.logs.push(("WARN".into(), format!("File '{uri}' is empty")));
                }
                let stored = ids.uri(&name);
                done.outputs.insert("uri".into(), json!(stored));
                done.outputs.insert("code".into(), json!(code));
                done.outputs.insert("length".into(), json!(length));
                done.outputs.insert("headers".into(), Value::Object(headers));
                done.stored.push((stored, temp));
            }
            Err(failure) => done.failure = Some(failure),
        }
        done
    }))))
}

/// The name Kestra gives the file: Content-Disposition's `filename*` or `filename`, else the
/// URL's last path segment; made one safe path segment.
fn file_name(response: &reqwest::Response) -> String {
    let disposition = response
        .headers()
        .get(reqwest::header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(from_disposition);
    let from_url = || {
        response
            .url()
            .path_segments()
            .and_then(|mut s| s.next_back().map(str::to_string))
            .filter(|s| !s.is_empty())
    };
    let name = disposition.or_else(from_url).unwrap_or_else(|| "download".into());
    url_encode(&sluice_flow::storage::safe_file_name(&name))
}

/// Java's `URLEncoder.encode`, as Kestra applies it to the name: the stored address stays one
/// word (`report v1.csv` is stored as `report+v1.csv`).
fn url_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'*' => out.push(b as char),
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `filename*=UTF-8''a%20b.csv` or `filename="a.csv"` of a Content-Disposition.
fn from_disposition(header: &str) -> Option<String> {
    let mut name = None;
    for part in header.split(';').map(str::trim) {
        if let Some(v) = part.strip_prefix("filename*=") {
            let encoded = v.rsplit('\'').next().unwrap_or(v);
            name = Some(percent_decode(encoded.trim_matches('"')));
            break;
        }
        if let Some(v) = part.strip_prefix("filename=") {
            name = Some(v.trim_matches('"').to_string());
        }
    }
    name.filter(|n| !n.trim().is_empty())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_names_the_file() {
        assert_eq!(
            from_disposition(r#"attachment; filename="a b.csv""#).as_deref(),
            Some("a b.csv")
        );
        assert_eq!(
            from_disposition("attachment; filename=x.txt; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf").as_deref(),
            Some("résumé.pdf")
        );
        assert_eq!(from_disposition("inline"), None);
        assert_eq!(from_disposition(r#"attachment; filename="""#), None);
        assert_eq!(url_encode("report v1 é.csv"), "report+v1+%C3%A9.csv");
    }
}
