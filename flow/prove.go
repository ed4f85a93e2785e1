package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/pdf"
)

// RejectedError: a signed document from a service did not pass the
// checks. It was written aside (Kept) with the verification report
// (Report), never to the output.
type RejectedError struct {
	Service      string
	Kept, Report string
	Reasons      []string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("the signed document from %s failed the checks: %s; it was kept as %s with the report %s, not written as signed",
		e.Service, strings.Join(e.Reasons, "; "), e.Kept, e.Report)
}

// writeProven writes a service's signed document to out when nothing is
// wrong with it (reasons empty); else it keeps it beside out as
// NAME.rejected.pdf with NAME.rejected.json (the reasons and the report)
// and returns a *RejectedError.
func writeProven(out string, signed []byte, id string, rep *pdf.Report, reasons []string, service string) error {
	if len(reasons) == 0 {
		return atomicfile.Write(out, func(w io.Writer) error {
			_, err := w.Write(signed)
			return err
		})
	}
	base := strings.TrimSuffix(out, filepath.Ext(out))
	e := &RejectedError{Service: service, Kept: base + ".rejected.pdf", Report: base + ".rejected.json", Reasons: reasons}
	report, _ := json.MarshalIndent(struct {
		Request string      `json:"request"`
		Reasons []string    `json:"reasons"`
		Report  *pdf.Report `json:"report,omitempty"`
	}{id, reasons, rep}, "", "  ")
	if err := atomicfile.Write(e.Kept, func(w io.Writer) error { _, err := w.Write(signed); return err }); err != nil {
		return errors.Join(e, err)
	}
	if err := atomicfile.Write(e.Report, func(w io.Writer) error { _, err := w.Write(report); return err }); err != nil {
		return errors.Join(e, err)
	}
	return e
}

// proveSigned lists what is wrong with a document a service signed,
// nothing when it is orig with one intact, trusted signature per signer
// (at level, when given) and nothing else changed after them.
func proveSigned(ctx context.Context, orig, signed []byte, signers int, level pdf.Level, verify pdf.VerifyOptions) (*pdf.Report, []string) {
	var reasons []string
	if !bytes.HasPrefix(signed, orig) {
		n := 0
		for n < len(orig) && n < len(signed) && orig[n] == signed[n] {
			n++
		}
		reasons = append(reasons, fmt.Sprintf("it does not start with the uploaded document (the bytes differ from offset %d of %d)", n, len(orig)))
	}
	before, err := pdf.Verify(ctx, bytes.NewReader(orig), int64(len(orig)), verify)
	if err != nil && !errors.Is(err, pdf.ErrNoSignatures) {
		return nil, append(reasons, "the uploaded document cannot be read: "+err.Error())
	}
	rep, err := pdf.Verify(ctx, bytes.NewReader(signed), int64(len(signed)), verify)
	if err != nil {
		return nil, append(reasons, "it cannot be verified: "+err.Error())
	}
	var added []pdf.SignatureReport
	for _, s := range rep.Signatures {
		if s.Revision > before.Revisions && s.SubFilter != "ETSI.RFC3161" {
			added = append(added, s)
		}
	}
	if len(added) != signers {
		reasons = append(reasons, fmt.Sprintf("it has %d new signatures for %d signers", len(added), signers))
	}
	for _, s := range added {
		who := s.Field
		if s.Signer != nil {
			who = s.Signer.Name
		}
		if err := intact(s); err != nil {
			reasons = append(reasons, fmt.Sprintf("the signature of %s: %v", who, err))
		}
		if level != "" && s.Level != string(level) {
			reasons = append(reasons, fmt.Sprintf("the signature of %s is %s, not the %s asked for", who, s.Level, level))
		}
		for _, c := range s.Checks {
			if c.Name == "certificate" && c.Status == pdf.Failed {
				reasons = append(reasons, fmt.Sprintf("the certificate of %s: %s (name the eSign provider's CA with --trust)", who, c.Detail))
			}
		}
		for _, change := range s.ChangesAfter {
			if change != "later signatures" && change != "validation data (DSS)" && change != "document timestamps" {
				reasons = append(reasons, fmt.Sprintf("after the signature of %s the document had %s", who, change))
			}
		}
	}
	return rep, reasons
}
