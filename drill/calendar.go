package drill

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The calendar feed is iCalendar (RFC 5545), written here by hand: one
// VCALENDAR with the user's VTIMEZONE and a single recurring VEVENT.

// calendarRefresh is how often clients are asked to refetch the feed, so
// that the due count in the event's title stays current.
const calendarRefresh = "PT1H"

// icsStamp and icsLocal are the layouts of iCalendar DATE-TIME values in
// UTC and in local (floating or TZID) time.
const (
	icsStamp = "20060102T150405Z"
	icsLocal = "20060102T150405"
)

// CalendarFeed is a user's calendar feed at the moment it is fetched: one
// recurring daily event at the drill time in the user's time zone, whose
// title and description carry the due count at fetch time (r), with a
// VALARM at the start.
//
// The count is only true for the day it is fetched, which is why the feed
// asks clients to refetch it hourly. The event starts today, even when
// today's reminder time has passed, so that today's drill shows in the
// calendar. uid names the event ("drill-42@onsite") and must stay the same
// across fetches so that clients update the event instead of adding one.
func CalendarFeed(s ReminderSettings, r Reminder, now time.Time, uid string) []byte {
	s.Days = calendarDays(s.Days)
	loc := s.Location()
	if loc == time.Local {
		// The server's own zone means nothing to the user's calendar.
		loc = time.UTC
	}
	s.TimeZone = loc.String()
	utc := s.TimeZone == "UTC"

	var w icsWriter
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:-//onsite//drill reminders//EN")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:PUBLISH")
	w.line("X-WR-CALNAME:onsite drill")
	w.line("X-WR-TIMEZONE:" + escapeText(s.TimeZone))
	w.line("REFRESH-INTERVAL;VALUE=DURATION:" + calendarRefresh)
	w.line("X-PUBLISHED-TTL:" + calendarRefresh)
	if !utc {
		writeTimeZone(&w, loc, now.In(loc).Year())
	}

	date := firstReminderDate(s, now)
	hour, minute := s.clock()
	start := fmt.Sprintf("%sT%02d%02d00", strings.ReplaceAll(date, "-", ""), hour, minute)

	w.line("BEGIN:VEVENT")
	w.line("UID:" + escapeText(uid))
	w.line("DTSTAMP:" + now.UTC().Format(icsStamp))
	if utc {
		w.line("DTSTART:" + start + "Z")
	} else {
		w.line("DTSTART;TZID=" + paramValue(s.TimeZone) + ":" + start)
	}
	w.line("DURATION:" + calendarDuration(r.Minutes))
	w.line("RRULE:" + calendarRule(s.Days))
	w.line("SUMMARY:" + escapeText(r.Subject()))
	w.line("DESCRIPTION:" + escapeText(r.Text()))
	if uri := calendarURI(r.URL); uri != "" {
		w.line("URL:" + uri)
	}
	w.line("BEGIN:VALARM")
	w.line("ACTION:DISPLAY")
	w.line("DESCRIPTION:" + escapeText(r.Subject()))
	w.line("TRIGGER:PT0M")
	w.line("END:VALARM")
	w.line("END:VEVENT")
	w.line("END:VCALENDAR")
	return w.buf.Bytes()
}

// calendarDays are the valid weekdays of days, once each, Monday first;
// nil (every day) when none is valid.
func calendarDays(days []time.Weekday) []time.Weekday {
	var out []time.Weekday
	for _, d := range days {
		if d >= time.Sunday && d <= time.Saturday && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b time.Weekday) int { return int(a+6)%7 - int(b+6)%7 })
	return out
}

// firstReminderDate is the local date (YYYY-MM-DD) of the event's first
// occurrence: today's reminder, even when it has passed, or the next one.
func firstReminderDate(s ReminderSettings, now time.Time) string {
	local := now.In(s.Location())
	y, m, d := local.Date()
	today := local.Format(time.DateOnly)
	// Midnight may not exist (a zone that springs forward at 00:00), and Go
	// may then resolve it into yesterday: step past any earlier date.
	at, date := s.Next(time.Date(y, m, d, 0, 0, 0, 0, s.Location()))
	for range 3 {
		if date >= today {
			break
		}
		at, date = s.Next(at.Add(time.Second))
	}
	return date
}

// calendarDuration is the event's length: the estimated minutes, held
// between 15 minutes and 2 hours so that the event stays visible and does
// not swallow the day.
func calendarDuration(minutes int) string {
	minutes = min(max(minutes, 15), 120)
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return fmt.Sprintf("PT%dM", m)
	case m == 0:
		return fmt.Sprintf("PT%dH", h)
	}
	return fmt.Sprintf("PT%dH%dM", h, m)
}

var icsWeekdays = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// calendarRule is the event's RRULE: daily, or weekly on the chosen days.
func calendarRule(days []time.Weekday) string {
	if len(days) == 0 || len(days) == 7 {
		return "FREQ=DAILY"
	}
	names := make([]string, len(days))
	for i, d := range days {
		names[i] = icsWeekdays[d]
	}
	return "FREQ=WEEKLY;BYDAY=" + strings.Join(names, ",")
}

// calendarURI is u as a URI value: non-ASCII octets and spaces
// percent-encoded (an IRI mapped to a URI, RFC 3987), or "" when u is not
// UTF-8 or holds control characters, which would break the content line.
func calendarURI(u string) string {
	if !utf8.ValidString(u) || strings.ContainsFunc(u, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		if c := u[i]; c >= 0x80 || c == ' ' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// observance is one STANDARD or DAYLIGHT component of a VTIMEZONE: from
// start (an instant) the zone's offset is to seconds east of UTC, and was
// from before it.
type observance struct {
	start    time.Time
	name     string
	from, to int
}

// writeTimeZone writes the VTIMEZONE of loc for year and the year after:
// the observance in force on the first of January, then one per change of
// offset or name, with explicit DTSTARTs. Go's ZoneBounds gives the exact
// instants of the changes; a fixed zone gets a single STANDARD component.
func writeTimeZone(w *icsWriter, loc *time.Location, year int) {
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, loc)
	until := time.Date(year+2, time.January, 1, 0, 0, 0, 0, loc)

	name, off := from.Zone()
	first := observance{name: name, from: off, to: off}
	if start := zoneStart(from); !start.IsZero() {
		first.start = start
		_, first.from = start.Add(-time.Second).Zone()
	}
	list := []observance{first}
	for t, i := from, 0; i < 100; i++ {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(until) {
			break
		}
		prevName, prevOff := end.Add(-time.Second).Zone()
		name, off := end.Zone()
		if name != prevName || off != prevOff {
			list = append(list, observance{start: end, name: name, from: prevOff, to: off})
		}
		t = end
	}

	// The smallest offset is standard time, the others daylight time: Go's
	// IsDST calls Dublin's winter time daylight saving (negative DST), which
	// calendars would show the wrong way round.
	standard := first.to
	for _, o := range list {
		standard = min(standard, o.to)
	}

	w.line("BEGIN:VTIMEZONE")
	w.line("TZID:" + escapeText(loc.String()))
	for _, o := range list {
		kind := "STANDARD"
		if o.to > standard {
			kind = "DAYLIGHT"
		}
		// DTSTART is the wall time of the change in the offset before it.
		start := "19700101T000000"
		if !o.start.IsZero() {
			start = o.start.In(time.FixedZone("", o.from)).Format(icsLocal)
		}
		w.line("BEGIN:" + kind)
		w.line("DTSTART:" + start)
		w.line("TZOFFSETFROM:" + utcOffset(o.from))
		w.line("TZOFFSETTO:" + utcOffset(o.to))
		w.line("TZNAME:" + escapeText(o.name))
		w.line("END:" + kind)
	}
	w.line("END:VTIMEZONE")
}

// zoneStart is the instant the offset and name in force at t began, or the
// zero time when they always were. Go may split a zone at bounds where
// nothing changes, so those are stepped over.
func zoneStart(t time.Time) time.Time {
	name, off := t.Zone()
	for range 100 {
		start, _ := t.ZoneBounds()
		if start.IsZero() {
			return start
		}
		if n, o := start.Add(-time.Second).Zone(); n != name || o != off {
			return start
		}
		t = start.Add(-time.Second)
	}
	return time.Time{}
}

// utcOffset formats an offset in seconds as a UTC-OFFSET value, "-0500";
// seconds only when there are some, and never "-0000".
func utcOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	h, m, s := seconds/3600, seconds/60%60, seconds%60
	if s != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%s%02d%02d", sign, h, m)
}

// escapeText escapes a TEXT value: backslash, semicolon and comma get a
// backslash, line breaks become \n. Other control characters, which a
// content line cannot hold, are dropped, and invalid UTF-8 is replaced.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == ';' || c == ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t' || (c >= 0x20 && c != 0x7f):
			b.WriteByte(c)
		}
	}
	return b.String()
}

// paramValue quotes a parameter value when it holds a character that ends
// one; such a value cannot hold a double quote, so those are dropped.
func paramValue(v string) string {
	if !strings.ContainsAny(v, `;:,"`) {
		return v
	}
	return `"` + strings.ReplaceAll(v, `"`, "") + `"`
}

// icsWriter collects content lines, ending each in CRLF and folding it at
// 75 octets without splitting a UTF-8 sequence.
type icsWriter struct {
	buf bytes.Buffer
}

// icsLineMax is the longest a physical line may be, in octets, without its
// CRLF.
const icsLineMax = 75

func (w *icsWriter) line(s string) {
	limit := icsLineMax
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			// Not UTF-8 after all; octets are all the limit is about.
			cut = limit
		}
		w.buf.WriteString(s[:cut])
		w.buf.WriteString("\r\n ")
		s = s[cut:]
		limit = icsLineMax - 1 // the leading space counts
	}
	w.buf.WriteString(s)
	w.buf.WriteString("\r\n")
}
