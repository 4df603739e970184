//! Executions and step commits.

use super::{at, execution, job, t0, timer};
use jiff::SignedDuration;
use sluice_engine::{AttemptResult, Event, State, TaskRun};
use sluice_store::{ExecutionFilter, StepCommit, Store, StoreError};
use std::time::Duration;

/// What is stored is what comes back, to the last nanosecond and JSON field.
pub async fn round_trip(store: &dyn Store) {
    let original = execution("exec-1", "company.team", "hello", t0(), State::Running);
    store.create_execution(&original, &Event::Start, t0()).await.unwrap();
    let loaded = store.get_execution("exec-1").await.unwrap().expect("stored");
    assert_eq!(loaded, original);
    assert_eq!(
        serde_json::to_value(&loaded).unwrap(),
        serde_json::to_value(&original).unwrap()
    );
    assert!(store.get_execution("missing").await.unwrap().is_none());

    let again = store.create_execution(&original, &Event::Start, t0()).await;
    assert!(matches!(again, Err(StoreError::AlreadyExists { .. })), "{again:?}");
}

/// Filters by namespace, flow, state and start time; newest first; pages with a total.
pub async fn list_filters_and_paging(store: &dyn Store) {
    // 12 executions, one a minute: flows alternate, every third one failed, the rest succeeded,
    // the last one still running.
    for i in 0..12 {
        let flow = if i % 2 == 0 { "even" } else { "odd" };
        let state = if i == 11 {
            State::Running
        } else if i % 3 == 0 {
            State::Failed
        } else {
            State::Success
        };
        let e = execution(&format!("e{i:02}"), "ns", flow, at(i * 60), state);
        store.create_execution(&e, &Event::Start, at(i * 60)).await.unwrap();
    }
    let other = execution("x", "elsewhere", "even", at(5), State::Success);
    store.create_execution(&other, &Event::Start, at(5)).await.unwrap();

    let all = store
        .list_executions(&ExecutionFilter {
            size: 100,
            ..ExecutionFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total, 13);
    let ids: Vec<_> = all.results.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids[..3], ["e11", "e10", "e09"], "newest first");
    assert_eq!(ids[11..], ["x", "e00"], "x started 5 s after e00");

    let running = &all.results[0];
    assert_eq!(
        (running.state, running.end, running.duration),
        (State::Running, None, None)
    );
    assert_eq!(running.start, Some(at(660)));
    let done = &all.results[1];
    assert_eq!(
        (done.namespace.as_str(), done.flow_id.as_str(), done.state),
        ("ns", "even", State::Success)
    );
    assert_eq!(done.end, Some(at(600 + 60)));
    assert_eq!(done.duration, Some(SignedDuration::from_secs(60)));

    let ns = ExecutionFilter {
        namespace: Some("ns".into()),
        size: 5,
        ..ExecutionFilter::default()
    };
    let page1 = store.list_executions(&ns).await.unwrap();
    let page3 = store
        .list_executions(&ExecutionFilter { page: 3, ..ns.clone() })
        .await
        .unwrap();
    let page4 = store
        .list_executions(&ExecutionFilter { page: 4, ..ns.clone() })
        .await
        .unwrap();
    assert_eq!(
        (
            page1.total,
            page1.results.len(),
            page3.results.len(),
            page4.results.len()
        ),
        (12, 5, 2, 0)
    );
    assert_eq!(
        page3.results.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["e01", "e00"]
    );
    let page0 = store
        .list_executions(&ExecutionFilter { page: 0, ..ns.clone() })
        .await
        .unwrap();
    assert_eq!(page0, page1, "page 0 is read as page 1");

    let flow = ExecutionFilter {
        flow_id: Some("odd".into()),
        size: 100,
        ..ExecutionFilter::default()
    };
    let odd = store.list_executions(&flow).await.unwrap();
    assert_eq!(odd.total, 6);
    assert!(odd.results.iter().all(|s| s.flow_id == "odd"));
    let even = ExecutionFilter {
        flow_id: Some("even".into()),
        size: 100,
        ..ExecutionFilter::default()
    };
    assert_eq!(
        store.list_executions(&even).await.unwrap().total,
        7,
        "flow filter spans namespaces"
    );

    let failed = ExecutionFilter {
        state: Some(vec![State::Failed]),
        size: 100,
        ..ExecutionFilter::default()
    };
    let failed = store.list_executions(&failed).await.unwrap();
    assert_eq!(
        failed.results.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["e09", "e06", "e03", "e00"]
    );
    let some = ExecutionFilter {
        namespace: Some("ns".into()),
        state: Some(vec![State::Failed, State::Running]),
        size: 100,
        ..ExecutionFilter::default()
    };
    assert_eq!(store.list_executions(&some).await.unwrap().total, 5);
    let none = ExecutionFilter {
        state: Some(vec![]),
        ..ExecutionFilter::default()
    };
    assert_eq!(
        store.list_executions(&none).await.unwrap().total,
        0,
        "an empty state list matches nothing"
    );

    let window = ExecutionFilter {
        from: Some(at(120)),
        to: Some(at(300)),
        size: 100,
        ..ExecutionFilter::default()
    };
    let window = store.list_executions(&window).await.unwrap();
    assert_eq!(
        window.results.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["e04", "e03", "e02"]
    );
    let combined = ExecutionFilter {
        namespace: Some("ns".into()),
        flow_id: Some("even".into()),
        state: Some(vec![State::Success]),
        from: Some(at(0)),
        to: Some(jiff::Timestamp::MAX),
        page: 1,
        size: 2,
    };
    let combined = store.list_executions(&combined).await.unwrap();
    assert_eq!(combined.total, 4, "e02, e04, e08, e10");
    assert_eq!(
        combined.results.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["e10", "e08"]
    );
}

/// Jobs, timers, acks and the new execution are stored by one commit.
pub async fn commit_stores_everything(store: &dyn Store) {
    let mut e = execution("exec-c", "ns", "flow", t0(), State::Created);
    let start = store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let kill = store.push_event("exec-c", &Event::Kill, at(1)).await.unwrap();
    e.state.set(State::Running, at(2));

    let commit = StepCommit {
        execution: &e,
        previous: None,
        acked_events: vec![start],
        enqueue: vec![job("exec-c", "tr1", 1), job("exec-c", "tr2", 1)],
        timers: vec![timer("exec-c", "tr3", 2, at(300))],
        cancel_jobs_for: vec![],
        revision: None,
        starts: vec![],
        release_slot: false,
    };
    store.commit(&commit).await.unwrap();

    assert_eq!(store.get_execution("exec-c").await.unwrap().unwrap(), e);
    let pending = store.pending_events(10).await.unwrap();
    assert_eq!(pending.iter().map(|p| p.id).collect::<Vec<_>>(), [kill]);
    let first = store.claim("w", Duration::from_secs(60), at(3)).await.unwrap().unwrap();
    let second = store.claim("w", Duration::from_secs(60), at(3)).await.unwrap().unwrap();
    assert_eq!(
        (first.task_run_id.as_str(), second.task_run_id.as_str()),
        ("tr1", "tr2")
    );
    assert_eq!(first.payload, job("exec-c", "tr1", 1).payload);
    assert!(
        store
            .claim("w", Duration::from_secs(60), at(3))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.next_timer_at().await.unwrap(), Some(at(300)));

    let listed = store.list_executions(&Default::default()).await.unwrap();
    assert_eq!(
        listed.results[0].state,
        State::Running,
        "the indexed columns follow the document"
    );
}

/// A commit that fails halfway stores nothing of itself.
pub async fn commit_is_atomic(store: &dyn Store) {
    let e = execution("exec-a", "ns", "flow", t0(), State::Created);
    let start = store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let mut changed = e.clone();
    changed.state.set(State::Running, at(1));

    let failing = StepCommit {
        execution: &changed,
        previous: None,
        acked_events: vec![start],
        enqueue: vec![job("exec-a", "tr1", 1), job("no-such-execution", "tr2", 1)],
        timers: vec![timer("exec-a", "tr1", 1, at(60))],
        cancel_jobs_for: vec![],
        revision: None,
        starts: vec![],
        release_slot: false,
    };
    let error = store.commit(&failing).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::UnknownExecution { id, .. } if id == "no-such-execution"),
        "{error:?}"
    );

    assert_eq!(
        store.get_execution("exec-a").await.unwrap().unwrap(),
        e,
        "execution unchanged"
    );
    assert_eq!(store.pending_events(10).await.unwrap().len(), 1, "event not acked");
    assert!(
        store
            .claim("w", Duration::from_secs(60), at(2))
            .await
            .unwrap()
            .is_none(),
        "no job"
    );
    assert_eq!(store.next_timer_at().await.unwrap(), None, "no timer");
    assert_eq!(
        store.list_executions(&Default::default()).await.unwrap().results[0].state,
        State::Created
    );
}

/// Cancelling a task run drops its unclaimed jobs and its timers, keeps claimed jobs and other
/// task runs' work, and still lets the same commit queue a new job for it.
pub async fn commit_cancels_task_runs(store: &dyn Store) {
    let e = execution("exec-k", "ns", "flow", t0(), State::Running);
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let mut setup = StepCommit::new(&e);
    setup.enqueue = vec![
        job("exec-k", "tr1", 1),
        job("exec-k", "tr1", 2),
        job("exec-k", "tr2", 1),
    ];
    setup.timers = vec![timer("exec-k", "tr1", 3, at(10)), timer("exec-k", "tr2", 2, at(20))];
    store.commit(&setup).await.unwrap();
    let held = store
        .claim("w1", Duration::from_secs(600), at(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((held.task_run_id.as_str(), held.attempt), ("tr1", 1));

    let mut cancel = StepCommit::new(&e);
    cancel.cancel_jobs_for = vec!["tr1".into()];
    cancel.enqueue = vec![job("exec-k", "tr1", 9)];
    store.commit(&cancel).await.unwrap();
    assert_eq!(
        store.kill_requests("w1").await.unwrap(),
        ["tr1"],
        "the claimed job is marked for its worker to kill"
    );
    assert!(store.kill_requests("w2").await.unwrap().is_empty());

    let mut left = Vec::new();
    while let Some(j) = store.claim("w2", Duration::from_secs(600), at(2)).await.unwrap() {
        left.push((j.task_run_id, j.attempt));
    }
    assert_eq!(left, [("tr2".to_owned(), 1), ("tr1".to_owned(), 9)]);
    assert!(
        store.kill_requests("w2").await.unwrap().is_empty(),
        "the new job of the task run is not marked"
    );
    assert!(
        store.renew(held.id, "w1", at(700)).await.unwrap(),
        "the claimed job is kept"
    );
    let timers = store.due_timers(at(100), 10).await.unwrap();
    assert_eq!(
        timers.iter().map(|t| t.task_run_id.as_str()).collect::<Vec<_>>(),
        ["tr2"]
    );
}

/// An event pushed for an execution that is not stored is refused.
pub async fn event_needs_execution(store: &dyn Store) {
    let result = store
        .push_event(
            "ghost",
            &Event::AttemptEnded {
                task_run_id: "t".into(),
                attempt: 1,
                result: AttemptResult::new(State::Failed, "worker lost"),
            },
            t0(),
        )
        .await;
    assert!(matches!(result, Err(StoreError::UnknownExecution { .. })), "{result:?}");
}

/// A step that knows the stored execution writes only the task runs it changed, and the
/// execution read back is the whole new one: changed, moved, added and dropped task runs alike.
pub async fn commit_writes_changed_task_runs(store: &dyn Store) {
    let mut e = execution("exec-d", "ns", "flow", t0(), State::Created);
    let template = e.task_run_list[0].clone();
    e.task_run_list = ["a", "b", "c"]
        .iter()
        .map(|id| TaskRun {
            id: format!("exec-d-{id}"),
            task_id: id.to_string(),
            ..template.clone()
        })
        .collect();
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    assert_eq!(store.get_execution("exec-d").await.unwrap().unwrap(), e);
    let claimed = store
        .claim_events("x", Duration::from_secs(60), at(1), 1)
        .await
        .unwrap();
    let mut next = e.clone();
    next.state.set(State::Running, at(2));
    next.task_run_list[1]
        .outputs
        .insert("rows".into(), serde_json::json!(7));
    next.task_run_list.remove(0);
    next.task_run_list.push(TaskRun {
        id: "exec-d-d".into(),
        task_id: "d".into(),
        ..template.clone()
    });
    let mut commit = StepCommit::new(&next);
    commit.revision = Some(claimed[0].revision);
    commit.previous = Some(&e);
    commit.acked_events = claimed[0].events.iter().map(|ev| ev.id).collect();
    store.commit(&commit).await.unwrap();
    assert_eq!(store.get_execution("exec-d").await.unwrap().unwrap(), next);
}
