package cli

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"

	"github.com/zalando/go-keyring"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/remote"
)

// credential names one of a service's credentials: an environment
// variable, and the account under which the OS keyring keeps it.
type credential struct{ env, account string }

// serviceCredentials reads a service's credentials, each from its
// environment variable or else from the OS keyring (service keyring).
// ok is false when one is missing.
func serviceCredentials(keyringService string, creds ...credential) (values []string, ok bool) {
	values = make([]string, len(creds))
	ok = true
	for i, c := range creds {
		if values[i] = os.Getenv(c.env); values[i] == "" {
			values[i], _ = keyring.Get(keyringService, c.account)
		}
		ok = ok && values[i] != ""
	}
	return values, ok
}

// serviceHTTPClient is the HTTP client for a remote service: the default
// timeout, and TLS that also trusts the CA in caFile when one is named
// (a test deployment's private CA). Certificates are always verified.
func serviceHTTPClient(caFile string) (*http.Client, error) {
	hc := &http.Client{Timeout: remote.DefaultTimeout}
	if caFile == "" {
		return hc, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, usageError{fmt.Errorf("--ca-file: %w", err)}
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usageError{i18n.Errorf("cli.ca_file_empty", map[string]any{"File": caFile})}
	}
	hc.Transport = &http.Transport{Proxy: http.ProxyFromEnvironment,
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return hc, nil
}
