package pkcs11

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/i18n"
)

// Slot is a reader or a virtual slot of a module, with its token if one is
// present.
type Slot struct {
	ID           uint   `json:"id"`
	Description  string `json:"description"`
	Manufacturer string `json:"manufacturer"`
	TokenPresent bool   `json:"tokenPresent"`
	Removable    bool   `json:"removable"`
	Hardware     bool   `json:"hardware"`
	Token        *Token `json:"token,omitempty"`
}

// Token is a card, USB token or HSM partition in a slot.
type Token struct {
	Label        string     `json:"label"`
	Manufacturer string     `json:"manufacturer"`
	Model        string     `json:"model"`
	Serial       string     `json:"serial"`
	Flags        TokenFlags `json:"flags"`

	module *Module
	slotID uint
}

// TokenFlags are the token's CK_TOKEN_INFO flags that matter to a person.
type TokenFlags struct {
	// LoginRequired: private objects, and so private keys, are only
	// reachable after a PIN login.
	LoginRequired bool `json:"loginRequired"`
	// ProtectedAuthPath: the PIN is entered on the reader's keypad
	// (a pinpad reader) rather than typed into the application.
	ProtectedAuthPath  bool      `json:"protectedAuthPath"`
	Initialized        bool      `json:"initialized"`
	UserPINInitialized bool      `json:"userPINInitialized"`
	WriteProtected     bool      `json:"writeProtected"`
	UserPIN            PINStatus `json:"userPIN"`
}

// PINStatus is what a token tells of its user PIN's retry counter. PKCS#11
// gives no count, only these flags (v2.40 section 3.2, CK_TOKEN_INFO).
type PINStatus struct {
	// CountLow: a wrong PIN was entered since the last good one.
	CountLow bool `json:"countLow"`
	// FinalTry: one more wrong PIN locks it.
	FinalTry bool `json:"finalTry"`
	// Locked: the PIN is blocked.
	Locked bool `json:"locked"`
	// ToBeChanged: the PIN is the issuer's default or has expired.
	ToBeChanged bool `json:"toBeChanged"`
}

// TriesLeft is 0 when locked, 1 on the final try, and -1 when the token
// does not say.
func (s PINStatus) TriesLeft() int {
	switch {
	case s.Locked:
		return 0
	case s.FinalTry:
		return 1
	}
	return -1
}

// Describe says the state before a PIN is asked, in l's language, or ""
// when there is nothing to warn of.
func (s PINStatus) Describe(l *i18n.Localizer) string {
	if s.CountLow && !s.Locked && !s.FinalTry {
		return i18n.In(l, "pin.state.count_low", -1)
	}
	return s.after(l)
}

// after says the state after a wrong PIN: that try is what was counted,
// so it is not called "an earlier" one.
func (s PINStatus) after(l *i18n.Localizer) string {
	switch {
	case s.Locked:
		return i18n.In(l, "pin.state.locked", -1)
	case s.FinalTry:
		return i18n.In(l, "pin.state.final_try", -1)
	case s.CountLow:
		return i18n.In(l, "pin.state.few_left", -1)
	case s.ToBeChanged:
		return i18n.In(l, "pin.state.to_be_changed", -1)
	}
	return ""
}

// decodeTokenFlags reads CK_TOKEN_INFO.flags.
func decodeTokenFlags(f uint) TokenFlags {
	return TokenFlags{
		LoginRequired:      f&p11.CKF_LOGIN_REQUIRED != 0,
		ProtectedAuthPath:  f&p11.CKF_PROTECTED_AUTHENTICATION_PATH != 0,
		Initialized:        f&p11.CKF_TOKEN_INITIALIZED != 0,
		UserPINInitialized: f&p11.CKF_USER_PIN_INITIALIZED != 0,
		WriteProtected:     f&p11.CKF_WRITE_PROTECTED != 0,
		UserPIN: PINStatus{
			CountLow:    f&p11.CKF_USER_PIN_COUNT_LOW != 0,
			FinalTry:    f&p11.CKF_USER_PIN_FINAL_TRY != 0,
			Locked:      f&p11.CKF_USER_PIN_LOCKED != 0,
			ToBeChanged: f&p11.CKF_USER_PIN_TO_BE_CHANGED != 0,
		},
	}
}

// Slots lists the module's slots, with their token when present.
func (m *Module) Slots() ([]Slot, error) {
	ids, err := m.ctx.GetSlotList(false)
	if err != nil {
		return nil, wrap("list slots of "+m.path, "", err)
	}
	slots := make([]Slot, 0, len(ids))
	for _, id := range ids {
		si, err := m.ctx.GetSlotInfo(id)
		if err != nil {
			return nil, wrap(fmt.Sprintf("read slot %d of %s", id, m.path), "", err)
		}
		s := Slot{
			ID:           id,
			Description:  cleanText(si.SlotDescription),
			Manufacturer: cleanText(si.ManufacturerID),
			TokenPresent: si.Flags&p11.CKF_TOKEN_PRESENT != 0,
			Removable:    si.Flags&p11.CKF_REMOVABLE_DEVICE != 0,
			Hardware:     si.Flags&p11.CKF_HW_SLOT != 0,
		}
		if s.TokenPresent {
			t, err := m.token(id)
			if err != nil {
				return nil, err
			}
			s.Token = t
		}
		slots = append(slots, s)
	}
	return slots, nil
}

// Tokens lists the tokens present in the module's slots.
func (m *Module) Tokens() ([]*Token, error) {
	ids, err := m.ctx.GetSlotList(true)
	if err != nil {
		return nil, wrap("list slots of "+m.path, "", err)
	}
	tokens := make([]*Token, 0, len(ids))
	for _, id := range ids {
		t, err := m.token(id)
		if tokenGone(err) {
			continue // removed since the slot list was read
		}
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	return tokens, nil
}

// Presence is a cheap fingerprint of the tokens in the module's slots:
// slot, label, serial and flags of each, without opening a session or
// listing objects. It changes when a token comes or goes (or its PIN state
// changes), which is when listing certificates again is worth it.
func (m *Module) Presence() (string, error) {
	ids, err := m.ctx.GetSlotList(true)
	if err != nil {
		return "", wrap("list slots of "+m.path, "", err)
	}
	var b strings.Builder
	for _, id := range ids {
		ti, err := m.ctx.GetTokenInfo(id)
		if err != nil {
			fmt.Fprintf(&b, "%d:?;", id) // going away: the next look tells
			continue
		}
		fmt.Fprintf(&b, "%d:%q:%q:%x;", id, ti.Label, ti.SerialNumber, ti.Flags)
	}
	return b.String(), nil
}

// tokenGone reports an error that means the slot's token went away while
// it was being read: a card pulled out, a reader unplugged. SoftHSM2
// answers CKR_GENERAL_ERROR for a token deleted while the module is loaded
// (measured with softhsm2-util --delete-token, SoftHSM 2.6.1), so that
// counts too: one bad slot must not hide the other tokens.
func tokenGone(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case p11.CKR_TOKEN_NOT_PRESENT, p11.CKR_DEVICE_REMOVED, p11.CKR_SLOT_ID_INVALID, p11.CKR_TOKEN_NOT_RECOGNIZED, p11.CKR_GENERAL_ERROR:
		return true
	}
	return false
}

// failure wraps the module's error for operation op, and tells a card
// pulled out from the rest: some drivers answer an operation on a card
// that went away with CKR_GENERAL_ERROR or a device error (OpenSC does),
// so after such an error the slot is asked whether the token is still
// there, for as long as pcscd may take to notice (removalNoticed).
func (t *Token) failure(op string, err error) error {
	wrapped := wrap(op, t.Label, err)
	var e *Error
	if !errors.As(wrapped, &e) {
		return wrapped
	}
	switch e.Code {
	case p11.CKR_GENERAL_ERROR, p11.CKR_DEVICE_ERROR, p11.CKR_FUNCTION_FAILED:
		if t.gone() {
			return &Error{Op: op, Token: t.Label, Code: e.Code, Err: ErrTokenRemoved}
		}
	}
	return wrapped
}

// removalNoticed bounds how long a reader service takes to see a card
// gone: pcsc-lite asks drivers that send no events every 400 ms.
const removalNoticed = time.Second

// gone tells whether the token left its slot, asking until
// removalNoticed has passed.
func (t *Token) gone() bool {
	for deadline := time.Now().Add(removalNoticed); ; time.Sleep(100 * time.Millisecond) {
		if !t.present() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// present asks the module whether the token is still in its slot.
func (t *Token) present() bool {
	si, err := t.module.ctx.GetSlotInfo(t.slotID)
	if err != nil || si.Flags&p11.CKF_TOKEN_PRESENT == 0 {
		return false
	}
	_, err = t.module.ctx.GetTokenInfo(t.slotID)
	return err == nil
}

func (m *Module) token(slotID uint) (*Token, error) {
	ti, err := m.ctx.GetTokenInfo(slotID)
	if err != nil {
		return nil, wrap(fmt.Sprintf("read token in slot %d of %s", slotID, m.path), "", err)
	}
	return &Token{
		Label:        cleanText(ti.Label),
		Manufacturer: cleanText(ti.ManufacturerID),
		Model:        cleanText(ti.Model),
		Serial:       cleanText(ti.SerialNumber),
		Flags:        decodeTokenFlags(ti.Flags),
		module:       m,
		slotID:       slotID,
	}, nil
}

// Module is the module the token was found through.
func (t *Token) Module() *Module { return t.module }

// SlotID is the slot the token sits in.
func (t *Token) SlotID() uint { return t.slotID }

// refresh re-reads the token's flags; the PIN state changes after every
// login attempt.
func (t *Token) refresh() error {
	ti, err := t.module.ctx.GetTokenInfo(t.slotID)
	if err != nil {
		return wrap("read token info", t.Label, err)
	}
	t.Flags = decodeTokenFlags(ti.Flags)
	return nil
}

// sameToken reports whether a and b are the same physical token seen
// through two modules (a module and the p11-kit proxy that re-exports it).
func sameToken(a, b *Token) bool {
	return a.Serial == b.Serial && a.Label == b.Label &&
		a.Manufacturer == b.Manufacturer && a.Model == b.Model
}

// ListTokens lists the tokens present in all modules, each once: a token
// seen through several modules (p11-kit's proxy re-exports the modules
// registered with it) is listed from the first direct module that has
// it, so that its URI and its sessions are the direct module's. Modules
// are taken in the order given, proxies after the others ([ByPreference]).
func ListTokens(modules []*Module) ([]*Token, error) {
	var all []*Token
	for _, m := range ByPreference(modules) {
		tokens, err := m.Tokens()
		if err != nil {
			return nil, err
		}
	next:
		for _, t := range tokens {
			for _, seen := range all {
				if sameToken(seen, t) {
					continue next
				}
			}
			all = append(all, t)
		}
	}
	return all, nil
}

// ByPreference orders modules as tokens are listed from them: direct
// modules in the order given, then proxies (see [Module.IsProxy]).
func ByPreference(modules []*Module) []*Module {
	out := slices.Clone(modules)
	slices.SortStableFunc(out, func(a, b *Module) int {
		switch {
		case a.IsProxy() == b.IsProxy():
			return 0
		case b.IsProxy():
			return -1
		}
		return 1
	})
	return out
}

// SameSlot tells whether two slots listed by two modules are one reader
// seen twice (through a proxy): the same description and manufacturer,
// and the same token or none.
func SameSlot(a, b Slot) bool {
	if a.Description != b.Description || a.Manufacturer != b.Manufacturer || (a.Token == nil) != (b.Token == nil) {
		return false
	}
	return a.Token == nil || sameToken(a.Token, b.Token)
}
