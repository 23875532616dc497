package drill

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

// icsProp is one unfolded content line: NAME;PARAM=value:VALUE.
type icsProp struct {
	Name   string
	Params map[string]string
	Value  string
}

// icsComp is a component between BEGIN and END, with its properties and
// subcomponents in order.
type icsComp struct {
	Name  string
	Props []icsProp
	Comps []*icsComp
}

// prop is the component's first property called name.
func (c *icsComp) prop(name string) (icsProp, bool) {
	for _, p := range c.Props {
		if p.Name == name {
			return p, true
		}
	}
	return icsProp{}, false
}

// value is the value of the component's property name, "" without one.
func (c *icsComp) value(name string) string {
	p, _ := c.prop(name)
	return p.Value
}

// text is the unescaped TEXT value of the component's property name.
func (c *icsComp) text(t *testing.T, name string) string {
	t.Helper()
	s, err := unescapeText(c.value(name))
	require.NoError(t, err, "unescape %s", name)
	return s
}

// count is how many properties called name the component has.
func (c *icsComp) count(name string) int {
	n := 0
	for _, p := range c.Props {
		if p.Name == name {
			n++
		}
	}
	return n
}

// comps are the component's subcomponents called name.
func (c *icsComp) comps(name string) []*icsComp {
	var out []*icsComp
	for _, s := range c.Comps {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// parseICS reads an iCalendar stream strictly: CRLF line ends only, folded
// lines unfolded, exactly one top-level component, BEGIN and END matched.
func parseICS(data []byte) (*icsComp, error) {
	text := string(data)
	if !strings.HasSuffix(text, "\r\n") {
		return nil, errors.New("the last line does not end in CRLF")
	}
	var logical []string
	for i, l := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("line %d: a bare CR or LF", i+1)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(logical) == 0 {
				return nil, errors.New("the stream starts with a continuation line")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}

	var root *icsComp
	var stack []*icsComp
	for i, l := range logical {
		p, err := parseContentLine(l)
		if err != nil {
			return nil, fmt.Errorf("content line %d: %w", i+1, err)
		}
		switch p.Name {
		case "BEGIN":
			c := &icsComp{Name: p.Value}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.Comps = append(top.Comps, c)
			} else if root != nil {
				return nil, fmt.Errorf("content line %d: a second top-level %s", i+1, p.Value)
			} else {
				root = c
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].Name != p.Value {
				return nil, fmt.Errorf("content line %d: END:%s closes nothing open", i+1, p.Value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return nil, fmt.Errorf("content line %d: %s outside any component", i+1, p.Name)
			}
			top := stack[len(stack)-1]
			top.Props = append(top.Props, p)
		}
	}
	if root == nil || len(stack) > 0 {
		return nil, errors.New("no complete component")
	}
	return root, nil
}

func isNameChar(c byte) bool {
	return c == '-' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// parseContentLine splits name *(";" param) ":" value, with quoted
// parameter values.
func parseContentLine(l string) (icsProp, error) {
	i := 0
	for i < len(l) && isNameChar(l[i]) {
		i++
	}
	if i == 0 {
		return icsProp{}, fmt.Errorf("no name in %q", l)
	}
	p := icsProp{Name: strings.ToUpper(l[:i]), Params: map[string]string{}}
	for i < len(l) && l[i] == ';' {
		i++
		j := i
		for j < len(l) && isNameChar(l[j]) {
			j++
		}
		if j == i || j >= len(l) || l[j] != '=' {
			return icsProp{}, fmt.Errorf("a parameter without a name or = in %q", l)
		}
		name := strings.ToUpper(l[i:j])
		i = j + 1
		var value string
		if i < len(l) && l[i] == '"' {
			end := strings.IndexByte(l[i+1:], '"')
			if end < 0 {
				return icsProp{}, fmt.Errorf("an unclosed quote in %q", l)
			}
			value = l[i+1 : i+1+end]
			i += end + 2
		} else {
			j := i
			for j < len(l) && !strings.ContainsRune(`;:,"`, rune(l[j])) {
				j++
			}
			value = l[i:j]
			i = j
		}
		p.Params[name] = value
	}
	if i >= len(l) || l[i] != ':' {
		return icsProp{}, fmt.Errorf("no colon after the name and parameters in %q", l)
	}
	p.Value = l[i+1:]
	return p, nil
}

// unescapeText undoes TEXT escaping; any other backslash is an error.
func unescapeText(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ',' || c == ';':
			return "", fmt.Errorf("an unescaped %q in %q", c, s)
		case c != '\\':
			b.WriteByte(c)
			continue
		case i+1 == len(s):
			return "", fmt.Errorf("a trailing backslash in %q", s)
		}
		i++
		switch s[i] {
		case '\\', ';', ',':
			b.WriteByte(s[i])
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			return "", fmt.Errorf("an unknown escape \\%c in %q", s[i], s)
		}
	}
	return b.String(), nil
}

// checkPhysicalLines asserts that every line of feed ends in CRLF, is valid
// UTF-8 and holds at most 75 octets.
func checkPhysicalLines(t *testing.T, feed []byte) {
	t.Helper()
	require.True(t, strings.HasSuffix(string(feed), "\r\n"), "the feed does not end in CRLF")
	for i, l := range strings.Split(strings.TrimSuffix(string(feed), "\r\n"), "\r\n") {
		assert.LessOrEqual(t, len(l), 75, "line %d has %d octets, more than 75: %q", i+1, len(l), l)
		assert.True(t, utf8.ValidString(l), "line %d is not valid UTF-8: %q", i+1, l)
		assert.NotContains(t, l, "\r", "line %d has a bare CR: %q", i+1, l)
		assert.NotContains(t, l, "\n", "line %d has a bare LF: %q", i+1, l)
	}
}

// mustParseFeed parses a feed and checks its shape: a VCALENDAR holding one
// VEVENT holding one VALARM.
func mustParseFeed(t *testing.T, feed []byte) (cal, event *icsComp) {
	t.Helper()
	checkPhysicalLines(t, feed)
	cal, err := parseICS(feed)
	require.NoError(t, err, "parse the feed:\n%s", feed)
	require.Equal(t, "VCALENDAR", cal.Name)
	events := cal.comps("VEVENT")
	require.Len(t, events, 1, "VEVENTs in the feed")
	alarms := events[0].comps("VALARM")
	require.Len(t, alarms, 1, "VALARMs in the event")
	return cal, events[0]
}

func calendarReminder(link string) Reminder {
	return Reminder{
		Date:    "2026-01-15",
		Due:     map[questions.Kind]int{questions.KindCoding: 3, questions.KindConcept: 11},
		New:     map[questions.Kind]int{questions.KindBehavioral: 2},
		Minutes: 25,
		Streak:  12,
		URL:     link,
	}
}

// tzObservance is a STANDARD or DAYLIGHT component as the test expects it.
type tzObservance struct {
	kind, start, from, to, name string
}

func TestCalendarFeedZones(t *testing.T) {
	now := time.Date(2026, time.January, 15, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		settings  ReminderSettings
		wantStart string // DTSTART's value, local time in the zone
		wantRule  string
		// wantZone are the VTIMEZONE's components; nil means none (UTC).
		wantZone []tzObservance
	}{
		{
			name:      "America/New_York daily",
			settings:  ReminderSettings{Time: "07:30", TimeZone: "America/New_York"},
			wantStart: "20260115T073000",
			wantRule:  "FREQ=DAILY",
			wantZone: []tzObservance{
				{"STANDARD", "20251102T020000", "-0400", "-0500", "EST"},
				{"DAYLIGHT", "20260308T020000", "-0500", "-0400", "EDT"},
				{"STANDARD", "20261101T020000", "-0400", "-0500", "EST"},
				{"DAYLIGHT", "20270314T020000", "-0500", "-0400", "EDT"},
				{"STANDARD", "20271107T020000", "-0400", "-0500", "EST"},
			},
		},
		{
			name:      "Europe/Berlin on weekdays given out of order",
			settings:  ReminderSettings{Time: "18:00", TimeZone: "Europe/Berlin", Days: []time.Weekday{time.Friday, time.Monday, time.Wednesday}},
			wantStart: "20260116T180000", // the 15th is a Thursday
			wantRule:  "FREQ=WEEKLY;BYDAY=MO,WE,FR",
			wantZone: []tzObservance{
				{"STANDARD", "20251026T030000", "+0200", "+0100", "CET"},
				{"DAYLIGHT", "20260329T020000", "+0100", "+0200", "CEST"},
				{"STANDARD", "20261025T030000", "+0200", "+0100", "CET"},
				{"DAYLIGHT", "20270328T020000", "+0100", "+0200", "CEST"},
				{"STANDARD", "20271031T030000", "+0200", "+0100", "CET"},
			},
		},
		{
			name:      "Asia/Kolkata without DST",
			settings:  ReminderSettings{Time: "06:00", TimeZone: "Asia/Kolkata"},
			wantStart: "20260115T060000",
			wantRule:  "FREQ=DAILY",
			wantZone: []tzObservance{
				{"STANDARD", "19451015T000000", "+0630", "+0530", "IST"},
			},
		},
		{
			name:      "UTC",
			settings:  ReminderSettings{Time: "09:00", TimeZone: "UTC", Days: []time.Weekday{time.Thursday}},
			wantStart: "20260115T090000Z",
			wantRule:  "FREQ=WEEKLY;BYDAY=TH",
		},
		{
			name: "Australia/Sydney on weekends, already tomorrow there",
			// 14:00 UTC is 01:00 on Friday the 16th in Sydney.
			settings:  ReminderSettings{Time: "21:15", TimeZone: "Australia/Sydney", Days: []time.Weekday{time.Sunday, time.Saturday}},
			wantStart: "20260117T211500",
			wantRule:  "FREQ=WEEKLY;BYDAY=SA,SU",
			wantZone: []tzObservance{
				{"DAYLIGHT", "20251005T020000", "+1000", "+1100", "AEDT"},
				{"STANDARD", "20260405T030000", "+1100", "+1000", "AEST"},
				{"DAYLIGHT", "20261004T020000", "+1000", "+1100", "AEDT"},
				{"STANDARD", "20270404T030000", "+1100", "+1000", "AEST"},
				{"DAYLIGHT", "20271003T020000", "+1000", "+1100", "AEDT"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := calendarReminder("https://onsite.example/drill")
			feed := CalendarFeed(tc.settings, r, now, "drill-42@onsite")
			cal, event := mustParseFeed(t, feed)

			for name, want := range map[string]string{
				"VERSION":          "2.0",
				"PRODID":           "-//onsite//drill reminders//EN",
				"CALSCALE":         "GREGORIAN",
				"METHOD":           "PUBLISH",
				"X-WR-CALNAME":     "onsite drill",
				"X-WR-TIMEZONE":    tc.settings.TimeZone,
				"REFRESH-INTERVAL": "PT1H",
				"X-PUBLISHED-TTL":  "PT1H",
			} {
				assert.Equal(t, want, cal.value(name), "VCALENDAR %s", name)
			}
			refresh, _ := cal.prop("REFRESH-INTERVAL")
			assert.Equal(t, "DURATION", refresh.Params["VALUE"], "REFRESH-INTERVAL's VALUE")

			for _, name := range []string{"UID", "DTSTAMP", "DTSTART", "DURATION", "RRULE", "SUMMARY", "DESCRIPTION", "URL"} {
				assert.Equal(t, 1, event.count(name), "%s properties in the event", name)
			}
			assert.Equal(t, "drill-42@onsite", event.value("UID"))
			assert.Equal(t, "20260115T140000Z", event.value("DTSTAMP"))
			assert.Equal(t, "PT25M", event.value("DURATION"))
			assert.Equal(t, tc.wantRule, event.value("RRULE"))
			assert.Equal(t, r.Subject(), event.text(t, "SUMMARY"), "SUMMARY is the subject")
			assert.Equal(t, r.Text(), event.text(t, "DESCRIPTION"), "DESCRIPTION unescaped is the text")
			assert.Equal(t, r.URL, event.value("URL"))
			alarm := event.comps("VALARM")[0]
			assert.Equal(t, "DISPLAY", alarm.value("ACTION"))
			assert.Equal(t, "PT0M", alarm.value("TRIGGER"))
			assert.Equal(t, r.Subject(), alarm.text(t, "DESCRIPTION"), "the alarm's DESCRIPTION")

			start, ok := event.prop("DTSTART")
			require.True(t, ok, "the event has no DTSTART")
			assert.Equal(t, tc.wantStart, start.Value, "DTSTART")
			zones := cal.comps("VTIMEZONE")
			if tc.wantZone == nil {
				assert.Empty(t, zones, "a VTIMEZONE for UTC")
				assert.NotContains(t, start.Params, "TZID", "DTSTART of a UTC event")
				return
			}
			assert.Equal(t, tc.settings.TimeZone, start.Params["TZID"], "DTSTART's TZID")
			require.Len(t, zones, 1, "VTIMEZONEs")
			assert.Equal(t, tc.settings.TimeZone, zones[0].value("TZID"), "VTIMEZONE's TZID")

			// The event starts at the reminder's own moment on its date.
			loc, err := time.LoadLocation(tc.settings.TimeZone)
			require.NoError(t, err)
			at, err := time.ParseInLocation("20060102T150405", start.Value, loc)
			require.NoError(t, err)
			assert.Equal(t, tc.settings.MomentOn(at.Date()), at, "DTSTART as an instant")

			var got []tzObservance
			for _, c := range zones[0].Comps {
				got = append(got, tzObservance{c.Name, c.value("DTSTART"), c.value("TZOFFSETFROM"), c.value("TZOFFSETTO"), c.value("TZNAME")})
			}
			assert.Equal(t, tc.wantZone, got, "the VTIMEZONE's observances")
		})
	}
}

// TestCalendarFeedZoneAgreesWithGo checks the VTIMEZONE of zones with odd
// rules against Go's own: at each observance's start the offset changes
// from TZOFFSETFROM to TZOFFSETTO.
func TestCalendarFeedZoneAgreesWithGo(t *testing.T) {
	now := time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)
	for _, zone := range []string{
		"America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney",
		"Europe/Dublin",        // negative DST in the tz database
		"Australia/Lord_Howe",  // a 30-minute DST shift
		"America/Santiago",     // changes at midnight, southern hemisphere
		"Asia/Kathmandu",       // +0545
		"Pacific/Chatham",      // +1245 and +1345
		"America/St_Johns",     // -0330
		"Etc/GMT+5", "Etc/UTC", // fixed offsets with tz files
	} {
		t.Run(zone, func(t *testing.T) {
			loc, err := time.LoadLocation(zone)
			require.NoError(t, err)
			cal, event := mustParseFeed(t, CalendarFeed(ReminderSettings{Time: "08:00", TimeZone: zone}, calendarReminder("https://onsite.example/drill"), now, "drill-1@onsite"))
			zones := cal.comps("VTIMEZONE")
			require.Len(t, zones, 1)
			start, _ := event.prop("DTSTART")
			assert.Equal(t, zone, start.Params["TZID"])
			require.NotEmpty(t, zones[0].Comps, "observances")
			transitions := 0
			for _, c := range zones[0].Comps {
				require.Contains(t, []string{"STANDARD", "DAYLIGHT"}, c.Name)
				from, err := time.Parse("-0700", c.value("TZOFFSETFROM"))
				require.NoError(t, err)
				to, err := time.Parse("-0700", c.value("TZOFFSETTO"))
				require.NoError(t, err)
				_, fromOff := from.Zone()
				_, toOff := to.Zone()
				if c.value("DTSTART") == "19700101T000000" {
					_, off := now.In(loc).Zone()
					assert.Equal(t, off, toOff, "the offset of a fixed zone")
					continue
				}
				at, err := time.ParseInLocation("20060102T150405", c.value("DTSTART"), time.FixedZone("", fromOff))
				require.NoError(t, err)
				assert.Equal(t, fromOff, offsetAt(at.Add(-time.Second).In(loc)), "offset just before %s", c.value("DTSTART"))
				assert.Equal(t, toOff, offsetAt(at.In(loc)), "offset at %s", c.value("DTSTART"))
				if at.Year() >= 2026 {
					transitions++
				}
			}
			// Every change in 2026 and 2027 is listed.
			want := 0
			for d := time.Date(2026, 1, 1, 0, 0, 0, 0, loc); d.Year() < 2028; d = d.Add(6 * time.Hour) {
				if offsetAt(d) != offsetAt(d.Add(6*time.Hour)) {
					want++
				}
			}
			assert.Equal(t, want, transitions, "transitions in 2026 and 2027")
		})
	}
}

func TestCalendarFeedStart(t *testing.T) {
	tests := []struct {
		name      string
		settings  ReminderSettings
		now       time.Time
		wantStart string
		wantRule  string
	}{
		{"before today's time", ReminderSettings{Time: "07:30", TimeZone: "America/New_York"},
			time.Date(2026, 1, 15, 5, 0, 0, 0, time.UTC), "20260115T073000", "FREQ=DAILY"},
		{"just before local midnight", ReminderSettings{Time: "07:30", TimeZone: "America/New_York"},
			time.Date(2026, 1, 16, 4, 59, 0, 0, time.UTC), "20260115T073000", "FREQ=DAILY"},
		{"today not a reminder day", ReminderSettings{Time: "07:30", TimeZone: "America/New_York", Days: []time.Weekday{time.Tuesday}},
			time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "20260120T073000", "FREQ=WEEKLY;BYDAY=TU"},
		{"all seven days is daily", ReminderSettings{Time: "07:30", TimeZone: "America/New_York", Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}},
			time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "20260115T073000", "FREQ=DAILY"},
		{"invalid and repeated weekdays are left out", ReminderSettings{Time: "07:30", TimeZone: "America/New_York", Days: []time.Weekday{9, time.Sunday, time.Sunday}},
			time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "20260118T073000", "FREQ=WEEKLY;BYDAY=SU"},
		{"a time in the spring-forward gap keeps its wall time", ReminderSettings{Time: "02:30", TimeZone: "America/New_York"},
			time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), "20260308T023000", "FREQ=DAILY"},
		{"midnight missing on a DST day", ReminderSettings{Time: "23:30", TimeZone: "America/Santiago"},
			time.Date(2026, 9, 6, 12, 0, 0, 0, time.UTC), "20260906T233000", "FREQ=DAILY"},
		{"invalid time is 09:00", ReminderSettings{Time: "25:00", TimeZone: "Europe/Berlin"},
			time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "20260115T090000", "FREQ=DAILY"},
		{"unknown zone is UTC", ReminderSettings{Time: "07:30", TimeZone: "Mars/Olympus_Mons"},
			time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "20260115T073000Z", "FREQ=DAILY"},
		{"Local is UTC", ReminderSettings{Time: "07:30", TimeZone: "Local"},
			time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "20260115T073000Z", "FREQ=DAILY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, event := mustParseFeed(t, CalendarFeed(tc.settings, calendarReminder("https://onsite.example/drill"), tc.now, "drill-7@onsite"))
			assert.Equal(t, tc.wantStart, event.value("DTSTART"), "DTSTART")
			assert.Equal(t, tc.wantRule, event.value("RRULE"), "RRULE")
		})
	}
}

func TestCalendarFeedDuration(t *testing.T) {
	tests := []struct {
		minutes int
		want    string
	}{
		{-5, "PT15M"},
		{0, "PT15M"},
		{15, "PT15M"},
		{45, "PT45M"},
		{60, "PT1H"},
		{90, "PT1H30M"},
		{120, "PT2H"},
		{500, "PT2H"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.minutes), func(t *testing.T) {
			r := calendarReminder("https://onsite.example/drill")
			r.Minutes = tc.minutes
			_, event := mustParseFeed(t, CalendarFeed(DefaultReminderSettings("Europe/Berlin"), r, time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "drill-7@onsite"))
			assert.Equal(t, tc.want, event.value("DURATION"), "DURATION for %d minutes", tc.minutes)
		})
	}
}

// TestCalendarFeedFolding makes the description long and multibyte, so
// that it is folded, and reads it back whole.
func TestCalendarFeedFolding(t *testing.T) {
	tests := []struct {
		name string
		url  string
		kind questions.Kind
	}{
		{"ascii", "https://onsite.example/drill?from=calendar&utm_source=a-rather-long-query-string-that-goes-on", questions.KindCoding},
		{"accents", "https://onsite.example/drill/" + strings.Repeat("é", 60), questions.KindConcept},
		{"cjk", "https://onsite.example/ドリル/" + strings.Repeat("練習", 40), questions.Kind("面接の練習")},
		{"emoji", "https://onsite.example/" + strings.Repeat("🧠", 30), questions.Kind("💡 ideas; more, later \\ now")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := calendarReminder(tc.url)
			r.New = map[questions.Kind]int{tc.kind: 4}
			feed := CalendarFeed(DefaultReminderSettings("Asia/Tokyo"), r, time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "drill-7@onsite")
			assert.Contains(t, string(feed), "\r\n ", "nothing was folded")
			_, event := mustParseFeed(t, feed)
			assert.Equal(t, r.Text(), event.text(t, "DESCRIPTION"), "DESCRIPTION unescaped")
			want, err := url.Parse(tc.url)
			require.NoError(t, err)
			got, err := url.Parse(event.value("URL"))
			require.NoError(t, err)
			assert.Equal(t, want.String(), got.String(), "URL, parsed")
			assert.True(t, isPrintableASCII(event.value("URL")), "URL %q is not printable ASCII", event.value("URL"))
		})
	}
}

func TestICSFold(t *testing.T) {
	tests := []struct {
		name string
		line string
	}{
		{"short", "SUMMARY:hi"},
		{"exactly 75", "SUMMARY:" + strings.Repeat("x", 67)},
		{"76", "SUMMARY:" + strings.Repeat("x", 68)},
		{"long ascii", "DESCRIPTION:" + strings.Repeat("abcdefghij", 40)},
		{"two-byte at the edge", "SUMMARY:" + strings.Repeat("x", 66) + strings.Repeat("é", 80)},
		{"three-byte", "SUMMARY:" + strings.Repeat("ドリル", 50)},
		{"four-byte", "SUMMARY:x" + strings.Repeat("🧠", 50)},
		{"spaces at the fold", "SUMMARY:" + strings.Repeat(" ", 200)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w icsWriter
			w.line(tc.line)
			out := w.buf.String()
			checkPhysicalLines(t, []byte(out))
			lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
			for i, l := range lines[1:] {
				assert.True(t, strings.HasPrefix(l, " "), "continuation line %d does not start with a space: %q", i+2, l)
			}
			unfolded := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", "")
			assert.Equal(t, tc.line, unfolded, "the line unfolded")
			if len(tc.line) <= 75 {
				assert.Len(t, lines, 1, "a line of %d octets was folded", len(tc.line))
			}
		})
	}
}

func TestICSEscapeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "onsite: 14 due", "onsite: 14 due"},
		{"specials", `a,b;c\d:e`, `a\,b\;c\\d:e`},
		{"newline", "one\ntwo\n", `one\ntwo\n`},
		{"CRLF and CR", "one\r\ntwo\rthree", `one\ntwo\nthree`},
		{"tab kept", "a\tb", "a\tb"},
		{"controls dropped", "bell\x07\x00\x7f!", "bell!"},
		{"invalid UTF-8 replaced", "a\xffb", "a\uFFFDb"},
		{"multibyte kept", "Zoë ドリル 🧠", "Zoë ドリル 🧠"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, escapeText(tc.in), "escapeText(%q)", tc.in)
		})
	}
}

// cleanText reports whether s survives TEXT escaping unchanged: valid UTF-8
// whose only control characters are tabs and newlines.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f
	})
}

// isPrintableASCII reports whether s is made of printable ASCII without
// spaces, as a URI is.
func isPrintableASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r >= 0x7f })
}

var fuzzZones = []string{"America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC", "Australia/Sydney", "America/Santiago", "Nowhere/At_All"}

func FuzzCalendarFeed(f *testing.F) {
	for _, s := range []struct {
		clock, link string
		minutes     int
		zone        uint8
		days        uint8
	}{
		{"09:00", "https://onsite.example/drill", 20, 0, 0},
		{"23:59", "https://onsite.example/drill?a=1,b=2;c\\d", 0, 1, 0b0101010},
		{"00:00", "https://onsite.example/ドリル/" + strings.Repeat("練習", 30), 300, 2, 0b1000001},
		{"7:5", "line\r\nbreak\rand\x00control", -3, 3, 0xff},
		{"", "\xff\xfe not utf-8", 61, 4, 0b0000001},
		{"02:30", strings.Repeat("🧠", 40), 45, 5, 0},
	} {
		f.Add(s.clock, s.link, s.minutes, s.zone, s.days)
	}
	now := time.Date(2026, time.March, 7, 23, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, clock, link string, minutes int, zone, days uint8) {
		s := ReminderSettings{Time: clock, TimeZone: fuzzZones[int(zone)%len(fuzzZones)]}
		for d := range 7 {
			if days&(1<<d) != 0 {
				s.Days = append(s.Days, time.Weekday(d))
			}
		}
		r := calendarReminder(link)
		r.Minutes = minutes
		feed := CalendarFeed(s, r, now, "drill-1@onsite")
		cal, event := mustParseFeed(t, feed)

		hour, minute := s.clock()
		start, _ := event.prop("DTSTART")
		if cal.comps("VTIMEZONE") == nil {
			assert.Equal(t, fmt.Sprintf("T%02d%02d00Z", hour, minute), start.Value[8:], "DTSTART %q", start.Value)
		} else {
			assert.Equal(t, fmt.Sprintf("T%02d%02d00", hour, minute), start.Value[8:], "DTSTART %q", start.Value)
			assert.Equal(t, cal.comps("VTIMEZONE")[0].value("TZID"), start.Params["TZID"])
		}
		assert.Equal(t, r.Subject(), event.text(t, "SUMMARY"))
		desc := event.text(t, "DESCRIPTION")
		if cleanText(link) {
			assert.Equal(t, r.Text(), desc, "DESCRIPTION unescaped")
		}
		uri := event.value("URL")
		assert.True(t, isPrintableASCII(uri), "URL %q is not printable ASCII", uri)
		assert.Equal(t, link != "" && cleanText(link) && !strings.ContainsAny(link, "\n\t"), uri != "", "URL %q for %q", uri, link)
	})
}
