package cli

import (
	"errors"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/remote/remotesigning"
)

// hint says what a person can do about err on the command line, or ""
// when the error says it all: command-line matters first, then the hints
// every front end shares ([flow.Hint]).
func hint(err error) string {
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return "see 'signet --help' or 'signet <command> --help'"
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
	case errors.Is(err, remotesigning.ErrAgreement):
		return "check --agreement; 'signet remotesigning cert --agreement UUID' shows whether the service knows it"
	case errors.Is(err, flow.ErrKeyRef):
		return "'signet certs' prints the URIs of token keys"
	case errors.Is(err, flow.ErrOutputExists):
		return "name another output with -o or --out-dir, or add --force to replace it"
	}
	return flow.Hint(err)
}
