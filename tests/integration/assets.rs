//! The committed completions and man pages match what the current command line generates.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::ours;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&path).unwrap())
        })
        .collect()
}

#[test]
fn completions_and_man_pages_are_fresh() {
    let fresh = tempfile::tempdir().unwrap();
    let out = ours().arg("--generate-assets").arg(fresh.path()).output().unwrap();
    assert!(out.status.success());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["completions", "man"] {
        let committed = files(&repo.join(dir));
        let generated = files(&fresh.path().join(dir));
        assert_eq!(
            committed.keys().collect::<Vec<_>>(),
            generated.keys().collect::<Vec<_>>(),
            "{dir}/ is stale: run `cargo run -- --generate-assets .`"
        );
        for (name, content) in &generated {
            assert!(committed[name] == *content, "{dir}/{name} is stale: run `cargo run -- --generate-assets .`");
        }
    }
    let pages = files(&repo.join("man"));
    for command in ["run", "start", "stop", "is-alive", "transmit", "worker", "process", "replay"] {
        assert!(pages.contains_key(&format!("ansible-runner-{command}.1")), "no man page for {command}");
    }
}
