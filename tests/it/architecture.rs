//! The map is checked: ARCHITECTURE.md's "may import" table is read, every
//! `crate::…` and `super::…` path in `src/` (in `use` lines and in
//! expressions) is mapped to the top-level module it names, and an import
//! the table does not allow, one across its layers, a command importing
//! another command, or a cycle between modules, fails with the file and
//! line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's top-level name: `jobs` for `src/jobs/export/mod.rs`, `lib`
/// for the crate root.
type Module = String;

/// One use of another module: where, and which module it names.
#[derive(Debug)]
struct Import {
    file: PathBuf,
    line: usize,
    to: Module,
    /// The module path named, from the crate root (`to` is its first).
    path: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/jobs/export/mod.rs` is `[jobs, export]`.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root().join("src")).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

/// A line without its `//` comment and the text inside string literals
/// (so that braces and paths in messages are not read as code).
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match (in_string, c) {
            (false, '/') if chars.peek() == Some(&'/') => break,
            (false, '"') => in_string = true,
            (true, '\\') => {
                chars.next();
            }
            (true, '"') => in_string = false,
            (false, _) => out.push(c),
            (true, _) => {}
        }
    }
    // A char literal of a brace is not a block.
    out.replace("'{'", "").replace("'}'", "")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first identifiers of the items at the top of a `{…}` group that
/// starts at `text[0]`: `{a, b::{c}, d}` gives `a`, `b`, `d`.
fn group_heads(text: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expecting = true;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    expecting = true;
                    continue;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                if !current.is_empty() {
                    heads.push(std::mem::take(&mut current));
                }
                expecting = true;
                continue;
            }
            _ => {}
        }
        if depth == 1 && expecting {
            if is_ident(c) {
                current.push(c);
            } else if !current.is_empty() {
                heads.push(std::mem::take(&mut current));
                expecting = false;
            }
        }
    }
    if !current.is_empty() {
        heads.push(current);
    }
    heads
}

/// Every top-level module named by a `crate::` or `super::` path in `code`,
/// as seen from module `here`.
fn named(code: &str, here: &[String]) -> Vec<Module> {
    paths(code, here)
        .into_iter()
        .map(|mut p| p.swap_remove(0))
        .collect()
}

/// Every module path named by a `crate::` or `super::` path in `code`, as
/// seen from module `here`, from the crate root to the first name after
/// the last `super` (`super::sample` in `commands/demo/submitted.rs` is
/// `[commands, demo, sample]`).
fn paths(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let starts_word = at == 0 || !is_ident(bytes[at - 1] as char) && bytes[at - 1] != b':';
        let (mut base, mut tail): (Vec<String>, &str) =
            if starts_word && rest.starts_with("crate::") {
                (Vec::new(), &rest["crate::".len()..])
            } else if starts_word && rest.starts_with("super::") {
                (here.to_vec(), rest)
            } else {
                at += rest.chars().next().map_or(1, char::len_utf8);
                continue;
            };
        while let Some(after) = tail.strip_prefix("super::") {
            base.pop();
            tail = after;
        }
        let mut heads = if tail.starts_with('{') {
            group_heads(tail)
        } else {
            vec![tail.chars().take_while(|&c| is_ident(c)).collect()]
        };
        heads.retain(|h| !h.is_empty() && h != "self" && h != "*");
        if heads.is_empty() && !base.is_empty() {
            found.push(base);
        } else {
            found.extend(heads.into_iter().map(|head| {
                let mut path = base.clone();
                path.push(head);
                path
            }));
        }
        at += 1;
    }
    found
}

/// Every import between modules in `src/`, with the whole path it names.
fn imports() -> Vec<Import> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let path = module_path(&file);
        // Inline modules (`mod tests { … }`) nest the path one level deeper.
        let mut inline: Vec<(String, i32)> = Vec::new();
        let mut depth = 0;
        for (number, line) in text.lines().enumerate() {
            let code = code_of(line);
            let trimmed = code.trim_start();
            let opens_inline = (trimmed.starts_with("mod ") || trimmed.starts_with("pub mod "))
                && trimmed.trim_end().ends_with('{');
            if opens_inline {
                let name = trimmed
                    .trim_start_matches("pub ")
                    .trim_start_matches("mod ");
                let name: String = name.chars().take_while(|&c| is_ident(c)).collect();
                inline.push((name, depth));
            }
            let here: Vec<String> = path
                .iter()
                .cloned()
                .chain(inline.iter().map(|(n, _)| n.clone()))
                .collect();
            for path in paths(&code, &here) {
                out.push(Import {
                    file: file.clone(),
                    line: number + 1,
                    to: path[0].clone(),
                    path,
                });
            }
            depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
            while inline.last().is_some_and(|(_, d)| depth <= *d) {
                inline.pop();
            }
        }
    }
    out
}

fn top_of(file: &Path) -> Module {
    module_path(file)
        .first()
        .cloned()
        .unwrap_or_else(|| "lib".to_string())
}

/// ARCHITECTURE.md's table: each module row's names (first column) and the
/// modules it may import (every backticked name of the last column whose
/// first segment is a module).
fn allowed(modules: &BTreeSet<Module>) -> BTreeMap<Module, BTreeSet<Module>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let start = text
        .find("## Modules and what they may import")
        .expect("ARCHITECTURE.md has its table");
    let mut table = BTreeMap::new();
    for line in text[start..].lines().skip(1) {
        if line.starts_with("## ") {
            break;
        }
        let cells: Vec<&str> = line.split(" | ").collect();
        if !line.starts_with("| `") || cells.len() < 3 {
            continue;
        }
        let names = |cell: &str| -> Vec<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(|name| {
                    let name = name.trim_end_matches('/').trim_end_matches(".rs");
                    name.split("::").next().unwrap().to_string()
                })
                .filter(|name| modules.contains(name))
                .collect()
        };
        let may: BTreeSet<Module> = names(cells[cells.len() - 1]).into_iter().collect();
        for name in names(cells[0]) {
            table.insert(name, may.clone());
        }
    }
    table
}

fn graph(imports: &[Import]) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for import in imports {
        let from = top_of(&import.file);
        if from != import.to {
            graph.entry(from).or_default().insert(import.to.clone());
        }
    }
    graph
}

/// A cycle in `graph`, if there is one, as the modules along it.
fn cycle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        at: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        stack: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(i) = stack.iter().position(|m| m == at) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(at.clone());
            return Some(cycle);
        }
        if done.contains(at) {
            return None;
        }
        stack.push(at.clone());
        for next in graph.get(at).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(at.clone());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

fn modules() -> BTreeSet<Module> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.iter().map(|f| top_of(f)).collect()
}

#[test]
fn every_import_is_one_the_architecture_table_allows() {
    let modules = modules();
    let table = allowed(&modules);
    let mut wrong = Vec::new();
    for module in &modules {
        if module != "main" && !table.contains_key(module) {
            wrong.push(format!("{module}: no row in ARCHITECTURE.md's table"));
        }
    }
    for import in imports() {
        let from = top_of(&import.file);
        if from == import.to || !modules.contains(&import.to) {
            continue;
        }
        if !table.get(&from).is_some_and(|may| may.contains(&import.to)) {
            wrong.push(format!(
                "{}:{}: {from} imports {}, which ARCHITECTURE.md's table does not allow",
                import.file.strip_prefix(root()).unwrap().display(),
                import.line,
                import.to
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_two_modules_import_each_other_even_through_others() {
    let graph = graph(&imports());
    if let Some(cycle) = cycle(&graph) {
        panic!("an import cycle: {}", cycle.join(" -> "));
    }
}

/// ARCHITECTURE.md's layers: each module's layer, and each layer's
/// "never imports".
fn layers() -> (BTreeMap<Module, String>, BTreeMap<String, BTreeSet<String>>) {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let start = text
        .find("### Layers")
        .expect("ARCHITECTURE.md has its layers");
    let (mut layer_of, mut never) = (BTreeMap::new(), BTreeMap::new());
    for line in text[start..].lines().skip(1) {
        if line.starts_with('#') {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 3 || cells[0] == "layer" || cells[0].starts_with("---") {
            continue;
        }
        let layer = cells[0].to_string();
        for module in cells[1].split('`').skip(1).step_by(2) {
            layer_of.insert(module.to_string(), layer.clone());
        }
        let others = cells[2].split(',').map(str::trim).filter(|l| !l.is_empty());
        never.insert(layer, others.map(String::from).collect());
    }
    (layer_of, never)
}

#[test]
fn every_import_keeps_to_the_layers() {
    let (layer_of, never) = layers();
    let mut wrong = Vec::new();
    for module in modules() {
        if !layer_of.contains_key(&module) {
            wrong.push(format!("{module}: no layer in ARCHITECTURE.md's layers"));
        }
    }
    for layers in never.values() {
        for layer in layers {
            if !never.contains_key(layer) {
                wrong.push(format!("ARCHITECTURE.md's layers: no layer named {layer}"));
            }
        }
    }
    for import in imports() {
        let from = top_of(&import.file);
        let (Some(here), Some(there)) = (layer_of.get(&from), layer_of.get(&import.to)) else {
            continue;
        };
        if never[here].contains(there) {
            wrong.push(format!(
                "{}:{}: {from} ({here}) imports {} ({there}), a layer it never imports",
                import.file.strip_prefix(root()).unwrap().display(),
                import.line,
                import.to
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn commands_never_import_each_other() {
    let mut files = Vec::new();
    rust_files(&root().join("src/commands"), &mut files);
    let commands: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_path(f).get(1).cloned())
        .collect();
    let mut wrong = Vec::new();
    for import in imports() {
        let from = module_path(&import.file);
        let (Some("commands"), Some(own)) = (from.first().map(String::as_str), from.get(1)) else {
            continue;
        };
        if import.path.first().is_some_and(|m| m == "commands")
            && import
                .path
                .get(1)
                .is_some_and(|other| other != own && commands.contains(other))
        {
            wrong.push(format!(
                "{}:{}: commands/{own} imports {}: what two commands share is a job (jobs/)",
                import.file.strip_prefix(root()).unwrap().display(),
                import.line,
                import.path.join("::")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_reader_of_paths_finds_what_a_use_line_names() {
    let here = vec!["jobs".to_string(), "export".to_string()];
    assert_eq!(named("use crate::ui;", &here), ["ui"]);
    assert_eq!(
        named("use crate::{api::Api, bug, exit::{Class, Failure}};", &here),
        ["api", "bug", "exit"]
    );
    assert_eq!(named("crate::bug::point(\"x\");", &here), ["bug"]);
    // `super` within a top-level module stays in it; from a top-level file
    // it reaches the crate root.
    assert_eq!(named("use super::report;", &here), ["jobs"]);
    let demo = ["commands", "demo", "submitted"].map(String::from);
    assert_eq!(
        paths("let s = super::super::status::run(x);", &demo),
        [["commands", "status"]]
    );
    assert_eq!(paths("use super::*;", &demo), [["commands", "demo"]]);
    assert_eq!(named("use super::super::retry;", &here), ["retry"]);
    assert_eq!(
        named("use super::*;", &["retry".to_string()]),
        Vec::<String>::new()
    );
    assert_eq!(
        code_of("let s = \"crate::ui\"; // crate::exit"),
        "let s = ; "
    );
    let graph = BTreeMap::from([
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["a".to_string()])),
    ]);
    assert_eq!(
        cycle(&graph),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
}

/// Files of `src/` that may read the environment, and why.
const READS_THE_ENVIRONMENT: [(&str, &str); 2] = [
    (
        "src/settings/env.rs",
        "the table of every variable, and the one place that reads them",
    ),
    (
        "src/page/json_gen.rs",
        "test-only (`#[cfg(test)]`): the property tests' default number of cases gives way \
         to PROPTEST_CASES, which proptest's own config reads",
    ),
];

#[test]
fn only_the_settings_table_reads_the_environment() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root()).unwrap();
        let shown = rel.to_string_lossy().replace('\\', "/");
        if READS_THE_ENVIRONMENT.iter().any(|(path, _)| *path == shown) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            // `env::var` also finds `env::var_os`, `env::vars` and `env::vars_os`.
            if code_of(line).contains("env::var") {
                found.push(format!("{shown}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "read the environment through src/settings/env.rs (its table names every variable), \
         and hand what a module below the settings needs to it:\n{}",
        found.join("\n")
    );
}
