package pdf

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/signet-sign/signet/i18n"

	"github.com/digitorus/timestamp"

	"github.com/signet-sign/signet/internal/redact"
	"github.com/signet-sign/signet/remote"
)

// TSAClient asks an RFC 3161 timestamp authority over HTTP (RFC 3161
// section 3.4) for signature timestamps.
type TSAClient struct {
	URL string
	// HTTPClient defaults to a client with a 30 s timeout. TLS is verified
	// as net/http does; there is no switch to turn that off.
	HTTPClient *http.Client

	mu      sync.Mutex
	maxSize int // largest token seen, for the placeholder
}

// ErrTSA reports a timestamp authority that failed or answered wrongly.
var ErrTSA = i18n.Errorf("err.tsa", nil)

// tsaError is a Timestamper's error as ErrTSA: a TSAClient's is one
// already (and says so once, not twice); another Timestamper's is
// wrapped. A cancelled context stays what it is.
func tsaError(err error) error {
	if errors.Is(err, ErrTSA) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrTSA, err)
}

// Timestamp requests a token for digest and checks that the answer is for
// this digest and this request (nonce), and is signed with the TSA
// certificate it carries.
func (c *TSAClient) Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	req, err := (&timestamp.Request{HashAlgorithm: h, HashedMessage: digest, Nonce: nonce, Certificates: true}).Marshal()
	if err != nil {
		return nil, err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrTSA, redact.URL(c.URL), err)
	}
	httpReq.Header.Set("Content-Type", "application/timestamp-query")
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(httpReq)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrTSA, redact.URL(c.URL), remote.Reason(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrTSA, redact.URL(c.URL), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w %s: HTTP %s", ErrTSA, redact.URL(c.URL), resp.Status)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrTSA, redact.URL(c.URL), err)
	}
	switch {
	case ts.HashAlgorithm != h || !bytes.Equal(ts.HashedMessage, digest):
		return nil, fmt.Errorf("%w %s: the token is for another digest", ErrTSA, redact.URL(c.URL))
	case ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0:
		return nil, fmt.Errorf("%w %s: the token does not answer this request (nonce)", ErrTSA, redact.URL(c.URL))
	case len(ts.Certificates) == 0:
		// ParseResponse checks the token's signature only when the TSA
		// certificate is embedded; we asked for it.
		return nil, fmt.Errorf("%w %s: the token carries no TSA certificate", ErrTSA, redact.URL(c.URL))
	}
	c.mu.Lock()
	c.maxSize = max(c.maxSize, len(ts.RawToken))
	c.mu.Unlock()
	return ts.RawToken, nil
}

// MaxTokenSize asks for one token the first time, and bounds later tokens
// by the largest seen plus room for longer serial numbers and times.
func (c *TSAClient) MaxTokenSize(ctx context.Context) (int, error) {
	c.mu.Lock()
	size := c.maxSize
	c.mu.Unlock()
	if size == 0 {
		probe := make([]byte, 64)
		if _, err := c.Timestamp(ctx, probe, crypto.SHA512); err != nil {
			return 0, err
		}
		c.mu.Lock()
		size = c.maxSize
		c.mu.Unlock()
	}
	return size + 256, nil
}
