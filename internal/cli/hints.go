package cli

import (
	"errors"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/remote/remotesigning"
)

// hint says what a person can do about err on the command line, or ""
// when the error says it all: command-line matters first, then the hints
// every front end shares ([flow.Hint]).
// errUnquotedURI: a PKCS#11 URI given without quotes, which the shell
// may have cut at its ';'.
var errUnquotedURI = i18n.Errorf("cli.unquoted_uri", nil)

func hint(err error) string {
	var ue usageError
	switch {
	case errors.Is(err, errUnquotedURI):
		return i18n.T("hint.cli.quote_uri")
	case errors.As(err, &ue):
		return i18n.T("hint.cli.usage")
	case errors.Is(err, flow.ErrNoReader):
		return flow.Hint(err)
	case errors.Is(err, pkcs11.ErrTokenNotFound):
		return i18n.T("hint.cli.token_not_found")
	case errors.Is(err, pkcs11.ErrAmbiguous):
		return i18n.T("hint.cli.ambiguous")
	case errors.Is(err, pkcs11.ErrKeyNotFound):
		return i18n.T("hint.cli.key_not_found")
	case errors.Is(err, pkcs11.ErrBadURI):
		return i18n.T("hint.cli.bad_uri")
	case errors.Is(err, pkcs11.ErrMechanism):
		return i18n.T("hint.cli.mechanism")
	case errors.Is(err, pkcs11.ErrModule):
		return i18n.T("hint.cli.module")
	case errors.Is(err, remotesigning.ErrAgreement):
		return i18n.T("hint.cli.agreement")
	case errors.Is(err, flow.ErrKeyRef):
		return i18n.T("hint.cli.key_ref")
	case errors.Is(err, flow.ErrOutputExists):
		return i18n.T("hint.cli.output_exists")
	}
	return flow.Hint(err)
}
