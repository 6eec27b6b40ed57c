//! Where training jobs come from besides the scenario's own `[[jobs]]`:
//! Poisson streams ([`arrivals`]) and trace files ([`trace`]: a generic
//! CSV or an Alibaba PAI task list), and the rules every job obeys
//! whatever its source.

use crate::world::config::RackType;

pub mod arrivals;
pub mod trace;

/// Largest parameter count, token count or FLOPs a job may give: beyond any
/// real run (the largest today are near 1e26 FLOPs), small enough to stay
/// exact enough in f64 arithmetic.
pub const MAX_JOB_QUANTITY: f64 = 1e32;

/// The scale-up domains `chips` chips of `rack` make: a whole number, at
/// most `most` (what one site ever holds); else why not.
pub fn domains_of(chips: u32, rack: &RackType, most: u64, multi_site: bool) -> Result<u32, String> {
    let per = rack.rack.scaleup_domain.max(1);
    let name = &rack.rack.name;
    if !chips.is_multiple_of(per) {
        let up = chips.div_ceil(per) * per;
        Err(format!(
            "{chips} chips is not a whole number of {name}'s scale-up domains of {per} chips; jobs hold whole domains, e.g. chips = {up}"
        ))
    } else if multi_site && u64::from(chips / per) > most {
        Err(format!(
            "{chips} chips ({} domains of {per}) is more than all sites together ever hold of {name} (at most {} chips); the job would wait forever",
            chips / per,
            most * u64::from(per)
        ))
    } else if u64::from(chips / per) > most {
        Err(format!(
            "{chips} chips ({} domains of {per}) is more than any site ever holds of {name} (at most {} chips at one site); the job would wait forever",
            chips / per,
            most * u64::from(per)
        ))
    } else {
        Ok(chips / per)
    }
}
