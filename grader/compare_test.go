package grader

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompareJSON(t *testing.T) {
	exact := Comparator{Type: "exact"}
	unordered := Comparator{Type: "unordered"}
	float := Comparator{Type: "float"}
	tests := []struct {
		name             string
		c                Comparator
		expected, actual string
		want             bool
	}{
		// exact
		{"equal ints", exact, `3`, `3`, true},
		{"different ints", exact, `3`, `4`, false},
		{"int and whole float", exact, `2`, `2.0`, true},
		{"whole float and int", exact, `2.0`, `2`, true},
		{"int and exponent", exact, `1500`, `1.5e3`, true},
		{"int and Go's big float", exact, `3000000000000000000000`, `3e+21`, true},
		{"int and fraction", exact, `2`, `2.5`, false},
		{"negative zero", exact, `0`, `-0.0`, true},
		{"negative and positive", exact, `-1`, `1`, false},
		{"leading and trailing zeros", exact, `0.000120`, `1.2e-4`, true},
		{"big ints equal", exact, `9007199254740993`, `9007199254740993`, true},
		{"big ints differ past float64", exact, `9007199254740993`, `9007199254740992`, false},
		{"huge ints differ", exact, `123456789012345678901234567890`, `123456789012345678901234567891`, false},
		{"huge exponents", exact, `1e400`, `10e399`, true},
		{"empty type is exact", Comparator{}, `[1,2]`, `[1, 2]`, true},
		{"unknown type is exact", Comparator{Type: "tokens"}, `[1,2]`, `[2,1]`, false},
		{"true is not 1", exact, `true`, `1`, false},
		{"null is only null", exact, `null`, `0`, false},
		{"null equals null", exact, `null`, ` null `, true},
		{"missing is not null", exact, `{"a":null}`, `{}`, false},
		{"strings", exact, `"abc"`, `"abc"`, true},
		{"strings case", exact, `"abc"`, `"ABC"`, false},
		{"string is not number", exact, `"1"`, `1`, false},
		{"nested lists", exact, `[[1,2],[3,[4,5]]]`, `[[1,2],[3,[4,5.0]]]`, true},
		{"nested lists differ", exact, `[[1,2],[3,[4,5]]]`, `[[1,2],[3,[5,4]]]`, false},
		{"list order matters", exact, `[1,2,3]`, `[3,2,1]`, false},
		{"list lengths", exact, `[1,2]`, `[1,2,3]`, false},
		{"empty lists", exact, `[]`, `[]`, true},
		{"empty list is not null", exact, `[]`, `null`, false},
		{"object key order", exact, `{"a":1,"b":[2,3]}`, `{"b":[2,3],"a":1.0}`, true},
		{"object extra key", exact, `{"a":1}`, `{"a":1,"b":2}`, false},
		{"python driver string", exact, `["a","é",{"k":[1,2]}]`, "[\"a\", \"\\u00e9\", {\"k\": [1, 2]}]\n", true},
		{"python float for int list", exact, `[1,2,3]`, `[1.0, 2.0, 3.0]`, true},

		// unordered
		{"unordered permutation", unordered, `[1,2,3]`, `[3,1,2]`, true},
		{"unordered duplicates kept", unordered, `[1,1,2]`, `[1,2,2]`, false},
		{"unordered duplicates equal", unordered, `[1,1,2]`, `[1,2,1]`, true},
		{"unordered lengths", unordered, `[1,2]`, `[1,2,2]`, false},
		{"unordered numbers by value", unordered, `[1,2]`, `[2.0,1]`, true},
		{"unordered list of lists", unordered, `[["eat","tea","ate"],["tan","nat"],["bat"]]`, `[["bat"],["nat","tan"],["ate","eat","tea"]]`, true},
		{"unordered list of lists differ", unordered, `[["eat","tea"],["tan"]]`, `[["eat","tan"],["tea"]]`, false},
		{"unordered subsets", unordered, `[[],[1],[2],[1,2]]`, `[[2,1],[2],[],[1]]`, true},
		{"unordered inner duplicates", unordered, `[[1,1,2]]`, `[[1,2,2]]`, false},
		{"unordered third level exact", unordered, `[[[1,2]]]`, `[[[2,1]]]`, false},
		{"unordered objects", unordered, `[{"a":1,"b":2},{"c":3}]`, `[{"c":3},{"b":2,"a":1}]`, true},
		{"unordered not a list actual", unordered, `[1]`, `1`, false},
		{"unordered scalar expected", unordered, `5`, `5.0`, true},
		{"unordered strings vs numbers", unordered, `["1",1]`, `[1,1]`, false},

		// float
		{"float absolute", float, `0.3`, `0.30000000000000004`, true},
		{"float too far", float, `0.3`, `0.3001`, false},
		{"float at depth", float, `[[1.0,2.5],{"x":3}]`, `[[1.0000001,2.4999999],{"x":3.0000002}]`, true},
		{"float at depth too far", float, `[[1.0,2.5]]`, `[[1.0,2.6]]`, false},
		{"float relative for large", float, `1e12`, `1000000000100`, true},
		{"float relative too far", float, `1e12`, `1000002000000`, false},
		{"float custom tolerance", Comparator{Type: "float", Tolerance: 1e-2}, `3.14159`, `3.14`, true},
		{"float custom tolerance too far", Comparator{Type: "float", Tolerance: 1e-4}, `3.14159`, `3.14`, false},
		{"float lengths", float, `[1.0,2.0]`, `[1.0]`, false},
		{"float strings exact", float, `["a",1]`, `["A",1]`, false},
		{"float bool is not number", float, `1`, `true`, false},
		{"float overflow only equals itself", float, `1e400`, `2e400`, false},
		{"float overflow same value", float, `1e400`, `1.0e400`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CompareJSON(tc.c, json.RawMessage(tc.expected), json.RawMessage(tc.actual))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got, "CompareJSON(%+v, %s, %s) = %v, want %v", tc.c, tc.expected, tc.actual, got, tc.want)
		})
	}
}

func TestCompareJSONInvalid(t *testing.T) {
	tests := []struct {
		name             string
		expected, actual string
	}{
		{"empty actual", `[1]`, ``},
		{"whitespace actual", `[1]`, " \n"},
		{"syntax error", `[1]`, `[1,`},
		{"trailing garbage", `[1,2]`, `[1,2] x`},
		{"two values", `1`, `1 2`},
		{"stray bracket", `[1]`, `[1]]`},
		{"python NaN", `1.0`, `NaN`},
		{"python Infinity", `1.0`, `[Infinity]`},
		{"invalid expected", `[1,`, `[1]`},
	}
	for _, c := range []Comparator{{}, {Type: "exact"}, {Type: "unordered"}, {Type: "float"}} {
		for _, tc := range tests {
			t.Run(c.Type+"/"+tc.name, func(t *testing.T) {
				got, err := CompareJSON(c, json.RawMessage(tc.expected), json.RawMessage(tc.actual))
				require.Error(t, err, "got no error for %q, want one", tc.actual)
				assert.False(t, got, "got a match for %q, want none", tc.actual)
			})
		}
	}
}

func TestCompareText(t *testing.T) {
	tokens := Comparator{Type: "tokens"}
	float := Comparator{Type: "float"}
	spaces := Comparator{SpaceSensitive: true}
	tests := []struct {
		name             string
		c                Comparator
		expected, actual string
		want             bool
	}{
		{"same", tokens, "1 2\n3\n", "1 2\n3\n", true},
		{"spacing ignored", tokens, "1 2\n3\n", "  1\t\t2 3", true},
		{"crlf line ends", tokens, "1 2\n3\n", "1 2\r\n3\r\n", true},
		{"missing trailing newline", Comparator{}, "42\n", "42", true},
		{"different token", tokens, "1 2 3", "1 2 4", false},
		{"extra token", tokens, "1 2", "1 2 3", false},
		{"missing token", tokens, "1 2 3", "1 2", false},
		{"tokens not joined", tokens, "12", "1 2", false},
		{"case insensitive", tokens, "YES\nNo", "yes\nno", true},
		{"case insensitive unicode", tokens, "ÉTÉ", "été", true},
		{"invalid utf-8 bytes differ", tokens, "\xff", "\xfe", false},
		{"case sensitive", Comparator{CaseSensitive: true}, "YES", "yes", false},
		{"case sensitive same", Comparator{CaseSensitive: true}, "YES", "YES", true},
		{"empty expected, blank output", tokens, "", " \n\r\n\t", true},
		{"empty expected, some output", tokens, "", "0", false},
		{"empty both", tokens, "", "", true},
		{"unknown type is tokens", Comparator{Type: "unordered"}, "1 2", "1\n2", true},
		{"numbers as text", tokens, "1.0", "1", false},

		{"float tolerance", float, "0.333333", "0.3333333333", true},
		{"float too far", float, "0.333", "0.334", false},
		{"float relative large", float, "123456789012.0", "123456789012.05", true},
		{"float relative too far", float, "123456789012.0", "123457789012.0", false},
		{"float int token", float, "2", "2.0000000001", true},
		{"float exponent", float, "1e-3", "0.001", true},
		{"float with words", float, "Case #1: 0.5", "case #1: 0.5000001", true},
		{"float words differ", float, "Case #1: 0.5", "Case #2: 0.5", false},
		{"float custom tolerance", Comparator{Type: "float", Tolerance: 0.1}, "1.0", "1.05", true},
		{"float nan never equal", float, "nan", "nan", false},
		{"float nan and number", float, "NaN", "0", false},
		{"tokens nan as text", tokens, "NaN", "nan", true},
		{"float inf equals inf", float, "inf", "Infinity", true},
		{"float inf not big", float, "inf", "1e308", false},
		{"float -inf not inf", float, "-inf", "inf", false},
		{"float number and word", float, "1.5", "one", false},
		{"float overflow as text", float, "1e400", "1E400", true},
		{"float case sensitive words", Comparator{Type: "float", CaseSensitive: true}, "Yes 1.0", "yes 1.0", false},

		{"space sensitive same", spaces, "1 2\n3\n", "1 2\n3\n", true},
		{"space sensitive extra space", spaces, "1 2\n3\n", "1  2\n3\n", false},
		{"space sensitive tab", spaces, "1 2", "1\t2", false},
		{"space sensitive leading space", spaces, "1 2", " 1 2", false},
		{"space sensitive line break", spaces, "1 2", "1\n2", false},
		{"space sensitive blank line inside", spaces, "1\n\n2", "1\n2", false},
		{"space sensitive trailing spaces", spaces, "1 2\n3", "1 2   \n3\t\n", true},
		{"space sensitive trailing newlines", spaces, "1 2\n", "1 2\n\n\n", true},
		{"space sensitive crlf", spaces, "1 2\n3\n", "1 2\r\n3\r\n", true},
		{"space sensitive case", spaces, "Yes", "yes", true},
		{"space sensitive empty", spaces, "", "\n \n", true},
		{"space sensitive float", Comparator{Type: "float", SpaceSensitive: true}, "0.5 1", "0.5000001 1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CompareText(tc.c, tc.expected, tc.actual)
			assert.Equal(t, tc.want, got, "CompareText(%+v, %q, %q) = %v, want %v", tc.c, tc.expected, tc.actual, got, tc.want)
		})
	}
}

// TestCompareUnorderedLarge: a reversed list of 200,000 pairs, each pair
// reversed too, is the same multiset (and takes n log n, not n²).
func TestCompareUnorderedLarge(t *testing.T) {
	const n = 200_000
	var e, a strings.Builder
	e.WriteByte('[')
	a.WriteByte('[')
	for i := range n {
		if i > 0 {
			e.WriteByte(',')
			a.WriteByte(',')
		}
		j := n - 1 - i
		e.WriteString("[" + strconv.Itoa(i) + "," + strconv.Itoa(i%7) + "]")
		a.WriteString("[" + strconv.Itoa(j%7) + "," + strconv.Itoa(j) + "]")
	}
	e.WriteByte(']')
	a.WriteByte(']')
	got, err := CompareJSON(Comparator{Type: "unordered"}, json.RawMessage(e.String()), json.RawMessage(a.String()))
	require.NoError(t, err)
	assert.True(t, got, "got no match for a permuted list, want one")
}

// comparators are every comparator the fuzz tests hold to their properties.
var comparators = []Comparator{
	{},
	{Type: "exact"},
	{Type: "unordered"},
	{Type: "float"},
	{Type: "float", Tolerance: 1e-2},
	{Type: "tokens"},
	{Type: "tokens", CaseSensitive: true},
	{Type: "tokens", SpaceSensitive: true},
	{Type: "float", CaseSensitive: true, SpaceSensitive: true},
}

func FuzzCompareJSON(f *testing.F) {
	for _, s := range [][2]string{
		{`1`, `1.0`},
		{`9007199254740993`, `9007199254740992`},
		{`[1,2,[3,4]]`, `[[4,3],2,1]`},
		{`{"a":[1.5,null],"b":true}`, `{"b":true,"a":[1.5000001,null]}`},
		{`[1,2] x`, `[1,2]`},
		{`"\u00e9"`, `"é"`},
		{`1e400`, `-0.0e-99999999999999999999`},
		{`[[],[1],[1,1]]`, `[[1],[],[1,1]]`},
	} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, expected, actual []byte) {
		valid := json.Valid(actual)
		for _, c := range comparators {
			got, err := CompareJSON(c, expected, actual)
			if json.Valid(expected) {
				assert.Equal(t, valid, err == nil, "CompareJSON(%+v, %q, %q) error %v, want one: %v", c, expected, actual, err, !valid)
			}
			if err != nil {
				assert.False(t, got, "got a match with error %v", err)
			}
			if valid {
				self, err := CompareJSON(c, actual, actual)
				require.NoError(t, err)
				assert.True(t, self, "CompareJSON(%+v, x, x) is false for x = %q", c, actual)
			}
		}
		exact, err := CompareJSON(Comparator{}, expected, actual)
		if err != nil {
			return
		}
		back, err := CompareJSON(Comparator{}, actual, expected)
		require.NoError(t, err)
		assert.Equal(t, exact, back, "exact comparison is not symmetric for %q and %q", expected, actual)
		if exact {
			for _, c := range comparators {
				got, err := CompareJSON(c, expected, actual)
				require.NoError(t, err)
				assert.True(t, got, "exactly equal %q and %q differ under %+v", expected, actual, c)
			}
		}
	})
}

func FuzzCompareText(f *testing.F) {
	for _, s := range [][2]string{
		{"1 2\n3\n", "1 2\r\n3"},
		{"YES", "yes"},
		{"0.5 nan inf", "0.5000001 NaN Infinity"},
		{"a  b\n\n", "a b  \n"},
		{"", " \n"},
		{"ÉTÉ \xff", "été \xfe"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, expected, actual string) {
		for _, c := range comparators {
			got := CompareText(c, expected, actual)
			if c.Type != "float" {
				assert.Equal(t, got, CompareText(c, actual, expected), "CompareText(%+v) is not symmetric for %q and %q", c, expected, actual)
			}
			if c.Type != "float" || !hasNaNToken(actual) {
				assert.True(t, CompareText(c, actual, actual), "CompareText(%+v, x, x) is false for x = %q", c, actual)
			}
		}
		want := slicesEqual(strings.FieldsFunc(expected, isASCIISpace), strings.FieldsFunc(actual, isASCIISpace))
		got := CompareText(Comparator{CaseSensitive: true}, expected, actual)
		assert.Equal(t, want, got, "CompareText(case sensitive, %q, %q) = %v, want %v", expected, actual, got, want)
		if CompareText(Comparator{SpaceSensitive: true}, expected, actual) {
			assert.True(t, CompareText(Comparator{}, expected, actual), "space-sensitive match of %q and %q is no token match", expected, actual)
		}
	})
}

func isASCIISpace(r rune) bool { return r < 0x80 && isSpace(byte(r)) }

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func hasNaNToken(s string) bool {
	for _, tok := range strings.FieldsFunc(s, isASCIISpace) {
		if f, err := strconv.ParseFloat(tok, 64); err == nil && math.IsNaN(f) {
			return true
		}
	}
	return false
}

// BenchmarkCompareText compares 1 MB of numbers, as a stdio test's output.
func BenchmarkCompareText(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 1<<20; i++ {
		sb.WriteString(strconv.Itoa(i*7919%1000003) + " " + strconv.FormatFloat(float64(i)/7, 'f', 6, 64) + " Yes\n")
	}
	expected := sb.String()
	actual := strings.ReplaceAll(strings.ReplaceAll(expected, "\n", "\r\n"), "Yes", "YES")
	for _, c := range []Comparator{{Type: "tokens"}, {Type: "float"}, {SpaceSensitive: true}} {
		name := c.Type
		if c.SpaceSensitive {
			name = "spaces"
		}
		b.Run(name, func(b *testing.B) {
			require.True(b, CompareText(c, expected, actual), "got no match, want one")
			b.SetBytes(int64(len(expected)))
			for b.Loop() {
				CompareText(c, expected, actual)
			}
		})
	}
}
