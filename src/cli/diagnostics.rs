//! How failures reach the user. A runtime error is one line that says each thing once; a command
//! line that cannot be parsed is reported in the words of the Python tool's argparse (a usage line,
//! then `PROG: error: MESSAGE`, exit 2), because scripts and the reference's own tests match them.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Command, CommandFactory};

use crate::cli::{Cli, COMMON_USAGE};
use crate::exit;

/// No command given: the common usage on stdout, then the usage error (as the Python tool does).
pub fn missing_command() -> i32 {
    let _ = std::io::Write::write_all(&mut std::io::stdout(), COMMON_USAGE.as_bytes());
    let mut root = Cli::command();
    root.build();
    print_usage_error(&mut root, &[], "the following arguments are required: command");
    exit::USAGE
}

/// argparse takes a separate `--cmdline` value that reads as one option (`--check`, `-C`: a dash,
/// no space) for an option, so the flag has no value; clap would take it as the value. Said as
/// argparse says it; `--cmdline=--check` and `--cmdline "--check --diff"` are values to both.
pub fn cmdline_without_value(args: &[String]) -> Option<i32> {
    let at = args.windows(2).position(|pair| {
        let flag = pair[0].as_str();
        let names_cmdline = flag.len() >= "--cm".len() && "--cmdline".starts_with(flag);
        names_cmdline && pair[1].starts_with('-') && !pair[1].contains(' ')
    })?;
    let mut root = Cli::command();
    root.build();
    let path = command_path(&root, &args[..at]);
    print_usage_error(&mut root, &path, "argument --cmdline: expected one argument");
    Some(exit::USAGE)
}

/// Reports a command line that clap refused, and returns the exit code. Help output is not an error.
pub fn usage_error(err: &clap::Error, args: &[String]) -> i32 {
    if !err.use_stderr() {
        let _ = err.print();
        return exit::OK;
    }
    let mut root = Cli::command();
    root.build();
    let mut path = command_path(&root, args);
    if string(err, ContextKind::InvalidSubcommand).is_some_and(|sub| path.last() == Some(&sub)) {
        // A subcommand refused by its parent (`worker --worker-info cleanup`) is the parent's error.
        path.pop();
    }
    if path.is_empty() && err.kind() == ErrorKind::UnknownArgument {
        // argparse checks for the missing command before it looks at unknown options.
        return missing_command();
    }
    let Some((at_top, message)) = argparse_message(err, subcommand(&root, &path), args) else {
        let _ = err.print();
        return exit::USAGE;
    };
    let report_at = if at_top { &[][..] } else { &path[..] };
    print_usage_error(&mut root, report_at, &message);
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        // A person reads this: say what was probably meant. A pipe gets the reference's words only.
        if let Some(meant) = suggestion(err) {
            errln!("  did you mean '{meant}'?");
        }
    }
    exit::USAGE
}

/// The option or command clap finds closest to a mistyped one, if any is close.
fn suggestion(err: &clap::Error) -> Option<String> {
    [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand]
        .into_iter()
        .find_map(|kind| strings(err, kind).into_iter().next())
}

/// `usage: …` then `PROG: error: MESSAGE`, PROG naming the command at `path`.
fn print_usage_error(root: &mut Command, path: &[String], message: &str) {
    let usage = path
        .iter()
        .try_fold(root, |cmd, name| cmd.find_subcommand_mut(name))
        .map(|cmd| cmd.render_usage().to_string())
        .unwrap_or_default();
    let usage = usage.strip_prefix("Usage:").map_or_else(|| usage.clone(), |rest| format!("usage:{rest}"));
    let prog = std::iter::once("ansible-runner").chain(path.iter().map(String::as_str)).collect::<Vec<_>>().join(" ");
    errln!("{usage}");
    errln!("{prog}: error: {message}");
}

/// The argparse sentence for a clap error, and whether argparse reports it at the top-level parser.
/// `None` for the kinds argparse has no words for (clap's own message is printed instead).
fn argparse_message(err: &clap::Error, cmd: &Command, args: &[String]) -> Option<(bool, String)> {
    let name = |rendered: &str| argparse_name(cmd, rendered, args);
    let invalid_arg = || string(err, ContextKind::InvalidArg);
    let message = match err.kind() {
        ErrorKind::MissingRequiredArgument => {
            let names: Vec<String> = strings(err, ContextKind::InvalidArg).iter().map(|a| name(a)).collect();
            format!("the following arguments are required: {}", names.join(", "))
        }
        ErrorKind::ArgumentConflict => {
            let prior = strings(err, ContextKind::PriorArg).into_iter().next()?;
            match string(err, ContextKind::InvalidSubcommand) {
                Some(sub) if cmd.find_subcommand(&sub).is_some() => {
                    return Some((false, format!("argument {}: not allowed with command {sub}", name(&prior))))
                }
                Some(sub) => return Some((false, invalid_choice(cmd, &sub))),
                None => {}
            }
            format!("argument {}: not allowed with argument {}", name(&prior), name(&invalid_arg()?))
        }
        ErrorKind::InvalidValue => {
            let value = string(err, ContextKind::InvalidValue).unwrap_or_default();
            let choices = strings(err, ContextKind::ValidValue);
            let what = if value.is_empty() {
                "expected one argument".to_owned()
            } else if choices.is_empty() {
                format!("invalid value: '{value}'")
            } else {
                format!("invalid choice: '{value}' (choose from {})", quoted(&choices))
            };
            format!("argument {}: {what}", name(&invalid_arg()?))
        }
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(err).map(ToString::to_string).unwrap_or_default();
            format!("argument {}: {reason}", name(&invalid_arg()?))
        }
        ErrorKind::NoEquals | ErrorKind::WrongNumberOfValues => {
            format!("argument {}: expected one argument", name(&invalid_arg()?))
        }
        ErrorKind::TooFewValues => format!("argument {}: expected at least one argument", name(&invalid_arg()?)),
        ErrorKind::UnknownArgument => return Some((true, unknown_argument(cmd, &invalid_arg()?))),
        ErrorKind::TooManyValues => {
            return Some((true, format!("unrecognized arguments: {}", string(err, ContextKind::InvalidValue)?)))
        }
        ErrorKind::InvalidSubcommand => invalid_choice(cmd, &string(err, ContextKind::InvalidSubcommand)?),
        _ => return None,
    };
    Some((false, message))
}

/// An option argparse does not know: either a prefix of several options (argparse accepts unique
/// prefixes, as this binary does) or simply unrecognized.
fn unknown_argument(cmd: &Command, rendered: &str) -> String {
    let typed = rendered.split('=').next().unwrap_or(rendered);
    if let Some(prefix) = typed.strip_prefix("--") {
        let matching: Vec<String> = cmd
            .get_arguments()
            .filter_map(Arg::get_long)
            .filter(|long| long.starts_with(prefix))
            .map(|long| format!("--{long}"))
            .collect();
        if matching.len() > 1 {
            return format!("ambiguous option: {typed} could match {}", matching.join(", "));
        }
    }
    format!("unrecognized arguments: {rendered}")
}

/// `argument command: invalid choice: 'x' (choose from 'run', …)`; argparse names the subcommand
/// argument of `worker` `worker_subcommand`.
fn invalid_choice(cmd: &Command, typed: &str) -> String {
    let dest = if cmd.get_bin_name().is_some_and(|name| name.contains(' ')) {
        format!("{}_subcommand", cmd.get_name())
    } else {
        "command".to_owned()
    };
    let names: Vec<String> =
        cmd.get_subcommands().map(Command::get_name).filter(|n| *n != "help").map(str::to_owned).collect();
    format!("argument {dest}: invalid choice: '{typed}' (choose from {})", quoted(&names))
}

/// How argparse names an argument: `-p/--playbook` for an option, `private_data_dir` for a
/// positional. A value taken from an environment variable says so, as nothing on the line set it.
fn argparse_name(cmd: &Command, rendered: &str, args: &[String]) -> String {
    let Some(arg) = find_arg(cmd, rendered) else { return rendered.to_owned() };
    if arg.is_positional() {
        return arg.get_id().as_str().to_owned();
    }
    let shorts = arg.get_short_and_visible_aliases().unwrap_or_default().into_iter().map(|s| format!("-{s}"));
    let longs = arg.get_long_and_visible_aliases().unwrap_or_default().into_iter().map(|l| format!("--{l}"));
    let spellings: Vec<String> = shorts.chain(longs).collect();
    let typed = args.iter().any(|a| spellings.iter().any(|s| a.starts_with(s.as_str())));
    let name = spellings.join("/");
    match arg.get_env().and_then(|var| std::env::var_os(var).is_some().then_some(var)) {
        Some(var) if !typed => format!("{name} (set by {})", var.to_string_lossy()),
        _ => name,
    }
}

/// The argument clap rendered as `--long <VALUE>`, `-s`, or `<POSITIONAL>`.
fn find_arg<'a>(cmd: &'a Command, rendered: &str) -> Option<&'a Arg> {
    let token = rendered.split_whitespace().next()?;
    if let Some(long) = token.strip_prefix("--") {
        return cmd.get_arguments().find(|a| a.get_long() == Some(long));
    }
    if let Some(short) = token.strip_prefix('-') {
        return cmd.get_arguments().find(|a| a.get_short().is_some_and(|s| short.starts_with(s)));
    }
    let value_name = token.trim_start_matches('<').trim_end_matches("...").trim_end_matches('>');
    cmd.get_positionals().find(|a| a.get_value_names().and_then(|n| n.first()).is_some_and(|n| n == value_name))
}

/// The names of the subcommands on the line (`["worker", "cleanup"]`), skipping option values.
fn command_path(root: &Command, args: &[String]) -> Vec<String> {
    let mut path = Vec::new();
    let mut cmd = root;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            break;
        }
        if arg.len() > 1 && arg.starts_with('-') {
            if !arg.contains('=') && find_arg(cmd, arg).is_some_and(|a| a.get_action().takes_values()) {
                rest.next();
            }
            continue;
        }
        match cmd.find_subcommand(arg) {
            Some(sub) => {
                path.push(sub.get_name().to_owned());
                cmd = sub;
            }
            None => break,
        }
    }
    path
}

fn subcommand<'a>(root: &'a Command, path: &[String]) -> &'a Command {
    path.iter().try_fold(root, |cmd, name| cmd.find_subcommand(name)).unwrap_or(root)
}

fn string(err: &clap::Error, kind: ContextKind) -> Option<String> {
    match err.get(kind)? {
        ContextValue::String(value) => Some(value.clone()),
        ContextValue::Strings(values) => values.first().cloned(),
        other => Some(other.to_string()),
    }
}

fn strings(err: &clap::Error, kind: ContextKind) -> Vec<String> {
    match err.get(kind) {
        Some(ContextValue::Strings(values)) => values.clone(),
        Some(ContextValue::String(value)) => vec![value.clone()],
        _ => Vec::new(),
    }
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|item| format!("'{item}'")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subcommands_are_found_past_option_values() {
        let mut root = Cli::command();
        root.build();
        let args: Vec<String> =
            ["--artifact-dir", "run", "worker", "--private-data-dir", "cleanup", "cleanup"].map(str::to_owned).into();
        assert_eq!(command_path(&root, &args), ["worker", "cleanup"]);
    }
}
