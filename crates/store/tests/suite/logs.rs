//! Log lines and metrics.

use super::at;
use jiff::SignedDuration;
use serde_json::json;
use sluice_store::{Level, LogLine, LogQuery, Metric, MetricKind, Store, StoredLog};

/// A line of `execution_id` written by attempt `attempt` of task `task` (`None`: the execution).
pub fn line(execution_id: &str, task: Option<&str>, attempt: u32, level: Level, message: String) -> LogLine {
    LogLine {
        execution_id: execution_id.to_owned(),
        task_run_id: task.map(|t| format!("{execution_id}-{t}")),
        task_id: task.map(str::to_owned),
        attempt: task.map(|_| attempt),
        at: at(1) + SignedDuration::from_nanos(message.len() as i64),
        level,
        message,
    }
}

/// Every line of an execution, read in pages of `page` lines.
async fn read_all(store: &dyn Store, execution_id: &str, page: u32) -> Vec<StoredLog> {
    let mut all = Vec::new();
    let mut query = LogQuery::new(execution_id, page);
    loop {
        let got = store.logs(&query).await.unwrap();
        assert!(got.len() <= page as usize);
        let Some(last) = got.last() else { break };
        query.after_seq = Some(last.seq);
        all.extend(got);
    }
    all
}

/// Sequence numbers count 1, 2, 3… per execution across appends, in the order lines were given,
/// also when one batch mixes executions and sizes need several statements.
pub async fn sequence_is_gap_free(store: &dyn Store) {
    assert_eq!(store.log_count("a").await.unwrap(), 0);
    store.append_logs(&[]).await.unwrap();
    let mut expected_a = Vec::new();
    let mut expected_b = Vec::new();
    for (batch, size) in [1usize, 17, 1500, 1024, 3].into_iter().enumerate() {
        let mut lines = Vec::new();
        for i in 0..size {
            let (execution, expected) = if i % 3 == 2 {
                ("b", &mut expected_b)
            } else {
                ("a", &mut expected_a)
            };
            let message = format!("batch {batch} line {i} ✓");
            expected.push(message.clone());
            lines.push(line(execution, Some("build"), 1, Level::Info, message));
        }
        store.append_logs(&lines).await.unwrap();
    }
    for (execution, expected) in [("a", expected_a), ("b", expected_b)] {
        let stored = read_all(store, execution, 97).await;
        assert_eq!(stored.len(), expected.len());
        assert_eq!(store.log_count(execution).await.unwrap(), expected.len() as u64);
        for (i, (log, message)) in stored.iter().zip(&expected).enumerate() {
            assert_eq!(log.seq, i as u64 + 1, "gap-free in {execution}");
            assert_eq!(&log.message, message, "in the order given");
            assert_eq!(log.execution_id, execution);
        }
    }
}

/// Level, task and attempt filters, alone and together, with paging.
pub async fn filters(store: &dyn Store) {
    let mut lines = vec![line("f", None, 0, Level::Info, "execution started".into())];
    for attempt in 1..=2 {
        for task in ["build", "test"] {
            for level in Level::ALL {
                lines.push(line(
                    "f",
                    Some(task),
                    attempt,
                    level,
                    format!("{task} #{attempt} {level}"),
                ));
            }
        }
    }
    lines.push(line("other", Some("build"), 1, Level::Error, "not mine".into()));
    store.append_logs(&lines).await.unwrap();

    let all = store.logs(&LogQuery::new("f", 1000)).await.unwrap();
    assert_eq!(all.len(), 21);
    let first = &all[0];
    assert_eq!(
        (
            first.seq,
            first.task_id.as_deref(),
            first.task_run_id.as_deref(),
            first.attempt
        ),
        (1, None, None, None)
    );
    assert_eq!(
        (first.level, first.at, first.message.as_str()),
        (Level::Info, lines[0].at, "execution started")
    );
    assert_eq!(all[1].task_run_id.as_deref(), Some("f-build"));

    let warn = store
        .logs(&LogQuery {
            min_level: Some(Level::Warn),
            ..LogQuery::new("f", 1000)
        })
        .await
        .unwrap();
    assert_eq!(warn.len(), 8);
    assert!(warn.iter().all(|l| l.level >= Level::Warn));
    assert!(warn.windows(2).all(|w| w[0].seq < w[1].seq));

    let test = LogQuery {
        task_id: Some("test".into()),
        ..LogQuery::new("f", 1000)
    };
    let test_lines = store.logs(&test).await.unwrap();
    assert_eq!(test_lines.len(), 10);
    assert!(test_lines.iter().all(|l| l.task_id.as_deref() == Some("test")));

    let second = LogQuery {
        attempt: Some(2),
        ..test.clone()
    };
    let second_lines = store.logs(&second).await.unwrap();
    assert_eq!(second_lines.len(), 5);
    assert!(
        second_lines
            .iter()
            .all(|l| l.attempt == Some(2) && l.message.starts_with("test #2"))
    );

    let narrow = LogQuery {
        min_level: Some(Level::Error),
        ..second.clone()
    };
    let narrow_lines = store.logs(&narrow).await.unwrap();
    assert_eq!(
        narrow_lines.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(),
        ["test #2 ERROR"]
    );

    let page1 = store
        .logs(&LogQuery {
            limit: 3,
            ..test.clone()
        })
        .await
        .unwrap();
    let after = page1.last().map(|l| l.seq);
    let page2 = store
        .logs(&LogQuery {
            limit: 3,
            after_seq: after,
            ..test.clone()
        })
        .await
        .unwrap();
    assert_eq!([page1, page2].concat(), test_lines[..6]);
    let beyond = LogQuery {
        after_seq: Some(21),
        ..LogQuery::new("f", 10)
    };
    assert!(store.logs(&beyond).await.unwrap().is_empty());
    assert!(store.logs(&LogQuery::new("nobody", 10)).await.unwrap().is_empty());
}

/// 100,000 lines in batches of 4096 come back complete and in order.
pub async fn hundred_thousand_lines(store: &dyn Store) {
    const LINES: usize = 100_000;
    let lines: Vec<LogLine> = (0..LINES)
        .map(|i| {
            let level = Level::ALL[i % 5];
            line(
                "big",
                Some(["extract", "load"][i / 50_000]),
                1 + (i % 2) as u32,
                level,
                format!("line {i:06}"),
            )
        })
        .collect();
    for batch in lines.chunks(4096) {
        store.append_logs(batch).await.unwrap();
    }
    assert_eq!(store.log_count("big").await.unwrap(), LINES as u64);
    let stored = read_all(store, "big", 10_000).await;
    assert_eq!(stored.len(), LINES);
    for (i, (log, original)) in stored.iter().zip(&lines).enumerate() {
        assert_eq!(log.seq, i as u64 + 1);
        assert_eq!(log.message, original.message);
        assert_eq!(
            (log.level, log.at, log.attempt),
            (original.level, original.at, original.attempt)
        );
        assert_eq!(
            (&log.task_id, &log.task_run_id),
            (&original.task_id, &original.task_run_id)
        );
    }
}

/// Metrics come back as they were added, per execution.
pub async fn metrics(store: &dyn Store) {
    let records = Metric {
        name: "records".into(),
        kind: MetricKind::Counter,
        value: 1234.0,
        tags: json!({"table": "orders"}).as_object().cloned().unwrap_or_default(),
    };
    let duration = Metric {
        name: "duration".into(),
        kind: MetricKind::Timer,
        value: 1.25,
        tags: Default::default(),
    };
    store
        .add_metrics("m", "m-tr1", &[records.clone(), duration.clone()])
        .await
        .unwrap();
    store.add_metrics("m", "m-tr2", &[]).await.unwrap();
    store
        .add_metrics("other", "o-tr1", std::slice::from_ref(&records))
        .await
        .unwrap();
    let stored = store.metrics("m").await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(
        (stored[0].execution_id.as_str(), stored[0].task_run_id.as_str()),
        ("m", "m-tr1")
    );
    assert_eq!((&stored[0].metric, &stored[1].metric), (&records, &duration));
    assert!(store.metrics("none").await.unwrap().is_empty());
}

/// Many tiny appends (a worker flushing a few lines at a time) read back whole and in order, with
/// and without filters, across page boundaries.
pub async fn many_small_appends(store: &dyn Store) {
    let mut expected = Vec::new();
    for i in 0..700u32 {
        let task = if i % 7 == 0 {
            None
        } else {
            Some(["a", "b"][(i % 2) as usize])
        };
        let level = if i % 50 == 0 { Level::Error } else { Level::Debug };
        let batch: Vec<_> = (0..=i % 3)
            .map(|j| line("small", task, 1 + i % 2, level, format!("{i}.{j}")))
            .collect();
        expected.extend(batch.iter().cloned());
        store.append_logs(&batch).await.unwrap();
    }
    assert_eq!(store.log_count("small").await.unwrap(), expected.len() as u64);
    for page in [1, 3, 1000, 5000] {
        let all = read_all(store, "small", page).await;
        let messages: Vec<_> = all.iter().map(|l| l.message.as_str()).collect();
        let wanted: Vec<_> = expected.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(messages, wanted, "pages of {page}");
    }
    let errors = store
        .logs(&LogQuery {
            min_level: Some(Level::Error),
            ..LogQuery::new("small", 5000)
        })
        .await
        .unwrap();
    let wanted: Vec<_> = expected
        .iter()
        .filter(|l| l.level == Level::Error)
        .map(|l| l.message.as_str())
        .collect();
    assert_eq!(errors.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(), wanted);
    let b2 = LogQuery {
        task_id: Some("b".into()),
        attempt: Some(2),
        ..LogQuery::new("small", 5000)
    };
    let b2 = store.logs(&b2).await.unwrap();
    let wanted: Vec<_> = expected
        .iter()
        .filter(|l| l.task_id.as_deref() == Some("b") && l.attempt == Some(2))
        .map(|l| l.message.as_str())
        .collect();
    assert!(!wanted.is_empty());
    assert_eq!(b2.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(), wanted);
}

/// A filter that matches a few lines far apart finds them all, in order, page by page.
pub async fn sparse_matches(store: &dyn Store) {
    let lines: Vec<LogLine> = (0..30_000)
        .map(|i| {
            let level = if i == 5 || i == 29_990 {
                Level::Error
            } else {
                Level::Debug
            };
            let attempt = if i >= 29_995 { 2 } else { 1 };
            line("sparse", Some("t"), attempt, level, format!("{i}"))
        })
        .collect();
    for batch in lines.chunks(7_000) {
        store.append_logs(batch).await.unwrap();
    }
    let errors = LogQuery {
        min_level: Some(Level::Error),
        ..LogQuery::new("sparse", 10)
    };
    let found = store.logs(&errors).await.unwrap();
    assert_eq!(found.iter().map(|l| l.seq).collect::<Vec<_>>(), [6, 29_991]);
    let first = store
        .logs(&LogQuery {
            limit: 1,
            ..errors.clone()
        })
        .await
        .unwrap();
    assert_eq!(first[0].message, "5");
    let after = LogQuery {
        after_seq: Some(first[0].seq),
        ..errors.clone()
    };
    assert_eq!(store.logs(&after).await.unwrap()[0].message, "29990");
    let second_attempt = LogQuery {
        attempt: Some(2),
        ..LogQuery::new("sparse", 100)
    };
    let messages: Vec<_> = store
        .logs(&second_attempt)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.message)
        .collect();
    assert_eq!(messages, ["29995", "29996", "29997", "29998", "29999"]);
}
