package flow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/biometrid"
)

// BiometridOptions control signing through biometrid's Chave Móvel
// Digital wrapper.
type BiometridOptions struct {
	// UserID is the account's phone number as cmd.UserID writes it.
	UserID    string
	Verify    pdf.VerifyOptions
	Overwrite bool
}

// ErrServiceChanged reports a signed document from a service that is not
// the document sent plus a signature.
var ErrServiceChanged = i18n.Errorf("err.service_changed", nil)

// maxUpload bounds the document sent (base64 in JSON, held in memory).
const maxUpload = 64 << 20

// SignWithBiometrid sends a PDF to biometrid to be signed with the
// citizen's Chave Móvel Digital: the PIN goes with the document, the
// security code the citizen receives releases the signed document. It is
// written only when Signet has proven what the service did: the original
// bytes unchanged, then exactly one new revision closed by a new,
// cryptographically intact signature (later revisions may only add
// validation data). It returns that signature's report.
func SignWithBiometrid(ctx context.Context, c *biometrid.Client, p prompt.Prompter, job Job, opts BiometridOptions) (*pdf.SignatureReport, error) {
	if err := checkOutput(job.Output, opts.Overwrite); err != nil {
		return nil, err
	}
	info, err := os.Stat(job.Input)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxUpload {
		return nil, fmt.Errorf("%s is %d MB; Signet sends documents of up to %d MB to biometrid", job.Input, info.Size()>>20, maxUpload>>20)
	}
	orig, err := os.ReadFile(job.Input)
	if err != nil {
		return nil, err
	}
	// Read before anything is sent: a file that is no PDF stays here.
	before, err := pdf.Verify(ctx, bytes.NewReader(orig), int64(len(orig)), opts.Verify)
	if errors.Is(err, pdf.ErrNoSignatures) {
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", job.Input, err)
	}
	pin, err := p.Secret(ctx, prompt.Request{Kind: prompt.AccountPIN, Token: "Chave Móvel Digital " + opts.UserID, TriesLeft: -1})
	if err != nil {
		return nil, err
	}
	processID, err := c.Sign(ctx, opts.UserID, pin, orig)
	clear(pin)
	if err != nil {
		return nil, err
	}
	otp, err := p.Secret(ctx, prompt.Request{Kind: prompt.OTP, Token: "Chave Móvel Digital " + opts.UserID, TriesLeft: -1})
	if err != nil {
		return nil, err
	}
	signed, err := c.ValidateOTP(ctx, processID, otp)
	clear(otp)
	if err != nil {
		return nil, err
	}
	var report *pdf.SignatureReport
	err = atomicfile.WriteChecked(job.Output, func(w io.Writer) error {
		_, err := w.Write(signed)
		return err
	}, func(r io.ReaderAt, size int64) error {
		report, err = checkServiceSigned(ctx, orig, before, r, size, opts.Verify)
		return err
	})
	return report, err
}

// checkServiceSigned proves that a signed document is orig with one new
// signature: orig is its prefix, the signature closes the revision right
// after orig's last, and it is intact.
func checkServiceSigned(ctx context.Context, orig []byte, before *pdf.Report, r io.ReaderAt, size int64, verify pdf.VerifyOptions) (*pdf.SignatureReport, error) {
	head := make([]byte, len(orig))
	if size <= int64(len(orig)) {
		return nil, fmt.Errorf("%w (it is no longer than the original)", ErrServiceChanged)
	}
	if _, err := r.ReadAt(head, 0); err != nil || !bytes.Equal(head, orig) {
		return nil, fmt.Errorf("%w (the original bytes were changed)", ErrServiceChanged)
	}
	rep, err := pdf.Verify(ctx, r, size, verify)
	if err != nil {
		return nil, fmt.Errorf("the signed document from biometrid cannot be verified: %w", err)
	}
	var added []pdf.SignatureReport
	for _, s := range rep.Signatures {
		if s.Revision > before.Revisions && s.SubFilter != "ETSI.RFC3161" {
			added = append(added, s)
		}
	}
	switch {
	case len(added) != 1:
		return nil, fmt.Errorf("%w (%d new signatures, not one)", ErrServiceChanged, len(added))
	case added[0].Revision != before.Revisions+1:
		return nil, fmt.Errorf("%w (the service added %d revisions before its signature)", ErrServiceChanged, added[0].Revision-before.Revisions-1)
	}
	s := added[0]
	for _, change := range s.ChangesAfter {
		if change != "validation data (DSS)" && change != "document timestamps" {
			return nil, fmt.Errorf("%w (after signing it made %s)", ErrServiceChanged, change)
		}
	}
	if err := intact(s); err != nil {
		return &s, fmt.Errorf("biometrid: %w", err)
	}
	return &s, nil
}

// BiometridResult is what became of one document sent to biometrid.
type BiometridResult struct {
	Result
	// Report is the signature biometrid added, when written.
	Report *pdf.SignatureReport
}

// SignFilesWithBiometrid sends documents to biometrid one by one (each
// its own PIN and code). It stops — the rest ErrStopped — after a failure
// that concerns the account or the PIN rather than the document: a
// refusal of the request itself (every documented error but
// NO_FILES_OR_INVALID_FORMATS, and a wrong PIN), a cancelled prompt. So a
// wrong PIN is never sent again by itself.
func SignFilesWithBiometrid(ctx context.Context, c *biometrid.Client, p prompt.Prompter, jobs []Job, opts BiometridOptions, progress func(done, total int, current string)) []BiometridResult {
	out := make([]BiometridResult, len(jobs))
	var stopped error
	for i, j := range jobs {
		out[i].Job = j
		if stopped != nil {
			out[i].Err = fmt.Errorf("%w (%w)", ErrStopped, stopped)
			continue
		}
		if progress != nil {
			progress(i, len(jobs), j.Input)
		}
		out[i].Report, out[i].Err = SignWithBiometrid(ctx, c, p, j, opts)
		var be *biometrid.Error
		if KeyFailure(out[i].Err) || (errors.As(out[i].Err, &be) && be.Code != "NO_FILES_OR_INVALID_FORMATS") {
			stopped = out[i].Err
		}
	}
	if progress != nil {
		progress(len(jobs), len(jobs), "")
	}
	return out
}
