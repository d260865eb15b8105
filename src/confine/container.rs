//! A job in a container: the Ansible command line is built as for a local run, its private-data-dir
//! paths moved under `/runner` (where that dir is mounted), and wrapped into the engine's `run`
//! command in the shape the Python tool uses, so tooling reading the `command` artifact sees the
//! same thing. The argv is a pure function of the job and the host files it names; `prepare`
//! writes those files, and what it returns removes them, and the container, when the job ends.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use tempfile::TempDir;
use thiserror::Error;

use crate::artifacts::dir::ArtifactDir;
use crate::job::command_line::{CommandLine, RunPaths};
use crate::job::isolation::{container_name, is_refused, Container, Engine, IsolationError, MOUNT_POINT};
use crate::job::settings::RegistryAuth;
use crate::job::JobSpec;
use crate::util::atomic::{self, Durability};
use crate::util::fs::{create_dir_private, lexically_normal};

/// How long removing a finished or stopped container may take before the runner gives up on it.
const REMOVAL_LIMIT: Duration = Duration::from_secs(60);
/// The name of the engine's `--cidfile` in its temp dir.
const CID_FILE: &str = "cid";

/// Why a container job could not be made ready.
#[derive(Debug, Error)]
pub enum PrepareError {
    /// `what` says the step that failed, naming its file or dir.
    #[error("{what}")]
    Disk { what: String, source: io::Error },
    #[error(transparent)]
    Isolation(#[from] IsolationError),
}

/// A container job made ready: its command lines, and what it has on disk until it ends.
pub struct Prepared {
    /// What is started: the engine, in the runner's working directory and environment.
    pub engine: CommandLine,
    /// What the `command` artifact shows: the engine's argv, the container's workdir and environment.
    pub record: CommandLine,
    pub cleanup: Cleanup,
}

/// Writes what the engine reads (the registry credentials, the container's `--env-file` in the
/// artifact dir `dir`) and makes the temp dir of its `--cidfile`, then builds the engine's command
/// line. `role_playbook` and `agent_socket` are the job's own, when it has them.
pub fn prepare(
    container: &Container,
    spec: &JobSpec,
    dir: &ArtifactDir,
    role_playbook: Option<&Path>,
    agent_socket: Option<&Path>,
) -> Result<Prepared, PrepareError> {
    let inside = container_artifact_dir(&spec.ident);
    let paths = RunPaths { artifact_dir: &inside, callback_dir: &inside.join("callback"), role_playbook };
    let inner = CommandLine::build(&container_spec(spec), &paths, Vec::new());
    let env_path = spec.artifact_dir().join(EnvFile::NAME);
    let cwd = std::env::current_dir().map_err(failed("cannot read the current directory".to_owned()))?;
    let registry = container.auth.as_ref().map(|auth| write_registry_files(container.engine, auth, &spec.ident));
    let registry = registry.transpose()?;
    let runner = (cwd, std::env::vars().collect());
    let auth_dir = registry.as_ref().map(TempDir::path);
    let cid_dir = make_cid_dir()?;
    let cid_file = cid_dir.path().join(CID_FILE);
    let host = HostFiles { env_file: &env_path, auth_dir, agent_socket, cid_file: Some(&cid_file) };
    if spec.command.is_some() {
        // A command's container gets the project dir mounted as its default workdir.
        let project = spec.pdd.root.join("project");
        create_dir_private(&project).map_err(failed(format!("cannot create {}", project.display())))?;
    }
    let launch = launch(container, spec, &inner, &host, runner)?;
    let env_file = EnvFile::write(dir, &launch.env_list)?;
    let cleanup = Cleanup { container: container.clone(), _env_file: env_file, _registry: registry, cid_dir };
    Ok(Prepared { engine: launch.engine, record: launch.record, cleanup })
}

/// The error of a step, said as `what`, that failed with an I/O error.
fn failed(what: String) -> impl FnOnce(io::Error) -> PrepareError {
    move |source| PrepareError::Disk { what, source }
}

/// The artifact dir as the container sees it.
fn container_artifact_dir(ident: &str) -> PathBuf {
    Path::new(MOUNT_POINT).join("artifacts").join(ident)
}

/// The job as it runs in the container: the inventory is always the private data dir's own
/// (`--inventory` does not apply, as in the Python tool), when there is one.
fn container_spec(spec: &JobSpec) -> JobSpec {
    let mut inner = spec.clone();
    let inventory = spec.pdd.inventory();
    if inventory.exists() {
        inner.inventory = vec![inventory];
    }
    inner
}

/// A container job's command lines.
#[derive(Debug, Clone, PartialEq)]
struct Launch {
    /// What is started: the engine, in the runner's working directory and environment.
    engine: CommandLine,
    /// What the `command` artifact shows: the engine's argv, the container's workdir and environment.
    record: CommandLine,
    /// The `--env-file` text: the container's environment, one `KEY=VALUE` a line.
    env_list: String,
}

/// Where the job's ssh-agent socket appears in the container.
const AGENT_SOCKET: &str = "/run/ansible-runner-agent/agent.sock";

/// Host files a container job is pointed at.
struct HostFiles<'a> {
    /// Where `Launch::env_list` is written.
    env_file: &'a Path,
    /// The dir of the `registry_files`, with `container_auth_data`.
    auth_dir: Option<&'a Path>,
    /// The job's private ssh-agent socket, with `env/ssh_key`.
    agent_socket: Option<&'a Path>,
    /// Where the engine writes the id of the container it creates (`--cidfile`).
    cid_file: Option<&'a Path>,
}

/// Wraps `inner` (built from `container_spec` with the container's artifact paths and no inherited
/// environment) into the engine's command line. `runner` is the runner's own working directory and
/// environment: the engine starts there, and relative paths in a command's arguments are read
/// from there, as the Python tool reads them.
fn launch(
    container: &Container,
    spec: &JobSpec,
    inner: &CommandLine,
    host: &HostFiles<'_>,
    runner: (PathBuf, IndexMap<String, String>),
) -> Result<Launch, IsolationError> {
    let (cwd, mut runner_env) = runner;
    let env = launch_env(container, inner, spec, host, &mut runner_env);
    let env_list = env.iter().map(|(key, value)| format!("{key}={value}")).collect::<Vec<_>>().join("\n");
    let mut args = EngineArgs { argv: vec![container.executable.clone()], cwd: &cwd };
    if let (Some(dir), Engine::Docker) = (host.auth_dir, container.engine) {
        args.argv.push(format!("--config={}", dir.display()));
    }
    args.push(&["run", "--rm"]);
    if spec.command.as_ref().is_none_or(|command| !command.separate_streams || command.on_terminal) {
        args.push(&["--tty"]);
    }
    args.push(&["--interactive"]);
    let workdir = args.workdir(container)?;
    if let Some(command) = &spec.command {
        let own_agent = host.agent_socket.is_some();
        args.command_mounts(container, &command.argv, &spec.pdd.root, &runner_env, own_agent)?;
    }
    args.job_mounts(container, spec, host);
    args.engine_options(container, spec, host);
    let pdd = spec.pdd.root.display().to_string();
    match spec.command {
        // A command's arguments are the caller's, their directories mounted where they are.
        Some(_) => args.argv.extend(inner.command.iter().cloned()),
        None => args.argv.extend(inner.command.iter().map(|item| inside_path(item, &pdd))),
    }
    let argv = args.argv;
    let record = CommandLine { command: argv.clone(), cwd: PathBuf::from(workdir), env };
    Ok(Launch { engine: CommandLine { command: argv, cwd, env: runner_env }, record, env_list })
}

/// The container's environment; `runner_env` (the engine's own) gains the registry settings the
/// engine reads too.
fn launch_env(
    container: &Container,
    inner: &CommandLine,
    spec: &JobSpec,
    host: &HostFiles<'_>,
    runner_env: &mut IndexMap<String, String>,
) -> IndexMap<String, String> {
    let mut env = container_env(container, inner, &spec.pdd.root.display().to_string());
    if host.agent_socket.is_some() {
        env.insert("SSH_AUTH_SOCK".to_owned(), AGENT_SOCKET.to_owned());
    }
    let insecure = container.auth.as_ref().is_some_and(|auth| !auth.verify_ssl);
    if let Some(dir) = host.auth_dir.filter(|_| insecure) {
        // The engine reads it; the Python tool also hands it to the container.
        let conf = dir.join("registries.conf").display().to_string();
        for key in ["CONTAINERS_REGISTRIES_CONF", "REGISTRIES_CONFIG_PATH"] {
            env.insert(key.to_owned(), conf.clone());
            runner_env.insert(key.to_owned(), conf.clone());
        }
    }
    env
}

/// The engine's argv as it is built, with the runner's working directory that relative host
/// paths are read from.
struct EngineArgs<'a> {
    argv: Vec<String>,
    cwd: &'a Path,
}

impl EngineArgs<'_> {
    fn push(&mut self, items: &[&str]) {
        self.argv.extend(items.iter().map(|item| (*item).to_owned()));
    }

    /// The private data dir at `/runner`, registry credentials, the job's ssh-agent socket, an
    /// artifact dir kept elsewhere, and the caller's own mounts.
    fn job_mounts(&mut self, container: &Container, spec: &JobSpec, host: &HostFiles<'_>) {
        let pdd = spec.pdd.root.display().to_string();
        self.push(&["-v", &format!("{}/:{MOUNT_POINT}/:Z", pdd.trim_end_matches('/'))]);
        if let (Some(dir), Engine::Podman) = (host.auth_dir, container.engine) {
            self.argv.push(format!("--authfile={}", dir.join("auth.json").display()));
        }
        if let Some(socket) = host.agent_socket {
            self.push(&["-v", &format!("{}:{AGENT_SOCKET}", socket.display())]);
        }
        let host_artifacts = spec.artifact_dir();
        if host_artifacts != spec.pdd.root.join("artifacts").join(&spec.ident) {
            let inside = container_artifact_dir(&spec.ident);
            self.push(&["-v", &format!("{}/:{}/:Z", host_artifacts.display(), inside.display())]);
        }
        for mount in &container.volume_mounts {
            self.push(&["-v", mount]);
        }
    }

    /// The environment file, the engine's own flags, the name and the caller's options, then the image.
    fn engine_options(&mut self, container: &Container, spec: &JobSpec, host: &HostFiles<'_>) {
        self.push(&["--env-file", &host.env_file.display().to_string()]);
        match container.engine {
            Engine::Podman => self.push(&["--quiet"]),
            Engine::Docker => self.argv.push(format!("--user={}", nix::unistd::getuid())),
        }
        if let Some(path) = host.cid_file {
            self.argv.push(format!("--cidfile={}", path.display()));
        }
        self.push(&["--name", &container_name(&spec.ident)]);
        self.argv.extend(container.options.iter().cloned());
        self.argv.push(container.image.clone());
    }

    /// The container's working directory: `container_workdir`, else `host_cwd` (mounted at the
    /// same path) when it exists, else the project dir.
    fn workdir(&mut self, container: &Container) -> Result<String, IsolationError> {
        let workdir = match (&container.workdir, &container.host_cwd) {
            (Some(workdir), _) => workdir.clone(),
            (None, Some(host_cwd)) if host_cwd.exists() => {
                self.mount(host_cwd, None, "")?;
                host_cwd.display().to_string()
            }
            _ => format!("{MOUNT_POINT}/project"),
        };
        self.push(&["--workdir", &workdir]);
        Ok(workdir)
    }

    /// What a command (`run_command()` and the `get_*()` family) gets beyond a playbook job, as
    /// the Python tool gives it: the files its Ansible options name, the user's ssh setup, and the
    /// artifacts dir. `own_agent`: the job has its own ssh-agent (`ssh_key`), which wins.
    fn command_mounts(
        &mut self,
        container: &Container,
        argv: &[String],
        pdd: &Path,
        runner_env: &IndexMap<String, String>,
        own_agent: bool,
    ) -> Result<(), IsolationError> {
        if argv.first().is_some_and(|program| program.starts_with("ansible")) {
            for path in ansible_option_paths(argv) {
                self.mount(Path::new(&path), None, "")?;
            }
        }
        self.ssh_mounts(runner_env, own_agent)?;
        if container.engine == Engine::Podman {
            self.push(&["--group-add=root", "--ipc=host"]);
        }
        self.mount(&pdd.join("artifacts"), Some(&Path::new(MOUNT_POINT).join("artifacts")), ":Z")
    }

    /// The user's ssh-agent socket, `~/.ssh` and the system's known hosts, where they exist.
    fn ssh_mounts(&mut self, runner_env: &IndexMap<String, String>, own_agent: bool) -> Result<(), IsolationError> {
        let home = runner_env.get("HOME").filter(|home| !home.is_empty());
        if let Some(socket) = runner_env.get("SSH_AUTH_SOCK").filter(|_| !own_agent) {
            let inside = match home.and_then(|home| socket.strip_prefix(home.as_str())) {
                Some(rest) => format!("/home/runner/{}", rest.trim_start_matches('/')),
                None => socket.clone(),
            };
            self.mount(Path::new(socket), Some(Path::new(&inside)), "")?;
            self.push(&["-e", &format!("SSH_AUTH_SOCK={inside}")]);
        }
        if let Some(home) = home {
            let ssh = Path::new(home).join(".ssh");
            self.mount(&ssh, Some(Path::new("/home/runner/.ssh")), "")?;
            self.mount(&ssh, Some(Path::new("/root/.ssh")), "")?;
        }
        let known_hosts = Path::new("/etc/ssh/ssh_known_hosts");
        self.mount(known_hosts, Some(known_hosts), "")
    }

    /// Mounts the directory of `source` (itself, when it is one) at `target`'s (by default the
    /// same path), once; a source that does not exist is left out, as the Python tool leaves it.
    fn mount(&mut self, source: &Path, target: Option<&Path>, label: &str) -> Result<(), IsolationError> {
        if !source.exists() {
            return Ok(());
        }
        let source = lexically_normal(&self.cwd.join(source));
        let target = target.map_or_else(|| source.clone(), Path::to_path_buf);
        let (source, target) =
            if source.is_dir() { (source, target) } else { (parent_dir(&source), parent_dir(&target)) };
        if let Some(refused) = [&source, &target].into_iter().find(|dir| is_refused(&dir.display().to_string())) {
            return Err(IsolationError::RefusedMount(refused.display().to_string()));
        }
        let mount = format!("{}:{}{label}", dir_with_slash(&source), dir_with_slash(&target));
        if !self.argv.contains(&mount) {
            self.push(&["-v", &mount]);
        }
        Ok(())
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    path.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf)
}

/// A directory as the engine's mount list writes it: with one trailing `/`.
fn dir_with_slash(dir: &Path) -> String {
    format!("{}/", dir.display().to_string().trim_end_matches('/'))
}

/// The files an Ansible command's options name, which the Python tool mounts into the container
/// at the same path: the playbook of `ansible-playbook`, inventories (not a `host,` list), vault
/// password files and private keys. None for `--help`; the list ends at an option missing its value.
fn ansible_option_paths(argv: &[String]) -> Vec<String> {
    const INVENTORY: [&str; 3] = ["-i", "--inventory", "--inventory-file"];
    const FILES: [&str; 4] = ["--vault-password-file", "--vault-pass-file", "--private-key", "--key-file"];
    let args = argv.get(1..).unwrap_or_default();
    if args.is_empty() || args.iter().any(|arg| arg == "-h" || arg == "--help") {
        return Vec::new();
    }
    let mut paths = Vec::new();
    if argv.iter().any(|item| item.contains("ansible-playbook")) {
        paths.extend(playbook_argument(args));
    }
    let mut items = args.iter();
    while let Some(arg) = items.next() {
        let inventory = INVENTORY.contains(&arg.as_str());
        if !inventory && !FILES.contains(&arg.as_str()) {
            continue;
        }
        let Some(value) = items.next() else { break };
        if !(inventory && value.ends_with(',')) {
            paths.push(value.clone());
        }
    }
    paths
}

/// The playbook among `ansible-playbook`'s arguments as the Python tool guesses it: with the
/// inventory options taken out, the only argument left, or the first when it is not an option,
/// or the first bare argument that does not follow an option.
fn playbook_argument(args: &[String]) -> Option<String> {
    let mut rest: Vec<&String> = Vec::new();
    let mut items = args.iter();
    while let Some(arg) = items.next() {
        if ["-i", "--inventory", "--inventory-file"].contains(&arg.as_str()) {
            items.next()?;
        } else {
            rest.push(arg);
        }
    }
    let first = rest.first()?;
    if rest.len() == 1 || !first.starts_with('-') {
        return Some((*first).clone()).filter(|path| !path.is_empty());
    }
    rest.windows(2).find(|pair| !pair[1].starts_with('-') && !pair[0].starts_with('-')).map(|pair| pair[1].clone())
}

/// The files the engine reads `auth` from: the credentials (`auth.json` for podman's
/// `--authfile`, `config.json` in docker's `--config` dir) and, for a registry without TLS
/// verification, a `registries.conf` marking it insecure.
fn registry_files(engine: Engine, auth: &RegistryAuth) -> Vec<(&'static str, String)> {
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
fn remove_container(container: &Container, cid_file: &Path) -> Result<(), String> {
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

/// What a container job has while it runs: the container the engine creates and the files made
/// for the engine. Dropping it, whatever ended the job, removes the container (saying on stderr
/// when it cannot), then the files.
pub struct Cleanup {
    container: Container,
    _env_file: EnvFile,
    _registry: Option<TempDir>,
    /// Holds `CID_FILE`, the id of the container the engine created.
    cid_dir: TempDir,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Err(reason) = remove_container(&self.container, &self.cid_dir.path().join(CID_FILE)) {
            errln!("ansible-runner: {reason}");
        }
    }
}

/// The registry credentials for the engine, in a 0700 temp dir of files readable by the owner
/// only; the dir goes when the job ends.
fn write_registry_files(engine: Engine, auth: &RegistryAuth, ident: &str) -> Result<TempDir, PrepareError> {
    let dir = tempfile::Builder::new()
        .prefix(&format!("ansible_runner_registry_{ident}_"))
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(failed("cannot create a temp dir for the registry credentials".to_owned()))?;
    for (name, text) in registry_files(engine, auth) {
        let path = dir.path().join(name);
        atomic::write(&path, text.as_bytes(), 0o600, Durability::Renamed)
            .map_err(failed(format!("cannot write {}", path.display())))?;
    }
    Ok(dir)
}

/// The 0700 temp dir of the engine's `--cidfile`: outside the artifact dir, where the job cannot
/// rewrite the id.
fn make_cid_dir() -> Result<TempDir, PrepareError> {
    tempfile::Builder::new()
        .prefix("ansible_runner_cid_")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(failed("cannot create a temp dir for the container id".to_owned()))
}

/// The container's `--env-file` in the artifact dir: readable by the runner's user only (it holds
/// every secret of `env/envvars`) and removed, through the dir's handle, when the job ends.
struct EnvFile(ArtifactDir);

impl EnvFile {
    const NAME: &str = "env.list";

    fn write(dir: &ArtifactDir, text: &str) -> Result<Self, PrepareError> {
        dir.write_atomic(Self::NAME, text.as_bytes(), 0o600)
            .map_err(failed(format!("cannot write {}", dir.path().join(Self::NAME).display())))?;
        Ok(Self(dir.clone()))
    }
}

impl Drop for EnvFile {
    fn drop(&mut self) {
        // Best effort: the job has ended; a file already gone is what is wanted.
        let _ = self.0.remove(Self::NAME);
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command as CliCommand};
    use crate::job::command_line::RunPaths;
    use crate::job::isolation::{resolve, Isolation};
    use crate::job::settings::Settings;
    use crate::request::IsolationRequest;
    use clap::Parser;
    use serde_json::Value;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

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
        let launch = launch(&container, &spec, &inner, &host, (PathBuf::from("/cwd"), IndexMap::new())).unwrap();
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

    /// A `run_command()` job in podman, launched from `cwd` with `runner_env`.
    fn command_launch(
        argv: &[&str],
        separate_streams: bool,
        host_cwd: Option<&Path>,
        runner_env: &[(&str, &str)],
    ) -> (Launch, PathBuf, tempfile::TempDir) {
        let scratch = tempfile::tempdir().unwrap();
        let pdd = scratch.path().join("pdd");
        fs::create_dir_all(pdd.join("artifacts")).unwrap();
        let command = crate::request::GenericCommand {
            argv: argv.iter().map(|item| (*item).to_owned()).collect(),
            cwd: scratch.path().to_owned(),
            separate_streams,
            ..Default::default()
        };
        let request = crate::request::JobRequest {
            private_data_dir: pdd.clone(),
            ident: Some("cmd".into()),
            raw_command: true,
            command: Some(command),
            isolation: IsolationRequest { host_cwd: host_cwd.map(Path::to_path_buf), ..request(&[]) },
            ..Default::default()
        };
        let spec = JobSpec::resolve_with_path(&request, engines_dir(scratch.path()).to_str()).unwrap();
        let container = spec.container().cloned().unwrap();
        let inside = container_artifact_dir(&spec.ident);
        let paths = RunPaths { artifact_dir: &inside, callback_dir: &inside.join("callback"), role_playbook: None };
        let inner = CommandLine::build(&container_spec(&spec), &paths, Vec::new());
        let env_file = scratch.path().join("env.list");
        let host = HostFiles { env_file: &env_file, auth_dir: None, agent_socket: None, cid_file: None };
        let env = runner_env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let launch = launch(&container, &spec, &inner, &host, (scratch.path().to_owned(), env)).unwrap();
        (launch, pdd, scratch)
    }

    fn mounts(launch: &Launch) -> Vec<&str> {
        launch.record.command.windows(2).filter(|pair| pair[0] == "-v").map(|pair| pair[1].as_str()).collect()
    }

    #[test]
    fn a_subprocess_command_gets_no_terminal_and_runs_where_the_caller_is() {
        let cwd = tempfile::tempdir().unwrap();
        let (launch, pdd, _scratch) = command_launch(&["ansible-doc", "-j", "copy"], true, Some(cwd.path()), &[]);
        let argv = &launch.record.command;
        assert!(!argv.contains(&"--tty".to_owned()), "{argv:?}");
        let here = format!("{}/", cwd.path().display());
        assert_eq!(launch.record.cwd, cwd.path());
        assert!(argv.windows(2).any(|pair| pair[0] == "--workdir" && Path::new(&pair[1]) == cwd.path()));
        let expected = [
            format!("{here}:{here}"),
            format!("{}/artifacts/:/runner/artifacts/:Z", pdd.display()),
            format!("{}/:/runner/:Z", pdd.display()),
        ];
        assert_eq!(mounts(&launch), expected.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(argv.contains(&"--group-add=root".to_owned()) && argv.contains(&"--ipc=host".to_owned()));
        assert_eq!(argv[argv.len() - 3..], ["ansible-doc", "-j", "copy"], "arguments as given");
    }

    #[test]
    fn a_pexpect_command_gets_a_terminal_and_the_project_workdir() {
        let (launch, _pdd, _scratch) = command_launch(&["ansible-config", "list"], false, None, &[]);
        assert!(launch.record.command.contains(&"--tty".to_owned()));
        assert_eq!(launch.record.cwd, Path::new("/runner/project"));
    }

    #[test]
    fn files_named_by_ansible_options_are_mounted_where_they_are() {
        let files = tempfile::tempdir().unwrap();
        let (inv, book, vault) = (files.path().join("inv"), files.path().join("books"), files.path().join("v"));
        fs::create_dir_all(&book).unwrap();
        fs::write(&inv, "").unwrap();
        fs::write(book.join("site.yml"), "").unwrap();
        fs::create_dir_all(&vault).unwrap();
        fs::write(vault.join("pass"), "").unwrap();
        let (inv, site, pass) = (
            inv.display().to_string(),
            book.join("site.yml").display().to_string(),
            vault.join("pass").display().to_string(),
        );
        let argv = ["ansible-playbook", "-i", &inv, "-i", "localhost,", &site, "--vault-password-file", &pass];
        let (launch, _pdd, _scratch) = command_launch(&argv, true, None, &[]);
        let dir = |path: &Path| format!("{}/:{}/", path.display(), path.display());
        let found = mounts(&launch);
        assert_eq!(found[..3], [dir(&book), dir(files.path()), dir(&vault)], "{found:?}");
    }

    #[test]
    fn the_users_ssh_setup_goes_in() {
        let home = tempfile::tempdir().unwrap();
        fs::create_dir_all(home.path().join(".ssh")).unwrap();
        let socket = home.path().join("agent").join("s.sock");
        fs::create_dir_all(socket.parent().unwrap()).unwrap();
        fs::write(&socket, "").unwrap();
        let env = [("HOME", home.path().to_str().unwrap()), ("SSH_AUTH_SOCK", socket.to_str().unwrap())];
        let (launch, _pdd, _scratch) = command_launch(&["ssh", "-V"], true, None, &env);
        let found = mounts(&launch);
        let ssh = format!("{}/.ssh/", home.path().display());
        assert!(found.contains(&format!("{}/agent/:/home/runner/agent/", home.path().display()).as_str()), "{found:?}");
        assert!(found.contains(&format!("{ssh}:/home/runner/.ssh/").as_str()));
        assert!(found.contains(&format!("{ssh}:/root/.ssh/").as_str()));
        assert!(launch.record.command.contains(&"SSH_AUTH_SOCK=/home/runner/agent/s.sock".to_owned()));
    }

    #[test]
    fn the_playbook_is_guessed_as_the_reference_guesses_it() {
        let guess = |args: &[&str]| playbook_argument(&args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>());
        assert_eq!(guess(&["site.yml"]).as_deref(), Some("site.yml"));
        assert_eq!(guess(&["-i", "inv", "site.yml", "-v"]).as_deref(), Some("site.yml"));
        assert_eq!(guess(&["--limit", "web", "site.yml"]).as_deref(), Some("site.yml"));
        assert_eq!(guess(&["-v", "site.yml"]), None, "an option is taken to have a value");
        assert_eq!(guess(&["-i"]), None);
        assert!(ansible_option_paths(&["ansible-playbook".into(), "--help".into(), "x.yml".into()]).is_empty());
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
        let prepared = crate::confine::sandbox::prepare(sandbox, &spec, &inner, None, &|| false).unwrap();
        let line = crate::confine::sandbox::wrap(&sandbox.executable, &prepared.layout, &inner);
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
