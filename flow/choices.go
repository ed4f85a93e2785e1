package flow

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

// KeyChoice is a certificate a person can sign with, as a list shows it.
type KeyChoice struct {
	// Ref opens the key with [OpenSigner]: a pkcs11: URI or a key file.
	Ref string
	// Token is the token's label; empty for a key file.
	Token string
	// Label is the certificate's label on the token, or the file's name.
	Label string
	Cert  *x509.Certificate
	keys.CertificateSummary
	// HasKey: a private key is seen or (before login) likely.
	HasKey bool
	// PINPerSignature: the key asks its PIN before every signature.
	PINPerSignature bool
	// Pinpad: the PIN is entered on the reader.
	Pinpad bool
	// Source is the token object, nil for a key file: [OpenChoice] opens
	// it without listing the tokens again.
	Source *pkcs11.Certificate
}

// OpenChoice opens the key of a choice listed by [Modules.KeyChoices]
// (straight from its token object) or of a key file.
// A choice listed through modules since closed (the settings reloaded
// them) is found again by its URI.
func OpenChoice(ctx context.Context, m *Modules, c KeyChoice, p prompt.Prompter) (keys.Signer, error) {
	if c.Source != nil && slices.Contains(m.Loaded, c.Source.Token.Module()) {
		return pkcs11.OpenKey(c.Source, p)
	}
	return OpenSigner(ctx, m, c.Ref, p)
}

// KeyChoices lists the certificates with a key on every token present,
// signing certificates first, then by name; CA certificates are left out.
// Each call reads the tokens afresh, so inserted and removed cards show.
func (m *Modules) KeyChoices() ([]KeyChoice, error) {
	tokens, err := m.Tokens()
	if err != nil {
		return nil, err
	}
	var out []KeyChoice
	for _, t := range tokens {
		certs, err := t.Certificates()
		if err != nil {
			continue // a token that fails to list must not hide the others
		}
		for _, c := range certs {
			if c.Key == pkcs11.KeyNone || c.Cert.IsCA {
				continue
			}
			out = append(out, KeyChoice{
				Ref: c.URI().String(), Token: t.Label, Label: c.Label, Cert: c.Cert,
				CertificateSummary: keys.Summarize(c.Cert), HasKey: true,
				PINPerSignature: c.Key == pkcs11.KeyPrivate && c.AlwaysAuthenticate,
				Pinpad:          t.Flags.ProtectedAuthPath,
				Source:          c,
			})
		}
	}
	SortChoices(out)
	return out, nil
}

// SortChoices puts signing certificates first, then orders by name and
// token.
func SortChoices(c []KeyChoice) {
	sort.SliceStable(c, func(i, j int) bool {
		si, sj := c[i].Purpose == keys.PurposeSigning, c[j].Purpose == keys.PurposeSigning
		if si != sj {
			return si
		}
		if c[i].Name != c[j].Name {
			return c[i].Name < c[j].Name
		}
		return c[i].Token < c[j].Token
	})
}

// FileChoice describes a PKCS#12 file as a choice; its certificate is
// read when the file is opened with its password, so it shows the file.
func FileChoice(path string) (KeyChoice, error) {
	if _, err := os.Stat(path); err != nil {
		return KeyChoice{}, err
	}
	return KeyChoice{Ref: path, Label: filepath.Base(path), HasKey: true}, nil
}

// Document is what a list of documents shows of a PDF.
type Document struct {
	Path  string
	Size  int64
	Pages int
	// Report is the verification of its signatures; nil when it has none
	// or could not be read.
	Report *pdf.Report
	// Err says why the file cannot be used as a PDF.
	Err error
	// Locked: the document is encrypted with a password the empty one is
	// not; its pages and signatures are read once the password is given
	// ([InspectDocumentWith]). It can be signed: the password is asked
	// then.
	Locked bool
	// Container is the verification of an ASiC-E container (.edoc,
	// .asice…): its files, structure and signatures.
	Container *ContainerReport
	// Other: neither a PDF nor a container; it can be signed into a new
	// container only.
	Other bool
}

// Verdict is the document's state in a few words.
func (d Document) Verdict() string {
	switch {
	case d.Err != nil:
		return i18n.T("docs.cannot_read")
	case d.Locked:
		return i18n.T("docs.locked")
	case d.Other:
		return i18n.T("docs.to_container")
	case d.Container != nil:
		files := i18n.N("docs.files", len(d.Container.Files))
		c := d.Container
		if len(c.Signatures) == 0 {
			return files + " · " + i18n.T("docs.not_signed")
		}
		switch c.Indication() {
		case pdf.TotalPassed:
			return files + " · " + i18n.N("docs.signatures_valid", len(c.Signatures))
		case pdf.Indeterminate:
			return files + " · " + i18n.N("docs.signatures_unchecked", len(c.Signatures))
		}
		bad := 0
		for _, s := range c.Signatures {
			if !s.Valid {
				bad++
			}
		}
		// A structural failure (a file added, the manifest edited) makes
		// the container not valid with every signature valid.
		return files + " · " + i18n.N("docs.signatures_invalid", len(c.Signatures), map[string]any{"Bad": max(bad, 1)})
	case d.Report == nil || len(d.Report.Signatures) == 0:
		return i18n.T("docs.not_signed")
	}
	n := len(d.Report.Signatures)
	switch d.Report.Indication() {
	case pdf.TotalPassed:
		return i18n.N("docs.signatures_valid", n)
	case pdf.Indeterminate:
		return i18n.N("docs.signatures_unchecked", n)
	}
	bad := 0
	for _, s := range d.Report.Signatures {
		if !s.Valid {
			bad++
		}
	}
	return i18n.N("docs.signatures_invalid", n, map[string]any{"Bad": bad})
}

// LeftOutOfAll says why signing all the documents of a list leaves this
// one out, or "" when it is taken: one that cannot be read, a container
// (it takes a signature when chosen alone), one with a signature that is
// not valid, one signed already. Chosen alone, any document is signed.
func (d Document) LeftOutOfAll() string {
	switch {
	case d.Err != nil:
		return i18n.T("ui.skip.unreadable")
	case d.Container != nil:
		return i18n.T("ui.skip.container")
	case d.Report != nil && len(d.Report.Signatures) > 0 && !d.Report.Valid():
		return i18n.T("ui.skip.invalid")
	case d.Signed():
		return i18n.T("ui.skip.signed")
	}
	return ""
}

// Signed tells whether the document holds signatures (valid or not).
func (d Document) Signed() bool {
	if d.Container != nil {
		return len(d.Container.Signatures) > 0
	}
	return d.Report != nil && len(d.Report.Signatures) > 0
}

// InspectDocument reads what the document list shows: size, pages and
// the verification of the signatures already in the file.
func InspectDocument(ctx context.Context, path string, verify pdf.VerifyOptions) (d Document) {
	return InspectDocumentWith(ctx, path, verify, nil)
}

// InspectDocumentWith is [InspectDocument] that asks asker's person for
// the password of an encrypted document the empty password does not open;
// without an asker such a document is Locked.
func InspectDocumentWith(ctx context.Context, path string, verify pdf.VerifyOptions, asker prompt.Prompter) (d Document) {
	d = Document{Path: path}
	// Whatever goes wrong with one document is that document's error.
	defer pdf.RecoverBug(path, &d.Err)
	if IsContainer(path) || !IsPDFFile(path) {
		info, err := os.Stat(path)
		if err != nil {
			d.Err = err
			return d
		}
		d.Size = info.Size()
		if IsContainer(path) {
			d.Container, d.Err = VerifyContainer(ctx, path, verify)
		} else {
			d.Other = true
		}
		return d
	}
	password, err := unlock(ctx, asker, path, verify.Password, false)
	if asker == nil && NeedsPassword(err) {
		d.Locked = true
		return d
	}
	if err != nil {
		d.Err = err
		return d
	}
	verify.Password = password
	f, err := os.Open(path)
	if err != nil {
		d.Err = err
		return d
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		d.Err = err
		return d
	}
	d.Size = info.Size()
	ps, err := pdf.PageInfoWithPassword(f, d.Size, 1, password)
	if err != nil {
		d.Err = err
		return d
	}
	d.Pages = ps.Pages
	rep, err := pdf.Verify(ctx, f, d.Size, verify)
	if errors.Is(err, pdf.ErrNoSignatures) {
		return d
	}
	if err != nil {
		d.Err = err
		return d
	}
	d.Report = rep
	return d
}
