//! The executor's mailbox (events) and durable timers.

use super::{at, execution, t0, timer};
use sluice_engine::{AttemptResult, Event, State};
use sluice_store::{StepCommit, Store};

/// Events come out in the order they went in, across executions, until a commit acks them.
pub async fn events_fifo_and_ack(store: &dyn Store) {
    let a = execution("a", "ns", "flow", t0(), State::Running);
    let b = execution("b", "ns", "flow", t0(), State::Running);
    let start_a = store.create_execution(&a, &Event::Start, at(0)).await.unwrap();
    let start_b = store.create_execution(&b, &Event::Start, at(1)).await.unwrap();
    let ended = Event::AttemptEnded {
        task_run_id: "a-tr1".into(),
        attempt: 1,
        result: AttemptResult {
            exit_code: Some(3),
            ..AttemptResult::new(State::Failed, "exited with code 3")
        },
    };
    let started = Event::AttemptStarted {
        task_run_id: "b-tr1".into(),
        attempt: 2,
        handle: Some("pid 42".into()),
    };
    // Pushed with times out of order: the mailbox keeps push order, not time order.
    let third = store.push_event("a", &ended, at(5)).await.unwrap();
    let fourth = store.push_event("b", &started, at(3)).await.unwrap();
    let fifth = store
        .push_event(
            "a",
            &Event::TimerFired {
                task_run_id: "a-tr1".into(),
                attempt: 2,
            },
            at(9),
        )
        .await;
    let fifth = fifth.unwrap();
    assert!(start_a < start_b && start_b < third && third < fourth && fourth < fifth);

    let pending = store.pending_events(10).await.unwrap();
    let seen: Vec<_> = pending.iter().map(|p| (p.id, p.execution_id.as_str(), p.at)).collect();
    assert_eq!(
        seen,
        [
            (start_a, "a", at(0)),
            (start_b, "b", at(1)),
            (third, "a", at(5)),
            (fourth, "b", at(3)),
            (fifth, "a", at(9))
        ]
    );
    assert_eq!(pending[0].event, Event::Start);
    assert_eq!(pending[2].event, ended);
    assert_eq!(pending[3].event, started);
    assert_eq!(store.pending_events(2).await.unwrap(), pending[..2]);

    let mut ack = StepCommit::new(&a);
    ack.acked_events = vec![start_a, third, 999_999];
    store.commit(&ack).await.unwrap();
    let ids: Vec<_> = store.pending_events(10).await.unwrap().iter().map(|p| p.id).collect();
    assert_eq!(
        ids,
        [start_b, fourth, fifth],
        "acked ids are gone, unknown ids are ignored"
    );

    let mut ack = StepCommit::new(&b);
    ack.acked_events = ids.clone();
    store.commit(&ack).await.unwrap();
    assert!(store.pending_events(10).await.unwrap().is_empty());
    let next = store.push_event("a", &Event::Kill, at(10)).await.unwrap();
    assert!(next > fifth, "ids are never reused");
}

/// Due timers come earliest first; the next fire time follows deletes.
pub async fn timers_in_order(store: &dyn Store) {
    assert_eq!(store.next_timer_at().await.unwrap(), None);
    let e = execution("t", "ns", "flow", t0(), State::Running);
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let mut commit = StepCommit::new(&e);
    commit.timers = vec![
        timer("t", "tr-30", 2, at(30)),
        timer("t", "tr-10", 2, at(10)),
        timer("t", "tr-20a", 2, at(20)),
        timer("t", "tr-20b", 3, at(20)),
    ];
    store.commit(&commit).await.unwrap();

    assert_eq!(store.next_timer_at().await.unwrap(), Some(at(10)));
    assert!(store.due_timers(at(9), 10).await.unwrap().is_empty());
    let due = store.due_timers(at(10), 10).await.unwrap();
    assert_eq!(due.len(), 1, "a timer is due at its fire time");
    assert_eq!(
        (due[0].execution_id.as_str(), due[0].task_run_id.as_str()),
        ("t", "tr-10")
    );
    assert_eq!((due[0].attempt, due[0].fire_at), (2, at(10)));

    let due = store.due_timers(at(100), 3).await.unwrap();
    let names: Vec<_> = due.iter().map(|t| t.task_run_id.as_str()).collect();
    assert_eq!(
        names,
        ["tr-10", "tr-20a", "tr-20b"],
        "earliest first, ties in creation order, limited"
    );

    assert!(store.delete_timer(due[0].id).await.unwrap());
    assert!(!store.delete_timer(due[0].id).await.unwrap());
    assert_eq!(store.next_timer_at().await.unwrap(), Some(at(20)));
    for t in store.due_timers(at(100), 10).await.unwrap() {
        store.delete_timer(t.id).await.unwrap();
    }
    assert_eq!(store.next_timer_at().await.unwrap(), None);
}

/// Firing a timer removes it and posts its event once; a second fire posts nothing.
pub async fn fire_timer_once(store: &dyn Store) {
    let e = execution("ft", "ns", "flow", t0(), State::Running);
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let mut commit = StepCommit::new(&e);
    commit.timers = vec![timer("ft", "tr", 2, at(10))];
    store.commit(&commit).await.unwrap();
    let due = store.due_timers(at(10), 10).await.unwrap();
    let event = Event::TimerFired {
        task_run_id: "tr".into(),
        attempt: 2,
    };
    let before = store.pending_events(100).await.unwrap().len();
    assert!(store.fire_timer(due[0].id, "ft", &event, at(11)).await.unwrap());
    assert!(
        !store.fire_timer(due[0].id, "ft", &event, at(12)).await.unwrap(),
        "fired once"
    );
    let events = store.pending_events(100).await.unwrap();
    assert_eq!(events.len(), before + 1);
    assert_eq!(events.last().unwrap().event, event);
    assert!(store.due_timers(at(100), 10).await.unwrap().is_empty());
}
