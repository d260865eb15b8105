//! Process isolation in a container (podman or docker). The Ansible command line is built as for a
//! local run, its private-data-dir paths moved under `/runner` (where that dir is mounted), and
//! wrapped into the engine's `run` command in the shape the Python tool uses, so tooling reading
//! the `command` artifact sees the same thing. Everything here but `remove_container` is pure.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use thiserror::Error;

use crate::command::CommandLine;
use crate::config::{RegistryAuth, Settings};
use crate::job::JobSpec;
use crate::request::IsolationRequest;

/// Where the private data dir appears inside the container.
pub const MOUNT_POINT: &str = "/runner";

/// Sources a container may not mount: the Python tool refuses them too.
const REFUSED_SOURCES: [&str; 3] = ["/", "/home", "/usr"];

/// How long removing a finished or stopped container may take before the runner gives up on it.
const REMOVAL_LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Podman,
    Docker,
}

/// A job's container, as resolved from the flags and `env/settings`.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    /// The engine program as given (a name on `PATH` or a path).
    pub executable: String,
    pub engine: Engine,
    pub image: String,
    pub volume_mounts: Vec<String>,
    pub options: Vec<String>,
    /// Registry credentials (`container_auth_data` in `env/settings`).
    pub auth: Option<RegistryAuth>,
}

#[derive(Debug, Error)]
pub enum IsolationError {
    #[error("Unable to find process isolation executable: {0}")]
    MissingEngine(String),
    #[error("process isolation with {0} needs an image: give --container-image or container_image in env/settings")]
    NoImage(String),
    #[error("container volume mount {0:?}: cannot mount '/', '/home' or '/usr' into the container")]
    RefusedMount(String),
    #[error("container image {0:?} starts with '-', where the engine would read it as an option")]
    OptionLikeImage(String),
}

/// Where an isolated job runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Isolation {
    Container(Container),
    Sandbox(crate::sandbox::Sandbox),
}

/// How the job is isolated, or `None` for a local run. Keys in `env/settings` replace the flags;
/// `path_var` is the `PATH` the engine is looked up on.
pub fn resolve(
    request: &IsolationRequest,
    settings: &Settings,
    path_var: Option<&str>,
) -> Result<Option<Isolation>, IsolationError> {
    if !settings.process_isolation.unwrap_or(request.process_isolation) {
        return Ok(None);
    }
    let executable = settings
        .process_isolation_executable
        .clone()
        .or_else(|| request.executable.clone())
        .unwrap_or_else(|| "podman".to_owned());
    if find_executable(&executable, path_var).is_none() {
        return Err(IsolationError::MissingEngine(executable));
    }
    let engine = match Path::new(&executable).file_name().and_then(|name| name.to_str()) {
        Some("podman") => Engine::Podman,
        Some("docker") => Engine::Docker,
        _ => return Ok(Some(Isolation::Sandbox(crate::sandbox::Sandbox::resolve(executable, request, settings)))),
    };
    let image = settings.container_image.clone().or_else(|| request.container_image.clone()).filter(|i| !i.is_empty());
    let Some(image) = image else { return Err(IsolationError::NoImage(executable)) };
    if image.starts_with('-') {
        return Err(IsolationError::OptionLikeImage(image));
    }
    let volume_mounts =
        settings.container_volume_mounts.clone().unwrap_or_else(|| request.container_volume_mounts.clone());
    if let Some(refused) = volume_mounts.iter().find(|mount| is_refused(mount)) {
        return Err(IsolationError::RefusedMount(refused.clone()));
    }
    let options = settings.container_options.clone().unwrap_or_else(|| request.container_options.clone());
    let auth = settings.container_auth_data.clone();
    Ok(Some(Isolation::Container(Container { executable, engine, image, volume_mounts, options, auth })))
}

/// Whether a mount's source is one of `REFUSED_SOURCES`, however it is spelled: both the path as
/// written with `.` and `..` worked out (an engine may create a missing source) and the real path
/// (through symlinks) are checked. A mistake guard, not a boundary: `container_options` can mount
/// anything.
fn is_refused(mount: &str) -> bool {
    let source = Path::new(mount.split(':').next().unwrap_or_default());
    let refused = |path: &Path| REFUSED_SOURCES.iter().any(|dir| path == Path::new(dir));
    refused(&lexically_normal(source)) || source.canonicalize().is_ok_and(|real| refused(&real))
}

/// `path` with `.` dropped and `..` taking off the component before it, as the engine's own path
/// cleaning reads it; nothing on disk is looked at.
fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

fn find_executable(program: &str, path_var: Option<&str>) -> Option<PathBuf> {
    let runnable = |path: &Path| path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if program.contains('/') {
        let path = PathBuf::from(program);
        return runnable(&path).then_some(path);
    }
    path_var
        .unwrap_or("/usr/local/bin:/usr/bin:/bin")
        .split(':')
        .map(|dir| Path::new(if dir.is_empty() { "." } else { dir }).join(program))
        .find(|path| runnable(path))
}

/// The container's name: the ident with anything but letters, digits, `_` and `-` made `_`.
pub fn container_name(ident: &str) -> String {
    let safe: String =
        ident.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    format!("ansible_runner_{safe}")
}

/// The artifact dir as the container sees it.
pub fn container_artifact_dir(ident: &str) -> PathBuf {
    Path::new(MOUNT_POINT).join("artifacts").join(ident)
}

/// The job as it runs in the container: the inventory is always the private data dir's own
/// (`--inventory` does not apply, as in the Python tool), when there is one.
pub fn container_spec(spec: &JobSpec) -> JobSpec {
    let mut inner = spec.clone();
    let inventory = spec.pdd.inventory();
    if inventory.exists() {
        inner.inventory = vec![inventory];
    }
    inner
}

/// A container job's command lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    /// What is started: the engine, in the runner's working directory and environment.
    pub engine: CommandLine,
    /// What the `command` artifact shows: the engine's argv, the container's workdir and environment.
    pub record: CommandLine,
    /// The `--env-file` text: the container's environment, one `KEY=VALUE` a line.
    pub env_list: String,
}

/// Where the job's ssh-agent socket appears in the container.
pub const AGENT_SOCKET: &str = "/run/ansible-runner-agent/agent.sock";

/// Host files a container job is pointed at.
pub struct HostFiles<'a> {
    /// Where `Launch::env_list` is written.
    pub env_file: &'a Path,
    /// The dir of the `registry_files`, with `container_auth_data`.
    pub auth_dir: Option<&'a Path>,
    /// The job's private ssh-agent socket, with `env/ssh_key`.
    pub agent_socket: Option<&'a Path>,
    /// Where the engine writes the id of the container it creates (`--cidfile`).
    pub cid_file: Option<&'a Path>,
}

/// Wraps `inner` (built from `container_spec` with the container's artifact paths and no inherited
/// environment) into the engine's command line.
pub fn launch(
    container: &Container,
    spec: &JobSpec,
    inner: &CommandLine,
    host: &HostFiles<'_>,
    runner: (PathBuf, IndexMap<String, String>),
) -> Launch {
    let HostFiles { env_file, auth_dir, agent_socket, cid_file } = *host;
    let pdd = spec.pdd.root.display().to_string();
    let (cwd, mut runner_env) = runner;
    let mut env = container_env(container, inner, &pdd);
    if agent_socket.is_some() {
        env.insert("SSH_AUTH_SOCK".to_owned(), AGENT_SOCKET.to_owned());
    }
    let insecure = container.auth.as_ref().is_some_and(|auth| !auth.verify_ssl);
    if let Some(dir) = auth_dir.filter(|_| insecure) {
        // The engine reads it; the Python tool also hands it to the container.
        let conf = dir.join("registries.conf").display().to_string();
        for key in ["CONTAINERS_REGISTRIES_CONF", "REGISTRIES_CONFIG_PATH"] {
            env.insert(key.to_owned(), conf.clone());
            runner_env.insert(key.to_owned(), conf.clone());
        }
    }
    let env_list = env.iter().map(|(key, value)| format!("{key}={value}")).collect::<Vec<_>>().join("\n");
    let workdir = format!("{MOUNT_POINT}/project");
    let mut argv = vec![container.executable.clone()];
    if let (Some(dir), Engine::Docker) = (auth_dir, container.engine) {
        argv.push(format!("--config={}", dir.display()));
    }
    argv.extend(["run", "--rm", "--tty", "--interactive", "--workdir"].map(str::to_owned));
    argv.push(workdir.clone());
    argv.extend(["-v".to_owned(), format!("{}/:{MOUNT_POINT}/:Z", pdd.trim_end_matches('/'))]);
    if let (Some(dir), Engine::Podman) = (auth_dir, container.engine) {
        argv.push(format!("--authfile={}", dir.join("auth.json").display()));
    }
    if let Some(socket) = agent_socket {
        argv.extend(["-v".to_owned(), format!("{}:{AGENT_SOCKET}", socket.display())]);
    }
    let host_artifacts = spec.artifact_dir();
    if host_artifacts != spec.pdd.root.join("artifacts").join(&spec.ident) {
        let inside = container_artifact_dir(&spec.ident);
        argv.extend(["-v".to_owned(), format!("{}/:{}/:Z", host_artifacts.display(), inside.display())]);
    }
    for mount in &container.volume_mounts {
        argv.extend(["-v".to_owned(), mount.clone()]);
    }
    argv.extend(["--env-file".to_owned(), env_file.display().to_string()]);
    match container.engine {
        Engine::Podman => argv.push("--quiet".to_owned()),
        Engine::Docker => argv.push(format!("--user={}", nix::unistd::getuid())),
    }
    if let Some(path) = cid_file {
        argv.push(format!("--cidfile={}", path.display()));
    }
    argv.extend(["--name".to_owned(), container_name(&spec.ident)]);
    argv.extend(container.options.iter().cloned());
    argv.push(container.image.clone());
    argv.extend(inner.command.iter().map(|item| inside_path(item, &pdd)));
    let record = CommandLine { command: argv.clone(), cwd: PathBuf::from(workdir), env };
    Launch { engine: CommandLine { command: argv, cwd, env: runner_env }, record, env_list }
}

/// The files the engine reads `auth` from: the credentials (`auth.json` for podman's
/// `--authfile`, `config.json` in docker's `--config` dir) and, for a registry without TLS
/// verification, a `registries.conf` marking it insecure.
pub fn registry_files(engine: Engine, auth: &RegistryAuth) -> Vec<(&'static str, String)> {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", auth.username, auth.password));
    let document = serde_json::json!({"auths": {auth.host.as_str(): {"auth": token}}});
    let mut text = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut text, formatter);
    // Serialising a JSON value into memory cannot fail.
    let _ = serde::Serialize::serialize(&document, &mut serializer);
    let name = match engine {
        Engine::Podman => "auth.json",
        Engine::Docker => "config.json",
    };
    let mut files = vec![(name, String::from_utf8_lossy(&text).into_owned())];
    if !auth.verify_ssl {
        files.push(("registries.conf", format!("[[registry]]\nlocation = \"{}\"\ninsecure = true", auth.host)));
    }
    files
}

/// The container's environment in the Python tool's order: its data-dir keys first, then the rest
/// as for a local run, private-data-dir paths moved under `/runner`.
fn container_env(container: &Container, inner: &CommandLine, pdd: &str) -> IndexMap<String, String> {
    let mut env = IndexMap::new();
    if container.engine == Engine::Podman {
        env.insert("ANSIBLE_UNSAFE_WRITES".to_owned(), "1".to_owned());
    }
    for key in ["AWX_ISOLATED_DATA_DIR", "ANSIBLE_CACHE_PLUGIN_CONNECTION"] {
        if let Some(value) = inner.env.get(key) {
            env.insert(key.to_owned(), value.clone());
        }
    }
    for (key, value) in &inner.env {
        if !env.contains_key(key) {
            env.insert(key.clone(), inside_path(value, pdd));
        }
    }
    env
}

/// `item` with a leading private-data-dir path (also after `@`, as in `-e @file`) moved to `/runner`.
fn inside_path(item: &str, pdd: &str) -> String {
    let (at, rest) = match item.strip_prefix('@') {
        Some(rest) => ("@", rest),
        None => ("", item),
    };
    match rest.strip_prefix(pdd) {
        Some(tail) if tail.is_empty() || tail.starts_with('/') => format!("{at}{MOUNT_POINT}{tail}"),
        _ => item.to_owned(),
    }
}

/// Makes sure the container this job created is gone: one still there (the engine client was
/// killed on a timeout or cancel, or the engine's own `--rm` has not finished) is removed by force,
/// and the runner waits until the engine no longer lists it. The container is known by the id the
/// engine wrote to `cid_file`, never by name: a name can belong to another job's container (after
/// the engine refused this one's), and `container_options` can rename this one. No id means the
/// engine created no container. Returns why it could not, if so.
pub fn remove_container(container: &Container, cid_file: &Path) -> Result<(), String> {
    let id = std::fs::read_to_string(cid_file).unwrap_or_default();
    let id = id.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(());
    }
    let limit = Instant::now() + REMOVAL_LIMIT;
    let mut forced = false;
    loop {
        match listed(container, id) {
            Ok(false) => return Ok(()),
            Ok(true) if Instant::now() >= limit => return Err(format!("container {id} is still there")),
            Ok(true) => {}
            Err(err) => return Err(err),
        }
        if !forced {
            forced = true;
            // A failure here (already being removed) is fine: the listing decides.
            let _ = engine_command(container, &["rm", "--force", id]).status();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn listed(container: &Container, id: &str) -> Result<bool, String> {
    let filter = format!("id={id}");
    let out = engine_command(container, &["ps", "--all", "--quiet", "--filter", &filter])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|err| format!("cannot run {} ps: {err}", container.executable))?;
    if !out.status.success() {
        let reason = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{} ps failed: {}", container.executable, reason.trim()));
    }
    Ok(!out.stdout.iter().all(u8::is_ascii_whitespace))
}

fn engine_command(container: &Container, args: &[&str]) -> Command {
    let mut command = Command::new(&container.executable);
    command.args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    command
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command as CliCommand};
    use crate::command::RunPaths;
    use clap::Parser;
    use serde_json::Value;
    use std::fs;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/integration/fixtures/isolation");

    /// A directory of stand-in `podman` and `docker` programs, so resolution finds an engine.
    fn engines_dir(root: &Path) -> PathBuf {
        let bin = root.join("bin");
        fs::create_dir_all(&bin).unwrap();
        for name in ["podman", "docker", "bwrap"] {
            fs::write(bin.join(name), "#!/bin/sh\n").unwrap();
            fs::set_permissions(bin.join(name), fs::Permissions::from_mode(0o755)).unwrap();
        }
        bin
    }

    fn fill(text: &str, pdd: &Path, scratch: &Path) -> String {
        text.replace("{pdd}", &pdd.display().to_string()).replace("{scratch}", &scratch.display().to_string())
    }

    /// Recreates a scenario recorded from the Python tool and returns what it recorded for the
    /// engine's `run` call, next to what this module builds for the same job.
    /// The job a recorded scenario ran, set up in a fresh scratch dir.
    fn recorded_job(name: &str, scratch: &Path) -> (Value, PathBuf, JobSpec) {
        let record: Value =
            serde_json::from_str(&fs::read_to_string(format!("{FIXTURES}/{name}.json")).unwrap()).unwrap();
        let pdd = scratch.join("pdd");
        for (relative, content) in record["files"].as_object().unwrap() {
            let path = pdd.join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, fill(content.as_str().unwrap(), &pdd, scratch)).unwrap();
        }
        let argv: Vec<String> =
            record["cli"].as_array().unwrap().iter().map(|a| fill(a.as_str().unwrap(), &pdd, scratch)).collect();
        let Some(CliCommand::Run(args)) = Cli::try_parse_from(&argv).unwrap().command else { panic!("not run") };
        let spec = JobSpec::resolve_with_path(&args.to_request(), engines_dir(scratch).to_str()).unwrap();
        (record, pdd, spec)
    }

    fn scenario(name: &str) -> (Vec<String>, String, Launch) {
        let scratch = tempfile::tempdir().unwrap();
        let (record, pdd, spec) = recorded_job(name, scratch.path());
        let container = spec.container().cloned().expect("a container job");
        let inside = container_artifact_dir(&spec.ident);
        let paths = RunPaths { artifact_dir: &inside, callback_dir: &inside.join("callback"), role_playbook: None };
        let inner = CommandLine::build(&container_spec(&spec), &paths, Vec::new());
        let env_file = spec.artifact_dir().join("env.list");
        let auth_dir = PathBuf::from("/tmp/ansible_runner_registry_fixture_{tmp}");
        let auth_dir = container.auth.is_some().then_some(auth_dir.as_path());
        let host = HostFiles { env_file: &env_file, auth_dir, agent_socket: None, cid_file: None };
        let launch = launch(&container, &spec, &inner, &host, (PathBuf::from("/cwd"), IndexMap::new()));
        let calls = record["engine_calls"].as_array().unwrap();
        let call = calls.iter().find(|c| c["argv"].as_array().unwrap().iter().any(|a| a == "run")).unwrap();
        let uid = format!("--user={}", nix::unistd::getuid());
        let expected = call["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| fill(a.as_str().unwrap(), &pdd, scratch.path()))
            .map(|a| if a == "--user=0" { uid.clone() } else { a })
            .collect();
        let files = call["files"].as_object().unwrap();
        let env_list =
            files.iter().find(|(path, _)| path.ends_with("env.list")).unwrap().1["content"].as_str().unwrap();
        (expected, fill(env_list, &pdd, scratch.path()), launch)
    }

    fn assert_matches(name: &str) {
        let (expected, env_list, launch) = scenario(name);
        assert_eq!(launch.engine.command, expected, "{name}: engine argv");
        assert_eq!(launch.record.command, expected, "{name}: command artifact argv");
        assert_eq!(launch.record.cwd, Path::new("/runner/project"));
        assert_eq!(launch.env_list, env_list, "{name}: env.list, the container's environment in order");
        let record_env: Vec<String> = launch.record.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(record_env.join("\n"), env_list, "{name}: the command artifact's environment");
        let engine_env: Vec<&String> = launch.engine.env.keys().collect();
        let expected_engine_env: Vec<&str> = if env_list.contains("REGISTRIES_CONF") {
            vec!["CONTAINERS_REGISTRIES_CONF", "REGISTRIES_CONFIG_PATH"]
        } else {
            vec![]
        };
        assert_eq!(engine_env, expected_engine_env, "the engine gets the runner's environment only");
    }

    #[test]
    fn playbook_jobs_wrap_as_the_reference_does() {
        assert_matches("podman-playbook");
        assert_matches("docker-playbook");
    }

    #[test]
    fn options_mounts_and_ansible_flags_land_where_the_reference_puts_them() {
        assert_matches("podman-options");
    }

    #[test]
    fn ad_hoc_runs_from_the_project_workdir() {
        assert_matches("podman-adhoc");
    }

    #[test]
    fn odd_idents_make_safe_container_names() {
        // The reference's `my job/1.x` has a `/`, which idents here refuse; the name rule is its.
        assert_eq!(container_name("my job 1.x"), "ansible_runner_my_job_1_x");
        assert_eq!(container_name("my job/1.x"), "ansible_runner_my_job_1_x");
    }

    #[test]
    fn settings_replace_the_flags() {
        assert_matches("settings-win");
        assert_matches("settings-only");
    }

    #[test]
    fn registry_credentials_as_the_reference_writes_them() {
        assert_matches("podman-auth");
        assert_matches("docker-auth");
        let auth = RegistryAuth {
            host: "registry.example:5000".into(),
            username: "user".into(),
            password: "pa:ss".into(),
            verify_ssl: false,
        };
        let record: Value =
            serde_json::from_str(&fs::read_to_string(format!("{FIXTURES}/docker-auth.json")).unwrap()).unwrap();
        let recorded = record["engine_calls"][1]["files"].as_object().unwrap();
        for (name, text) in registry_files(Engine::Docker, &auth) {
            let key = format!("/tmp/ansible_runner_registry_fixture_{{tmp}}/{name}");
            assert_eq!(recorded[&key]["content"].as_str().unwrap(), text, "{name}");
        }
        let podman = registry_files(Engine::Podman, &RegistryAuth { verify_ssl: true, ..auth });
        assert_eq!(
            podman.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
            ["auth.json"],
            "secure: no registries.conf"
        );
    }

    fn request(mounts: &[&str]) -> IsolationRequest {
        IsolationRequest {
            process_isolation: true,
            container_image: Some("img".into()),
            container_volume_mounts: mounts.iter().map(|m| (*m).to_owned()).collect(),
            ..IsolationRequest::default()
        }
    }

    #[test]
    fn system_dirs_cannot_be_mounted() {
        let dir = tempfile::tempdir().unwrap();
        let bin = engines_dir(dir.path());
        let link = dir.path().join("root-link");
        std::os::unix::fs::symlink("/", &link).unwrap();
        let through_link = format!("{}:/x", link.display());
        let spelled = ["/:/host", "/home/:/h", "/usr:/u:ro", "//:/x", "/./:/x", "/etc/..:/x", "/no-such/../usr:/u"];
        for mount in spelled.iter().copied().chain([through_link.as_str()]) {
            let err = resolve(&request(&[mount]), &Settings::default(), bin.to_str()).unwrap_err();
            assert!(matches!(err, IsolationError::RefusedMount(_)), "{mount}: {err}");
        }
        for mount in ["/home/user:/h", "/usr/share:/s", "/nonexistent/src:/x"] {
            assert!(resolve(&request(&[mount]), &Settings::default(), bin.to_str()).is_ok(), "{mount}");
        }
    }

    #[test]
    fn missing_engine_and_image_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let bin = engines_dir(dir.path());
        let mut asked = request(&[]);
        asked.executable = Some("no-such-engine".into());
        let err = resolve(&asked, &Settings::default(), bin.to_str()).unwrap_err();
        assert_eq!(err.to_string(), "Unable to find process isolation executable: no-such-engine");
        asked.executable = None;
        asked.container_image = None;
        assert!(matches!(resolve(&asked, &Settings::default(), bin.to_str()), Err(IsolationError::NoImage(_))));
        let settings = Settings { process_isolation: Some(false), ..Settings::default() };
        assert_eq!(resolve(&request(&[]), &settings, bin.to_str()).unwrap(), None, "settings switch it off");
        assert!(matches!(
            resolve(&IsolationRequest { process_isolation: true, ..request(&[]) }, &settings, bin.to_str()),
            Ok(None)
        ));
    }

    fn sandbox_argv(name: &str) {
        let scratch = tempfile::tempdir().unwrap();
        let scratch_path = scratch.path().canonicalize().unwrap();
        for dir in ["pi", "di", "hidden-dir", "shown", "ro"] {
            fs::create_dir_all(scratch_path.join(dir)).unwrap();
        }
        fs::write(scratch_path.join("hidden-file"), "").unwrap();
        let (record, pdd, spec) = recorded_job(name, &scratch_path);
        let Some(Isolation::Sandbox(sandbox)) = &spec.isolation else { panic!("{name}: not a sandbox") };
        let artifacts = spec.artifact_dir();
        let callback = artifacts.join("callback");
        let paths = RunPaths { artifact_dir: &artifacts, callback_dir: &callback, role_playbook: None };
        let inner = CommandLine::build(&spec, &paths, Vec::new());
        let prepared = crate::sandbox::prepare(sandbox, &spec, &inner, None, &|| false).unwrap();
        let line = crate::sandbox::wrap(&sandbox.executable, &prepared.layout, &inner);
        let call = record["engine_calls"].as_array().unwrap().iter().find(|c| c["argv"][1] != "--version").unwrap();
        let mut expected: Vec<String> =
            call["argv"].as_array().unwrap().iter().map(|a| fill(a.as_str().unwrap(), &pdd, &scratch_path)).collect();
        let copy = fill("{scratch}/di/runner_di_{tmp}", &pdd, &scratch_path);
        if expected.contains(&copy) {
            // The copy under the private /tmp is bound in here (the reference leaves it unreachable).
            let at = expected.iter().position(|a| *a == pdd.display().to_string()).unwrap() - 1;
            expected.splice(at..at, ["--bind".to_owned(), copy.clone(), copy]);
        }
        let pi = regex::Regex::new(r"ansible_runner_pi_[A-Za-z0-9]+/tmp[0-9]+").unwrap();
        let di = regex::Regex::new(r"runner_di_[A-Za-z0-9]+").unwrap();
        let ours: Vec<String> = line
            .command
            .iter()
            .map(|a| di.replace(&pi.replace(a, "ansible_runner_pi_{tmp}/tmp{tmp}"), "runner_di_{tmp}").into_owned())
            .collect();
        assert_eq!(ours, expected, "{name}");
        let cwd = fill(call["cwd"].as_str().unwrap(), &pdd, &scratch_path);
        assert_eq!(line.cwd, PathBuf::from(cwd), "{name}: where the sandbox program starts");
        let made: Vec<PathBuf> = fs::read_dir(scratch_path.join("pi")).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(made.len(), 1, "one stand-in dir");
        drop(prepared);
        assert_eq!(fs::read_dir(scratch_path.join("pi")).unwrap().count(), 0, "stand-ins removed");
        assert_eq!(fs::read_dir(scratch_path.join("di")).unwrap().count(), 0, "project copy removed");
    }

    #[test]
    fn sandbox_layout_is_the_references() {
        sandbox_argv("bwrap-playbook");
        sandbox_argv("bwrap-adhoc");
        sandbox_argv("bwrap-settings");
    }

    #[test]
    fn only_private_data_dir_paths_move_under_runner() {
        assert_eq!(inside_path("/p/d/inventory", "/p/d"), "/runner/inventory");
        assert_eq!(inside_path("@/p/d/env/extravars", "/p/d"), "@/runner/env/extravars");
        assert_eq!(inside_path("/p/dx/file", "/p/d"), "/p/dx/file");
        assert_eq!(inside_path("web1,web2", "/p/d"), "web1,web2");
    }
}
