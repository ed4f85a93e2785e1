// Package flow ties Signet's parts together into what a person does:
// find the tokens, pick a key, sign. The CLI, the GUI and the agent all go
// through here, so that they behave the same.
package flow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

// ErrKeyRef reports a key reference that is neither a PKCS#11 URI nor a
// key file.
var ErrKeyRef = i18n.Errorf("err.key_ref", nil)

// Modules are the PKCS#11 modules loaded for one operation.
type Modules struct {
	Loaded []*pkcs11.Module
	// Failed holds, per module path, why it could not be loaded. A broken
	// module must not hide the tokens of the others.
	Failed map[string]error
}

// LoadModules loads the modules at paths. With no paths, it loads the
// configured modules followed by the well-known installed ones.
func LoadModules(paths, configured []string) *Modules {
	if len(paths) == 0 {
		paths = pkcs11.FindModules(configured)
	}
	m := &Modules{Failed: map[string]error{}}
	for _, p := range paths {
		mod, err := pkcs11.Open(p)
		if err != nil {
			m.Failed[p] = err
			continue
		}
		m.Loaded = append(m.Loaded, mod)
	}
	return m
}

// Close releases the modules.
func (m *Modules) Close() {
	for _, mod := range m.Loaded {
		_ = mod.Close() // nothing to do about a failing C_Finalize at exit
	}
	m.Loaded = nil
}

// Tokens lists the tokens present in all loaded modules, each once.
func (m *Modules) Tokens() ([]*pkcs11.Token, error) {
	if len(m.Loaded) == 0 {
		return nil, m.noModules()
	}
	return pkcs11.ListTokens(m.Loaded)
}

// Presence is a cheap fingerprint of the tokens present in all modules
// (see [pkcs11.Module.Presence]): the token watcher lists certificates
// again only when it changes.
func (m *Modules) Presence() string {
	var b strings.Builder
	for _, mod := range m.Loaded {
		p, err := mod.Presence()
		if err != nil {
			p = "error: " + err.Error()
		}
		b.WriteString(mod.Path() + "=" + p + "\n")
	}
	return b.String()
}

// ErrNoReader: a module for cards sees no reader at all.
var ErrNoReader = i18n.Errorf("err.no_reader", nil)

// noReaders names the modules that see no slot at all: a card module
// whose reader is unplugged, or whose service (pcscd) is not running.
func (m *Modules) noReaders() []string {
	var names []string
	for _, mod := range m.Loaded {
		if slots, err := mod.Slots(); err == nil && len(slots) == 0 && !mod.IsProxy() {
			names = append(names, filepath.Base(mod.Path()))
		}
	}
	return names
}

func (m *Modules) noModules() error {
	if len(m.Failed) == 0 {
		return fmt.Errorf("%w: none configured and none of the well-known ones installed", pkcs11.ErrModule)
	}
	var errs []error
	for _, err := range m.Failed {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// OpenDocumentSigner is [OpenSigner] for signing documents: a key whose
// certificate is not for signing (an eID card's authentication key, see
// keys.CheckSigning) is refused, and the chain its signatures carry is
// completed by chain ([CompleteChain]). Token keys log in lazily, so both
// happen before any PIN is asked.
func OpenDocumentSigner(ctx context.Context, m *Modules, ref string, p prompt.Prompter, chain ChainOptions) (keys.Signer, error) {
	s, err := OpenSigner(ctx, m, ref, p)
	if err != nil {
		return nil, err
	}
	if err := keys.CheckSigning(s.Certificate()); err != nil {
		s.Close()
		return nil, err
	}
	if err := CompleteChain(ctx, s, chain); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenSigner opens the key that ref names: a PKCS#11 URI (pkcs11:…) for a
// token key, or the path of a PKCS#12 file. p is asked for PINs and
// passwords when they are needed.
func OpenSigner(ctx context.Context, m *Modules, ref string, p prompt.Prompter) (keys.Signer, error) {
	if strings.HasPrefix(strings.ToLower(ref), "pkcs11:") {
		uri, err := pkcs11.ParseURI(ref)
		if err != nil {
			return nil, err
		}
		tokens, err := m.Tokens()
		if err != nil {
			return nil, err
		}
		cert, err := pkcs11.FindCertificate(tokens, uri)
		if errors.Is(err, pkcs11.ErrTokenNotFound) {
			if none := m.noReaders(); len(none) > 0 {
				err = fmt.Errorf("%w; %w (%s)", err, ErrNoReader, strings.Join(none, ", "))
			}
		}
		if err != nil {
			return nil, err
		}
		return pkcs11.OpenKey(cert, p)
	}
	switch strings.ToLower(filepath.Ext(ref)) {
	case ".p12", ".pfx":
		return keys.OpenPKCS12File(ctx, ref, p)
	}
	if _, err := os.Stat(ref); err != nil {
		return nil, fmt.Errorf("%w (got %q)", ErrKeyRef, ref)
	}
	return nil, fmt.Errorf("%w: %q has neither extension", ErrKeyRef, ref)
}
