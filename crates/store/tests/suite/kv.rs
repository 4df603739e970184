//! The KV store: typed values, overwrite or not, TTL expiry, listing, deletes, and the shared
//! queries (`$n` parameters) on both backends.

use super::{at, t0};
use serde_json::{Value, json};
use sluice_flow::kv::KvType;
use sluice_store::Store;
use sluice_tasks::kv::KvPut;

fn put<'a>(namespace: &'a str, key: &'a str, value: &'a Value, kv_type: KvType) -> KvPut<'a> {
    KvPut {
        namespace,
        key,
        kv_type,
        value,
        description: None,
        expires: None,
        overwrite: true,
        at: t0(),
    }
}

/// Values keep their type; `overwrite: false` leaves a live pair alone but replaces an expired
/// one; an expired pair reads as absent, lists only when asked for every stored one, and its
/// delete says it was not live.
pub async fn pairs_are_typed_expire_and_list(store: &dyn Store) {
    let n = json!(42);
    let doc = json!({"rows": [1, 2], "name": "ünï\u{0}"});
    assert!(
        store
            .kv_put(&put("company", "count", &n, KvType::Number))
            .await
            .unwrap()
    );
    let mut described = put("company.team", "doc", &doc, KvType::Json);
    described.description = Some("a document");
    assert!(store.kv_put(&described).await.unwrap());
    let got = store.kv_get("company", "count", at(1)).await.unwrap().unwrap();
    assert_eq!((got.value, got.kv_type, got.created), (json!(42), KvType::Number, t0()));
    let got = store.kv_get("company.team", "doc", at(1)).await.unwrap().unwrap();
    assert_eq!(
        (got.value, got.description.as_deref()),
        (doc.clone(), Some("a document"))
    );
    assert!(
        store.kv_get("company", "doc", at(1)).await.unwrap().is_none(),
        "namespaces apart"
    );

    let other = json!("other");
    let mut keep = put("company", "count", &other, KvType::String);
    keep.overwrite = false;
    keep.at = at(2);
    assert!(!store.kv_put(&keep).await.unwrap(), "a live pair is not overwritten");
    assert_eq!(
        store.kv_get("company", "count", at(3)).await.unwrap().unwrap().value,
        json!(42)
    );
    keep.overwrite = true;
    assert!(store.kv_put(&keep).await.unwrap());
    let replaced = store.kv_get("company", "count", at(3)).await.unwrap().unwrap();
    assert_eq!(
        (replaced.value, replaced.created, replaced.updated),
        (other.clone(), t0(), at(2))
    );

    let short = json!(true);
    let mut ttl = put("company", "flag", &short, KvType::Boolean);
    ttl.expires = Some(at(10));
    assert!(store.kv_put(&ttl).await.unwrap());
    assert!(store.kv_get("company", "flag", at(9)).await.unwrap().is_some());
    assert!(
        store.kv_get("company", "flag", at(10)).await.unwrap().is_none(),
        "expired at its ttl"
    );
    let live: Vec<String> = store
        .kv_list(Some("company"), Some(at(11)))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(live, ["count"]);
    let all: Vec<(String, String)> = store
        .kv_list(None, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.namespace, e.key))
        .collect();
    assert_eq!(
        all,
        [
            ("company".to_string(), "count".to_string()),
            ("company".to_string(), "flag".to_string()),
            ("company.team".to_string(), "doc".to_string()),
        ]
    );
    let mut again = put("company", "flag", &short, KvType::Boolean);
    again.overwrite = false;
    again.at = at(12);
    assert!(store.kv_put(&again).await.unwrap(), "an expired pair counts as absent");
    let renewed = store.kv_get("company", "flag", at(13)).await.unwrap().unwrap();
    assert_eq!((renewed.created, renewed.expires), (at(12), None));

    ttl.at = at(20);
    ttl.expires = Some(at(21));
    store.kv_put(&ttl).await.unwrap();
    assert!(
        !store.kv_delete("company", "flag", at(30)).await.unwrap(),
        "expired: not live"
    );
    assert!(store.kv_delete("company", "count", at(30)).await.unwrap());
    assert!(
        !store.kv_delete("company", "count", at(30)).await.unwrap(),
        "already gone"
    );
    assert_eq!(store.kv_list(Some("company"), None).await.unwrap().len(), 0);
}
