package pkcs11

import (
	"bytes"
	"cmp"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/prompt"
)

// Certificate is an X.509 certificate on a token, paired with the private
// key that has the same CKA_ID.
type Certificate struct {
	Token *Token
	Label string
	ID    []byte
	Cert  *x509.Certificate
	// Key says what is known of the paired private key.
	Key KeyPresence
	// AlwaysAuthenticate is the private key's CKA_ALWAYS_AUTHENTICATE: a
	// signature PIN is asked before every signature. Meaningful only when
	// Key is [KeyPrivate].
	AlwaysAuthenticate bool
}

// KeyPresence says what a listing could see of a certificate's private key.
type KeyPresence int

const (
	// KeyNone: no key object with the certificate's CKA_ID. CA
	// certificates stored on eID cards look like this.
	KeyNone KeyPresence = iota
	// KeyPublicOnly: only the public key object is visible. Tokens hide
	// private keys until login; the private key is most likely there.
	KeyPublicOnly
	// KeyPrivate: the private key object is visible.
	KeyPrivate
)

func (k KeyPresence) String() string {
	switch k {
	case KeyPublicOnly:
		return "present (private key shown after login)"
	case KeyPrivate:
		return "present"
	}
	return "none"
}

// URI is the URI that selects this certificate and its key.
func (c *Certificate) URI() *URI {
	u := TokenURI(c.Token).Set("object", c.Label)
	if len(c.ID) > 0 {
		u.Set("id", string(c.ID))
	}
	return u
}

// session is an open PKCS#11 session on a token.
type session struct {
	token  *Token
	handle p11.SessionHandle
}

func (t *Token) openSession() (*session, error) {
	h, err := t.module.ctx.OpenSession(t.slotID, p11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, wrap("open session", t.Label, err)
	}
	return &session{token: t, handle: h}, nil
}

func (s *session) close() {
	// Closing the last session logs out (PKCS#11 v2.40 section 5.6); an
	// error here leaves nothing to undo.
	_ = s.token.module.ctx.CloseSession(s.handle)
}

func (s *session) ctx() *p11.Ctx { return s.token.module.ctx }

// find returns the handles of all objects matching template.
func (s *session) find(template []*p11.Attribute) ([]p11.ObjectHandle, error) {
	if err := s.ctx().FindObjectsInit(s.handle, template); err != nil {
		return nil, wrap("search objects", s.token.Label, err)
	}
	var all []p11.ObjectHandle
	for {
		batch, _, err := s.ctx().FindObjects(s.handle, 64)
		if err != nil {
			_ = s.ctx().FindObjectsFinal(s.handle)
			return nil, wrap("search objects", s.token.Label, err)
		}
		if len(batch) == 0 {
			break
		}
		all = append(all, batch...)
	}
	if err := s.ctx().FindObjectsFinal(s.handle); err != nil {
		return nil, wrap("search objects", s.token.Label, err)
	}
	return all, nil
}

// attrs reads the given attribute types of an object. An attribute the
// object lacks (CKR_ATTRIBUTE_TYPE_INVALID) or hides
// (CKR_ATTRIBUTE_SENSITIVE) comes back empty rather than as an error, as
// both are normal for optional attributes.
func (s *session) attrs(h p11.ObjectHandle, types ...uint) (map[uint][]byte, error) {
	out := make(map[uint][]byte, len(types))
	template := make([]*p11.Attribute, len(types))
	for i, t := range types {
		template[i] = p11.NewAttribute(t, nil)
	}
	got, err := s.ctx().GetAttributeValue(s.handle, h, template)
	if err == nil {
		for _, a := range got {
			out[a.Type] = a.Value
		}
		return out, nil
	}
	// One missing attribute fails the whole call: ask one by one.
	for _, t := range types {
		got, err := s.ctx().GetAttributeValue(s.handle, h, []*p11.Attribute{p11.NewAttribute(t, nil)})
		switch {
		case err == nil:
			out[t] = got[0].Value
		case isCode(err, p11.CKR_ATTRIBUTE_TYPE_INVALID), isCode(err, p11.CKR_ATTRIBUTE_SENSITIVE):
		default:
			return nil, wrap("read object attributes", s.token.Label, err)
		}
	}
	return out, nil
}

func isCode(err error, code uint) bool {
	var e p11.Error
	return errors.As(err, &e) && uint(e) == code
}

func boolAttr(v []byte) bool { return len(v) == 1 && v[0] != 0 }

// keyObject is a key object seen during a listing.
type keyObject struct {
	id                 []byte
	private            bool
	alwaysAuthenticate bool
}

// Certificates lists the X.509 certificates on the token, each paired with
// its key by CKA_ID. Without a login, private keys are usually hidden; the
// pairing then relies on the public key object.
func (t *Token) Certificates() ([]*Certificate, error) {
	if !t.Flags.Initialized {
		return nil, nil // a blank token holds nothing and refuses sessions
	}
	s, err := t.openSession()
	if err != nil {
		return nil, err
	}
	defer s.close()
	return s.certificates()
}

// CertificatesAfterLogin logs in first, asking p for the PIN, so that
// private keys and their CKA_ALWAYS_AUTHENTICATE show. The login ends with
// the listing unless a [Key] of the token holds a session open.
func (t *Token) CertificatesAfterLogin(ctx context.Context, p prompt.Prompter) ([]*Certificate, error) {
	if !t.Flags.Initialized {
		return nil, nil
	}
	s, err := t.openSession()
	if err != nil {
		return nil, err
	}
	defer s.close()
	if t.Flags.LoginRequired && !s.loggedIn() {
		if err := s.login(ctx, p11.CKU_USER, p, "", nil); err != nil {
			return nil, err
		}
	}
	return s.certificates()
}

func (s *session) certificates() ([]*Certificate, error) {
	t := s.token
	handles, err := s.find([]*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE),
		p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
	})
	if err != nil {
		return nil, err
	}
	keys, err := s.keyObjects()
	if err != nil {
		return nil, err
	}
	var certs []*Certificate
	for _, h := range handles {
		a, err := s.attrs(h, p11.CKA_VALUE, p11.CKA_ID, p11.CKA_LABEL)
		if err != nil {
			return nil, err
		}
		x, err := x509.ParseCertificate(a[p11.CKA_VALUE])
		if err != nil {
			// A token may carry a certificate Go cannot parse; skipping
			// it keeps the others usable. Its label tells which.
			continue
		}
		c := &Certificate{Token: t, Label: string(a[p11.CKA_LABEL]), ID: a[p11.CKA_ID], Cert: x}
		for _, k := range keys {
			if len(c.ID) == 0 || !bytes.Equal(k.id, c.ID) {
				continue
			}
			if k.private {
				c.Key = KeyPrivate
				c.AlwaysAuthenticate = k.alwaysAuthenticate
			} else if c.Key == KeyNone {
				c.Key = KeyPublicOnly
			}
		}
		certs = append(certs, c)
	}
	// Stable order: by CKA_ID, then label.
	slices.SortStableFunc(certs, func(a, b *Certificate) int {
		if c := bytes.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.Label, b.Label)
	})
	return certs, nil
}

// certificatePool reads the token's X.509 certificates only (no labels,
// no key pairing): the issuers a chain is built from.
func (s *session) certificatePool() ([]*x509.Certificate, error) {
	handles, err := s.find([]*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE),
		p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
	})
	if err != nil {
		return nil, err
	}
	var pool []*x509.Certificate
	for _, h := range handles {
		a, err := s.attrs(h, p11.CKA_VALUE)
		if err != nil {
			return nil, err
		}
		if x, err := x509.ParseCertificate(a[p11.CKA_VALUE]); err == nil {
			pool = append(pool, x)
		}
	}
	return pool, nil
}

func (s *session) keyObjects() ([]keyObject, error) {
	var keys []keyObject
	for _, class := range []uint{p11.CKO_PRIVATE_KEY, p11.CKO_PUBLIC_KEY} {
		handles, err := s.find([]*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, class)})
		if err != nil {
			return nil, err
		}
		for _, h := range handles {
			types := []uint{p11.CKA_ID}
			if class == p11.CKO_PRIVATE_KEY {
				types = append(types, p11.CKA_ALWAYS_AUTHENTICATE)
			}
			a, err := s.attrs(h, types...)
			if err != nil {
				return nil, err
			}
			keys = append(keys, keyObject{
				id:                 a[p11.CKA_ID],
				private:            class == p11.CKO_PRIVATE_KEY,
				alwaysAuthenticate: boolAttr(a[p11.CKA_ALWAYS_AUTHENTICATE]),
			})
		}
	}
	return keys, nil
}

// FindCertificate selects, among the certificates of the tokens that match
// uri, the one the URI names by object label, id or type. It is an error
// when nothing or more than one certificate matches.
func FindCertificate(tokens []*Token, uri *URI) (*Certificate, error) {
	var matched []*Token
	for _, t := range tokens {
		// An uninitialized token (SoftHSM2's spare slot, a blank card)
		// holds nothing and refuses sessions.
		if t.Flags.Initialized && uri.MatchesToken(t) {
			matched = append(matched, t)
		}
	}
	if len(matched) == 0 {
		return nil, fmt.Errorf("%w matches %s (is the card inserted?)", ErrTokenNotFound, uri)
	}
	if typ, ok := uri.Get("type"); ok && typ != "cert" && typ != "private" && typ != "public" {
		return nil, fmt.Errorf("%w: type=%s does not name a signing key", ErrBadURI, typ)
	}
	var found []*Certificate
	for _, t := range matched {
		certs, err := t.Certificates()
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			if uri.matches("object", c.Label) && uri.matches("id", string(c.ID)) {
				found = append(found, c)
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: no certificate matches %s", ErrKeyNotFound, uri)
	case 1:
		return found[0], nil
	}
	var names []string
	for _, c := range found {
		names = append(names, c.URI().String())
	}
	return nil, fmt.Errorf("%w: %s matches %d certificates: %v; add token=, serial=, object= or id= to choose",
		ErrAmbiguous, uri, len(found), names)
}
