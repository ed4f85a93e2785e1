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
// A Key is safe for concurrent use; signatures are made one at a time, as a
// PKCS#11 session allows only one operation at once.
type Key struct {
	cert     *Certificate
	chain    []*x509.Certificate
	prompter prompt.Prompter
	mechs    map[uint]bool

	mu         sync.Mutex
	sess       *session         // nil after Close
	handle     p11.ObjectHandle // private key, 0 until found
	alwaysAuth bool
	// loggedIn is set once the session is known to be logged in, which
	// saves asking the token (C_GetSessionInfo) before every signature.
	// A token that loses the login answers CKR_USER_NOT_LOGGED_IN, which
	// clears it.
	loggedIn bool
}

var _ keys.Signer = (*Key)(nil)

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
	return &Key{
		cert:     c,
		chain:    keys.BuildChain(c.Cert, pool),
		prompter: prompter,
		mechs:    mechs,
		sess:     s,
	}, nil
}

// Public is the certificate's public key.
func (k *Key) Public() crypto.PublicKey { return k.cert.Cert.PublicKey }

// Certificate is the signing certificate.
func (k *Key) Certificate() *x509.Certificate { return k.cert.Cert }

// Chain is the signing certificate followed by the issuers found on the
// token.
func (k *Key) Chain() []*x509.Certificate { return k.chain }

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
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sess == nil {
		return nil, ErrKeyClosed
	}
	if err := k.findPrivateKey(ctx); err != nil {
		return nil, err
	}
	c := k.sess.ctx()
	h := k.sess.handle
	if err := c.SignInit(h, []*p11.Mechanism{op.mech}, k.handle); err != nil {
		return nil, wrap("start "+op.name+" signature", token, err)
	}
	if k.alwaysAuth {
		if err := k.sess.login(ctx, p11.CKU_CONTEXT_SPECIFIC, k.prompter, k.name(), k.cert.Cert); err != nil {
			k.abortSign(op.input)
			return nil, err
		}
	}
	sig, err := c.Sign(h, op.input)
	if err != nil {
		if isCode(err, p11.CKR_USER_NOT_LOGGED_IN) && !k.alwaysAuth {
			k.loggedIn = false // the next signature logs in again
		}
		return nil, wrap(op.name+" signature", token, err)
	}
	if op.ecdsaSize > 0 {
		return ecdsaDER(sig, op.ecdsaSize)
	}
	return sig, nil
}

// abortSign ends the signing operation that SignInit started. PKCS#11 v2.40
// has no C_SignCancel, but a C_Sign that fails (here: not authorized) ends
// the operation (section 5.12), leaving the session ready for the next one.
func (k *Key) abortSign(input []byte) {
	_, _ = k.sess.ctx().Sign(k.sess.handle, input)
}

// findPrivateKey logs in if the token wants it and finds the private key
// with the certificate's CKA_ID. Called with k.mu held.
func (k *Key) findPrivateKey(ctx context.Context) error {
	t := k.cert.Token
	if t.Flags.LoginRequired && !k.loggedIn {
		if !k.sess.loggedIn() {
			if err := k.sess.login(ctx, p11.CKU_USER, k.prompter, k.name(), k.cert.Cert); err != nil {
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
	handles, err := k.sess.find([]*p11.Attribute{
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
	a, err := k.sess.attrs(handles[0], p11.CKA_SIGN, p11.CKA_ALWAYS_AUTHENTICATE)
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

// Close closes the key's session. When it is the application's last
// session with the token, the token logs out.
func (k *Key) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sess != nil {
		k.sess.close()
		k.sess = nil
	}
	return nil
}
