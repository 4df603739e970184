//! Internal storage on both backends — the data folder and a real S3-compatible server (moto,
//! started by `scripts/s3-server`, named by `SLUICE_TEST_S3`) — through the same calls: files
//! streamed in and out (one larger than a multipart part), sizes, a missing file, deletes by
//! folder.
//!
//! Kestra: <https://kestra.io/docs/configuration#internal-storage>

use futures_util::StreamExt;
use sluice_store::{Storage, StorageConfig, StorageError};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-storage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The S3 storage of the test server, under a folder of this run.
fn s3(dir: &std::path::Path) -> Storage {
    let url = std::env::var("SLUICE_TEST_S3")
        .unwrap_or_else(|_| panic!("NO S3 SERVER: run scripts/s3-server and export what it prints (SLUICE_TEST_S3)"));
    let (base, query) = url.split_once('?').unwrap();
    let url = format!("{base}/run-{}?{query}", std::process::id());
    // moto takes any credentials; without some, the client would ask the cloud's metadata
    // address for them.
    let StorageConfig::S3 {
        bucket,
        prefix,
        endpoint,
        region,
        ..
    } = StorageConfig::parse_url(&url).unwrap()
    else {
        panic!("SLUICE_TEST_S3 is no s3:// URL: {url}")
    };
    StorageConfig::S3 {
        bucket,
        prefix,
        endpoint,
        region,
        access_key_id: Some("sluice".into()),
        secret_access_key: Some("sluice-s3cret".into()),
    }
    .open(dir)
    .unwrap()
}

async fn exercise(storage: &Storage, dir: &std::path::Path) {
    let base = "kestra:///company/team/f/executions/e1";
    // A small file from a stream, and a 12 MiB one (more than one 5 MiB part) from a file.
    let chunks = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(b"a,b\n".to_vec()), Ok(b"1,2\n".to_vec())]);
    assert_eq!(
        storage
            .put(&format!("{base}/inputs/data/rows.csv"), chunks)
            .await
            .unwrap(),
        8
    );
    let big = dir.join("big.bin");
    let content: Vec<u8> = (0..12 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    std::fs::write(&big, &content).unwrap();
    let big_uri = format!("{base}/tasks/t/r1/out/big.bin");
    assert_eq!(storage.put_file(&big_uri, &big).await.unwrap(), content.len() as u64);

    assert_eq!(
        storage.read(&format!("{base}/inputs/data/rows.csv")).await.unwrap(),
        b"a,b\n1,2\n"
    );
    let (size, mut stream) = storage.get(&big_uri).await.unwrap();
    assert_eq!(size, content.len() as u64);
    let mut got = Vec::new();
    while let Some(chunk) = stream.next().await {
        got.extend_from_slice(&chunk.unwrap());
    }
    assert!(got == content, "the big file came back changed");
    let copy = dir.join("copy/big.bin");
    assert_eq!(storage.fetch_to(&big_uri, &copy).await.unwrap(), content.len() as u64);
    assert!(std::fs::read(&copy).unwrap() == content);

    let missing = format!("{base}/tasks/t/r1/nope.txt");
    assert!(!storage.exists(&missing).await.unwrap());
    assert!(matches!(storage.read(&missing).await, Err(StorageError::Missing(_))));
    assert!(storage.exists(&big_uri).await.unwrap());
    // A broken stream stores nothing.
    let broken = futures_util::stream::iter(vec![Ok(b"part".to_vec()), Err(std::io::Error::other("cut off"))]);
    let half = format!("{base}/inputs/data/half.csv");
    assert!(storage.put(&half, broken).await.is_err());
    assert!(!storage.exists(&half).await.unwrap());
    // Hostile addresses never reach the backend.
    for bad in ["kestra:///a/../../etc/passwd", "kestra:///a//b", "http://x/y"] {
        assert!(storage.read(bad).await.is_err(), "{bad}");
    }

    assert_eq!(
        storage.delete_prefix(&format!("{base}/inputs")).await.unwrap(),
        [format!("{base}/inputs/data/rows.csv")]
    );
    assert!(
        storage.exists(&big_uri).await.unwrap(),
        "only the folder asked for goes"
    );
    assert!(storage.delete(&big_uri).await.unwrap());
    assert!(!storage.delete(&big_uri).await.unwrap(), "deleted once");
    assert!(!storage.exists(&big_uri).await.unwrap());
}

#[test]
fn the_data_folder_stores_streams_and_deletes() {
    let dir = scratch("local");
    let storage = Storage::local(&dir).unwrap();
    runtime().block_on(exercise(&storage, &dir));
    assert!(dir.join("storage").is_dir());
}

#[test]
fn an_s3_server_stores_streams_and_deletes_alike() {
    let dir = scratch("s3");
    let storage = s3(&dir);
    runtime().block_on(exercise(&storage, &dir));
    assert!(!dir.join("storage/company").exists(), "nothing went to the data folder");
}
