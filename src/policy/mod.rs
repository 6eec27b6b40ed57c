//! Policy: which queued training job starts next, and on which scale-up
//! domains. It owns the order of the queue ([`queue`]) and the choice of
//! domains ([`placement`]); it does not own jobs, their progress or their
//! events (that is [`crate::workload`]), and it reads the world only through
//! its workload API (free domains and their racks).

pub mod placement;
pub mod queue;
