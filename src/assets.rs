//! Shell completions and man pages, generated from the clap definitions. They are committed under
//! `completions/` and `man/`; `ansible-runner --generate-assets .` rewrites them, and a test fails
//! when the committed copies are stale.

use std::fs;
use std::io;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit;

/// `ansible-runner --generate-assets DIR`: writes `DIR/completions/` and `DIR/man/`.
pub fn generate_command(root: &Path) -> i32 {
    match generate(root) {
        Ok(()) => exit::OK,
        Err(err) => {
            errln!("ansible-runner: cannot write completions and man pages into {}: {err}", root.display());
            exit::FAILURE
        }
    }
}

fn generate(root: &Path) -> io::Result<()> {
    let completions = root.join("completions");
    fs::create_dir_all(&completions)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Elvish, Shell::PowerShell] {
        let mut command = Cli::command();
        clap_complete::generate_to(shell, &mut command, "ansible-runner", &completions)?;
    }
    mend_bash(&completions.join("ansible-runner.bash"))?;
    let man = root.join("man");
    fs::create_dir_all(&man)?;
    let command = Cli::command();
    write_page(&man, "ansible-runner", command.clone())?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("ansible-runner-{}", sub.get_name());
        write_page(&man, &name, sub.clone().name(name.clone()))?;
    }
    Ok(())
}

/// clap_complete's bash script spells the hyphenated command two ways: the loop that finds the
/// subcommand says `ansible__runner__subcmd__run`, the `case` that completes its options
/// `ansible__subcmd__runner__subcmd__run`, so nothing after a subcommand completed. One spelling.
fn mend_bash(path: &Path) -> io::Result<()> {
    let script = fs::read_to_string(path)?;
    fs::write(path, script.replace("ansible__subcmd__runner", "ansible__runner"))
}

fn write_page(dir: &Path, name: &str, command: clap::Command) -> io::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    fs::write(dir.join(format!("{name}.1")), page)
}
