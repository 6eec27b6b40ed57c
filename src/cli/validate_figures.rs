//! `dcsim validate-figures`: dcsim against published measurements
//! (docs/validation.md); the work is in the library's `validation` module.

use std::path::PathBuf;

use crate::validation::{self, Inputs, ValidationError};

use super::Failure;

/// The arguments of `dcsim validate-figures`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder to write into.
    #[arg(long, default_value = "output/validation")]
    pub out: PathBuf,
    /// Folder of the real Alibaba GPU v2023 files (not shipped); adds its rows.
    #[arg(long)]
    pub alibaba: Option<PathBuf>,
    /// The repository's top folder (holding scenarios/validation and data).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// Prints the table and writes its files into `--out`.
pub fn execute(a: Args) -> Result<(), Failure> {
    let inputs = Inputs {
        alibaba: a.alibaba,
        ..Inputs::under(&a.root)
    };
    match validation::write(&inputs, &a.out) {
        Ok(w) => {
            print!("{}", validation::table(&w.rows));
            println!("wrote {}", a.out.display());
            Ok(())
        }
        Err(ValidationError::BadInput(m)) => Err(Failure::BadInput(m)),
        Err(ValidationError::Output(e)) => Err(Failure::Output(e)),
        Err(e) => Err(Failure::Internal(anyhow::anyhow!(e.to_string()))),
    }
}
