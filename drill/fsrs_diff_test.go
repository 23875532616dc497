package drill

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSchedulerAgreesWithTSFSRS replays many random rating sequences, with
// reviews on time, early and late, through onsite's scheduler and through
// ts-fsrs 5 (vendored under testdata, run with the real node), and expects
// the same state, stability, difficulty and due moment after every review.
func TestSchedulerAgreesWithTSFSRS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is missing in CI")
		}
		t.Skip("SKIP: node is not installed; the differential test against ts-fsrs did not run")
	}
	type review struct {
		Rating int   `json:"rating"` // ts-fsrs takes the number
		At     int64 `json:"at"`
	}
	type sequence struct {
		Start   int64    `json:"start"`
		Reviews []review `json:"reviews"`
	}
	s := noFuzz(t)
	rng := rand.New(rand.NewPCG(2022, 1129))
	var seqs []sequence
	var ours [][]Card
	for range 400 {
		start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Millisecond)
		seq := sequence{Start: start.UnixMilli()}
		c := Card{}
		now := start
		var cards []Card
		for range 1 + rng.IntN(20) {
			r := Ratings[rng.IntN(4)]
			if rng.IntN(3) == 0 {
				r = Good
			}
			c = s.Next(c, r, now)
			cards = append(cards, c)
			seq.Reviews = append(seq.Reviews, review{Rating: int(r), At: now.UnixMilli()})
			// The next review comes at the due moment, or early, or late.
			wait := min(c.Due.Sub(now), 3*365*24*time.Hour)
			switch rng.IntN(4) {
			case 0:
				wait = time.Duration(float64(wait) * rng.Float64())
			case 1:
				wait = time.Duration(float64(wait) * (1 + 3*rng.Float64()))
			}
			now = now.Add(wait + time.Duration(rng.IntN(3600))*time.Second).Truncate(time.Millisecond)
		}
		seqs = append(seqs, seq)
		ours = append(ours, cards)
	}
	in, err := json.Marshal(seqs)
	require.NoError(t, err)
	cmd := exec.Command(node, "testdata/ts-fsrs/replay.js")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node: %s", stderr.String())
	var theirs [][]struct {
		State         State   `json:"state"`
		Stability     float64 `json:"stability"`
		Difficulty    float64 `json:"difficulty"`
		Due           int64   `json:"due"`
		ScheduledDays int     `json:"scheduled_days"`
	}
	require.NoError(t, json.Unmarshal(out, &theirs))
	require.Len(t, theirs, len(seqs))
	reviews := 0
	for i, seq := range seqs {
		for j, want := range theirs[i] {
			got := ours[i][j]
			reviews++
			ok := got.State == want.State && got.Due.UnixMilli() == want.Due &&
				math.Abs(got.Stability-want.Stability) <= 1e-6*math.Max(1, want.Stability) &&
				math.Abs(got.Difficulty-want.Difficulty) <= 1e-6
			if !ok {
				t.Fatalf("sequence %d review %d (%+v): onsite has state %s, S %.6f, D %.6f, due %s; ts-fsrs has state %s, S %.6f, D %.6f, due %s",
					i, j, seq.Reviews[:j+1], got.State, got.Stability, got.Difficulty, got.Due.Format(time.RFC3339),
					want.State, want.Stability, want.Difficulty, time.UnixMilli(want.Due).UTC().Format(time.RFC3339))
			}
		}
	}
	t.Logf("%d reviews in %d sequences agree with ts-fsrs", reviews, len(seqs))
}
