package cli

import (
	"crypto/x509"
	"fmt"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/keys"
)

// requireChainHelp is --require-chain's help, the same for every command
// that signs.
const requireChainHelp = "refuse to sign when the certificate chain cannot be completed up to a root; without it Signet signs with the chain as far as it goes and warns"

// chainHelp says, in the --help of commands that sign, where the chain
// embedded in a signature comes from. The timeout and the cache are
// Signet's assumptions (RFC 5280 sets neither).
var chainHelp = fmt.Sprintf(`Certificate chains: a signature carries the signer's certificate and its
issuers up to (not including) the root. Issuers the key source does not
hold (many eID cards carry the signer's certificate only) are taken from
the --trust roots, the system's roots, the issuer cache
(%s) and last from the certificate's caIssuers URL
(DER, PEM or PKCS#7, at most 1 MB, %v a URL), and kept in the cache so that the
next signing needs no network. When the chain stays incomplete Signet says
which certificate and URL before signing and signs; --require-chain refuses.`, cacheDirForHelp(), keys.IssuerTimeout)

func cacheDirForHelp() string {
	if d := keys.IssuerCacheDir(); d != "" {
		return d
	}
	return "the user's cache directory" // i18n:skip: reference text (--help)
}

// chainOptions completes chains with anchors and the person's issuer
// cache; an incomplete chain is warned about on stderr with hint, or with
// require refused.
func (a *app) chainOptions(anchors []*x509.Certificate, require bool, hint string) flow.ChainOptions {
	o := flow.DefaultChainOptions(anchors)
	o.Require = require
	o.Warn = func(err error) {
		fmt.Fprintln(a.stderr, i18n.T("cli.chain.warning", map[string]any{"Error": escape.Text(i18n.Line(err))}))
		fmt.Fprintln(a.stderr, i18n.T("cli.hint", map[string]any{"Hint": hint}))
	}
	return o
}
