package pkcs11

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"sync"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/prompt"
)

// ErrKeyClosed reports use of a [Key] after Close.
var ErrKeyClosed = errors.New("key is closed")

// Key is a private key on a token with its certificate: a [keys.Signer].
//
// Opening a key asks for nothing. The first signature logs in to the token
// (asking the token PIN, or letting a pinpad reader ask); the login lasts
// until Close. A key with CKA_ALWAYS_AUTHENTICATE, as eID signing keys
// have, also asks the signature PIN before every signature.
//
// A Key is safe for concurrent use. A PKCS#11 session makes one signature
// at a time, so concurrent signatures each take a session of their own,
// opened on demand up to the token's limit and kept until Close; the
// login is the application's, shared by all of them (PKCS#11 v2.40
// section 5.6), as are object handles. A key that asks a PIN before every
// signature signs one at a time.
type Key struct {
	cert     *Certificate
	chain    []*x509.Certificate
	prompter prompt.Prompter
	mechs    map[uint]bool

	// idle holds the sessions not signing now; capacity maxSessions.
	idle        chan *session
	maxSessions int

	mu         sync.Mutex // guards what follows; held while logging in
	opened     int        // sessions open, idle or signing
	closed     bool
	handle     p11.ObjectHandle // private key, 0 until found
	alwaysAuth bool
	// loggedIn is set once the application is known to be logged in,
	// which saves asking the token (C_GetSessionInfo) before every
	// signature. A token that loses the login answers
	// CKR_USER_NOT_LOGGED_IN, which clears it.
	loggedIn bool
}

var _ keys.Signer = (*Key)(nil)
var _ keys.Concurrent = (*Key)(nil)

// maxKeySessions bounds the sessions one key opens, whatever the token
// allows: more than the cores of a machine do not sign faster.
const maxKeySessions = 64

// OpenKey opens a session for signing with c's private key. prompter is
// asked for PINs when signing.
func OpenKey(c *Certificate, prompter prompt.Prompter) (*Key, error) {
	t := c.Token
	mechList, err := t.module.ctx.GetMechanismList(t.slotID)
	if err != nil {
		return nil, wrap("list mechanisms", t.Label, err)
	}
	mechs := make(map[uint]bool, len(mechList))
	for _, m := range mechList {
		mechs[m.Mechanism] = true
	}
	s, err := t.openSession()
	if err != nil {
		return nil, err
	}
	// eID cards carry their CA certificates; they complete the chain.
	pool, err := s.certificatePool()
	if err != nil {
		s.close()
		return nil, err
	}
	n := t.sessionRoom() + 1 // and the one just opened
	k := &Key{
		cert:        c,
		chain:       keys.BuildChain(c.Cert, pool),
		prompter:    prompter,
		mechs:       mechs,
		idle:        make(chan *session, n),
		maxSessions: n,
		opened:      1,
	}
	k.idle <- s
	return k, nil
}

// sessionRoom is how many more sessions the token takes (CK_TOKEN_INFO's
// ulMaxSessionCount less ulSessionCount), within maxKeySessions.
func (t *Token) sessionRoom() int {
	ti, err := t.module.ctx.GetTokenInfo(t.slotID)
	if err != nil {
		return 0
	}
	const unavailable = ^uint(0) // CK_UNAVAILABLE_INFORMATION
	switch {
	case ti.MaxSessionCount == 0: // CK_EFFECTIVELY_INFINITE
		return maxKeySessions - 1
	case ti.MaxSessionCount == unavailable || ti.SessionCount == unavailable:
		return 3 // unknown: a few
	case ti.SessionCount >= ti.MaxSessionCount:
		return 0
	}
	return min(int(ti.MaxSessionCount-ti.SessionCount), maxKeySessions-1)
}

// Concurrency is how many signatures the key makes at once: its sessions'
// limit, or 1 for a key that asks a PIN before every signature, or before
// the first signature, when that is not known yet.
func (k *Key) Concurrency() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.handle == 0 || k.alwaysAuth {
		return 1
	}
	return k.maxSessions
}

// AlwaysAuthenticate tells a key that asks a PIN before every signature
// (known after the first signature).
func (k *Key) AlwaysAuthenticate() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.alwaysAuth
}

// acquire takes an idle session, or opens one while the token has room,
// or waits for one.
func (k *Key) acquire(ctx context.Context) (*session, error) {
	select {
	case s := <-k.idle:
		return s, nil
	default:
	}
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return nil, ErrKeyClosed
	}
	if k.opened < k.maxSessions {
		k.opened++
		k.mu.Unlock()
		s, err := k.cert.Token.openSession()
		if err != nil {
			k.mu.Lock()
			k.opened--
			k.mu.Unlock()
			return nil, err
		}
		return s, nil
	}
	k.mu.Unlock()
	select {
	case s := <-k.idle:
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// release gives s back, or closes it when the key was closed meanwhile.
func (k *Key) release(s *session) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		s.close()
		k.opened--
		return
	}
	k.idle <- s // capacity maxSessions: never blocks
}

// Public is the certificate's public key.
func (k *Key) Public() crypto.PublicKey { return k.cert.Cert.PublicKey }

// Certificate is the signing certificate.
func (k *Key) Certificate() *x509.Certificate { return k.cert.Cert }

// Chain is the signing certificate followed by the issuers found on the
// token.
func (k *Key) Chain() []*x509.Certificate { return k.chain }

// SetChain sets the chain its signatures carry (completed beyond what the
// token holds, see flow.CompleteChain), before it signs.
func (k *Key) SetChain(chain []*x509.Certificate) { k.chain = chain }

// Info is the listing entry the key was opened from.
func (k *Key) Info() *Certificate { return k.cert }

// Sign signs digest; see [Key.SignContext].
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), digest, opts)
}

// SignContext signs digest, the hash of the data (opts.HashFunc() says
// which): RSA keys sign PKCS#1 v1.5, or RSA-PSS when opts is an
// *rsa.PSSOptions; EC keys sign ECDSA and return a DER signature.
func (k *Key) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	token := k.cert.Token.Label
	op, err := newSignOp(k.Public(), digest, opts)
	if err != nil {
		return nil, &Error{Op: "sign", Token: token, Err: err}
	}
	// Tell an unsupported mechanism before asking anybody for a PIN.
	if !k.mechs[op.mechType()] {
		return nil, &Error{Op: "sign", Token: token, Err: fmt.Errorf("%w: %s", ErrMechanism, op.name)}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := k.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer k.release(s)
	// Logging in and finding the key happen once, under the lock: the
	// other signatures wait for the PIN rather than ask it too. A key that
	// asks a PIN per signature keeps the lock to the end: one at a time.
	k.mu.Lock()
	if err := k.findPrivateKey(ctx, s); err != nil {
		k.mu.Unlock()
		return nil, err
	}
	handle, alwaysAuth := k.handle, k.alwaysAuth
	if alwaysAuth {
		defer k.mu.Unlock()
	} else {
		k.mu.Unlock()
	}
	c := s.ctx()
	if err := c.SignInit(s.handle, []*p11.Mechanism{op.mech}, handle); err != nil {
		return nil, k.cert.Token.failure("start "+op.name+" signature", err)
	}
	if alwaysAuth {
		if err := s.login(ctx, p11.CKU_CONTEXT_SPECIFIC, k.prompter, k.name(), k.cert.Cert); err != nil {
			abortSign(s, op.input)
			return nil, err
		}
	}
	sig, err := c.Sign(s.handle, op.input)
	if err != nil {
		if isCode(err, p11.CKR_USER_NOT_LOGGED_IN) && !alwaysAuth {
			k.mu.Lock()
			k.loggedIn = false // the next signature logs in again
			k.mu.Unlock()
		}
		return nil, k.cert.Token.failure(op.name+" signature", err)
	}
	if op.ecdsaSize > 0 {
		return ecdsaDER(sig, op.ecdsaSize)
	}
	return sig, nil
}

// abortSign ends the signing operation that SignInit started. PKCS#11 v2.40
// has no C_SignCancel, but a C_Sign that fails (here: not authorized) ends
// the operation (section 5.12), leaving the session ready for the next one.
func abortSign(s *session, input []byte) {
	_, _ = s.ctx().Sign(s.handle, input)
}

// findPrivateKey logs in if the token wants it and finds the private key
// with the certificate's CKA_ID, through session s. Called with k.mu held.
func (k *Key) findPrivateKey(ctx context.Context, s *session) error {
	if k.closed {
		return ErrKeyClosed
	}
	t := k.cert.Token
	if t.Flags.LoginRequired && !k.loggedIn {
		if !s.loggedIn() {
			if err := s.login(ctx, p11.CKU_USER, k.prompter, k.name(), k.cert.Cert); err != nil {
				return err
			}
		}
		k.loggedIn = true
	}
	if k.handle != 0 {
		return nil
	}
	if len(k.cert.ID) == 0 {
		return &Error{Op: "find private key", Token: t.Label, Err: fmt.Errorf("%w: certificate %q has no CKA_ID to pair it with a key", ErrKeyNotFound, k.cert.Label)}
	}
	handles, err := s.find([]*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_ID, k.cert.ID),
	})
	if err != nil {
		return err
	}
	switch len(handles) {
	case 0:
		return &Error{Op: "find private key", Token: t.Label, Err: fmt.Errorf("%w: no private key for certificate %q", ErrKeyNotFound, k.cert.Label)}
	case 1:
	default:
		return &Error{Op: "find private key", Token: t.Label, Err: fmt.Errorf("%w: %d private keys share the id of certificate %q", ErrAmbiguous, len(handles), k.cert.Label)}
	}
	a, err := s.attrs(handles[0], p11.CKA_SIGN, p11.CKA_ALWAYS_AUTHENTICATE)
	if err != nil {
		return err
	}
	if v, ok := a[p11.CKA_SIGN]; ok && !boolAttr(v) {
		return &Error{Op: "find private key", Token: t.Label, Err: ErrKeyCannotSign}
	}
	k.handle = handles[0]
	k.alwaysAuth = boolAttr(a[p11.CKA_ALWAYS_AUTHENTICATE])
	return nil
}

// name is how prompts name the key: the certificate's common name, or its
// label.
func (k *Key) name() string {
	if cn := k.cert.Cert.Subject.CommonName; cn != "" {
		return cn
	}
	return k.cert.Label
}

// Close closes the key's sessions (those signing now, when they finish).
// When they are the application's last sessions with the token, the token
// logs out.
func (k *Key) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	for {
		select {
		case s := <-k.idle:
			s.close()
			k.opened--
		default:
			return nil
		}
	}
}
