package cli

import (
	"errors"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/remotesigning"
)

// hint says what a person can do about err, or "" when the error says it
// all. The first matching case wins, so specific errors come first.
func hint(err error) string {
	var pinErr *pkcs11.PINError
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return "see 'signet --help' or 'signet <command> --help'"
	case errors.Is(err, prompt.ErrCancelled):
		return ""
	case errors.Is(err, pkcs11.ErrPINLocked):
		return "the PIN is blocked; unblock it with the PUK in your card's management software, or ask the card issuer"
	case errors.As(err, &pinErr) && pinErr.Status.FinalTry:
		return "one more wrong PIN locks it: make sure of the PIN before trying again"
	case errors.As(err, &pinErr):
		return "check the PIN and run the command again; Signet never retries a PIN by itself"
	case errors.Is(err, pkcs11.ErrPINFormat):
		return "the token refused the PIN's length or characters before checking it; no try was counted"
	case errors.Is(err, pkcs11.ErrPINExpired):
		return "change the PIN with your card's management software first"
	case errors.Is(err, pkcs11.ErrTokenRemoved):
		return "insert the card or token again and repeat the command"
	case errors.Is(err, pkcs11.ErrTokenNotFound):
		return "'signet tokens' lists the tokens present; is the card inserted and the reader connected?"
	case errors.Is(err, pkcs11.ErrAmbiguous):
		return "'signet certs' prints a URI for each certificate that selects it alone"
	case errors.Is(err, pkcs11.ErrKeyNotFound):
		return "'signet certs' lists the certificates and the URIs that select them"
	case errors.Is(err, pkcs11.ErrBadURI):
		return "a key URI looks like pkcs11:token=…;object=…;id=…; 'signet certs' prints them"
	case errors.Is(err, pkcs11.ErrMechanism):
		return "the token cannot sign that way; RSA keys sign PKCS#1 v1.5 without --pss, EC keys ECDSA"
	case errors.Is(err, pkcs11.ErrModule):
		return "name a PKCS#11 module with --module PATH, or list it under pkcs11_modules in the settings file"
	case errors.Is(err, keys.ErrWrongPassword):
		return "check the key file's password"
	case errors.Is(err, remotesigning.ErrNoCredentials):
		return "set SIGNET_REMOTESIGNING_USERNAME, _PASSWORD and _RPCODE, or store them in the OS keyring under service \"signet-remotesigning\""
	case errors.Is(err, remotesigning.ErrWrongCode):
		return "check the code and run the command again; each wrong code counts against the agreement"
	case errors.Is(err, remotesigning.ErrBlocked):
		return "the provider unblocks the agreement after a while; or ask the provider"
	case errors.Is(err, remotesigning.ErrCodeExpired):
		return "one-time codes are valid for a few minutes; sign again and type the new code sooner"
	case errors.Is(err, remotesigning.ErrAgreement):
		return "check --agreement; 'signet remotesigning cert --agreement UUID' shows whether the service knows it"
	case errors.Is(err, remotesigning.ErrCertificate):
		return "ask the provider to renew or reissue the certificate"
	case errors.Is(err, flow.ErrServiceSignature):
		return "nothing was written; tell the provider (or the deployment's operator): its signature is not what the certificate's key makes"
	case errors.Is(err, flow.ErrKeyRef):
		return "'signet certs' prints the URIs of token keys"
	}
	return ""
}
