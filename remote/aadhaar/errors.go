package aadhaar

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
	"signature_request_not_found": "the service knows no such signature request (a wrong id, or it was deleted)",
	"document_not_found":          "the document is no longer available at the service (deleted, or a wrong id)",
	"document_not_signed":         "the document is not signed by every signer yet, so it cannot be downloaded",
	"invalid_document":            "the service refused the document (its id may already be used by another signature request)",
	"invalid_payload":             "the service refused the request as malformed",
	"invalid_redirect_url":        "the service refused the redirect URL: it must be a valid, publicly hosted URL",
	"config_id_not_found":         "the service knows no such signing config",
	"unexpected_error":            "the service failed with an internal error; try again later",
	"internal_server_error":       "the service failed with an internal error; try again later",
}

func (e *Error) Error() string {
	var b strings.Builder
	if m, ok := requestErrors[e.Code]; ok {
		b.WriteString(m)
	} else {
		switch {
		case e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden:
			b.WriteString("the service refused the client's credentials (x-client-id, x-client-secret, x-product-instance-id)")
		case e.HTTPStatus == http.StatusNotFound:
			b.WriteString("the service has no such resource")
		case e.HTTPStatus >= 500:
			b.WriteString("the service failed; try again later")
		default:
			fmt.Fprintf(&b, "the service refused %s (HTTP %d)", e.Call, e.HTTPStatus)
		}
	}
	if e.Code != "" || e.Detail != "" {
		fmt.Fprintf(&b, " (service says: %s", e.Code)
		if e.Detail != "" {
			b.WriteString(": " + e.Detail)
		}
		b.WriteString(")")
	}
	if e.TraceID != "" {
		fmt.Fprintf(&b, "; trace id %s for the provider's support", e.TraceID)
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
	text  string
	final bool // trying again cannot help: the request will not complete
}

var signerErrors = map[string]signerError{
	"session_expired":            {"the signing session expired; open the signing link again", false},
	"document_already_signed":    {"the document was already signed", false},
	"document_not_found":         {"the document is no longer available at the service", true},
	"signature_creation_failure": {"the eSign provider failed to make the signature; try again", false},
	"exceeded_otp_retries":       {"too many wrong OTPs; open the signing link again for a fresh OTP", false},
	"otp_not_entered":            {"the OTP was not entered (the signer left after it was sent)", false},
	"signer_declined":            {"the signer declined to sign", true},
	"otp_expired":                {"the OTP expired before it was entered; open the signing link again", false},
	"aadhaar_not_linked":         {"this Aadhaar number has no mobile number linked, so no OTP can be sent", true},
	"service_down":               {"the eSign provider (ESP) was down; try again later", false},
	"name_match_error":           {"the signer's name does not match the name Aadhaar has", true},
	"yob_match_error":            {"the signer's year of birth does not match the one Aadhaar has", true},
	"invaild_otp":                {"the OTP was wrong", false}, // sic: the reference's spelling
	"invalid_otp":                {"the OTP was wrong", false},
	"otp_flooding_error":         {"too many OTPs were asked for; wait before trying again", false},
	"transaction_not_allowed":    {"the transaction is not allowed for this Aadhaar number", true},
	"exceeded_otp_generation":    {"the OTP generation limit was reached; try again after some time", false},
	"exceeded_otp_attempt":       {"the OTP attempts (3) were used up; ask for a fresh OTP and try again", false},
	"wait_otp_generation_1min":   {"wait a minute before asking for a new OTP", false},
	"wait_otp_generation_30min":  {"the OTP generation limit (5) was reached; wait 30 minutes", false},
	"tnx_value_mismatch":         {"the eSign transaction did not match the OTP request; start the signing again", false},
	"aadhaar_locked":             {"the Aadhaar number is locked by its holder (a Virtual ID still works)", true},
	"invalid_aadhaar_number":     {"the Aadhaar number or Virtual ID is invalid", true},
	"aadhaar_suspended":          {"the Aadhaar number is suspended (not in an authenticatable status)", true},
	"upstream_server_error":      {"the upstream service failed; try again later", false},
}

// SignerErrorText says a signer's errCode in words ("" for none).
func SignerErrorText(code string) string {
	if code == "" {
		return ""
	}
	if e, ok := signerErrors[code]; ok {
		return e.text
	}
	return "the signing failed (" + code + ")"
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

func (e *SignerError) Error() string {
	return fmt.Sprintf("%s: %s (errCode %s)", e.Signer, SignerErrorText(e.ErrCode), e.ErrCode)
}

// ErrDeclined is matched by a SignerError whose signer declined.
var ErrDeclined = errors.New("a signer declined")

func (e *SignerError) Is(target error) bool {
	return target == ErrDeclined && e.ErrCode == "signer_declined"
}
