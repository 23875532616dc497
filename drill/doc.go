// Package drill decides what a candidate practises each day: FSRS-6
// scheduling of cards (pure functions of the card, the rating and the time
// passed in), the daily queue, and the ratings suggested from grading.
// Storage lives in package store.
package drill
