//! Inference services: `[serving] epoch` and `[[services]]` with their
//! model, demand, growth and daily and weekly profiles.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::catalog::Catalog;
use crate::engine::SimDuration;
use crate::scenario::diag::did_you_mean_value;
use crate::scenario::spec::{GrowthSpec, ScenarioSpec, ServiceSpec};
use crate::scenario::tree::FieldPath;
use crate::workload::serving::config::{PrefillPool, Service};
use crate::workload::serving::demand::{Demand, Growth};
use crate::workload::serving::disagg::Pools;
use crate::workload::serving::requests::{DEFAULT_TOKEN_BUDGET, Prefill};
use crate::workload::serving::roofline::ModelSpec;
use crate::world::config::{RackType, Site};

use super::checks::entries;
use super::jobs::most_domains;
use super::{MAX_LOGNORMAL_SIGMA, Validator, number};

impl Validator<'_> {
    /// The inference epoch (`[serving] epoch`, default 15 minutes).
    pub(super) fn epoch(&mut self, spec: &ScenarioSpec) -> Option<SimDuration> {
        let text = spec
            .serving
            .as_ref()
            .and_then(|s| s.epoch.as_deref())
            .unwrap_or("15min");
        let p = FieldPath::default().key("serving").key("epoch");
        let d = self.positive_duration(&p, text)?;
        if d < SimDuration::from_secs(1) {
            self.err(
                &p,
                format!(
                    "\"{text}\" is shorter than a second; an epoch is minutes long, e.g. \"15min\""
                ),
            );
            return None;
        }
        Some(d)
    }

    /// The `[[services]]`, validated; a service with any problem is left
    /// out (and reported).
    pub(super) fn services(
        &mut self,
        specs: &[ServiceSpec],
        catalog: &Catalog,
        rack_types: &[RackType],
        sites: &[Site],
    ) -> Vec<Service> {
        let most = most_domains(rack_types, sites);
        let built: Vec<&str> = rack_types.iter().map(|t| t.rack.name.as_str()).collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::with_capacity(specs.len());
        for (p, v) in entries("services", specs) {
            let before = self.problem_count();
            self.unique_name(&mut seen, &p, &v.name, "a service needs a name, e.g. name = \"chat\"", |name| {
                format!("another service is already named \"{name}\" (compared without case); names must be unique")
            });
            let rack_type = self.job_rack(&p.key("rack"), &v.rack, &built, catalog);
            let replica = self.service_replica(&p, v, rack_type, rack_types, &most);
            let weights = self.service_model(&p, v);
            let pools = self.pools(&p, v, replica);
            // The decode copies' degree divides the decode pool's chips.
            let decode_part = replica
                .map(|(chips, d)| (chips - pools.flatten().map_or(0, |x| x.prefill_chips), d));
            let tensor_parallel = self.tensor_parallel(&p, decode_part, v.tensor_parallel);
            let replica_for_model = replica.zip(tensor_parallel).map(|(r, tp)| (tp, r.1));
            self.weights_fit(&p, v, rack_type.zip(replica_for_model), weights, rack_types);
            if let Some(Some(pools)) = pools {
                let prefill_copy = replica.map(|r| (pools.prefill_tensor_parallel, r.1));
                self.weights_fit(&p, v, rack_type.zip(prefill_copy), weights, rack_types);
            }
            let prefill_pool = self.prefill_pool(&p, v, (rack_type, weights), rack_types, &most);
            let (input_tokens, output_tokens, output_tokens_cv) = self.request_sizes(&p, v);
            self.kv_fits(
                &p,
                rack_type.zip(replica_for_model),
                weights,
                input_tokens.zip(output_tokens),
                rack_types,
            );
            let rate = self.non_negative(
                &p.key("rate_per_s"),
                v.rate_per_s,
                "requests per second at the start",
            );
            let growth = match &v.growth {
                None => Some(Growth::Flat),
                Some(g) => self.growth(&p.key("growth"), g),
            };
            let diurnal = self.profile::<24>(
                &p.key("diurnal"),
                v.diurnal.as_deref(),
                "24 hourly factors, midnight first",
            );
            let weekly = self.profile::<7>(
                &p.key("weekly"),
                v.weekly.as_deref(),
                "7 daily factors, Monday first",
            );
            let noise_sigma = self.noise_sigma(&p, v.noise_sigma);
            let (ttft_slo, tpot_slo, slo_percentile) = self.slos(&p, v);
            let (target_utilization, min_replicas, max_replicas, scale_up_delay, backlog) =
                self.autoscaling(&p, v);
            let prefill = self.prefill(&p, v);
            let prefix_hit_rate = self.prefix_hit_rate(&p, v.prefix_hit_rate);
            let ok = self.problem_count() == before;
            let (
                true,
                Some(rack_type),
                Some((replica_chips, replica_domains)),
                Some(tensor_parallel),
                Some(model),
                Some(input_tokens),
                Some(output_tokens),
                Some(output_tokens_cv),
                Some(rate_per_s),
                Some(growth),
                Some(diurnal),
                Some(weekly),
                Some(noise_sigma),
                Some(ttft_slo),
                Some(tpot_slo),
                Some(slo_percentile),
                Some(target_utilization),
                Some(scale_up_delay),
                Some(backlog),
                Some(prefill),
                Some(disaggregation),
                Some(prefill_pool),
            ) = (
                ok,
                rack_type,
                replica,
                tensor_parallel,
                weights,
                input_tokens,
                output_tokens,
                output_tokens_cv,
                rate,
                growth,
                diurnal,
                weekly,
                noise_sigma,
                ttft_slo,
                tpot_slo,
                slo_percentile,
                target_utilization,
                scale_up_delay,
                backlog,
                prefill,
                pools,
                prefill_pool,
            )
            else {
                continue;
            };
            let demand = Demand::new(rate_per_s, growth)
                .and_then(|d| d.with_diurnal(diurnal))
                .and_then(|d| d.with_weekly(weekly))
                .and_then(|d| d.with_noise(noise_sigma));
            let demand = match demand {
                Ok(d) => d,
                Err(e) => {
                    // Profiles of all zeros (no demand at any hour) and the
                    // like: the curve's own check.
                    self.err(&p.key("rate_per_s"), e.to_string());
                    continue;
                }
            };
            out.push(Service {
                name: v.name.clone(),
                rack_type,
                replica_domains,
                replica_chips,
                tensor_parallel,
                disaggregation,
                prefill_pool,
                model,
                input_tokens,
                output_tokens,
                output_tokens_cv,
                demand,
                ttft_slo,
                tpot_slo,
                slo_percentile,
                target_utilization,
                min_replicas,
                max_replicas,
                scale_up_delay,
                backlog,
                preempt_training: v.preempt_training.unwrap_or(false),
                priority: v.priority.unwrap_or(0),
                prefill,
                prefix_hit_rate,
            });
        }
        out
    }

    /// A service's model: (parameters, bytes per parameter, KV bytes per
    /// token), from a preset or given.
    pub(super) fn service_model(
        &mut self,
        p: &FieldPath,
        v: &ServiceSpec,
    ) -> Option<crate::workload::serving::roofline::ModelSpec> {
        use crate::workload::serving::roofline::{ModelSpec, Precision};
        let precision = |me: &mut Self, key: &str, given: &Option<String>| match given {
            None => Some(None),
            Some(name) => match Precision::parse(name) {
                Some(x) => Some(Some(x)),
                None => {
                    let names = Precision::ALL.map(Precision::name);
                    let hint = did_you_mean_value(name, names.iter().copied());
                    me.err(
                        &p.key(key),
                        format!(
                            "\"{name}\" is not a precision{hint}; give one of {}",
                            names.join(", ")
                        ),
                    );
                    None
                }
            },
        };
        let weights_precision = precision(self, "precision", &v.precision)?;
        let kv_precision = precision(self, "kv_precision", &v.kv_precision)?;
        let spec = if let Some(name) = &v.model {
            let presets = crate::workload::serving::roofline::MODELS;
            let Some(m) = crate::workload::serving::roofline::model(name) else {
                let hint = did_you_mean_value(name, presets.iter().map(|m| m.name));
                self.err(
                    &p.key("model"),
                    format!(
                        "no model preset is named \"{name}\"{hint} (presets: {}); or give params, bytes_per_param and kv_bytes_per_token",
                        presets.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
                    ),
                );
                return None;
            };
            for (key, set) in [
                ("params", v.params.is_some()),
                ("bytes_per_param", v.bytes_per_param.is_some()),
                ("kv_bytes_per_token", v.kv_bytes_per_token.is_some()),
            ] {
                if set {
                    self.err(
                        &p.key(key),
                        format!("the preset \"{name}\" sets it; give the model one way"),
                    );
                    return None;
                }
            }
            m.spec
        } else {
            let params = match v.params {
                Some(n) => self.positive(&p.key("params"), n, "model parameters, e.g. 70e9")?,
                None => {
                    self.err(&p.key("model"), "missing: give a preset (model = \"llama-3.1-70b\") or params and kv_bytes_per_token");
                    return None;
                }
            };
            let bpp = match (v.bytes_per_param, weights_precision) {
                (Some(_), Some(_)) => {
                    self.err(
                        &p.key("bytes_per_param"),
                        "precision sets the bytes per parameter; give one of them",
                    );
                    return None;
                }
                (Some(b), None) => self.positive(
                    &p.key("bytes_per_param"),
                    b,
                    "bytes per parameter, 2 for BF16",
                )?,
                (None, _) => 2.0,
            };
            let kv = match v.kv_bytes_per_token {
                Some(k) => self.positive(
                    &p.key("kv_bytes_per_token"),
                    k,
                    "KV-cache bytes per token, e.g. 327680",
                )?,
                None => {
                    self.err(&p.key("kv_bytes_per_token"), "missing: the KV-cache bytes per token of context (2 × layers × KV heads × head size × bytes per value)");
                    return None;
                }
            };
            ModelSpec::dense(params, bpp, kv)
        };
        Some(if weights_precision.is_some() || kv_precision.is_some() {
            spec.at_precision(
                weights_precision.unwrap_or(spec.precision),
                kv_precision.unwrap_or(spec.kv_precision),
            )
        } else {
            spec
        })
    }

    /// A growth curve.
    pub(super) fn growth(&mut self, p: &FieldPath, g: &GrowthSpec) -> Option<Growth> {
        match g.kind.as_str() {
            "exponential" => {
                let Some(r) = g.per_year else {
                    self.err(
                        &p.key("per_year"),
                        "missing: the growth per year, e.g. 0.4 for +40% a year",
                    );
                    return None;
                };
                let r = self.finite(&p.key("per_year"), r)?;
                if r <= -1.0 {
                    self.err(
                        &p.key("per_year"),
                        format!(
                            "must be greater than −1 (−1 is no demand at all), found {}",
                            number(r)
                        ),
                    );
                    return None;
                }
                Some(Growth::Exponential {
                    annual_rate: r,
                    reference: self.calendar.start(),
                })
            }
            "logistic" => {
                let ceiling = match g.ceiling {
                    Some(c) => self.positive(
                        &p.key("ceiling"),
                        c,
                        "the factor the demand tends to, e.g. 10",
                    ),
                    None => {
                        self.err(
                            &p.key("ceiling"),
                            "missing: the factor the demand tends to, e.g. 10",
                        );
                        None
                    }
                };
                let midpoint = match g.midpoint.as_deref() {
                    Some(text) => self.date(&p.key("midpoint"), text),
                    None => {
                        self.err(
                            &p.key("midpoint"),
                            "missing: the date the growth is halfway, e.g. \"2028-01-01\"",
                        );
                        None
                    }
                };
                let k = match g.steepness_per_year {
                    Some(k) => self.positive(
                        &p.key("steepness_per_year"),
                        k,
                        "the logistic rate per year, e.g. 1.5",
                    ),
                    None => {
                        self.err(
                            &p.key("steepness_per_year"),
                            "missing: the logistic rate per year, e.g. 1.5",
                        );
                        None
                    }
                };
                Some(Growth::Logistic {
                    capacity: ceiling?,
                    midpoint: midpoint?,
                    steepness_per_year: k?,
                })
            }
            "points" => {
                if g.points.is_empty() {
                    self.err(&p.key("points"), "give at least one dated factor, e.g. points = [{ date = \"2027-01-01\", factor = 2.0 }]");
                    return None;
                }
                let mut points: Vec<(NaiveDate, f64)> = Vec::with_capacity(g.points.len());
                for (k, pt) in g.points.iter().enumerate() {
                    let pk = p.key("points").index(k);
                    let d = self.date(&pk.key("date"), &pt.date)?;
                    let f =
                        self.non_negative(&pk.key("factor"), pt.factor, "factor on the base rate")?;
                    if points.last().is_some_and(|&(last, _)| d <= last) {
                        self.err(
                            &pk.key("date"),
                            "dates must increase from one point to the next",
                        );
                        return None;
                    }
                    points.push((d, f));
                }
                Some(Growth::Piecewise(points))
            }
            other => {
                let hint = did_you_mean_value(other, ["exponential", "logistic", "points"]);
                self.err(&p.key("kind"), format!("\"{other}\" is not a growth{hint}; give \"exponential\", \"logistic\" or \"points\""));
                None
            }
        }
    }

    /// A profile of `N` non-negative factors (all 1 when absent).
    pub(super) fn profile<const N: usize>(
        &mut self,
        p: &FieldPath,
        values: Option<&[f64]>,
        what: &str,
    ) -> Option<[f64; N]> {
        let Some(values) = values else {
            return Some([1.0; N]);
        };
        if values.len() != N {
            self.err(
                p,
                format!("give {what}: {N} values, found {}", values.len()),
            );
            return None;
        }
        let mut out = [0.0; N];
        for (k, &x) in values.iter().enumerate() {
            out[k] = self.non_negative(&p.index(k), x, "a factor on the rate")?;
        }
        Some(out)
    }
}

impl Validator<'_> {
    /// A service's replica: its chips (default one scale-up domain of its
    /// rack model) and the domains they make.
    fn service_replica(
        &mut self,
        p: &FieldPath,
        v: &ServiceSpec,
        rack_type: Option<usize>,
        rack_types: &[RackType],
        most: &[u64],
    ) -> Option<(u32, u32)> {
        rack_type.and_then(|t| {
            let rt = &rack_types[t];
            let per = rt.rack.scaleup_domain.max(1);
            let chips = v.replica_chips.unwrap_or(per);
            let chips =
                self.positive_int(&p.key("replica_chips"), chips, "chips of one replica")?;
            self.job_domains(&p.key("replica_chips"), chips, rt, most[t], false)
                .map(|d| (chips, d))
        })
    }

    /// Chips of one model copy (its tensor-parallel degree): the whole
    /// replica by default, else a divisor of it, so that a replica's
    /// domains host replica_chips ÷ tensor_parallel copies.
    fn tensor_parallel(
        &mut self,
        p: &FieldPath,
        replica: Option<(u32, u32)>,
        given: Option<u32>,
    ) -> Option<u32> {
        match (replica, given) {
            (Some((chips, _)), None) => Some(chips),
            (Some((chips, _)), Some(tp)) => {
                if tp == 0 || chips % tp != 0 {
                    self.err(
                        &p.key("tensor_parallel"),
                        format!(
                            "{tp} chips per model copy do not divide the replica's {chips}; give a divisor of {chips}, e.g. 8"
                        ),
                    );
                    None
                } else {
                    Some(tp)
                }
            }
            (None, _) => None,
        }
    }

    /// The weights of one model copy must leave HBM for the KV cache.
    fn weights_fit(
        &mut self,
        p: &FieldPath,
        v: &ServiceSpec,
        placed: Option<(usize, (u32, u32))>,
        weights: Option<ModelSpec>,
        rack_types: &[RackType],
    ) {
        let key = if v.model.is_some() { "model" } else { "params" };
        self.weights_fit_at(&p.key(key), "replica_chips", placed, weights, rack_types);
    }

    /// The weights of one model copy (`placed`: its rack model and chips)
    /// must leave HBM for the KV cache; the problem is reported at `at`,
    /// its fix a larger `fix` (the key that sets a copy's chips).
    fn weights_fit_at(
        &mut self,
        at: &FieldPath,
        fix: &str,
        placed: Option<(usize, (u32, u32))>,
        weights: Option<ModelSpec>,
        rack_types: &[RackType],
    ) {
        if let (Some((t, (chips, _))), Some(m)) = (placed, weights) {
            let (params, bpp) = (m.params, m.bytes_per_param);
            let hbm = f64::from(chips) * rack_types[t].chip.hbm.value();
            let need = params * bpp;
            if need >= hbm {
                let per_chip = rack_types[t].chip.hbm.value();
                let domain = rack_types[t].rack.scaleup_domain.max(1);
                // The fewest whole domains whose HBM exceeds the weights.
                let chips_needed = ((need / per_chip).floor() as u32 + 1).div_ceil(domain) * domain;
                self.err(
                    at,
                    format!(
                        "the weights take {:.0} GB ({} parameters × {bpp} B) and a replica of {chips} {} chips holds {:.0} GB of HBM, with none left for KV cache; give {fix} = {chips_needed} ({} scale-up domains of {domain}) or more, or a smaller model",
                        need / 1e9,
                        number(params),
                        rack_types[t].chip.name,
                        hbm / 1e9,
                        chips_needed / domain,
                    ),
                );
            }
        }
    }

    /// Mean input and output tokens per request and the output's
    /// coefficient of variation: given, or from a request trace
    /// (`sizes_trace`), one way.
    fn request_sizes(
        &mut self,
        p: &FieldPath,
        v: &ServiceSpec,
    ) -> (Option<f64>, Option<f64>, Option<Option<f64>>) {
        let tokens = |me: &mut Self, key: &str, x: f64| {
            me.positive(&p.key(key), x, "mean tokens per request, e.g. 1000")
        };
        match &v.sizes_trace {
            Some(file) => {
                for (key, set) in [
                    ("input_tokens", v.input_tokens.is_some()),
                    ("output_tokens", v.output_tokens.is_some()),
                    ("output_tokens_cv", v.output_tokens_cv.is_some()),
                ] {
                    if set {
                        self.err(
                            &p.key(key),
                            "sizes_trace gives the request sizes; give them one way",
                        );
                    }
                }
                match self.trace_requests(
                    &p.key("sizes_trace"),
                    &p.key("sizes_format"),
                    file,
                    v.sizes_format.as_deref(),
                ) {
                    Some(r) => {
                        let n = r.len() as f64;
                        let mean_in = r.iter().map(|x| f64::from(x.input_tokens)).sum::<f64>() / n;
                        let mean_out =
                            r.iter().map(|x| f64::from(x.output_tokens)).sum::<f64>() / n;
                        let var_out = r
                            .iter()
                            .map(|x| (f64::from(x.output_tokens) - mean_out).powi(2))
                            .sum::<f64>()
                            / n;
                        (
                            Some(mean_in),
                            Some(mean_out),
                            Some(Some(var_out.sqrt() / mean_out)),
                        )
                    }
                    None => (None, None, None),
                }
            }
            None => {
                let mut given = |key: &str, x: Option<f64>| match x {
                    Some(x) => tokens(self, key, x),
                    None => {
                        self.err(
                            &p.key(key),
                            "missing: the mean tokens per request (e.g. 1000), or give sizes_trace",
                        );
                        None
                    }
                };
                let i = given("input_tokens", v.input_tokens);
                let o = given("output_tokens", v.output_tokens);
                let cv = match v.output_tokens_cv {
                    None => Some(None),
                    Some(c) => self
                        .non_negative(
                            &p.key("output_tokens_cv"),
                            c,
                            "standard deviation ÷ mean of the output tokens, e.g. 1.2",
                        )
                        .map(Some),
                };
                (i, o, cv)
            }
        }
    }

    /// A mean request must fit the KV cache a replica has left.
    fn kv_fits(
        &mut self,
        p: &FieldPath,
        placed: Option<(usize, (u32, u32))>,
        weights: Option<ModelSpec>,
        sizes: Option<(f64, f64)>,
        rack_types: &[RackType],
    ) {
        if let (Some((t, (chips, _))), Some(m), Some((i, o))) = (placed, weights, sizes) {
            let (params, bpp, kv) = (m.params, m.bytes_per_param, m.kv_bytes_per_token);
            let left = f64::from(chips) * rack_types[t].chip.hbm.value() - params * bpp;
            let need = kv * (i + o);
            if left > 0.0 && need > left {
                self.err(
                    &p.key("replica_chips"),
                    format!(
                        "a mean request ({i:.0} + {o:.0} tokens × {kv:.0} B of KV cache = {:.1} GB) does not fit the {:.1} GB a replica has left after the weights; give replica_chips more chips or shorter requests",
                        need / 1e9,
                        left / 1e9
                    ),
                );
            }
        }
    }

    /// The sigma of the demand's log-normal noise (default 0).
    fn noise_sigma(&mut self, p: &FieldPath, given: Option<f64>) -> Option<f64> {
        match given {
            None => Some(0.0),
            Some(x) => self
                .non_negative(
                    &p.key("noise_sigma"),
                    x,
                    "sigma of the log of the noise, e.g. 0.1",
                )
                .and_then(|x| {
                    if x > MAX_LOGNORMAL_SIGMA {
                        self.err(
                            &p.key("noise_sigma"),
                            format!("at most {MAX_LOGNORMAL_SIGMA}, found {x}"),
                        );
                        None
                    } else {
                        Some(x)
                    }
                }),
        }
    }

    /// The latency targets: time to first token (default 2 s), time per
    /// output token (default 100 ms) and the percentile they hold at
    /// (default 99).
    fn slos(
        &mut self,
        p: &FieldPath,
        v: &ServiceSpec,
    ) -> (Option<SimDuration>, Option<SimDuration>, Option<f64>) {
        let ttft_slo =
            self.positive_duration(&p.key("ttft_slo"), v.ttft_slo.as_deref().unwrap_or("2s"));
        let tpot_slo =
            self.positive_duration(&p.key("tpot_slo"), v.tpot_slo.as_deref().unwrap_or("100ms"));
        let slo_percentile = match v.slo_percentile {
            None => Some(99.0),
            Some(x) if x.is_finite() && x > 0.0 && x < 100.0 => Some(x),
            Some(x) => {
                self.err(
                    &p.key("slo_percentile"),
                    format!(
                        "must be between 0 and 100 (exclusive), found {} (e.g. 99 for p99)",
                        number(x)
                    ),
                );
                None
            }
        };
        (ttft_slo, tpot_slo, slo_percentile)
    }

    /// Autoscaling: the target utilization (default 0.7), the replica
    /// bounds, the delay of a scale-up (default 10 min) and what happens
    /// beyond capacity (drop, default, or backlog).
    #[allow(clippy::type_complexity)]
    fn autoscaling(
        &mut self,
        p: &FieldPath,
        v: &ServiceSpec,
    ) -> (Option<f64>, u32, u32, Option<SimDuration>, Option<bool>) {
        let target_utilization = match v.target_utilization {
            None => Some(0.7),
            Some(x) => self
                .fraction(&p.key("target_utilization"), x)
                .and_then(|x| {
                    if x > 0.0 {
                        Some(x)
                    } else {
                        self.err(
                            &p.key("target_utilization"),
                            "must be greater than 0 (e.g. 0.7)",
                        );
                        None
                    }
                }),
        };
        let min_replicas = v.min_replicas.unwrap_or(1);
        let max_replicas = v.max_replicas.unwrap_or(1_000_000);
        if max_replicas == 0 || max_replicas < min_replicas {
            self.err(
                &p.key("max_replicas"),
                format!("must be at least 1 and at least min_replicas ({min_replicas}), found {max_replicas}"),
            );
        }
        let scale_up_delay = self.duration(
            &p.key("scale_up_delay"),
            v.scale_up_delay.as_deref().unwrap_or("10min"),
        );
        let backlog = match v.beyond_capacity.as_deref() {
            None | Some("drop") => Some(false),
            Some("backlog") => Some(true),
            Some(other) => {
                let hint = did_you_mean_value(other, ["drop", "backlog"]);
                self.err(
                    &p.key("beyond_capacity"),
                    format!("\"{other}\" is not a policy{hint}; give \"drop\" or \"backlog\""),
                );
                None
            }
        };
        (
            target_utilization,
            min_replicas,
            max_replicas,
            scale_up_delay,
            backlog,
        )
    }

    /// Disaggregated pools (`prefill_chips`, `prefill_tensor_parallel`):
    /// `Some(None)` when not stated; the prefill chips are whole copies and
    /// leave at least one chip of the replica for decodes.
    fn pools(
        &mut self,
        p: &FieldPath,
        v: &ServiceSpec,
        replica: Option<(u32, u32)>,
    ) -> Option<Option<Pools>> {
        let Some(prefill_chips) = v.prefill_chips else {
            if v.prefill_tensor_parallel.is_some() {
                self.err(
                    &p.key("prefill_tensor_parallel"),
                    "is the prefill copies' degree of a disaggregated service: give prefill_chips too (the chips of each replica that run prefills), or remove it",
                );
                return None;
            }
            return Some(None);
        };
        let (chips, _) = replica?;
        if prefill_chips == 0 || prefill_chips >= chips {
            self.err(
                &p.key("prefill_chips"),
                format!(
                    "{prefill_chips} prefill chips must be at least 1 and fewer than the replica's {chips} (the rest decode); e.g. prefill_chips = {} with replica_chips = {}",
                    chips.max(2) / 2,
                    chips.max(2)
                ),
            );
            return None;
        }
        let tp = v
            .prefill_tensor_parallel
            .or(v.tensor_parallel)
            .unwrap_or(prefill_chips);
        if tp == 0 || prefill_chips % tp != 0 {
            let key = if v.prefill_tensor_parallel.is_some() {
                "prefill_tensor_parallel"
            } else {
                "prefill_chips"
            };
            self.err(
                &p.key(key),
                format!(
                    "{tp} chips per prefill copy do not divide the {prefill_chips} prefill chips; give prefill_chips a multiple of {tp}, or prefill_tensor_parallel a divisor of {prefill_chips}"
                ),
            );
            return None;
        }
        Some(Some(Pools {
            prefill_chips,
            prefill_tensor_parallel: tp,
        }))
    }

    /// A separate prefill pool (`[services.prefill_pool]`): `Some(None)`
    /// when not stated; its replicas are whole scale-up domains of the
    /// service's rack model, its copies divide them, its bounds are
    /// ordered, and it does not come with a fixed share (`prefill_chips`).
    /// `placed` is the service's rack model and weights, if valid: a
    /// prefill copy must hold the weights with room for KV cache.
    fn prefill_pool(
        &mut self,
        p: &FieldPath,
        v: &ServiceSpec,
        (rack_type, weights): (Option<usize>, Option<ModelSpec>),
        rack_types: &[RackType],
        most: &[u64],
    ) -> Option<Option<PrefillPool>> {
        let Some(spec) = &v.prefill_pool else {
            return Some(None);
        };
        let at = p.key("prefill_pool");
        if v.prefill_chips.is_some() || v.prefill_tensor_parallel.is_some() {
            self.err(
                &at,
                "is a separate pool of prefill replicas, and prefill_chips a fixed share of each replica: give one of the two (remove prefill_chips and prefill_tensor_parallel, or this table)",
            );
            return None;
        }
        let t = rack_type?;
        let rt = &rack_types[t];
        let chips = spec.replica_chips.unwrap_or(rt.rack.scaleup_domain.max(1));
        let chips_at = at.key("replica_chips");
        let chips = self.positive_int(&chips_at, chips, "chips of one prefill replica")?;
        let domains = self.job_domains(&chips_at, chips, rt, most[t], false);
        let tp = spec.tensor_parallel.unwrap_or(chips);
        let tp = if tp == 0 || chips % tp != 0 {
            self.err(
                &at.key("tensor_parallel"),
                format!(
                    "{tp} chips per prefill copy do not divide the prefill replica's {chips}; give a divisor of {chips}, e.g. {chips}"
                ),
            );
            None
        } else {
            Some(tp)
        };
        let min_replicas = spec.min_replicas.unwrap_or(1);
        let max_replicas = spec.max_replicas.unwrap_or(1_000_000);
        if max_replicas == 0 || max_replicas < min_replicas {
            self.err(
                &at.key("max_replicas"),
                format!("must be at least 1 and at least the prefill pool's min_replicas ({min_replicas}), found {max_replicas}"),
            );
            return None;
        }
        if let Some(tp) = tp {
            let placed = Some((t, (tp, 0)));
            let key = at.key("tensor_parallel");
            self.weights_fit_at(&key, "tensor_parallel", placed, weights, rack_types);
        }
        Some(Some(PrefillPool {
            replica_chips: chips,
            replica_domains: domains?,
            tensor_parallel: tp?,
            min_replicas,
            max_replicas,
        }))
    }

    /// The share of prompt tokens a prefix cache holds (default 0): a
    /// number from 0 to below 1 (the last prompt token is always computed);
    /// 0 when refused (the problem is recorded).
    fn prefix_hit_rate(&mut self, p: &FieldPath, given: Option<f64>) -> f64 {
        let Some(x) = given else {
            return 0.0;
        };
        let Some(x) = self.finite(&p.key("prefix_hit_rate"), x) else {
            return 0.0;
        };
        if (0.0..1.0).contains(&x) {
            x
        } else {
            self.err(
                &p.key("prefix_hit_rate"),
                format!(
                    "{} is not a hit rate; give the share of prompt tokens found in the prefix cache, from 0 (none, the default) to below 1 (0.4: 40% of each prompt's prefill skipped)",
                    number(x)
                ),
            );
            0.0
        }
    }

    /// How a replica runs prefills: chunked (default) within a token
    /// budget per iteration (default vLLM's 8192), or whole.
    fn prefill(&mut self, p: &FieldPath, v: &ServiceSpec) -> Option<Prefill> {
        match (v.prefill.as_deref(), v.max_batched_tokens) {
            (_, Some(0)) => {
                self.err(
                    &p.key("max_batched_tokens"),
                    "must be at least 1 token per iteration (vLLM's default on large GPUs: 8192)",
                );
                None
            }
            (None | Some("chunked"), budget) => Some(Prefill::Chunked {
                budget: budget.unwrap_or(DEFAULT_TOKEN_BUDGET),
            }),
            (Some("whole"), None) => Some(Prefill::Whole),
            (Some("whole"), Some(_)) => {
                self.err(
                    &p.key("max_batched_tokens"),
                    "is the token budget of chunked prefill: remove it, or set prefill = \"chunked\"",
                );
                None
            }
            (Some(other), _) => {
                let hint = did_you_mean_value(other, ["chunked", "whole"]);
                self.err(
                    &p.key("prefill"),
                    format!(
                        "\"{other}\" is not a prefill mode{hint}; give \"chunked\" or \"whole\""
                    ),
                );
                None
            }
        }
    }
}
