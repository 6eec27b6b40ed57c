//! Request windows: `[[request_windows]]`, synthetic or from a request
//! trace, each inside the run.

use crate::engine::SimTime;
use crate::scenario::diag::{Issue, Location, did_you_mean_value};
use crate::scenario::spec::{RequestWindowSpec, ServiceSpec};
use crate::scenario::tree::FieldPath;
use crate::workload::serving::config::{RequestWindow, Service};

use super::{MAX_WINDOW_REQUESTS, Validator, parse_date, parse_duration};

impl Validator<'_> {
    /// The end of a window: a date or an offset from the start, no later
    /// than the end of the run.
    pub(super) fn window_end(&mut self, p: &FieldPath, text: &str) -> Option<SimTime> {
        let t = if let Ok(date) = parse_date(text) {
            self.calendar.time_of_date(date)
        } else {
            match parse_duration(text) {
                Ok(d) => SimTime::ZERO.checked_add(d),
                Err(_) => {
                    self.err(
                        p,
                        format!(
                            "\"{text}\" is neither a date nor a duration; give a date such as \"2027-01-01\" or an offset from the start such as \"90d\""
                        ),
                    );
                    return None;
                }
            }
        };
        match t {
            Some(t) if t <= self.end => Some(t),
            _ => {
                self.err(
                    p,
                    format!("\"{text}\" is past the end of the run; end the window by then"),
                );
                None
            }
        }
    }

    /// The `[[request_windows]]`, validated; their traces read (bounded,
    /// a malformed row located at its file and line).
    pub(super) fn request_windows(
        &mut self,
        specs: &[RequestWindowSpec],
        services: &[ServiceSpec],
        validated: &[Service],
    ) -> Vec<RequestWindow> {
        let root = FieldPath::default().key("request_windows");
        let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
        let mut out = Vec::new();
        let mut all_requests = 0.0;
        for (i, w) in specs.iter().enumerate() {
            let p = root.index(i);
            let before = self.problem_count();
            let service = names.iter().position(|n| *n == w.service);
            if service.is_none() {
                let hint = did_you_mean_value(&w.service, names.iter().copied());
                self.err(
                    &p.key("service"),
                    format!(
                        "no service is named \"{}\"{hint}; name one of [[services]] ({})",
                        w.service,
                        names.join(", ")
                    ),
                );
            }
            let start = self.submit_time(&p.key("start"), &w.start);
            let duration =
                self.positive_duration(&p.key("duration"), w.duration.as_deref().unwrap_or("1h"));
            let requests = match &w.trace {
                Some(file) => self
                    .trace_requests(&p.key("trace"), &p.key("format"), file, w.format.as_deref())
                    .map(std::sync::Arc::new),
                None => None,
            };
            let rate_scale = w.rate_scale.unwrap_or(1.0);
            if let Some(problem) = crate::workload::serving::trace::rate_scale_problem(rate_scale) {
                self.err(&p.key("rate_scale"), problem);
            }
            let ok = self.problem_count() == before;
            if let (true, Some(service), Some(start), Some(duration)) =
                (ok, service, start, duration)
            {
                // Poisson at the demand of the window's start (as the run
                // draws them): the count known before the run.
                if requests.is_none()
                    && validated.len() == services.len()
                    && let Some(s) = validated.get(service)
                {
                    let rate = s.demand.rate_at(&self.calendar, start);
                    let expected = rate * duration.seconds();
                    all_requests += expected;
                    if all_requests > MAX_WINDOW_REQUESTS {
                        self.err(
                            &p.key("duration"),
                            format!(
                                "{} at {rate:.4e} requests/s (the service's demand at the window's start) is about {expected:.4e} requests ({all_requests:.4e} with the windows before it), about {:.1} GB in memory; at most {MAX_WINDOW_REQUESTS:e} requests are allowed across the windows without a trace: shorten the window, or replay a trace",
                                w.duration.as_deref().unwrap_or("1h"),
                                all_requests * 80.0 / 1e9
                            ),
                        );
                        continue;
                    }
                }
                out.push(RequestWindow {
                    service,
                    start,
                    duration,
                    trace: requests,
                    trace_file: w.trace.clone(),
                    requests_csv: w.requests_csv.unwrap_or(false),
                    rate_scale,
                });
            }
        }
        out
    }

    /// The requests of an LLM trace file named under `p` (its format under
    /// `pf`, or guessed from the name), read bounded; a malformed row is
    /// located at its file and line.
    pub(super) fn trace_requests(
        &mut self,
        p: &FieldPath,
        pf: &FieldPath,
        file: &str,
        format: Option<&str>,
    ) -> Option<Vec<crate::workload::serving::trace::TraceRequest>> {
        use crate::workload::serving::trace::{self, TraceError, TraceFormat};
        let path = self.input_path(p, file);
        let format = match format {
            Some("azure") => TraceFormat::Azure,
            Some("mooncake") => TraceFormat::Mooncake,
            Some(other) => {
                let hint = did_you_mean_value(other, ["azure", "mooncake"]);
                self.err(
                    pf,
                    format!(
                        "\"{other}\" is not a trace format{hint}; give \"azure\" or \"mooncake\""
                    ),
                );
                return None;
            }
            None => match TraceFormat::guess(&path) {
                Some(f) => f,
                None => {
                    self.err(pf, "cannot tell the format from the file name; give \"azure\" (CSV) or \"mooncake\" (JSON Lines)");
                    return None;
                }
            },
        };
        match trace::read(&path, format) {
            Ok(r) => Some(r),
            Err(TraceError::Row { file, line, what }) => {
                self.problems.located.push(Issue {
                    location: Location::File {
                        file,
                        line,
                        column: 1,
                    },
                    field: p.to_string(),
                    message: what,
                });
                None
            }
            Err(e) => {
                self.err(p, format!("{e} (paths are relative to the scenario file)"));
                None
            }
        }
    }
}
