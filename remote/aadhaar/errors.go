package aadhaar

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/signet-sign/signet/i18n"
)

// Error is an error answer: {"error": {"code", "detail", "traceId"}}. The
// trace id is kept for the provider's support.
type Error struct {
	Call       string // e.g. "GET /api/signature/…"
	HTTPStatus int
	Code       string
	Detail     string
	TraceID    string
}

// requestErrors say the request errors of the seed and the reference in
// words, with what to do.
var requestErrors = map[string]string{
	"signature_request_not_found": "aadhaar.err.signature_request_not_found",
	"document_not_found":          "aadhaar.err.document_not_found",
	"document_not_signed":         "aadhaar.err.document_not_signed",
	"invalid_document":            "aadhaar.err.invalid_document",
	"invalid_payload":             "aadhaar.err.invalid_payload",
	"invalid_redirect_url":        "aadhaar.err.invalid_redirect_url",
	"config_id_not_found":         "aadhaar.err.config_id_not_found",
	"unexpected_error":            "aadhaar.err.unexpected_error",
	"internal_server_error":       "aadhaar.err.unexpected_error",
}

func (e *Error) Error() string { return e.Say(i18n.For("en")) }

// Say is the error in l's language; the service's own code and words
// are quoted as they came.
func (e *Error) Say(l *i18n.Localizer) string {
	var b strings.Builder
	if id, ok := requestErrors[e.Code]; ok {
		b.WriteString(i18n.In(l, id, -1))
	} else {
		switch {
		case e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden:
			b.WriteString(i18n.In(l, "aadhaar.err.credentials", -1))
		case e.HTTPStatus == http.StatusNotFound:
			b.WriteString(i18n.In(l, "aadhaar.err.no_resource", -1))
		case e.HTTPStatus >= 500:
			b.WriteString(i18n.In(l, "aadhaar.err.failed", -1))
		default:
			b.WriteString(i18n.In(l, "aadhaar.err.refused", -1, map[string]any{"Call": e.Call, "Status": e.HTTPStatus}))
		}
	}
	if e.Code != "" || e.Detail != "" {
		says := e.Code
		if e.Detail != "" {
			says += ": " + e.Detail
		}
		b.WriteString(" " + i18n.In(l, "aadhaar.err.service_says", -1, map[string]any{"Says": says}))
	}
	if e.TraceID != "" {
		b.WriteString(i18n.In(l, "aadhaar.err.trace", -1, map[string]any{"Trace": e.TraceID}))
	}
	return b.String()
}

// NotFound reports a request or document the service does not know.
func (e *Error) NotFound() bool {
	return e.HTTPStatus == http.StatusNotFound || e.Code == "signature_request_not_found" || e.Code == "document_not_found"
}

func errorFrom(call string, status int, body []byte) error {
	e := &Error{Call: call, HTTPStatus: status}
	var env struct {
		Error *struct {
			Code    string `json:"code"`
			Detail  string `json:"detail"`
			TraceID string `json:"traceId"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		e.Code, e.Detail, e.TraceID = env.Error.Code, env.Error.Detail, env.Error.TraceID
	}
	return e
}

// A signer's errCode: what went wrong at their last attempt (error-codes
// of the seed and of the provider's reference), in words, and whether
// the signer can try again from their signing link.
type signerError struct {
	id    string // in the catalogue
	final bool   // trying again cannot help: the request will not complete
}

var signerErrors = map[string]signerError{
	"session_expired":            {"aadhaar.signer.session_expired", false},
	"document_already_signed":    {"aadhaar.signer.document_already_signed", false},
	"document_not_found":         {"aadhaar.signer.document_not_found", true},
	"signature_creation_failure": {"aadhaar.signer.signature_creation_failure", false},
	"exceeded_otp_retries":       {"aadhaar.signer.exceeded_otp_retries", false},
	"otp_not_entered":            {"aadhaar.signer.otp_not_entered", false},
	"signer_declined":            {"aadhaar.signer.signer_declined", true},
	"otp_expired":                {"aadhaar.signer.otp_expired", false},
	"aadhaar_not_linked":         {"aadhaar.signer.aadhaar_not_linked", true},
	"service_down":               {"aadhaar.signer.service_down", false},
	"name_match_error":           {"aadhaar.signer.name_match_error", true},
	"yob_match_error":            {"aadhaar.signer.yob_match_error", true},
	"invaild_otp":                {"aadhaar.signer.invalid_otp", false}, // sic: the reference's spelling
	"invalid_otp":                {"aadhaar.signer.invalid_otp", false},
	"otp_flooding_error":         {"aadhaar.signer.otp_flooding_error", false},
	"transaction_not_allowed":    {"aadhaar.signer.transaction_not_allowed", true},
	"exceeded_otp_generation":    {"aadhaar.signer.exceeded_otp_generation", false},
	"exceeded_otp_attempt":       {"aadhaar.signer.exceeded_otp_attempt", false},
	"wait_otp_generation_1min":   {"aadhaar.signer.wait_otp_generation_1min", false},
	"wait_otp_generation_30min":  {"aadhaar.signer.wait_otp_generation_30min", false},
	"tnx_value_mismatch":         {"aadhaar.signer.tnx_value_mismatch", false},
	"aadhaar_locked":             {"aadhaar.signer.aadhaar_locked", true},
	"invalid_aadhaar_number":     {"aadhaar.signer.invalid_aadhaar_number", true},
	"aadhaar_suspended":          {"aadhaar.signer.aadhaar_suspended", true},
	"upstream_server_error":      {"aadhaar.signer.upstream_server_error", false},
}

// SignerErrorText says a signer's errCode in words ("" for none), in
// the current language.
func SignerErrorText(code string) string { return i18n.Say(signerErrorText(code)) }

// signerErrorText is an errCode said when the message holding it is.
type signerErrorText string

func (code signerErrorText) SayIn(l *i18n.Localizer) string {
	if code == "" {
		return ""
	}
	if e, ok := signerErrors[string(code)]; ok {
		return i18n.In(l, e.id, -1)
	}
	return i18n.In(l, "aadhaar.signer.other", -1, map[string]any{"Code": string(code)})
}

// SignerErrorFinal tells errCodes after which the request cannot
// complete: the signer declined, or their identity or Aadhaar cannot
// sign.
func SignerErrorFinal(code string) bool { return signerErrors[code].final }

// SignerError is a signer's failure that ends a request.
type SignerError struct {
	Signer  string // display name
	ErrCode string
}

func (e *SignerError) Error() string { return e.Say(i18n.For("en")) }

// Say is the error in l's language.
func (e *SignerError) Say(l *i18n.Localizer) string {
	return fmt.Sprintf("%s: %s (errCode %s)", e.Signer, signerErrorText(e.ErrCode).SayIn(l), e.ErrCode) // i18n:skip: a name, then the words said
}

// ErrDeclined is matched by a SignerError whose signer declined.
var ErrDeclined = i18n.Errorf("aadhaar.declined", nil)

func (e *SignerError) Is(target error) bool {
	return target == ErrDeclined && e.ErrCode == "signer_declined"
}
