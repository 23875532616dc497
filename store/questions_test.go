package store

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuestionVisibility(t *testing.T) {
	db := openTestDB(t)
	qs := NewQuestionService(db)
	ada := createUser(t, db, "ada@example.com")
	bob := createUser(t, db, "bob@example.com")
	importSets(t, qs, 0, setYAML("public-set", qspec{slug: "public-q", topics: []string{"shared", "public-only"}}))
	importSets(t, qs, ada.ID, setYAML("ada-set", qspec{slug: "ada-q", topics: []string{"shared", "ada-only"}}))

	tests := []struct {
		name       string
		user       *onsite.User
		wantSlugs  []string
		wantSets   []string
		wantTopics []questions.Topic
		seesAdas   bool
	}{
		{
			name:       "owner",
			user:       ada,
			wantSlugs:  []string{"ada-q", "public-q"},
			wantSets:   []string{"public-set", "ada-set"},
			wantTopics: []questions.Topic{{Name: "shared", Count: 2}, {Name: "ada-only", Count: 1}, {Name: "public-only", Count: 1}},
			seesAdas:   true,
		},
		{
			name:       "another user",
			user:       bob,
			wantSlugs:  []string{"public-q"},
			wantSets:   []string{"public-set"},
			wantTopics: []questions.Topic{{Name: "public-only", Count: 1}, {Name: "shared", Count: 1}},
		},
		{
			name:       "anonymous",
			user:       nil,
			wantSlugs:  []string{"public-q"},
			wantSets:   []string{"public-set"},
			wantTopics: []questions.Topic{{Name: "public-only", Count: 1}, {Name: "shared", Count: 1}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := userContext(tc.user)

			list, total, err := qs.FindQuestions(ctx, questions.Filter{})
			require.NoError(t, err)
			assert.Equal(t, tc.wantSlugs, slugsOf(list), "FindQuestions")
			assert.Equal(t, len(tc.wantSlugs), total, "FindQuestions total")

			sets, err := qs.FindSets(ctx)
			require.NoError(t, err)
			assert.Equal(t, tc.wantSets, setSlugsOf(sets), "FindSets")

			topics, err := qs.FindTopics(ctx)
			require.NoError(t, err)
			assert.Equal(t, tc.wantTopics, topics, "FindTopics")

			pub, err := qs.FindQuestionBySlug(ctx, "public-q")
			require.NoError(t, err, "a public question")
			assert.Equal(t, int64(0), pub.OwnerID)

			// Every way of naming ada's private question.
			q, err := qs.FindQuestionBySlug(ctx, "ada-q")
			bySet, setTotal, setErr := qs.FindQuestions(ctx, questions.Filter{Set: ptr("ada-set")})
			require.NoError(t, setErr)
			byTag, tagTotal, tagErr := qs.FindQuestions(ctx, questions.Filter{Tag: ptr("ada-only")})
			require.NoError(t, tagErr)
			byQuery, queryTotal, queryErr := qs.FindQuestions(ctx, questions.Filter{Query: ptr("ada")})
			require.NoError(t, queryErr)
			if tc.seesAdas {
				require.NoError(t, err)
				assert.Equal(t, ada.ID, q.OwnerID, "got OwnerID %d, want ada's %d", q.OwnerID, ada.ID)
				assert.Equal(t, "ada-set", q.Set)
				assert.Equal(t, []string{"ada-q"}, slugsOf(bySet), "by set")
				assert.Equal(t, []string{"ada-q"}, slugsOf(byTag), "by tag")
				assert.Equal(t, []string{"ada-q"}, slugsOf(byQuery), "by query")
				return
			}
			requireCode(t, err, onsite.ENOTFOUND)
			assert.Nil(t, q, "got another user's private question")
			assert.Empty(t, slugsOf(bySet), "got another user's set's questions by its slug")
			assert.Empty(t, slugsOf(byTag), "got another user's question by its topic")
			assert.Empty(t, slugsOf(byQuery), "got another user's question by a search")
			assert.Zero(t, setTotal+tagTotal+queryTotal, "got another user's questions counted")
		})
	}
}

// filterFixture holds questions of every kind and difficulty in two public
// sets. Titles hold the words and characters the search cases need: % and _
// must be matched literally, not as LIKE's wildcards.
var filterFixture = map[string][]qspec{
	"main-set": {
		{slug: "two-pointers", kind: questions.KindCoding, difficulty: questions.Easy, title: "Two pointers on arrays", topics: []string{"arrays"}},
		{slug: "tree-depth", kind: questions.KindCoding, difficulty: questions.Medium, title: "Binary tree depth", topics: []string{"trees", "recursion"}},
		{slug: "shortest-paths", kind: questions.KindCoding, difficulty: questions.Hard, title: "Graph shortest paths", topics: []string{"graphs"}},
		{slug: "naive-bayes", kind: questions.KindConcept, difficulty: questions.Easy, title: "Naïve Bayes assumptions", topics: []string{"probability"}},
		{slug: "full-coverage", kind: questions.KindConcept, difficulty: questions.Medium, title: "100% test coverage", topics: []string{"testing"}},
		{slug: "feature-names", kind: questions.KindConcept, difficulty: questions.Hard, title: "snake_case feature names", topics: []string{"features"}},
		{slug: "owned-decisions", kind: questions.KindBehavioral, difficulty: questions.Medium, title: "Tree of decisions you owned", topics: []string{"ownership"}},
		{slug: "feed-ranker", kind: questions.KindSystemDesign, difficulty: questions.Hard, title: "Design a feed ranker", topics: []string{"ranking", "graphs"}},
	},
	"other-set": {
		{slug: "array-rotation", kind: questions.KindCoding, difficulty: questions.Easy, title: "Array rotation", topics: []string{"arrays"}},
		{slug: "tree-cycles", kind: questions.KindConcept, difficulty: questions.Easy, title: "Tree Cycles in graphs", topics: []string{"graphs"}},
	},
}

// filterFixtureOrder is every fixture question in the browser's order.
var filterFixtureOrder = []string{
	"array-rotation", "two-pointers", "tree-depth", "shortest-paths", // coding: easy, easy, medium, hard
	"naive-bayes", "tree-cycles", "full-coverage", "feature-names", // concept: easy, easy, medium, hard
	"owned-decisions", // behavioral
	"feed-ranker",     // system design
}

func openFilterFixture(t *testing.T) *QuestionService {
	t.Helper()
	db := openTestDB(t)
	qs := NewQuestionService(db)
	importSets(t, qs, 0, setYAML("main-set", filterFixture["main-set"]...), setYAML("other-set", filterFixture["other-set"]...))
	return qs
}

func TestFindQuestionsFilters(t *testing.T) {
	qs := openFilterFixture(t)

	tests := []struct {
		name   string
		filter questions.Filter
		want   []string
	}{
		{name: "no filter", filter: questions.Filter{}, want: filterFixtureOrder},
		{name: "kind coding", filter: questions.Filter{Kind: ptr(questions.KindCoding)}, want: []string{"array-rotation", "two-pointers", "tree-depth", "shortest-paths"}},
		{name: "kind behavioral", filter: questions.Filter{Kind: ptr(questions.KindBehavioral)}, want: []string{"owned-decisions"}},
		{name: "difficulty hard", filter: questions.Filter{Difficulty: ptr(questions.Hard)}, want: []string{"shortest-paths", "feature-names", "feed-ranker"}},
		{name: "tag", filter: questions.Filter{Tag: ptr("graphs")}, want: []string{"shortest-paths", "tree-cycles", "feed-ranker"}},
		{name: "tag nobody uses", filter: questions.Filter{Tag: ptr("compilers")}, want: []string{}},
		{name: "set", filter: questions.Filter{Set: ptr("other-set")}, want: []string{"array-rotation", "tree-cycles"}},
		{name: "unknown set", filter: questions.Filter{Set: ptr("no-such-set")}, want: []string{}},
		{name: "query word", filter: questions.Filter{Query: ptr("tree")}, want: []string{"tree-depth", "tree-cycles", "owned-decisions"}},
		{name: "query in upper case", filter: questions.Filter{Query: ptr("TREE")}, want: []string{"tree-depth", "tree-cycles", "owned-decisions"}},
		{name: "query words all match", filter: questions.Filter{Query: ptr("binary TREE")}, want: []string{"tree-depth"}},
		{name: "query words in title and topic", filter: questions.Filter{Query: ptr("tree graphs")}, want: []string{"tree-cycles"}},
		{name: "query with extra spaces", filter: questions.Filter{Query: ptr("  bayes  ")}, want: []string{"naive-bayes"}},
		{name: "query non-ASCII, same case", filter: questions.Filter{Query: ptr("naïve")}, want: []string{"naive-bayes"}},
		{name: "query blank", filter: questions.Filter{Query: ptr("   ")}, want: filterFixtureOrder},
		{name: "query percent is literal", filter: questions.Filter{Query: ptr("%")}, want: []string{"full-coverage"}},
		{name: "query with percent", filter: questions.Filter{Query: ptr("100%")}, want: []string{"full-coverage"}},
		{name: "query percent before word", filter: questions.Filter{Query: ptr("%tree")}, want: []string{}},
		{name: "query underscore is literal", filter: questions.Filter{Query: ptr("_")}, want: []string{"feature-names"}},
		{name: "query with underscore", filter: questions.Filter{Query: ptr("e_c")}, want: []string{"feature-names"}},
		{name: "query backslash", filter: questions.Filter{Query: ptr(`\`)}, want: []string{}},
		{name: "kind and difficulty", filter: questions.Filter{Kind: ptr(questions.KindConcept), Difficulty: ptr(questions.Easy)}, want: []string{"naive-bayes", "tree-cycles"}},
		{name: "kind and tag", filter: questions.Filter{Kind: ptr(questions.KindCoding), Tag: ptr("arrays")}, want: []string{"array-rotation", "two-pointers"}},
		{name: "set and query", filter: questions.Filter{Set: ptr("main-set"), Query: ptr("tree")}, want: []string{"tree-depth", "owned-decisions"}},
		{name: "tag, difficulty and set", filter: questions.Filter{Tag: ptr("graphs"), Difficulty: ptr(questions.Hard), Set: ptr("main-set")}, want: []string{"shortest-paths", "feed-ranker"}},
		{name: "no match", filter: questions.Filter{Kind: ptr(questions.KindSystemDesign), Difficulty: ptr(questions.Easy)}, want: []string{}},
		{name: "query matching nothing", filter: questions.Filter{Query: ptr("quaternion")}, want: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := qs.FindQuestions(context.Background(), tc.filter)
			require.NoError(t, err)
			require.NotNil(t, got, "got a nil slice, want an empty one")
			assert.Equal(t, tc.want, slugsOf(got), "got questions %v, want %v", slugsOf(got), tc.want)
			assert.Equal(t, len(tc.want), total, "got total %d, want %d", total, len(tc.want))
		})
	}
}

// TestFindQuestionsQueryFoldsNonASCIICase holds search to its promise of
// case-insensitivity for the accented words ML titles have (naïve, Böhm).
func TestFindQuestionsQueryFoldsNonASCIICase(t *testing.T) {
	qs := openFilterFixture(t)
	got, total, err := qs.FindQuestions(context.Background(), questions.Filter{Query: ptr("NAÏVE")})
	require.NoError(t, err)
	assert.Equal(t, []string{"naive-bayes"}, slugsOf(got), "got questions %v for NAÏVE, want naive-bayes", slugsOf(got))
	assert.Equal(t, 1, total)
}

func TestFindQuestionsPaging(t *testing.T) {
	qs := openFilterFixture(t)
	ctx := context.Background()

	tests := []struct {
		name      string
		filter    questions.Filter
		want      []string
		wantTotal int
	}{
		{name: "first page", filter: questions.Filter{Limit: 3}, want: filterFixtureOrder[0:3], wantTotal: 10},
		{name: "second page", filter: questions.Filter{Limit: 3, Offset: 3}, want: filterFixtureOrder[3:6], wantTotal: 10},
		{name: "last, short page", filter: questions.Filter{Limit: 3, Offset: 9}, want: filterFixtureOrder[9:], wantTotal: 10},
		{name: "past the end", filter: questions.Filter{Limit: 3, Offset: 10}, want: []string{}, wantTotal: 10},
		{name: "page larger than all", filter: questions.Filter{Limit: 50}, want: filterFixtureOrder, wantTotal: 10},
		{name: "page of a filter", filter: questions.Filter{Kind: ptr(questions.KindCoding), Limit: 2, Offset: 2}, want: []string{"tree-depth", "shortest-paths"}, wantTotal: 4},
		{name: "page of a search", filter: questions.Filter{Query: ptr("tree"), Limit: 1, Offset: 1}, want: []string{"tree-cycles"}, wantTotal: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := qs.FindQuestions(ctx, tc.filter)
			require.NoError(t, err)
			assert.Equal(t, tc.want, slugsOf(got), "got page %v, want %v", slugsOf(got), tc.want)
			assert.Equal(t, tc.wantTotal, total, "got total %d, want the count of all matches %d", total, tc.wantTotal)
		})
	}

	t.Run("pages cover everything once, in order", func(t *testing.T) {
		var walked []string
		seen := map[string]bool{}
		for offset := 0; offset < 20; offset += 4 {
			page, total, err := qs.FindQuestions(ctx, questions.Filter{Limit: 4, Offset: offset})
			require.NoError(t, err)
			assert.Equal(t, len(filterFixtureOrder), total, "offset %d: total", offset)
			for _, q := range page {
				assert.False(t, seen[q.Slug], "offset %d: got %s on two pages", offset, q.Slug)
				seen[q.Slug] = true
				walked = append(walked, q.Slug)
			}
		}
		assert.Equal(t, byBrowserOrder(), walked, "got the pages in another order than kind, difficulty, title")
	})
}

// byBrowserOrder sorts the fixture by kind, difficulty and title on its own,
// to check the store's ORDER BY against.
func byBrowserOrder() []string {
	var all []qspec
	for _, qs := range filterFixture {
		all = append(all, qs...)
	}
	slices.SortFunc(all, func(a, b qspec) int {
		if c := slices.Index(questions.Kinds, a.kind) - slices.Index(questions.Kinds, b.kind); c != 0 {
			return c
		}
		if c := slices.Index(questions.Difficulties, a.difficulty) - slices.Index(questions.Difficulties, b.difficulty); c != 0 {
			return c
		}
		switch {
		case a.title < b.title:
			return -1
		case a.title > b.title:
			return 1
		}
		return 0
	})
	out := make([]string, len(all))
	for i, q := range all {
		out[i] = q.slug
	}
	return out
}

// roundTripSet uses every field of every kind.
const roundTripSet = `slug: round-trip
title: Round trip
description: Every field of every kind.
version: 3
license: CC-BY-4.0
source: onsite authors
questions:
  - slug: rt-function
    kind: coding
    title: Pair with a target sum
    difficulty: medium
    topics: [arrays, hashing]
    estimated_minutes: 15
    source: A course
    license: MIT
    prompt: |
      Return the indices of the two entries whose sum is ` + "`target`" + `.
    hints:
      - Which partner completes the sum?
      - A map from value to index.
    mode: function
    function:
      name: pair_sum
      params:
        - {name: nums, type: "int[]"}
        - {name: target, type: int}
      returns: "int[]"
    starter_code:
      python: |
        def pair_sum(nums, target):
            pass
      go: |
        func pairSum(nums []int, target int) []int { return nil }
    tests:
      - {name: small, sample: true, args: [[3, 8, 1, 5], 9], expected: [1, 2]}
      - {name: negative, args: [[-4, 10, 4], 0], expected: [0, 2]}
      - {args: [[9007199254740991, 1], 9007199254740992], expected: [0, 1]}
    comparator: {type: unordered}
    limits: {time_ms: 1500, memory_mb: 128}
    solutions:
      python: |
        def pair_sum(nums, target):
            seen = {}
            for i, x in enumerate(nums):
                if target - x in seen:
                    return [seen[target - x], i]
                seen[x] = i
      javascript: |
        function pairSum(nums, target) { return [0, 1]; }
  - slug: rt-float
    kind: coding
    title: Mean and spread
    difficulty: easy
    topics: [statistics]
    prompt: Return the mean and the population variance of the values.
    function:
      name: mean_var
      params:
        - {name: values, type: "float[]"}
        - {name: names, type: "string[]"}
        - {name: flags, type: "bool[]"}
        - {name: grid, type: "float[][]"}
      returns: "float[]"
    tests:
      - {sample: true, args: [[1.5, 2.5], ["a", "b"], [true, false], [[0.25], []]], expected: [2.0, 0.25]}
      - {args: [[1, 2, 3], [], [], []], expected: [2, 0.6666666666666666]}
    comparator: {type: float, tolerance: 0.001}
  - slug: rt-stdio
    kind: coding
    title: Sum the lines
    difficulty: easy
    topics: [math]
    prompt: Read integers, one per line, and print their sum.
    mode: stdio
    starter_code:
      python: |
        import sys
    tests:
      - {name: three, sample: true, input: "1\n2\n3\n", output: "6\n"}
      - {input: "-5\n5\n", output: "0\n"}
  - slug: rt-concept
    kind: concept
    title: Precision or recall?
    difficulty: easy
    topics: [evaluation, metrics]
    estimated_minutes: 5
    prompt: When would you optimise for recall rather than precision?
    hints: [Think about the cost of a miss.]
    answer: |
      When a missed positive costs far more than a false alarm.
    key_points:
      - Recall is TP / (TP + FN).
      - The choice follows the relative costs.
  - slug: rt-behavioral
    kind: behavioral
    title: Disagreeing with a decision
    difficulty: medium
    topics: [conflict]
    prompt: Tell me about a time you disagreed with a technical decision.
    competency: conflict
    strong_answer:
      - Raised it early, with data.
      - Committed once it was decided.
    red_flags:
      - Went around the decision.
    follow_ups:
      - What would have changed your mind?
      - What did you learn?
  - slug: rt-design
    kind: system_design
    title: Design a spam filter
    difficulty: hard
    topics: [classification, pipelines]
    estimated_minutes: 45
    prompt: Design the system that flags spam comments.
    hints: [Start from the labels.]
    clarifying_questions:
      - How many comments per second?
    requirements:
      - Score every comment within 100 ms.
      - Explain each verdict to moderators.
    rubric:
      - Defines the label source.
      - Chooses metrics tied to user harm.
    outline: |
      1. Labels from moderator actions.
      2. Features: text, account age.
`

// jsonOf encodes v as JSON, the form in which values of tests' args and
// expected survive the store: YAML's ints come back as float64.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

func TestQuestionRoundTrip(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	qs := NewQuestionService(db)
	ctx := context.Background()
	importSets(t, qs, 0, roundTripSet)
	want := parseSet(t, roundTripSet)

	for _, w := range want.Questions {
		t.Run(w.Slug, func(t *testing.T) {
			got, err := qs.FindQuestionBySlug(ctx, w.Slug)
			require.NoError(t, err)

			assert.Positive(t, got.ID)
			assert.Equal(t, "round-trip", got.Set)
			assert.Equal(t, int64(0), got.OwnerID)
			assert.Equal(t, w.Kind, got.Kind)
			assert.Equal(t, w.Title, got.Title)
			assert.Equal(t, w.Prompt, got.Prompt)
			assert.Equal(t, w.Difficulty, got.Difficulty)
			assert.Equal(t, w.Topics, got.Topics)
			assert.Equal(t, w.EstimatedMinutes, got.EstimatedMinutes)
			if len(w.Hints) > 0 {
				assert.Equal(t, w.Hints, got.Hints)
			} else {
				assert.Empty(t, got.Hints)
			}
			wantSource, wantLicense := w.Source, w.License
			if wantSource == "" {
				wantSource, wantLicense = want.Source, want.License
			}
			assert.Equal(t, wantSource, got.Source, "got source %q, want the question's or else the set's %q", got.Source, wantSource)
			assert.Equal(t, wantLicense, got.License, "got license %q, want the question's or else the set's %q", got.License, wantLicense)
			assert.Equal(t, w.Hash(), got.ContentHash, "content hash")
			assert.False(t, got.Retired)
			assert.Equal(t, clock.Now(), got.CreatedAt)
			assert.Equal(t, clock.Now(), got.UpdatedAt)

			// The kind-specific parts. Only the question's own kind is set.
			assert.Equal(t, w.Concept, got.Concept, "concept part")
			assert.Equal(t, w.Behavioral, got.Behavioral, "behavioral part")
			assert.Equal(t, w.SystemDesign, got.SystemDesign, "system design part")
			assert.Equal(t, w.Mode, got.Mode, "coding mode")
			assert.Equal(t, w.Function, got.Function, "coding function signature")
			assert.Equal(t, w.Starter, got.Starter, "coding starter code")
			assert.Equal(t, w.Comparator, got.Comparator, "coding comparator")
			assert.Equal(t, w.Limits, got.Limits, "coding limits")
			assert.Equal(t, w.Solutions, got.Solutions, "coding solutions")
			require.Len(t, got.Tests, len(w.Tests), "coding tests")
			for i, wt := range w.Tests {
				gt := got.Tests[i]
				assert.Equal(t, wt.Name, gt.Name, "tests[%d].name", i)
				assert.Equal(t, wt.Sample, gt.Sample, "tests[%d].sample", i)
				assert.Equal(t, wt.Input, gt.Input, "tests[%d].input", i)
				assert.Equal(t, wt.Output, gt.Output, "tests[%d].output", i)
				assert.JSONEq(t, jsonOf(t, wt.Args), jsonOf(t, gt.Args), "tests[%d].args", i)
				assert.JSONEq(t, jsonOf(t, wt.Expected), jsonOf(t, gt.Expected), "tests[%d].expected", i)
			}
			assert.JSONEq(t, jsonOf(t, w.Coding), jsonOf(t, got.Coding), "the coding part as JSON")

			// A list carries the fields a list shows, the same as a lookup
			// by slug, and leaves out the prompt and the kind's parts.
			list, _, err := qs.FindQuestions(ctx, questions.Filter{Set: ptr("round-trip")})
			require.NoError(t, err)
			idx := slices.IndexFunc(list, func(q *questions.Question) bool { return q.Slug == w.Slug })
			require.GreaterOrEqual(t, idx, 0, "got %s missing from its set's list", w.Slug)
			summary := &questions.Question{ID: got.ID, Set: got.Set, OwnerID: got.OwnerID, Slug: got.Slug, Kind: got.Kind, Title: got.Title,
				Difficulty: got.Difficulty, Topics: got.Topics, EstimatedMinutes: got.EstimatedMinutes, ContentHash: got.ContentHash,
				Retired: got.Retired, CreatedAt: got.CreatedAt, UpdatedAt: got.UpdatedAt}
			assert.Equal(t, summary, list[idx], "the list's summary of %s", w.Slug)
		})
	}

	t.Run("defaults filled by validation", func(t *testing.T) {
		got, err := qs.FindQuestionBySlug(ctx, "rt-stdio")
		require.NoError(t, err)
		assert.Equal(t, &questions.Comparator{Type: questions.CompareExact}, got.Comparator)
		assert.Equal(t, &questions.Limits{TimeMS: questions.DefaultTimeMS, MemoryMB: questions.DefaultMemoryMB}, got.Limits)
	})

	t.Run("set", func(t *testing.T) {
		sets, err := qs.FindSets(ctx)
		require.NoError(t, err)
		require.Len(t, sets, 1)
		got := sets[0]
		assert.Positive(t, got.ID)
		assert.Equal(t, want.Slug, got.Slug)
		assert.Equal(t, want.Title, got.Title)
		assert.Equal(t, want.Description, got.Description)
		assert.Equal(t, want.Version, got.Version)
		assert.Equal(t, want.License, got.License)
		assert.Equal(t, want.Source, got.Source)
		assert.Equal(t, questions.FormatYAML, got.Format)
		assert.Equal(t, len(want.Questions), got.QuestionCount)
		assert.Equal(t, int64(0), got.OwnerID)
		assert.Equal(t, clock.Now(), got.CreatedAt)
		assert.Equal(t, clock.Now(), got.UpdatedAt)
		assert.Empty(t, got.Questions, "got questions inside FindSets' sets")
	})
}

// TestExportImportRoundTrip exports every built-in set from the database,
// writes it in the native format (YAML, and the same as JSON), and imports
// it again: nothing changes.
func TestExportImportRoundTrip(t *testing.T) {
	db := openTestDB(t)
	qs := NewQuestionService(db)
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	_, err = qs.ImportSets(context.Background(), 0, sets)
	require.NoError(t, err)
	for _, s := range sets {
		t.Run(s.Slug, func(t *testing.T) {
			exported, err := qs.ExportSet(context.Background(), s.Slug)
			require.NoError(t, err)
			require.Len(t, exported.Questions, len(s.Questions))
			data, err := questions.MarshalYAML(exported)
			require.NoError(t, err)
			again, err := questions.ParseYAML(s.Slug+".yaml", data)
			require.NoError(t, err)
			report, err := qs.ImportSets(context.Background(), 0, []*questions.Set{again})
			require.NoError(t, err)
			assert.False(t, report.Changed(), "created %v, updated %v, retired %v", report.Created, report.Updated, report.Retired)
			assert.Equal(t, len(s.Questions), report.Unchanged)
		})
	}
	_, err = qs.ExportSet(context.Background(), "no-such-set")
	assert.Equal(t, onsite.ENOTFOUND, onsite.ErrorCode(err))
}
