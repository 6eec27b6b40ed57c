//! Where training jobs come from besides the scenario's own `[[jobs]]`:
//! Poisson streams ([`arrivals`]).

pub mod arrivals;
