package main

import (
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Shell scripts give psql their values as variables (psql -v name=value,
// then :'name' or :"name" in the SQL, quoted by psql), never spliced into
// the SQL text by the shell. A word (a string given to psql -c, to a
// function, to anything) or an unquoted here-document that reads like SQL
// and holds a shell expansion ($name, ${name}, $(command), `command`,
// $((sum))) is reported. The lexer knows enough of bash for the scripts
// of this project: quotes, escapes, expansions, comments, here-documents,
// arithmetic, and the shell code that trap, eval and sh -c run later.

// lintScripts checks every shell script under dir: files named *.sh, and
// files whose #! line names a shell.
func lintScripts(dir string) ([]finding, error) {
	var out []finding
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path) //nolint:gosec // a script under the directory the lint was given
		if err != nil {
			return err
		}
		src := string(b)
		firstLine, _, _ := strings.Cut(src, "\n")
		isShell := strings.HasSuffix(path, ".sh") || strings.HasPrefix(firstLine, "#!") && strings.HasSuffix(firstLine, "sh")
		if !isShell {
			return nil
		}
		out = append(out, lintScript(path, src)...)
		return nil
	})
	return out, err
}

func lintScript(path, src string) []finding {
	var out []finding
	report := func(pos int, raw string) {
		out = append(out, finding{
			pos: token.Position{
				Filename: path,
				Offset:   pos,
				Line:     1 + strings.Count(src[:pos], "\n"),
				Column:   pos - strings.LastIndexByte(src[:pos], '\n'),
			},
			msg: `shell expansion spliced into SQL (give it to psql -v name=value, write :'name' or :"name"): ` +
				shorten(strings.Join(strings.Fields(raw), " ")),
		})
	}
	l := &shellLexer{src: src, end: len(src), report: report}
	l.commands(false)
	return out
}

type shellLexer struct {
	src     string
	i, end  int       // what is left to read: src[i:end]
	pending []heredoc // here-documents whose bodies start at the next newline
	report  func(pos int, raw string)
}

type heredoc struct {
	pos    int // of <<
	delim  string
	quoted bool // <<'SQL', <<"SQL" or <<\SQL: the body is literal
	strip  bool // <<-: leading tabs stripped
}

// shellWord is one word of a command: its text with each expansion written
// as %s (so that it reads as a value to looksLikeSQL), and the spans of
// its single-quoted parts, which may be shell code run later.
type shellWord struct {
	pos, end int
	text     strings.Builder
	expanded bool
	quoted   bool
	single   [][2]int
}

func (w *shellWord) expand() {
	w.text.WriteString("%s")
	w.expanded = true
}

func (l *shellLexer) peek(n int) byte {
	if l.i+n < l.end {
		return l.src[l.i+n]
	}
	return 0
}

// commands reads commands up to the end, or (untilParen) up to the ) that
// closes a $( command substitution.
func (l *shellLexer) commands(untilParen bool) {
	var words []*shellWord
	depth := 0
	end := func() {
		l.command(words)
		words = nil
	}
	for l.i < l.end {
		switch c := l.src[l.i]; {
		case c == ' ' || c == '\t' || c == '\r':
			l.i++
		case c == '\\' && l.peek(1) == '\n':
			l.i += 2
		case c == '\n':
			l.i++
			end()
			l.heredocs()
		case c == '#':
			for l.i < l.end && l.src[l.i] != '\n' {
				l.i++
			}
		case c == '&' && l.peek(1) == '>':
			l.i += 2
		case c == ';' || c == '&' || c == '|':
			l.i++
			end()
		case c == '(' && l.peek(1) == '(': // (( arithmetic )): << is a shift
			l.skipParens()
		case c == '(':
			l.i++
			depth++
			end()
		case c == ')':
			l.i++
			end()
			if depth == 0 && untilParen {
				return
			}
			depth = max(depth-1, 0)
		case c == '<' || c == '>':
			l.redirect()
		default:
			words = append(words, l.word())
		}
	}
	end()
}

// assignment is the NAME= of a word that sets a variable: a name, not text.
var assignment = regexp.MustCompile(`^[A-Za-z_]\w*=`)

// command checks the words of one simple command, and the shell code that
// trap, eval, sh -c and bash -c are given in single quotes.
func (l *shellLexer) command(words []*shellWord) {
	shell, code := false, false
	for _, w := range words {
		text := w.text.String()
		if w.expanded && looksLikeSQL(assignment.ReplaceAllString(text, "")) {
			l.report(w.pos, l.src[w.pos:w.end])
		}
		if code {
			for _, s := range w.single {
				(&shellLexer{src: l.src, i: s[0], end: s[1], report: l.report}).commands(false)
			}
		}
		switch {
		case w.quoted || w.expanded: // an argument, not a command's name or option
		case text == "trap" || text == "eval":
			code = true
		case text == "sh" || text == "bash" || strings.HasSuffix(text, "/sh") || strings.HasSuffix(text, "/bash"):
			shell = true
		case shell && strings.HasPrefix(text, "-") && strings.HasSuffix(text, "c"):
			code = true
		}
	}
}

func (l *shellLexer) redirect() {
	switch {
	case strings.HasPrefix(l.src[l.i:l.end], "<<<"): // here-string: its word is read as any other
		l.i += 3
	case strings.HasPrefix(l.src[l.i:l.end], "<<"):
		h := heredoc{pos: l.i}
		l.i += 2
		if l.peek(0) == '-' {
			h.strip = true
			l.i++
		}
		for l.peek(0) == ' ' || l.peek(0) == '\t' {
			l.i++
		}
		w := l.word()
		h.delim, h.quoted = w.text.String(), w.quoted
		l.pending = append(l.pending, h)
	default: // < > >> >& <& >| <>
		l.i++
		if c := l.peek(0); c == '>' || c == '&' || c == '|' {
			l.i++
		}
	}
}

// heredocs reads the bodies of the pending here-documents, which start
// after the newline just read, and checks those the shell expands.
func (l *shellLexer) heredocs() {
	pending := l.pending
	l.pending = nil
	for _, h := range pending {
		start, bodyEnd := l.i, l.end
		for l.i < l.end {
			eol := strings.IndexByte(l.src[l.i:l.end], '\n')
			next := l.end
			if eol >= 0 {
				eol += l.i
				next = eol + 1
			} else {
				eol = l.end
			}
			line := l.src[l.i:eol]
			if h.strip {
				line = strings.TrimLeft(line, "\t")
			}
			if line == h.delim {
				bodyEnd = l.i
				l.i = next
				break
			}
			l.i = next
		}
		if h.quoted {
			continue
		}
		w := &shellWord{pos: h.pos}
		(&shellLexer{src: l.src, i: start, end: bodyEnd, report: l.report}).doubleQuoted(w, 0)
		if w.expanded && looksLikeSQL(w.text.String()) {
			l.report(h.pos, l.src[start:bodyEnd])
		}
	}
}

func (l *shellLexer) word() *shellWord {
	w := &shellWord{pos: l.i}
	defer func() { w.end = l.i }()
	for l.i < l.end {
		switch c := l.src[l.i]; c {
		case ' ', '\t', '\r', '\n', ';', '&', '|', '<', '>', '(', ')':
			return w
		case '\\':
			w.quoted = true
			if c := l.peek(1); c != '\n' && c != 0 {
				w.text.WriteByte(c)
			}
			l.skip(2)
		case '\'':
			w.quoted = true
			start := l.i + 1
			l.i = l.index(start, '\'')
			w.text.WriteString(l.src[start:l.i])
			w.single = append(w.single, [2]int{start, l.i})
			l.skip(1)
		case '"':
			w.quoted = true
			l.i++
			l.doubleQuoted(w, '"')
		case '$':
			l.dollar(w, false)
		case '`':
			l.backquoted(w)
		default:
			w.text.WriteByte(c)
			l.i++
		}
	}
	return w
}

// doubleQuoted reads up to the closing quote, or (quote 0) the whole of an
// unquoted here-document's body, where a double quote is a character.
func (l *shellLexer) doubleQuoted(w *shellWord, quote byte) {
	escapable := "$`\\\n"
	if quote != 0 {
		escapable += string(quote)
	}
	for l.i < l.end {
		switch c := l.src[l.i]; {
		case c == quote:
			l.i++
			return
		case c == '\\' && l.peek(1) != 0 && strings.IndexByte(escapable, l.peek(1)) >= 0:
			if l.peek(1) != '\n' {
				w.text.WriteByte(l.peek(1))
			}
			l.skip(2)
		case c == '$':
			l.dollar(w, true)
		case c == '`':
			l.backquoted(w)
		default:
			w.text.WriteByte(c)
			l.i++
		}
	}
}

func (l *shellLexer) dollar(w *shellWord, quoted bool) {
	l.i++
	switch c := l.peek(0); {
	case c == '(' && l.peek(1) == '(':
		l.skipParens()
		w.expand()
	case c == '(':
		l.i++
		l.commands(true)
		w.expand()
	case c == '{':
		l.skipBraces()
		w.expand()
	case c == '\'' && !quoted: // $'...': escapes, no expansion
		start := l.i + 1
		l.i = start
		for l.i < l.end && l.src[l.i] != '\'' {
			if l.src[l.i] == '\\' {
				l.i++
			}
			l.i++
		}
		l.i = min(l.i, l.end)
		w.text.WriteString(l.src[start:l.i])
		w.quoted = true
		l.skip(1)
	case c == '"' && !quoted:
		l.i++
		w.quoted = true
		l.doubleQuoted(w, '"')
	case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		for c := l.peek(0); c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'; c = l.peek(0) {
			l.i++
		}
		w.expand()
	case '0' <= c && c <= '9' || c != 0 && strings.IndexByte("@*#?$!-", c) >= 0:
		l.i++
		w.expand()
	default:
		w.text.WriteByte('$')
	}
}

func (l *shellLexer) backquoted(w *shellWord) {
	l.i++
	for l.i < l.end && l.src[l.i] != '`' {
		if l.src[l.i] == '\\' {
			l.i++
		}
		l.i++
	}
	l.i = min(l.i, l.end)
	l.skip(1)
	w.expand()
}

// skipParens skips (( ... )) and the like, up to the parenthesis that
// balances the first.
func (l *shellLexer) skipParens() {
	depth := 0
	for ; l.i < l.end; l.i++ {
		switch l.src[l.i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				l.i++
				return
			}
		}
	}
	l.i = min(l.i, l.end)
}

// skipBraces skips ${ ... }, quotes included.
func (l *shellLexer) skipBraces() {
	depth := 0
	for l.i < l.end {
		switch l.src[l.i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				l.i++
				return
			}
		case '\\':
			l.i++
		case '\'':
			l.i = l.index(l.i+1, '\'')
		case '"':
			l.i++
			l.doubleQuoted(&shellWord{}, '"')
			continue
		}
		l.i++
	}
	l.i = min(l.i, l.end)
}

// skip moves n bytes on, no further than the end.
func (l *shellLexer) skip(n int) {
	l.i = min(l.i+n, l.end)
}

// index is the position of the first c at or after i, or the end.
func (l *shellLexer) index(i int, c byte) int {
	if n := strings.IndexByte(l.src[i:l.end], c); n >= 0 {
		return i + n
	}
	return l.end
}
