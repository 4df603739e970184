//! Files in and out of a container, as tar archives through the engine (no host path is shared,
//! so a remote engine works).

use std::collections::BTreeSet;
use std::path::Path;

use crate::{Job, RunnerError};

/// A tar archive, to be extracted at `/`, holding `sluice/work/` (mode 0777, so any `user` can
/// write its outputs there) and the job's input files under it.
pub(crate) fn inputs_tar(job: &Job) -> Result<Vec<u8>, RunnerError> {
    let io_err = |e| RunnerError::io("build the input archive of", &job.name, e);
    let mtime = jiff::Timestamp::now().as_second().max(0) as u64;
    let mut dirs = BTreeSet::from(["sluice".to_owned(), "sluice/work".to_owned()]);
    for name in job.input_names() {
        let mut parent = Path::new(name).parent();
        while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
            dirs.insert(format!("sluice/work/{}", p.to_string_lossy()));
            parent = p.parent();
        }
    }
    let mut builder = tar::Builder::new(Vec::new());
    for dir in &dirs {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(if dir == "sluice" { 0o755 } else { 0o777 });
        header.set_mtime(mtime);
        header.set_size(0);
        builder
            .append_data(&mut header, format!("{dir}/"), std::io::empty())
            .map_err(io_err)?;
    }
    for (name, content) in &job.input_files {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o666);
        header.set_mtime(mtime);
        header.set_size(content.len() as u64);
        builder
            .append_data(&mut header, format!("sluice/work/{name}"), content.as_slice())
            .map_err(io_err)?;
    }
    for (name, source) in job
        .input_paths
        .iter()
        .filter(|(k, _)| !job.input_files.contains_key(*k))
    {
        let mut file = std::fs::File::open(source).map_err(io_err)?;
        let size = file.metadata().map_err(io_err)?.len();
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o666);
        header.set_mtime(mtime);
        header.set_size(size);
        builder
            .append_data(&mut header, format!("sluice/work/{name}"), &mut file)
            .map_err(io_err)?;
    }
    builder.into_inner().map_err(io_err)
}

/// Extracts `archive` into `dest` (entries leaving `dest` are refused by the tar crate).
pub(crate) fn unpack(archive: &Path, dest: &Path) -> std::io::Result<()> {
    let file = std::fs::File::open(archive)?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    archive.set_preserve_permissions(false);
    archive.set_overwrite(true);
    archive.unpack(dest)
}
