//! Common random numbers: every cohort (nodes, rack power and uplinks of one
//! rack model at one site; a site's outages; each inter-site link) draws its
//! failures and repairs from streams of its own, so adding a rack model, a
//! site or a link leaves the failure history of every other component
//! unchanged. Two plans are then compared on the same luck.

use dcsim::catalog::failures::FailureKind;
use dcsim::record::FailureRow;

use crate::internals::common::{Edit, fixture, run};
use dcsim::scenario::{Overrides, load_str};

/// A failure, without the global rack number (racks are numbered in
/// commissioning order across sites, which an added phase shifts) and, for a
/// site outage, without the chips it takes down (the site's whole fleet,
/// which an added rack model grows by design).
fn key(r: &FailureRow) -> String {
    let chips = if r.class == FailureKind::SiteOutage {
        String::from("-")
    } else {
        r.chips_down.to_string()
    };
    format!(
        "{:.6} {} {} {} {} {} {:.4} {:.4}",
        r.time_h,
        r.site,
        r.class.key(),
        r.rack,
        chips,
        r.remedy,
        r.downtime_h,
        r.age_h
    )
}

fn failures(text: &str) -> Vec<FailureRow> {
    let scenario = load_str("golden-variant.toml", text, None, &Overrides::default())
        .unwrap_or_else(|e| panic!("variant does not load:\n{e}"));
    run(&scenario).0.failures
}

fn base() -> String {
    std::fs::read_to_string(fixture("golden.toml")).unwrap()
}

/// Asserts that `variant`'s failures, less those `added` claims, are exactly
/// the base run's.
#[track_caller]
fn assert_unchanged(variant: &str, added: impl Fn(&FailureRow) -> bool, what: &str) {
    let before: Vec<String> = failures(&base()).iter().map(key).collect();
    let after = failures(variant);
    let new = after.iter().filter(|r| added(r)).count();
    assert!(
        new > 0,
        "{what}: the added component never failed, so this test shows nothing"
    );
    let kept: Vec<String> = after.iter().filter(|r| !added(r)).map(key).collect();
    assert!(
        before.len() > 1000,
        "the base run has failures of every class"
    );
    assert_eq!(
        kept.len(),
        before.len(),
        "{what}: other components' failure count moved"
    );
    for (a, b) in before.iter().zip(&kept) {
        assert_eq!(a, b, "{what}: another component's failure moved");
    }
}

#[test]
fn adding_a_rack_model_leaves_other_failures_unchanged() {
    // `south` is the last site: the phase goes last in its build-out, before
    // `[[links]]` (delivery delays are drawn in phase order).
    let variant = base().edit(
        "[[links]]",
        "[[sites.buildout]]\nrack = \"hgx-b200\"\ncount = 6\ndate = \"2026-02-01\"\nspare_nodes = 1\n\n[[links]]",
    );
    assert_unchanged(&variant, |r| r.rack == "hgx-b200", "new rack model");
}

#[test]
fn adding_a_site_leaves_other_failures_unchanged() {
    let variant = format!(
        "{}\n[[sites]]\nname = \"east\"\ngrid_mw = 5\npue = 1.3\n\n[[sites.buildout]]\nrack = \"hgx-h100\"\ncount = 20\ndate = \"2026-01-10\"\n",
        base()
    );
    assert_unchanged(&variant, |r| r.site == "east", "new site");
}

#[test]
fn adding_a_link_leaves_other_failures_unchanged() {
    let variant = format!(
        "{}\n[[links]]\nfrom = \"south\"\nto = \"north\"\nbandwidth_gbit_per_s = 100\nlatency = \"12ms\"\n",
        base()
    );
    assert_unchanged(
        &variant,
        |r| r.component.to_string() == "link south-north",
        "new link",
    );
}
