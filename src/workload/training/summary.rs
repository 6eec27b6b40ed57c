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
            summary.interruptions += detail.interruptions.iter().sum::<u64>();
            summary.lost_chip_hours += lost_chip_hours;
            if run.state != JobState::Pending {
                submitted += 1;
                wait_h += queue_wait_h;
            }
            ettrs.extend(ettr);
            let calendar = &self.run.calendar;
            let sites: Vec<&str> = detail
                .last_sites
                .iter()
                .map(|&s| self.config.sites[s as usize].as_str())
                .collect();
            recorder.job(&JobRow {
                id: job as u32,
                name: j.name.clone(),
                submit_h: j.submit.hours(),
                submit: calendar.instant(j.submit),
                first_start_h: detail.first_start.map(SimTime::hours),
                end_h: detail.end.map(SimTime::hours),
                queue_wait_h,
                chips: j.chips,
                rack: self.config.rack_types[j.rack_type].rack.name.clone(),
                chip: self.config.rack_types[j.rack_type].chip.name.clone(),
                site: sites.join("+"),
                status,
                interruptions: detail.interruptions,
                lost_chip_hours,
                checkpoint_hours: run.checkpointing.hours(),
                restart_hours: detail.restarting.hours(),
                ettr,
                flops_done: run.done,
                chip_hours,
                tokens_trained: j.tokens.map(|d| d * (run.done / j.work)),
            });
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
