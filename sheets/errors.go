package sheets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	"github.com/sheetaudit/sheetaudit/audit"
)

// translate maps a failure of the API into the audit sentinels, keeping the
// original wrapped. op says what was being done ("read tab \"Data\"") and is
// followed by the spreadsheet id so an operator sees which sheet failed.
func (w *Workbook) translate(err error, op string) error {
	if err == nil {
		return nil
	}
	where := fmt.Sprintf("%s of spreadsheet %q", op, w.id)
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		switch code := gerr.Code; {
		case code == http.StatusNotFound:
			return fmt.Errorf("%s: %w (check spreadsheet_id; the id is the part of the URL after /d/): %w", where, audit.ErrNotFound, err)
		case code == http.StatusForbidden:
			return fmt.Errorf("%s: %w (%s): %w", where, audit.ErrPermission, w.permissionHint(gerr), err)
		case code == http.StatusUnauthorized:
			return fmt.Errorf("%s: %w (the credentials were rejected; check credentials_file or create a new key): %w", where, audit.ErrPermission, err)
		case code == http.StatusTooManyRequests:
			return fmt.Errorf("%s: %w (quota exhausted; lower the request rate or ask for more quota): %w", where, audit.ErrUnavailable, err)
		case code >= 500:
			return fmt.Errorf("%s: %w: %w", where, audit.ErrUnavailable, err)
		case code == http.StatusBadRequest:
			return fmt.Errorf("%s: %w: %w", where, audit.ErrInvalid, err)
		default:
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) {
		if rerr.Response != nil && (rerr.Response.StatusCode == http.StatusTooManyRequests || rerr.Response.StatusCode >= 500) {
			return fmt.Errorf("%s: fetch access token: %w: %w", where, audit.ErrUnavailable, err)
		}
		return fmt.Errorf("%s: fetch access token: %w (the key was refused; it may be deleted or disabled: create a new key for the service account): %w",
			where, audit.ErrPermission, err)
	}
	if transient(err) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w: %w", where, audit.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// permissionHint tells the operator how to fix a 403: enable the API when
// Google says it is disabled for the project, otherwise share the sheet.
func (w *Workbook) permissionHint(gerr *googleapi.Error) string {
	if reason(gerr) == "SERVICE_DISABLED" || strings.Contains(gerr.Message, "has not been used") || strings.Contains(gerr.Message, "is disabled") {
		return "enable the Google Sheets API for the service account's project in the Cloud console"
	}
	if reason(gerr) == "ACCESS_TOKEN_SCOPE_INSUFFICIENT" {
		return "the credentials lack the spreadsheets scope"
	}
	if w.email != "" {
		return fmt.Sprintf("share the spreadsheet with %s as an editor", w.email)
	}
	return "share the spreadsheet with the service account as an editor, or enable the Sheets API"
}

// reason returns the ErrorInfo reason of an API error, if any. Branching on
// it, not on Error() text, keeps working whether or not Google sends the
// legacy errors[] array.
func reason(gerr *googleapi.Error) string {
	for _, d := range gerr.Details {
		m, ok := d.(map[string]any)
		if !ok {
			continue
		}
		if r, ok := m["reason"].(string); ok && r != "" {
			return r
		}
	}
	for _, e := range gerr.Errors {
		if e.Reason != "" {
			return e.Reason
		}
	}
	return ""
}

// alreadyExists reports the 400 that addSheet answers when the title is
// taken, which EnsureTab treats as "someone else created it first". Sheets
// gives no reason code for it, so the message is the only signal.
func alreadyExists(err error) bool {
	var gerr *googleapi.Error
	return errors.As(err, &gerr) && gerr.Code == http.StatusBadRequest && strings.Contains(gerr.Message, "already exists")
}

// statusCode is the HTTP status of a failed attempt, 0 when none arrived.
func statusCode(err error) int {
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		return gerr.Code
	}
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) && rerr.Response != nil {
		return rerr.Response.StatusCode
	}
	return 0
}

// retryable reports whether another attempt may succeed.
func retryable(err error) bool {
	switch statusCode(err) {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case 0:
		return transient(err)
	}
	return false
}

// transient reports network failures worth another attempt: timeouts and
// connections dropped or refused on the way.
func transient(err error) bool {
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}

// retryAfter is the server's Retry-After, in seconds or as an HTTP date.
func retryAfter(err error, now time.Time) time.Duration {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Header == nil {
		return 0
	}
	v := gerr.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
