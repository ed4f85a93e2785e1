package flow

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/pdf"
)

// IsContainer tells an ASiC-E container by its name: .asice, .sce, .edoc
// (Latvia), .bdoc (Estonia).
func IsContainer(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".asice", ".sce", ".edoc", ".bdoc":
		return true
	}
	return false
}

// IsPDF tells a PDF by its name.
func IsPDF(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".pdf")
}

// IsPDFFile tells a PDF by its name, else by its first kilobyte holding
// the "%PDF-" header (where readers look for it): a scan saved without
// an extension is still signed as a PDF.
func IsPDFFile(path string) bool {
	if IsPDF(path) {
		return true
	}
	if IsContainer(path) {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, _ := io.ReadFull(f, head)
	return bytes.Contains(head[:n], []byte("%PDF-"))
}

// ContainerReport is what holds of a container: its structure and each
// signature.
type ContainerReport struct {
	Files      []string                `json:"files"`
	Checks     []asice.Check           `json:"checks"`
	Signatures []asice.SignatureReport `json:"signatures"`
}

// Valid: the structure holds and there are signatures, all valid.
func (r *ContainerReport) Valid() bool {
	if len(r.Signatures) == 0 {
		return false
	}
	for _, k := range r.Checks {
		if k.Status == asice.Failed {
			return false
		}
	}
	for _, s := range r.Signatures {
		if !s.Valid {
			return false
		}
	}
	return true
}

// Indication is the container's outcome: failed when its structure
// fails or it has no signature, else the weakest of its signatures'.
func (r *ContainerReport) Indication() pdf.Indication {
	if !r.Valid() {
		return pdf.TotalFailed
	}
	out := pdf.IndicationOf(r.Checks)
	for _, s := range r.Signatures {
		out = pdf.Worst(out, s.Indication)
	}
	if out != pdf.TotalPassed && out != pdf.Indeterminate {
		return pdf.TotalFailed
	}
	return out
}

// VerifyContainer reads and verifies the container at path, trusting
// what verify trusts for PDFs (and going online for revocation status
// when it does).
func VerifyContainer(ctx context.Context, path string, verify pdf.VerifyOptions) (*ContainerReport, error) {
	// Read in place: the data files stream from the file as they are
	// hashed, none held.
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	c, err := asice.Open(f, info.Size(), asice.Limits{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	rep := &ContainerReport{}
	rep.Signatures = c.Verify(ctx, asice.VerifyOptions{Roots: verify.Roots, ExtraRoots: verify.ExtraRoots, Now: verify.Now,
		Online: verify.Online, HTTPClient: verify.HTTPClient, Issuers: verify.Issuers})
	if err := ctx.Err(); err != nil {
		// Interrupted: what was found so far is no verdict.
		return nil, fmt.Errorf("%s: verification interrupted: %w", filepath.Base(path), err)
	}
	rep.Checks = c.Checks
	for _, f := range c.Files {
		rep.Files = append(rep.Files, f.Name)
	}
	return rep, nil
}
