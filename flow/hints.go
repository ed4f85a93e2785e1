package flow

import (
	"errors"

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
		return "the PIN is blocked; unblock it with the PUK in your card's management software, or ask the card issuer"
	case errors.As(err, &pinErr) && pinErr.Status.FinalTry:
		return "one more wrong PIN locks it: make sure of the PIN before trying again"
	case errors.As(err, &pinErr):
		return "check the PIN and try again; Signet never retries a PIN by itself"
	case errors.Is(err, pkcs11.ErrPINFormat):
		return "the token refused the PIN's length or characters before checking it; no try was counted"
	case errors.Is(err, pkcs11.ErrPINExpired):
		return "change the PIN with your card's management software first"
	case errors.Is(err, pkcs11.ErrTokenRemoved):
		return "insert the card or token again and repeat"
	case errors.Is(err, pkcs11.ErrTokenNotFound):
		return "is the card inserted and the reader connected?"
	case errors.Is(err, pkcs11.ErrMechanism):
		return "the token cannot sign that way; RSA keys sign PKCS#1 v1.5 or PSS, EC keys ECDSA"
	case errors.As(err, new(*IncompleteChainError)):
		return "give the issuer certificates yourself (the CLI's --chain), or sign when the CA's server answers again"
	case errors.Is(err, keys.ErrNotForSigning):
		return "choose the signing certificate ('signet certs' lists each with what it is for)"
	case errors.Is(err, keys.ErrWrongPassword):
		return "check the key file's password"
	case errors.Is(err, ErrOutputExists):
		return "choose another output name, or allow overwriting"
	case errors.Is(err, remotesigning.ErrNoCredentials):
		return "store the relying party's username, password and rpCode in the OS keyring (service \"signet-remotesigning\") or set SIGNET_REMOTESIGNING_USERNAME, _PASSWORD and _RPCODE"
	case errors.Is(err, remotesigning.ErrWrongCode):
		return "check the code and try again; each wrong code counts against the agreement"
	case errors.Is(err, remotesigning.ErrBlocked):
		return "the provider unblocks the agreement after a while; or ask the provider"
	case errors.Is(err, remotesigning.ErrCodeExpired):
		return "one-time codes are valid for a few minutes; sign again and type the new code sooner"
	case errors.Is(err, remotesigning.ErrAgreement):
		return "check the agreement UUID the provider gave you"
	case errors.Is(err, remotesigning.ErrCertificate):
		return "ask the provider to renew or reissue the certificate"
	case errors.Is(err, ErrServiceSignature):
		return "nothing was written; tell the provider (or the deployment's operator): its signature is not what the certificate's key makes"
	case errors.Is(err, cmd.ErrNoCredentials):
		return "store the application id, username and password AMA gave you in the OS keyring (service \"signet-cmd\") or set SIGNET_CMD_APPLICATION_ID, _USERNAME and _PASSWORD"
	case errors.Is(err, biometrid.ErrNoCredentials):
		return "store the key and secret biometrid gave you in the OS keyring (service \"signet-biometrid\") or set SIGNET_BIOMETRID_KEY and _SECRET"
	case errors.Is(err, cmd.ErrWrongPIN):
		return "check the signature PIN of your Chave Móvel Digital (not the authentication one) and try again; Signet never sends a PIN again by itself"
	case errors.Is(err, cmd.ErrWrongOTP):
		return "sign again and type the code from the newest SMS"
	case errors.Is(err, cmd.ErrProcessGone):
		return "security codes are valid for a few minutes; sign again and type the new code sooner"
	case errors.Is(err, cmd.ErrNoCertificate), errors.Is(err, cmd.ErrInactive):
		return "activate the signature of your Chave Móvel Digital at www.autenticacao.gov.pt"
	case errors.Is(err, ErrServiceChanged):
		return "nothing was written; the service's answer is not your document signed"
	case errors.Is(err, aadhaar.ErrNoCredentials):
		return "store the client id, secret and product instance id in the OS keyring (service \"signet-aadhaar\") or set SIGNET_AADHAAR_CLIENT_ID, _CLIENT_SECRET and _PRODUCT_INSTANCE_ID"
	case errors.Is(err, aadhaar.ErrDeclined):
		return "nothing was written; ask the signer why, and make a new request when they agree"
	case errors.As(err, new(*aadhaar.SignerError)):
		return "nothing was written; the signer's details or Aadhaar must be put right before a new request"
	case errors.As(err, new(*RejectedError)):
		return "tell the provider, with the report; do not use the kept file as signed"
	case errors.Is(err, ErrAadhaarDeadline):
		return "the request stays open at the service: 'signet aadhaar status ID --wait' and 'signet aadhaar download ID' go on later"
	case errors.Is(err, certeurope.ErrNoClientCertificate):
		return "name the client certificate: the .p12 file CertEurope delivered, or its key's pkcs11: URI"
	case errors.Is(err, certeurope.ErrTLS):
		return "check the client certificate (is it the one CertEurope issued for this deployment?) and the server's CA"
	case errors.Is(err, certeurope.ErrCannotDraw):
		return "nothing was sent; change the visible signature (Latin-1 text, a larger box, an existing page)"
	case errors.Is(err, certeurope.ErrWrongOTP):
		return "sign again and type the code from the newest message"
	case errors.Is(err, eparaksts.ErrNoCredentials):
		return "store the client id and secret in the OS keyring (service \"signet-eparaksts\") or set SIGNET_EPARAKSTS_CLIENT_ID and _SECRET"
	}
	return ""
}
