//! Shell completions and man pages, generated from the clap definitions. They are committed under
//! `completions/` and `man/`; `ansible-runner --generate-assets .` rewrites them, and a test fails
//! when the committed copies are stale.

use std::fs;
use std::io;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

pub fn generate(root: &Path) -> io::Result<()> {
    let completions = root.join("completions");
    fs::create_dir_all(&completions)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Elvish, Shell::PowerShell] {
        let mut command = Cli::command();
        clap_complete::generate_to(shell, &mut command, "ansible-runner", &completions)?;
    }
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

fn write_page(dir: &Path, name: &str, command: clap::Command) -> io::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    fs::write(dir.join(format!("{name}.1")), page)
}
