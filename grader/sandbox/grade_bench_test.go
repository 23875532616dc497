package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/grader/gradertest"
)

// twoSum answers the benchmark's task in each language.
var twoSum = map[string]string{
	"python": "def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n" +
		"        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n    return []\n",
	"javascript": "function twoSum(nums, target) {\n  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n" +
		"    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n    seen.set(nums[i], i);\n  }\n  return [];\n}\n",
}

// twentyTests is a function-mode task with 20 tests, the size the grader's
// overhead target is stated for.
func twentyTests(lang string) grader.Task {
	task := grader.Task{
		Language: lang, Mode: grader.ModeFunction, TimeLimit: 2 * time.Second, MemoryBytes: 256 << 20,
		Function: &grader.Signature{Name: "two_sum", Params: []grader.Param{{Name: "nums", Type: "int[]"}, {Name: "target", Type: "int"}}, Returns: "int[]"},
		Code:     twoSum[lang],
	}
	for i := range 20 {
		nums := make([]int, 200)
		for j := range nums {
			nums[j] = j * 3
		}
		args, _ := json.Marshal(nums)
		task.Tests = append(task.Tests, grader.Test{Sample: i < 2,
			Args:     []json.RawMessage{args, json.RawMessage(fmt.Sprint(nums[i] + nums[i+1]))},
			Expected: json.RawMessage(fmt.Sprintf("[%d,%d]", i, i+1))})
	}
	return task
}

// BenchmarkGradeFunction grades a 20-test function problem bare and
// through the sandbox, one submission at a time with the spare helper
// ready, and reports sandboxed/bare as x-bare (target 1.25).
func BenchmarkGradeFunction(b *testing.B) {
	s := newSandbox(b)
	langs := grader.Discover(context.Background())
	bare := grader.New(gradertest.Bare{Root: b.TempDir()}, langs, grader.Config{})
	boxed := grader.New(s, langs, grader.Config{})
	for _, lang := range []string{"python", "javascript"} {
		b.Run(lang, func(b *testing.B) {
			task := twentyTests(lang)
			grade := func(g *grader.Grader) time.Duration {
				start := time.Now()
				r, err := g.Grade(context.Background(), task)
				if err != nil || r.Verdict != grader.Accepted {
					b.Fatalf("verdict %v, error %v, message %q", r.Verdict, err, r.Message)
				}
				return time.Since(start)
			}
			var bareT, boxedT time.Duration
			for b.Loop() {
				s.settle()
				time.Sleep(100 * time.Millisecond)
				bareT += grade(bare)
				boxedT += grade(boxed)
			}
			b.ReportMetric(float64(bareT.Microseconds())/float64(b.N)/1000, "bare-ms/op")
			b.ReportMetric(float64(boxedT.Microseconds())/float64(b.N)/1000, "sandbox-ms/op")
			b.ReportMetric(float64(boxedT)/float64(bareT), "x-bare")
		})
	}
}
