//! `diameter`: inspect and build Diameter messages and dictionaries from the command line.

mod bench_cmd;
mod dict_cmd;
mod input;
mod load_cmd;
mod message_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use diameter::dict::Dictionary;

#[derive(Parser)]
#[command(
    name = "diameter",
    version,
    about = "Diameter message and dictionary tool"
)]
struct Cli {
    /// Extra dictionary file or folder, loaded on top of the shipped set (repeatable).
    #[arg(long = "dict", global = true, value_name = "PATH")]
    dicts: Vec<PathBuf>,
    /// Use only the --dict files, not the shipped dictionaries.
    #[arg(long, global = true)]
    no_default_dict: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print messages given as hex text or raw binary (several may follow each other).
    Dump {
        /// Print the JSON form instead of the text dump.
        #[arg(long)]
        json: bool,
        /// Input file; `-` or nothing for standard input.
        file: Option<PathBuf>,
    },
    /// Encode messages given in the JSON form (one object or an array) into hex lines.
    Encode {
        /// Input file; `-` or nothing for standard input.
        file: Option<PathBuf>,
    },
    /// Time decode, path reads and re-encode of the first message in FILE.
    Bench {
        /// AVP path to read on each iteration (repeatable).
        #[arg(long = "path", value_name = "A.B.C")]
        paths: Vec<String>,
        /// How many times to decode, read and encode.
        #[arg(long, default_value_t = 1_000_000)]
        iterations: u64,
        /// Input file; `-` or nothing for standard input.
        file: Option<PathBuf>,
        #[command(flatten)]
        load: Box<load_cmd::LoadArgs>,
    },
    /// Dictionary queries.
    Dict {
        #[command(subcommand)]
        command: DictCommand,
    },
}

#[derive(Subcommand)]
enum DictCommand {
    /// Show an AVP by name or by CODE[:VENDOR], or a command by name (`CCR`).
    Lookup {
        /// AVP name, AVP code (`CODE` or `CODE:VENDOR`) or command name.
        key: String,
        /// Application whose view is used (fallback to parent and base applies).
        #[arg(long, default_value_t = 4)]
        app: u32,
    },
    /// Load dictionary files or folders on their own and report errors, warnings and counts.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Count AVPs (grouped, enumerated) and commands per application and per vendor.
    Stats,
    /// Report each AVP of another set (go-diameter or Wireshark XML, freeDiameter CSV/JSON;
    /// file or folder) whose code, vendor, type or M flag differs from ours.
    Compare {
        /// The other dictionary file or folder.
        path: PathBuf,
    },
}

fn dictionary(cli: &Cli) -> anyhow::Result<Dictionary> {
    let mut dict = if cli.no_default_dict {
        Dictionary::new()
    } else {
        Dictionary::shipped().context("loading the shipped dictionaries")?
    };
    for path in &cli.dicts {
        for warning in dict.load_path(path)? {
            eprintln!("warning: {}: {}", warning.location, warning.message);
        }
    }
    Ok(dict)
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Dump { json, file } => {
            let dict = dictionary(cli)?;
            message_cmd::dump(&dict, &input::read(file.as_deref())?, *json)
        }
        Command::Encode { file } => {
            let dict = dictionary(cli)?;
            message_cmd::encode(&dict, &input::read(file.as_deref())?)
        }
        Command::Bench {
            paths,
            iterations,
            file,
            load,
        } => {
            let dict = dictionary(cli)?;
            if load.target.is_some() {
                let template = file.as_deref().map(|f| input::read(Some(f))).transpose()?;
                return load_cmd::run(dict, load, template);
            }
            bench_cmd::run(&dict, &input::read(file.as_deref())?, paths, *iterations)
        }
        Command::Dict { command } => match command {
            DictCommand::Lookup { key, app } => dict_cmd::lookup(&dictionary(cli)?, key, *app),
            DictCommand::Check { paths } => dict_cmd::check(paths),
            DictCommand::Stats => {
                dict_cmd::stats(&dictionary(cli)?);
                Ok(())
            }
            DictCommand::Compare { path } => dict_cmd::compare(&dictionary(cli)?, path),
        },
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
