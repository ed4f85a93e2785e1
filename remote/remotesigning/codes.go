package remotesigning

import (
	"github.com/signet-sign/signet/i18n"
)

// Response codes (the document's ResponseCode table).
const (
	CodeOK                     = 0
	CodeInvalidIP              = 1000
	CodeInvalidCredential      = 1001
	CodeInvalidParams          = 1002
	CodeUnexpected             = 1003
	CodeInvalidAuthCode        = 1004
	CodeAuthBlocked            = 1005
	CodeAuthCodeTimeout        = 1006
	CodeRequestAccepted        = 1007
	CodeAgreementNotFound      = 1008
	CodeCertNotEnrolled        = 1009
	CodeAgreementExisted       = 1010
	CodeUnsupportedOperation   = 1011
	CodeAccessDenied           = 1012
	CodeAgreementNotReady      = 1013
	CodeCertExpired            = 1014
	CodeBillCodeTimeout        = 1015
	CodeFileBeingProcessed     = 1016
	CodeAgreementRevoked       = 1017
	CodeOKPasscodeMustChange   = 1018
	CodeFunctionAccessDenied   = 1019
	CodeRevocationCheckFailed  = 1020
	CodeCertRevoked            = 1021
	CodeCertUnknown            = 1022
	CodeSharedAgreementMissing = 1023
	CodeSharedModeInvalid      = 1024
	CodeFileNotFound           = 1025
	CodeMultipleClients        = 1026
	CodeTransactionNotFinished = 1027
	CodeEmailRegistered        = 1028
	CodeCredentialsExpired     = 1029
)

var (
	// ErrAuth reports a relying-party login the service refused.
	ErrAuth = i18n.Errorf("err.rs_auth", nil)
	// ErrUnreachable reports a network failure or timeout.
	ErrUnreachable = i18n.Errorf("err.rs_unreachable", nil)
	// ErrBadResponse reports an answer that does not follow the protocol.
	ErrBadResponse = i18n.Errorf("err.rs_bad_response", nil)
	// ErrWrongCode reports a wrong passcode or one-time code (1004);
	// the Error's RemainingCounter says how many tries are left.
	ErrWrongCode = i18n.Errorf("err.rs_wrong_code", nil)
	// ErrBlocked reports authorization blocked after too many wrong codes (1005).
	ErrBlocked = i18n.Errorf("err.rs_blocked", nil)
	// ErrCodeExpired reports a one-time code or transaction that expired (1006, 1015).
	ErrCodeExpired = i18n.Errorf("err.rs_code_expired", nil)
	// ErrAgreement reports an agreement that is missing, revoked or not ready.
	ErrAgreement = i18n.Errorf("err.rs_agreement", nil)
	// ErrCertificate reports a certificate expired, revoked or unknown.
	ErrCertificate = i18n.Errorf("err.rs_certificate", nil)
	// ErrDenied reports an operation this relying party may not do.
	ErrDenied = i18n.Errorf("err.rs_denied", nil)
	// ErrNotFound reports a billCode with no file (1025).
	ErrNotFound = i18n.Errorf("err.rs_not_found", nil)
	// ErrTryLater reports work the service has not finished, or a failure
	// on its side (1003, 1016, 1027): the same request may succeed later.
	ErrTryLater = i18n.Errorf("err.rs_try_later", nil)
)

// codeInfo says what a code means for a person (a catalogue id), and
// which sentinel it is.
var codeInfo = map[int]struct {
	id  string
	err error
}{
	CodeInvalidIP:              {"remotesigning.code.invalid_i_p", ErrDenied},
	CodeInvalidCredential:      {"remotesigning.code.invalid_credential", ErrAuth},
	CodeInvalidParams:          {"remotesigning.code.invalid_params", ErrBadResponse},
	CodeUnexpected:             {"remotesigning.code.unexpected", ErrTryLater},
	CodeInvalidAuthCode:        {"remotesigning.code.invalid_auth_code", ErrWrongCode},
	CodeAuthBlocked:            {"remotesigning.code.auth_blocked", ErrBlocked},
	CodeAuthCodeTimeout:        {"remotesigning.code.auth_code_timeout", ErrCodeExpired},
	CodeAgreementNotFound:      {"remotesigning.code.agreement_not_found", ErrAgreement},
	CodeCertNotEnrolled:        {"remotesigning.code.cert_not_enrolled", ErrCertificate},
	CodeAgreementExisted:       {"remotesigning.code.agreement_existed", ErrAgreement},
	CodeUnsupportedOperation:   {"remotesigning.code.unsupported_operation", ErrDenied},
	CodeAccessDenied:           {"remotesigning.code.access_denied", ErrDenied},
	CodeAgreementNotReady:      {"remotesigning.code.agreement_not_ready", ErrAgreement},
	CodeCertExpired:            {"remotesigning.code.cert_expired", ErrCertificate},
	CodeBillCodeTimeout:        {"remotesigning.code.bill_code_timeout", ErrCodeExpired},
	CodeFileBeingProcessed:     {"remotesigning.code.file_being_processed", ErrTryLater},
	CodeAgreementRevoked:       {"remotesigning.code.agreement_revoked", ErrAgreement},
	CodeFunctionAccessDenied:   {"remotesigning.code.function_access_denied", ErrDenied},
	CodeRevocationCheckFailed:  {"remotesigning.code.revocation_check_failed", ErrCertificate},
	CodeCertRevoked:            {"remotesigning.code.cert_revoked", ErrCertificate},
	CodeCertUnknown:            {"remotesigning.code.cert_unknown", ErrCertificate},
	CodeSharedAgreementMissing: {"remotesigning.code.shared_agreement_missing", ErrAgreement},
	CodeSharedModeInvalid:      {"remotesigning.code.shared_mode_invalid", ErrAgreement},
	CodeFileNotFound:           {"remotesigning.code.file_not_found", ErrNotFound},
	CodeMultipleClients:        {"remotesigning.code.multiple_clients", ErrDenied},
	CodeTransactionNotFinished: {"remotesigning.code.transaction_not_finished", ErrTryLater},
	CodeEmailRegistered:        {"remotesigning.code.email_registered", ErrAgreement},
	CodeCredentialsExpired:     {"remotesigning.code.credentials_expired", ErrAuth},
}

// Error is a response code other than success.
type Error struct {
	Path       string
	HTTPStatus int
	Code       int
	Message    string // the service's responseMessage
	// RemainingCounter is the tries left after a wrong code, or -1.
	RemainingCounter int
}

func (e *Error) Error() string { return e.Say(i18n.For("en")) }

// Say is the error in l's language; the service's own message is quoted
// as it came.
func (e *Error) Say(l *i18n.Localizer) string {
	if e.Code == 0 {
		return i18n.In(l, "remotesigning.http_status", -1, map[string]any{"Path": e.Path, "Status": e.HTTPStatus})
	}
	msg := i18n.In(l, "remotesigning.code.other", -1, map[string]any{"Code": e.Code})
	if info, ok := codeInfo[e.Code]; ok {
		msg = i18n.In(l, info.id, -1)
	}
	s := i18n.In(l, "remotesigning.error", -1, map[string]any{"Path": e.Path, "Msg": msg, "Code": e.Code, "Message": e.Message})
	if e.RemainingCounter >= 0 && e.Code == CodeInvalidAuthCode {
		s += i18n.In(l, "remotesigning.tries_left", -1, map[string]any{"Tries": e.RemainingCounter})
	}
	return s
}

// Unwrap gives the sentinel of the code.
func (e *Error) Unwrap() error { return codeInfo[e.Code].err }

// check turns an unsuccessful response into an *Error. 0 and 1018 (success,
// passcode to change) succeed; 1007 (accepted, waiting for a code) succeeds
// only where the caller says it may.
func check(path string, r *Response, acceptPending bool) error {
	switch {
	case r.ResponseCode == CodeOK, r.ResponseCode == CodeOKPasscodeMustChange:
		return nil
	case r.ResponseCode == CodeRequestAccepted && acceptPending:
		return nil
	}
	remaining := -1
	if r.RemainingCounter != nil {
		remaining = *r.RemainingCounter
	}
	return &Error{Path: path, HTTPStatus: 200, Code: r.ResponseCode, Message: r.ResponseMessage, RemainingCounter: remaining}
}
