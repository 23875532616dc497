package grader

import (
	"bytes"
	"encoding/json"
	"strings"
)

// CompareJSON reports whether actual matches expected, both JSON values,
// under c. err is set when actual is not valid JSON.
// (Placeholder: exact comparison only, replaced by the full comparators.)
func CompareJSON(c Comparator, expected, actual json.RawMessage) (bool, error) {
	var a any
	if err := json.Unmarshal(actual, &a); err != nil {
		return false, err
	}
	return bytes.Equal(bytes.TrimSpace(expected), bytes.TrimSpace(actual)), nil
}

// CompareText reports whether a program's output matches the expected
// output under c (stdio mode).
// (Placeholder: whitespace-separated tokens only.)
func CompareText(c Comparator, expected, actual string) bool {
	return strings.Join(strings.Fields(expected), " ") == strings.Join(strings.Fields(actual), " ")
}
