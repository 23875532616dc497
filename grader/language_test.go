package grader

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiscoverFindsRealBinaries(t *testing.T) {
	langs := Discover(context.Background())
	found := map[string]Language{}
	for _, l := range langs {
		found[l.Name] = l
	}
	for _, name := range []string{"python", "javascript", "go"} {
		t.Run(name, func(t *testing.T) {
			l, ok := found[name]
			require.True(t, ok, "%s is installed on this machine", name)
			assert.Regexp(t, regexp.MustCompile(`^\d+\.\d+`), l.Version)
			assert.Contains(t, l.Modes, ModeFunction)
			for tool, p := range l.Paths {
				assert.True(t, filepath.IsAbs(p), "%s: %s is absolute", tool, p)
				real, err := filepath.EvalSymlinks(p)
				require.NoError(t, err)
				assert.Equal(t, real, p, "%s is resolved to its real binary", tool)
				assert.False(t, isScript(p), "%s: %s is a binary, not a shim script", tool, p)
				assert.NotContains(t, p, "shims")
			}
		})
	}
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		want, err := filepath.EvalSymlinks("/usr/bin/python3")
		require.NoError(t, err)
		assert.Equal(t, want, found["python"].Paths["python3"], "Debian's python3 is preferred")
	}
	for _, name := range []string{"c", "cpp", "java"} {
		if l, ok := found[name]; ok {
			assert.Equal(t, []Mode{ModeStdio}, l.Modes)
		} else {
			t.Logf("SKIP: %s is not installed here", name)
		}
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct{ name, out, want string }{
		{"python", "Python 3.11.2\n", "3.11.2"},
		{"node", "v20.20.2\n", "20.20.2"},
		{"go", "go version go1.26.8 linux/amd64\n", "1.26.8"},
		{"gcc", "gcc (Debian 12.2.0-14) 12.2.0\nCopyright (C) 2022\n", "12.2.0"},
		{"java", "openjdk version \"17.0.13\" 2024-10-15\nOpenJDK Runtime\n", "17.0.13"},
		{"no number", "weird\n", "weird"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, parseVersion(tc.out))
		})
	}
}

func TestFunctionName(t *testing.T) {
	tests := []struct{ lang, name, want string }{
		{"python", "precision_recall_f1", "precision_recall_f1"},
		{"javascript", "precision_recall_f1", "precisionRecallF1"},
		{"go", "longest_k_distinct", "longestKDistinct"},
		{"go", "roc_auc", "rocAuc"},
		{"go", "Already", "already"},
	}
	for _, tc := range tests {
		t.Run(tc.lang+"/"+tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, FunctionName(tc.lang, &Signature{Name: tc.name}))
		})
	}
}

func TestStarter(t *testing.T) {
	sig := &Signature{Name: "merge_spans", Params: []Param{{Name: "span_list", Type: "int[][]"}, {Name: "k", Type: "int"}}, Returns: "float[]"}
	tests := []struct{ lang, want string }{
		{"python", "def merge_spans(span_list: list[list[int]], k: int) -> list[float]:\n    pass\n"},
		{"go", "package main\n\nfunc mergeSpans(spanList [][]int, k int) []float64 {\n\treturn nil\n}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			assert.Equal(t, tc.want, Starter(tc.lang, sig))
		})
	}
	kw := &Signature{Name: "f", Params: []Param{{Name: "type", Type: "string"}}, Returns: "bool"}
	assert.Equal(t, "package main\n\nfunc f(type_ string) bool {\n\treturn false\n}\n", Starter("go", kw))
	js := Starter("javascript", sig)
	assert.True(t, strings.Contains(js, "function mergeSpans(spanList, k) {"), js)
	assert.Contains(t, js, "@return {number[]}")
}
