package eparaksts

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/signet-sign/signet/i18n"
)

var (
	// ErrNoCredentials reports a missing client id or secret.
	ErrNoCredentials = i18n.Errorf("err.ep_no_credentials", nil)
	// ErrAuth reports that the integration platform refused the client.
	ErrAuth = i18n.Errorf("err.ep_auth", nil)
	// ErrUnreachable reports a network failure or timeout.
	ErrUnreachable = i18n.Errorf("err.ep_unreachable", nil)
	// ErrBadResponse reports an answer that does not follow the protocol.
	ErrBadResponse = i18n.Errorf("err.ep_bad_response", nil)
)

// Error is an error answer of the Signing API.
type Error struct {
	Path       string
	HTTPStatus int
	Code       string
	Message    string
	Details    []string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "eParaksts %s: %s", e.Path, e.explain())
	if e.Code != "" || e.Message != "" {
		fmt.Fprintf(&b, " (service says: %s", e.Code)
		if e.Message != "" {
			if e.Code != "" {
				b.WriteString(" ")
			}
			b.WriteString(e.Message)
		}
		if len(e.Details) > 0 {
			b.WriteString("; " + strings.Join(e.Details, "; "))
		}
		b.WriteString(")")
	}
	return b.String()
}

// explain says in words what the HTTP status means for the person.
func (e *Error) explain() string {
	switch {
	case e.HTTPStatus == http.StatusBadRequest:
		return "the request was refused as invalid"
	case e.HTTPStatus == http.StatusUnauthorized:
		return "the access token was refused even after renewing it"
	case e.HTTPStatus == http.StatusForbidden:
		return "this client is not allowed to do that (check the service agreement with LVRTC)"
	case e.HTTPStatus == http.StatusNotFound:
		return "no such session or document (sessions expire)"
	case e.HTTPStatus == http.StatusRequestEntityTooLarge:
		return "the document is larger than the service accepts"
	case e.HTTPStatus >= 500:
		return "the service failed; try again later"
	case e.HTTPStatus == http.StatusOK:
		return "the service reported an error"
	}
	return fmt.Sprintf("unexpected HTTP status %d", e.HTTPStatus)
}

func apiErrorFrom(path string, status int, body []byte) error {
	e := &Error{Path: path, HTTPStatus: status}
	var env envelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		e.Code, e.Message, e.Details = env.Error.Code, env.Error.Message, env.Error.Details
	}
	return e
}

// SessionError is an error the service reports for one session of a batch.
type SessionError struct {
	SessionID string
	Code      string
	Message   string
}

func (e *SessionError) Error() string {
	return fmt.Sprintf("eParaksts session %s: %s %s", short(e.SessionID), e.Code, e.Message)
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12] + "…"
	}
	return id
}
