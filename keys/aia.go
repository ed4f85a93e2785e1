package keys

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/digitorus/pkcs7"

	"github.com/signet-sign/signet/internal/atomicfile"
)

// maxIssuerSize bounds a fetched issuer certificate (or PKCS#7 bundle),
// and a file of the issuer cache.
const maxIssuerSize = 1 << 20

// IssuerTimeout bounds fetching one caIssuers URL. An assumption (RFC
// 5280 gives none): a CA's web server answers within seconds or is down.
const IssuerTimeout = 10 * time.Second

// ChainSource completes certificate chains: a certificate's issuer is
// taken from the certificates at hand (a token's, a signature's), the
// person's trust anchors and the system's roots, the issuer cache, and
// last from the certificate's Authority Information Access caIssuers URLs
// (RFC 5280 section 4.2.2.1), each fetched issuer being checked to have
// signed the certificate below it. What is fetched is kept in the cache,
// so that the next signing or verification needs no network.
type ChainSource struct {
	// Anchors are trust anchors besides the system's roots (--trust).
	Anchors []*x509.Certificate
	// CacheDir keeps fetched issuers, one file per issuer name and key
	// identifier; "" keeps nothing. [IssuerCacheDir] is the person's.
	CacheDir string
	// Offline takes issuers from the cache only, never from the network.
	Offline bool
	// Client fetches caIssuers URLs; nil uses one with [IssuerTimeout].
	Client *http.Client
}

// IssuerCacheDir is where Signet keeps the issuer certificates it
// fetched: "signet/issuers" in the user's cache directory
// ($XDG_CACHE_HOME, ~/.cache), "" when there is none.
func IssuerCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "signet", "issuers")
}

// IncompleteChainError: a chain stops below a root because an issuer
// could not be had. A signature is still made with it, but validators
// that do not know the missing issuer cannot build a path to a trusted
// root.
type IncompleteChainError struct {
	Below  string   // the last certificate of the chain (common name)
	Issuer string   // the issuer that is missing (distinguished name)
	URLs   []string // caIssuers URLs tried, none when it names none
	Err    error    // why fetching failed, nil when there was no URL
}

func (e *IncompleteChainError) Error() string {
	if len(e.URLs) == 0 {
		return fmt.Sprintf("the certificate chain is incomplete: %q names no URL for its issuer %q", e.Below, e.Issuer)
	}
	return fmt.Sprintf("the certificate chain is incomplete: the issuer of %q (%s) could not be fetched from %s: %v", e.Below, e.Issuer, strings.Join(e.URLs, ", "), e.Err)
}

func (e *IncompleteChainError) Unwrap() error { return e.Err }

// Complete returns leaf's chain as a signature should carry it: leaf
// first, then each issuer up to, not including, the root (validators
// have the root; RFC 5652 lets a signer leave it out). have are the
// certificates at hand. When an issuer cannot be found the chain returned
// stops there, with an [*IncompleteChainError].
//
// A CA certificate whose issuer is not at hand and that names no
// caIssuers URL is taken to be issued by a root: CAs name the URL in what
// they issue below an intermediate, and a root is the validator's to have.
func (s ChainSource) Complete(ctx context.Context, leaf *x509.Certificate, have []*x509.Certificate) ([]*x509.Certificate, error) {
	pool := append(append([]*x509.Certificate(nil), have...), s.Anchors...)
	chain := BuildChain(leaf, pool)
	for len(chain) < maxChain {
		last := chain[len(chain)-1]
		if selfSigned(last) {
			if len(chain) > 1 {
				chain = chain[:len(chain)-1] // the root
			}
			return chain, nil
		}
		if s.issuedByAnchor(last) {
			return chain, nil
		}
		if last.IsCA && len(last.IssuingCertificateURL) == 0 && len(chain) > 1 {
			return chain, nil
		}
		issuer, err := s.Issuer(ctx, last)
		if err != nil || issuer == nil {
			return chain, &IncompleteChainError{Below: last.Subject.CommonName, Issuer: last.Issuer.String(), URLs: last.IssuingCertificateURL, Err: err}
		}
		if inChain(chain, issuer) {
			return chain, nil
		}
		chain = append(chain, issuer)
		// What is at hand may continue from the issuer fetched.
		if more := BuildChain(issuer, pool)[1:]; len(more) > 0 {
			for _, c := range more {
				if inChain(chain, c) {
					break
				}
				chain = append(chain, c)
			}
		}
	}
	return chain, nil
}

// Issuers returns what the source finds above cert beyond pool, for a
// verifier completing a chain a signature did not carry whole: the
// intermediates from the cache and caIssuers URLs. Roots are not among
// them: the verifier's own trust anchors decide where a chain may end.
func (s ChainSource) Issuers(ctx context.Context, cert *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	chain, _ := s.Complete(ctx, cert, pool)
	var out []*x509.Certificate
	for _, c := range chain[1:] {
		if !inChain(pool, c) {
			out = append(out, c)
		}
	}
	return out
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// issuedByAnchor tells whether a trust anchor (the person's, the
// system's) signed c.
func (s ChainSource) issuedByAnchor(c *x509.Certificate) bool {
	for _, a := range append(systemIssuers(c), s.Anchors...) {
		if bytes.Equal(a.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(a) == nil {
			return true
		}
	}
	return false
}

// Issuer finds the certificate that signed c: in the cache, else (unless
// Offline) at its caIssuers URLs, storing what it fetched. It returns
// nil, nil when c names no URL and the cache has nothing.
func (s ChainSource) Issuer(ctx context.Context, c *x509.Certificate) (*x509.Certificate, error) {
	if issuer := s.cached(c); issuer != nil {
		return issuer, nil
	}
	if len(c.IssuingCertificateURL) == 0 {
		return nil, nil
	}
	if s.Offline {
		return nil, errors.New("not in the issuer cache, and going online is not allowed")
	}
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: IssuerTimeout}
	}
	issuer, err := fetchIssuer(ctx, client, c)
	if err != nil {
		return nil, err
	}
	s.store(c, issuer)
	return issuer, nil
}

// cacheFile names the cache file of c's issuer: by c's issuer name and
// authority key identifier, which name the issuer whatever URL it came
// from.
func (s ChainSource) cacheFile(c *x509.Certificate) string {
	h := sha256.New()
	h.Write(c.RawIssuer)
	h.Write([]byte{0})
	h.Write(c.AuthorityKeyId)
	return filepath.Join(s.CacheDir, hex.EncodeToString(h.Sum(nil)[:20])+".pem")
}

// cached returns c's issuer from the cache: a certificate there counts
// only when its signature on c verifies, so a damaged or planted file
// gives nothing.
func (s ChainSource) cached(c *x509.Certificate) *x509.Certificate {
	if s.CacheDir == "" {
		return nil
	}
	for _, candidate := range readPEMFile(s.cacheFile(c)) {
		if bytes.Equal(candidate.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(candidate) == nil {
			return candidate
		}
	}
	return nil
}

// store adds issuer to the cache. Failing to is no error: the signature
// is made all the same, only the next one goes online again.
func (s ChainSource) store(c, issuer *x509.Certificate) {
	if s.CacheDir == "" {
		return
	}
	if err := os.MkdirAll(s.CacheDir, 0o700); err != nil {
		return
	}
	file := s.cacheFile(c)
	var buf bytes.Buffer
	for _, old := range readPEMFile(file) {
		if old.Equal(issuer) {
			return
		}
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: old.Raw})
	}
	pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: issuer.Raw})
	_ = atomicfile.Write(file, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// readPEMFile reads the certificates of a PEM file of at most
// maxIssuerSize bytes; nothing when it is missing or larger.
func readPEMFile(name string) []*x509.Certificate {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxIssuerSize+1))
	if err != nil || len(data) > maxIssuerSize {
		return nil
	}
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return out
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil && block.Type == "CERTIFICATE" {
			out = append(out, c)
		}
	}
}

// FetchIssuers completes cert's chain from its caIssuers URLs alone, with
// no cache: the issuers found above cert (a root included), up to a
// self-signed root or maxChain certificates; an issuer that cannot be
// fetched ends the walk with an error beside what was found. client nil
// uses [IssuerTimeout].
func FetchIssuers(ctx context.Context, cert *x509.Certificate, client *http.Client) ([]*x509.Certificate, error) {
	s := ChainSource{Client: client}
	var out []*x509.Certificate
	for cur := cert; len(out) < maxChain-1; {
		if selfSigned(cur) || len(cur.IssuingCertificateURL) == 0 {
			return out, nil
		}
		issuer, err := s.Issuer(ctx, cur)
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
// the forms CAs publish. Only http and https URLs are followed.
func fetchCertificates(ctx context.Context, client *http.Client, url string) ([]*x509.Certificate, error) {
	if lower := strings.ToLower(url); !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return nil, fmt.Errorf("%s: only http and https URLs are fetched", url)
	}
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
