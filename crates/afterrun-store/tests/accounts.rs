//! Accounts, sessions, coach links, login failures and referrals, run against every backend:
//! SQLite always, PostgreSQL when `AFTERRUN_TEST_POSTGRES_URL` is set (required under `CI=true`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test

mod common;

use afterrun_store::{Location, Role, Store, StoreError, hash_token};
use serde_json::json;

const NOW: i64 = 1_795_000_000;

/// A plan document with this triage level.
fn plan(level: &str) -> serde_json::Value {
    json!({"generated_at": "2026-11-23T08:30:00Z",
           "triage": {"level": level, "reasons": [{"code": "calf_dvt_signs", "text": "…"}],
                      "blocked": [], "advice": "…"},
           "steps": [{"modality": "walk"}]})
}

async fn story(location: Location) {
    let store = Store::connect(&location).await.unwrap();
    // Unique names: a PostgreSQL test database is shared between runs.
    let tag = {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        format!("{:x}", h.finish())
    };
    let ann = format!("ann-{tag}");
    let bob = format!("bob-{tag}");
    let coach = format!("coach-{tag}");
    let other_coach = format!("coach2-{tag}");

    // An athlete account creates its athlete, named by the username, in the same transaction.
    let a = store.create_account(&ann, "$argon2id$fake-ann", Role::Athlete, NOW).await.unwrap();
    assert_eq!(a.role, Role::Athlete);
    let ann_id = a.athlete_id.unwrap();
    assert_eq!(store.athlete_id(&ann).await.unwrap(), Some(ann_id));
    assert!(!format!("{a:?}").contains("fake-ann"), "Debug hides the hash");
    let b = store.create_account(&bob, "$argon2id$fake-bob", Role::Athlete, NOW).await.unwrap();
    let bob_id = b.athlete_id.unwrap();
    let c = store.create_account(&coach, "$argon2id$fake-c", Role::Coach, NOW).await.unwrap();
    assert_eq!(c.athlete_id, None);
    let c2 = store.create_account(&other_coach, "h", Role::Coach, NOW).await.unwrap();

    // Taken names: by an account, or by an existing athlete (never attach to someone's history).
    for name in [&ann, &coach] {
        let e = store.create_account(name, "h", Role::Coach, NOW).await.unwrap_err();
        assert!(matches!(e, StoreError::UsernameTaken(_)), "{e}");
    }
    let lonely = format!("lonely-{tag}");
    store.ensure_athlete(&lonely, NOW).await.unwrap();
    let e = store.create_account(&lonely, "h", Role::Athlete, NOW).await.unwrap_err();
    assert!(matches!(e, StoreError::UsernameTaken(_)), "{e}");
    assert!(store.account_by_username(&lonely).await.unwrap().is_none(), "rolled back");

    let found = store.account_by_username(&ann).await.unwrap().unwrap();
    assert_eq!(found, a);
    assert_eq!(found.password_hash, "$argon2id$fake-ann");
    assert!(store.account_by_username("nobody-at-all").await.unwrap().is_none());
    assert!(store.athlete_exists(ann_id).await.unwrap());
    assert!(!store.athlete_exists(-1).await.unwrap());

    // Sessions: found by token until they expire, gone once deleted; only the hash is stored.
    let token = format!("token-{tag}");
    store.create_session(&token, a.id, NOW, NOW + 100).await.unwrap();
    assert_eq!(store.session_account(&token, NOW + 99).await.unwrap().unwrap().id, a.id);
    assert!(store.session_account(&token, NOW + 100).await.unwrap().is_none(), "expired");
    assert!(store.session_account("wrong", NOW).await.unwrap().is_none());
    assert!(store.delete_session(&token).await.unwrap());
    assert!(store.session_account(&token, NOW).await.unwrap().is_none());
    assert!(!store.delete_session(&token).await.unwrap());
    assert_eq!(hash_token("abc").len(), 64);
    assert_ne!(hash_token("abc"), "abc");

    // Coach links.
    store.link_coach(ann_id, &coach, NOW).await.unwrap();
    store.link_coach(ann_id, &coach, NOW + 1).await.unwrap(); // twice: no change
    let e = store.link_coach(ann_id, &bob, NOW).await.unwrap_err();
    assert!(matches!(e, StoreError::NoCoach(_)), "an athlete is not a coach: {e}");
    let e = store.link_coach(ann_id, "nobody-at-all", NOW).await.unwrap_err();
    assert!(matches!(e, StoreError::NoCoach(_)), "{e}");
    let links = store.coaches_of(ann_id).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!((links[0].username.as_str(), links[0].linked_at), (coach.as_str(), NOW));
    // A request until the coach accepts: they see nothing of Ann yet.
    assert!(!links[0].accepted);
    assert!(!store.is_coach_of(c.id, ann_id).await.unwrap());
    assert!(store.athletes_of(c.id).await.unwrap().is_empty());
    assert_eq!(
        store.requests_of(c.id).await.unwrap().iter().map(|r| r.id).collect::<Vec<_>>(),
        [ann_id]
    );
    assert!(!store.accept_link(c2.id, ann_id, NOW).await.unwrap(), "not asked");
    assert!(store.accept_link(c.id, ann_id, NOW + 5).await.unwrap());
    assert!(store.coaches_of(ann_id).await.unwrap()[0].accepted);
    assert!(store.requests_of(c.id).await.unwrap().is_empty());
    assert_eq!(
        store.athletes_of(c.id).await.unwrap().iter().map(|r| r.id).collect::<Vec<_>>(),
        [ann_id]
    );
    assert!(store.is_coach_of(c.id, ann_id).await.unwrap());
    assert!(!store.is_coach_of(c.id, bob_id).await.unwrap());
    assert!(!store.is_coach_of(c2.id, ann_id).await.unwrap());
    assert!(store.athletes_of(c2.id).await.unwrap().is_empty());

    // Referrals: only red-flag plans, only of linked athletes.
    for (athlete, level, at) in [
        (ann_id, "self_care", NOW),
        (ann_id, "urgent_care", NOW + 60),
        (ann_id, "see_physio", NOW + 120),
        (bob_id, "emergency", NOW + 30),
    ] {
        let checkin = store.save_checkin(athlete, at, &json!({"now": at}), at).await.unwrap();
        store.save_plan(checkin, at, &plan(level), 1).await.unwrap();
    }
    let referrals = store.referrals(c.id).await.unwrap();
    let levels: Vec<&str> = referrals.iter().map(|r| r.level.as_str()).collect();
    assert_eq!(levels, ["see_physio", "urgent_care"], "newest first, no self-care, no Bob");
    assert!(referrals.iter().all(|r| r.athlete_id == ann_id && r.athlete == ann));
    assert_eq!(referrals[0].reasons[0]["code"], "calf_dvt_signs");
    assert_eq!(referrals[1].checked_in_at, NOW + 60);
    assert!(store.referrals(c2.id).await.unwrap().is_empty());
    assert!(store.unlink_coach(ann_id, &coach).await.unwrap());
    assert!(!store.unlink_coach(ann_id, &coach).await.unwrap());
    assert!(store.referrals(c.id).await.unwrap().is_empty(), "unlinked: nothing to see");
    // The coach can end a link too.
    store.link_coach(ann_id, &coach, NOW).await.unwrap();
    store.accept_link(c.id, ann_id, NOW).await.unwrap();
    assert!(store.end_link(c.id, ann_id).await.unwrap());
    assert!(!store.is_coach_of(c.id, ann_id).await.unwrap());
    assert!(!store.end_link(c.id, ann_id).await.unwrap());

    // Login failures: counted per username since a time, cleared on success.
    for i in 0..3 {
        store.record_login_failure(&ann, NOW + i).await.unwrap();
    }
    store.record_login_failure(&bob, NOW).await.unwrap();
    let counted_early = store.record_login_failure(&bob, NOW).await.unwrap();
    store.forget_login_failure(counted_early).await.unwrap();
    assert_eq!(store.login_failures_since(&bob, 0).await.unwrap().0, 1, "one forgotten");
    assert_eq!(store.login_failures_since(&ann, NOW).await.unwrap(), (3, Some(NOW)));
    assert_eq!(store.login_failures_since(&ann, NOW + 1).await.unwrap(), (2, Some(NOW + 1)));
    store.clear_login_failures(&ann, NOW - 1000).await.unwrap();
    assert_eq!(store.login_failures_since(&ann, 0).await.unwrap(), (0, None));
    assert_eq!(store.login_failures_since(&bob, 0).await.unwrap().0, 1, "Bob's are kept");
    store.clear_login_failures(&ann, NOW + 1).await.unwrap();
    assert_eq!(store.login_failures_since(&bob, 0).await.unwrap().0, 0, "old ones go");

    // Invitations: one account each, until they expire; a failed sign-up leaves them usable.
    let invite = format!("invite-{tag}");
    store.create_invite(&invite, Some(c.id), NOW, NOW + 100).await.unwrap();
    assert!(store.invite_usable(&invite, NOW).await.unwrap());
    assert!(!store.invite_usable(&invite, NOW + 100).await.unwrap(), "expired then");
    let no_invite = |e: StoreError| assert!(matches!(e, StoreError::NoInvite), "{e}");
    let invited = format!("inv-{tag}");
    no_invite(
        store.create_invited_account(&invited, "h", Role::Coach, NOW, "nope").await.unwrap_err(),
    );
    let taken = store.create_invited_account(&coach, "h", Role::Coach, NOW, &invite).await;
    assert!(matches!(taken, Err(StoreError::UsernameTaken(_))));
    assert!(store.invite_usable(&invite, NOW).await.unwrap(), "the failed sign-up left it");
    store.create_invited_account(&invited, "h", Role::Coach, NOW, &invite).await.unwrap();
    assert!(!store.invite_usable(&invite, NOW).await.unwrap(), "used");
    let again = format!("inv2-{tag}");
    no_invite(
        store.create_invited_account(&again, "h", Role::Coach, NOW, &invite).await.unwrap_err(),
    );
    assert!(store.account_by_username(&again).await.unwrap().is_none());
    let late = format!("late-{tag}");
    store.create_invite(&late, None, NOW, NOW + 10).await.unwrap();
    no_invite(
        store.create_invited_account(&again, "h", Role::Coach, NOW + 10, &late).await.unwrap_err(),
    );

    // Deleting an athlete removes their account, sessions and links.
    store.link_coach(bob_id, &coach, NOW).await.unwrap();
    store.accept_link(c.id, bob_id, NOW).await.unwrap();
    store.create_session(&format!("bob-{token}"), b.id, NOW, NOW + 100).await.unwrap();
    assert!(store.delete_athlete(&bob).await.unwrap());
    assert!(store.account_by_username(&bob).await.unwrap().is_none());
    assert!(store.session_account(&format!("bob-{token}"), NOW).await.unwrap().is_none());
    assert!(store.athletes_of(c.id).await.unwrap().is_empty());
    for name in [&ann, &lonely] {
        store.delete_athlete(name).await.unwrap();
    }
    store.close().await;
}

common::story_on_both_backends!("accounts", accounts_on_sqlite, accounts_on_postgres);
