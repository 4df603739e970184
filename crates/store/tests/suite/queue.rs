//! The work queue and its leases.

use super::{at, execution, job, t0};
use sluice_engine::{Event, State};
use sluice_store::{StepCommit, Store};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);

/// Stores an execution with `jobs` queued for it, one task run each.
async fn queued(store: &dyn Store, execution_id: &str, jobs: usize) {
    let e = execution(execution_id, "ns", "flow", t0(), State::Running);
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let mut commit = StepCommit::new(&e);
    commit.enqueue = (0..jobs).map(|i| job(execution_id, &format!("tr{i}"), 1)).collect();
    store.commit(&commit).await.unwrap();
}

/// Workers claiming at the same time never get the same job, and together get them all.
pub async fn claims_are_exclusive(store: Arc<dyn Store>) {
    queued(store.as_ref(), "q", 200).await;
    let mut workers = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) = store.claim(&format!("worker-{w}"), MINUTE, at(1)).await.unwrap() {
                assert_eq!(job.owner.as_deref(), Some(format!("worker-{w}").as_str()));
                assert_eq!(job.claims, 1);
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut seen = HashSet::new();
    for worker in workers {
        for id in worker.await.unwrap() {
            assert!(seen.insert(id), "job {id} was claimed twice");
        }
    }
    assert_eq!(seen.len(), 200);
}

/// A lease that runs out shows in `expired`, but no claim takes the job over: only a release of
/// the expired lease (by whoever watches leases) lets another worker claim it, and the first
/// worker can no longer renew it then.
pub async fn lease_expiry(store: &dyn Store) {
    queued(store, "l", 1).await;
    let first = store
        .claim("w1", Duration::from_secs(30), at(0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (first.owner.as_deref(), first.lease_until, first.claims),
        (Some("w1"), Some(at(30)), 1)
    );
    assert_eq!(
        (first.execution_id.as_str(), first.task_run_id.as_str(), first.attempt),
        ("l", "tr0", 1)
    );

    assert!(
        store.claim("w2", MINUTE, at(10)).await.unwrap().is_none(),
        "held while the lease runs"
    );
    assert!(store.expired(at(10)).await.unwrap().is_empty());
    assert!(store.renew(first.id, "w1", at(40)).await.unwrap(), "the holder renews");
    assert!(
        !store.renew(first.id, "w2", at(99)).await.unwrap(),
        "only the holder renews"
    );

    let expired = store.expired(at(41)).await.unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(
        (expired[0].id, expired[0].owner.as_deref(), expired[0].lease_until),
        (first.id, Some("w1"), Some(at(40)))
    );
    assert!(
        store.claim("w2", MINUTE, at(41)).await.unwrap().is_none(),
        "a lease that ran out is not taken over by a claim"
    );
    assert!(
        !store.release_expired(first.id, "w1", at(39)).await.unwrap(),
        "not run out yet at 39"
    );
    assert!(
        !store.release_expired(first.id, "w2", at(41)).await.unwrap(),
        "w2 never held it"
    );
    assert!(store.release_expired(first.id, "w1", at(41)).await.unwrap());
    assert!(
        !store.release_expired(first.id, "w1", at(41)).await.unwrap(),
        "released once"
    );
    assert!(store.expired(at(41)).await.unwrap().is_empty(), "released, not expired");

    let second = store.claim("w2", MINUTE, at(41)).await.unwrap().unwrap();
    assert_eq!(
        (second.id, second.owner.as_deref(), second.claims),
        (first.id, Some("w2"), 2)
    );
    assert_eq!(second.payload, first.payload);
    assert!(store.expired(at(41)).await.unwrap().is_empty(), "held again");
    assert!(
        !store.renew(first.id, "w1", at(200)).await.unwrap(),
        "w1 lost the lease"
    );
    assert!(store.renew(first.id, "w2", at(200)).await.unwrap());

    assert!(store.finish(first.id).await.unwrap());
    assert!(!store.finish(first.id).await.unwrap());
    assert!(
        !store.renew(first.id, "w2", at(300)).await.unwrap(),
        "a finished job cannot be renewed"
    );
    assert!(store.claim("w3", MINUTE, at(1000)).await.unwrap().is_none());
}

/// The attempt of a worker whose lease ran out is ended once, with one event; a worker that
/// renews in time, even late, keeps its job; the lost worker's own report then posts nothing.
pub async fn lost_leases_are_settled_once(store: &dyn Store) {
    queued(store, "x", 1).await;
    let job = store
        .claim("w1", Duration::from_secs(30), at(0))
        .await
        .unwrap()
        .unwrap();
    let before = store.pending_events(100).await.unwrap().len();
    let lost = Event::Kill;
    assert_eq!(
        store
            .expire_with_event(job.id, "w1", at(10), "x", &lost, at(10))
            .await
            .unwrap(),
        None,
        "the lease still runs"
    );
    assert_eq!(
        store
            .expire_with_event(job.id, "w2", at(31), "x", &lost, at(31))
            .await
            .unwrap(),
        None,
        "w2 does not hold it"
    );
    assert!(
        store.renew(job.id, "w1", at(60)).await.unwrap(),
        "a late renewal before anyone settled the job keeps it"
    );
    assert_eq!(
        store
            .expire_with_event(job.id, "w1", at(31), "x", &lost, at(31))
            .await
            .unwrap(),
        None,
        "renewed in time"
    );
    assert_eq!(store.pending_events(100).await.unwrap().len(), before);

    let posted = store
        .expire_with_event(job.id, "w1", at(61), "x", &lost, at(61))
        .await
        .unwrap();
    assert!(posted.is_some());
    assert_eq!(
        store
            .expire_with_event(job.id, "w1", at(62), "x", &lost, at(62))
            .await
            .unwrap(),
        None,
        "settled once"
    );
    let ended = Event::AttemptEnded {
        task_run_id: "tr0".into(),
        attempt: 1,
        result: sluice_engine::AttemptResult::new(State::Success, "done late"),
    };
    assert_eq!(
        store
            .finish_with_event(job.id, "w1", "x", &ended, at(63))
            .await
            .unwrap(),
        None,
        "the lost worker's late report posts nothing"
    );
    assert!(!store.renew(job.id, "w1", at(90)).await.unwrap());
    let events = store.pending_events(100).await.unwrap();
    assert_eq!(events.len(), before + 1, "one event in all");
    assert_eq!(
        (events.last().unwrap().id, &events.last().unwrap().event),
        (posted.unwrap(), &lost)
    );
}

/// A draining worker gives its jobs back; they can be claimed at once, and only its jobs move.
pub async fn release_worker(store: &dyn Store) {
    queued(store, "r", 3).await;
    let a = store.claim("w1", MINUTE, at(0)).await.unwrap().unwrap();
    let b = store.claim("w1", MINUTE, at(0)).await.unwrap().unwrap();
    let c = store.claim("w2", MINUTE, at(0)).await.unwrap().unwrap();
    assert_eq!(store.release_worker("w1").await.unwrap(), 2);
    assert_eq!(store.release_worker("w1").await.unwrap(), 0);
    assert!(
        !store.renew(a.id, "w1", at(30)).await.unwrap(),
        "released leases are gone"
    );
    assert!(
        store.expired(at(0)).await.unwrap().is_empty(),
        "released jobs are not expired ones"
    );

    let again: Vec<_> = [
        store.claim("w3", MINUTE, at(1)).await.unwrap(),
        store.claim("w3", MINUTE, at(1)).await.unwrap(),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(
        again.iter().map(|j| j.id).collect::<Vec<_>>(),
        [a.id, b.id],
        "oldest first, at once"
    );
    assert!(again.iter().all(|j| j.claims == 2 && j.owner.as_deref() == Some("w3")));
    assert!(
        store.renew(c.id, "w2", at(30)).await.unwrap(),
        "other workers keep theirs"
    );
    assert!(store.claim("w3", MINUTE, at(1)).await.unwrap().is_none());
}

/// Finishing a job and reporting its end is one step: the job is gone and the event is posted,
/// once, and only by the worker that holds the job.
pub async fn finish_with_event(store: &dyn Store) {
    queued(store, "f", 1).await;
    let job = store.claim("w1", MINUTE, at(0)).await.unwrap().unwrap();
    let before = store.pending_events(100).await.unwrap().len();
    let event = Event::Kill;
    assert_eq!(
        store.finish_with_event(job.id, "w2", "f", &event, at(4)).await.unwrap(),
        None,
        "only the holder finishes"
    );
    let id = store
        .finish_with_event(job.id, "w1", "f", &event, at(5))
        .await
        .unwrap()
        .expect("the holder finishes");
    assert_eq!(
        store.finish_with_event(job.id, "w1", "f", &event, at(6)).await.unwrap(),
        None,
        "a second finish posts nothing"
    );
    let events = store.pending_events(100).await.unwrap();
    assert_eq!(events.len(), before + 1);
    let last = events.last().unwrap();
    assert_eq!((last.id, last.event.clone(), last.at), (id, event, at(5)));
    assert!(!store.finish(job.id).await.unwrap(), "the job is gone");
    assert!(store.claim("w2", MINUTE, at(1000)).await.unwrap().is_none());
}
