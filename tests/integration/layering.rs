//! The shape of `src/`: imports run one way (no module, and no top-level folder, depends on itself
//! through others), and every function reads at once (at most 60 lines). Read from the source text:
//! a `crate::` path names the module it is resolved to; `#[cfg(test)]` code is left out of imports.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const LONGEST_FUNCTION: usize = 60;

/// Module path (`job::pdd`) → source file, for every file under `src/` but `main.rs`.
fn modules() -> BTreeMap<String, PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
        if parts.last().is_some_and(|last| last == "mod") {
            parts.pop();
        }
        if parts != ["main"] {
            found.insert(parts.join("::"), path.to_owned());
        }
    }
    found
}

/// The longest prefix of `path` that is a module.
fn resolve<'a>(modules: &'a BTreeMap<String, PathBuf>, path: &str) -> Option<&'a str> {
    let parts: Vec<&str> = path.split("::").filter(|part| !part.is_empty() && *part != "self").collect();
    (1..=parts.len()).rev().find_map(|n| modules.get_key_value(&parts[..n].join("::")).map(|(key, _)| key.as_str()))
}

/// The `crate::…` and `super::…` paths in `text`, `{a, b::c}` groups expanded.
fn paths_in(text: &str, module: &str) -> Vec<String> {
    let parent = module.rsplit_once("::").map_or("", |(parent, _)| parent);
    let pattern = regex::Regex::new(r"\b(crate|super)::((?:[a-z_][a-z0-9_]*::)*)(\{[^}]*\}|[a-z_][a-z0-9_]*)").unwrap();
    let mut paths = Vec::new();
    for found in pattern.captures_iter(text) {
        let base = if &found[1] == "crate" { String::new() } else { format!("{parent}::") };
        let prefix = format!("{base}{}", &found[2]);
        match found[3].strip_prefix('{') {
            Some(group) => {
                for item in group.trim_end_matches('}').split(',') {
                    let item = item.split(" as ").next().unwrap_or_default().trim();
                    paths.push(format!("{prefix}{item}"));
                }
                paths.push(prefix);
            }
            None => paths.push(format!("{prefix}{}", &found[3])),
        }
    }
    paths
}

/// Module → the modules its non-test code names.
fn imports(modules: &BTreeMap<String, PathBuf>) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for (module, path) in modules {
        let text = fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let targets = paths_in(code, module)
            .iter()
            .filter_map(|path| resolve(modules, path))
            .filter(|target| target != module)
            .map(str::to_owned)
            .collect();
        graph.insert(module.clone(), targets);
    }
    graph
}

/// The strongly connected components of more than one node: the cycles.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reaches = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = graph.get(from).into_iter().flatten().map(String::as_str).collect();
        while let Some(next) = todo.pop() {
            if seen.insert(next.to_owned()) {
                todo.extend(graph.get(next).into_iter().flatten().map(String::as_str));
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|node| (node, reaches(node))).collect();
    let mut found: Vec<Vec<String>> = Vec::new();
    for node in graph.keys() {
        let mut members: Vec<String> =
            graph.keys().filter(|other| reach[node].contains(*other) && reach[other].contains(node)).cloned().collect();
        if members.len() > 1 && !found.contains(&members) {
            members.sort();
            found.push(members);
        }
    }
    found
}

#[test]
fn no_module_imports_itself_through_others() {
    let graph = imports(&modules());
    assert!(graph.len() > 30, "the source files were found: {}", graph.len());
    let found = cycles(&graph);
    assert!(found.is_empty(), "import cycles between modules: {found:?}");
}

#[test]
fn no_folder_imports_itself_through_others() {
    let top = |module: &str| module.split("::").next().unwrap_or_default().to_owned();
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, targets) in imports(&modules()) {
        let entry = folders.entry(top(&module)).or_default();
        entry.extend(targets.iter().map(|target| top(target)).filter(|target| *target != top(&module)));
    }
    let found = cycles(&folders);
    assert!(found.is_empty(), "import cycles between the folders of src/: {found:?}");
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
        .iter()
        .map(|(from, to)| ((*from).to_owned(), BTreeSet::from([(*to).to_owned()])))
        .collect();
    assert_eq!(cycles(&graph), vec![vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]);
}

/// Every `fn` in `text` with its length in lines, from its first line to its closing brace.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let start = regex::Regex::new(r"^(\s*)(?:pub(?:\([a-z]+\))? )?(?:const )?(?:unsafe )?fn (\w+)").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(head) = start.captures(line) else { continue };
        let Some(open) = (index..lines.len()).find(|i| lines[*i].trim_end().ends_with(['{', ';'])) else { continue };
        if lines[open].trim_end().ends_with(';') {
            continue;
        }
        let closing = format!("{}}}", &head[1]);
        if let Some(end) = (open + 1..lines.len()).find(|i| lines[*i].trim_end() == closing) {
            found.push((head[2].to_owned(), end - index + 1));
        }
    }
    found
}

#[test]
fn every_function_reads_at_once() {
    let mut long = Vec::new();
    for path in modules().values() {
        for (name, length) in function_lengths(&fs::read_to_string(path).unwrap()) {
            if length > LONGEST_FUNCTION {
                long.push(format!("{}: {name} ({length} lines)", path.display()));
            }
        }
    }
    assert!(long.is_empty(), "functions over {LONGEST_FUNCTION} lines: {long:#?}");
}

/// `runner/` sequences a job's stages and does none of their work: its functions are shorter still,
/// and it writes no file and knows no container engine (the stages that own those do).
#[test]
fn the_runner_only_sequences() {
    let stage_work =
        regex::Regex::new(r"\b(fs::write|File::create|OpenOptions|create_dir|write_atomic|podman|docker)\b").unwrap();
    let mut found = Vec::new();
    for (module, path) in modules().iter().filter(|(module, _)| module.starts_with("runner")) {
        let text = fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (name, length) in function_lengths(code).into_iter().filter(|(_, length)| *length > 40) {
            found.push(format!("{module}: {name} ({length} lines)"));
        }
        found.extend(stage_work.find_iter(code).map(|work| format!("{module}: {}", work.as_str())));
    }
    assert!(found.is_empty(), "runner/ does more than sequence: {found:#?}");
}

#[test]
fn function_lengths_count_from_the_signature_to_the_closing_brace() {
    let text = "fn short() {\n    one();\n}\n\n    pub fn inner(\n        a: u8,\n    ) -> u8 {\n        a\n    }\n";
    assert_eq!(function_lengths(text), vec![("short".to_owned(), 3), ("inner".to_owned(), 5)]);
}
