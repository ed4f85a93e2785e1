package flow

import (
	"errors"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/aadhaar"
	"github.com/signet-sign/signet/remote/biometrid"
	"github.com/signet-sign/signet/remote/certeurope"
	"github.com/signet-sign/signet/remote/cmd"
	"github.com/signet-sign/signet/remote/eparaksts"
	"github.com/signet-sign/signet/remote/remotesigning"
)

// Hint says what a person can do about err, in words that fit every front
// end (the CLI adds its own for command-line matters), or "" when the
// error says it all. The first matching case wins, so specific errors come
// first.
func Hint(err error) string {
	var pinErr *pkcs11.PINError
	switch {
	case errors.Is(err, prompt.ErrCancelled):
		return ""
	case errors.Is(err, pkcs11.ErrPINLocked):
		return i18n.T("hint.pin_locked")
	case errors.As(err, &pinErr) && pinErr.Status.FinalTry:
		return i18n.T("hint.pin_final")
	case errors.As(err, &pinErr):
		return i18n.T("hint.pin_wrong")
	case errors.Is(err, pkcs11.ErrPINFormat):
		return i18n.T("hint.pin_format")
	case errors.Is(err, pkcs11.ErrPINExpired):
		return i18n.T("hint.pin_expired")
	case errors.Is(err, pkcs11.ErrTokenRemoved):
		return i18n.T("hint.token_removed")
	case errors.Is(err, ErrNoReader):
		return i18n.T("hint.no_reader")
	case errors.Is(err, pkcs11.ErrTokenNotFound):
		return i18n.T("hint.token_not_found")
	case errors.Is(err, pkcs11.ErrMechanism):
		return i18n.T("hint.mechanism")
	case errors.As(err, new(*IncompleteChainError)):
		return i18n.T("hint.incomplete_chain")
	case errors.Is(err, keys.ErrNotForSigning):
		return i18n.T("hint.not_for_signing")
	case errors.Is(err, keys.ErrWrongPassword):
		return i18n.T("hint.key_password")
	case errors.Is(err, ErrOutputExists):
		return i18n.T("hint.output_exists")
	case errors.Is(err, remotesigning.ErrNoCredentials):
		return i18n.T("hint.rs_credentials")
	case errors.Is(err, remotesigning.ErrWrongCode):
		return i18n.T("hint.rs_wrong_code")
	case errors.Is(err, remotesigning.ErrBlocked):
		return i18n.T("hint.rs_blocked")
	case errors.Is(err, remotesigning.ErrCodeExpired):
		return i18n.T("hint.rs_code_expired")
	case errors.Is(err, remotesigning.ErrAgreement):
		return i18n.T("hint.rs_agreement")
	case errors.Is(err, remotesigning.ErrCertificate):
		return i18n.T("hint.rs_certificate")
	case errors.Is(err, ErrServiceSignature):
		return i18n.T("hint.service_signature")
	case errors.Is(err, cmd.ErrNoCredentials):
		return i18n.T("hint.cmd_credentials")
	case errors.Is(err, biometrid.ErrNoCredentials):
		return i18n.T("hint.bio_credentials")
	case errors.Is(err, cmd.ErrWrongPIN):
		return i18n.T("hint.cmd_wrong_pin")
	case errors.Is(err, cmd.ErrWrongOTP):
		return i18n.T("hint.cmd_wrong_otp")
	case errors.Is(err, cmd.ErrProcessGone):
		return i18n.T("hint.cmd_process_gone")
	case errors.Is(err, cmd.ErrNoCertificate), errors.Is(err, cmd.ErrInactive):
		return i18n.T("hint.cmd_activate")
	case errors.Is(err, ErrServiceChanged):
		return i18n.T("hint.service_changed")
	case errors.Is(err, aadhaar.ErrNoCredentials):
		return i18n.T("hint.aa_credentials")
	case errors.Is(err, aadhaar.ErrDeclined):
		return i18n.T("hint.aa_declined")
	case errors.As(err, new(*aadhaar.SignerError)):
		return i18n.T("hint.aa_signer")
	case errors.As(err, new(*RejectedError)):
		return i18n.T("hint.rejected")
	case errors.Is(err, ErrAadhaarDeadline):
		return i18n.T("hint.aa_deadline")
	case errors.Is(err, certeurope.ErrNoClientCertificate):
		return i18n.T("hint.ce_no_client_cert")
	case errors.Is(err, certeurope.ErrTLS):
		return i18n.T("hint.ce_tls")
	case errors.Is(err, certeurope.ErrCannotDraw):
		return i18n.T("hint.ce_cannot_draw")
	case errors.Is(err, certeurope.ErrWrongOTP):
		return i18n.T("hint.ce_wrong_otp")
	case errors.Is(err, eparaksts.ErrNoCredentials):
		return i18n.T("hint.ep_credentials")
	}
	return ""
}
