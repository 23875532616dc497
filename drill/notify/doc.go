// Package notify delivers the daily drill reminders that package drill
// composes: by email through the server's SMTP relay (Mailer) and by posting
// to the webhook a user configured (Webhooks). Webhook URLs come from users,
// so Webhooks refuses to reach the server's own network unless an admin
// allows it.
package notify
