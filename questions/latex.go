package questions

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// latexMaxDepth bounds how deeply groups, arguments and environments nest
// before the converter gives up on structure and keeps the text as it is: a
// statement never nests this deep, and a hostile one cannot exhaust the
// stack.
const latexMaxDepth = 48

// latexShortArg bounds the search for the end of an [optional] argument
// or of \verb text, which are short: text that never closes one is not
// searched to its end again and again.
const latexShortArg = 1024

// latexBreak stands for a forced line break (\\) until tidyMarkdown knows
// whether a line follows it; NUL never survives into the converted text.
const latexBreak = "\x00"

// latexToMarkdown turns the LaTeX body of a problem statement into Markdown
// a person can read: sections become headings, \textbf and friends
// emphasis, itemize and enumerate lists, tabular a table, verbatim a
// fenced block; $...$ and $$...$$ stay math; common symbols (\le, \times,
// \ldots) become Unicode; figures are left out with a note. \problemname
// is dropped, as the question's title says it. Unknown macros keep the
// text of their arguments. It never fails: malformed input gives
// imperfect Markdown.
func latexToMarkdown(src string) string {
	src = strings.ReplaceAll(src, "\x00", "")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	if body, ok := latexDocumentBody(src); ok {
		src = body
	}
	return tidyMarkdown(latexText(src, 0))
}

// latexDocumentBody is what lies inside \begin{document}, for statements
// written as whole documents.
func latexDocumentBody(src string) (string, bool) {
	const begin = `\begin{document}`
	i := strings.Index(src, begin)
	if i < 0 {
		return "", false
	}
	body := src[i+len(begin):]
	if j := strings.LastIndex(body, `\end{document}`); j >= 0 {
		body = body[:j]
	}
	return body, true
}

var plainProblemName = regexp.MustCompile(`(?m)^%%\s*plainproblemname:\s*(.+)$`)

// latexProblemName is the problem's name as a LaTeX statement gives it: the
// %% plainproblemname: comment, else the text of \problemname{...}.
func latexProblemName(src string) string {
	if m := plainProblemName.FindStringSubmatch(src); m != nil {
		return strings.TrimSpace(m[1])
	}
	i := strings.Index(src, `\problemname`)
	if i < 0 {
		return ""
	}
	j := latexSkipSpace(src, i+len(`\problemname`))
	_, j = latexOptional(src, j)
	if j >= len(src) || src[j] != '{' {
		return ""
	}
	arg, _ := latexGroup(src, j)
	name := oneLine(latexToMarkdown(arg))
	return strings.TrimSpace(strings.NewReplacer("**", "", "`", "").Replace(name))
}

// latexSymbols are macros that stand for one character, in text and math
// alike (MathJax reads the Unicode as well as the macro).
var latexSymbols = map[string]string{
	"le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠",
	"cdot": "·", "times": "×", "ldots": "…", "dots": "…", "cdots": "⋯",
	"pm": "±", "infty": "∞", "approx": "≈",
}

// latexTextSymbols are macros that stand for text outside math.
var latexTextSymbols = map[string]string{
	"textellipsis": "…", "textendash": "–", "textemdash": "—", "textbackslash": `\\`,
	"textasciitilde": "~", "textasciicircum": "^", "textbar": "|", "textless": "<", "textgreater": ">",
	"textunderscore": `\_`, "textdollar": `\$`, "S": "§", "P": "¶", "copyright": "©", "dag": "†",
	"to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "in": "∈",
	"lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
	"LaTeX": "LaTeX", "TeX": "TeX", "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ",
	"aa": "å", "AA": "Å", "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
	"quad": " ", "qquad": "  ", "enspace": " ", "thinspace": " ", "space": " ",
	"newline": latexBreak + "\n", "linebreak": latexBreak + "\n", "par": "\n\n",
}

// latexDropped are declarations and spacing commands with no text.
var latexDropped = map[string]bool{
	"noindent": true, "indent": true, "centering": true, "raggedright": true, "raggedleft": true,
	"tiny": true, "scriptsize": true, "footnotesize": true, "small": true, "normalsize": true,
	"large": true, "Large": true, "LARGE": true, "huge": true, "Huge": true,
	"bf": true, "it": true, "tt": true, "rm": true, "sf": true, "sc": true, "em": true, "sl": true, "bfseries": true,
	"itshape": true, "ttfamily": true, "normalfont": true, "upshape": true, "mdseries": true,
	"smallskip": true, "medskip": true, "bigskip": true, "clearpage": true, "newpage": true,
	"pagebreak": true, "hfill": true, "vfill": true, "maketitle": true, "nextsample": true,
	"remainingsamples": true, "hline": true, "toprule": true, "midrule": true, "bottomrule": true,
	"protect": true, "relax": true, "nobreak": true, "sloppy": true, "fussy": true,
}

// latexSkipArgs are commands whose arguments are layout, references or
// definitions, not text: how many brace groups each takes.
var latexSkipArgs = map[string]int{
	"vspace": 1, "hspace": 1, "label": 1, "ref": 1, "pageref": 1, "eqref": 1, "setlength": 2,
	"addtolength": 2, "setcounter": 2, "addtocounter": 2, "usepackage": 1, "documentclass": 1,
	"pagestyle": 1, "thispagestyle": 1, "cline": 1, "input": 1, "include": 1, "newenvironment": 3,
	"renewenvironment": 3, "color": 1, "selectlanguage": 1, "problemname": 1,
}

// latexAccents are the combining marks of accent commands: \'e is é.
var latexAccents = map[string]string{
	"'": "\u0301", "`": "\u0300", "^": "\u0302", `"`: "\u0308", "~": "\u0303", "=": "\u0304",
	".": "\u0307", "c": "\u0327", "v": "\u030C", "u": "\u0306", "H": "\u030B", "r": "\u030A",
}

// latexText converts LaTeX text at the given nesting depth.
func latexText(s string, depth int) string {
	if depth > latexMaxDepth {
		return s
	}
	var b strings.Builder
	// Indentation in the source would make a Markdown code block; the
	// first line's is trimmed by whoever places the text.
	atLineStart := func() bool {
		out := b.String()
		return len(out) > 0 && out[len(out)-1] == '\n'
	}
	for i := 0; i < len(s); {
		ch := s[i]
		switch ch {
		case '%':
			// A comment runs to the end of the line and swallows the
			// line break and the next line's indentation.
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return b.String()
			}
			i = latexSkipBlanks(s, i+j+1)
		case '\\':
			i = latexCommand(s, i, &b, depth)
		case '{':
			group, end := latexGroup(s, i)
			b.WriteString(latexText(group, depth+1))
			i = end
		case '}':
			i++
		case '$':
			i = latexMath(s, i, &b)
		case '~':
			b.WriteByte(' ')
			i++
		case '`':
			if strings.HasPrefix(s[i:], "``") {
				b.WriteString("“")
				i += 2
			} else {
				b.WriteString("‘")
				i++
			}
		case '\'':
			if strings.HasPrefix(s[i:], "''") {
				b.WriteString("”")
				i += 2
			} else {
				b.WriteByte('\'')
				i++
			}
		case '-':
			switch {
			case strings.HasPrefix(s[i:], "---"):
				b.WriteString("—")
				i += 3
			case strings.HasPrefix(s[i:], "--"):
				b.WriteString("–")
				i += 2
			default:
				b.WriteByte('-')
				i++
			}
		case '<', '>':
			if i+1 < len(s) && s[i+1] == ch {
				if ch == '<' {
					b.WriteString("«")
				} else {
					b.WriteString("»")
				}
				i += 2
			} else {
				b.WriteByte(ch)
				i++
			}
		case '&':
			b.WriteByte(' ')
			i++
		case '\n':
			b.WriteByte('\n')
			i = latexSkipBlanks(s, i+1)
		case ' ', '\t':
			if !atLineStart() {
				b.WriteByte(' ')
			}
			i++
		default:
			b.WriteByte(ch)
			i++
		}
	}
	return b.String()
}

// latexCommand converts the command at s[i] (a backslash) and returns
// where the text after it starts.
func latexCommand(s string, i int, b *strings.Builder, depth int) int {
	if i+1 >= len(s) {
		return len(s)
	}
	next := s[i+1]
	if !isLatexLetter(next) {
		return latexControlSymbol(s, i, b, depth)
	}
	j := i + 1
	for j < len(s) && isLatexLetter(s[j]) {
		j++
	}
	name := s[i+1 : j]
	if j < len(s) && s[j] == '*' {
		j++
	}
	if sym, ok := latexSymbols[name]; ok {
		b.WriteString(sym)
		return j
	}
	if sym, ok := latexTextSymbols[name]; ok {
		b.WriteString(sym)
		return j
	}
	if latexDropped[name] {
		return latexSkipBlanks(s, j) // TeX skips the spaces after a control word
	}
	if mark, ok := latexAccents[name]; ok && len(name) == 1 {
		return latexAccent(s, latexSkipBlanks(s, j), mark, b, depth)
	}
	if n, ok := latexSkipArgs[name]; ok {
		j = latexSkipSpace(s, j)
		_, j = latexOptional(s, j)
		for range n {
			j = latexSkipSpace(s, j)
			if j < len(s) && s[j] == '{' {
				_, j = latexGroup(s, j)
			}
		}
		return j
	}
	arg := func() string {
		j = latexSkipSpace(s, j)
		_, j = latexOptional(s, j)
		j = latexSkipSpace(s, j)
		if j >= len(s) || s[j] != '{' {
			return ""
		}
		var g string
		g, j = latexGroup(s, j)
		return g
	}
	text := func() string { return latexText(arg(), depth+1) }
	switch name {
	case "begin":
		return latexEnvironment(s, j, b, depth)
	case "end":
		arg()
		return j
	case "section", "chapter":
		latexBlock(b, "## "+oneLine(text()))
	case "subsection":
		latexBlock(b, "### "+oneLine(text()))
	case "subsubsection":
		latexBlock(b, "#### "+oneLine(text()))
	case "paragraph", "subparagraph":
		if t := oneLine(text()); t != "" {
			b.WriteString("\n\n**" + t + "** ")
		}
	case "textbf", "mathbf", "boldsymbol":
		b.WriteString(wrapMarkdown(text(), "**"))
	case "emph", "textit", "textsl", "mathit":
		b.WriteString(wrapMarkdown(text(), "*"))
	case "texttt", "mathtt":
		b.WriteString(codeSpan(oneLine(text())))
	case "url":
		if u := strings.TrimSpace(arg()); u != "" {
			b.WriteString("<" + u + ">")
		}
	case "href":
		u := strings.TrimSpace(arg())
		t := oneLine(text())
		if t == "" {
			t = u
		}
		b.WriteString("[" + t + "](" + u + ")")
	case "footnote":
		if t := strings.TrimSpace(text()); t != "" {
			b.WriteString(" (" + t + ")")
		}
	case "includegraphics":
		file := strings.TrimSpace(arg())
		latexBlock(b, "*(A figure, "+codeSpan(file)+", is left out here.)*")
	case "illustration":
		arg()
		file := strings.TrimSpace(arg())
		caption := oneLine(text())
		note := "*(A figure, " + codeSpan(file) + ", is left out here"
		if caption != "" {
			note += ": " + caption
		}
		latexBlock(b, note+".)*")
	case "caption":
		if t := oneLine(text()); t != "" {
			latexBlock(b, "*"+t+"*")
		}
	case "verb":
		return latexVerb(s, j, b)
	case "item":
		b.WriteString("\n- ")
	case "multicolumn", "multirow":
		arg()
		arg()
		b.WriteString(text())
	case "newcommand", "renewcommand", "providecommand", "DeclareMathOperator":
		j = latexSkipSpace(s, j)
		if j < len(s) && s[j] == '{' {
			_, j = latexGroup(s, j)
		} else {
			j = latexSkipName(s, j)
		}
		for {
			k := latexSkipSpace(s, j)
			_, end := latexOptional(s, k)
			if end == k {
				break
			}
			j = end
		}
		arg()
	case "def":
		j = latexSkipName(s, latexSkipSpace(s, j))
		if k := strings.IndexByte(s[j:], '{'); k >= 0 {
			_, j = latexGroup(s, j+k)
		} else {
			j = len(s)
		}
	default:
		// An unknown macro keeps the text of its arguments.
		var parts []string
		for {
			k := j
			_, j = latexOptional(s, j)
			if j >= len(s) || s[j] != '{' {
				j = k
				break
			}
			var g string
			g, j = latexGroup(s, j)
			if t := latexText(g, depth+1); strings.TrimSpace(t) != "" {
				parts = append(parts, t)
			}
		}
		if j == i+1+len(name) {
			j = latexSkipBlanks(s, j) // no arguments: TeX skips the spaces
		}
		b.WriteString(strings.Join(parts, " "))
	}
	return j
}

// latexControlSymbol converts a backslash followed by a non-letter.
func latexControlSymbol(s string, i int, b *strings.Builder, depth int) int {
	c := s[i+1]
	j := i + 2
	switch c {
	case '\\':
		if j < len(s) && s[j] == '*' {
			j++
		}
		_, j = latexOptional(s, j)
		b.WriteString(latexBreak + "\n")
		return latexSkipBlanks(s, latexSkipSpace(s, j))
	case '%', '&', '{', '}':
		b.WriteByte(c)
	case '$', '#', '_':
		b.WriteByte('\\')
		b.WriteByte(c)
	case ',', ';', ':', ' ', '\n', '\t':
		b.WriteByte(' ')
	case '!', '-', '/', '@':
	case '(':
		return latexDelimitedMath(s, j, `\)`, "$", "$", b)
	case '[':
		return latexDelimitedMath(s, j, `\]`, "\n\n$$", "$$\n\n", b)
	default:
		if mark, ok := latexAccents[string(c)]; ok {
			return latexAccent(s, j, mark, b, depth)
		}
		if c < utf8.RuneSelf {
			b.WriteByte(c)
		} else {
			return i + 1 // keep the rune whole: the loop writes it next
		}
	}
	return j
}

// latexAccent writes the letter after an accent command (\'e, \'{e}) with
// the accent as a combining mark.
func latexAccent(s string, j int, mark string, b *strings.Builder, depth int) int {
	var base string
	switch {
	case j < len(s) && s[j] == '{':
		var g string
		g, j = latexGroup(s, j)
		base = latexText(g, depth+1)
	case j < len(s) && s[j] == '\\':
		// \'\i: the dotless i and friends.
		var sb strings.Builder
		j = latexCommand(s, j, &sb, depth+1)
		base = sb.String()
	case j < len(s):
		_, size := utf8.DecodeRuneInString(s[j:])
		base = s[j : j+size]
		j += size
	}
	if base == "" {
		return j
	}
	// \"{\i} puts the accent on a dotless i, as TeX must; Unicode puts
	// it on the i.
	if rest, ok := strings.CutPrefix(base, "ı"); ok {
		base = "i" + rest
	} else if rest, ok := strings.CutPrefix(base, "ȷ"); ok {
		base = "j" + rest
	}
	_, size := utf8.DecodeRuneInString(base)
	b.WriteString(base[:size] + mark + base[size:])
	return j
}

// latexVerb converts \verb|text| into a code span.
func latexVerb(s string, j int, b *strings.Builder) int {
	if j < len(s) && s[j] == '*' {
		j++
	}
	if j >= len(s) {
		return j
	}
	delim := s[j]
	rest := s[j+1 : min(len(s), j+1+latexShortArg)]
	end := strings.IndexByte(rest, delim)
	if nl := strings.IndexByte(rest, '\n'); end < 0 || (nl >= 0 && nl < end) {
		return j
	}
	b.WriteString(codeSpan(s[j+1 : j+1+end]))
	return j + 2 + end
}

// latexMath keeps $...$ and $$...$$ as math, with the common symbols in
// Unicode; a dollar sign that closes nothing stays a dollar sign.
func latexMath(s string, i int, b *strings.Builder) int {
	if strings.HasPrefix(s[i:], "$$") {
		if end := latexFindUnescaped(s, i+2, "$$", false); end >= 0 {
			latexBlock(b, "$$"+strings.TrimSpace(latexMathSymbols(s[i+2:end]))+"$$")
			return end + 2
		}
		b.WriteString(`\$\$`)
		return i + 2
	}
	end := latexFindUnescaped(s, i+1, "$", true)
	if end < 0 {
		b.WriteString(`\$`)
		return i + 1
	}
	b.WriteString("$" + strings.Join(strings.Fields(latexMathSymbols(s[i+1:end])), " ") + "$")
	return end + 1
}

// latexDelimitedMath converts \(...\) and \[...\].
func latexDelimitedMath(s string, j int, closing, open, close string, b *strings.Builder) int {
	end := strings.Index(s[j:], closing)
	if end < 0 {
		b.WriteString(open + latexMathSymbols(s[j:]) + close)
		return len(s)
	}
	body := strings.TrimSpace(latexMathSymbols(s[j : j+end]))
	if open == "$" {
		body = strings.Join(strings.Fields(body), " ")
	}
	b.WriteString(open + body + close)
	return j + end + len(closing)
}

// latexFindUnescaped finds the next delim at or after i that no backslash
// escapes; inline math stops at a blank line, which no formula spans.
func latexFindUnescaped(s string, i int, delim string, inline bool) int {
	for i < len(s) {
		switch {
		case s[i] == '\\':
			i += 2
			continue
		case inline && strings.HasPrefix(s[i:], "\n\n"):
			return -1
		case strings.HasPrefix(s[i:], delim):
			return i
		}
		i++
	}
	return -1
}

// latexMathSymbols replaces the symbol macros in a formula by Unicode and
// keeps the rest of it as written.
func latexMathSymbols(m string) string {
	if !strings.Contains(m, `\`) {
		return m
	}
	var b strings.Builder
	for i := 0; i < len(m); {
		if m[i] != '\\' {
			b.WriteByte(m[i])
			i++
			continue
		}
		j := i + 1
		for j < len(m) && isLatexLetter(m[j]) {
			j++
		}
		if j == i+1 {
			// A control symbol such as \{ or \\: keep both bytes.
			end := min(i+2, len(m))
			b.WriteString(m[i:end])
			i = end
			continue
		}
		if sym, ok := latexSymbols[m[i+1:j]]; ok {
			b.WriteString(sym)
		} else {
			b.WriteString(m[i:j])
		}
		i = j
	}
	return b.String()
}

// latexEnvironment converts \begin{name}...\end{name}; j is just after
// \begin.
func latexEnvironment(s string, j int, b *strings.Builder, depth int) int {
	j = latexSkipSpace(s, j)
	if j >= len(s) || s[j] != '{' {
		return j
	}
	var name string
	name, j = latexGroup(s, j)
	name = strings.TrimSpace(name)
	body, end := latexEnvBody(s, j, name)
	base := strings.TrimSuffix(name, "*")
	switch base {
	case "verbatim", "lstlisting", "Verbatim", "minted", "alltt", "listing":
		body = latexEnvOptions(body, base)
		latexBlock(b, fencedCode(strings.Trim(strings.TrimRight(body, " \t"), "\n")))
		return end
	case "comment":
		return end
	}
	if depth >= latexMaxDepth {
		b.WriteString(body)
		return end
	}
	switch base {
	case "itemize", "enumerate", "description":
		_, body = latexOptionalAt(body)
		latexBlock(b, latexList(body, base == "enumerate", depth+1))
	case "tabular", "tabularx", "array", "longtable":
		latexBlock(b, latexTable(latexTableBody(body, base), depth+1))
	case "Input", "Output", "Interaction", "Scoring", "Explanation":
		latexBlock(b, "## "+base)
		b.WriteString(latexText(body, depth+1))
	case "equation", "displaymath", "math":
		latexBlock(b, "$$"+strings.TrimSpace(latexMathSymbols(body))+"$$")
	case "align", "eqnarray", "gather", "multline", "alignat", "flalign":
		latexBlock(b, "$$\\begin{aligned}"+strings.TrimSpace(latexMathSymbols(body))+"\\end{aligned}$$")
	case "quote", "quotation", "verse":
		text := strings.TrimSpace(tidyMarkdown(latexText(body, depth+1)))
		if text != "" {
			latexBlock(b, "> "+strings.ReplaceAll(text, "\n", "\n> "))
		}
	case "figure", "wrapfigure", "minipage", "center", "flushleft", "flushright", "table", "samepage":
		// Placement options and widths are layout, not text.
		_, body = latexOptionalAt(body)
		if base == "wrapfigure" || base == "minipage" {
			body = latexDropGroups(body, 2)
		}
		latexBlock(b, latexText(body, depth+1))
	default:
		b.WriteString(latexText(body, depth+1))
	}
	return end
}

// latexEnvOptions drops what follows \begin{lstlisting} or \begin{minted}
// on its line: options in brackets and the language, which are not code.
func latexEnvOptions(body, name string) string {
	if name == "minted" {
		body = latexDropGroups(body, 1)
	}
	if strings.HasPrefix(body, "[") {
		if _, rest := latexOptionalAt(body); rest != body {
			body = rest
		}
	}
	return body
}

// latexDropGroups drops up to n leading brace groups.
func latexDropGroups(s string, n int) string {
	for range n {
		j := latexSkipSpace(s, 0)
		if j >= len(s) || s[j] != '{' {
			break
		}
		_, end := latexGroup(s, j)
		s = s[end:]
	}
	return s
}

// latexOptionalAt splits a leading [optional] argument off s.
func latexOptionalAt(s string) (opt, rest string) {
	j := latexSkipSpace(s, 0)
	o, end := latexOptional(s, j)
	if end == j {
		return "", s
	}
	return o, s[end:]
}

// latexTableBody drops the column specification after \begin{tabular}.
func latexTableBody(body, name string) string {
	if name == "tabularx" {
		body = latexDropGroups(body, 1)
	}
	_, body = latexOptionalAt(body)
	return latexDropGroups(body, 1)
}

// latexEnvBody finds the body of environment name starting at j, with
// nested environments of the same name, and where the text after
// \end{name} starts. Without an \end, the body runs to the end.
func latexEnvBody(s string, j int, name string) (string, int) {
	begin, end := `\begin{`+name+`}`, `\end{`+name+`}`
	nest := 0
	for k := j; k < len(s); {
		next := strings.IndexByte(s[k:], '\\')
		if next < 0 {
			break
		}
		k += next
		switch {
		case strings.HasPrefix(s[k:], end):
			if nest == 0 {
				return s[j:k], k + len(end)
			}
			nest--
			k += len(end)
		case strings.HasPrefix(s[k:], begin):
			nest++
			k += len(begin)
		default:
			k += 2
		}
	}
	return s[j:], len(s)
}

// latexList converts the body of itemize, enumerate or description: one
// Markdown item per \item, its continuation lines indented under it.
func latexList(body string, numbered bool, depth int) string {
	var out []string
	n := 0
	for _, item := range latexSplit(body, `\item`)[1:] {
		label, item := "", item
		if strings.HasPrefix(strings.TrimLeft(item, " \t"), "[") {
			label, item = latexOptionalAt(item)
		}
		text := strings.TrimSpace(tidyMarkdown(latexText(item, depth)))
		if label = oneLine(latexText(label, depth)); label != "" {
			text = strings.TrimSpace("**" + label + "** " + text)
		}
		n++
		marker := "- "
		if numbered {
			marker = strconv.Itoa(n) + ". "
		}
		indent := strings.Repeat(" ", len(marker))
		lines := strings.Split(text, "\n")
		for i := 1; i < len(lines); i++ {
			if lines[i] != "" {
				lines[i] = indent + lines[i]
			}
		}
		out = append(out, marker+strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n")
}

// latexTable converts the body of a tabular into a Markdown table whose
// first row is the header.
func latexTable(body string, depth int) string {
	var rows [][]string
	width := 0
	for _, row := range latexSplit(body, `\\`) {
		var cells []string
		empty := true
		for _, cell := range latexSplit(row, "&") {
			// A row break may carry a spacing option: \\[2pt].
			if len(cells) == 0 && strings.HasPrefix(strings.TrimSpace(cell), "[") {
				_, cell = latexOptionalAt(cell)
			}
			text := oneLine(tidyMarkdown(latexText(cell, depth)))
			text = strings.ReplaceAll(text, "|", `\|`)
			if text != "" {
				empty = false
			}
			cells = append(cells, text)
		}
		if empty {
			continue
		}
		rows = append(rows, cells)
		width = max(width, len(cells))
	}
	if len(rows) == 0 {
		return ""
	}
	var b strings.Builder
	line := func(cells []string) {
		for len(cells) < width {
			cells = append(cells, "")
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	line(rows[0])
	sep := make([]string, width)
	for i := range sep {
		sep[i] = "---"
	}
	line(sep)
	for _, r := range rows[1:] {
		line(r)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// latexSplit splits s at each sep that is outside braces, environments and
// math. A command separator (\item) must not run into a longer name
// (\itemsep); a separator & must not be escaped (\&). The first part is
// what comes before the first separator.
func latexSplit(s, sep string) []string {
	var parts []string
	braces, envs, start := 0, 0, 0
	inMath := false
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && !inMath && braces == 0 && envs == 0 && strings.HasPrefix(s[i:], sep) &&
			(sep == `\\` || i+len(sep) >= len(s) || !isLatexLetter(s[i+len(sep)])):
			parts = append(parts, s[start:i])
			i += len(sep)
			start = i
			continue
		case strings.HasPrefix(s[i:], `\begin{`):
			envs++
			i += len(`\begin{`)
			continue
		case strings.HasPrefix(s[i:], `\end{`):
			envs = max(envs-1, 0)
			i += len(`\end{`)
			continue
		case s[i] == '\\':
			i += 2
			continue
		case s[i] == '{':
			braces++
		case s[i] == '}':
			braces = max(braces-1, 0)
		case s[i] == '$':
			inMath = !inMath
		case s[i] == '%':
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				i += j
				continue
			}
			i = len(s)
			continue
		case sep == "&" && s[i] == '&' && !inMath && braces == 0 && envs == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
		i++
	}
	return append(parts, s[min(start, len(s)):])
}

// latexGroup returns the text inside the brace group starting at s[i] ==
// '{' and where the text after it starts; an unclosed group runs to the
// end.
func latexGroup(s string, i int) (string, int) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return s[i+1 : j], j + 1
			}
		}
	}
	return s[min(i+1, len(s)):], len(s)
}

// latexOptional returns the text of an [optional] argument at s[i], if
// there is one, and where the text after it starts.
func latexOptional(s string, i int) (string, int) {
	if i >= len(s) || s[i] != '[' {
		return "", i
	}
	depth := 0
	for j := i + 1; j < min(len(s), i+latexShortArg); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
		case ']':
			if depth <= 0 {
				return s[i+1 : j], j + 1
			}
		case '\n':
			if j+1 < len(s) && s[j+1] == '\n' {
				return "", i // a paragraph break: a literal [, not an argument
			}
		}
	}
	return "", i
}

// latexSkipSpace skips spaces and tabs, and one line break, as TeX does
// between a command and its arguments.
func latexSkipSpace(s string, j int) int {
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j < len(s) && s[j] == '\n' && !(j+1 < len(s) && s[j+1] == '\n') {
		j++
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
	}
	return j
}

// latexSkipBlanks skips the spaces and tabs that indent a line.
func latexSkipBlanks(s string, j int) int {
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	return j
}

// latexSkipName skips a command name such as \foo at s[j].
func latexSkipName(s string, j int) int {
	if j >= len(s) || s[j] != '\\' {
		return j
	}
	j++
	if j < len(s) && !isLatexLetter(s[j]) {
		return j + 1
	}
	for j < len(s) && isLatexLetter(s[j]) {
		j++
	}
	return j
}

func isLatexLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// latexBlock writes a block (heading, list, table, display math) on lines
// of its own.
func latexBlock(b *strings.Builder, block string) {
	if strings.TrimSpace(block) == "" {
		return
	}
	b.WriteString("\n\n" + block + "\n\n")
}

// wrapMarkdown emphasises text with mark (* or **), keeping the spaces
// around it outside the marks, where Markdown wants them.
func wrapMarkdown(text, mark string) string {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return text
	}
	lead := text[:strings.Index(text, trimmed)]
	trail := text[len(lead)+len(trimmed):]
	return lead + mark + trimmed + mark + trail
}

// codeSpan writes text as inline code, with enough backticks around it.
func codeSpan(text string) string {
	if text == "" {
		return ""
	}
	ticks := "`"
	for strings.Contains(text, ticks) {
		ticks += "`"
	}
	if strings.HasPrefix(text, "`") || strings.HasSuffix(text, "`") {
		text = " " + text + " "
	}
	return ticks + text + ticks
}

// fencedCode writes text as a fenced code block, with a fence longer than
// any run of backticks inside.
func fencedCode(text string) string {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return fence + "\n" + text + "\n" + fence
}

// oneLine joins the lines of text with single spaces.
func oneLine(text string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(text, latexBreak, "")), " ")
}

// tidyMarkdown settles the converter's output: forced line breaks become
// Markdown hard breaks where a line follows, trailing spaces go, runs of
// blank lines shrink to one; code blocks are left as they are.
func tidyMarkdown(md string) string {
	lines := strings.Split(md, "\n")
	var out []string
	fence := ""
	blank := 0
	for i, line := range lines {
		if fence != "" {
			out = append(out, line)
			if t := strings.TrimSpace(line); strings.HasPrefix(t, fence) && strings.Trim(t, "`") == "" {
				fence = ""
			}
			continue
		}
		hardBreak := strings.HasSuffix(strings.TrimRight(line, " \t"), latexBreak)
		line = strings.TrimRight(strings.ReplaceAll(line, latexBreak, ""), " \t")
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") {
			fence = t[:len(t)-len(strings.TrimLeft(t, "`"))]
		}
		if line == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
			out = append(out, line)
			continue
		}
		blank = 0
		if hardBreak && i+1 < len(lines) && strings.TrimSpace(strings.ReplaceAll(lines[i+1], latexBreak, "")) != "" {
			line += `\`
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
