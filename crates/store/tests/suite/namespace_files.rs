//! Namespace files: write, revise, list, read, move and delete files and folders, with names
//! holding SQL wildcards, on both backends.

use super::{at, t0};
use sluice_store::Store;

fn paths(files: &[sluice_tasks::namespace_files::NamespaceFile]) -> Vec<&str> {
    files.iter().map(|f| f.path.as_str()).collect()
}

pub async fn files_are_written_moved_and_deleted(store: &dyn Store) {
    let binary: Vec<u8> = (0..=255u8).collect();
    assert_eq!(
        store
            .write_namespace_file("company", "a.sql", b"select 1", t0())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .write_namespace_file("company", "a.sql", b"select 2", at(1))
            .await
            .unwrap(),
        2
    );
    store
        .write_namespace_file("company", "dir/x_1.py", &binary, t0())
        .await
        .unwrap();
    store
        .write_namespace_file("company", "dir/sub/y.py", b"y", t0())
        .await
        .unwrap();
    store
        .write_namespace_file("company", "dirty.txt", b"not in dir", t0())
        .await
        .unwrap();
    store
        .write_namespace_file("company", "d%r/z.txt", b"z", t0())
        .await
        .unwrap();
    store
        .write_namespace_file("company.team", "a.sql", b"other ns", t0())
        .await
        .unwrap();

    let files = store.namespace_files("company").await.unwrap();
    assert_eq!(
        paths(&files),
        ["a.sql", "d%r/z.txt", "dir/sub/y.py", "dir/x_1.py", "dirty.txt"]
    );
    let a = &files[0];
    assert_eq!((a.size, a.revision, a.created, a.updated), (8, 2, t0(), at(1)));
    assert_eq!(
        store.read_namespace_file("company", "a.sql").await.unwrap().unwrap(),
        b"select 2"
    );
    assert_eq!(
        store
            .read_namespace_file("company", "dir/x_1.py")
            .await
            .unwrap()
            .unwrap(),
        binary
    );
    assert!(store.read_namespace_file("company", "nope").await.unwrap().is_none());

    // A folder moves with everything under it, and only that (`dirty.txt` is no child of `dir`).
    assert_eq!(
        store
            .move_namespace_files("company", "dir", "lib/dir", at(2))
            .await
            .unwrap(),
        2
    );
    let files = store.namespace_files("company").await.unwrap();
    assert_eq!(
        paths(&files),
        ["a.sql", "d%r/z.txt", "dirty.txt", "lib/dir/sub/y.py", "lib/dir/x_1.py"]
    );
    assert_eq!(
        store
            .move_namespace_files("company", "a.sql", "dirty.txt", at(3))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .read_namespace_file("company", "dirty.txt")
            .await
            .unwrap()
            .unwrap(),
        b"select 2"
    );
    // Moving what does not exist moves nothing and keeps what is at the target.
    assert_eq!(
        store
            .move_namespace_files("company", "gone.sql", "dirty.txt", at(4))
            .await
            .unwrap(),
        0
    );
    assert!(
        store
            .read_namespace_file("company", "dirty.txt")
            .await
            .unwrap()
            .is_some()
    );

    // `%` in a folder's name is no wildcard.
    assert_eq!(store.delete_namespace_files("company", "d%").await.unwrap(), 0);
    assert_eq!(store.delete_namespace_files("company", "d%r").await.unwrap(), 1);
    assert_eq!(store.delete_namespace_files("company", "lib").await.unwrap(), 2);
    assert_eq!(paths(&store.namespace_files("company").await.unwrap()), ["dirty.txt"]);
    assert_eq!(paths(&store.namespace_files("company.team").await.unwrap()), ["a.sql"]);
}
