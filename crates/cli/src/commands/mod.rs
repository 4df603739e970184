//! One module per top-level subcommand.

pub mod deploy;
pub mod execution;
pub mod flow;
pub mod run;
pub mod secret;
pub mod server;
pub mod worker;

use std::io::Write;

/// Prints `text` and a newline on stdout. A closed pipe (`sluice … | head`) is not an error.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
