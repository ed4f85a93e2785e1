package pkcs11

import (
	"context"
	"crypto/x509"
	"unsafe"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/prompt"
)

// loggedIn reports whether the session already has the user logged in,
// for instance by another key of the same token: PKCS#11 login state is
// shared by all sessions of an application with a token.
func (s *session) loggedIn() bool {
	info, err := s.ctx().GetSessionInfo(s.handle)
	if err != nil {
		return false
	}
	return info.State == p11.CKS_RO_USER_FUNCTIONS || info.State == p11.CKS_RW_USER_FUNCTIONS
}

// login logs the session in as userType: CKU_USER for the token, or
// CKU_CONTEXT_SPECIFIC for the one signature that follows (keys with
// CKA_ALWAYS_AUTHENTICATE). It asks p for the PIN, or lets a pinpad reader
// ask for it. A refused PIN is never tried again here: the person decides.
func (s *session) login(ctx context.Context, userType uint, p prompt.Prompter, keyName string, cert *x509.Certificate) error {
	t := s.token
	op := "log in"
	kind := prompt.TokenPIN
	if userType == p11.CKU_CONTEXT_SPECIFIC {
		op, kind = "authorize signature", prompt.SignaturePIN
	}
	// The PIN state changes with every attempt, from any application:
	// read it now so that the prompt shows the tries left.
	if err := t.refresh(); err != nil {
		return err
	}
	if t.Flags.UserPIN.Locked {
		return &Error{Op: op, Token: t.Label, Err: ErrPINLocked}
	}
	req := prompt.Request{
		Kind:        kind,
		Token:       t.Label,
		Key:         keyName,
		Certificate: cert,
		TriesLeft:   t.Flags.UserPIN.TriesLeft(),
		TriesLow:    t.Flags.UserPIN.CountLow,
	}
	var err error
	if t.Flags.ProtectedAuthPath {
		// A NULL PIN makes the module ask the reader's keypad
		// (PKCS#11 v2.40 section 5.6, C_Login).
		done := p.Pinpad(ctx, req)
		err = s.ctx().Login(s.handle, userType, "")
		done()
	} else {
		pin, perr := p.Secret(ctx, req)
		if perr != nil {
			return perr
		}
		if len(pin) == 0 {
			// miekg/pkcs11 would pass an empty PIN as NULL, which some
			// modules take as "use the pinpad".
			return &Error{Op: op, Token: t.Label, Err: ErrPINFormat}
		}
		// miekg/pkcs11 takes the PIN as a string and copies it into C
		// memory for the call. A view of our bytes avoids a second,
		// unzeroable copy on the Go heap; ours is zeroed right after.
		err = s.ctx().Login(s.handle, userType, unsafe.String(unsafe.SliceData(pin), len(pin)))
		clear(pin)
	}
	switch {
	case err == nil:
		return nil
	case userType == p11.CKU_USER && isCode(err, p11.CKR_USER_ALREADY_LOGGED_IN):
		return nil
	case isCode(err, p11.CKR_GENERAL_ERROR) && t.gone():
		return &Error{Op: op, Token: t.Label, Code: p11.CKR_GENERAL_ERROR, Err: ErrTokenRemoved}
	case isCode(err, p11.CKR_PIN_INCORRECT), isCode(err, p11.CKR_GENERAL_ERROR):
		// A refused login with no reason given is taken as a wrong PIN,
		// said as unsure: it must stop a batch all the same, and must
		// not read as a bare return code.
		_ = t.refresh() // best effort: the error is the news
		return &PINError{Token: t.Label, Status: t.Flags.UserPIN, ContextSpecific: userType == p11.CKU_CONTEXT_SPECIFIC,
			Unsure: isCode(err, p11.CKR_GENERAL_ERROR)}
	}
	return wrap(op, t.Label, err)
}
