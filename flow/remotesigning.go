package flow

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/remotesigning"
)

// ErrServiceSignature reports a signature from a cloud service that does
// not verify with the agreement's certificate.
var ErrServiceSignature = i18n.Errorf("err.service_signature", nil)

// RemoteSigningOptions control signing with a cloud key.
type RemoteSigningOptions struct {
	Agreement string
	AuthMode  string // remotesigning.AuthPIN, AuthOTPSMS or AuthOTPEmail
	// PDF are the signature options; the service signs RSA PKCS#1 v1.5,
	// so PSS is not used. A Timestamper makes the signatures B-T.
	PDF pdf.Options
	// Chain are the issuers to embed after the agreement's certificate;
	// when empty (the service gives only the end-entity certificate)
	// the chain is completed by ChainOptions, before anything is sent
	// to the service: with ChainOptions.Require an incomplete chain (an
	// [IncompleteChainError]) costs the person no code.
	Chain        []*x509.Certificate
	ChainOptions ChainOptions
	// Level B-LT or B-LTA extends each signed document with validation
	// data (and a document timestamp), as [BatchOptions.Level].
	Level     pdf.Level
	LTV       pdf.LTVOptions
	Verify    pdf.VerifyOptions
	Overwrite bool
}

// SignWithRemoteSigning signs PDFs with a cloud key: each document's PAdES
// hash is computed here (documents never leave the machine), all hashes go
// in one request, the person authorizes with the agreement's passcode or a
// one-time code, and every signature is checked against the certificate
// before it is embedded.
func SignWithRemoteSigning(ctx context.Context, c *remotesigning.Client, p prompt.Prompter, jobs []Job, opts RemoteSigningOptions) []Result {
	results := make([]Result, len(jobs))
	for i, j := range jobs {
		results[i].Job = j
	}
	failAllPlain := func(err error) []Result {
		for i := range results {
			if results[i].Err == nil {
				results[i].Err = err
			}
		}
		return results
	}
	detail, err := c.GetDetail(ctx, opts.Agreement)
	if err != nil {
		return failAllPlain(err)
	}
	if modes := detail.AuthModes; len(modes) > 0 && modes[0] != "" && !slices.Contains(modes, opts.AuthMode) {
		return failAllPlain(fmt.Errorf("the agreement does not allow %s (it allows %v)", opts.AuthMode, modes))
	}
	chain := append([]*x509.Certificate{detail.Certificate}, opts.Chain...)
	if len(opts.Chain) == 0 {
		// The service gives only the end-entity certificate; its CA
		// publishes the rest (caIssuers).
		var err error
		if chain, err = opts.ChainOptions.completeChain(ctx, detail.Certificate, nil); err != nil {
			return failAllPlain(err)
		}
	}
	pdfOpts := opts.PDF
	pdfOpts.PSS = false
	if pdfOpts.Hash == 0 {
		pdfOpts.Hash = crypto.SHA256
	}

	// Each document prepared locally; its file stays open until written.
	prepared := make([]*pdf.Prepared, len(jobs))
	var idx []int
	var digests [][]byte
	for i, job := range jobs {
		pp, closeIn, err := prepareFile(ctx, job, chain, pdfOpts, opts.Overwrite)
		if err != nil {
			results[i].Err = err
			continue
		}
		defer closeIn()
		prepared[i] = pp
		idx = append(idx, i)
		digests = append(digests, pp.Digest())
	}
	if len(idx) == 0 {
		return results
	}

	sigs, err := remoteSignatures(ctx, c, p, opts, pdfOpts.Hash, digests)
	if err != nil {
		for _, i := range idx {
			results[i].Err = err
		}
		return results
	}
	for k, i := range idx {
		results[i].Err = writeRemoteSigned(ctx, prepared[i], sigs[k], jobs[i].Output, detail.Certificate, opts.Level, pdfOpts.Timestamper, opts.LTV, opts.Verify)
	}
	return results
}

// writeRemoteSigned embeds a service's signature in a prepared document
// and writes it: the signature is checked against the certificate
// first, the signed document is verified before it replaces out, and
// then it is extended to level (B-LT, B-LTA) in place.
func writeRemoteSigned(ctx context.Context, pp *pdf.Prepared, sig []byte, out string, cert *x509.Certificate, level pdf.Level, ts pdf.Timestamper, ltv pdf.LTVOptions, verify pdf.VerifyOptions) error {
	if err := pp.Finish(ctx, sig); err != nil {
		if errors.Is(err, pdf.ErrBadSignatureValue) {
			err = fmt.Errorf("%w: %v", ErrServiceSignature, err)
		}
		return err
	}
	err := atomicfile.WriteChecked(out, func(w io.Writer) error {
		_, err := pp.WriteTo(w)
		return err
	}, func(r io.ReaderAt, size int64) error {
		rep, err := pdf.Verify(ctx, r, size, verify)
		if err == nil {
			_, err = ownSignature(rep, cert)
		}
		return err
	})
	if err != nil {
		return err
	}
	return extendInPlace(ctx, out, level, ts, ltv)
}

// remoteSignatures asks the service to sign the digests and walks the
// person through the authorization: the passcode up front, or the one-time
// code the service sends. After a wrong one-time code the person is asked
// again, with the tries left, until the service blocks; a wrong passcode is
// reported, never tried again.
func remoteSignatures(ctx context.Context, c *remotesigning.Client, p prompt.Prompter, opts RemoteSigningOptions, h crypto.Hash, digests [][]byte) ([][]byte, error) {
	code, err := passcode(ctx, p, opts)
	if err != nil {
		return nil, err
	}
	defer clear(code)
	res, err := c.SignHash(ctx, opts.Agreement, opts.AuthMode, code, h, digests)
	if err != nil {
		return nil, err
	}
	if !res.Pending {
		return res.Signatures, nil
	}
	var sigs [][]byte
	err = withOTP(ctx, p, opts.Agreement, func(otp []byte) error {
		var err error
		sigs, err = c.AuthorizeHash(ctx, opts.Agreement, res.BillCode, otp, len(digests))
		return err
	})
	return sigs, err
}

// passcode asks for the agreement's passcode when the authorization mode
// takes one up front; with a one-time code it returns nil.
func passcode(ctx context.Context, p prompt.Prompter, opts RemoteSigningOptions) ([]byte, error) {
	if opts.AuthMode != remotesigning.AuthPIN && opts.AuthMode != "" {
		return nil, nil
	}
	return p.Secret(ctx, prompt.Request{Kind: prompt.Passcode, Token: opts.Agreement, TriesLeft: -1})
}

// withOTP asks the person for the one-time code and calls authorize with
// it; after a wrong code it asks again, showing the tries left, until the
// service blocks or the person gives up.
func withOTP(ctx context.Context, p prompt.Prompter, agreement string, authorize func(otp []byte) error) error {
	tries := -1
	for {
		otp, err := p.Secret(ctx, prompt.Request{Kind: prompt.OTP, Token: agreement, TriesLeft: tries})
		if err != nil {
			return err
		}
		err = authorize(otp)
		clear(otp)
		var re *remotesigning.Error
		if errors.Is(err, remotesigning.ErrWrongCode) && errors.As(err, &re) && re.RemainingCounter > 0 {
			tries = re.RemainingCounter
			continue
		}
		return err
	}
}

// SignFileWithRemoteSigning has the service sign a whole PDF (its
// signing/file mode), drawn as look says, then checks and writes the
// signed file. Unlike hash signing, the document is sent to the service.
// The look comes from opts.PDF (appearance, reason, location, a
// no-changes certification as the service's lock) and textColor.
func SignFileWithRemoteSigning(ctx context.Context, c *remotesigning.Client, p prompt.Prompter, job Job, textColor string, opts RemoteSigningOptions) (string, error) {
	if err := checkOutput(job.Output, opts.Overwrite); err != nil {
		return "", err
	}
	file, err := os.ReadFile(job.Input)
	if err != nil {
		return "", err
	}
	meta, err := remotesigning.MetaDataFor(unturnedAppearance(file, opts.PDF), textColor)
	if err != nil {
		return "", err
	}
	detail, err := c.GetDetail(ctx, opts.Agreement)
	if err != nil {
		return "", err
	}
	code, err := passcode(ctx, p, opts)
	if err != nil {
		return "", err
	}
	defer clear(code)
	resp, err := c.SignFile(ctx, opts.Agreement, opts.AuthMode, code, "application/pdf", file, meta)
	if err != nil {
		return "", err
	}
	billCode := resp.BillCode
	if resp.ResponseCode == remotesigning.CodeRequestAccepted {
		err = withOTP(ctx, p, opts.Agreement, func(otp []byte) error {
			var err error
			resp, err = c.AuthorizeFile(ctx, opts.Agreement, billCode, otp)
			return err
		})
		if err != nil {
			return "", err
		}
	}
	signed, err := signedFile(ctx, c, resp, billCode)
	if err != nil {
		return billCode, err
	}
	return billCode, writeServiceSigned(ctx, signed, job.Output, detail.Certificate, opts.Verify)
}

// DownloadFromRemoteSigning fetches the file signed under billCode (when
// the answer to signing was lost, or the file was signed elsewhere),
// verifies it — when cert is given, that it carries cert's intact
// signature — and writes it to out.
func DownloadFromRemoteSigning(ctx context.Context, c *remotesigning.Client, billCode, out string, cert *x509.Certificate, overwrite bool, verify pdf.VerifyOptions) error {
	if err := checkOutput(out, overwrite); err != nil {
		return err
	}
	signed, err := signedFile(ctx, c, &remotesigning.Response{}, billCode)
	if err != nil {
		return err
	}
	return writeServiceSigned(ctx, signed, out, cert, verify)
}

// writeServiceSigned checks a PDF signed by a service and writes it
// atomically: it must parse and, when cert is given, carry cert's
// cryptographically intact signature.
func writeServiceSigned(ctx context.Context, signed []byte, out string, cert *x509.Certificate, verify pdf.VerifyOptions) error {
	if _, err := verifyServiceSigned(ctx, "Remote Signing", signed, cert, verify); err != nil {
		return err
	}
	return atomicfile.Write(out, func(w io.Writer) error {
		_, err := w.Write(signed)
		return err
	})
}

// signedFile takes the signed file from the answer, or downloads it by
// its billCode.
func signedFile(ctx context.Context, c *remotesigning.Client, resp *remotesigning.Response, billCode string) ([]byte, error) {
	data := resp.SignedFileData
	if data == "" && len(resp.MultipleSignedFileData) > 0 {
		data = resp.MultipleSignedFileData[0].SignedFileData
	}
	if data == "" {
		files, err := c.Download(ctx, billCode)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%w: no signed file for bill %s", remotesigning.ErrBadResponse, billCode)
		}
		data = files[0].Base64
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("%w: the signed file is not base64", remotesigning.ErrBadResponse)
	}
	return b, nil
}

// verifyServiceSigned checks that a service returned the document with
// the person's signature (cert's; with no cert, any), cryptographically
// intact. Trust and revocation are reported in the verification, not
// required: the person's system may not know the issuer's root.
func verifyServiceSigned(ctx context.Context, service string, data []byte, cert *x509.Certificate, opts pdf.VerifyOptions) (*pdf.SignatureReport, error) {
	rep, err := pdf.Verify(ctx, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return nil, fmt.Errorf("the signed document from %s cannot be verified: %w", service, err)
	}
	s, err := ownSignature(rep, cert)
	if err != nil {
		return s, fmt.Errorf("%s: %w", service, err)
	}
	return s, nil
}

// ownSignature finds cert's signature (with no cert, the last one) in a
// verification report and fails when it is not cryptographically intact. Trust and revocation
// are reported, not required: the person's system may lack the issuer's
// root.
func ownSignature(rep *pdf.Report, cert *x509.Certificate) (*pdf.SignatureReport, error) {
	for i := len(rep.Signatures) - 1; i >= 0; i-- {
		s := rep.Signatures[i]
		if cert != nil && (s.Signer == nil || s.Signer.Serial != fmt.Sprintf("%X", cert.SerialNumber)) {
			continue
		}
		return &s, intact(s)
	}
	return nil, errors.New("the document does not carry the expected signature")
}

// intact fails when a signature is not cryptographically intact.
func intact(s pdf.SignatureReport) error {
	for _, c := range s.Checks {
		switch c.Name {
		case "byte range", "document digest", "signature", "signing certificate":
			if c.Status == pdf.Failed {
				return fmt.Errorf("the signed document does not verify: %s", c.Detail)
			}
		}
	}
	return nil
}
