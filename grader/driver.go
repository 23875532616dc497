package grader

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
	"unicode"

	"github.com/onsite-dev/onsite"
)

// driverFS holds the function-mode drivers: a Python and a JavaScript file
// used as they are, and a Go template filled in per signature.
//
//go:embed drivers/driver.py drivers/driver.js drivers/main.go.tmpl
var driverFS embed.FS

var goDriver = template.Must(template.ParseFS(driverFS, "drivers/main.go.tmpl"))

// File is one file written into a Box before anything runs.
type File struct {
	Name       string
	Data       []byte
	Executable bool
}

// Program is what the grader writes into a Box for one task, and how it
// builds and starts it.
type Program struct {
	Files []File
	// Main is the file the run command starts ({main} in Language.Run).
	Main string
	// Sources are the files compiled together ({main} in
	// Language.Compile); empty for interpreted languages.
	Sources []string
}

// goTypes maps the signature types to Go's.
var goTypes = map[string]string{
	"int": "int", "float": "float64", "string": "string", "bool": "bool",
	"int[]": "[]int", "float[]": "[]float64", "string[]": "[]string", "bool[]": "[]bool",
	"int[][]": "[][]int", "float[][]": "[][]float64",
}

// pythonTypes and jsTypes give the starter code's annotations and JSDoc.
var (
	pythonTypes = map[string]string{
		"int": "int", "float": "float", "string": "str", "bool": "bool",
		"int[]": "list[int]", "float[]": "list[float]", "string[]": "list[str]", "bool[]": "list[bool]",
		"int[][]": "list[list[int]]", "float[][]": "list[list[float]]",
	}
	jsTypes = map[string]string{
		"int": "number", "float": "number", "string": "string", "bool": "boolean",
		"int[]": "number[]", "float[]": "number[]", "string[]": "string[]", "bool[]": "boolean[]",
		"int[][]": "number[][]", "float[][]": "number[][]",
	}
)

// FunctionName is the name a language's code gives sig's function: Python
// keeps the signature's name (snake_case), JavaScript and Go use its
// lowerCamelCase ("precision_recall_f1" is precisionRecallF1).
func FunctionName(lang string, sig *Signature) string {
	switch lang {
	case "javascript", "go":
		return lowerCamel(sig.Name)
	}
	return sig.Name
}

// lowerCamel turns snake_case into lowerCamelCase; other names keep their
// letters and lose a leading capital.
func lowerCamel(s string) string {
	var b strings.Builder
	up := false
	for i, r := range s {
		switch {
		case r == '_' && i > 0:
			up = true
		case up:
			b.WriteRune(unicode.ToUpper(r))
			up = false
		case i == 0:
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkSignature refuses a signature the drivers cannot call.
func checkSignature(sig *Signature) error {
	if sig == nil || sig.Name == "" {
		return onsite.Errorf(onsite.EINVALID, "A function-mode task needs a function signature.")
	}
	if !isIdentifier(sig.Name) {
		return onsite.Errorf(onsite.EINVALID, "The function name %q is not an identifier.", sig.Name)
	}
	for _, p := range sig.Params {
		if goTypes[p.Type] == "" {
			return onsite.Errorf(onsite.EINVALID, "Parameter %s has unknown type %q.", p.Name, p.Type)
		}
	}
	if goTypes[sig.Returns] == "" {
		return onsite.Errorf(onsite.EINVALID, "The function returns unknown type %q.", sig.Returns)
	}
	return nil
}

// isIdentifier reports whether s is an ASCII identifier in every language.
func isIdentifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// FunctionProgram returns the files that run code's function of signature
// sig in language lang (function mode): the candidate's code and a driver.
func FunctionProgram(lang string, sig *Signature, code string) (*Program, error) {
	if err := checkSignature(sig); err != nil {
		return nil, err
	}
	switch lang {
	case "python", "javascript":
		drv, _ := driverSource(lang)
		ext := driverExt[lang]
		return &Program{Main: "driver" + ext, Files: []File{
			{Name: "driver" + ext, Data: drv},
			{Name: "solution" + ext, Data: []byte(code)},
		}}, nil
	case "go":
		drv, err := goDriverSource(sig)
		if err != nil {
			return nil, err
		}
		return &Program{Main: "prog", Sources: []string{"main.go", "solution.go"}, Files: []File{
			{Name: "main.go", Data: drv},
			{Name: "solution.go", Data: []byte(code)},
		}}, nil
	}
	return nil, onsite.Errorf(onsite.EINVALID, "%s has no function-mode driver.", lang)
}

// driverExt is the file extension of each interpreted language's
// function-mode driver (drivers/driver.EXT) and of the candidate's file.
var driverExt = map[string]string{"python": ".py", "javascript": ".js"}

// driverSource is the function-mode driver of an interpreted language.
func driverSource(lang string) ([]byte, error) {
	ext, ok := driverExt[lang]
	if !ok {
		return nil, fmt.Errorf("no driver source for %s", lang)
	}
	return driverFS.ReadFile("drivers/driver" + ext)
}

// compiledDriver swaps the driver's source in prog for the language's
// compiled driver, when Discover made one.
func compiledDriver(lang Language, prog *Program) {
	if lang.Driver == nil || lang.DriverFile == "" || len(prog.Files) == 0 || prog.Files[0].Name != prog.Main {
		return
	}
	prog.Main = lang.DriverFile
	prog.Files[0] = File{Name: lang.DriverFile, Data: lang.Driver}
}

// goDriverSource fills in the Go driver for sig.
func goDriverSource(sig *Signature) ([]byte, error) {
	type param struct{ Name, GoType string }
	data := struct {
		Params     []param
		Func, Wrap string
	}{Func: lowerCamel(sig.Name)}
	for _, p := range sig.Params {
		data.Params = append(data.Params, param{Name: p.Name, GoType: goTypes[p.Type]})
	}
	switch strings.Count(sig.Returns, "[]") {
	case 1:
		data.Wrap = "onsiteList"
	case 2:
		data.Wrap = "onsiteGrid"
	}
	var b bytes.Buffer
	if err := goDriver.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("go driver: %w", err)
	}
	return b.Bytes(), nil
}

// StdioProgram returns the files of a stdio-mode program: the candidate's
// code in the language's source file.
func StdioProgram(l Language, code string) *Program {
	p := &Program{Main: l.Source, Files: []File{{Name: l.Source, Data: []byte(code)}}}
	if l.Compile != nil {
		p.Main, p.Sources = "prog", []string{l.Source}
	}
	return p
}

// driverRequest is what a function-mode driver reads on stdin.
type driverRequest struct {
	Nonce    string              `json:"nonce"`
	Names    []string            `json:"names"`
	File     string              `json:"file"`
	LimitMS  float64             `json:"limit_ms"`
	OutLimit int64               `json:"out_limit"`
	Tests    [][]json.RawMessage `json:"tests"`
}

// driverLine is one line a driver writes after the nonce. Kind is empty for
// a test that returned, or one of the driverKind constants.
type driverLine struct {
	I      *int            `json:"i"`
	Kind   string          `json:"kind"`
	Value  json.RawMessage `json:"value"`
	MS     float64         `json:"ms"`
	Error  string          `json:"error"`
	Stdout string          `json:"out"`
}

// What a driver line reports, besides a returned value.
const (
	kindException   = "exception"    // the call raised or panicked
	kindMemory      = "memory"       // the call could not allocate (Python's MemoryError)
	kindTimeout     = "timeout"      // the call ran past the time limit; the driver exited
	kindOutputLimit = "output_limit" // the call printed too much; the driver exited
	kindUnencodable = "unencodable"  // the return value has no JSON form (NaN, a cycle)
	kindBadArgs     = "bad_args"     // the test's arguments do not fit the signature
	kindCompile     = "compile"      // the code does not parse
	kindLoad        = "load"         // the code raised while loading
	kindMissing     = "missing"      // the code defines no such function
	kindReady       = "ready"        // the driver started, before the code loaded
	kindDone        = "done"         // every test ran
)

// newNonce returns a random token that marks the driver's result lines.
func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "onsite-" + hex.EncodeToString(b)
}

// Starter returns starter code for sig in lang: the function with typed
// parameters and an empty body, for questions that ship none.
func Starter(lang string, sig *Signature) string {
	if sig == nil {
		return ""
	}
	name := FunctionName(lang, sig)
	var b strings.Builder
	switch lang {
	case "python":
		fmt.Fprintf(&b, "def %s(", name)
		for i, p := range sig.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %s", p.Name, pythonTypes[p.Type])
		}
		fmt.Fprintf(&b, ") -> %s:\n    pass\n", pythonTypes[sig.Returns])
	case "javascript":
		b.WriteString("/**\n")
		for _, p := range sig.Params {
			fmt.Fprintf(&b, " * @param {%s} %s\n", jsTypes[p.Type], paramName(p.Name))
		}
		fmt.Fprintf(&b, " * @return {%s}\n */\nfunction %s(", jsTypes[sig.Returns], name)
		for i, p := range sig.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(paramName(p.Name))
		}
		b.WriteString(") {\n  \n}\n")
	case "go":
		fmt.Fprintf(&b, "package main\n\nfunc %s(", name)
		for i, p := range sig.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %s", paramName(p.Name), goTypes[p.Type])
		}
		fmt.Fprintf(&b, ") %s {\n\treturn %s\n}\n", goTypes[sig.Returns], goZero(sig.Returns))
	}
	return b.String()
}

// reserved holds the Go and JavaScript keywords a parameter could be named.
var reserved = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true,
	"defer": true, "delete": true, "do": true, "else": true, "fallthrough": true, "for": true,
	"func": true, "function": true, "go": true, "goto": true, "if": true, "import": true, "in": true,
	"interface": true, "let": true, "map": true, "new": true, "package": true, "range": true,
	"return": true, "select": true, "struct": true, "switch": true, "this": true, "type": true,
	"typeof": true, "var": true, "void": true, "while": true, "with": true, "yield": true,
}

// paramName is a parameter's lowerCamelCase name, with a trailing
// underscore when that is a keyword ("type" becomes "type_").
func paramName(name string) string {
	n := lowerCamel(name)
	if reserved[n] {
		n += "_"
	}
	return n
}

// goZero is a return statement's operand that compiles for type t.
func goZero(t string) string {
	switch t {
	case "int", "float":
		return "0"
	case "string":
		return `""`
	case "bool":
		return "false"
	}
	return "nil"
}
