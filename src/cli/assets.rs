//! Shell completions and man pages, generated from the clap definitions. They are committed under
//! `completions/` and `man/`; `ansible-runner --generate-assets .` rewrites them, and a test fails
//! when the committed copies are stale.

use std::fs;
use std::io;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::{self, ExitStatus};

/// `ansible-runner --generate-assets DIR`: writes `DIR/completions/` and `DIR/man/`.
pub fn generate_command(root: &Path) -> anyhow::Result<ExitStatus> {
    generate(root).with_context(|| format!("cannot write completions and man pages into {}", root.display()))?;
    Ok(ExitStatus::Success)
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
    // No page names `ansible-runner-help(1)`: `help` is clap's, not a command with a page.
    let command = Cli::command().disable_help_subcommand(true);
    write_page(&man, "ansible-runner", command.clone(), &EXAMPLES.map(|(_, example)| example))?;
    write_subcommand_pages(&man, "ansible-runner", &command)
}

/// A page for every visible subcommand, nested ones included (`ansible-runner-worker-cleanup`),
/// so every page a SUBCOMMANDS section names exists.
fn write_subcommand_pages(man: &Path, parent: &str, command: &clap::Command) -> io::Result<()> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{parent}-{}", sub.get_name());
        let examples: Vec<_> =
            EXAMPLES.iter().filter(|(commands, _)| commands.contains(&sub.get_name())).map(|(_, e)| *e).collect();
        let page = sub.clone().name(name.clone()).disable_help_subcommand(true);
        write_page(man, &name, page.clone(), &examples)?;
        write_subcommand_pages(man, &name, &page)?;
    }
    Ok(())
}

/// The EXAMPLES of the man pages: which commands' pages show each, what it is for, and the lines.
type Example = (&'static str, &'static str);
const EXAMPLES: [(&[&str], Example); 5] = [
    (
        &["run"],
        (
            "From cron: a quiet run that never overlaps the last one, alerts a webhook when it fails, \
             keeps the last 30 runs and leaves metrics for node_exporter.",
            "*/30 * * * * ansible-runner run /srv/jobs/web -p site.yml -q --lock --rotate-artifacts 30 \\\n\
             \x20   --notify-url https://hooks.example.com/ansible --metrics-file /var/lib/node_exporter/web.prom",
        ),
    ),
    (
        &["run"],
        (
            "In CI: the job's rc fails the step, JUnit feeds the test report, the summary ends the log.",
            "ansible-runner run . -p deploy.yml --junit report.xml --summary",
        ),
    ),
    (
        &["transmit", "worker", "process"],
        (
            "On another machine over SSH, with its events and artifacts back here.",
            "ansible-runner transmit /srv/jobs/web -p site.yml | ssh node1 ansible-runner worker \\\n\
             \x20   | ansible-runner process /srv/jobs/web",
        ),
    ),
    (
        &["run", "start"],
        (
            "In a container (an execution environment) with podman.",
            "ansible-runner run /srv/jobs/web -p site.yml --process-isolation --container-image quay.io/ansible/awx-ee",
        ),
    ),
    (
        &["start", "stop", "is-alive"],
        (
            "Detached: start, ask, stop.",
            "ansible-runner start /srv/jobs/web -p site.yml\nansible-runner is-alive /srv/jobs/web\nansible-runner stop /srv/jobs/web",
        ),
    ),
];

/// clap_complete's bash script spells the hyphenated command two ways: the loop that finds the
/// subcommand says `ansible__runner__subcmd__run`, the `case` that completes its options
/// `ansible__subcmd__runner__subcmd__run`, so nothing after a subcommand completed. One spelling.
fn mend_bash(path: &Path) -> io::Result<()> {
    let script = fs::read_to_string(path)?;
    fs::write(path, script.replace("ansible__subcmd__runner", "ansible__runner"))
}

fn write_page(dir: &Path, name: &str, command: clap::Command, examples: &[Example]) -> io::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    page.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (code, meaning) in exit::MEANINGS {
        page.extend_from_slice(format!(".TP\n\\fB{}\\fR\n{}\n", roff(code), roff(meaning)).as_bytes());
    }
    if !examples.is_empty() {
        page.extend_from_slice(b".SH EXAMPLES\n");
        for (what, lines) in examples {
            page.extend_from_slice(
                format!(".PP\n{}\n.PP\n.nf\n.RS 4\n{}\n.RE\n.fi\n", roff(what), roff(lines)).as_bytes(),
            );
        }
    }
    fs::write(dir.join(format!("{name}.1")), page)
}

/// Text as roff prints it: backslashes and hyphens escaped, no line read as a request.
fn roff(text: &str) -> String {
    text.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|line| if line.starts_with(['.', '\'']) { format!("\\&{line}") } else { line.to_owned() })
        .collect::<Vec<_>>()
        .join("\n")
}
