package pkcs11

import (
	"errors"
	"fmt"
	"strings"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/prompt"
)

var (
	// ErrPINIncorrect is wrapped by [PINError] when the token refused a PIN.
	ErrPINIncorrect = errors.New("wrong PIN")
	// ErrPINLocked reports a PIN blocked after too many wrong tries. Only the
	// PUK or the card issuer can unblock it.
	ErrPINLocked = i18n.Errorf("pin.err.locked", nil)
	// ErrPINExpired reports a PIN that must be changed before it can be used.
	ErrPINExpired = i18n.Errorf("pin.err.expired", nil)
	// ErrPINFormat reports a PIN of a length or character set the token
	// does not accept. Tokens refuse such a PIN before checking it, so it
	// does not count as a wrong try.
	ErrPINFormat = i18n.Errorf("pin.err.format", nil)
	// ErrTokenRemoved reports that the card or token went away.
	ErrTokenRemoved = i18n.Errorf("err.token_removed", nil)
	// ErrKeyGone: a key found before is no longer on the token (the
	// token was removed and put back, or the key deleted).
	ErrKeyGone = i18n.Errorf("err.key_gone", nil)
	// ErrTokenNotFound reports that no present token matches a selection.
	ErrTokenNotFound = i18n.Errorf("err.token_not_found", nil)
	// ErrKeyNotFound reports that no key or certificate matches a selection.
	ErrKeyNotFound = i18n.Errorf("err.key_not_found", nil)
	// ErrAmbiguous reports that a selection matches more than one object.
	ErrAmbiguous = i18n.Errorf("err.ambiguous", nil)
	// ErrMechanism reports a signing mechanism the token does not offer.
	ErrMechanism = i18n.Errorf("err.mechanism", nil)
	// ErrKeyCannotSign reports a key whose attributes forbid signing.
	ErrKeyCannotSign = i18n.Errorf("err.key_cannot_sign", nil)
	// ErrNotLoggedIn reports an operation the token refused without a login.
	ErrNotLoggedIn = i18n.Errorf("err.not_logged_in", nil)
	// ErrBadURI reports a PKCS#11 URI that cannot be parsed or is refused.
	ErrBadURI = i18n.Errorf("err.bad_uri", nil)
	// ErrModule reports a PKCS#11 module that cannot be loaded.
	ErrModule = i18n.Errorf("err.module", nil)
	// ErrDevice reports a failure of the token or reader itself.
	ErrDevice = i18n.Errorf("err.device", nil)
)

// PINError reports a PIN the token refused, with the token's PIN state
// after the refusal so that the person learns how many tries are left.
// It matches [ErrPINIncorrect] with errors.Is.
type PINError struct {
	Token  string
	Status PINStatus
	// ContextSpecific is true when the refused PIN was the signature PIN
	// asked before a signature (CKU_CONTEXT_SPECIFIC).
	ContextSpecific bool
	// Unsure: the module refused the login without saying why
	// (CKR_GENERAL_ERROR), as some card drivers do for a wrong PIN
	// (OpenSC's CAC driver, for one). Most likely the PIN was wrong; it is
	// never tried again by itself either way.
	Unsure bool
}

func (e *PINError) Error() string { return e.Say(i18n.For("en")) }

// Say is the error in l's language, with the tries left as the token
// tells them after this wrong PIN.
func (e *PINError) Say(l *i18n.Localizer) string {
	data := map[string]any{"Token": e.Token}
	var msg string
	switch {
	case e.Unsure && e.ContextSpecific:
		msg = i18n.In(l, "pin.err.unsure_signature", -1, data)
	case e.Unsure:
		msg = i18n.In(l, "pin.err.unsure", -1, data)
	case e.ContextSpecific:
		msg = i18n.In(l, "pin.err.wrong_signature", -1, data)
	default:
		msg = i18n.In(l, "pin.err.wrong", -1, data)
	}
	if e.Unsure {
		if s := e.Status.after(l); s != "" {
			return msg + ": " + s
		}
		return msg + "; " + i18n.In(l, "pin.err.no_count", -1)
	}
	if s := e.Status.after(l); s != "" {
		msg += ": " + s
	}
	return msg
}

// Unwrap lets errors.Is match [ErrPINIncorrect], or [ErrPINLocked] when
// this very try locked the PIN.
func (e *PINError) Unwrap() []error {
	if e.Status.Locked {
		return []error{ErrPINIncorrect, ErrPINLocked}
	}
	return []error{ErrPINIncorrect}
}

// Error is a PKCS#11 failure: which operation on which token, the
// return value the module gave, and the sentinel it stands for.
type Error struct {
	Op    string
	Token string
	// Code is the module's return value (CKR_*), 0 when not from the module.
	Code p11.Error
	// Err is one of this package's sentinels, or the module's error when
	// it has no sentinel.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Token != "" {
		fmt.Fprintf(&b, " on token %q", e.Token)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Code != 0 && e.Err != error(e.Code) {
		fmt.Fprintf(&b, " (%s)", ckrName(e.Code))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// sentinelFor maps the PKCS#11 return values a person can act upon to this
// package's sentinels (PKCS#11 v2.40 section 5.1).
var sentinelFor = map[p11.Error]error{
	p11.CKR_PIN_INCORRECT:              ErrPINIncorrect,
	p11.CKR_PIN_LOCKED:                 ErrPINLocked,
	p11.CKR_PIN_EXPIRED:                ErrPINExpired,
	p11.CKR_PIN_INVALID:                ErrPINFormat,
	p11.CKR_PIN_LEN_RANGE:              ErrPINFormat,
	p11.CKR_TOKEN_NOT_PRESENT:          ErrTokenRemoved,
	p11.CKR_DEVICE_REMOVED:             ErrTokenRemoved,
	p11.CKR_SESSION_CLOSED:             ErrTokenRemoved,
	p11.CKR_SESSION_HANDLE_INVALID:     ErrTokenRemoved,
	p11.CKR_KEY_HANDLE_INVALID:         ErrKeyGone,
	p11.CKR_OBJECT_HANDLE_INVALID:      ErrKeyGone,
	p11.CKR_TOKEN_NOT_RECOGNIZED:       ErrDevice,
	p11.CKR_DEVICE_ERROR:               ErrDevice,
	p11.CKR_DEVICE_MEMORY:              ErrDevice,
	p11.CKR_MECHANISM_INVALID:          ErrMechanism,
	p11.CKR_MECHANISM_PARAM_INVALID:    ErrMechanism,
	p11.CKR_KEY_TYPE_INCONSISTENT:      ErrMechanism,
	p11.CKR_KEY_FUNCTION_NOT_PERMITTED: ErrKeyCannotSign,
	p11.CKR_USER_NOT_LOGGED_IN:         ErrNotLoggedIn,
	// A pinpad reader answers CKR_FUNCTION_CANCELED when the person
	// presses Cancel on it.
	p11.CKR_FUNCTION_CANCELED: prompt.ErrCancelled,
}

// wrap turns a module error into an [*Error] for operation op.
func wrap(op, token string, err error) error {
	if err == nil {
		return nil
	}
	var code p11.Error
	if !errors.As(err, &code) {
		return &Error{Op: op, Token: token, Err: err}
	}
	if s, ok := sentinelFor[code]; ok {
		return &Error{Op: op, Token: token, Code: code, Err: s}
	}
	return &Error{Op: op, Token: token, Code: code, Err: fmt.Errorf("token error %s", ckrName(code))}
}

// ckrName names a return value like "CKR_PIN_INCORRECT".
func ckrName(code p11.Error) string {
	// miekg/pkcs11 renders "pkcs11: 0xA0: CKR_PIN_INCORRECT".
	s := code.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.HasPrefix(s[i+2:], "CKR_") {
		return s[i+2:]
	}
	return fmt.Sprintf("CKR 0x%X", uint(code))
}
