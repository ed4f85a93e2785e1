package certeurope

import (
	"encoding/json"
	"fmt"
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

func (e *Error) Error() string {
	var what string
	switch {
	case e.wrongOTP():
		what = "the OTP is wrong or expired"
		if n := e.TriesLeft(); n >= 0 {
			what += fmt.Sprintf(" (%d tries left)", n)
		}
	case e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden:
		what = "the service refused this client certificate's access to that"
	case e.HTTPStatus == http.StatusNotFound:
		what = "the service knows no such order or signature request"
	case e.HTTPStatus == http.StatusConflict:
		what = "the order or request is not in a state that allows that"
	case e.HTTPStatus >= 500:
		what = "the service failed; try again later"
	default:
		what = fmt.Sprintf("the service refused %s (HTTP %d)", e.Call, e.HTTPStatus)
	}
	if e.Label != "" || e.Msg != "" {
		what += fmt.Sprintf(" (service says: %s", e.Label)
		if e.Msg != "" {
			if e.Label != "" {
				what += ": "
			}
			what += e.Msg
		}
		what += ")"
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

var statusWords = map[string]string{
	StatusSigned:          "signed",
	StatusCreated:         "created, not signed yet",
	StatusAwaitingValid:   "waiting for the signer's consent (the OTP step)",
	StatusAwaiting:        "waiting to be signed",
	StatusInProgress:      "being signed",
	StatusFailed:          "the signature failed",
	StatusArchiveProgress: "signed; being archived",
	StatusArchived:        "signed and archived",
	StatusArchiveFailed:   "signed, but archiving failed",
	StatusRefused:         "refused",
	StatusDiscarded:       "discarded",
	StatusArchiveMigrated: "signed; its archive was migrated",
}

// StatusWords says a status in words.
func StatusWords(status string) string {
	if w, ok := statusWords[status]; ok {
		return w
	}
	return "in state " + status
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

// Order statuses, in words.
var orderWords = map[string]string{
	"CREATED": "created", "CREATION_FAILED": "creation failed", "VALIDATION_WAITING": "waiting for validation",
	"VALIDATED": "validated", "VALIDATION_FAILED": "validation failed", "GENERATION_WAITING": "waiting for its certificate",
	"GENERATED": "certificate made", "GENERATION_FAILED": "the certificate could not be made",
	"SIGN_WAITING": "waiting for signature", "SIGN_IN_PROGRESS": "being signed", "CLOSED": "closed", "DISCARDED": "discarded",
}

// OrderWords says an order status in words.
func OrderWords(status string) string {
	if w, ok := orderWords[status]; ok {
		return w
	}
	return "in state " + status
}
