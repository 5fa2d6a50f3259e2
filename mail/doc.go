// Package mail delivers reports by SMTP: one MIME message with a plain-text
// and an HTML body and optional attachments, sent with STARTTLS and PLAIN
// authentication when configured.
//
// Import rule: mail imports the standard library, go-smtp, go-sasl and zap.
// It knows nothing of sheets or reports; cmd/sheetaudit renders a report to
// HTML and hands the bytes to Send.
package mail
