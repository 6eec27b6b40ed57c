//! `cargo bench --bench serve`: the Azure conversation trace (19,366
//! requests) replayed request by request on two Llama-2-7B replicas on
//! H100, against a bare-heap PHOLD baseline from the same process.

mod common;

fn main() -> std::process::ExitCode {
    common::dcsim_bench(&["serve", "--repeat", "5"])
}
