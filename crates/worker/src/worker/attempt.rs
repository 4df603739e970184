//! One attempt of a queued job, from the task's plan to its outcome: the render context,
//! the runner chosen, the job run with its logs streamed, its outputs and files kept.

use super::*;

impl Worker {
    /// Runs one attempt; a job whose working directory (or container) is still to be removed is
    /// left in `leftover`, with its Docker runner when it ran in a container.
    pub(super) async fn attempt(
        &self,
        job: &QueuedJob,
        leftover: &mut Option<Leftover>,
        masker: &Arc<Masker>,
    ) -> Result<AttemptResult, RuntimeError> {
        // The cache can lag the commit that queued this job by a moment: use it only when it
        // already holds this attempt.
        let cached = self.cache.get(&job.execution_id).filter(|e| {
            e.task_run(&job.task_run_id)
                .is_some_and(|r| r.attempts.len() as u32 >= job.attempt)
        });
        let exec = match cached {
            Some(cached) => cached,
            None => Arc::new(
                self.store
                    .get_execution(&job.execution_id)
                    .await?
                    .ok_or_else(|| RuntimeError::ExecutionMissing(job.execution_id.clone()))?,
            ),
        };
        let flow = self
            .flows
            .get(self.store.as_ref(), &exec.namespace, &exec.flow_id, exec.flow_revision)
            .await?;
        let run = exec
            .task_run(&job.task_run_id)
            .ok_or_else(|| RuntimeError::ExecutionMissing(job.task_run_id.clone()))?;
        let task = task_by_id(&flow, &run.task_id).ok_or_else(|| RuntimeError::FlowMissing(run.task_id.clone()))?;
        for input in flow.inputs.iter().filter(|i| i.input_type == InputType::Secret) {
            if let Some(Value::String(value)) = exec.inputs.get(&input.id) {
                masker.add(value);
            }
        }
        let cancel = self.kills.token(&job.task_run_id);
        let job_name = format!("{}-{}-{}", exec.id, run.id, job.attempt);
        let choice = runner_for(task)?;
        let chosen = match self.backends.choose(&choice).await {
            Ok(chosen) => chosen,
            Err(e) => {
                let message = format!("task `{}`: {e}", task.id);
                self.log(job, masker, &task.id, Level::Error, vec![message.clone()])
                    .await?;
                return Ok(AttemptResult::new(State::Failed, message));
            }
        };
        let runner = chosen.runner(&self.process);
        let working_dir = runner.working_dir(&Job::new(job_name.clone(), Vec::<String>::new()));
        let mut variables = render_context(&flow, &exec, Some(run));
        variables["workingDir"] = Value::String(working_dir.clone());
        let started = Event::AttemptStarted {
            task_run_id: run.id.clone(),
            attempt: job.attempt,
            handle: Some(job_name.clone()),
        };
        self.store.push_event(&exec.id, &started, Timestamp::now()).await?;
        self.wakers.executor.notify_one();

        let renderer = Renderer {
            engine: &self.templates,
            secrets: masker.as_ref(),
        };
        let cx = PlanContext {
            variables: &variables,
            renderer: &renderer,
            job_name,
            working_dir: &working_dir,
            on_host: matches!(choice, RunnerChoice::Process),
        };
        let planned = match sluice_tasks::plan(task, &cx) {
            Ok(p) => p,
            Err(e) => {
                self.log(job, masker, &task.id, Level::Error, vec![e.to_string()])
                    .await?;
                let result = AttemptResult::new(State::Failed, e.to_string());
                let unsupported = matches!(e, sluice_tasks::TaskError::Unsupported { .. });
                return Ok(if unsupported { result.final_failure() } else { result });
            }
        };
        let script = match planned {
            Plan::Done(done) => return self.finished(job, masker, &task.id, done).await,
            Plan::Subflow(call) => {
                return match &call.items {
                    Some(items) => self.for_each_item(job, &exec, run, &call, items, &cx, &cancel).await,
                    None => self.subflow(job, &exec, run, &call, &cancel).await,
                };
            }
            Plan::Call(call) => {
                let folder = match crate::workspace::enclosing(&flow, &exec, run) {
                    Some((wd, wd_run)) => {
                        let folder = crate::workspace::dir(&self.config.data_dir, &exec.id, &wd_run);
                        let ready = match tokio::fs::try_exists(&folder).await {
                            Ok(true) => Ok(()),
                            _ => match self.seed(wd, &cx).await {
                                Ok(seed) => crate::workspace::ensure(&folder, seed).await,
                                Err(e) => Err(e),
                            },
                        };
                        if let Err(message) = ready {
                            let message = format!("task `{}`: {message}", task.id);
                            self.log(job, masker, &task.id, Level::Error, vec![message.clone()])
                                .await?;
                            return Ok(AttemptResult::new(State::Failed, message));
                        }
                        Some(folder)
                    }
                    None => None,
                };
                let place = super::call::Place {
                    exec: &exec,
                    run,
                    working_dir: folder,
                };
                return self.call(job, &place, masker, &task.id, *call, &cancel).await;
            }
            Plan::Job(script) => script,
        };
        let mut script = script;
        let wanted = sluice_tasks::namespace_files::selection(task, &cx).map_err(|e| e.to_string());
        let brought = match wanted {
            Ok(selection) => {
                crate::namespace_files::bring(self.store.as_ref(), selection, &mut script.job.input_files).await
            }
            Err(e) => Err(e),
        };
        if let Err(message) = brought {
            let message = format!("task `{}`: {message}", task.id);
            self.log(job, masker, &task.id, Level::Error, vec![message.clone()])
                .await?;
            return Ok(AttemptResult::new(State::Failed, message));
        }
        // Large stored files come as local copies here, removed once the attempt ends.
        let scratch = files::attempt_dir(&self.config.data_dir, &exec.id, &run.id, job.attempt).join(".inputs");
        let _cleanup = files::Scratch(scratch.clone());
        let job_files = &mut script.job;
        let fetched = match sluice_store::files::fetch_inputs(
            &self.config.storage,
            &exec.namespace,
            &mut job_files.input_files,
            &mut job_files.input_paths,
            &scratch,
        )
        .await
        {
            Ok(()) => {
                crate::stored_args::localize(&self.config.storage, &exec.namespace, job_files, &working_dir, &scratch)
                    .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = fetched {
            let message = format!("task `{}`: {e}", task.id);
            self.log(job, masker, &task.id, Level::Error, vec![message.clone()])
                .await?;
            return Ok(AttemptResult::new(State::Failed, message).final_failure());
        }
        let workspace = match crate::workspace::enclosing(&flow, &exec, run) {
            Some((wd, wd_run)) => {
                let folder = crate::workspace::dir(&self.config.data_dir, &exec.id, &wd_run);
                let seed = match tokio::fs::try_exists(&folder).await {
                    Ok(true) => Ok(Default::default()),
                    _ => self.seed(wd, &cx).await,
                };
                let prepared = match seed {
                    Ok(seed) => crate::workspace::prepare(&folder, seed, &mut script.job).await,
                    Err(e) => Err(e),
                };
                match prepared {
                    Ok(own) => Some((folder, own)),
                    Err(message) => {
                        let message = format!("task `{}`: {message}", task.id);
                        self.log(job, masker, &task.id, Level::Error, vec![message.clone()])
                            .await?;
                        return Ok(AttemptResult::new(State::Failed, message));
                    }
                }
            }
            None => None,
        };
        // A job claimed before (its worker died or drained) may still run in its container.
        let resuming = job.claims > 1 && chosen.resumes();
        let skip = if resuming {
            crate::resume::stored_lines(self.store.as_ref(), job, &task.id).await?
        } else {
            0
        };
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let pump = Pump {
            store: self.store.clone(),
            execution_id: exec.id.clone(),
            task_run_id: run.id.clone(),
            task_id: task.id.clone(),
            attempt: job.attempt,
            skip,
            dbt_logs: script.dbt.is_some(),
            masker: masker.clone(),
        };
        let drive = crate::resume::drive(
            self.store.as_ref(),
            job,
            &task.id,
            runner,
            &script.job,
            resuming,
            skip,
            tx,
            cancel,
        );
        let (outcome, pumped) = tokio::select! {
            both = async { tokio::join!(drive, pump.run(rx)) } => both,
            never = self.heartbeat(job) => match never {},
        };
        let mut outcome = outcome;
        let mut unsaved = None;
        if let (Some((folder, own)), Ok(o)) = (&workspace, &mut outcome)
            && let Err(e) = crate::workspace::save(folder, &mut o.output_files, own).await
        {
            unsaved = Some(format!(
                "task `{}`: the WorkingDirectory could not be updated: {e}",
                task.id
            ));
        }
        let kept = match &outcome {
            Ok(o) => {
                let owner = files::Owner {
                    namespace: &exec.namespace,
                    flow_id: &exec.flow_id,
                    execution_id: &exec.id,
                    task_id: &task.id,
                    task_run_id: &run.id,
                };
                files::keep(&self.config.storage, &o.output_files, &owner).await
            }
            Err(_) => Ok(Map::new()),
        };
        *leftover = Some((script.job, chosen.clone()));
        if let Some(message) = unsaved {
            self.log(job, masker, &task.id, Level::Error, vec![message.clone()])
                .await?;
            return Ok(AttemptResult::new(State::Failed, message));
        }
        if !pumped.metrics.is_empty() {
            let metrics: Vec<Metric> = pumped
                .metrics
                .iter()
                .map(|m| Metric {
                    name: m.name.clone(),
                    kind: MetricKind::parse(&m.kind).unwrap_or(MetricKind::Counter),
                    value: m.value,
                    tags: m.tags.clone(),
                })
                .collect();
            self.store.add_metrics(&exec.id, &run.id, &metrics).await?;
        }
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                self.log(job, masker, &task.id, Level::Error, vec![e.to_string()])
                    .await?;
                return Ok(AttemptResult::new(State::Failed, e.to_string()));
            }
        };
        let dbt = match &script.dbt {
            Some(post) => {
                let parent = crate::dbt::Parent {
                    execution_id: &exec.id,
                    task_run_id: &run.id,
                    attempt: job.attempt,
                };
                Some(crate::dbt::report(self.store.as_ref(), &parent, post, &outcome.output_files).await?)
            }
            None => None,
        };
        let (state, mut reason) = crate::verdict::judge(&outcome, &pumped, script.warning_on_stderr, dbt.as_ref());
        let mut outputs = outcome.details.clone();
        outputs.insert("exitCode".into(), json!(outcome.exit_code));
        match &script.lifted {
            Some(_) => outputs.extend(pumped.vars),
            None => {
                outputs.insert("vars".into(), Value::Object(pumped.vars));
            }
        }
        outputs.extend(script.outputs.clone());
        match kept {
            Ok(files) => {
                if let Some(lifted) = &script.lifted {
                    for (name, key) in [(&lifted.uri_of, "uri"), (&lifted.database_of, "databaseUri")] {
                        if let Some(uri) = name.as_ref().and_then(|n| files.get(n)) {
                            outputs.insert(key.into(), uri.clone());
                        }
                    }
                }
                outputs.insert("outputFiles".into(), Value::Object(files));
            }
            Err(e) => reason = format!("{reason}; output files could not be kept: {e}"),
        }
        if let Some(e) = pumped.error {
            return Ok(AttemptResult {
                state: State::Failed,
                exit_code: outcome.exit_code,
                reason: Some(format!("logs could not be stored: {e}")),
                outputs,
                retryable: true,
                children: Vec::new(),
            });
        }
        if state != State::Success {
            self.log(
                job,
                masker,
                &task.id,
                if state == State::Killed {
                    Level::Warn
                } else {
                    Level::Error
                },
                vec![reason.clone()],
            )
            .await?;
        }
        Ok(AttemptResult {
            state,
            exit_code: outcome.exit_code,
            reason: Some(reason),
            outputs,
            retryable: true,
            children: dbt.map(|d| d.children).unwrap_or_default(),
        })
    }
}

impl Worker {
    /// The files a WorkingDirectory starts with: its `inputFiles`, then the namespace files its
    /// `namespaceFiles` selects (the `inputFiles` win).
    async fn seed(
        &self,
        wd: &sluice_flow::model::Task,
        cx: &sluice_tasks::PlanContext<'_>,
    ) -> Result<std::collections::BTreeMap<String, Vec<u8>>, String> {
        let mut seed =
            sluice_tasks::catalog::core::flow::working_directory::seed_files(wd, cx).map_err(|e| e.to_string())?;
        let selection = sluice_tasks::namespace_files::selection(wd, cx).map_err(|e| e.to_string())?;
        crate::namespace_files::bring(self.store.as_ref(), selection, &mut seed).await?;
        Ok(seed)
    }

    /// Logs and reports the result of a task that needed no runner.
    pub(super) async fn finished(
        &self,
        job: &QueuedJob,
        masker: &Arc<Masker>,
        task_id: &str,
        mut done: sluice_tasks::Finished,
    ) -> Result<AttemptResult, RuntimeError> {
        for (uri, path) in std::mem::take(&mut done.stored) {
            let put = self.config.storage.put_file(&uri, &path).await;
            let _ = tokio::fs::remove_file(&path).await;
            if let Err(e) = put {
                done.failure.get_or_insert_with(|| format!("task `{task_id}`: {e}"));
            }
        }
        for (level, line) in done.logs {
            let level = Level::parse(&level).unwrap_or(Level::Info);
            self.log(job, masker, task_id, level, vec![line]).await?;
        }
        let mut result = match done.failure {
            Some(reason) => {
                self.log(job, masker, task_id, Level::Error, vec![reason.clone()])
                    .await?;
                AttemptResult::new(State::Failed, reason)
            }
            None => AttemptResult::new(State::Success, "done"),
        };
        result.outputs = done.outputs;
        Ok(result)
    }
}
