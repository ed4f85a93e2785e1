package keys

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/digitorus/pkcs7"
)

// maxIssuerSize bounds a fetched issuer certificate (or PKCS#7 bundle).
const maxIssuerSize = 1 << 20

// FetchIssuers completes cert's chain from its Authority Information
// Access (caIssuers URLs, RFC 5280 §4.2.2.1): each issuer is fetched and
// checked to have signed the certificate below it, up to a self-signed
// root or maxChain certificates. It returns the issuers found (not cert);
// an issuer that cannot be fetched ends the walk with an error beside
// what was found. client nil uses a 20 s timeout.
func FetchIssuers(ctx context.Context, cert *x509.Certificate, client *http.Client) ([]*x509.Certificate, error) {
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	var out []*x509.Certificate
	for cur := cert; len(out) < maxChain-1; {
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) && cur.CheckSignatureFrom(cur) == nil {
			return out, nil // reached a root
		}
		if len(cur.IssuingCertificateURL) == 0 {
			return out, nil
		}
		issuer, err := fetchIssuer(ctx, client, cur)
		if err != nil {
			return out, err
		}
		out = append(out, issuer)
		cur = issuer
	}
	return out, nil
}

// fetchIssuer tries each caIssuers URL of c until one gives its issuer.
func fetchIssuer(ctx context.Context, client *http.Client, c *x509.Certificate) (*x509.Certificate, error) {
	var errs []error
	for _, url := range c.IssuingCertificateURL {
		certs, err := fetchCertificates(ctx, client, url)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, candidate := range certs {
			if bytes.Equal(candidate.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(candidate) == nil {
				return candidate, nil
			}
		}
		errs = append(errs, fmt.Errorf("%s holds no certificate that issued %q", url, c.Subject.CommonName))
	}
	return nil, fmt.Errorf("fetch the issuer of %q: %w", c.Subject.CommonName, errors.Join(errs...))
}

// fetchCertificates reads DER, PEM or a PKCS#7 certs-only bundle (.p7c),
// the forms CAs publish.
func fetchCertificates(ctx context.Context, client *http.Client, url string) ([]*x509.Certificate, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxIssuerSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxIssuerSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", url, maxIssuerSize)
	}
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	}
	if c, err := x509.ParseCertificate(data); err == nil {
		return []*x509.Certificate{c}, nil
	}
	p7, err := pkcs7.Parse(data)
	if err != nil || len(p7.Certificates) == 0 {
		return nil, fmt.Errorf("%s: neither a certificate nor a PKCS#7 bundle", url)
	}
	return p7.Certificates, nil
}
