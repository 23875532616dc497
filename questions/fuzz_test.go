package questions_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

// FuzzParseYAML feeds ParseYAML arbitrary files, seeded with the bank and the
// test data. Whatever the input, ParseYAML must not panic and must return
// either a set or a *ValidationError whose problems all say something; a set
// it returns must be valid and survive MarshalYAML and ParseYAML unchanged.
func FuzzParseYAML(f *testing.F) {
	for _, pattern := range []string{"bank/*.yaml", "testdata/valid/*.yaml", "testdata/invalid/*.yaml"} {
		files, err := filepath.Glob(pattern)
		require.NoError(f, err)
		for _, file := range files {
			data, err := os.ReadFile(file)
			require.NoError(f, err)
			f.Add(data)
		}
	}
	// Small sets too: the files above take milliseconds each to parse, and
	// the fuzzer gets much further from a short input.
	for _, q := range []string{conceptQuestion, stdioQuestion, functionQuestion} {
		f.Add([]byte("slug: s\ntitle: T\nquestions:\n" + q))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := questions.ParseYAML("fuzz.yaml", data)
		if err != nil {
			require.Nil(t, set, "got a set and an error")
			verr, ok := err.(*questions.ValidationError)
			require.True(t, ok, "got %T (%v), want *questions.ValidationError", err, err)
			require.NotEmpty(t, verr.Problems, "got a ValidationError with no problems")
			for _, p := range verr.Problems {
				require.NotEmpty(t, strings.TrimSpace(p.Message), "got a problem with no message: %+v", p)
				require.Equal(t, "fuzz.yaml", p.File, "got a problem without the file name: %+v", p)
			}
			return
		}
		require.NotNil(t, set, "got neither a set nor an error")
		require.Empty(t, set.Validate(), "ParseYAML returned a set that Validate rejects")

		out, err := questions.MarshalYAML(set)
		require.NoError(t, err)
		again, err := questions.ParseYAML("again.yaml", out)
		require.NoError(t, err, "the marshalled set does not parse:\n%s", out)
		require.Len(t, again.Questions, len(set.Questions))
		for i := range set.Questions {
			q, a := &set.Questions[i], &again.Questions[i]
			require.Equal(t, q.Hash(), a.Hash(), "%s: got a different hash after MarshalYAML and ParseYAML; marshalled:\n%s", q.Slug, out)
		}
	})
}
