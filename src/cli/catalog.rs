//! `dcsim catalog`: the built-in chips, racks and failure classes.

use crate::catalog::Catalog;
use crate::console::{self, CatalogPart};

use super::Failure;

/// The arguments of `dcsim catalog`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Print only one part (required with `--format csv`: one table per
    /// CSV stream).
    #[arg(long, value_enum, default_value = "all")]
    pub only: Part,
}

/// How the catalog is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns with sources.
    Table,
    /// Comma-separated values.
    Csv,
}

/// Which part of the catalog to print (the library's [`CatalogPart`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// Chips, racks and failure classes.
    All,
    /// Chips only.
    Chips,
    /// Racks only.
    Racks,
    /// Failure classes only.
    Failures,
}

impl From<Part> for CatalogPart {
    fn from(p: Part) -> Self {
        match p {
            Part::All => CatalogPart::All,
            Part::Chips => CatalogPart::Chips,
            Part::Racks => CatalogPart::Racks,
            Part::Failures => CatalogPart::Failures,
        }
    }
}

/// Prints the catalog (or one part) as a table or CSV.
pub fn execute(a: &Args) -> Result<(), Failure> {
    let (format, only) = (a.format, CatalogPart::from(a.only));
    let c = Catalog::builtin();
    match (format, only.table()) {
        (Format::Table, _) => print!("{}", console::catalog_table(&c, only)),
        (Format::Csv, Some(table)) => print!("{}", console::catalog_csv(&c, table)),
        (Format::Csv, None) => {
            return Err(Failure::BadInput(
                "--format csv prints one table with one header: add --only chips, --only racks or --only failures".into(),
            ));
        }
    }
    Ok(())
}
