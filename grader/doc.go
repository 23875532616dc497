// Package grader runs submitted code against a coding question's tests in a
// sandbox and reports a verdict per test. It never imports questions: the
// caller maps a question to a grading task. (The grader arrives in a later
// issue; this package holds its place in the layout.)
package grader
