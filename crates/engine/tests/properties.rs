//! Property tests: random flows driven by random event orders (starts, ends with any state,
//! timers, kills, stale events) never reach an impossible state and always end.

mod common;

use common::Sim;
use proptest::prelude::*;
use sluice_engine::{AttemptResult, Event, State};
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum Node {
    Leaf {
        allow_failure: bool,
        disabled: bool,
        retries: Option<u32>,
    },
    Group {
        /// Which flowable: see [`render`].
        kind: u8,
        concurrent: u32,
        children: Vec<Node>,
    },
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = (any::<bool>(), prop::bool::weighted(0.1), prop::option::of(1u32..4)).prop_map(
        |(allow_failure, disabled, retries)| Node::Leaf {
            allow_failure,
            disabled,
            retries,
        },
    );
    leaf.prop_recursive(3, 16, 4, |inner| {
        (0u8..11, 0u32..3, prop::collection::vec(inner, 1..4)).prop_map(|(kind, concurrent, children)| Node::Group {
            kind,
            concurrent,
            children,
        })
    })
}

fn render(nodes: &[Node], indent: usize, next: &mut usize, max_attempts: &mut HashMap<String, u32>, out: &mut String) {
    let pad = " ".repeat(indent);
    for n in nodes {
        *next += 1;
        let id = format!("t{next}");
        match n {
            Node::Leaf {
                allow_failure,
                disabled,
                retries,
            } => {
                out.push_str(&format!(
                    "{pad}- id: {id}\n{pad}  type: shell.Commands\n{pad}  commands: [\"true\"]\n"
                ));
                out.push_str(&format!(
                    "{pad}  allowFailure: {allow_failure}\n{pad}  disabled: {disabled}\n"
                ));
                if let Some(n) = retries {
                    out.push_str(&format!(
                        "{pad}  retry: {{type: constant, interval: PT1S, maxAttempts: {n}}}\n"
                    ));
                    max_attempts.insert(id, *n);
                } else {
                    max_attempts.insert(id, 1);
                }
            }
            Node::Group {
                kind,
                concurrent,
                children,
            } => {
                let (name, extra, list) = match kind {
                    0 => ("Sequential", String::new(), "tasks"),
                    1 => ("Parallel", format!("concurrent: {concurrent}"), "tasks"),
                    2 => ("If", "condition: \"{{ 1 == 1 }}\"".into(), "then"),
                    3 => ("If", "condition: \"false\"".into(), "else"),
                    4 => (
                        "ForEach",
                        format!("values: [a, b, c]\n{pad}  concurrencyLimit: {concurrent}"),
                        "tasks",
                    ),
                    5 => ("Switch", "value: \"x\"".into(), "cases:\n{pad}    x"),
                    6 => ("AllowFailure", String::new(), "tasks"),
                    7 => ("Dag", format!("concurrent: {concurrent}"), "dag"),
                    9 => (
                        "EachParallel",
                        format!("value: '[\"a\", \"b\"]'\n{pad}  concurrent: {concurrent}"),
                        "tasks",
                    ),
                    10 => ("Sequential", String::new(), "edits"),
                    _ => ("Pause", "pauseDuration: PT1S".into(), ""),
                };
                out.push_str(&format!(
                    "{pad}- id: {id}\n{pad}  type: io.kestra.plugin.core.flow.{name}\n"
                ));
                if !extra.is_empty() {
                    out.push_str(&format!("{pad}  {extra}\n"));
                }
                match list {
                    "" => {}
                    "edits" => {
                        // Tasks that change the execution itself, then the children.
                        out.push_str(&format!("{pad}  tasks:\n"));
                        let inner = " ".repeat(indent + 4);
                        for edit in [
                            "type: SetVariables, variables: {x: \"{{ 1 + 1 }}\"}",
                            "type: Labels, labels: {step: \"{{ vars.x }}\"}",
                            "type: UnsetVariables, variables: [x, y], ignoreMissing: true",
                        ] {
                            *next += 1;
                            out.push_str(&format!("{inner}- {{id: t{next}, {edit}}}\n"));
                        }
                        render(children, indent + 4, next, max_attempts, out);
                    }
                    "then" | "tasks" => {
                        out.push_str(&format!("{pad}  {list}:\n"));
                        render(children, indent + 4, next, max_attempts, out);
                    }
                    "dag" => {
                        // Each entry waits for the one before it, and the third for the first too.
                        out.push_str(&format!("{pad}  tasks:\n"));
                        let mut ids: Vec<String> = Vec::new();
                        for child in children {
                            let id = format!("t{}", *next + 1);
                            let inner = " ".repeat(indent + 6);
                            let mut entry = String::new();
                            render(std::slice::from_ref(child), indent + 6, next, max_attempts, &mut entry);
                            let entry = entry.replacen(&format!("{inner}- "), &format!("{inner}  "), 1);
                            out.push_str(&format!("{pad}    - task:\n{entry}"));
                            let deps: Vec<&String> = ids
                                .iter()
                                .rev()
                                .take(1)
                                .chain(ids.first().filter(|_| ids.len() == 2))
                                .collect();
                            if !deps.is_empty() {
                                let deps: Vec<&str> = deps.iter().map(|d| d.as_str()).collect();
                                out.push_str(&format!("{pad}      dependsOn: [{}]\n", deps.join(", ")));
                            }
                            ids.push(id);
                        }
                    }
                    "else" => {
                        // `then` is required; its one task never runs.
                        *next += 1;
                        out.push_str(&format!(
                            "{pad}  then: [{{id: t{next}, type: Log, message: never}}]\n{pad}  else:\n"
                        ));
                        render(children, indent + 4, next, max_attempts, out);
                    }
                    _ => {
                        out.push_str(&format!("{pad}  cases:\n{pad}    x:\n"));
                        render(children, indent + 6, next, max_attempts, out);
                    }
                }
            }
        }
    }
}

fn flow_yaml(main: &[Node], errors: &[Node], finally: &[Node], after: &[Node]) -> (String, HashMap<String, u32>) {
    let mut out = String::from("id: prop\nnamespace: dev\ntasks:\n");
    let mut next = 0;
    let mut max = HashMap::new();
    render(main, 2, &mut next, &mut max, &mut out);
    for (name, list) in [("errors", errors), ("finally", finally), ("afterExecution", after)] {
        if !list.is_empty() {
            out.push_str(&format!("{name}:\n"));
            render(list, 2, &mut next, &mut max, &mut out);
        }
    }
    (out, max)
}

/// What the random driver does next; indexes pick among what is possible.
#[derive(Debug, Clone)]
enum Action {
    Start(usize),
    End(usize, u8),
    Fire(usize),
    Kill,
    Resume,
    Stale(usize),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => any::<usize>().prop_map(Action::Start),
        4 => (any::<usize>(), 0u8..3).prop_map(|(i, s)| Action::End(i, s)),
        2 => any::<usize>().prop_map(Action::Fire),
        1 => Just(Action::Kill),
        1 => Just(Action::Resume),
        1 => any::<usize>().prop_map(Action::Stale),
    ]
}

fn check_invariants(sim: &Sim, max_attempts: &HashMap<String, u32>) {
    for run in &sim.exec.task_run_list {
        let max = max_attempts.get(&run.task_id).copied().unwrap_or(1);
        assert!(
            run.attempts.len() as u32 <= max,
            "{} has {} attempts, max {max}",
            run.task_id,
            run.attempts.len()
        );
        let dates: Vec<_> = run.state.histories.iter().map(|h| h.date).collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "history goes back in time");
        for (i, a) in run.attempts.iter().enumerate() {
            if i + 1 < run.attempts.len() {
                assert!(
                    a.state.current.is_terminal(),
                    "an earlier attempt is still {}",
                    a.state.current
                );
            }
        }
        if run.state.current == State::Paused && sim.exec.state.current != State::Killing {
            assert_eq!(
                sim.exec.state.current,
                State::Paused,
                "a paused task run in a {} execution",
                sim.exec.state.current
            );
        }
        if run.state.current == State::Retrying {
            let waiting = sim.timers.iter().any(|t| t.0 == run.id) || sim.queued.iter().any(|q| q.0 == run.id);
            assert!(waiting, "RETRYING with neither a timer nor a queued attempt");
        }
    }
    if sim.exec.state.current.is_terminal() {
        for run in &sim.exec.task_run_list {
            assert!(
                run.state.current.is_terminal(),
                "{} is {} in a {} execution",
                run.task_id,
                run.state.current,
                sim.exec.state.current
            );
        }
        assert_eq!(sim.ended, Some(sim.exec.state.current));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_flows_and_event_orders_always_end_in_a_valid_state(
        main in prop::collection::vec(node(), 1..4),
        errors in prop::collection::vec(node(), 0..2),
        finally in prop::collection::vec(node(), 0..2),
        after in prop::collection::vec(node(), 0..2),
        reopen in prop::option::of((any::<usize>(), 0u8..3)),
        actions in prop::collection::vec(action(), 0..200),
    ) {
        let (yaml, max_attempts) = flow_yaml(&main, &errors, &finally, &after);
        let mut reopen = reopen;
        let mut sim = Sim::start(&yaml);
        check_invariants(&sim, &max_attempts);
        let states = [State::Success, State::Warning, State::Failed];
        let mut steps = actions.into_iter();
        // Random actions first, then a well-behaved driver until the execution ends.
        for _ in 0..10_000 {
            if sim.ended.is_some() {
                // Once, a user may set a task run's state and the execution goes on.
                match reopen.take() {
                    Some((i, s)) if !sim.exec.task_run_list.is_empty() => {
                        let run = sim.exec.task_run_list[i % sim.exec.task_run_list.len()].id.clone();
                        sim.ended = None;
                        sim.send(Event::ChangeTaskRunState { task_run_id: run, state: states[s as usize] });
                        check_invariants(&sim, &max_attempts);
                        continue;
                    }
                    _ => break,
                }
            }
            sim.advance_ms(100);
            match steps.next() {
                Some(Action::Start(i)) if !sim.queued.is_empty() => {
                    let (id, attempt) = sim.queued.remove(i % sim.queued.len());
                    sim.running.push((id.clone(), attempt));
                    sim.send(Event::AttemptStarted { task_run_id: id, attempt, handle: None });
                }
                Some(Action::End(i, s)) if !sim.running.is_empty() => {
                    let (id, attempt) = sim.running.remove(i % sim.running.len());
                    let state = if sim.exec.state.current == State::Killing { State::Killed } else { states[s as usize] };
                    sim.send(Event::AttemptEnded { task_run_id: id, attempt, result: AttemptResult::new(state, "random") });
                }
                Some(Action::Fire(i)) if !sim.timers.is_empty() => {
                    let (id, attempt, _) = sim.timers.remove(i % sim.timers.len());
                    sim.send(Event::TimerFired { task_run_id: id, attempt });
                }
                Some(Action::Kill) => {
                    sim.send(Event::Kill);
                }
                Some(Action::Resume) => {
                    sim.send(Event::Resume { inputs: Default::default() });
                }
                Some(Action::Stale(i)) if !sim.exec.task_run_list.is_empty() => {
                    let run = &sim.exec.task_run_list[i % sim.exec.task_run_list.len()];
                    let (id, attempt) = (run.id.clone(), run.attempts.len() as u32);
                    if run.state.current.is_terminal() {
                        sim.send(Event::AttemptEnded { task_run_id: id, attempt, result: AttemptResult::new(State::Success, "stale") });
                    }
                }
                _ => {
                    // Drive to completion: start, then end successfully, then fire timers.
                    if let Some((id, attempt)) = sim.running.pop() {
                        let state = if sim.exec.state.current == State::Killing { State::Killed } else { State::Success };
                        sim.send(Event::AttemptEnded { task_run_id: id, attempt, result: AttemptResult::new(state, "done") });
                    } else if let Some((id, attempt)) = sim.queued.pop() {
                        sim.running.push((id.clone(), attempt));
                        sim.send(Event::AttemptStarted { task_run_id: id, attempt, handle: None });
                    } else if !sim.timers.is_empty() {
                        sim.fire_timer();
                    } else {
                        panic!("no work left but the execution is {}:\n{yaml}\n{:#?}", sim.exec.state.current, sim.exec.task_run_list);
                    }
                }
            }
            check_invariants(&sim, &max_attempts);
        }
        prop_assert!(sim.ended.is_some(), "never ended");
        prop_assert!(sim.exec.state.current.is_terminal());
    }
}
