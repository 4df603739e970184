//! Flow concurrency slots: counted per flow, queued in order, handed on in the ending commit.

use super::{at, execution, t0};
use sluice_engine::{Event, State};
use sluice_store::{Slot, StepCommit, Store};

/// Two slots: two executions run, a third queues, a fourth that may not wait is refused; asking
/// again answers the same; the end of a running one hands its slot to the queued one, with a
/// start event in the same commit, and no one else's.
pub async fn slots_are_counted_queued_and_handed_on(store: &dyn Store) {
    for id in ["s1", "s2", "s3", "s4", "s5"] {
        let e = execution(id, "ns", "limited", t0(), State::Created);
        store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    }
    let other = execution("o1", "ns", "other", t0(), State::Created);
    store.create_execution(&other, &Event::Start, t0()).await.unwrap();
    let take = |id: &'static str, queue: bool, _s: i64| store.acquire_slot("ns", "limited", id, 2, queue);
    assert_eq!(take("s1", true, 1).await.unwrap(), Slot::Running);
    assert_eq!(take("s2", true, 2).await.unwrap(), Slot::Running);
    assert_eq!(take("s3", true, 3).await.unwrap(), Slot::Queued);
    assert_eq!(take("s4", false, 4).await.unwrap(), Slot::Refused);
    assert_eq!(take("s5", true, 5).await.unwrap(), Slot::Queued);
    assert_eq!(
        take("s1", true, 6).await.unwrap(),
        Slot::Running,
        "asking again answers the same"
    );
    assert_eq!(take("s3", true, 6).await.unwrap(), Slot::Queued);
    assert_eq!(
        store.acquire_slot("ns", "other", "o1", 1, true).await.unwrap(),
        Slot::Running,
        "another flow counts apart"
    );

    let before: Vec<i64> = store.pending_events(100).await.unwrap().iter().map(|e| e.id).collect();
    let mut ended = execution("s1", "ns", "limited", t0(), State::Success);
    ended.state.set(State::Success, at(10));
    let mut commit = StepCommit::new(&ended);
    commit.release_slot = true;
    store.commit(&commit).await.unwrap();
    let new: Vec<_> = store
        .pending_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| !before.contains(&e.id))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(
        (new[0].execution_id.as_str(), &new[0].event),
        ("s3", &Event::Start),
        "the oldest queued one"
    );
    assert_eq!(take("s3", true, 11).await.unwrap(), Slot::Running);
    assert_eq!(take("s5", true, 11).await.unwrap(), Slot::Queued, "still one too many");
}

/// An older execution that never asks for a slot (its revision has no limit) is still counted
/// ahead of a newer one, which so queues; when the older one ends, that end hands the free slot
/// on, though the ending execution held none and its commit knows no limit.
pub async fn an_end_without_a_slot_still_hands_slots_on(store: &dyn Store) {
    for id in ["u1", "q1"] {
        let e = execution(id, "ns", "mixed", t0(), State::Created);
        store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    }
    assert_eq!(
        store.acquire_slot("ns", "mixed", "q1", 1, true).await.unwrap(),
        Slot::Queued,
        "u1 is older and about to start"
    );
    let before: Vec<i64> = store.pending_events(100).await.unwrap().iter().map(|e| e.id).collect();
    let mut ended = execution("u1", "ns", "mixed", t0(), State::Success);
    ended.state.set(State::Success, at(10));
    let mut commit = StepCommit::new(&ended);
    commit.release_slot = true;
    store.commit(&commit).await.unwrap();
    let new: Vec<_> = store
        .pending_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| !before.contains(&e.id))
        .map(|e| (e.execution_id, e.event))
        .collect();
    assert_eq!(new, vec![("q1".to_string(), Event::Start)]);
    assert_eq!(
        store.acquire_slot("ns", "mixed", "q1", 1, true).await.unwrap(),
        Slot::Running
    );
}
