package questions_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

// TestGeneratedArguments: a generator draws the same arguments every time,
// of the parameter's type and within its bounds.
func TestGeneratedArguments(t *testing.T) {
	sig := &questions.Signature{Name: "f", Returns: "int", Params: []questions.Param{
		{Name: "nums", Type: "int[]"}, {Name: "k", Type: "int"}, {Name: "words", Type: "string[]"},
		{Name: "grid", Type: "float[][]"}, {Name: "s", Type: "string"},
	}}
	test := questions.Test{Name: "large", Generate: &questions.Generator{Seed: 42, Args: []questions.GenArg{
		{Len: 1000, Min: -5, Max: 5000, Distinct: true, Sorted: true},
		{Value: 7},
		{Len: 3, StrLen: 4, Alphabet: "ab"},
		{Len: 2, Cols: 3, Min: 0, Max: 1},
		{Len: 10},
	}}}
	first, err := test.Arguments(sig)
	require.NoError(t, err)
	again, err := test.Arguments(sig)
	require.NoError(t, err)
	assert.Equal(t, first, again, "the same seed draws the same arguments")

	var nums []int
	require.NoError(t, json.Unmarshal(first[0], &nums))
	require.Len(t, nums, 1000)
	seen := map[int]bool{}
	for i, n := range nums {
		assert.True(t, n >= -5 && n <= 5000, "nums[%d] = %d out of bounds", i, n)
		assert.False(t, seen[n], "nums[%d] = %d repeats", i, n)
		seen[n] = true
		if i > 0 {
			assert.Less(t, nums[i-1], n, "sorted")
		}
	}
	assert.JSONEq(t, "7", string(first[1]))
	var words []string
	require.NoError(t, json.Unmarshal(first[2], &words))
	require.Len(t, words, 3)
	for _, w := range words {
		assert.Len(t, w, 4)
		assert.Empty(t, strings.Trim(w, "ab"), "%q uses only the alphabet", w)
	}
	var grid [][]float64
	require.NoError(t, json.Unmarshal(first[3], &grid))
	assert.Len(t, grid, 2)
	assert.Len(t, grid[1], 3)
	var s string
	require.NoError(t, json.Unmarshal(first[4], &s))
	assert.Len(t, s, 10)

	other := test
	other.Generate = &questions.Generator{Seed: 43, Args: test.Generate.Args}
	changed, err := other.Arguments(sig)
	require.NoError(t, err)
	assert.NotEqual(t, string(first[0]), string(changed[0]), "another seed draws other arguments")
}

// TestGeneratorProblems: a generator that cannot draw what it says, or sits
// on a sample test, is reported with its place.
func TestGeneratorProblems(t *testing.T) {
	tests := []struct {
		name, test, want string
	}{
		{"sample", `{sample: true, generate: {seed: 1, args: [{len: 3}]}, expected: 1}`, "tests[0].generate: a sample test is shown"},
		{"count", `{generate: {seed: 1, args: []}, expected: 1}`, "tests[0].generate.args: has 0 values but f takes 1 parameter"},
		{"distinct", `{generate: {seed: 1, args: [{len: 10, min: 0, max: 3, distinct: true}]}, expected: 1}`, "cannot draw 10 distinct integers from [0, 3]"},
		{"bounds", `{generate: {seed: 1, args: [{len: 3, min: 5, max: 1}]}, expected: 1}`, "min 5 is greater than max 1"},
		{"too big", `{generate: {seed: 1, args: [{len: 5000000}]}, expected: 1}`, "draws 5000000 values"},
		{"with args", `{args: [[1]], generate: {seed: 1, args: [{len: 3}]}, expected: 1}`, "is set together with args"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := `slug: s
title: S
version: 1
questions:
  - slug: q
    kind: coding
    title: Q
    prompt: P
    difficulty: easy
    function: {name: f, params: [{name: xs, type: "int[]"}], returns: int}
    tests:
      - {sample: true, args: [[1]], expected: 1}
      - ` + tc.test + "\n"
			_, err := questions.ParseYAML("s.yaml", []byte(doc))
			require.Error(t, err)
			assert.Contains(t, strings.ReplaceAll(err.Error(), "tests[1]", "tests[0]"), tc.want)
		})
	}
}
