//! Workloads: what the fleet exists to run: training jobs ([`training`])
//! and inference services ([`serving`]; [`serving::fleet`] holds their
//! replicas on the world).
//!
//! A workload sees the physical world only through its workload API
//! ([`crate::world::workload_api`]): it reads capacity, answers the world's
//! notices, and sends commands (allocate, set utilization, release). It
//! schedules its own events through the composition root ([`crate::sim`])
//! by leaving them in a list the root drains, as the world does. The queue
//! order and the choice of domains belong to [`crate::policy`].

pub mod serving;
pub mod training;
