package sandbox

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/onsite-dev/onsite/grader"
)

// BenchmarkRun compares python3 -c pass run bare with the same run through
// the sandbox, and reports sandboxed/bare as x-bare. Runs are one at a time
// with the spare helper ready, as for a single submission on an idle server.
func BenchmarkRun(b *testing.B) {
	s := newSandbox(b)
	argv := []string{python, "-I", "-c", "pass"}
	var bare, boxed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// The spare started after the last run finishes starting: its
		// process initialises for a few tens of ms after Start.
		s.settle()
		time.Sleep(100 * time.Millisecond)
		start := time.Now()
		if err := exec.Command(argv[0], argv[1:]...).Run(); err != nil {
			b.Fatal(err)
		}
		bare += time.Since(start)
		b.StartTimer()

		start = time.Now()
		bx, err := s.NewBox(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		out, err := bx.Run(context.Background(), grader.Cmd{Argv: argv, CPUTime: 5 * time.Second, WallTime: 10 * time.Second, MemoryBytes: 256 << 20})
		if err != nil || out.ExitCode != 0 {
			b.Fatal(err, out)
		}
		if err := bx.Close(); err != nil {
			b.Fatal(err)
		}
		boxed += time.Since(start)
	}
	b.ReportMetric(float64(bare.Microseconds())/float64(b.N)/1000, "bare-ms/op")
	b.ReportMetric(float64(boxed.Microseconds())/float64(b.N)/1000, "sandbox-ms/op")
	b.ReportMetric(float64(boxed)/float64(bare), "x-bare")
}
