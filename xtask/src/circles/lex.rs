//! A small Rust lexer: just enough to find paths. Comments, string, byte-string, raw-string and
//! character literals are skipped (a path named in a doc comment is not an import), lifetimes
//! are dropped, and every token keeps its line for the report.

/// One token of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword.
    Ident(String),
    /// `::`.
    PathSep,
    /// Any other punctuation character.
    Punct(char),
}

/// A token and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Its line.
    pub line: usize,
}

/// Splits `source` into tokens, skipping comments and literals.
pub fn tokens(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut lexer = Lexer { chars: &chars, at: 0, line: 1, out: Vec::new() };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    chars: &'a [char],
    at: usize,
    line: usize,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn push(&mut self, tok: Tok, line: usize) {
        self.out.push(Token { tok, line });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            let line = self.line;
            match c {
                '/' if self.peek(1) == Some('/') => self.line_comment(),
                '/' if self.peek(1) == Some('*') => self.block_comment(),
                '"' => self.string(),
                '\'' => self.quote(),
                'r' | 'b' | 'c' if self.literal_prefix() => self.prefixed_literal(),
                ':' if self.peek(1) == Some(':') => {
                    self.at += 2;
                    self.push(Tok::PathSep, line);
                }
                c if c == '_' || c.is_alphabetic() => {
                    let ident = self.ident();
                    self.push(Tok::Ident(ident), line);
                }
                c if c.is_whitespace() || c.is_numeric() => {
                    self.bump();
                }
                c => {
                    self.bump();
                    self.push(Tok::Punct(c), line);
                }
            }
        }
    }

    fn ident(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek(0).filter(|c| *c == '_' || c.is_alphanumeric()) {
            s.push(c);
            self.at += 1;
        }
        s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
    }

    fn line_comment(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.bump();
        }
    }

    fn block_comment(&mut self) {
        let mut depth = 0usize;
        while self.peek(0).is_some() {
            if self.peek(0) == Some('/') && self.peek(1) == Some('*') {
                depth += 1;
                self.at += 2;
            } else if self.peek(0) == Some('*') && self.peek(1) == Some('/') {
                depth -= 1;
                self.at += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.bump();
            }
        }
    }

    /// A `"…"` string with escapes; the opening quote is next.
    fn string(&mut self) {
        self.bump();
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    self.bump();
                }
                '"' => return,
                _ => {}
            }
        }
    }

    /// A character literal (`'a'`, `'\n'`, `'\''`) or a lifetime (`'a`), which is dropped.
    fn quote(&mut self) {
        self.bump();
        if self.peek(0) == Some('\\') {
            self.bump();
            self.bump();
            while self.bump().is_some_and(|c| c != '\'') {}
        } else if self.peek(1) == Some('\'') {
            self.at += 2;
        } else {
            self.ident();
        }
    }

    /// True at `r"`, `r#"`, `b"`, `b'`, `br"`, `br#"`, `c"`, `cr"`: a literal, not an identifier.
    fn literal_prefix(&self) -> bool {
        let mut i = 1;
        if matches!(self.peek(0), Some('b' | 'c')) && self.peek(1) == Some('r') {
            i = 2;
        }
        match self.peek(i) {
            Some('"') => true,
            Some('\'') => self.peek(0) == Some('b') && i == 1,
            Some('#') => {
                let raw = i == 2 || self.peek(0) == Some('r');
                let mut j = i;
                while self.peek(j) == Some('#') {
                    j += 1;
                }
                raw && self.peek(j) == Some('"')
            }
            _ => false,
        }
    }

    fn prefixed_literal(&mut self) {
        let raw = self.peek(0) == Some('r') || self.peek(1) == Some('r');
        while self.peek(0).is_some_and(|c| c.is_alphabetic()) {
            self.bump();
        }
        if self.peek(0) == Some('\'') {
            self.bump();
            if self.peek(0) == Some('\\') {
                self.bump();
            }
            while self.bump().is_some_and(|c| c != '\'') {}
            return;
        }
        if !raw {
            self.string();
            return;
        }
        let mut hashes = 0;
        while self.peek(0) == Some('#') {
            hashes += 1;
            self.bump();
        }
        self.bump();
        while self.peek(0).is_some() {
            if self.bump() == Some('"') && (0..hashes).all(|k| self.peek(k) == Some('#')) {
                self.at += hashes;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(source: &str) -> Vec<String> {
        tokens(source)
            .into_iter()
            .filter_map(|t| match t.tok {
                Tok::Ident(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_literals_and_lifetimes_are_skipped() {
        let source = r###"
            // crate::a
            /* crate::b /* nested */ crate::c */
            let s = "crate::d \" crate::e";
            let r = r#"crate::f "quoted" "#;
            let c = '"'; let q = '\''; let b = b'x';
            fn f<'a>(x: &'a str) {}
            keep
        "###;
        let words = idents(source);
        assert!(!words.iter().any(|w| w == "crate"), "{words:?}");
        assert_eq!(words.last().map(String::as_str), Some("keep"));
        assert!(words.contains(&"f".to_owned()) && !words.contains(&"a".to_owned()));
    }

    #[test]
    fn path_separators_and_lines() {
        let toks = tokens("use crate::a;\nsuper::b");
        assert_eq!(toks[2].tok, Tok::PathSep);
        assert_eq!(toks.last().map(|t| t.line), Some(2));
    }
}
