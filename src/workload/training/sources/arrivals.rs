//! Poisson arrivals of training jobs (`[[arrivals]]`): the jobs of a
//! stream, drawn from its own random stream.

use rand::RngExt;
use rand_distr::{Distribution as _, Exp};

use crate::engine::{RngStreams, SimDuration};
use crate::world::config::RackType;

use super::super::config::{Arrivals, Comm, Job};

/// `<stream>-<k>`, the name of a stream's `k`-th job: written digit by
/// digit (a stream of 600,000 jobs spent a microsecond per name in the
/// formatting machinery).
fn job_name(stream: &str, k: usize) -> String {
    let mut digits = [0u8; 20];
    let (mut i, mut n) = (digits.len(), k);
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut name = String::with_capacity(stream.len() + 1 + digits.len() - i);
    name.push_str(stream);
    name.push('-');
    name.extend(digits[i..].iter().map(|&d| char::from(d)));
    name
}

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
                name: job_name(&self.name, jobs.len()),
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_job_name_is_the_stream_a_dash_and_the_index() {
        for k in [0, 7, 10, 99, 100, 622_202, usize::MAX] {
            assert_eq!(super::job_name("ai", k), format!("ai-{k}"));
        }
        assert_eq!(super::job_name("", 3), "-3");
    }
}
