package grader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The comparator types, as Comparator.Type spells them.
const (
	compareExact     = "exact"
	compareUnordered = "unordered"
	compareFloat     = "float"
	compareTokens    = "tokens"
)

// defaultTolerance is used when a float comparator leaves Tolerance at 0:
// the ICPC default validator's and LeetCode's usual 1e-6.
const defaultTolerance = 1e-6

// CompareJSON reports whether actual, the JSON value a driver encoded from
// the function's return value, matches expected under c. err is set only
// when a value is not a single valid JSON value (trailing data included):
// for actual that is the candidate's fault, for expected the test data's.
//
// Numbers compare by value, exactly: 2 equals 2.0 and 2e0 (Python returns
// floats where JavaScript prints integers), and 9007199254740993 does not
// equal 9007199254740992 (no float64 rounding). Object key order never
// matters; true is not 1 and null only equals null.
//
// Type "unordered" compares a list as a multiset (duplicates count), and
// each element that is itself a list as a multiset too, so that LeetCode's
// "return the answer in any order" questions (group anagrams, subsets,
// permutations) accept any order at both levels; deeper levels compare
// exactly. An expected value that is not a list compares exactly.
// Type "float" lets numbers at any depth differ by Tolerance (1e-6 when 0),
// absolute or relative to expected; lists still need equal lengths and
// everything else compares exactly. Any other type compares exactly.
func CompareJSON(c Comparator, expected, actual json.RawMessage) (bool, error) {
	a, err := decodeJSON(actual)
	if err != nil {
		return false, fmt.Errorf("actual: %w", err)
	}
	e, err := decodeJSON(expected)
	if err != nil {
		return false, fmt.Errorf("expected: %w", err)
	}
	switch c.Type {
	case compareUnordered:
		return unorderedEqual(e, a), nil
	case compareFloat:
		tol := tolerance(c)
		return valuesEqual(e, a, func(e, a json.Number) bool { return numbersClose(e, a, tol) }), nil
	default:
		return valuesEqual(e, a, numbersEqual), nil
	}
}

// errTrailingData is a JSON value followed by anything but whitespace.
var errTrailingData = errors.New("invalid JSON: data after the value")

// decodeJSON decodes exactly one JSON value, keeping numbers as their
// literals so that they compare without float64 rounding.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF {
			return nil, errors.New("invalid JSON: no value")
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errTrailingData
	}
	return v, nil
}

// tolerance is c's float tolerance, the default when unset or nonsense.
func tolerance(c Comparator) float64 {
	if !(c.Tolerance > 0) {
		return defaultTolerance
	}
	return c.Tolerance
}

// valuesEqual compares decoded JSON values structurally, numbers with eq.
func valuesEqual(e, a any, eq func(e, a json.Number) bool) bool {
	switch ev := e.(type) {
	case nil:
		return a == nil
	case bool:
		av, ok := a.(bool)
		return ok && av == ev
	case string:
		av, ok := a.(string)
		return ok && av == ev
	case json.Number:
		av, ok := a.(json.Number)
		return ok && eq(ev, av)
	case []any:
		av, ok := a.([]any)
		if !ok || len(av) != len(ev) {
			return false
		}
		for i := range ev {
			if !valuesEqual(ev[i], av[i], eq) {
				return false
			}
		}
		return true
	case map[string]any:
		av, ok := a.(map[string]any)
		if !ok || len(av) != len(ev) {
			return false
		}
		for k, v := range ev {
			w, ok := av[k]
			if !ok || !valuesEqual(v, w, eq) {
				return false
			}
		}
		return true
	}
	return false
}

// numbersEqual reports whether two JSON number literals have the same value.
func numbersEqual(e, a json.Number) bool {
	return e == a || canonicalNumber(string(e)) == canonicalNumber(string(a))
}

// numbersClose reports whether two JSON numbers are within tol. Literals
// beyond float64's range only equal the same value.
func numbersClose(e, a json.Number, tol float64) bool {
	if numbersEqual(e, a) {
		return true
	}
	ef, err := strconv.ParseFloat(string(e), 64)
	if err != nil {
		return false
	}
	af, err := strconv.ParseFloat(string(a), 64)
	if err != nil {
		return false
	}
	return floatsClose(ef, af, tol)
}

// floatsClose is the judges' rule: |a-e| <= tol or |a-e| <= tol*|e|. NaN
// equals nothing and an infinity only itself.
func floatsClose(e, a, tol float64) bool {
	if a == e {
		return true
	}
	if math.IsInf(e, 0) || math.IsInf(a, 0) {
		return false
	}
	d := math.Abs(a - e)
	return d <= tol || d <= tol*math.Abs(e)
}

// maxExactExponentDigits bounds the exponents canonicalNumber adds up
// exactly: big.Int parsing is superlinear, and an answer is never 10^(10^1000).
const maxExactExponentDigits = 1000

// canonicalNumber writes a valid JSON number literal as [-]D e X, its value
// being 0.D × 10^X with D free of leading and trailing zeros, so that
// equal values have equal forms ("0" for zero, negative or not).
func canonicalNumber(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i+1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	point := len(intPart)
	lead := len(digits) - len(strings.TrimLeft(digits, "0"))
	digits = strings.TrimRight(digits[lead:], "0")
	if digits == "" {
		return "0"
	}
	point -= lead
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(digits)
	b.WriteByte('e')
	x, err := strconv.ParseInt(exp, 10, 64)
	switch {
	case exp == "":
		b.WriteString(strconv.Itoa(point))
	case err == nil && x > math.MinInt64/2 && x < math.MaxInt64/2:
		b.WriteString(strconv.FormatInt(x+int64(point), 10))
	case len(exp) <= maxExactExponentDigits:
		var bx big.Int
		bx.SetString(strings.TrimPrefix(exp, "+"), 10)
		b.WriteString(bx.Add(&bx, big.NewInt(int64(point))).String())
	default:
		// Only the same literal matches: exact sums would cost too much.
		b.WriteString(strconv.Itoa(point))
		b.WriteByte('~')
		b.WriteString(exp)
	}
	return b.String()
}

// unorderedEqual compares lists as multisets, and lists inside them as
// multisets too, by sorting canonical encodings: O(n log n), not O(n²).
func unorderedEqual(e, a any) bool {
	el, ok := e.([]any)
	if !ok {
		return valuesEqual(e, a, numbersEqual)
	}
	al, ok := a.([]any)
	if !ok || len(al) != len(el) {
		return false
	}
	ek, ak := multisetKeys(el, true), multisetKeys(al, true)
	return slices.Equal(ek, ak)
}

// multisetKeys returns the sorted canonical encodings of list's elements,
// an element that is a list encoded as its own sorted keys when nested.
func multisetKeys(list []any, nested bool) []string {
	keys := make([]string, len(list))
	var buf []byte
	for i, v := range list {
		buf = buf[:0]
		if inner, ok := v.([]any); ok && nested {
			buf = append(buf, '[')
			for j, k := range multisetKeys(inner, false) {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, k...)
			}
			buf = append(buf, ']')
		} else {
			buf = appendCanonical(buf, v)
		}
		keys[i] = string(buf)
	}
	slices.Sort(keys)
	return keys
}

// appendCanonical appends an encoding of v that is equal for two values
// exactly when valuesEqual with numbersEqual holds: sorted keys, canonical
// numbers, quoted strings.
func appendCanonical(buf []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(buf, "null"...)
	case bool:
		return strconv.AppendBool(buf, v)
	case string:
		return strconv.AppendQuote(buf, v)
	case json.Number:
		return append(buf, canonicalNumber(string(v))...)
	case []any:
		buf = append(buf, '[')
		for i, x := range v {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendCanonical(buf, x)
		}
		return append(buf, ']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		buf = append(buf, '{')
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendQuote(buf, k)
			buf = append(buf, ':')
			buf = appendCanonical(buf, v[k])
		}
		return append(buf, '}')
	}
	return buf
}

// CompareText reports whether a program's output matches the expected
// output under c (stdio mode), by the ICPC default output validator's
// rules. Outputs are split into tokens at ASCII whitespace, so spacing,
// blank lines and \r\n line ends never matter; tokens compare ignoring
// case unless c.CaseSensitive. With c.SpaceSensitive the whitespace must
// match too, except trailing whitespace on each line and trailing blank
// lines. With Type "float", a pair of tokens that both parse as floats
// compares within Tolerance (1e-6 when 0), absolute or relative to the
// expected token, NaN equalling nothing; other tokens compare as text.
// Any other type compares tokens. Time is linear in the outputs' size.
func CompareText(c Comparator, expected, actual string) bool {
	eq := tokenEqual(c)
	if c.SpaceSensitive {
		return linesEqual(expected, actual, eq)
	}
	return tokensEqual(expected, actual, eq)
}

// isSpace is C's isspace in the C locale, the validators' whitespace.
func isSpace(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// tokensEqual walks both outputs a token at a time, without splitting them.
func tokensEqual(expected, actual string, eq func(e, a string) bool) bool {
	var i, j int
	for {
		var et, at string
		et, i = nextToken(expected, i)
		at, j = nextToken(actual, j)
		if et == "" || at == "" {
			return et == "" && at == ""
		}
		if !eq(et, at) {
			return false
		}
	}
}

// nextToken returns the token at or after s[i] and the index after it, or
// "" at the end of s.
func nextToken(s string, i int) (string, int) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	start := i
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return s[start:i], i
}

// trimSpaceRight drops trailing whitespace, newlines included.
func trimSpaceRight(s string) string {
	i := len(s)
	for i > 0 && isSpace(s[i-1]) {
		i--
	}
	return s[:i]
}

// linesEqual is the space-sensitive comparison: line by line, each line's
// trailing whitespace and the output's trailing blank lines ignored.
func linesEqual(expected, actual string, eq func(e, a string) bool) bool {
	e, a := trimSpaceRight(expected), trimSpaceRight(actual)
	for {
		el, erest, emore := strings.Cut(e, "\n")
		al, arest, amore := strings.Cut(a, "\n")
		if emore != amore || !lineEqual(trimSpaceRight(el), trimSpaceRight(al), eq) {
			return false
		}
		if !emore {
			return true
		}
		e, a = erest, arest
	}
}

// lineEqual compares two lines run by run: whitespace runs byte for byte,
// tokens with eq.
func lineEqual(e, a string, eq func(e, a string) bool) bool {
	for len(e) > 0 && len(a) > 0 {
		space := isSpace(e[0])
		if isSpace(a[0]) != space {
			return false
		}
		i, j := 1, 1
		for i < len(e) && isSpace(e[i]) == space {
			i++
		}
		for j < len(a) && isSpace(a[j]) == space {
			j++
		}
		if space && e[:i] != a[:j] || !space && !eq(e[:i], a[:j]) {
			return false
		}
		e, a = e[i:], a[j:]
	}
	return len(e) == 0 && len(a) == 0
}

// tokenEqual returns the token comparison c asks for.
func tokenEqual(c Comparator) func(e, a string) bool {
	text := foldEqual
	if c.CaseSensitive {
		text = func(e, a string) bool { return e == a }
	}
	if c.Type != compareFloat {
		return text
	}
	tol := tolerance(c)
	return func(e, a string) bool {
		if ef, ok := parseFloatToken(e); ok {
			if af, ok := parseFloatToken(a); ok {
				return floatsClose(ef, af, tol)
			}
		}
		return text(e, a)
	}
}

// parseFloatToken parses a token as strtod would (decimal, hex, inf, nan),
// skipping the parse for tokens that cannot be numbers. Literals beyond
// float64's range are not floats: they compare as text.
func parseFloatToken(s string) (float64, bool) {
	if !strings.ContainsRune("+-.0123456789iInN", rune(s[0])) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// foldEqual is strings.EqualFold with an ASCII fast path, and which does
// not take two different invalid UTF-8 bytes for the same letter.
func foldEqual(e, a string) bool {
	for len(e) > 0 && len(a) > 0 {
		ce, ca := e[0], a[0]
		if ce < utf8.RuneSelf && ca < utf8.RuneSelf {
			if lowerASCII(ce) != lowerASCII(ca) {
				return false
			}
			e, a = e[1:], a[1:]
			continue
		}
		re, ne := utf8.DecodeRuneInString(e)
		ra, na := utf8.DecodeRuneInString(a)
		if re == utf8.RuneError && ne == 1 || ra == utf8.RuneError && na == 1 {
			if e[:ne] != a[:na] {
				return false
			}
		} else if !runesFold(re, ra) {
			return false
		}
		e, a = e[ne:], a[na:]
	}
	return len(e) == 0 && len(a) == 0
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// runesFold reports whether r and s are the same letter under Unicode
// simple case folding.
func runesFold(r, s rune) bool {
	if r == s {
		return true
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f == s {
			return true
		}
	}
	return false
}
