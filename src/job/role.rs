//! Role mode (`-r`): a one-play playbook that applies the role, written into the project dir for the
//! run and removed afterwards together with a project dir that only it needed.

use std::fs;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::job::{JobKind, JobSpec};
use crate::util::fs::create_dir_private;
use crate::util::pyjson;

/// The synthesised playbook on disk; dropping it removes what it created.
pub struct RolePlaybook {
    path: PathBuf,
    created_project_dir: Option<PathBuf>,
}

impl RolePlaybook {
    /// The playbook a role job runs, written for the run; none when the job is no role job, or when
    /// a `binary` or an `args` file replaces the command that would run it.
    pub fn for_job(spec: &JobSpec) -> anyhow::Result<Option<Self>> {
        use anyhow::Context as _;
        let JobKind::Role { role, vars, hosts, gather_facts } = &spec.kind else { return Ok(None) };
        if spec.binary.is_some() || spec.env.args.is_some() {
            return Ok(None);
        }
        Self::write(&spec.project_dir, role, vars.as_ref(), hosts.as_deref(), *gather_facts)
            .map(Some)
            .with_context(|| format!("cannot write the role playbook into {}", spec.project_dir.display()))
    }

    /// Writes `[{"hosts": …, "gather_facts": …, "roles": [{"name": …, "vars": …}]}]` under a fresh
    /// 32-hex-digit name into `project_dir`.
    pub fn write(
        project_dir: &Path,
        role: &str,
        vars: Option<&Map<String, Value>>,
        hosts: Option<&str>,
        gather_facts: bool,
    ) -> io::Result<Self> {
        let created_project_dir = (!project_dir.exists()).then(|| project_dir.to_owned());
        create_dir_private(project_dir)?;
        let path = crate::util::fs::absolute(&project_dir.join(uuid::Uuid::new_v4().simple().to_string()));
        let written = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut file| io::Write::write_all(&mut file, &play_json(role, vars, hosts, gather_facts)));
        let playbook = Self { path, created_project_dir };
        written.map(|()| playbook)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RolePlaybook {
    fn drop(&mut self) {
        match &self.created_project_dir {
            Some(dir) => drop(fs::remove_dir_all(dir)),
            None => drop(fs::remove_file(&self.path)),
        }
    }
}

/// The play as JSON text, keys in the order the Python tool writes them.
pub fn play_json(role: &str, vars: Option<&Map<String, Value>>, hosts: Option<&str>, gather_facts: bool) -> Vec<u8> {
    let mut role_entry = Map::new();
    role_entry.insert("name".to_owned(), Value::from(role));
    if let Some(vars) = vars {
        role_entry.insert("vars".to_owned(), Value::Object(vars.clone()));
    }
    let play = json!([{"hosts": hosts.unwrap_or("all"), "gather_facts": gather_facts, "roles": [role_entry]}]);
    pyjson::to_vec(&play)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn play_matches_the_reference_text() {
        let mut vars = Map::new();
        vars.insert("x".to_owned(), Value::from(5));
        assert_eq!(
            String::from_utf8(play_json("web", Some(&vars), Some("db"), false)).unwrap(),
            r#"[{"hosts": "db", "gather_facts": false, "roles": [{"name": "web", "vars": {"x": 5}}]}]"#
        );
    }

    #[test]
    fn removes_a_project_dir_it_created_and_only_its_file_otherwise() {
        let root = tempfile::tempdir().unwrap();
        let project = root.path().join("project");
        let playbook = RolePlaybook::write(&project, "r", None, None, true).unwrap();
        assert!(playbook.path().is_file());
        drop(playbook);
        assert!(!project.exists());
        fs::create_dir(&project).unwrap();
        fs::write(project.join("keep.yml"), "").unwrap();
        let playbook = RolePlaybook::write(&project, "r", None, None, true).unwrap();
        let path = playbook.path().to_owned();
        drop(playbook);
        assert!(!path.exists());
        assert!(project.join("keep.yml").exists());
    }
}
