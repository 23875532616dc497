// Package grader runs submitted code against a coding question's tests and
// reports a verdict per test, the way an online judge does. It never imports
// questions: the caller maps a question to a Task. The isolation itself is
// behind the Sandbox interface, implemented by grader/sandbox and wired in
// cmd/onsite, so that packages using grader's types never depend on it.
package grader
