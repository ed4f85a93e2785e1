package cli

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"

	"github.com/signet-sign/signet/remote"
)

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
		return nil, usageError{fmt.Errorf("--ca-file %s holds no PEM certificate", caFile)}
	}
	hc.Transport = &http.Transport{Proxy: http.ProxyFromEnvironment,
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return hc, nil
}
