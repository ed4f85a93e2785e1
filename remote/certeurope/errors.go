package certeurope

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/signet-sign/signet/i18n"
)

var (
	// ErrTLS reports a failed mutual-TLS handshake.
	ErrTLS = i18n.Errorf("err.ce_tls", nil)
	// ErrUnreachable reports a network failure or timeout.
	ErrUnreachable = i18n.Errorf("err.ce_unreachable", nil)
	// ErrBadResponse reports an answer that is not the documented one.
	ErrBadResponse = i18n.Errorf("err.ce_bad_response", nil)
	// ErrWrongOTP is matched by an *Error about a wrong OTP.
	ErrWrongOTP = i18n.Errorf("err.ce_wrong_otp", nil)
)

// Error is an error answer.
//
// ASSUMPTION: the public documents give no error body. Signet reads
// {"errorLabel": …, "errorMsg": …} (or a bare {"message": …}), and takes an errorLabel or errorMsg that speaks of the OTP as
// a wrong OTP, with the tries left when the message has a number of
// "tries"/"attempts"/"essais"/"tentatives".
type Error struct {
	Call       string
	HTTPStatus int
	Label, Msg string
}

var triesRE = regexp.MustCompile(`(?i)(\d+)\s*(tries|attempts|essais|tentatives)`)

// TriesLeft is the number of OTP tries the message says are left, or -1.
func (e *Error) TriesLeft() int {
	if m := triesRE.FindStringSubmatch(e.Msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n
		}
	}
	return -1
}

func (e *Error) wrongOTP() bool {
	return strings.Contains(strings.ToUpper(e.Label), "OTP") || strings.Contains(strings.ToUpper(e.Msg), "OTP")
}

func (e *Error) Is(target error) bool { return target == ErrWrongOTP && e.wrongOTP() }

func (e *Error) Error() string { return e.Say(i18n.For("en")) }

// Say is the error in l's language; the service's own label and message
// are quoted as they came.
func (e *Error) Say(l *i18n.Localizer) string {
	var what string
	switch {
	case e.wrongOTP():
		what = i18n.In(l, "certeurope.err.otp", -1)
		if n := e.TriesLeft(); n >= 0 {
			what += " " + i18n.In(l, "certeurope.err.tries_left", -1, map[string]any{"Tries": n})
		}
	case e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden:
		what = i18n.In(l, "certeurope.err.access", -1)
	case e.HTTPStatus == http.StatusNotFound:
		what = i18n.In(l, "certeurope.err.not_found", -1)
	case e.HTTPStatus == http.StatusConflict:
		what = i18n.In(l, "certeurope.err.conflict", -1)
	case e.HTTPStatus >= 500:
		what = i18n.In(l, "certeurope.err.failed", -1)
	default:
		what = i18n.In(l, "certeurope.err.refused", -1, map[string]any{"Call": e.Call, "Status": e.HTTPStatus})
	}
	if e.Label != "" || e.Msg != "" {
		says := e.Label
		if e.Msg != "" {
			if e.Label != "" {
				says += ": "
			}
			says += e.Msg
		}
		what += " " + i18n.In(l, "certeurope.err.service_says", -1, map[string]any{"Says": says})
	}
	return what
}

func errorFrom(call string, status int, body []byte) error {
	e := &Error{Call: call, HTTPStatus: status}
	var b struct {
		Label   string `json:"errorLabel"`
		Msg     string `json:"errorMsg"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &b) == nil {
		e.Label, e.Msg = b.Label, b.Msg
		if e.Msg == "" {
			e.Msg = b.Message
		}
	}
	return e
}

// Signature request statuses (the documents' enum).
const (
	StatusSigned          = "SIGNED"
	StatusCreated         = "SIGN_CREATED"
	StatusAwaitingValid   = "SIGN_AWAITING_VALIDATION"
	StatusAwaiting        = "SIGN_AWAITING"
	StatusInProgress      = "SIGN_IN_PROGRESS"
	StatusFailed          = "SIGN_FAILED"
	StatusArchiveProgress = "ARCHIVE_IN_PROGRESS"
	StatusArchived        = "ARCHIVED"
	StatusArchiveFailed   = "ARCHIVE_FAILED"
	StatusRefused         = "REFUSED"
	StatusDiscarded       = "DISCARDED"
	StatusArchiveMigrated = "ARCHIVE_MIGRATED"
)

// statusWords are the statuses in words: catalogue ids.
var statusWords = map[string]string{
	StatusSigned:          "certeurope.status.signed",
	StatusCreated:         "certeurope.status.created",
	StatusAwaitingValid:   "certeurope.status.awaiting_valid",
	StatusAwaiting:        "certeurope.status.awaiting",
	StatusInProgress:      "certeurope.status.in_progress",
	StatusFailed:          "certeurope.status.failed",
	StatusArchiveProgress: "certeurope.status.archive_progress",
	StatusArchived:        "certeurope.status.archived",
	StatusArchiveFailed:   "certeurope.status.archive_failed",
	StatusRefused:         "certeurope.status.refused",
	StatusDiscarded:       "certeurope.status.discarded",
	StatusArchiveMigrated: "certeurope.status.archive_migrated",
}

// StatusWords says a status in words, in the current language.
func StatusWords(status string) string { return i18n.Say(StatusText(status)) }

// StatusText is a status said when the message holding it is.
type StatusText string

func (s StatusText) SayIn(l *i18n.Localizer) string {
	if id, ok := statusWords[string(s)]; ok {
		return i18n.In(l, id, -1)
	}
	return i18n.In(l, "certeurope.in_state", -1, map[string]any{"Status": string(s)})
}

// Signed tells statuses whose document is signed (archive states
// included).
func Signed(status string) bool {
	switch status {
	case StatusSigned, StatusArchiveProgress, StatusArchived, StatusArchiveFailed, StatusArchiveMigrated:
		return true
	}
	return false
}

// Final tells statuses that will not change by waiting.
func Final(status string) bool {
	switch status {
	case StatusFailed, StatusRefused, StatusDiscarded:
		return true
	}
	return Signed(status)
}

// Order statuses, in words: catalogue ids.
var orderWords = map[string]string{
	"CREATED":            "certeurope.order.created",
	"CREATION_FAILED":    "certeurope.order.creation_failed",
	"VALIDATION_WAITING": "certeurope.order.validation_waiting",
	"VALIDATED":          "certeurope.order.validated",
	"VALIDATION_FAILED":  "certeurope.order.validation_failed",
	"GENERATION_WAITING": "certeurope.order.generation_waiting",
	"GENERATED":          "certeurope.order.generated",
	"GENERATION_FAILED":  "certeurope.order.generation_failed",
	"SIGN_WAITING":       "certeurope.order.sign_waiting",
	"SIGN_IN_PROGRESS":   "certeurope.order.sign_in_progress",
	"CLOSED":             "certeurope.order.closed",
	"DISCARDED":          "certeurope.order.discarded",
}

// OrderWords says an order status in words, in the current language.
func OrderWords(status string) string { return i18n.Say(orderText(status)) }

// orderText is an order status said when the message holding it is.
type orderText string

func (s orderText) SayIn(l *i18n.Localizer) string {
	if id, ok := orderWords[string(s)]; ok {
		return i18n.In(l, id, -1)
	}
	return i18n.In(l, "certeurope.in_state", -1, map[string]any{"Status": string(s)})
}
