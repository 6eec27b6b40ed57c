//! Planned maintenance: `[[maintenance]]` windows, each on a site's racks
//! (of one rack model, if given), once or periodically.

use crate::scenario::diag::did_you_mean_value;
use crate::scenario::spec::{MaintenanceSpec, SiteSpec};
use crate::scenario::tree::FieldPath;
use crate::world::config::{Maintenance, RackType};

use super::Validator;

impl Validator<'_> {
    /// The `[[maintenance]]` windows, validated: a site by name, a built
    /// rack model if given, a start within the run, a positive duration
    /// and a period longer than it.
    pub(super) fn maintenance(
        &mut self,
        specs: &[MaintenanceSpec],
        sites: &[SiteSpec],
        rack_types: &[RackType],
    ) -> Vec<Maintenance> {
        let root = FieldPath::default().key("maintenance");
        let site_names: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
        let mut out = Vec::new();
        for (i, m) in specs.iter().enumerate() {
            let p = root.index(i);
            let site = self.site_ref(&p.key("site"), &m.site, &site_names);
            let rack_type = match (&m.rack, site) {
                (Some(rack), Some(s)) => {
                    // A rack model the site builds.
                    let here: Vec<&str> =
                        sites[s].buildout.iter().map(|b| b.rack.as_str()).collect();
                    match rack_types.iter().position(|t| t.rack.name == *rack) {
                        Some(t) if here.contains(&rack.as_str()) => Some(Some(t)),
                        _ => {
                            let hint = did_you_mean_value(rack, here.iter().copied());
                            self.err(
                                &p.key("rack"),
                                format!(
                                    "site \"{}\" builds no rack model \"{rack}\"{hint}; name one it builds ({}) or leave `rack` out for all of them",
                                    m.site,
                                    here.join(", ")
                                ),
                            );
                            None
                        }
                    }
                }
                (Some(_), None) => None,
                (None, _) => Some(None),
            };
            let start = self.submit_time(&p.key("start"), &m.start);
            let duration = self.positive_duration(&p.key("duration"), &m.duration);
            let every = match &m.every {
                Some(text) => match self.positive_duration(&p.key("every"), text) {
                    Some(e) if duration.is_some_and(|d| e <= d) => {
                        self.err(
                            &p.key("every"),
                            format!(
                                "{text} is not longer than the window's duration ({}); windows of one entry must not overlap: give a longer period or a shorter duration",
                                m.duration
                            ),
                        );
                        None
                    }
                    Some(e) => Some(Some(e)),
                    None => None,
                },
                None => Some(None),
            };
            let fraction = match m.fraction {
                Some(f) => match self.fraction(&p.key("fraction"), f) {
                    Some(f) if f > 0.0 => Some(f),
                    Some(_) => {
                        self.err(
                            &p.key("fraction"),
                            "a window of no racks does nothing; give a share above 0 (0.25: a quarter of the racks at a time)",
                        );
                        None
                    }
                    None => None,
                },
                None => Some(1.0),
            };
            if let (
                Some(site),
                Some(rack_type),
                Some(start),
                Some(duration),
                Some(every),
                Some(fraction),
            ) = (site, rack_type, start, duration, every, fraction)
            {
                out.push(Maintenance {
                    site,
                    rack_type,
                    start,
                    duration,
                    every,
                    fraction,
                });
            }
        }
        out
    }
}
