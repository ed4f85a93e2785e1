// Package remote holds what every signing-service client in the packages
// below it shares: which base URLs are acceptable and the default HTTP
// client. Each service has its own package (eparaksts, remotesigning, …).
package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// DefaultTimeout bounds a whole request (connect, TLS, body) when the
// caller gives no HTTP client of its own.
const DefaultTimeout = 60 * time.Second

// ParseURL checks a service's base URL: https, or plain http for a
// loopback address only (a local test service). name says which URL it is
// in the error, e.g. "eParaksts API".
func ParseURL(name, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%s URL %q is not a URL", name, raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("%s URL %q: plain http is allowed for loopback addresses only", name, raw)
		}
	default:
		return nil, fmt.Errorf("%s URL %q must be https", name, raw)
	}
	return u, nil
}

// HTTPClient returns hc, or a client with DefaultTimeout when hc is nil.
// TLS is always verified: callers add CAs, never skip verification.
func HTTPClient(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return &http.Client{Timeout: DefaultTimeout}
}

// Reason says why a request to a service got no answer, in words a
// person reads after the service's name and URL: Go's *url.Error repeats
// the method and the URL ("Post \"https://…\": dial tcp …"), which the
// message around it says already.
func Reason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing answers there (connection refused)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		// Before the name's case: a name server that does not answer
		// (an offline machine) is a timeout, not a wrong name.
		return "no answer in time"
	case errors.As(err, &dns):
		return fmt.Sprintf("the name %s does not resolve (%s)", dns.Name, dns.Err)
	case errors.As(err, &cert):
		return fmt.Sprintf("its TLS certificate is not trusted: %v", cert.Err)
	}
	return err.Error()
}
