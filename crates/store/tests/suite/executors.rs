//! One executor at a time per execution: claims hold executions for one executor, and a step
//! commit names the revision it started from.

use super::{at, execution, job, t0};
use serde_json::json;
use sluice_engine::{Event, State};
use sluice_store::{ClaimedEvents, StepCommit, Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const HOLD: Duration = Duration::from_secs(30);

fn ids(claimed: &[ClaimedEvents]) -> Vec<&str> {
    claimed.iter().map(|c| c.execution_id.as_str()).collect()
}

/// Claims hand each execution with pending events to one executor, oldest event first, with all
/// its events and its revision; a commit ends the hold; a hold that ran out is free again.
pub async fn claims_hold_executions(store: &dyn Store) {
    let mut starts = HashMap::new();
    for (i, id) in ["ca", "cb", "cc"].into_iter().enumerate() {
        let e = execution(id, "ns", "flow", t0(), State::Created);
        starts.insert(
            id,
            store.create_execution(&e, &Event::Start, at(i as i64)).await.unwrap(),
        );
    }
    let kill_a = store.push_event("ca", &Event::Kill, at(3)).await.unwrap();

    let first = store.claim_events("e1", HOLD, at(10), 2).await.unwrap();
    assert_eq!(ids(&first), ["ca", "cb"], "oldest first, limited");
    assert_eq!(
        first[0].events.iter().map(|e| e.id).collect::<Vec<_>>(),
        [starts["ca"], kill_a],
        "all pending events of the execution, in order"
    );
    assert_eq!(first[0].events[1].event, Event::Kill);
    assert_eq!(
        first[0].revision, first[1].revision,
        "fresh executions start at one revision"
    );
    let second = store.claim_events("e2", HOLD, at(11), 10).await.unwrap();
    assert_eq!(ids(&second), ["cc"], "held executions are skipped");
    assert_eq!(
        ids(&store.claim_events("e2", HOLD, at(12), 10).await.unwrap()),
        ["cc"],
        "an executor's own holds count as free"
    );
    assert!(
        store.claim_events("e3", HOLD, at(12), 10).await.unwrap().is_empty(),
        "everything is held"
    );

    // A step of `ca` acks what it read; an event pushed meanwhile stays pending.
    let late = store.push_event("ca", &Event::Kill, at(13)).await.unwrap();
    let a = store.get_execution("ca").await.unwrap().unwrap();
    let mut step = StepCommit::new(&a);
    step.revision = Some(first[0].revision);
    step.acked_events = first[0].events.iter().map(|e| e.id).collect();
    store.commit(&step).await.unwrap();
    let again = store.claim_events("e3", HOLD, at(14), 10).await.unwrap();
    assert_eq!(ids(&again), ["ca"], "a commit ends the hold");
    assert_eq!(
        again[0].revision,
        first[0].revision + 1,
        "a commit moves the revision on"
    );
    assert_eq!(again[0].events.iter().map(|e| e.id).collect::<Vec<_>>(), [late]);

    // e1 died holding `cb`: once its hold ran out, another executor takes it.
    assert!(store.claim_events("e4", HOLD, at(39), 10).await.unwrap().is_empty());
    let taken = store.claim_events("e4", HOLD, at(41), 10).await.unwrap();
    assert_eq!(ids(&taken), ["cb"], "a hold that ran out is free");
    let after = ids(&store.claim_events("e2", HOLD, at(45), 10).await.unwrap()).join(",");
    assert_eq!(after, "cc,ca", "e2's own hold and e3's run-out one, oldest event first");

    assert_eq!(store.release_executor("e2").await.unwrap(), 2);
    assert_eq!(store.release_executor("e2").await.unwrap(), 0);
    assert_eq!(
        ids(&store.claim_events("e5", HOLD, at(46), 10).await.unwrap()).join(","),
        "cc,ca"
    );
    assert_eq!(
        store.claim_events("e5", HOLD, at(46), 10).await.unwrap().len(),
        2,
        "still e5's"
    );
}

/// A commit from a revision that is no longer the stored one stores nothing of itself.
pub async fn commit_checks_the_revision(store: &dyn Store) {
    let e = execution("rv", "ns", "flow", t0(), State::Created);
    let start = store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let claimed = store.claim_events("e1", HOLD, at(1), 10).await.unwrap();
    let base = claimed[0].revision;

    let mut winner = e.clone();
    winner.state.set(State::Running, at(2));
    let mut step = StepCommit::new(&winner);
    step.revision = Some(base);
    step.acked_events = vec![start];
    step.starts = vec![execution("rv-started", "ns", "downstream", at(2), State::Created)];
    store.commit(&step).await.unwrap();
    assert!(
        store.get_execution("rv-started").await.unwrap().is_some(),
        "the execution the step starts is stored with it"
    );
    assert!(
        store
            .pending_events(10)
            .await
            .unwrap()
            .iter()
            .any(|e| e.execution_id == "rv-started" && e.event == Event::Start),
        "and started by an event"
    );

    let mut loser = e.clone();
    loser.state.set(State::Failed, at(3));
    let mut stale = StepCommit::new(&loser);
    stale.revision = Some(base);
    stale.acked_events = vec![start];
    stale.enqueue = vec![job("rv", "tr1", 1)];
    stale.starts = vec![execution("rv-lost", "ns", "downstream", at(3), State::Created)];
    let error = store.commit(&stale).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::Conflict { id, expected } if id == "rv" && *expected == base),
        "{error:?}"
    );
    assert!(!error.is_transient());
    assert_eq!(
        store.get_execution("rv").await.unwrap().unwrap(),
        winner,
        "the winner stays"
    );
    assert!(
        store.claim("w", HOLD, at(4)).await.unwrap().is_none(),
        "the loser's job was not queued"
    );
    assert!(
        store.get_execution("rv-lost").await.unwrap().is_none(),
        "nor its execution started"
    );

    // A commit without a revision (a new execution, a lone writer) moves the revision on too.
    store.commit(&StepCommit::new(&winner)).await.unwrap();
    let mut after = StepCommit::new(&winner);
    after.revision = Some(base + 1);
    assert!(matches!(store.commit(&after).await, Err(StoreError::Conflict { .. })));
    after.revision = Some(base + 2);
    store.commit(&after).await.unwrap();
}

/// Executors claiming and committing at once, while events keep arriving: every event is stepped
/// exactly once, in push order, and no two executors ever step the same execution at once.
/// `stores` are the executors' connections (one store shared, or several pools of one database).
pub async fn one_executor_at_a_time(stores: Vec<Arc<dyn Store>>) {
    const EXECUTIONS: usize = 12;
    const EVENTS: u32 = 15;
    let store = stores[0].clone();
    let mut pushed: HashMap<String, Vec<i64>> = HashMap::new();
    for i in 0..EXECUTIONS {
        let id = format!("x{i:02}");
        let e = execution(&id, "ns", "flow", t0(), State::Created);
        let start = store.create_execution(&e, &Event::Start, t0()).await.unwrap();
        pushed.insert(id, vec![start]);
    }
    let pusher = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut pushed = Vec::new();
            for n in 1..EVENTS {
                for i in 0..EXECUTIONS {
                    let id = format!("x{i:02}");
                    let event = Event::TimerFired {
                        task_run_id: format!("t{n}"),
                        attempt: n,
                    };
                    pushed.push((
                        id.clone(),
                        store.push_event(&id, &event, at(i64::from(n))).await.unwrap(),
                    ));
                }
                tokio::task::yield_now().await;
            }
            pushed
        })
    };
    let stepping: Arc<Mutex<HashSet<String>>> = Arc::default();
    let mut executors = Vec::new();
    for (n, store) in stores.iter().cycle().take(4).enumerate() {
        let (store, stepping) = (store.clone(), stepping.clone());
        executors.push(tokio::spawn(async move {
            let me = format!("executor-{n}");
            let mut idle = 0;
            let mut conflicts = 0;
            while idle < 50 {
                let claimed = store.claim_events(&me, HOLD, at(100), 3).await.unwrap();
                if claimed.is_empty() {
                    idle += 1;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
                idle = 0;
                for batch in claimed {
                    assert!(
                        stepping.lock().unwrap().insert(batch.execution_id.clone()),
                        "two executors step {} at once",
                        batch.execution_id
                    );
                    let mut e = store.get_execution(&batch.execution_id).await.unwrap().unwrap();
                    let seen = e.outputs.entry("seen").or_insert_with(|| json!([]));
                    for event in &batch.events {
                        seen.as_array_mut().unwrap().push(json!(event.id));
                    }
                    tokio::task::yield_now().await;
                    let mut step = StepCommit::new(&e);
                    step.revision = Some(batch.revision);
                    step.acked_events = batch.events.iter().map(|e| e.id).collect();
                    // Out of the set before the commit ends the hold.
                    stepping.lock().unwrap().remove(&batch.execution_id);
                    match store.commit(&step).await {
                        Ok(()) => {}
                        Err(StoreError::Conflict { .. }) => conflicts += 1,
                        Err(other) => panic!("{other:?}"),
                    }
                }
            }
            conflicts
        }));
    }
    for (id, event) in pusher.await.unwrap() {
        pushed.get_mut(&id).unwrap().push(event);
    }
    let mut conflicts = 0;
    for executor in executors {
        conflicts += executor.await.unwrap();
    }
    assert_eq!(conflicts, 0, "holds never ran out, so no step lost a race");
    assert!(store.pending_events(10).await.unwrap().is_empty(), "everything stepped");
    for (id, events) in pushed {
        let e = store.get_execution(&id).await.unwrap().unwrap();
        let seen: Vec<i64> = e.outputs["seen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(seen, events, "{id}: each event once, in push order");
    }
}
