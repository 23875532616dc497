package questions_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		data  string
		check func(t *testing.T, s *questions.Set)
	}{
		{"plain front, back, tags", "ml.csv", "What is overfitting?,Fitting noise in the training data.,ml generalisation\nDefine recall,TP / (TP + FN),metrics\n",
			func(t *testing.T, s *questions.Set) {
				require.Len(t, s.Questions, 2)
				q := s.Questions[0]
				assert.Equal(t, "ml", s.Slug)
				assert.Equal(t, questions.KindConcept, q.Kind)
				assert.Equal(t, "What is overfitting?", q.Prompt)
				assert.Equal(t, "What is overfitting?", q.Title)
				assert.Equal(t, "Fitting noise in the training data.", q.Answer)
				assert.Equal(t, []string{"ml", "generalisation"}, q.Topics)
				assert.True(t, strings.HasPrefix(q.Slug, "ml-what-is-overfitting-"), q.Slug)
			}},
		{"Anki headers, tab separated, HTML, quoted line breaks", "export.txt",
			"#separator:tab\n#html:true\n#deck:ML Interview::Metrics\n#columns:Front\tBack\tTags\n" +
				"\"What does <b>AUC</b> measure?\"\t\"The chance a positive<br>outranks a negative.\nTies count half.\"\tmetrics::ranking\n",
			func(t *testing.T, s *questions.Set) {
				require.Len(t, s.Questions, 1)
				q := s.Questions[0]
				assert.Equal(t, "ML Interview::Metrics", s.Title)
				assert.Equal(t, "ml-interview-metrics", s.Slug)
				assert.Equal(t, "What does **AUC** measure?", q.Prompt)
				assert.Equal(t, "The chance a positive\noutranks a negative.\nTies count half.", q.Answer)
				assert.Equal(t, []string{"metrics-ranking"}, q.Topics)
			}},
		{"GUID column is the stable key", "deck.csv", "#guid column:1\n#columns:guid,front,back\nAbC123,Front one,Back one\n",
			func(t *testing.T, s *questions.Set) {
				again, err := questions.ParseCSV("deck.csv", []byte("#guid column:1\n#columns:guid,front,back\nAbC123,Front one (edited),Back one\n"))
				require.NoError(t, err)
				assert.Equal(t, s.Questions[0].Slug, again.Questions[0].Slug, "an edited note keeps its slug")
			}},
		{"kind and difficulty columns", "mixed.csv", "#columns:front,back,kind,difficulty\n\"Tell me about a conflict.\",\"Names the disagreement\nShows the resolution\",behavioral,hard\n",
			func(t *testing.T, s *questions.Set) {
				q := s.Questions[0]
				assert.Equal(t, questions.KindBehavioral, q.Kind)
				assert.Equal(t, questions.Hard, q.Difficulty)
				assert.Equal(t, []string{"Names the disagreement", "Shows the resolution"}, q.StrongAnswer)
			}},
		{"scripts are dropped, cloze shown", "x.csv", "#html:true\n\"{{c1::Gradient descent}} minimises loss<script>alert(1)</script>\",\"<img src=x onerror=alert(1)>Yes\"\n",
			func(t *testing.T, s *questions.Set) {
				q := s.Questions[0]
				assert.Equal(t, "**Gradient descent** minimises loss", q.Prompt)
				assert.Equal(t, "Yes", q.Answer)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := questions.ParseCSV(tc.file, []byte(tc.data))
			require.NoError(t, err)
			tc.check(t, s)
		})
	}
}

func TestParseCSVProblems(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string
	}{
		{"empty front and back", "What?,\n,Answer\n", []string{
			"cards.csv:1: row 1, column back: is empty; a concept question needs the answer on the back",
			"cards.csv:2: row 2, column front: is empty",
		}},
		{"bad quote", "\"unclosed,back\nnext,row\n", []string{"cards.csv:1: row 1:", "put fields that hold the separator"}},
		{"unknown kind", "#columns:front,back,kind\nQ,A,poem\n", []string{`row 1, column kind: "poem" is not a kind`}},
		{"coding from a flashcard", "#columns:front,back,kind\nQ,A,coding\n", []string{"coding questions need typed tests"}},
		{"bad separator header", "#separator:Bananas\nQ,A\n", []string{`"Bananas" is not a separator`}},
		{"unknown column", "#columns:front,back,colour\nQ,A,red\n", []string{`column 3 "colour" is not one onsite knows`}},
		{"duplicate note", "Same front,A\nSame front,B\n", []string{"row 2: is the same note as row 1"}},
		{"not UTF-8", "Q,\xff\xfe\n", []string{"cards.csv:1: is not valid UTF-8"}},
		{"nothing", "#deck:Empty\n", []string{"holds no notes"}},
		{"field beyond the columns", "Q,A,tag,extra\n", []string{"row 1, column 4: has a field beyond the file's 3 columns"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := questions.ParseCSV("cards.csv", []byte(tc.data))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// FuzzParseCSV: any input gives a valid set or a validation error, never a
// panic.
func FuzzParseCSV(f *testing.F) {
	for _, seed := range []string{
		"Q,A,tags\n",
		"#separator:tab\n#html:true\n#columns:Front\tBack\nq\ta\n",
		"\"multi\nline\",\"<b>x</b>\"\n",
		"#guid column:1\ng,q,a\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := questions.ParseCSV("fuzz.csv", data)
		if err != nil {
			var ve *questions.ValidationError
			require.ErrorAs(t, err, &ve)
			return
		}
		require.Empty(t, s.Validate())
	})
}
