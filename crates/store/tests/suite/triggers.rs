//! Schedule state: a tick fires once, whoever tries.

use super::{at, execution};
use sluice_engine::{Event, State};
use sluice_store::{Store, TriggerKey};

fn key() -> TriggerKey {
    TriggerKey {
        namespace: "ns".into(),
        flow_id: "flow".into(),
        trigger_id: "nightly".into(),
    }
}

/// The first store sets the next fire time; firing compares and sets it with the execution.
pub async fn fire_once(store: &dyn Store) {
    assert!(store.trigger_states().await.unwrap().is_empty());
    assert!(store.fire_trigger(&key(), None, at(60), None, at(0)).await.unwrap());
    assert!(
        !store.fire_trigger(&key(), None, at(99), None, at(0)).await.unwrap(),
        "already initialised"
    );
    let e = execution("sched-1", "ns", "flow", at(60), State::Created);
    assert!(
        store
            .fire_trigger(&key(), Some(at(60)), at(120), Some((&e, &Event::Start)), at(60))
            .await
            .unwrap()
    );
    let e2 = execution("sched-2", "ns", "flow", at(60), State::Created);
    assert!(
        !store
            .fire_trigger(&key(), Some(at(60)), at(120), Some((&e2, &Event::Start)), at(61))
            .await
            .unwrap(),
        "a second scheduler firing the same tick changes nothing"
    );
    assert!(
        store.get_execution("sched-2").await.unwrap().is_none(),
        "and stores no execution"
    );
    assert!(store.get_execution("sched-1").await.unwrap().is_some());
    let states = store.trigger_states().await.unwrap();
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].next_fire_at, at(120));
    assert_eq!(states[0].last_fired_at, Some(at(60)));
    assert_eq!(states[0].last_execution_id.as_deref(), Some("sched-1"));
    assert!(
        store
            .pending_events(100)
            .await
            .unwrap()
            .iter()
            .any(|e| e.execution_id == "sched-1")
    );
    assert!(store.delete_trigger(&key()).await.unwrap());
    assert!(store.trigger_states().await.unwrap().is_empty());
}
