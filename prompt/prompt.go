// Package prompt defines how Signet's core asks a person for something it
// cannot know by itself: a token PIN, a signature PIN, a key file password.
//
// The core never talks to a terminal or a window. It receives a [Prompter]
// and calls it; the CLI answers on the terminal, the GUI with a dialog and
// the agent by routing the question to the GUI. Secrets come back as []byte
// so that the caller can zero them as soon as they have been used.
package prompt

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/signet-sign/signet/i18n"
)

// Kind says which secret is asked for.
type Kind int

const (
	// TokenPIN is the PIN that logs in to a token (PKCS#11 CKU_USER).
	TokenPIN Kind = iota
	// SignaturePIN is asked before each signature with a key that demands
	// it (PKCS#11 CKA_ALWAYS_AUTHENTICATE, CKU_CONTEXT_SPECIFIC). National eID
	// cards protect their signing key this way.
	SignaturePIN
	// Password unlocks a key file such as PKCS#12.
	Password
	// Passcode authorizes a cloud key's signature (Remote Signing
	// EXPLICIT/PIN).
	Passcode
	// OTP is a one-time code sent to the person by SMS or email.
	OTP
	// AccountPIN is the signature PIN of a signing account a service
	// holds the key of (Chave Móvel Digital): Token names the account.
	AccountPIN
	// DocumentPassword opens an encrypted PDF (Token names the file):
	// its user password, or with Owner its owner password.
	DocumentPassword
)

// String is the kind in English (logs, machine output).
func (k Kind) String() string { return k.SayIn(i18n.For("en")) }

// SayIn is the kind in l's language, for messages that name it.
func (k Kind) SayIn(l *i18n.Localizer) string {
	switch k {
	case TokenPIN:
		return i18n.In(l, "prompt.kind.pin", -1)
	case SignaturePIN, AccountPIN:
		return i18n.In(l, "prompt.kind.signature_pin", -1)
	case Password:
		return i18n.In(l, "prompt.kind.password", -1)
	case Passcode:
		return i18n.In(l, "prompt.kind.passcode", -1)
	case OTP:
		return i18n.In(l, "prompt.kind.otp", -1)
	case DocumentPassword:
		return i18n.In(l, "prompt.kind.document_password", -1)
	}
	return i18n.In(l, "prompt.kind.secret", -1)
}

// Request describes the secret asked for in the words a person needs to
// answer it: which token or file, which key, and how many tries are left.
type Request struct {
	Kind Kind
	// Token names where the secret goes: a token label or a file name.
	Token string
	// Key names the key about to be used, usually its certificate's
	// subject common name. It may be empty for a plain token login.
	Key string
	// Certificate is the key's certificate when known: its purpose,
	// issuer and validity tell one of a person's keys from another.
	Certificate *x509.Certificate
	// TriesLeft is the number of tries before the secret locks, or -1 when
	// the token does not tell. PKCS#11 tokens only tell the final try (1).
	TriesLeft int
	// TriesLow reports that an earlier attempt failed and the token counts
	// down (PKCS#11 CKF_USER_PIN_COUNT_LOW) without saying how far.
	TriesLow bool
	// CanResend: for a one-time code, the service can send a new one;
	// the prompter offers that and answers [ErrResend] when the person
	// asks for it.
	CanResend bool
	// Owner: for a document password, the owner password is needed, as
	// the document's permissions forbid adding a signature.
	Owner bool
}

// Prompter asks a person for secrets. Implementations must honour ctx and
// return [ErrCancelled] (possibly wrapped) when the person declines.
type Prompter interface {
	// Secret asks for the secret described by req. The caller zeroes the
	// returned slice once it has been used.
	Secret(ctx context.Context, req Request) ([]byte, error)
	// Pinpad tells the person to enter the secret on the reader's own
	// keypad (a protected authentication path). The returned function is
	// called once the reader has answered, to take the notice down.
	Pinpad(ctx context.Context, req Request) (done func())
}

// ErrCancelled reports that the person declined to give a secret.
var ErrCancelled = errors.New("cancelled by the user")

// ErrResend is a prompter's answer to a one-time code request with
// CanResend when the person asks for a new code instead of typing one.
var ErrResend = errors.New("a new code was asked for")

// Question names what is asked in words, e.g. `PIN of token "eID"`, for a
// prompt's title or a terminal's question.
func (r Request) Question() string {
	switch r.Kind {
	case SignaturePIN:
		return fmt.Sprintf("signature PIN for %q on token %q", r.Key, r.Token)
	case Password:
		return fmt.Sprintf("password of %s", r.Token)
	case Passcode:
		return fmt.Sprintf("passcode of the signing agreement %s", r.Token)
	case DocumentPassword:
		if r.Owner {
			return fmt.Sprintf("owner password of %s (its permissions forbid adding a signature)", r.Token)
		}
		return fmt.Sprintf("password that opens %s", r.Token)
	case OTP:
		return fmt.Sprintf("one-time code sent to you for %s", r.Token)
	case AccountPIN:
		if r.Key != "" {
			return fmt.Sprintf("signature PIN of %s, to sign as %q", r.Token, r.Key)
		}
		return fmt.Sprintf("signature PIN of %s", r.Token)
	}
	what := fmt.Sprintf("PIN of token %q", r.Token)
	if r.Key != "" {
		what += fmt.Sprintf(" (key %q)", r.Key)
	}
	return what
}

// Warning says how close the secret is to locking, in the person's
// language (the same words in the app's dialog and on the terminal), or
// "".
func (r Request) Warning() string {
	code := r.Kind == OTP || r.Kind == Passcode || r.Kind == AccountPIN
	switch {
	case r.TriesLeft == 1 && code:
		return i18n.T("pin.warn.final_code")
	case r.TriesLeft == 1:
		return i18n.T("pin.final_try")
	case r.TriesLeft > 1:
		return i18n.N("pin.tries_left", r.TriesLeft)
	case r.TriesLow && r.Kind == DocumentPassword:
		return i18n.T("pin.warn.password_wrong")
	case r.TriesLow && code:
		return i18n.T("pin.warn.code_low")
	case r.TriesLow:
		return i18n.T("pin.tries_low")
	}
	return ""
}
