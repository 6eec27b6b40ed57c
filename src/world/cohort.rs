//! Cohorts of identical components failing at random, without one pending
//! event per component.
//!
//! # Superposition
//!
//! `n` identical components, each failing at constant rate `λ` (exponential
//! lifetimes), fail as one Poisson process of rate `n · λ`, and the one that
//! fails is uniform among them. A [`Cohort`] therefore keeps *one* pending
//! event: the next failure of any member, drawn as `Exp(n · λ)` from now.
//! Whenever membership changes (a member fails, is repaired, is added or
//! retired, its site goes dark), the pending draw is discarded (a generation
//! counter makes the old event stale) and a new one is drawn; by the
//! memoryless property this is exact. Several classes sharing a cohort (GPU,
//! HBM, host, NIC for nodes) add their rates, and the class of each failure is
//! drawn in proportion to its rate.
//!
//! Membership is a [`Members`] set: O(1) insert, remove and uniform pick, with
//! each component's position kept by the caller.
//!
//! # Weibull lifetimes
//!
//! A class with Weibull lifetimes is not memoryless, so each component gets
//! its own pending failure event, drawn when it is commissioned or renewed by
//! a repair (as good as new). The scale is chosen so that the mean time to
//! failure stays `1/λ`: `η = 1 / (λ · Γ(1 + 1/k))`. For a class counted per
//! chip on a node of `g` chips, the node fails at the first of `g` chip
//! failures, and the minimum of `g` Weibull(k, η) draws is Weibull(k, η ·
//! g^(−1/k)), so one draw per node suffices.

use rand::RngExt;
use rand_distr::{Distribution, Exp, Weibull};

use crate::catalog::failures::FailureKind;
use crate::engine::{SimDuration, StreamRng};

/// Marks a component that is not in any cohort.
pub const NOT_MEMBER: u32 = u32::MAX;

/// Where the members of a set sit in it, by id, kept by the set's owner:
/// each member's index in the set, or [`NOT_MEMBER`].
pub trait Positions {
    /// The position of `id`.
    fn position(&self, id: u32) -> u32;
    /// Sets the position of `id`.
    fn set_position(&mut self, id: u32, p: u32);
}

impl Positions for Vec<u32> {
    fn position(&self, id: u32) -> u32 {
        self[id as usize]
    }
    fn set_position(&mut self, id: u32, p: u32) {
        self[id as usize] = p;
    }
}

/// A set of component ids with O(1) insert, remove and uniform pick.
/// A [`Positions`] table holds each member's index in the set (or
/// [`NOT_MEMBER`]).
#[derive(Clone, Debug, Default)]
pub struct Members {
    ids: Vec<u32>,
}

impl Members {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Adds `id` (no-op if already a member); true if it was added.
    pub fn insert<P: Positions>(&mut self, id: u32, pos: &mut P) -> bool {
        if pos.position(id) != NOT_MEMBER {
            return false;
        }
        pos.set_position(id, self.ids.len() as u32);
        self.ids.push(id);
        true
    }

    /// Removes `id` (no-op if not a member); true if it was removed.
    pub fn remove<P: Positions>(&mut self, id: u32, pos: &mut P) -> bool {
        let p = pos.position(id);
        if p == NOT_MEMBER {
            return false;
        }
        let last = self.ids.pop().expect("a member exists");
        if last != id {
            self.ids[p as usize] = last;
            pos.set_position(last, p);
        }
        pos.set_position(id, NOT_MEMBER);
        true
    }

    /// A member chosen uniformly at random.
    pub fn pick(&self, rng: &mut StreamRng) -> Option<u32> {
        if self.ids.is_empty() {
            None
        } else {
            Some(self.ids[rng.random_range(0..self.ids.len())])
        }
    }
}

/// What kind of component a cohort holds (also the index of the component
/// kind's table in the world).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Nodes (by node id) of one rack model at one site.
    Nodes,
    /// Racks (by rack id), failing as a whole (power).
    RackPower,
    /// Rack uplinks (by rack id).
    Uplinks,
    /// One site (by site index).
    Site,
    /// Inter-site links (by link index).
    Dci,
}

/// The three cohorts of one rack model at one site, made together: the
/// positions of its nodes', its racks' power and its racks' uplinks cohorts
/// among the world's cohorts, consecutive in that order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RackCohorts {
    /// The cohort of the nodes.
    pub nodes: usize,
    /// The cohort of the racks' power (`nodes + 1`).
    pub power: usize,
    /// The cohort of the racks' uplinks (`nodes + 2`).
    pub uplinks: usize,
}

impl RackCohorts {
    /// The three cohorts made together, the nodes' at `nodes`.
    pub fn from_nodes(nodes: usize) -> RackCohorts {
        RackCohorts {
            nodes,
            power: nodes + 1,
            uplinks: nodes + 2,
        }
    }

    /// The three, nodes first.
    pub fn all(self) -> [usize; 3] {
        [self.nodes, self.power, self.uplinks]
    }
}

/// Identical components sharing one superposed failure process.
#[derive(Clone, Debug)]
pub struct Cohort {
    /// The kind of member.
    pub scope: Scope,
    /// The site whose outage suspends this cohort, if any.
    pub site: Option<usize>,
    /// Index of the random stream this cohort draws its failures from.
    pub stream: usize,
    /// Index of the random stream this cohort draws its repair times from.
    pub repair_stream: usize,
    /// Current members (those at risk).
    pub members: Members,
    /// Exponential classes and their rate per member [1/h].
    pub classes: Vec<(FailureKind, f64)>,
    /// Σ class rates per member [1/h].
    pub rate_per_member: f64,
    /// Generation of the pending failure event.
    pub generation: u32,
    /// Membership changed: redraw at the end of the current event.
    pub dirty: bool,
}

impl Cohort {
    /// A cohort with no members yet.
    pub fn new(
        scope: Scope,
        site: Option<usize>,
        (stream, repair_stream): (usize, usize),
        classes: Vec<(FailureKind, f64)>,
    ) -> Self {
        let classes: Vec<_> = classes.into_iter().filter(|(_, r)| *r > 0.0).collect();
        let rate_per_member = classes.iter().map(|(_, r)| r).sum();
        Cohort {
            scope,
            site,
            stream,
            repair_stream,
            members: Members::default(),
            classes,
            rate_per_member,
            generation: 0,
            dirty: false,
        }
    }

    /// Time to the next failure of any member, if the cohort can fail.
    pub fn draw_next(&self, rng: &mut StreamRng, suspended: bool) -> Option<SimDuration> {
        let rate = self.rate_per_member * self.members.len() as f64;
        if suspended || rate <= 0.0 {
            return None;
        }
        let hours: f64 = Exp::new(rate).expect("positive rate").sample(rng);
        Some(SimDuration::from_hours_f64(hours))
    }

    /// Which class a failure belongs to, in proportion to the class rates.
    pub fn draw_class(&self, rng: &mut StreamRng) -> FailureKind {
        if self.classes.len() == 1 {
            return self.classes[0].0;
        }
        let mut x = rng.random::<f64>() * self.rate_per_member;
        for (kind, rate) in &self.classes {
            if x < *rate {
                return *kind;
            }
            x -= rate;
        }
        self.classes
            .last()
            .expect("a cohort that fails has a class")
            .0
    }
}

/// Time to failure under a Weibull law of shape `shape` whose mean is
/// `1 / rate_per_hour`, for the first of `count` identical components.
pub fn weibull_time_to_failure(
    rate_per_hour: f64,
    shape: f64,
    count: u32,
    rng: &mut StreamRng,
) -> Option<SimDuration> {
    if rate_per_hour <= 0.0 || count == 0 {
        return None;
    }
    let scale = weibull_scale_hours(rate_per_hour, shape) * f64::from(count).powf(-1.0 / shape);
    match Weibull::new(scale, shape) {
        Ok(law) => Some(SimDuration::from_hours_f64(law.sample(rng))),
        // A scale that underflows to zero: the component fails at once.
        Err(_) => Some(SimDuration::ZERO),
    }
}

/// Weibull scale η \[h\] giving mean `1 / rate_per_hour` at shape `k`:
/// `η = 1 / (λ · Γ(1 + 1/k))`.
pub fn weibull_scale_hours(rate_per_hour: f64, shape: f64) -> f64 {
    1.0 / (rate_per_hour * libm::tgamma(1.0 + 1.0 / shape))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;

    #[test]
    fn members_insert_remove_pick() {
        let mut pos = vec![NOT_MEMBER; 10];
        let mut m = Members::default();
        for id in [3, 7, 1, 9] {
            m.insert(id, &mut pos);
        }
        m.insert(7, &mut pos);
        assert_eq!(m.len(), 4);
        m.remove(3, &mut pos);
        m.remove(3, &mut pos);
        assert_eq!(m.len(), 3);
        assert_eq!(pos[3], NOT_MEMBER);
        for id in [7, 1, 9] {
            assert_eq!(m.ids[pos[id as usize] as usize], id);
        }
        let mut rng = RngStreams::new(1).stream("t");
        let mut seen = [0u32; 10];
        for _ in 0..3000 {
            seen[m.pick(&mut rng).unwrap() as usize] += 1;
        }
        for id in [7, 1, 9] {
            assert!((seen[id] as i32 - 1000).abs() < 150, "{seen:?}");
        }
        assert_eq!(seen[3], 0);
    }

    #[test]
    fn classes_are_drawn_by_rate() {
        let f = Cohort::new(
            Scope::Nodes,
            None,
            (0, 0),
            vec![
                (FailureKind::Gpu, 3.0),
                (FailureKind::GpuOther, 1.0),
                (FailureKind::Host, 1.0),
                (FailureKind::Nic, 0.0),
            ],
        );
        assert_eq!(f.classes.len(), 3, "zero-rate classes are dropped");
        let mut rng = RngStreams::new(2).stream("t");
        let n = 40_000;
        let mut drawn = [0usize; FailureKind::ALL.len()];
        for _ in 0..n {
            drawn[f.draw_class(&mut rng).index()] += 1;
        }
        assert_eq!(drawn[FailureKind::Nic.index()], 0);
        // Expected 3/5, 1/5, 1/5; 4σ = 4 · sqrt(p(1 − p) / 40,000): 0.0098
        // for 0.6, 0.0080 for 0.2.
        for (k, p, four_sigma) in [
            (FailureKind::Gpu, 0.6, 0.0098),
            (FailureKind::GpuOther, 0.2, 0.0080),
            (FailureKind::Host, 0.2, 0.0080),
        ] {
            let share = drawn[k.index()] as f64 / n as f64;
            assert!((share - p).abs() < four_sigma, "{}: {share}", k.key());
        }
    }

    #[test]
    fn weibull_keeps_the_mean_and_the_minimum_law() {
        let mut rng = RngStreams::new(4).stream("t");
        let rate = 1.0 / 1000.0;
        for shape in [0.5, 1.0, 3.0] {
            let n = 100_000;
            let mean: f64 = (0..n)
                .map(|_| {
                    weibull_time_to_failure(rate, shape, 1, &mut rng)
                        .unwrap()
                        .hours()
                })
                .sum::<f64>()
                / n as f64;
            assert!(
                (mean / 1000.0 - 1.0).abs() < 0.03,
                "shape {shape}: mean {mean}"
            );
        }
        // First of 8 components at shape 2: scale shrinks by 8^(-1/2).
        let eta1 = weibull_scale_hours(rate, 2.0);
        let n = 100_000;
        let median: f64 = {
            let mut v: Vec<f64> = (0..n)
                .map(|_| {
                    weibull_time_to_failure(rate, 2.0, 8, &mut rng)
                        .unwrap()
                        .hours()
                })
                .collect();
            v.sort_by(f64::total_cmp);
            v[n / 2]
        };
        let expected = eta1 / 8f64.sqrt() * std::f64::consts::LN_2.sqrt();
        assert!(
            (median / expected - 1.0).abs() < 0.02,
            "{median} vs {expected}"
        );
    }
}
