package questions_test

import (
	"testing"

	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuiltinBank holds the bank to the skeleton's promise: it parses, every
// kind has at least five questions, and slugs are unique across sets.
func TestBuiltinBank(t *testing.T) {
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	require.NotEmpty(t, sets)

	perKind := map[questions.Kind]int{}
	slugs := map[string]string{}
	for _, s := range sets {
		for _, q := range s.Questions {
			perKind[q.Kind]++
			if other, ok := slugs[q.Slug]; ok {
				t.Errorf("question slug %q is in both %s and %s", q.Slug, other, s.Slug)
			}
			slugs[q.Slug] = s.Slug
			assert.NotEmpty(t, q.Topics, "%s has no topics", q.Slug)
			assert.Positive(t, q.EstimatedMinutes, "%s has no estimated_minutes", q.Slug)
		}
	}
	for _, k := range questions.Kinds {
		assert.GreaterOrEqual(t, perKind[k], 5, "kind %s has %d questions, want at least 5", k, perKind[k])
	}
}
