//! `CommandLine`: the argv, working directory and environment of the Ansible child, as a pure
//! function of the job, so it can be written to the `command` artifact and tested without running.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Serialize;

use crate::job::{JobKind, JobSpec};
use crate::util::pyjson;
use crate::util::redact::redact_env;

/// Name under which the embedded stdout callback is installed (the name Ansible tooling expects).
pub const CALLBACK_NAME: &str = "awx_display";

/// Ansible's built-in role search path, kept after `<pdd>/roles` so installed roles still resolve.
const ANSIBLE_DEFAULT_ROLES_PATH: &str = "~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommandLine {
    pub command: Vec<String>,
    #[serde(serialize_with = "lossy_path")]
    pub cwd: PathBuf,
    pub env: IndexMap<String, String>,
}

/// A path as text even when it is not UTF-8 (a private data dir may be named in any bytes); the
/// argv beside it is already text of the same form.
fn lossy_path<S: serde::Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string_lossy())
}

/// Names the event FIFO to a callback plugin not installed beside it (`callback`).
pub const EVENT_CHANNEL_VAR: &str = "RUNNER_EVENT_CHANNEL";

/// Paths decided at run time that the command line refers to.
pub struct RunPaths<'a> {
    pub artifact_dir: &'a Path,
    pub callback_dir: &'a Path,
    /// Absolute path of the synthesised playbook in role mode.
    pub role_playbook: Option<&'a Path>,
}

impl CommandLine {
    /// Builds the command line; `inherited` is the runner's own environment, in order.
    pub fn build(spec: &JobSpec, paths: &RunPaths<'_>, inherited: impl IntoIterator<Item = (String, String)>) -> Self {
        let env = child_env(spec, paths, inherited);
        let command = argv(spec, paths.role_playbook);
        let cwd = if let Some(generic) = &spec.command {
            generic.cwd.clone()
        } else if env.contains_key("AD_HOC_COMMAND_ID") || !spec.project_dir.is_dir() {
            spec.pdd.root.clone()
        } else {
            spec.project_dir.clone()
        };
        Self { command, cwd, env }
    }

    /// The program to start: the first argv item.
    pub fn program(&self) -> &str {
        self.command.first().map_or("", String::as_str)
    }

    /// The `starting` status line a worker and the Python API's pipe send for this command line.
    pub fn starting_status(&self, ident: &str) -> serde_json::Map<String, serde_json::Value> {
        let mut status = serde_json::Map::new();
        status.insert("status".to_owned(), "starting".into());
        status.insert("runner_ident".to_owned(), ident.into());
        status.insert("command".to_owned(), self.command.clone().into());
        let env = self.env.iter().map(|(key, value)| (key.clone(), value.clone().into())).collect();
        status.insert("env".to_owned(), serde_json::Value::Object(env));
        status.insert("cwd".to_owned(), self.cwd.to_string_lossy().into_owned().into());
        status
    }

    /// The form written to artifacts and streams: secret-looking values masked.
    pub fn redacted(&self) -> Self {
        Self { command: self.command.clone(), cwd: self.cwd.clone(), env: redact_env(&self.env) }
    }
}

fn argv(spec: &JobSpec, role_playbook: Option<&Path>) -> Vec<String> {
    if let Some(generic) = &spec.command {
        return generic.argv.clone();
    }
    if let Some(args) = &spec.env.args {
        // Validated when the private data dir was read.
        return crate::job::files::split_cmdline(args).unwrap_or_default();
    }
    let program = match (&spec.binary, &spec.kind) {
        (Some(binary), _) => binary.clone(),
        (None, JobKind::Module { .. }) => "ansible".to_owned(),
        (None, _) => "ansible-playbook".to_owned(),
    };
    let mut argv = vec![program];
    if let Some(cmdline) = &spec.cmdline {
        argv.extend(crate::job::files::split_cmdline(cmdline).unwrap_or_default());
    }
    push_options(&mut argv, spec);
    if spec.binary.is_none() {
        push_target(&mut argv, &spec.kind, role_playbook);
    }
    argv
}

/// The options every Ansible program gets, in the Python tool's order.
fn push_options(argv: &mut Vec<String>, spec: &JobSpec) {
    for inventory in &spec.inventory {
        argv.extend(["-i".to_owned(), inventory.display().to_string()]);
    }
    if let Some(limit) = &spec.limit {
        argv.extend(["--limit".to_owned(), limit.clone()]);
    }
    if let Some(extravars) = &spec.env.extravars {
        argv.extend(["-e".to_owned(), format!("@{}", extravars.display())]);
    }
    if let Some(vars) = &spec.env.given_extravars {
        argv.extend(["-e".to_owned(), extravars_argument(vars)]);
    }
    if spec.verbosity > 0 {
        argv.push(format!("-{}", "v".repeat(usize::from(spec.verbosity))));
    }
    for (flag, value) in [("--tags", &spec.tags), ("--skip-tags", &spec.skip_tags)] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            argv.extend([flag.to_owned(), value.to_owned()]);
        }
    }
    if let Some(forks) = spec.forks.as_deref().filter(|f| !f.is_empty()) {
        argv.extend(["--forks".to_owned(), forks.to_owned()]);
    }
}

/// What runs: the playbook (the role's synthesised one in role mode) or the module on its hosts.
fn push_target(argv: &mut Vec<String>, kind: &JobKind, role_playbook: Option<&Path>) {
    match kind {
        JobKind::Playbook { playbook } => argv.push(playbook.clone()),
        JobKind::Role { .. } => argv.push(role_playbook.map(|p| p.display().to_string()).unwrap_or_default()),
        JobKind::Raw => {}
        JobKind::Module { module, args, hosts } => {
            argv.extend(["-m".to_owned(), module.clone()]);
            if let Some(args) = args {
                argv.extend(["-a".to_owned(), args.clone()]);
            }
            argv.extend(hosts.iter().cloned());
        }
    }
}

/// Extra vars given in memory as the one `-e` argument the Python tool builds: `{"key":value,...}`,
/// each value as `json.dumps` writes it and the key as it is.
fn extravars_argument(vars: &serde_json::Map<String, serde_json::Value>) -> String {
    let items: Vec<String> = vars
        .iter()
        .map(|(key, value)| format!("\"{key}\":{}", String::from_utf8_lossy(&pyjson::to_vec(value))))
        .collect();
    format!("{{{}}}", items.join(","))
}

fn child_env(
    spec: &JobSpec,
    paths: &RunPaths<'_>,
    inherited: impl IntoIterator<Item = (String, String)>,
) -> IndexMap<String, String> {
    let mut env: IndexMap<String, String> = inherited.into_iter().collect();
    for (key, value) in &spec.env.envvars {
        env.insert(key.clone(), value.clone());
    }
    let callback_dir = paths.callback_dir.display().to_string();
    let plugins = match env.get("ANSIBLE_CALLBACK_PLUGINS") {
        Some(existing) if !existing.is_empty() => format!("{existing}:{callback_dir}"),
        _ => callback_dir,
    };
    env.insert("ANSIBLE_CALLBACK_PLUGINS".to_owned(), plugins);
    // A job run from inside another job must not write into that job's FIFO: the runner names its
    // own where the plugin needs it (`runner::Launch`).
    env.shift_remove(EVENT_CHANNEL_VAR);
    if let Some(original) = env.get("ANSIBLE_STDOUT_CALLBACK").filter(|name| name.as_str() != CALLBACK_NAME).cloned() {
        env.insert("ORIGINAL_STDOUT_CALLBACK".to_owned(), original);
    }
    if spec.is_ad_hoc() {
        env.insert("ANSIBLE_LOAD_CALLBACK_PLUGINS".to_owned(), "1".to_owned());
        env.entry("AD_HOC_COMMAND_ID".to_owned()).or_insert_with(|| "1".to_owned());
    }
    env.insert("ANSIBLE_STDOUT_CALLBACK".to_owned(), CALLBACK_NAME.to_owned());
    env.insert("ANSIBLE_RETRY_FILES_ENABLED".to_owned(), "False".to_owned());
    env.entry("ANSIBLE_HOST_KEY_CHECKING".to_owned()).or_insert_with(|| "False".to_owned());
    env.insert("AWX_ISOLATED_DATA_DIR".to_owned(), paths.artifact_dir.display().to_string());
    if spec.fact_cache_jsonfile {
        env.insert("ANSIBLE_CACHE_PLUGIN".to_owned(), "jsonfile".to_owned());
        env.insert(
            "ANSIBLE_CACHE_PLUGIN_CONNECTION".to_owned(),
            paths.artifact_dir.join(&spec.env.settings.fact_cache).display().to_string(),
        );
    }
    if let Some(roles_path) = roles_path(spec) {
        env.insert("ANSIBLE_ROLES_PATH".to_owned(), roles_path);
    }
    env.insert("RUNNER_OMIT_EVENTS".to_owned(), python_bool(spec.omit_event_data).to_owned());
    env.insert("RUNNER_ONLY_FAILED_EVENTS".to_owned(), python_bool(spec.only_failed_event_data).to_owned());
    if spec.output_passed_through() {
        // The callback plugin prints too, and leaves colour to Ansible's own choice for that output.
        env.insert("RUNNER_DISPLAY_PRINTS".to_owned(), "True".to_owned());
    }
    env
}

/// Role mode: `--roles-path` or `<pdd>/roles`, made absolute (the Python tool computes this but never
/// passes it on, so its documented default does not work). Other modes: `--roles-path` as given, or
/// `<pdd>/roles` when it exists, ahead of Ansible's own default search path.
fn roles_path(spec: &JobSpec) -> Option<String> {
    if let JobKind::Role { .. } = spec.kind {
        let path =
            spec.roles_path.as_deref().map_or_else(|| spec.pdd.roles(), |p| crate::util::fs::absolute(Path::new(p)));
        return Some(path.display().to_string());
    }
    if let Some(explicit) = &spec.roles_path {
        return Some(explicit.clone());
    }
    let default = spec.pdd.roles();
    default.is_dir().then(|| format!("{}:{ANSIBLE_DEFAULT_ROLES_PATH}", default.display()))
}

fn python_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::pdd::EnvInputs;
    use crate::job::pdd::PrivateDataDir;
    use crate::job::OutputMode;
    use crate::request::{LoggingOptions, ReportOptions};

    fn spec(dir: &Path, kind: JobKind) -> JobSpec {
        JobSpec {
            pdd: PrivateDataDir { root: dir.to_owned() },
            ident: "id".to_owned(),
            kind,
            binary: None,
            inventory: vec![dir.join("inventory")],
            limit: Some("localhost".to_owned()),
            forks: Some("3".to_owned()),
            cmdline: None,
            verbosity: 2,
            tags: None,
            skip_tags: None,
            fact_cache_jsonfile: true,
            artifact_root: dir.join("artifacts"),
            project_dir: dir.join("project"),
            rotate_artifacts: 0,
            output: OutputMode::Pretty,
            json: false,
            omit_event_data: false,
            only_failed_event_data: true,
            roles_path: None,
            env: EnvInputs { envvars: vec![("TESTVAR".to_owned(), "aval".to_owned())], ..EnvInputs::default() },
            logging: LoggingOptions::default(),
            report: ReportOptions::default(),
            isolation: None,
            command: None,
            as_given: crate::job::AsGiven::default(),
        }
    }

    fn paths(dir: &Path) -> (PathBuf, PathBuf) {
        (dir.join("artifacts/id"), dir.join("cb"))
    }

    #[test]
    fn ad_hoc_argv_matches_the_reference_order() {
        let dir = Path::new("/tmp/p1");
        let kind =
            JobKind::Module { module: "command".into(), args: Some("echo hi".into()), hosts: Some("localhost".into()) };
        let (artifacts, callback) = paths(dir);
        let line = CommandLine::build(
            &spec(dir, kind),
            &RunPaths { artifact_dir: &artifacts, callback_dir: &callback, role_playbook: None },
            Vec::new(),
        );
        assert_eq!(
            line.command,
            [
                "ansible",
                "-i",
                "/tmp/p1/inventory",
                "--limit",
                "localhost",
                "-vv",
                "--forks",
                "3",
                "-m",
                "command",
                "-a",
                "echo hi",
                "localhost"
            ]
        );
        assert_eq!(line.cwd, dir);
        assert_eq!(line.env["AD_HOC_COMMAND_ID"], "1");
    }

    #[test]
    fn env_keys_follow_the_reference_order() {
        let dir = Path::new("/tmp/p2");
        let (artifacts, callback) = paths(dir);
        let line = CommandLine::build(
            &spec(dir, JobKind::Playbook { playbook: "site.yml".into() }),
            &RunPaths { artifact_dir: &artifacts, callback_dir: &callback, role_playbook: None },
            vec![("PATH".to_owned(), "/bin".to_owned())],
        );
        let keys: Vec<&str> = line.env.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "PATH",
                "TESTVAR",
                "ANSIBLE_CALLBACK_PLUGINS",
                "ANSIBLE_STDOUT_CALLBACK",
                "ANSIBLE_RETRY_FILES_ENABLED",
                "ANSIBLE_HOST_KEY_CHECKING",
                "AWX_ISOLATED_DATA_DIR",
                "ANSIBLE_CACHE_PLUGIN",
                "ANSIBLE_CACHE_PLUGIN_CONNECTION",
                "RUNNER_OMIT_EVENTS",
                "RUNNER_ONLY_FAILED_EVENTS"
            ]
        );
        assert_eq!(line.env["RUNNER_ONLY_FAILED_EVENTS"], "True");
        assert_eq!(line.env["ANSIBLE_CACHE_PLUGIN_CONNECTION"], "/tmp/p2/artifacts/id/fact_cache");
        assert_eq!(line.command.last().map(String::as_str), Some("site.yml"));
        // The project dir does not exist here, so the job runs in the private data dir.
        assert_eq!(line.cwd, dir);
    }

    #[test]
    fn api_inputs_follow_the_reference_order() {
        let dir = Path::new("/tmp/p5");
        let mut job = spec(dir, JobKind::Playbook { playbook: "site.yml".into() });
        job.env.extravars = Some(dir.join("env/extravars"));
        job.env.given_extravars = serde_json::from_str(r#"{"a": "\u00e9", "b": [1, {"c": null}]}"#).unwrap();
        job.tags = Some("t1,t2".into());
        job.skip_tags = Some(String::new());
        job.fact_cache_jsonfile = false;
        let (artifacts, callback) = paths(dir);
        let line = CommandLine::build(
            &job,
            &RunPaths { artifact_dir: &artifacts, callback_dir: &callback, role_playbook: None },
            Vec::new(),
        );
        let after_limit = &line.command[5..];
        assert_eq!(
            after_limit,
            [
                "-e",
                "@/tmp/p5/env/extravars",
                "-e",
                r#"{"a":"\u00e9","b":[1, {"c": null}]}"#,
                "-vv",
                "--tags",
                "t1,t2",
                "--forks",
                "3",
                "site.yml"
            ]
        );
        assert!(!line.env.contains_key("ANSIBLE_CACHE_PLUGIN"));
    }

    #[test]
    fn args_file_replaces_the_whole_command() {
        let dir = Path::new("/tmp/p4");
        let mut job = spec(dir, JobKind::Playbook { playbook: "site.yml".into() });
        job.env.args = Some("ansible-playbook -i 'my hosts' other.yml".into());
        let (artifacts, callback) = paths(dir);
        let line = CommandLine::build(
            &job,
            &RunPaths { artifact_dir: &artifacts, callback_dir: &callback, role_playbook: None },
            Vec::new(),
        );
        assert_eq!(line.command, ["ansible-playbook", "-i", "my hosts", "other.yml"]);
    }

    #[test]
    fn binary_mode_appends_no_playbook() {
        let dir = Path::new("/tmp/p3");
        let mut job = spec(dir, JobKind::Playbook { playbook: "site.yml".into() });
        job.binary = Some("/usr/bin/env".into());
        let (artifacts, callback) = paths(dir);
        let line = CommandLine::build(
            &job,
            &RunPaths { artifact_dir: &artifacts, callback_dir: &callback, role_playbook: None },
            Vec::new(),
        );
        assert_eq!(line.command.first().map(String::as_str), Some("/usr/bin/env"));
        assert!(!line.command.contains(&"site.yml".to_owned()));
    }
}
