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
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/digitorus/pkcs7"

	"github.com/signet-sign/signet/internal/atomicfile"
)

// maxIssuerSize bounds a fetched issuer certificate (or PKCS#7 bundle).
const maxIssuerSize = 1 << 20

// IssuerTimeout bounds fetching one caIssuers URL. An assumption (RFC
// 5280 gives none): a CA's web server answers within seconds or is down.
const IssuerTimeout = 10 * time.Second

// Bounds on what a certificate can make Signet fetch (it may come from a
// stranger's document): the first maxIssuerURLs caIssuers URLs of a
// certificate are tried, each URL once per ChainSource, and one chain's
// fetching ends after completeBudget.
const (
	maxIssuerURLs  = 2
	completeBudget = 3 * IssuerTimeout
)

// Bounds on the issuer cache: a CA certificate is a few kilobytes, so a
// larger one is not kept; at most maxCachedPerIssuer certificates are read
// for one issuer name and key identifier, and nothing is added once the
// cache holds maxCacheFiles.
const (
	maxCachedCert      = 16 << 10
	maxCachedPerIssuer = 16
	maxCacheFiles      = 1000
)

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

	// fetched remembers each URL's answer (certificates, or why there
	// were none), so that a document of many signatures by one
	// unreachable issuer waits for it once. Made at first use: a
	// ChainSource serves one goroutine at a time (the agent completes each
	// request's chain with a copy).
	fetched map[string]fetchResult
}

type fetchResult struct {
	certs []*x509.Certificate
	err   error
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

// issuerClient fetches caIssuers URLs: within IssuerTimeout, and never
// from link-local, multicast or unspecified addresses (a cloud machine's
// metadata service answers at 169.254.169.254; a certificate in a
// stranger's document must not make Signet ask it). Loopback and private
// addresses stay allowed: enterprise CAs publish there.
var issuerClient = &http.Client{
	Timeout: IssuerTimeout,
	Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{Timeout: IssuerTimeout, Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
				return fmt.Errorf("caIssuers URLs are not fetched from %s", ip)
			}
			return nil
		}}).DialContext,
		TLSHandshakeTimeout:   IssuerTimeout,
		ResponseHeaderTimeout: IssuerTimeout,
	},
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
func (s *ChainSource) Complete(ctx context.Context, leaf *x509.Certificate, have []*x509.Certificate) ([]*x509.Certificate, error) {
	ctx, cancel := context.WithTimeout(ctx, completeBudget)
	defer cancel()
	pool := append(append([]*x509.Certificate(nil), have...), s.Anchors...)
	chain := BuildChain(leaf, pool)
	for {
		if len(chain) >= maxChain {
			last := chain[len(chain)-1]
			return chain, &IncompleteChainError{Below: last.Subject.CommonName, Issuer: last.Issuer.String(),
				Err: fmt.Errorf("no root within %d certificates", maxChain)}
		}
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
		if signedByOneOf(last, chain[:len(chain)-1]) {
			return chain, &IncompleteChainError{Below: last.Subject.CommonName, Issuer: last.Issuer.String(),
				Err: errors.New("its issuers certify each other in a loop that reaches no root")}
		}
		if last.IsCA && len(last.IssuingCertificateURL) == 0 && len(chain) > 1 {
			return chain, nil
		}
		issuer, err := s.Issuer(ctx, last)
		if err != nil || issuer == nil {
			return chain, &IncompleteChainError{Below: last.Subject.CommonName, Issuer: last.Issuer.String(), URLs: last.IssuingCertificateURL, Err: err}
		}
		if inChain(chain, issuer) {
			return chain, &IncompleteChainError{Below: last.Subject.CommonName, Issuer: last.Issuer.String(),
				Err: errors.New("its issuers certify each other in a loop that reaches no root")}
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
}

// Issuers returns what the source finds above cert beyond pool, for a
// verifier completing a chain a signature did not carry whole: the
// intermediates from the cache and caIssuers URLs. Roots are not among
// them: the verifier's own trust anchors decide where a chain may end.
func (s *ChainSource) Issuers(ctx context.Context, cert *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	chain, _ := s.Complete(ctx, cert, pool)
	var out []*x509.Certificate
	for _, c := range chain[1:] {
		if !inChain(pool, c) {
			out = append(out, c)
		}
	}
	return out
}

// signedByOneOf tells whether one of certs issued c.
func signedByOneOf(c *x509.Certificate, certs []*x509.Certificate) bool {
	for _, x := range certs {
		if bytes.Equal(x.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(x) == nil {
			return true
		}
	}
	return false
}

// selfSigned tells whether c signed itself. CheckSignature, not
// CheckSignatureFrom: the latter wants the signer to be a CA, and a
// self-signed end-entity certificate (a seal's, a test's) is its own
// issuer all the same.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// issuedByAnchor tells whether a trust anchor (the person's, the
// system's) signed c.
func (s *ChainSource) issuedByAnchor(c *x509.Certificate) bool {
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
func (s *ChainSource) Issuer(ctx context.Context, c *x509.Certificate) (*x509.Certificate, error) {
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
		client = issuerClient
	}
	if s.fetched == nil {
		s.fetched = map[string]fetchResult{}
	}
	issuer, err := s.fetchIssuer(ctx, client, c)
	if err != nil {
		return nil, err
	}
	s.store(c, issuer)
	return issuer, nil
}

// cachePrefix names the cache files of c's issuer: by c's issuer name and
// authority key identifier, which name the issuer whatever URL it came
// from; each certificate has a file of its own, named after its hash too,
// so that no certificate stored can push another out.
func (s *ChainSource) cachePrefix(c *x509.Certificate) string {
	h := sha256.New()
	h.Write(c.RawIssuer)
	h.Write([]byte{0})
	h.Write(c.AuthorityKeyId)
	return filepath.Join(s.CacheDir, hex.EncodeToString(h.Sum(nil)[:20]))
}

// cached returns c's issuer from the cache: a certificate there counts
// only when it is valid now and its signature on c verifies, so a damaged,
// planted or expired one gives nothing (an expired intermediate is fetched
// again: its CA publishes the renewed one at the same URL).
func (s *ChainSource) cached(c *x509.Certificate) *x509.Certificate {
	if s.CacheDir == "" {
		return nil
	}
	files, _ := filepath.Glob(s.cachePrefix(c) + "-*.pem")
	if len(files) > maxCachedPerIssuer {
		files = files[:maxCachedPerIssuer]
	}
	now := time.Now()
	for _, f := range files {
		for _, candidate := range readPEMFile(f) {
			if now.Before(candidate.NotBefore) || now.After(candidate.NotAfter) {
				continue
			}
			if bytes.Equal(candidate.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(candidate) == nil {
				return candidate
			}
		}
	}
	return nil
}

// store adds issuer to the cache, unless it is larger than a CA
// certificate is or the cache is full. Failing to is no error: the
// signature is made all the same, only the next one goes online again.
func (s *ChainSource) store(c, issuer *x509.Certificate) {
	if s.CacheDir == "" || len(issuer.Raw) > maxCachedCert {
		return
	}
	if err := os.MkdirAll(s.CacheDir, 0o700); err != nil {
		return
	}
	if entries, err := os.ReadDir(s.CacheDir); err != nil || len(entries) >= maxCacheFiles {
		return
	}
	sum := sha256.Sum256(issuer.Raw)
	file := s.cachePrefix(c) + "-" + hex.EncodeToString(sum[:8]) + ".pem"
	if _, err := os.Stat(file); err == nil {
		return
	}
	_ = atomicfile.Write(file, func(w io.Writer) error {
		return pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: issuer.Raw})
	})
}

// readPEMFile reads the certificates of a cache file; nothing when it is
// missing or larger than a cached certificate can be.
func readPEMFile(name string) []*x509.Certificate {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	const limit = 2 * maxCachedCert // PEM's base64 and lines
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || len(data) > limit {
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

// fetchIssuer tries the first maxIssuerURLs caIssuers URLs of c until
// one gives its issuer; each URL is fetched once per source.
func (s *ChainSource) fetchIssuer(ctx context.Context, client *http.Client, c *x509.Certificate) (*x509.Certificate, error) {
	var errs []error
	urls := c.IssuingCertificateURL
	if len(urls) > maxIssuerURLs {
		urls = urls[:maxIssuerURLs]
	}
	for _, url := range urls {
		r, ok := s.fetched[url]
		if !ok {
			r.certs, r.err = fetchCertificates(ctx, client, url)
			s.fetched[url] = r
		}
		certs, err := r.certs, r.err
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
