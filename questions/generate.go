package questions

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Generator produces a function-mode test's arguments from a seed instead of
// writing them out: the large tests that separate an O(n log n) answer from
// an O(n²) one would otherwise be hundreds of kilobytes of YAML. The same
// generator always yields the same arguments, so the expected value is
// written once, computed with a reference solution.
type Generator struct {
	Seed int64    `json:"seed" yaml:"seed"`
	Args []GenArg `json:"args" yaml:"args"`
}

// GenArg describes one generated argument; its type is the parameter's.
// Numbers (and list elements) are drawn uniformly from [Min, Max]; lists have
// Len elements; matrices Len rows of Cols; strings Len characters from
// Alphabet (default a-z); a string[] holds Len strings of StrLen characters.
// Value, when set, is used as is.
type GenArg struct {
	Value    any     `json:"value,omitempty" yaml:"value,omitempty"`
	Len      int     `json:"len,omitempty" yaml:"len,omitempty"`
	Cols     int     `json:"cols,omitempty" yaml:"cols,omitempty"`
	StrLen   int     `json:"str_len,omitempty" yaml:"str_len,omitempty"`
	Min      float64 `json:"min,omitempty" yaml:"min,omitempty"`
	Max      float64 `json:"max,omitempty" yaml:"max,omitempty"`
	Alphabet string  `json:"alphabet,omitempty" yaml:"alphabet,omitempty"`
	Sorted   bool    `json:"sorted,omitempty" yaml:"sorted,omitempty"`
	Distinct bool    `json:"distinct,omitempty" yaml:"distinct,omitempty"`
}

// MaxGeneratedValues bounds the numbers and characters one generated test
// may hold in all.
const MaxGeneratedValues = 2_000_000

// size is how many values a generated argument of type typ holds.
func (g GenArg) size(typ string) int {
	switch typ {
	case "int", "float", "bool":
		return 1
	case "string":
		return g.Len
	case "string[]":
		return g.Len * max(g.StrLen, 1)
	case "int[][]", "float[][]":
		return g.Len * g.Cols
	}
	return g.Len
}

// check returns what is wrong with g as an argument of type typ, or "".
func (g GenArg) check(typ string) string {
	if g.Value != nil {
		if err := CheckValue(g.Value, typ); err != nil {
			return "value " + err.Error()
		}
		return ""
	}
	if g.Len < 0 || g.Cols < 0 || g.StrLen < 0 {
		return "len, cols and str_len must not be negative"
	}
	if g.Min > g.Max {
		return fmt.Sprintf("min %g is greater than max %g", g.Min, g.Max)
	}
	if (typ == "int[][]" || typ == "float[][]") && g.Cols == 0 {
		return "a matrix needs cols (the length of each row)"
	}
	if g.Distinct {
		if typ != "int[]" {
			return "distinct applies to int[] only"
		}
		if span := math.Floor(g.Max) - math.Ceil(g.Min) + 1; span < float64(g.Len) {
			return fmt.Sprintf("cannot draw %d distinct integers from [%g, %g]", g.Len, g.Min, g.Max)
		}
	}
	if strings.HasPrefix(typ, "int") && (math.Abs(g.Min) > 1<<53 || math.Abs(g.Max) > 1<<53) {
		return "integer bounds must lie within ±2^53"
	}
	return ""
}

// splitmix is a tiny deterministic generator (SplitMix64), fixed here so
// that a seed yields the same test on every Go version.
type splitmix uint64

func (s *splitmix) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intIn returns an integer in [lo, hi].
func (s *splitmix) intIn(lo, hi int64) int64 {
	return lo + int64(s.next()%uint64(hi-lo+1))
}

// floatIn returns a float in [lo, hi), rounded to 6 decimals so that the
// JSON every driver reads is short and exact.
func (s *splitmix) floatIn(lo, hi float64) float64 {
	f := lo + (hi-lo)*float64(s.next()>>11)/(1<<53)
	return math.Round(f*1e6) / 1e6
}

// generate draws the argument of type typ.
func (g GenArg) generate(typ string, rng *splitmix) any {
	if g.Value != nil {
		return g.Value
	}
	lo, hi := int64(math.Ceil(g.Min)), int64(math.Floor(g.Max))
	alphabet := []rune(g.Alphabet)
	if len(alphabet) == 0 {
		alphabet = []rune("abcdefghijklmnopqrstuvwxyz")
	}
	str := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[rng.next()%uint64(len(alphabet))])
		}
		return b.String()
	}
	ints := func(n int) []any {
		out := make([]int64, 0, n)
		seen := map[int64]bool{}
		for len(out) < n {
			v := rng.intIn(lo, hi)
			if g.Distinct {
				if seen[v] {
					continue
				}
				seen[v] = true
			}
			out = append(out, v)
		}
		if g.Sorted {
			slices.Sort(out)
		}
		return anySlice(out)
	}
	floats := func(n int) []any {
		out := make([]float64, n)
		for i := range out {
			out[i] = rng.floatIn(g.Min, g.Max)
		}
		if g.Sorted {
			slices.Sort(out)
		}
		return anySlice(out)
	}
	switch typ {
	case "int":
		return rng.intIn(lo, hi)
	case "float":
		return rng.floatIn(g.Min, g.Max)
	case "bool":
		return rng.next()&1 == 1
	case "string":
		return str(g.Len)
	case "int[]":
		return ints(g.Len)
	case "float[]":
		return floats(g.Len)
	case "bool[]":
		out := make([]any, g.Len)
		for i := range out {
			out[i] = rng.next()&1 == 1
		}
		return out
	case "string[]":
		out := make([]string, g.Len)
		for i := range out {
			out[i] = str(g.StrLen)
		}
		if g.Sorted {
			slices.Sort(out)
		}
		return anySlice(out)
	case "int[][]", "float[][]":
		out := make([]any, g.Len)
		for i := range out {
			if typ == "int[][]" {
				out[i] = ints(g.Cols)
			} else {
				out[i] = floats(g.Cols)
			}
		}
		return out
	}
	return nil
}

func anySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// Arguments returns the test's arguments as JSON, one per parameter of sig:
// the written args, or those its generator draws.
func (t *Test) Arguments(sig *Signature) ([]json.RawMessage, error) {
	args := t.Args
	if t.Generate != nil {
		if len(t.Generate.Args) != len(sig.Params) {
			return nil, fmt.Errorf("test %q generates %d arguments for %d parameters", t.Name, len(t.Generate.Args), len(sig.Params))
		}
		rng := splitmix(uint64(t.Generate.Seed))
		args = make([]any, len(sig.Params))
		for i, p := range sig.Params {
			args[i] = t.Generate.Args[i].generate(p.Type, &rng)
		}
	}
	out := make([]json.RawMessage, len(args))
	for i, a := range args {
		raw, err := json.Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("test %q argument %d: %w", t.Name, i+1, err)
		}
		out[i] = raw
	}
	return out, nil
}
