//! The scenario `input_bounds.rs`'s integration and white-box halves edit.

/// A one-site scenario; `extra_site` is appended to the site's table and
/// `top` to the top-level keys.
pub fn scenario(top: &str, extra_site: &str) -> String {
    format!(
        r#"name = "bounds"
start = "2026-01-01"
{top}
[[sites]]
name = "a"
grid_mw = 10
pue = 1.2
{extra_site}
[[sites.buildout]]
rack = "hgx-h100"
count = 2
date = "2026-01-01"
"#
    )
}
