//! What one crate's sources say about its modules: which modules exist, what each defines and
//! re-exports, and every path that starts with `crate::`, `super::` or `self::` (in `use`
//! declarations and in code), with the module it is written in. `#[cfg(test)]` items are left
//! out: a test module depends on anything and nothing depends on it.

use std::collections::{BTreeMap, BTreeSet};

use super::lex::{Tok, Token, tokens};

/// A module, as its path from the crate root (empty: the root).
pub type ModPath = Vec<String>;

/// One `use` binding: the name it brings into scope and the path it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The name in scope (the alias, else the last segment); `*` for a glob.
    pub name: String,
    /// The path as written (relative paths stay relative).
    pub path: Vec<String>,
}

/// A path written in a module, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The module it is written in.
    pub from: ModPath,
    /// The path as written.
    pub path: Vec<String>,
    /// The file, relative to the crate.
    pub file: String,
    /// The line.
    pub line: usize,
}

/// Everything read from one crate.
#[derive(Debug, Default)]
pub struct CrateScan {
    /// Every module (the root included).
    pub modules: BTreeSet<ModPath>,
    /// Names of the items each module defines.
    pub defines: BTreeMap<ModPath, BTreeSet<String>>,
    /// The `use` bindings of each module.
    pub imports: BTreeMap<ModPath, Vec<Import>>,
    /// Every path starting with `crate`, `super` or `self`.
    pub references: Vec<Reference>,
}

/// The module a source file holds, from its path relative to the crate (`src/lib.rs`,
/// `src/a.rs`, `src/a/mod.rs`, `src/a/b.rs`); `None` for files that are not in the module tree
/// of the library or binary (`src/bin/`).
pub fn module_of(file: &str) -> Option<ModPath> {
    let rel = file.strip_prefix("src/")?.strip_suffix(".rs")?;
    let mut parts: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if parts.first().is_some_and(|p| p == "bin") {
        return None;
    }
    match parts.last().map(String::as_str) {
        Some("lib" | "main") if parts.len() == 1 => parts.clear(),
        Some("mod") => {
            parts.pop();
        }
        _ => {}
    }
    Some(parts)
}

/// Reads the files of one crate: `(path relative to the crate, source)`.
pub fn scan_crate(files: &[(String, String)]) -> CrateScan {
    let mut scan = CrateScan::default();
    scan.modules.insert(Vec::new());
    for (file, source) in files {
        if let Some(module) = module_of(file) {
            scan.modules.insert(module.clone());
            FileScan::new(&mut scan, file, module, &tokens(source)).run();
        }
    }
    scan
}

const ITEM_KEYWORDS: &[&str] =
    &["struct", "enum", "fn", "type", "const", "static", "trait", "union", "mod"];

struct FileScan<'a> {
    scan: &'a mut CrateScan,
    file: &'a str,
    toks: &'a [Token],
    at: usize,
    depth: usize,
    /// Inline modules open here: name and the brace depth inside them.
    inline: Vec<(String, usize)>,
    base: ModPath,
    cfg_test: bool,
}

impl<'a> FileScan<'a> {
    fn new(scan: &'a mut CrateScan, file: &'a str, base: ModPath, toks: &'a [Token]) -> Self {
        FileScan { scan, file, toks, at: 0, depth: 0, inline: Vec::new(), base, cfg_test: false }
    }

    fn module(&self) -> ModPath {
        let mut m = self.base.clone();
        m.extend(self.inline.iter().map(|(name, _)| name.clone()));
        m
    }

    fn tok(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i).map(|t| &t.tok)
    }

    fn ident(&self, i: usize) -> Option<&str> {
        match self.tok(i) {
            Some(Tok::Ident(s)) => Some(s),
            _ => None,
        }
    }

    fn run(&mut self) {
        while self.at < self.toks.len() {
            self.step();
        }
    }

    fn step(&mut self) {
        let at = self.at;
        match self.tok(at) {
            Some(Tok::Punct('#')) if self.tok(at + 1) == Some(&Tok::Punct('[')) => self.attribute(),
            Some(Tok::Punct('{')) if self.cfg_test => self.skip_block(),
            Some(Tok::Punct('{')) => self.open(),
            Some(Tok::Punct('}')) => self.close(),
            Some(Tok::Punct(';')) => {
                self.cfg_test = false;
                self.at += 1;
            }
            Some(Tok::Ident(word)) => {
                let word = word.clone();
                self.word(&word);
            }
            _ => self.at += 1,
        }
    }

    fn word(&mut self, word: &str) {
        let at = self.at;
        let after_dollar = at > 0 && self.tok(at - 1) == Some(&Tok::Punct('$'));
        let next_is_path = self.tok(at + 1) == Some(&Tok::PathSep);
        if word == "use" && self.tok(at + 1) != Some(&Tok::Punct('<')) {
            self.use_declaration();
        } else if matches!(word, "crate" | "super" | "self") && next_is_path && !after_dollar {
            self.path_in_code();
        } else if word == "mod" && self.tok(at + 2) == Some(&Tok::Punct('{')) && !self.cfg_test {
            self.inline_module();
        } else {
            if ITEM_KEYWORDS.contains(&word)
                && let Some(name) = self.ident(at + 1)
                && !self.cfg_test
            {
                let name = name.to_owned();
                self.scan.defines.entry(self.module()).or_default().insert(name);
            }
            self.at += 1;
        }
    }

    /// `#[…]`: notes a `cfg` that names `test` (and not under `not`) for the next item.
    fn attribute(&mut self) {
        let start = self.at;
        self.at += 2;
        let mut depth = 1;
        while depth > 0 && self.at < self.toks.len() {
            match self.tok(self.at) {
                Some(Tok::Punct('[')) => depth += 1,
                Some(Tok::Punct(']')) => depth -= 1,
                _ => {}
            }
            self.at += 1;
        }
        let words: Vec<&str> = (start..self.at).filter_map(|i| self.ident(i)).collect();
        if words.first() == Some(&"cfg") && words.contains(&"test") && !words.contains(&"not") {
            self.cfg_test = true;
        }
    }

    fn skip_block(&mut self) {
        let mut depth = 0;
        while self.at < self.toks.len() {
            match self.tok(self.at) {
                Some(Tok::Punct('{')) => depth += 1,
                Some(Tok::Punct('}')) => depth -= 1,
                _ => {}
            }
            self.at += 1;
            if depth == 0 {
                break;
            }
        }
        self.cfg_test = false;
    }

    fn open(&mut self) {
        self.depth += 1;
        self.at += 1;
    }

    fn close(&mut self) {
        if self.inline.last().is_some_and(|(_, d)| *d == self.depth) {
            self.inline.pop();
        }
        self.depth = self.depth.saturating_sub(1);
        self.at += 1;
    }

    fn inline_module(&mut self) {
        let name = self.ident(self.at + 1).unwrap_or_default().to_owned();
        self.scan.defines.entry(self.module()).or_default().insert(name.clone());
        self.depth += 1;
        self.inline.push((name, self.depth));
        let module = self.module();
        self.scan.modules.insert(module);
        self.at += 3;
    }

    fn path_in_code(&mut self) {
        let line = self.toks[self.at].line;
        let mut path = Vec::new();
        while let Some(segment) = self.ident(self.at) {
            path.push(segment.to_owned());
            self.at += 1;
            if self.tok(self.at) != Some(&Tok::PathSep) || self.ident(self.at + 1).is_none() {
                break;
            }
            self.at += 1;
        }
        self.reference(path, line);
    }

    fn use_declaration(&mut self) {
        let line = self.toks[self.at].line;
        let start = self.at + 1;
        let mut end = start;
        while end < self.toks.len() && self.tok(end) != Some(&Tok::Punct(';')) {
            end += 1;
        }
        self.at = end;
        if self.cfg_test {
            return;
        }
        let mut imports = Vec::new();
        UseTree { toks: &self.toks[start..end], at: 0 }.expand(Vec::new(), &mut imports);
        for import in imports {
            self.reference(import.path.clone(), line);
            self.scan.imports.entry(self.module()).or_default().push(import);
        }
    }

    fn reference(&mut self, path: Vec<String>, line: usize) {
        let from = self.module();
        self.scan.references.push(Reference { from, path, file: self.file.to_owned(), line });
    }
}

/// Expands a use tree (`a::{b, c::{d as e, *}}`) into one binding per leaf.
struct UseTree<'t> {
    toks: &'t [Token],
    at: usize,
}

impl UseTree<'_> {
    fn tok(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.tok)
    }

    fn expand(&mut self, mut prefix: Vec<String>, out: &mut Vec<Import>) {
        if self.tok() == Some(&Tok::PathSep) {
            self.at += 1;
        }
        loop {
            match self.tok().cloned() {
                Some(Tok::Ident(segment)) => {
                    self.at += 1;
                    if self.tok() == Some(&Tok::PathSep) {
                        prefix.push(segment);
                        self.at += 1;
                        continue;
                    }
                    out.push(self.leaf(prefix, segment));
                    return;
                }
                Some(Tok::Punct('*')) => {
                    self.at += 1;
                    prefix.push("*".to_owned());
                    out.push(Import { name: "*".to_owned(), path: prefix });
                    return;
                }
                Some(Tok::Punct('{')) => {
                    self.at += 1;
                    self.group(&prefix, out);
                    return;
                }
                _ => return,
            }
        }
    }

    fn group(&mut self, prefix: &[String], out: &mut Vec<Import>) {
        loop {
            match self.tok() {
                Some(Tok::Punct('}')) | None => {
                    self.at += 1;
                    return;
                }
                Some(Tok::Punct(',')) => self.at += 1,
                _ => {
                    let before = self.at;
                    self.expand(prefix.to_vec(), out);
                    if self.at == before {
                        self.at += 1;
                    }
                }
            }
        }
    }

    /// The last segment of a path, with `as alias` and `self` (`a::{self}` binds `a`).
    fn leaf(&mut self, mut prefix: Vec<String>, segment: String) -> Import {
        let mut name = if segment == "self" {
            prefix.last().cloned().unwrap_or_default()
        } else {
            prefix.push(segment.clone());
            segment
        };
        if let Some(Tok::Ident(kw)) = self.tok()
            && kw == "as"
        {
            self.at += 1;
            if let Some(Tok::Ident(alias)) = self.tok() {
                name = alias.clone();
                self.at += 1;
            }
        }
        Import { name, path: prefix }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(f, s)| ((*f).to_owned(), (*s).to_owned())).collect()
    }

    fn paths(scan: &CrateScan) -> Vec<String> {
        scan.references.iter().map(|r| r.path.join("::")).collect()
    }

    #[test]
    fn modules_from_file_paths() {
        assert_eq!(module_of("src/lib.rs"), Some(vec![]));
        assert_eq!(module_of("src/a/mod.rs"), Some(vec!["a".to_owned()]));
        assert_eq!(module_of("src/a/b.rs"), Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(module_of("src/bin/x.rs"), None);
    }

    #[test]
    fn use_trees_code_paths_and_test_modules() {
        let scan = scan_crate(&files(&[(
            "src/a.rs",
            "use crate::{b::{self, X as Y}, c::*};\n\
             fn f() { crate::d::g(); super::e::H; $crate::no; }\n\
             pub(crate) struct S;\n\
             #[cfg(test)] mod tests { use crate::z::Q; }\n\
             mod inner { use super::super::w; }",
        )]));
        assert_eq!(
            paths(&scan),
            [
                "crate::b",
                "crate::b::X",
                "crate::c::*",
                "crate::d::g",
                "super::e::H",
                "super::super::w"
            ]
        );
        let inner = scan.references.last().map(|r| r.from.join("::"));
        assert_eq!(inner.as_deref(), Some("a::inner"));
        let a = vec!["a".to_owned()];
        assert!(scan.defines[&a].contains("S") && scan.defines[&a].contains("f"));
        assert_eq!(scan.imports[&a][1].name, "Y");
    }
}
