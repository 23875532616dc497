package questions

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLatexToMarkdown(t *testing.T) {
	tests := []struct {
		name, latex, want string
	}{
		{"problem name dropped, sections become headings",
			"\\problemname{Halfway}\nFind it.\n\\section*{Input}\nTwo numbers.\n\\section{Output}\nOne number.\n",
			"Find it.\n\n## Input\n\nTwo numbers.\n\n## Output\n\nOne number."},
		{"Input and Output environments",
			"\\begin{Input}\nOne line.\n\\end{Input}\n\\begin{Output}\nOne word.\n\\end{Output}",
			"## Input\n\nOne line.\n\n## Output\n\nOne word."},
		{"subsections", "\\subsection*{Notes}\nSee \\subsubsection{Deep}x", "### Notes\n\nSee\n\n#### Deep\n\nx"},
		{"emphasis", `\textbf{bold} \emph{em} \textit{it} \texttt{code} \underline{plain}`, "**bold** *em* *it* `code` plain"},
		{"emphasis keeps its spaces outside the marks", `a\textbf{ b }c`, "a **b** c"},
		{"code with a backtick", "\\verb|a`b|", "``a`b``"},
		{"inline math kept, symbols in Unicode", `$1 \le n \leq 10^5$, $a \ge b \geq c \neq d$`, "$1 ≤ n ≤ 10^5$, $a ≥ b ≥ c ≠ d$"},
		{"other math macros kept", `$\frac{a}{b} \cdot \sqrt{x} \times 2$`, `$\frac{a}{b} · \sqrt{x} × 2$`},
		{"inline math on two lines joins", "$a +\n b$", "$a + b$"},
		{"display math", "Sum:\n$$\n\\sum_{i=1}^n i \\ldots\n$$\nDone.", "Sum:\n\n$$\\sum_{i=1}^n i …$$\n\nDone."},
		{"bracket math", `\(x \le 1\) and \[y \dots\]`, "$x ≤ 1$ and\n\n$$y …$$"},
		{"equation environment", "\\begin{equation*}a \\times b\\end{equation*}", "$$a × b$$"},
		{"symbols in text", `1, 2, \ldots, n \dots and 2 \times 3 \cdot 4`, "1, 2, …, n … and 2 × 3 · 4"},
		{"spacing", `10~km, 1\,000 and a\ b`, "10 km, 1 000 and a b"},
		{"dashes and quotes", "pages 1--2 --- ``quoted'' and `single'", "pages 1–2 — “quoted” and ‘single'"},
		{"escaped characters", `50\% \& \$5 \# \_ \{x\}`, `50% & \$5 \# \_ {x}`},
		{"unmatched dollar stays a dollar", "costs $5\n\nand more", `costs \$5` + "\n\nand more"},
		{"comments dropped", "one % a comment\ntwo\n% whole line\n\nthree", "one two\n\nthree"},
		{"line breaks", "first\\\\\nsecond\\\\\n\nnext", "first\\\nsecond\n\nnext"},
		{"newline macro", `a\newline b`, "a\\\nb"},
		{"itemize", "\\begin{itemize}\n  \\item one\n  \\item two\n\\end{itemize}", "- one\n- two"},
		{"enumerate", "\\begin{enumerate}\\item first \\item second\\end{enumerate}", "1. first\n2. second"},
		{"nested lists", "\\begin{itemize}\\item outer\n\\begin{enumerate}\\item inner\\end{enumerate}\\item next\\end{itemize}",
			"- outer\n\n  1. inner\n- next"},
		{"description", "\\begin{description}\\item[n] the count\\end{description}", "- **n** the count"},
		{"item with itemsep", "\\begin{itemize}\\itemsep0pt\\item a\\end{itemize}", "- a"},
		{"verbatim", "Run:\n\\begin{verbatim}\n  x = {1}  % not a comment\n\\textbf{raw}\n\\end{verbatim}\nok",
			"Run:\n\n```\n  x = {1}  % not a comment\n\\textbf{raw}\n```\n\nok"},
		{"verbatim with fences inside", "\\begin{verbatim}\n```\n\\end{verbatim}", "````\n```\n````"},
		{"lstlisting options dropped", "\\begin{lstlisting}[language=C]\nint x;\n\\end{lstlisting}", "```\nint x;\n```"},
		{"verb", `use \verb|a_b{}| here`, "use `a_b{}` here"},
		{"tabular", "\\begin{tabular}{|l|r|}\n\\hline\nName & Value \\\\ \\hline\n$n$ & 5 \\\\\na|b & \\multicolumn{1}{c}{6} \\\\\n\\end{tabular}",
			"| Name | Value |\n| --- | --- |\n| $n$ | 5 |\n| a\\|b | 6 |"},
		{"includegraphics dropped with a note", `\includegraphics[width=5cm]{map.png}`, "*(A figure, `map.png`, is left out here.)*"},
		{"illustration dropped with its caption", `\illustration{0.3}{tree.pdf}{A small tree}`, "*(A figure, `tree.pdf`, is left out here: A small tree.)*"},
		{"figure with caption", "\\begin{figure}[h]\\centering\\includegraphics{a.png}\\caption{The grid}\\end{figure}",
			"*(A figure, `a.png`, is left out here.)*\n\n*The grid*"},
		{"unknown macros keep their argument text", `\foo{kept} \bar[opt]{also} \baz plain \qux{one}{two}`, "kept also plain one two"},
		{"links", `\url{https://example.org} and \href{https://example.org/a}{a page}`, "<https://example.org> and [a page](https://example.org/a)"},
		{"layout commands dropped", "\\noindent\\vspace{1em}\\medskip Text\\hfill.\\label{x}", "Text."},
		{"accents", `\'ecole, na\"{\i}ve, \c{c}a`, "e\u0301cole, nai\u0308ve, c\u0327a"},
		{"quote", "\\begin{quote}Wise words.\n\nMore.\\end{quote}", "> Wise words.\n>\n> More."},
		{"document body only", "\\documentclass{kattis}\n\\usepackage{x}\n\\begin{document}\nBody.\n\\end{document}\nafter", "Body."},
		{"indented source is not a code block", "Text\n        indented line\n\n        next paragraph", "Text\nindented line\n\nnext paragraph"},
		{"sample placeholders dropped", `Look: \nextsample \remainingsamples`, "Look:"},
		{"new commands dropped", "\\newcommand{\\N}[1]{\\mathbb{N}}\\def\\x{y}Text", "Text"},
		{"unclosed group", `\textbf{never closed`, "**never closed**"},
		{"unclosed environment", "\\begin{itemize}\\item a", "- a"},
		{"stray braces", "}}a{{b", "ab"},
		{"trailing backslash", `a\`, "a"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := latexToMarkdown(tc.latex)
			assert.Equal(t, tc.want, got, "latexToMarkdown(%q)", tc.latex)
		})
	}
}

func TestLatexProblemName(t *testing.T) {
	tests := []struct{ name, latex, want string }{
		{"problemname", "\\problemname{Halfway There}\nText", "Halfway There"},
		{"formatted", `\problemname{The \emph{Big} $x^2$}`, "The *Big* $x^2$"},
		{"plain name comment wins", "%% plainproblemname: x squared\n\\problemname{$x^2$}", "x squared"},
		{"optional argument", `\problemname[short]{Long Name}`, "Long Name"},
		{"none", "No name here.", ""},
		{"empty", `\problemname`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, latexProblemName(tc.latex))
		})
	}
}

// TestLatexToMarkdownDeepNesting checks that nesting far deeper than any
// statement neither overflows the stack nor takes long.
func TestLatexToMarkdownDeepNesting(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("{", 200_000) + "x" + strings.Repeat("}", 200_000),
		strings.Repeat(`\textbf{`, 50_000) + "x",
		strings.Repeat(`\begin{itemize}\item `, 20_000),
		strings.Repeat(`\begin{quote}`, 20_000),
	} {
		out := latexToMarkdown(src)
		require.True(t, utf8.ValidString(out))
	}
}

// FuzzLatexToMarkdown: any input converts without a panic, and valid UTF-8
// stays valid UTF-8.
func FuzzLatexToMarkdown(f *testing.F) {
	for _, seed := range []string{
		"\\problemname{X}\n\\section*{Input}\n$1 \\le n$\n",
		"\\begin{itemize}\\item a\\begin{enumerate}\\item b\\end{enumerate}\\end{itemize}",
		"\\begin{tabular}{ll}a & b\\\\ c & d\\end{tabular}",
		"\\begin{verbatim}\n{\n\\end{verbatim}",
		"$$x$$ $y$ \\(z\\) \\[w\\]",
		"\\'e\\\"{o}\\c{c}\\verb|x|",
		"\\textbf{\\emph{\\texttt{`}}}",
		"é\\ü{ñ}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := latexToMarkdown(src)
		if utf8.ValidString(src) {
			require.True(t, utf8.ValidString(out), "latexToMarkdown(%q) = %q, not valid UTF-8", src, out)
		}
		require.NotContains(t, out, latexBreak, "the line break marker leaked")
	})
}
