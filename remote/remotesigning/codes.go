package remotesigning

import (
	"fmt"

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

// codeInfo says what a code means for a person, and which sentinel it is.
var codeInfo = map[int]struct {
	msg string
	err error
}{
	CodeInvalidIP:              {"this computer's address is not allowed by the service", ErrDenied},
	CodeInvalidCredential:      {"the relying party's credentials were refused", ErrAuth},
	CodeInvalidParams:          {"the request was refused as invalid", ErrBadResponse},
	CodeUnexpected:             {"the service failed; try again later", ErrTryLater},
	CodeInvalidAuthCode:        {"the passcode or one-time code is wrong", ErrWrongCode},
	CodeAuthBlocked:            {"authorization is blocked after too many wrong codes; contact the provider", ErrBlocked},
	CodeAuthCodeTimeout:        {"the one-time code expired; start the signing again", ErrCodeExpired},
	CodeAgreementNotFound:      {"no such signing agreement (check the agreement UUID)", ErrAgreement},
	CodeCertNotEnrolled:        {"the agreement has no certificate yet", ErrCertificate},
	CodeAgreementExisted:       {"the agreement exists already", ErrAgreement},
	CodeUnsupportedOperation:   {"the service does not support this operation", ErrDenied},
	CodeAccessDenied:           {"access denied", ErrDenied},
	CodeAgreementNotReady:      {"the agreement is not ready yet", ErrAgreement},
	CodeCertExpired:            {"the signing certificate has expired; renew it", ErrCertificate},
	CodeBillCodeTimeout:        {"the transaction expired while signing; start again", ErrCodeExpired},
	CodeFileBeingProcessed:     {"the file is still being processed; try again shortly", ErrTryLater},
	CodeAgreementRevoked:       {"the agreement was revoked", ErrAgreement},
	CodeFunctionAccessDenied:   {"this relying party may not use that function", ErrDenied},
	CodeRevocationCheckFailed:  {"the service could not check the certificate's revocation", ErrCertificate},
	CodeCertRevoked:            {"the signing certificate is revoked", ErrCertificate},
	CodeCertUnknown:            {"the signing certificate is unknown to its CA", ErrCertificate},
	CodeSharedAgreementMissing: {"the shared agreement was not found", ErrAgreement},
	CodeSharedModeInvalid:      {"the shared agreement's mode does not allow this", ErrAgreement},
	CodeFileNotFound:           {"no such file (bill codes expire)", ErrNotFound},
	CodeMultipleClients:        {"another computer is using the same agreement", ErrDenied},
	CodeTransactionNotFinished: {"the transaction is not finished yet", ErrTryLater},
	CodeEmailRegistered:        {"that email is registered already", ErrAgreement},
	CodeCredentialsExpired:     {"the relying party's credentials have expired", ErrAuth},
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

func (e *Error) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("remote signing %s: unexpected HTTP status %d", e.Path, e.HTTPStatus)
	}
	msg := fmt.Sprintf("code %d", e.Code)
	if info, ok := codeInfo[e.Code]; ok {
		msg = info.msg
	}
	s := fmt.Sprintf("remote signing %s: %s (%d %s)", e.Path, msg, e.Code, e.Message)
	if e.RemainingCounter >= 0 && e.Code == CodeInvalidAuthCode {
		s += fmt.Sprintf("; %d tries left", e.RemainingCounter)
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
