//! Poisson arrivals of training jobs (`[[arrivals]]`): the jobs of a
//! stream, drawn from its own random stream.

use rand::RngExt;
use rand_distr::{Distribution as _, Exp};

use crate::engine::{RngStreams, SimDuration};
use crate::world::config::RackType;

use super::super::config::{Arrivals, Comm, Job};

impl Arrivals {
    /// The stream's jobs, drawn from the random stream `jobs/<name>` of
    /// `streams`: gaps between submissions exponential of mean `1 / rate`
    /// from `from`, until `until`; per job, in this order, the gap, the
    /// size (uniform over `sizes`) and the ideal duration `T` (work `T ×
    /// chips × peak × MFU`).
    pub fn generate(&self, streams: &RngStreams, rack: &RackType) -> Vec<Job> {
        let mut rng = streams.stream(&format!("jobs/{}", self.name));
        let gap = Exp::new(self.rate_per_hour).expect("validated positive rate");
        let mut jobs = Vec::new();
        let mut t = self.from;
        loop {
            let hours: f64 = gap.sample(&mut rng);
            let Some(next) = t.checked_add(SimDuration::from_secs_f64(hours * 3600.0)) else {
                break;
            };
            if next >= self.until {
                break;
            }
            t = next;
            let (chips, domains, checkpoint_every) =
                self.sizes[rng.random_range(0..self.sizes.len())];
            let ideal = self.ideal_duration.sample(&mut rng);
            let mut job = Job {
                name: format!("{}-{}", self.name, jobs.len()),
                submit: t,
                rack_type: self.rack_type,
                chips,
                domains,
                work: 0.0,
                mfu: self.mfu,
                checkpoint_every,
                checkpoint_time: self.checkpoint_time,
                restart_overhead: self.restart_overhead,
                priority: self.priority,
                comm: None,
                tokens: None,
                multi_site: self.multi_site,
            };
            job.work = ideal.seconds() * job.full_rate(rack);
            job.comm = self.comm.map(|c| Comm {
                flops_per_step: c.flops_per_step * job.full_rate(rack),
                data_parallel: if c.data_parallel == 0 {
                    domains
                } else {
                    c.data_parallel
                },
                ..c
            });
            jobs.push(job);
        }
        jobs
    }

    /// Jobs expected over the window: rate × window.
    pub fn expected(&self) -> f64 {
        self.rate_per_hour * (self.until - self.from).hours()
    }
}
