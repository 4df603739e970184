//! Stored secrets: sealed values stored, replaced, listed by name and deleted, per namespace,
//! on both backends; the database never holds the value in clear.

use super::{at, t0};
use sluice_store::Store;
use sluice_store::secrets::SecretBox;

pub async fn secrets_are_sealed_listed_and_deleted(store: &dyn Store) {
    let key = SecretBox::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
    let first = key.seal("company", "API_TOKEN", "first-value").unwrap();
    store.put_secret("company", "API_TOKEN", &first, t0()).await.unwrap();
    let second = key.seal("company", "API_TOKEN", "second-value").unwrap();
    store.put_secret("company", "API_TOKEN", &second, at(1)).await.unwrap();
    let other = key.seal("company.team", "DB_PASSWORD", "pw").unwrap();
    store
        .put_secret("company.team", "DB_PASSWORD", &other, t0())
        .await
        .unwrap();

    let read = store.get_secret("company", "API_TOKEN").await.unwrap().unwrap();
    assert_eq!(read, second);
    assert_eq!(key.open("company", "API_TOKEN", &read).unwrap(), "second-value");
    assert!(store.get_secret("company", "DB_PASSWORD").await.unwrap().is_none());
    let listed = store.list_secrets("company").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].name.as_str(), listed[0].updated), ("API_TOKEN", at(1)));
    assert!(store.delete_secret("company", "API_TOKEN").await.unwrap());
    assert!(!store.delete_secret("company", "API_TOKEN").await.unwrap());
    assert!(store.list_secrets("company").await.unwrap().is_empty());
    assert_eq!(store.list_secrets("company.team").await.unwrap().len(), 1);
}
