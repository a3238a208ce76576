//! Pairing links and paired devices (`serve --lan`), run against every backend: SQLite always,
//! PostgreSQL when `AFTERRUN_TEST_POSTGRES_URL` is set (required under `CI=true`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

mod common;

use afterrun_store::{Location, Store, StoreError, hash_token};

const NOW: i64 = 1_795_000_000;

/// A name no other run of this test uses (a PostgreSQL test database is shared between runs).
fn unique(label: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    format!("{label}-{:x}", h.finish())
}

async fn story(location: Location) {
    let store = Store::connect(&location).await.unwrap();
    let no_pairing = |e: StoreError| assert!(matches!(e, StoreError::NoPairing), "{e}");
    let (link, phone) = (unique("link"), unique("phone"));
    store.create_pairing_link(&link, NOW, NOW + 600).await.unwrap();
    assert!(store.pairing_link_usable(&link, NOW + 599).await.unwrap());
    assert!(!store.pairing_link_usable(&link, NOW + 600).await.unwrap(), "expired then");
    assert!(!store.pairing_link_usable(&hash_token(&link), NOW).await.unwrap(), "not the hash");

    // The link pairs one device, once.
    let device = store.pair_device(&link, &phone, "Safari on iPhone", NOW + 10).await.unwrap();
    assert_eq!((device.name.as_str(), device.paired_at), ("Safari on iPhone", NOW + 10));
    assert!(!store.pairing_link_usable(&link, NOW + 11).await.unwrap(), "used");
    no_pairing(store.pair_device(&link, &unique("thief"), "x", NOW + 11).await.unwrap_err());
    assert_eq!(store.paired_device(&phone).await.unwrap(), Some(device.clone()));
    assert_eq!(store.paired_device(&hash_token(&phone)).await.unwrap(), None, "not the hash");
    no_pairing(store.pair_device("unknown", &unique("other"), "x", NOW).await.unwrap_err());

    // An expired link pairs nothing, and leaves no device behind.
    let late = unique("late");
    store.create_pairing_link(&late, NOW, NOW + 600).await.unwrap();
    let tablet = unique("tablet");
    no_pairing(store.pair_device(&late, &tablet, "tablet", NOW + 600).await.unwrap_err());
    assert_eq!(store.paired_device(&tablet).await.unwrap(), None);

    // Devices are listed in the order they were paired, and revoking one forgets its token.
    let second = unique("second");
    store.create_pairing_link(&second, NOW + 20, NOW + 620).await.unwrap();
    let laptop = unique("laptop");
    let other = store.pair_device(&second, &laptop, "Firefox on Linux", NOW + 30).await.unwrap();
    let ours: Vec<_> = store
        .paired_devices()
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.id == device.id || d.id == other.id)
        .collect();
    assert_eq!(ours, vec![device.clone(), other.clone()]);
    assert!(store.revoke_device(device.id).await.unwrap());
    assert!(!store.revoke_device(device.id).await.unwrap(), "already revoked");
    assert_eq!(store.paired_device(&phone).await.unwrap(), None);
    assert_eq!(store.paired_device(&laptop).await.unwrap(), Some(other.clone()));
    store.revoke_device(other.id).await.unwrap();
    store.close().await;
}

common::story_on_both_backends!("devices", devices_on_sqlite, devices_on_postgres);
