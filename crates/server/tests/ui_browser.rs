//! The web UI in a real browser: headless Chromium loads the pages from the app served on a
//! loopback port, runs their JavaScript, and the tests read the DOM it dumps.
//!
//! Chromium must be installed (`apt-get install -y chromium`, or `SLUICE_CHROMIUM=<path>`); without
//! it these tests fail and say so, they never skip.

mod ui_support;

use sluice_engine::State;
use sluice_store::prelude::*;
use std::sync::Arc;
use std::time::Duration;
use ui_support::browser::*;
use ui_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execution_page_appends_live_log_lines_and_follows_the_state() {
    let t = Arc::new(TestApp::new().await);
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let started = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(12);
    let execution = t.execution_at("etl", "company.team", State::Running, started).await;
    t.append_logs(&execution.id, &["first stored line", "second stored line"])
        .await;
    let (app, following) = signal_log_follow(t.app.clone());
    let addr = serve(app).await;
    let url = format!("http://{addr}/ui/executions/{}", execution.id);

    // Once the page follows the logs: a line every 100 ms, then the execution ends.
    let writer = {
        let t = t.clone();
        tokio::spawn(async move {
            until_following(&following).await;
            for i in 1..=20 {
                t.append_logs(&execution.id, &[&format!("live line {i} <b>not bold</b>")])
                    .await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            t.finish(execution).await;
        })
    };

    let run = browse(&url, Wait::Virtual(Duration::from_secs(8)), None).await;
    writer.await.unwrap();
    let dom = &run.dom;
    assert!(script_errors(&run.log).is_empty(), "script errors:\n{}", run.log);
    assert!(
        dom.contains("first stored line"),
        "the server-rendered page is missing:\n{dom}"
    );
    for i in 1..=20 {
        assert!(
            dom.contains(&format!("live line {i} &lt;b&gt;not bold&lt;/b&gt;")),
            "live line {i} was not appended (as text):\n{dom}"
        );
    }
    assert_eq!(dom.matches(r#"class="log-line lv-"#).count(), 22, "{dom}");
    // The live part followed the execution to its end.
    assert!(
        dom.contains(r#"id="execution-state">SUCCESS<"#),
        "the state did not update:\n{dom}"
    );
    assert!(!dom.contains(">Kill<"), "a finished execution offers no kill");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_logs_keep_at_most_5000_lines_in_the_page() {
    let t = Arc::new(TestApp::new().await);
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let started = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(5);
    let execution = t.execution_at("etl", "company.team", State::Running, started).await;
    t.append_logs(&execution.id, &["first stored line"]).await;
    let (app, following) = signal_log_follow(t.app.clone());
    let addr = serve(app).await;
    let url = format!("http://{addr}/ui/executions/{}", execution.id);
    let writer = {
        let t = t.clone();
        tokio::spawn(async move {
            until_following(&following).await;
            t.append_many(&execution.id, "bulk line", 8000).await;
            tokio::time::sleep(Duration::from_millis(1500)).await;
            t.finish(execution).await;
        })
    };

    let run = browse(&url, Wait::Virtual(Duration::from_secs(10)), None).await;
    writer.await.unwrap();
    let dom = &run.dom;
    assert!(script_errors(&run.log).is_empty(), "script errors:\n{}", run.log);
    assert_eq!(dom.matches(r#"class="log-line lv-"#).count(), 5000);
    assert!(dom.contains(">bulk line 8000<"), "the newest line is shown");
    assert!(
        !dom.contains(">bulk line 3000<") && !dom.contains("first stored line"),
        "old lines left the page"
    );
    assert!(dom.contains(r#"data-seq="3002""#), "lines 3002 to 8001 are kept");
    let earlier = tag_of(dom, "log-earlier");
    assert!(
        !earlier.contains("hidden"),
        "the page offers the dropped lines: {earlier}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_in_a_browser_and_screenshots_are_kept() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    t.store.put_flow("other", "tiny", TINY_FLOW).await.unwrap();
    let execution = t.execution("etl", "company.team", State::Failed, 0).await;
    let mut lines: Vec<String> = (1..=60).map(|i| format!("processing batch {i} of 60")).collect();
    lines.push("Traceback: <script>alert(1)</script>".into());
    t.append_logs(&execution.id, &lines.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let addr = serve(t.app.clone()).await;
    let dir = screenshot_dir();

    // Name, path, window size (the `-whole` pictures are tall, to see the bottom of the page).
    let pages = [
        ("flows", "/ui/flows".to_string(), "1280,900"),
        ("flow", "/ui/flows/company.team/etl".to_string(), "1280,900"),
        ("flow-whole", "/ui/flows/company.team/etl".to_string(), "1280,2400"),
        ("executions", "/ui/executions".to_string(), "1280,900"),
        ("execution", format!("/ui/executions/{}", execution.id), "1280,900"),
        (
            "execution-whole",
            format!("/ui/executions/{}", execution.id),
            "1280,2600",
        ),
    ];
    for (name, path, size) in &pages {
        let url = format!("http://{addr}{path}");
        let run = browse(&url, Wait::Virtual(Duration::from_secs(3)), None).await;
        assert!(run.dom.contains("<main id=\"main\""), "{name}: no page:\n{}", run.dom);
        assert!(
            script_errors(&run.log).is_empty(),
            "{name}: script errors:\n{}",
            run.log
        );
        assert!(!run.dom.contains("<script>alert"), "{name}: hostile text ran as markup");
        let file = dir.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&file);
        browse(&url, Wait::Virtual(Duration::from_secs(3)), Some((&file, size))).await;
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{name}: no screenshot at {}", file.display());
        eprintln!("screenshot of {path}: {}", file.display());
    }
}
