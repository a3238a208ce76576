//! The module graph of one crate and its circles.
//!
//! A path is resolved to the deepest module it names; a name a module re-exports (`pub use`,
//! globs included) is followed to the module that defines it, so `crate::Activity` counts as
//! a use of `model` when the root re-exports `model::*`. An edge between two modules counts at
//! the level where their paths part: `a::x → b` is `a → b` among the crate's top modules,
//! `a::x → a::y` is `x → y` among the children of `a`. A child using its parent, or a parent its
//! child, is not an edge: that is how modules are nested. A circle is a strongly connected
//! component of two or more modules at one level.

use std::collections::{BTreeMap, BTreeSet};

use super::scan::{CrateScan, ModPath, Reference};

/// Where an edge was seen: the file and line of one reference that makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The file, relative to the crate.
    pub file: String,
    /// The line.
    pub line: usize,
}

/// The edges among the children of one module.
pub type Level = BTreeMap<String, BTreeMap<String, Seen>>;

/// Edges per level (the parent module's path).
pub type Levels = BTreeMap<ModPath, Level>;

/// One circle: the level it is at, its modules, and the edges among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Circle {
    /// The module whose children form it (empty: the crate's top modules).
    pub parent: ModPath,
    /// Its modules, sorted.
    pub modules: Vec<String>,
    /// Every edge between two of its modules, with one place that makes it.
    pub edges: Vec<(String, String, Seen)>,
}

/// The edges of a crate, level by level.
pub fn levels(scan: &CrateScan) -> Levels {
    let mut levels = Levels::new();
    let resolver = Resolver { scan };
    for reference in &scan.references {
        if let Some(to) = resolver.reference(reference) {
            add_edge(&mut levels, &reference.from, &to, reference);
        }
    }
    levels
}

fn add_edge(levels: &mut Levels, from: &ModPath, to: &ModPath, reference: &Reference) {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    let (Some(a), Some(b)) = (from.get(common), to.get(common)) else { return };
    let seen = Seen { file: reference.file.clone(), line: reference.line };
    let level = levels.entry(from[..common].to_vec()).or_default();
    level.entry(a.clone()).or_default().entry(b.clone()).or_insert(seen);
}

struct Resolver<'s> {
    scan: &'s CrateScan,
}

impl Resolver<'_> {
    fn reference(&self, reference: &Reference) -> Option<ModPath> {
        self.path(&reference.from, &reference.path, 0)
    }

    /// The module a path written in `from` names; `None` for paths outside the crate.
    fn path(&self, from: &ModPath, path: &[String], depth: usize) -> Option<ModPath> {
        let (mut module, rest) = self.base(from, path)?;
        let mut rest = rest.iter();
        let mut name = None;
        for segment in rest.by_ref() {
            let mut child = module.clone();
            child.push(segment.clone());
            if self.scan.modules.contains(&child) {
                module = child;
            } else {
                name = Some(segment.as_str());
                break;
            }
        }
        match name {
            Some(name) if name != "*" && depth < 8 => Some(self.name(&module, name, depth + 1)),
            _ => Some(module),
        }
    }

    /// Where a path starts: `crate`, `super`, `self`, or a child module of `from`.
    fn base<'p>(&self, from: &ModPath, path: &'p [String]) -> Option<(ModPath, &'p [String])> {
        let first = path.first()?;
        let mut module = from.clone();
        match first.as_str() {
            "crate" => Some((Vec::new(), &path[1..])),
            "self" => Some((module, &path[1..])),
            "super" => {
                let supers = path.iter().take_while(|s| *s == "super").count();
                for _ in 0..supers {
                    module.pop()?;
                }
                Some((module, &path[supers..]))
            }
            child => {
                module.push(child.to_owned());
                self.scan.modules.contains(&module).then_some((from.clone(), path))
            }
        }
    }

    /// The module that defines `name` as `module` sees it: its own item, a re-export, or an
    /// item of a glob-imported module; `module` itself when none is known.
    fn name(&self, module: &ModPath, name: &str, depth: usize) -> ModPath {
        let imports = self.scan.imports.get(module).map(Vec::as_slice).unwrap_or_default();
        if let Some(import) = imports.iter().find(|i| i.name == name) {
            return self.path(module, &import.path, depth).unwrap_or_else(|| module.clone());
        }
        let defined = self.scan.defines.get(module).is_some_and(|d| d.contains(name));
        if !defined {
            for glob in imports.iter().filter(|i| i.name == "*") {
                let Some(target) = self.path(module, &glob.path, depth) else { continue };
                if target != *module && self.knows(&target, name) {
                    return self.name(&target, name, depth + 1);
                }
            }
        }
        module.clone()
    }

    fn knows(&self, module: &ModPath, name: &str) -> bool {
        self.scan.defines.get(module).is_some_and(|d| d.contains(name))
            || self.scan.imports.get(module).is_some_and(|i| i.iter().any(|i| i.name == name))
    }
}

/// Every circle of a crate, level by level.
pub fn circles(levels: &Levels) -> Vec<Circle> {
    let mut out = Vec::new();
    for (parent, level) in levels {
        for component in components(level) {
            let members: BTreeSet<&String> = component.iter().collect();
            let edges = level
                .iter()
                .filter(|(a, _)| members.contains(a))
                .flat_map(|(a, tos)| tos.iter().map(move |(b, seen)| (a, b, seen)))
                .filter(|(_, b, _)| members.contains(b))
                .map(|(a, b, seen)| (a.clone(), b.clone(), seen.clone()))
                .collect();
            out.push(Circle { parent: parent.clone(), modules: component, edges });
        }
    }
    out
}

/// The strongly connected components of two or more nodes (Tarjan), each sorted.
pub fn components(level: &Level) -> Vec<Vec<String>> {
    let mut tarjan = Tarjan {
        level,
        next: 0,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    let nodes: BTreeSet<&String> =
        level.keys().chain(level.values().flat_map(|m| m.keys())).collect();
    for node in nodes {
        if !tarjan.index.contains_key(node.as_str()) {
            tarjan.visit(node);
        }
    }
    let mut found = tarjan.found;
    found.sort();
    found
}

struct Tarjan<'l> {
    level: &'l Level,
    next: usize,
    index: BTreeMap<&'l str, usize>,
    low: BTreeMap<&'l str, usize>,
    stack: Vec<&'l str>,
    on_stack: BTreeSet<&'l str>,
    found: Vec<Vec<String>>,
}

impl<'l> Tarjan<'l> {
    fn visit(&mut self, node: &'l str) {
        self.index.insert(node, self.next);
        self.low.insert(node, self.next);
        self.next += 1;
        self.stack.push(node);
        self.on_stack.insert(node);
        let level = self.level;
        for next in level.get(node).into_iter().flat_map(|m| m.keys()) {
            if !self.index.contains_key(next.as_str()) {
                self.visit(next);
                let low = self.low[node].min(self.low[next.as_str()]);
                self.low.insert(node, low);
            } else if self.on_stack.contains(next.as_str()) {
                let low = self.low[node].min(self.index[next.as_str()]);
                self.low.insert(node, low);
            }
        }
        if self.low[node] == self.index[node] {
            self.pop_component(node);
        }
    }

    fn pop_component(&mut self, root: &str) {
        let mut component = Vec::new();
        while let Some(top) = self.stack.pop() {
            self.on_stack.remove(top);
            component.push(top.to_owned());
            if top == root {
                break;
            }
        }
        if component.len() > 1 {
            component.sort();
            self.found.push(component);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan::scan_crate;
    use super::*;

    fn crate_circles(list: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
        let files: Vec<(String, String)> =
            list.iter().map(|(f, s)| ((*f).to_owned(), (*s).to_owned())).collect();
        circles(&levels(&scan_crate(&files)))
            .into_iter()
            .map(|c| (c.parent.join("::"), c.modules))
            .collect()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn components_of_a_synthetic_graph() {
        // a → b → c → a is one circle, d ↔ e another, f → a hangs off the first.
        let mut level = Level::new();
        let seen = Seen { file: "x".into(), line: 1 };
        for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("d", "e"), ("e", "d"), ("f", "a")] {
            level.entry(a.into()).or_default().insert(b.into(), seen.clone());
        }
        assert_eq!(components(&level), vec![names(&["a", "b", "c"]), names(&["d", "e"])]);
    }

    #[test]
    fn a_circle_between_top_modules_through_a_root_reexport() {
        let found = crate_circles(&[
            ("src/lib.rs", "mod a; mod b; mod c; pub use c::*;"),
            ("src/a.rs", "use crate::b::f; pub struct A;"),
            ("src/b.rs", "pub fn f() -> crate::C { todo!() }"),
            ("src/c.rs", "pub struct C(crate::a::A);"),
        ]);
        assert_eq!(found, vec![(String::new(), names(&["a", "b", "c"]))]);
    }

    #[test]
    fn parents_children_and_tests_are_not_circles() {
        let found = crate_circles(&[
            ("src/lib.rs", "pub mod t; pub use t::X;"),
            ("src/t/mod.rs", "mod rows; mod rules; pub use rules::X; fn f() { rows::go() }"),
            ("src/t/rows.rs", "use super::X; pub fn go() {}"),
            ("src/t/rules.rs", "pub struct X; #[cfg(test)] mod tests { use crate::t::rows::go; }"),
        ]);
        assert_eq!(found, vec![]);
    }

    #[test]
    fn a_circle_among_submodules() {
        let found = crate_circles(&[
            ("src/lib.rs", "pub mod t;"),
            ("src/t/mod.rs", "mod rows; mod rules;"),
            ("src/t/rows.rs", "use super::rules::R; pub struct W;"),
            ("src/t/rules.rs", "pub struct R(crate::t::rows::W);"),
        ]);
        assert_eq!(found, vec![("t".to_owned(), names(&["rows", "rules"]))]);
    }
}
