//! The end of a run: one row per job and the training summary.

use super::*;

impl Training<'_> {
    /// Records one row per job, as things stand at `end`.
    /// Returns the run's training summary (none in a scenario without
    /// jobs).
    pub fn finish(
        &mut self,
        end: SimTime,
        recorder: &mut impl Recorder,
    ) -> Option<TrainingSummary> {
        let mut summary = TrainingSummary {
            jobs: self.runs.len() as u64,
            ..TrainingSummary::default()
        };
        let mut ettrs = Vec::new();
        let mut submitted = 0u64;
        let mut wait_h = 0.0;
        // One row, rewritten for each job: its text fields keep their
        // buffers (five allocations a job fewer).
        let mut row = JobRow {
            id: crate::record::JobId(0),
            name: String::new(),
            submit_h: 0.0,
            submit: chrono::NaiveDateTime::default(),
            first_start_h: None,
            end_h: None,
            queue_wait_h: 0.0,
            chips: 0,
            rack: String::new(),
            chip: String::new(),
            site: String::new(),
            status: JobStatus::QueuedAtEnd,
            interruptions: [0; Interruption::COUNT],
            lost_chip_hours: 0.0,
            checkpoint_hours: 0.0,
            restart_hours: 0.0,
            ettr: None,
            flops_done: 0.0,
            chip_hours: 0.0,
            tokens_trained: None,
        };
        for job in 0..self.runs.len() {
            match self.runs[job].state {
                JobState::Computing => self.integrate(job, end),
                JobState::Checkpointing => {
                    let run = &mut self.runs[job];
                    run.checkpointing = run.checkpointing + (end - run.since);
                }
                JobState::Restarting => {
                    let since = self.runs[job].since;
                    let detail = &mut self.details[job];
                    detail.restarting = detail.restarting + (end - since);
                }
                _ => {}
            }
            let j = &self.config.jobs[job];
            let run = &self.runs[job];
            let detail = &self.details[job];
            let status = match run.state {
                JobState::Completed => JobStatus::Completed,
                JobState::Pending | JobState::Queued => JobStatus::QueuedAtEnd,
                _ => JobStatus::RunningAtEnd,
            };
            let ettr = detail.first_start.map(|start| {
                let wall = detail.end.unwrap_or(end) - start;
                if wall.0 == 0 {
                    0.0
                } else {
                    (run.compute.seconds() - detail.lost.seconds()) / wall.seconds()
                }
            });
            let held = detail.held
                + if run.parts.is_empty() {
                    SimDuration(0)
                } else {
                    end - detail.held_since
                };
            let queue_wait_h = (detail.first_start.unwrap_or(end) - j.submit).hours();
            let lost_chip_hours = f64::from(j.chips) * detail.lost.hours();
            let chip_hours = f64::from(j.chips) * held.hours();
            summary.jobs_completed += u64::from(run.state == JobState::Completed);
            summary.chip_hours += chip_hours;
            summary.interruptions += detail
                .interruptions
                .iter()
                .map(|&n| u64::from(n))
                .sum::<u64>();
            summary.lost_chip_hours += lost_chip_hours;
            if run.state != JobState::Pending {
                submitted += 1;
                wait_h += queue_wait_h;
            }
            ettrs.extend(ettr);
            let rack_type = &self.config.rack_types[j.rack_type];
            row.id = crate::record::JobId(job as u32);
            set_text(&mut row.name, &j.name);
            row.submit_h = j.submit.hours();
            row.submit = self.run.calendar.instant(j.submit);
            row.first_start_h = detail.first_start.map(SimTime::hours);
            row.end_h = detail.end.map(SimTime::hours);
            row.queue_wait_h = queue_wait_h;
            row.chips = j.chips;
            set_text(&mut row.rack, &rack_type.rack.name);
            set_text(&mut row.chip, &rack_type.chip.name);
            // Its sites joined by `+`.
            row.site.clear();
            for (k, &s) in detail.last_sites.iter().enumerate() {
                if k > 0 {
                    row.site.push('+');
                }
                row.site.push_str(&self.config.sites[s as usize]);
            }
            row.status = status;
            row.interruptions = detail.interruptions.map(u64::from);
            row.lost_chip_hours = lost_chip_hours;
            row.checkpoint_hours = run.checkpointing.hours();
            row.restart_hours = detail.restarting.hours();
            row.ettr = ettr;
            row.flops_done = run.done;
            row.chip_hours = chip_hours;
            row.tokens_trained = j.tokens.map(|d| d * (run.done / j.work));
            recorder.job(&row);
        }
        if self.runs.is_empty() {
            return None;
        }
        if !ettrs.is_empty() {
            summary.ettr_mean = ettrs.iter().sum::<f64>() / ettrs.len() as f64;
            summary.ettr_p10 = nearest_rank(&mut ettrs, 0.1);
        }
        if submitted > 0 {
            summary.queue_wait_mean_h = wait_h / submitted as f64;
        }
        Some(summary)
    }
}

/// Sets `text` to `value`, keeping its buffer.
fn set_text(text: &mut String, value: &str) {
    text.clear();
    text.push_str(value);
}
