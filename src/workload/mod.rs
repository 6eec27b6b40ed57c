//! Workloads: what the fleet exists to run. Today training jobs
//! ([`training`]); inference services will sit beside them on the same
//! footing.
//!
//! A workload sees the physical world only through its outward contract
//! ([`crate::world::contract`]): it reads capacity, answers the world's
//! notices, and sends commands (allocate, set utilization, release). It
//! schedules its own events through the composition root ([`crate::sim`])
//! by leaving them in a list the root drains, as the world does. The queue
//! order and the choice of domains belong to [`crate::policy`].

pub mod training;
