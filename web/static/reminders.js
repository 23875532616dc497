// The reminder settings page: asks the browser for permission to show
// notifications, and remembers in this browser whether it should show
// them (app.js shows them on every page).
const box = document.getElementById("browser");
const state = document.getElementById("notification-state");
const allow = document.getElementById("allow-notifications");

function describe() {
  if (!("Notification" in window)) {
    state.textContent = "This browser cannot show notifications.";
    return;
  }
  const p = Notification.permission;
  allow.hidden = p !== "default";
  state.textContent = p === "granted"
    ? "This browser may show notifications."
    : p === "denied"
      ? "Notifications are blocked for this site; allow them in the browser's site settings."
      : "Allow notifications so that this browser can show the reminder.";
}

if (box && state && allow) {
  describe();
  allow.addEventListener("click", async () => {
    await Notification.requestPermission();
    describe();
  });
  document.getElementById("test-notification").addEventListener("click", async () => {
    if (!("Notification" in window)) {
      describe();
      return;
    }
    if (Notification.permission === "default") await Notification.requestPermission();
    describe();
    if (Notification.permission !== "granted") return;
    new Notification("onsite: test reminder", { body: "Reminders will look like this.", tag: "onsite-test" });
    state.textContent = "A test notification was shown. If you did not see it, check the system's notification settings.";
  });
  document.getElementById("reminder-form").addEventListener("submit", () => {
    localStorage.setItem("onsite.browserReminders", box.checked ? "1" : "0");
  });
}
