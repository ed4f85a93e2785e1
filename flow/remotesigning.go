package flow

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/remotesigning"
)

// ErrServiceSignature reports a signature from a cloud service that does
// not verify with the agreement's certificate.
var ErrServiceSignature = errors.New("the service's signature does not match the agreement's certificate (it may have signed the bare hash instead of a DigestInfo, or with another key)")

// RemoteSigningOptions control signing with a cloud key.
type RemoteSigningOptions struct {
	Agreement string
	AuthMode  string // remotesigning.AuthPIN, AuthOTPSMS or AuthOTPEmail
	// PDF are the signature options; the service signs RSA PKCS#1 v1.5,
	// so PSS is not used. A Timestamper makes the signatures B-T.
	PDF pdf.Options
	// Chain are the issuers to embed after the agreement's certificate.
	Chain     []*x509.Certificate
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
		if !opts.Overwrite {
			if _, err := os.Stat(job.Output); err == nil {
				results[i].Err = fmt.Errorf("%w: %s (allow overwriting to replace it)", ErrOutputExists, job.Output)
				continue
			}
		}
		f, err := os.Open(job.Input)
		if err != nil {
			results[i].Err = err
			continue
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			results[i].Err = err
			continue
		}
		pp, err := pdf.Prepare(ctx, f, info.Size(), chain, pdfOpts)
		if err != nil {
			results[i].Err = err
			continue
		}
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
		if err := prepared[i].Finish(ctx, sigs[k]); err != nil {
			if errors.Is(err, pdf.ErrBadSignatureValue) {
				err = fmt.Errorf("%w: %v", ErrServiceSignature, err)
			}
			results[i].Err = err
			continue
		}
		out := jobs[i].Output
		if err := atomicfile.Write(out, func(w io.Writer) error {
			_, err := prepared[i].WriteTo(w)
			return err
		}); err != nil {
			results[i].Err = err
			continue
		}
		rep, err := pdf.VerifyFile(ctx, out, opts.Verify)
		if err == nil {
			_, err = ownSignature(rep, detail.Certificate)
		}
		if err != nil {
			os.Remove(out)
			results[i].Err = err
		}
	}
	return results
}

// remoteSignatures asks the service to sign the digests and walks the
// person through the authorization: the passcode up front, or the one-time
// code the service sends. After a wrong one-time code the person is asked
// again, with the tries left, until the service blocks; a wrong passcode is
// reported, never tried again.
func remoteSignatures(ctx context.Context, c *remotesigning.Client, p prompt.Prompter, opts RemoteSigningOptions, h crypto.Hash, digests [][]byte) ([][]byte, error) {
	var code []byte
	if opts.AuthMode == remotesigning.AuthPIN || opts.AuthMode == "" {
		var err error
		if code, err = p.Secret(ctx, prompt.Request{Kind: prompt.Passcode, Token: opts.Agreement, TriesLeft: -1}); err != nil {
			return nil, err
		}
		defer clear(code)
	}
	res, err := c.SignHash(ctx, opts.Agreement, opts.AuthMode, code, h, digests)
	if err != nil {
		return nil, err
	}
	if !res.Pending {
		return res.Signatures, nil
	}
	tries := -1
	for {
		otp, err := p.Secret(ctx, prompt.Request{Kind: prompt.OTP, Token: opts.Agreement, TriesLeft: tries})
		if err != nil {
			return nil, err
		}
		sigs, err := c.AuthorizeHash(ctx, opts.Agreement, res.BillCode, otp, len(digests))
		clear(otp)
		var re *remotesigning.Error
		if errors.Is(err, remotesigning.ErrWrongCode) && errors.As(err, &re) && re.RemainingCounter > 0 {
			tries = re.RemainingCounter
			continue
		}
		return sigs, err
	}
}

// ownSignature finds cert's signature in a verification report and fails
// when the signature is not cryptographically intact. Trust and revocation
// are reported, not required: the person's system may lack the issuer's
// root.
func ownSignature(rep *pdf.Report, cert *x509.Certificate) (*pdf.SignatureReport, error) {
	for i := len(rep.Signatures) - 1; i >= 0; i-- {
		s := rep.Signatures[i]
		if s.Signer == nil || s.Signer.Serial != fmt.Sprintf("%X", cert.SerialNumber) {
			continue
		}
		for _, c := range s.Checks {
			switch c.Name {
			case "byte range", "document digest", "signature", "signing certificate":
				if c.Status == pdf.Failed {
					return &s, fmt.Errorf("the signed document does not verify: %s", c.Detail)
				}
			}
		}
		return &s, nil
	}
	return nil, errors.New("the document does not carry the expected signature")
}
