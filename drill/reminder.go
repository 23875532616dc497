package drill

import (
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onsite-dev/onsite/questions"
)

// The channels a reminder goes out on. The calendar feed is fetched, not
// sent, so it has no deliveries.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
	ChannelBrowser = "browser"
)

// Channels are the channels reminders are delivered on, in the order they
// go out.
var Channels = []string{ChannelEmail, ChannelWebhook, ChannelBrowser}

// Webhook styles: the body each kind of receiver understands.
const (
	WebhookJSON    = "json"
	WebhookSlack   = "slack"
	WebhookDiscord = "discord"
	WebhookNtfy    = "ntfy"
)

// WebhookStyles lists the webhook styles.
var WebhookStyles = []string{WebhookJSON, WebhookSlack, WebhookDiscord, WebhookNtfy}

// Webhook is where a reminder is posted and in which style. For ntfy the
// URL is the topic's URL (https://ntfy.sh/my-topic) and Priority (1-5) and
// Tags go with the message.
type Webhook struct {
	URL      string   `json:"url"`
	Style    string   `json:"style"`
	Priority int      `json:"priority,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

// ReminderSettings are one user's daily reminder: when, on which days, on
// which channels, and when to stay quiet.
type ReminderSettings struct {
	Enabled bool `json:"enabled"`
	// Time is the local time of day, "09:00".
	Time string `json:"time"`
	// TimeZone is an IANA zone name, "Europe/Berlin".
	TimeZone string `json:"time_zone"`
	// Days are the weekdays to remind on (0 Sunday to 6 Saturday); empty
	// means every day.
	Days []time.Weekday `json:"days"`
	// MinDue is how many cards must be due (reviews and new cards) for a
	// reminder to go out; 0 sends one every day.
	MinDue int `json:"min_due"`
	// QuietWhenDone skips the reminder when today's drill is done.
	QuietWhenDone bool `json:"quiet_when_done"`

	Email   bool     `json:"email"`
	Webhook *Webhook `json:"webhook,omitempty"`
	Browser bool     `json:"browser"`
	// Calendar turns on the user's calendar feed (its secret URL is kept
	// by the store).
	Calendar bool `json:"calendar"`
}

// DefaultReminderSettings are a new user's: off, 09:00 in the drill's time
// zone, every day, only when something is due, quiet when done.
func DefaultReminderSettings(timeZone string) ReminderSettings {
	if timeZone == "" {
		timeZone = "UTC"
	}
	return ReminderSettings{Time: "09:00", TimeZone: timeZone, MinDue: 1, QuietWhenDone: true, Email: true}
}

var clockTime = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)$`)

// Validate returns what is wrong with s, field by field, or nil.
func (s ReminderSettings) Validate() map[string]string {
	bad := map[string]string{}
	if !clockTime.MatchString(s.Time) {
		bad["time"] = fmt.Sprintf("%q is not a time of day; use HH:MM on a 24-hour clock, such as 09:00", s.Time)
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		bad["time_zone"] = fmt.Sprintf("%q is not an IANA time zone; use a name such as Europe/Berlin or America/New_York", s.TimeZone)
	}
	for _, d := range s.Days {
		if d < time.Sunday || d > time.Saturday {
			bad["days"] = fmt.Sprintf("%d is not a weekday; use 0 (Sunday) to 6 (Saturday)", d)
		}
	}
	if s.MinDue < 0 || s.MinDue > 10000 {
		bad["min_due"] = fmt.Sprintf("%d is outside 0-10000", s.MinDue)
	}
	if w := s.Webhook; w != nil {
		if msg := checkWebhookURL(w.URL); msg != "" {
			bad["webhook.url"] = msg
		}
		if !slices.Contains(WebhookStyles, w.Style) {
			bad["webhook.style"] = fmt.Sprintf("%q is not a style; use %s", w.Style, strings.Join(WebhookStyles, ", "))
		}
		if w.Priority < 0 || w.Priority > 5 {
			bad["webhook.priority"] = fmt.Sprintf("%d is outside 1-5 (ntfy's priorities; 3 is the default)", w.Priority)
		}
		for _, t := range w.Tags {
			if strings.ContainsAny(t, ",\r\n") || len(t) > 50 {
				bad["webhook.tags"] = fmt.Sprintf("%q is not a tag: keep tags short, without commas", t)
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}

// checkWebhookURL says what is wrong with a webhook's URL, or "". Where it
// may point (not at private addresses) is checked when it is called.
func checkWebhookURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "is required: the address to post reminders to"
	case err != nil:
		return fmt.Sprintf("is not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("uses %q; only http and https URLs are allowed", u.Scheme)
	case u.Host == "":
		return "has no host"
	case u.User != nil:
		return "carries a user name or password; put secrets in the path or query, as Slack and Discord do"
	}
	return ""
}

// Location is the settings' time zone, UTC when it cannot be loaded.
func (s ReminderSettings) Location() *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// clock returns the settings' hour and minute.
func (s ReminderSettings) clock() (hour, minute int) {
	if m := clockTime.FindStringSubmatch(s.Time); m != nil {
		fmt.Sscanf(m[1]+" "+m[2], "%d %d", &hour, &minute)
		return hour, minute
	}
	return 9, 0
}

// remindsOn reports whether the settings remind on a weekday.
func (s ReminderSettings) remindsOn(d time.Weekday) bool {
	return len(s.Days) == 0 || slices.Contains(s.Days, d)
}

// MomentOn is the instant of the reminder on a local date. A time that
// does not exist that day (02:30 when clocks spring forward) is moved to the
// first valid instant after it, the moment of the change; a time that
// happens twice (01:30 when clocks fall back) is its first occurrence.
func (s ReminderSettings) MomentOn(year int, month time.Month, day int) time.Time {
	loc := s.Location()
	hour, minute := s.clock()
	t := time.Date(year, month, day, hour, minute, 0, 0, loc)
	if t.Hour() != hour || t.Minute() != minute {
		// The wall time falls in a gap, which Go resolves with one of the
		// two offsets around it; the first valid instant after the wall
		// time is the transition itself.
		lo := t.Add(-3 * time.Hour)
		for probe := lo; probe.Before(t.Add(3 * time.Hour)); probe = probe.Add(time.Minute) {
			if offsetAt(probe) != offsetAt(lo) {
				return probe
			}
		}
		return t
	}
	// Of two instants with this wall time, the earlier one.
	if earlier := t.Add(-time.Hour); earlier.In(loc).Hour() == hour && earlier.In(loc).Minute() == minute && earlier.Day() == day {
		return earlier
	}
	return t
}

func offsetAt(t time.Time) int {
	_, off := t.Zone()
	return off
}

// Next returns the first reminder moment at or after t, and the local
// date (YYYY-MM-DD) it belongs to.
func (s ReminderSettings) Next(t time.Time) (time.Time, string) {
	local := t.In(s.Location())
	y, m, d := local.Date()
	for i := range 9 {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, time.UTC)
		if !s.remindsOn(day.Weekday()) {
			continue
		}
		at := s.MomentOn(day.Year(), day.Month(), day.Day())
		if !at.Before(t) {
			return at, day.Format(time.DateOnly)
		}
	}
	// Unreachable with at least one day a week; a week from now keeps a
	// caller's loop moving.
	return t.Add(7 * 24 * time.Hour), local.AddDate(0, 0, 7).Format(time.DateOnly)
}

// Reminder is what one user's reminder says on one day.
type Reminder struct {
	// Date is the user's local date (YYYY-MM-DD).
	Date string `json:"date"`
	// Due and New count the reviews due and the new cards in today's
	// queue, by kind.
	Due      map[questions.Kind]int `json:"due"`
	New      map[questions.Kind]int `json:"new"`
	Reviewed int                    `json:"reviewed"`
	// Minutes is the estimated time of today's queue, from the user's own
	// answer times.
	Minutes int `json:"estimated_minutes"`
	Streak  int `json:"streak"`
	// URL is the drill's address, /drill on the server.
	URL string `json:"url"`
}

// NewReminder sums a day's queue into a reminder.
func NewReminder(today *Today, streak int, url string) Reminder {
	r := Reminder{Date: today.Date, Due: map[questions.Kind]int{}, New: map[questions.Kind]int{},
		Reviewed: today.Reviewed, Minutes: today.Minutes, Streak: streak, URL: url}
	for _, it := range today.Queue {
		if it.New {
			r.New[it.Kind]++
		} else {
			r.Due[it.Kind]++
		}
	}
	return r
}

// Total is how many cards wait: due reviews and new cards.
func (r Reminder) Total() int {
	n := 0
	for _, c := range r.Due {
		n += c
	}
	for _, c := range r.New {
		n += c
	}
	return n
}

// Quiet says why a reminder should not go out under s, or "".
func (r Reminder) Quiet(s ReminderSettings) string {
	switch {
	case s.QuietWhenDone && r.Reviewed > 0 && r.Total() == 0:
		return "today's drill is done"
	case r.Total() < s.MinDue:
		return fmt.Sprintf("%d due, fewer than the %d asked for", r.Total(), s.MinDue)
	}
	return ""
}

// Subject is the reminder in one short line: "onsite: 14 due (about 20
// min), streak 12 days".
func (r Reminder) Subject() string {
	var b strings.Builder
	fmt.Fprintf(&b, "onsite: %d due", r.Total())
	if r.Minutes > 0 {
		fmt.Fprintf(&b, " (about %d min)", r.Minutes)
	}
	switch r.Streak {
	case 0:
	case 1:
		b.WriteString(", streak 1 day")
	default:
		fmt.Fprintf(&b, ", streak %d days", r.Streak)
	}
	return b.String()
}

// reminderKinds is the order kinds are listed in a reminder.
var reminderKinds = []questions.Kind{questions.KindCoding, questions.KindConcept, questions.KindBehavioral, questions.KindSystemDesign}

// Lines are the reminder's body, one line per count: "3 coding reviews
// due", "2 new concept cards".
func (r Reminder) Lines() []string {
	var lines []string
	for _, k := range reminderKinds {
		if n := r.Due[k]; n > 0 {
			lines = append(lines, fmt.Sprintf("%d %s %s due", n, kindName(k), plural(n, "review", "reviews")))
		}
	}
	for _, k := range reminderKinds {
		if n := r.New[k]; n > 0 {
			lines = append(lines, fmt.Sprintf("%d new %s %s", n, kindName(k), plural(n, "card", "cards")))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "Nothing is due today.")
	}
	return lines
}

// kindName is a kind as a sentence names it: "ML concept", "system
// design".
func kindName(k questions.Kind) string {
	l := k.Label()
	if len(l) > 1 && l[1] >= 'a' && l[1] <= 'z' {
		return strings.ToLower(l[:1]) + l[1:]
	}
	return l
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Text is the reminder as plain text, for email and chat.
func (r Reminder) Text() string {
	var b strings.Builder
	b.WriteString(r.Subject())
	b.WriteString("\n\n")
	for _, l := range r.Lines() {
		b.WriteString("- " + l + "\n")
	}
	if r.Minutes > 0 {
		fmt.Fprintf(&b, "\nAbout %d minutes, going by your own answer times.\n", r.Minutes)
	}
	fmt.Fprintf(&b, "\nStart today's drill: %s\n", r.URL)
	return b.String()
}

var reminderHTML = template.Must(template.New("reminder").Parse(`<!doctype html>
<html><body style="font-family: system-ui, sans-serif; line-height: 1.5">
<p><strong>{{.Subject}}</strong></p>
<ul>{{range .Lines}}<li>{{.}}</li>{{end}}</ul>
{{if .Minutes}}<p>About {{.Minutes}} minutes, going by your own answer times.</p>{{end}}
<p><a href="{{.URL}}">Start today's drill</a></p>
</body></html>`))

// HTML is the reminder as an HTML email part.
func (r Reminder) HTML() string {
	var b strings.Builder
	if err := reminderHTML.Execute(&b, r); err != nil {
		return template.HTMLEscapeString(r.Text())
	}
	return b.String()
}
