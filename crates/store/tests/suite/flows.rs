//! Flow revisions.

use sluice_store::Store;

/// Same source keeps the revision, a change adds one, old revisions stay readable, the list shows
/// the newest, and a delete hides the flow until it is stored again.
pub async fn revisions(store: &dyn Store) {
    let first = store.put_flow("company.team", "hello", "id: hello\n").await.unwrap();
    assert_eq!(
        (first.namespace.as_str(), first.id.as_str(), first.revision),
        ("company.team", "hello", 1)
    );

    let same = store.put_flow("company.team", "hello", "id: hello\n").await.unwrap();
    assert_eq!(same, first, "storing the same source again is not a new revision");

    let second = store
        .put_flow("company.team", "hello", "id: hello\ntasks: []\n")
        .await
        .unwrap();
    assert_eq!(second.revision, 2);
    let back = store.put_flow("company.team", "hello", "id: hello\n").await.unwrap();
    assert_eq!(back.revision, 3, "going back to an old source is a change too");

    store.put_flow("company.team", "other", "id: other\n").await.unwrap();
    store.put_flow("a.first", "zeta", "id: zeta\n").await.unwrap();

    let newest = store.get_flow("company.team", "hello", None).await.unwrap().unwrap();
    assert_eq!(newest.revision, 3);
    let old = store.get_flow("company.team", "hello", Some(2)).await.unwrap().unwrap();
    assert_eq!(old.source, "id: hello\ntasks: []\n");
    assert_eq!(old, second);
    assert!(
        store
            .get_flow("company.team", "hello", Some(9))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.get_flow("company.team", "missing", None).await.unwrap().is_none());

    let list = store.list_flows().await.unwrap();
    let keys: Vec<_> = list
        .iter()
        .map(|f| (f.namespace.as_str(), f.id.as_str(), f.revision))
        .collect();
    assert_eq!(
        keys,
        [
            ("a.first", "zeta", 1),
            ("company.team", "hello", 3),
            ("company.team", "other", 1)
        ]
    );

    assert!(store.delete_flow("company.team", "hello").await.unwrap());
    assert!(
        !store.delete_flow("company.team", "hello").await.unwrap(),
        "already deleted"
    );
    assert!(!store.delete_flow("company.team", "missing").await.unwrap());
    assert!(store.get_flow("company.team", "hello", None).await.unwrap().is_none());
    assert_eq!(
        store
            .get_flow("company.team", "hello", Some(1))
            .await
            .unwrap()
            .unwrap()
            .source,
        "id: hello\n"
    );
    assert_eq!(store.list_flows().await.unwrap().len(), 2);

    let again = store.put_flow("company.team", "hello", "id: hello\n").await.unwrap();
    assert_eq!(
        again.revision, 4,
        "a flow stored again after a delete continues its revisions"
    );
    assert_eq!(
        store
            .get_flow("company.team", "hello", None)
            .await
            .unwrap()
            .unwrap()
            .revision,
        4
    );
    assert_eq!(store.list_flows().await.unwrap().len(), 3);
}
