package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
)

// requireReminders answers 503 when reminders are not set up.
func (s *Server) requireReminders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Reminders == nil || s.Drill == nil {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "reminders are not set up on this server")
		}
		return next(c)
	}
}

// reminderChannels says which channels this server can send on.
type reminderChannels struct {
	Email   bool `json:"email"`
	Webhook bool `json:"webhook"`
}

func (s *Server) channels() reminderChannels {
	if s.Reminder == nil {
		return reminderChannels{}
	}
	return reminderChannels{Email: s.Reminder.Email != nil, Webhook: s.Reminder.Webhook != nil}
}

// reminderView is the settings with what goes with them: the calendar
// feed's URL, the channels the server has, the latest deliveries.
type reminderView struct {
	Settings    drill.ReminderSettings `json:"settings"`
	CalendarURL string                 `json:"calendar_url,omitempty"`
	Server      reminderChannels       `json:"server_channels"`
	Deliveries  []drill.Delivery       `json:"deliveries"`
	// Next is the next reminder moment, when on.
	Next *time.Time `json:"next_at,omitempty"`
}

func (s *Server) reminderView(c echo.Context) (*reminderView, error) {
	ctx := c.Request().Context()
	st, err := s.Reminders.FindReminderSettings(ctx)
	if err != nil {
		return nil, err
	}
	v := &reminderView{Settings: st, Server: s.channels()}
	if st.Calendar {
		token, err := s.Reminders.CalendarToken(ctx, false)
		if err != nil {
			return nil, err
		}
		v.CalendarURL = s.publicURL(c) + "/calendar/" + token + ".ics"
	}
	if st.Enabled {
		next, _ := st.Next(s.now())
		v.Next = &next
	}
	if v.Deliveries, err = s.Reminders.FindDeliveries(ctx, 14); err != nil {
		return nil, err
	}
	if v.Deliveries == nil {
		v.Deliveries = []drill.Delivery{}
	}
	return v, nil
}

// publicURL is the server's address as people reach it: BaseURL when set,
// else the request's scheme and host.
func (s *Server) publicURL(c echo.Context) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

func (s *Server) now() time.Time {
	if s.Reminder != nil && s.Reminder.Now != nil {
		return s.Reminder.Now()
	}
	return time.Now()
}

func (s *Server) handleReminderSettings(c echo.Context) error {
	v, err := s.reminderView(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) handleReminderSettingsUpdate(c echo.Context) error {
	var st drill.ReminderSettings
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return onsite.Errorf(onsite.EINVALID, `Send the settings as JSON, such as {"enabled": true, "time": "09:00", "time_zone": "Europe/Berlin", "email": true}; %v.`, err)
	}
	if err := s.saveReminderSettings(c, st); err != nil {
		return err
	}
	return s.handleReminderSettings(c)
}

// saveReminderSettings stores the settings and wakes the scheduler, which
// may now have an earlier moment to keep.
func (s *Server) saveReminderSettings(c echo.Context, st drill.ReminderSettings) error {
	if err := s.Reminders.UpdateReminderSettings(c.Request().Context(), st); err != nil {
		return err
	}
	if s.Reminder != nil {
		s.Reminder.Wake()
	}
	return nil
}

// testRequest is the body of POST /api/v1/reminders/test.
type testRequest struct {
	Channel string `json:"channel"`
}

// sendTest sends a reminder now on one channel, whatever is due, and
// returns the exact error when it fails.
func (s *Server) sendTest(c echo.Context, channel string) error {
	if s.Reminder == nil {
		return onsite.Errorf(onsite.EINVALID, "Reminders are not sent by this server.")
	}
	if !slices.Contains([]string{drill.ChannelEmail, drill.ChannelWebhook}, channel) {
		return onsite.Errorf(onsite.EINVALID, "%q: test email or webhook; the browser tests its notifications itself and the calendar is fetched by your calendar app.", channel)
	}
	ctx := c.Request().Context()
	user := currentUser(c)
	st, err := s.Reminders.FindReminderSettings(ctx)
	if err != nil {
		return err
	}
	rem, err := s.Reminders.ReminderFor(ctx, user, s.now())
	if err != nil {
		return err
	}
	rem.URL = s.publicURL(c) + "/drill"
	return s.Reminder.Send(ctx, *user, st, channel, rem)
}

// handleReminderTest answers {"ok": true} or 502 with the channel's exact
// error.
func (s *Server) handleReminderTest(c echo.Context) error {
	var req testRequest
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return onsite.Errorf(onsite.EINVALID, `Send {"channel": "email"} or {"channel": "webhook"}; %v.`, err)
	}
	if err := s.sendTest(c, req.Channel); err != nil {
		if onsite.ErrorCode(err) != onsite.EINTERNAL {
			return err
		}
		return c.JSON(http.StatusBadGateway, map[string]any{"ok": false, "error": err.Error()})
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) handleCalendarReset(c echo.Context) error {
	if _, err := s.Reminders.CalendarToken(c.Request().Context(), true); err != nil {
		return err
	}
	return s.handleReminderSettings(c)
}

// browserReminder is what a tab needs to show today's notification.
type browserReminder struct {
	Enabled bool      `json:"enabled"`
	At      time.Time `json:"at"`
	Date    string    `json:"date"`
	// Until is when the moment is too old to show (the catch-up window).
	Until time.Time `json:"until"`
}

// handleBrowserNext tells a tab when today's (or the next) browser
// notification is due: the earliest moment not older than the catch-up
// window.
func (s *Server) handleBrowserNext(c echo.Context) error {
	st, err := s.Reminders.FindReminderSettings(c.Request().Context())
	if err != nil {
		return err
	}
	at, date := st.Next(s.now().Add(-s.catchUp()))
	return c.JSON(http.StatusOK, browserReminder{Enabled: st.Enabled && st.Browser, At: at, Date: date, Until: at.Add(s.catchUp())})
}

func (s *Server) catchUp() time.Duration {
	if s.Reminder != nil && s.Reminder.CatchUp > 0 {
		return s.Reminder.CatchUp
	}
	return 6 * time.Hour
}

// handleBrowserClaim lets one tab show today's notification: the first
// claim of the day gets the reminder to show, later ones (other tabs, a
// reload) get 409. Quiet days answer 204.
func (s *Server) handleBrowserClaim(c echo.Context) error {
	ctx := c.Request().Context()
	user := currentUser(c)
	st, err := s.Reminders.FindReminderSettings(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	at, date := st.Next(now.Add(-s.catchUp()))
	if !st.Enabled || !st.Browser {
		return onsite.Errorf(onsite.EINVALID, "Browser notifications are off; turn them on in the reminder settings.")
	}
	if now.Before(at) {
		return onsite.Errorf(onsite.ECONFLICT, "Today's reminder is due at %s, not yet.", at.In(st.Location()).Format("15:04"))
	}
	claimed, err := s.Reminders.ClaimDelivery(ctx, user.ID, date, drill.ChannelBrowser, now.Add(time.Minute))
	if err != nil {
		return err
	}
	if !claimed {
		return onsite.Errorf(onsite.ECONFLICT, "Today's browser reminder was already shown.")
	}
	rem, err := s.Reminders.ReminderFor(ctx, user, now)
	if err != nil {
		return err
	}
	rem.URL = s.publicURL(c) + "/drill"
	d := drill.Delivery{UserID: user.ID, Date: date, Channel: drill.ChannelBrowser, Attempts: 1, Status: drill.DeliverySent}
	if why := rem.Quiet(st); why != "" {
		d.Status, d.Error = drill.DeliverySkipped, why
	}
	if err := s.Reminders.FinishDelivery(ctx, d); err != nil {
		return err
	}
	s.Metrics.ReminderDelivered(drill.ChannelBrowser, d.Status)
	if d.Status == drill.DeliverySkipped {
		return c.NoContent(http.StatusNoContent)
	}
	return c.JSON(http.StatusOK, map[string]string{"title": rem.Subject(), "body": strings.Join(rem.Lines(), "\n"), "url": rem.URL})
}

// handleCalendarFeed answers a user's calendar feed: GET
// /calendar/{token}.ics, the token being the secret that authenticates it.
func (s *Server) handleCalendarFeed(c echo.Context) error {
	token := strings.TrimSuffix(c.Param("token"), ".ics")
	ctx := c.Request().Context()
	user, st, err := s.Reminders.FindUserByCalendarToken(ctx, token)
	if err != nil {
		return err
	}
	if !st.Calendar {
		return onsite.Errorf(onsite.ENOTFOUND, "This calendar feed is turned off; turn it on in the reminder settings.")
	}
	now := s.now()
	rem, err := s.Reminders.ReminderFor(ctx, user, now)
	if err != nil {
		return err
	}
	rem.URL = s.publicURL(c) + "/drill"
	c.Response().Header().Set("Cache-Control", "no-cache")
	c.Response().Header().Set("Content-Disposition", `inline; filename="onsite-drill.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", drill.CalendarFeed(st, rem, now, fmt.Sprintf("drill-%d@onsite", user.ID)))
}

// reminderPage is the reminder settings page.
type reminderPage struct {
	*reminderView
	Days   []time.Weekday
	Styles []string
	Saved  bool
	Errors map[string]string
	// Tested names the channel just tested and TestError its error.
	Tested    string
	TestError string
}

func (s *Server) newReminderPage(c echo.Context) (*reminderPage, error) {
	v, err := s.reminderView(c)
	if err != nil {
		return nil, err
	}
	return &reminderPage{reminderView: v, Days: []time.Weekday{1, 2, 3, 4, 5, 6, 0}, Styles: drill.WebhookStyles}, nil
}

func (s *Server) handleReminderPage(c echo.Context) error {
	page, err := s.newReminderPage(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "reminders", "Reminders", page)
}

// handleReminderPageSave saves the form, or with action=test-email or
// test-webhook sends a test on that channel and shows the result.
func (s *Server) handleReminderPageSave(c echo.Context) error {
	if action := c.FormValue("action"); strings.HasPrefix(action, "test-") {
		channel := strings.TrimPrefix(action, "test-")
		err := s.sendTest(c, channel)
		page, perr := s.newReminderPage(c)
		if perr != nil {
			return perr
		}
		page.Tested = channel
		if err != nil {
			page.TestError = err.Error()
			if msg := onsite.ErrorMessage(err); onsite.ErrorCode(err) != onsite.EINTERNAL {
				page.TestError = msg
			}
		}
		return s.render(c, http.StatusOK, "reminders", "Reminders", page)
	}
	if c.FormValue("action") == "reset-calendar" {
		if _, err := s.Reminders.CalendarToken(c.Request().Context(), true); err != nil {
			return err
		}
		return s.handleReminderPage(c)
	}
	st, bad := reminderForm(c)
	if len(bad) == 0 {
		if err := s.saveReminderSettings(c, st); err != nil {
			var oe *onsite.Error
			if !errors.As(err, &oe) || oe.Code != onsite.EINVALID {
				return err
			}
			bad["settings"] = oe.Message
		}
	}
	page, err := s.newReminderPage(c)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		page.Settings, page.Errors = st, bad
		return s.render(c, http.StatusBadRequest, "reminders", "Reminders", page)
	}
	page.Saved = true
	return s.render(c, http.StatusOK, "reminders", "Reminders", page)
}

// reminderForm reads the settings form.
func reminderForm(c echo.Context) (drill.ReminderSettings, map[string]string) {
	bad := map[string]string{}
	on := func(name string) bool { return c.FormValue(name) == "on" || c.FormValue(name) == "true" }
	st := drill.ReminderSettings{Enabled: on("enabled"), Time: c.FormValue("time"), TimeZone: c.FormValue("time_zone"),
		QuietWhenDone: on("quiet_when_done"), Email: on("email"), Browser: on("browser"), Calendar: on("calendar")}
	form, _ := c.FormParams()
	for _, d := range form["days"] {
		n, err := strconv.Atoi(d)
		if err != nil {
			bad["days"] = "is not a weekday"
			continue
		}
		st.Days = append(st.Days, time.Weekday(n))
	}
	if len(st.Days) == 7 {
		st.Days = nil
	}
	if on("only_when_due") {
		st.MinDue = 1
		if v := c.FormValue("min_due"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				bad["min_due"] = "is not a whole number"
			}
			st.MinDue = max(n, 1)
		}
	}
	if u := strings.TrimSpace(c.FormValue("webhook_url")); u != "" {
		w := &drill.Webhook{URL: u, Style: c.FormValue("webhook_style")}
		if p := c.FormValue("webhook_priority"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				bad["webhook.priority"] = "is not a whole number"
			}
			w.Priority = n
		}
		for _, t := range strings.Split(c.FormValue("webhook_tags"), ",") {
			if t = strings.TrimSpace(t); t != "" {
				w.Tags = append(w.Tags, t)
			}
		}
		st.Webhook = w
	}
	for f, msg := range st.Validate() {
		bad[f] = msg
	}
	return st, bad
}
