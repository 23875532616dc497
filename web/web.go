// Package web holds the page templates and static assets, embedded in the
// binary so that onsite serves everything itself: no CDN, works offline.
package web

import "embed"

// FS holds templates/ (html/template files) and static/ (CSS, JavaScript,
// icons).
//
//go:embed templates static
var FS embed.FS
