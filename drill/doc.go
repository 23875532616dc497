// Package drill decides what each candidate practises today: FSRS
// scheduling as pure functions of the current time, cards, reviews, the
// daily queue and reminders. (Scheduling arrives in a later issue.)
package drill
