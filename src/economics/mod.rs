//! The money of a capacity contract: what the provider spends, earns and
//! keeps, month by month, driven by the simulated rows.
//!
//! # Model (simplified; in US dollars; pre-tax unless `[economics.tax]`)
//!
//! - **Capex.** Each delivered build-out phase costs
//!   `racks × price` (servers) `+ share × racks × price` (network) `+
//!   IT nameplate MW × facility $/MW` (facility), paid in its delivery
//!   month, or in `progress_months` equal payments ending with it (payments
//!   due before the run are booked in its first month). A phase delivered
//!   after the end costs nothing.
//! - **Depreciation.** Straight line per asset class: `cost ÷ life` a month
//!   for `life` months from the month the phase is commissioned (a phase
//!   never commissioned is not depreciated within the run; retirement
//!   writes off what is left only with `write_off_at_retirement`,
//!   [`retire`]).
//! - **Financing** (optional). A share of each capital payment is borrowed
//!   in its month and repaid from the next month as an annuity,
//!   `A = L·i ÷ (1 − (1+i)^−n)` with `i = rate ÷ 12`; interest is `balance ×
//!   i`. What is still owed at the end is reported, not repaid.
//! - **Opex.** Energy is the samples' cost (each site's hourly price times
//!   its facility energy). Every per-year rate accrues by the hour at
//!   1/8,760 of it, every per-month price at 1/730 (8,760 ÷ 12): maintenance
//!   is `share × IT capex (servers and network) in service`, staff
//!   `$/MW-year × IT nameplate MW online`, colocation `$/kW-month × IT
//!   nameplate kW online`, fixed costs by the hour. What is online or in
//!   service is integrated from the samples' online chip-hours, so it runs
//!   from each phase's commissioning instant, whatever the sampling.
//! - **Contracts.** A contract commits chips of some chip types, or MW of
//!   IT nameplate of them, stepping up along a ramp, for a term. Over each
//!   sample interval the fleet's healthy chip-hours of each rack model are
//!   assigned to the contracts in file order (each takes what its
//!   commitment needs from its chip types in their order, counting a chip
//!   as its rack's nameplate ÷ chips for a MW contract), so a contract
//!   misses capacity only when failures, repairs or late deliveries leave
//!   too few healthy chips of its types. The interval's chip-hours are
//!   compared, not instant by instant: `delivered = min(committed, healthy
//!   left)` per interval.
//!   - Take-or-pay bills `price × committed capacity-hours`; pay-per-use
//!     bills `price × used`, where used is the chip-hours the workloads hold
//!     (training jobs and inference replicas) on the contract's chip types,
//!     up to what was delivered, contracts taking them in file order.
//!   - A price may be derived from a total contract value: `price = value ÷
//!     committed capacity-hours over the term`.
//!   - The SLA compares each month's `delivered ÷ committed` with tiers;
//!     the lowest tier reached credits its share of the month's bill.
//! - **On demand.** The healthy chip-hours no contract takes may sell at
//!   another price: a stated share of them, or as many as the named
//!   inference services hold (their chips at each sample times the
//!   interval), up to what is left of their rack model.
//! - **Statement.** `revenue = contracts + on demand − credits`; `EBITDA =
//!   revenue − opex`; `EBIT = EBITDA − depreciation`; the owner's `cash
//!   flow = revenue − opex − capex + loan drawn − loan repaid − interest`.
//!   NPV discounts each month's cash flow from the end of its month,
//!   `Σ CF_m (1+r)^−(m+1)/12`; the IRR is the annual rate that makes it
//!   zero ([`finance::irr`]); payback is the month from which cumulative
//!   cash stays non-negative. No terminal value: the assets' book value at
//!   the end is reported beside the NPV.
//! - **Unit economics.** Cost = opex + depreciation + interest. Cost per
//!   chip-hour = cost ÷ healthy chip-hours; training and inference are
//!   charged at that rate for the chip-hours they held, per million tokens
//!   trained (and per 10¹⁸ FLOP) and per million tokens served (input +
//!   output); revenue per MW-year of IT nameplate online.
//! - **Beyond the pre-tax statement** (each optional, each in its own
//!   module): income tax with tax depreciation and losses carried forward
//!   ([`tax`]), the value left at the end ([`residual`]), named opex lines
//!   ([`lines`]) and prices and costs that escalate yearly ([`escalate`]).

pub mod books;
pub mod config;
pub mod escalate;
pub mod finance;
pub mod lines;
pub mod residual;
pub mod retire;
pub mod tax;

pub use books::Books;
pub use config::Economics;
