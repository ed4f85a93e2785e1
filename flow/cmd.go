package flow

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/signet-sign/signet/internal/pkcs1"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/cmd"
)

// CMDOptions control signing with the Chave Móvel Digital.
type CMDOptions struct {
	// UserID is the account's phone number as [cmd.UserID] writes it.
	UserID string
	// PDF are the signature options; the service signs RSA PKCS#1 v1.5
	// with SHA-256, so PSS and other hashes are not used. A Timestamper
	// makes the signatures B-T.
	PDF pdf.Options
	// Level B-LT or B-LTA extends each signed document with validation
	// data (and a document timestamp), as [BatchOptions.Level].
	Level pdf.Level
	LTV   pdf.LTVOptions
	// BatchSize is the number of documents per signing request (one
	// security code each); 0 or more than cmd.MaxDocuments means
	// cmd.MaxDocuments.
	BatchSize int
	// OTPTries is how many security codes a person may type for one
	// request before Signet stops asking.
	//
	// ASSUMPTION: the specification does not say how many wrong codes
	// the service takes, nor does its answer; Signet assumes
	// DefaultOTPTries and shows the tries left on that count. A wrong
	// code is never sent again by itself: the person types each one.
	OTPTries int
	// Inform hears what the person should know before being asked
	// anything (how many codes to expect); nil ignores it.
	Inform func(string)
	// Progress is told the documents done of the total.
	Progress  func(done, total int, current string)
	Verify    pdf.VerifyOptions
	Overwrite bool
}

// DefaultOTPTries is the assumed number of tries of a security code; see
// [CMDOptions.OTPTries].
const DefaultOTPTries = 3

// cmdHash is the only digest the Chave Móvel Digital's §3 shows and
// Signet sends.
const cmdHash = crypto.SHA256

// CMDCertificate fetches the account's certificate chain and checks that
// its first certificate can sign PDFs with the service (an RSA signing
// certificate).
func CMDCertificate(ctx context.Context, c *cmd.Client, userID string) ([]*x509.Certificate, error) {
	chain, err := c.GetCertificate(ctx, userID)
	if err != nil {
		return nil, err
	}
	leaf := chain[0]
	if err := keys.CheckSigning(leaf); err != nil {
		return nil, fmt.Errorf("the service's certificate for %s: %w", userID, err)
	}
	if _, ok := leaf.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("the service's certificate for %s has a %T key; Signet expects RSA", userID, leaf.PublicKey)
	}
	return chain, nil
}

// SignWithCMD signs PDFs with the citizen's Chave Móvel Digital: the
// certificate comes from the service, each document's PAdES hash is
// computed here (the documents never leave the computer), the hashes go
// to the service in requests of up to BatchSize documents, and each
// request's security code, typed by the person, releases its
// signatures. The PIN is asked once for the whole run and cleared at the
// end. Every signature is checked against the certificate before it is
// embedded; each signed document is verified before it is written.
//
// A request that fails (wrong PIN, wrong codes, the service down) leaves
// its documents unsigned and stops the run: a wrong PIN is never sent
// again by itself. Documents of earlier requests stay signed and written.
func SignWithCMD(ctx context.Context, c *cmd.Client, p prompt.Prompter, jobs []Job, opts CMDOptions) []Result {
	results := make([]Result, len(jobs))
	for i, j := range jobs {
		results[i].Job = j
	}
	failRest := func(from int, err error) []Result {
		for i := from; i < len(results); i++ {
			if results[i].Err == nil {
				results[i].Err = err
			}
		}
		return results
	}
	chain, err := CMDCertificate(ctx, c, opts.UserID)
	if err != nil {
		return failRest(0, err)
	}
	size := opts.BatchSize
	if size <= 0 || size > cmd.MaxDocuments {
		size = cmd.MaxDocuments
	}
	if n := (len(jobs) + size - 1) / size; n > 1 && opts.Inform != nil {
		opts.Inform(fmt.Sprintf("%d documents are signed in %d requests of up to %d: you will receive %d security codes by SMS, one per request", len(jobs), n, size, n))
	}
	pdfOpts := opts.PDF
	pdfOpts.PSS = false
	pdfOpts.Hash = cmdHash

	pin, err := p.Secret(ctx, prompt.Request{Kind: prompt.AccountPIN, Token: "Chave Móvel Digital " + opts.UserID,
		Key: chain[0].Subject.CommonName, Certificate: chain[0], TriesLeft: -1})
	if err != nil {
		return failRest(0, err)
	}
	defer clear(pin)
	done := 0
	for start := 0; start < len(jobs); start += size {
		end := min(start+size, len(jobs))
		if opts.Progress != nil {
			opts.Progress(done, len(jobs), jobs[start].Input)
		}
		if err := signCMDBatch(ctx, c, p, pin, chain, jobs[start:end], results[start:end], pdfOpts, opts); err != nil {
			return failRest(start, err)
		}
		done = end
	}
	if opts.Progress != nil {
		opts.Progress(len(jobs), len(jobs), "")
	}
	return results
}

// signCMDBatch signs up to cmd.MaxDocuments documents with one request
// and one security code. Documents that cannot be prepared get their
// error; an error of the request itself is returned.
func signCMDBatch(ctx context.Context, c *cmd.Client, p prompt.Prompter, pin []byte, chain []*x509.Certificate, jobs []Job, results []Result, pdfOpts pdf.Options, opts CMDOptions) error {
	prepared := make([]*pdf.Prepared, len(jobs))
	var docs []cmd.Document
	for i, job := range jobs {
		pp, closeIn, err := prepareFile(ctx, job, chain, pdfOpts, opts.Overwrite)
		if err != nil {
			results[i].Err = err
			continue
		}
		defer closeIn()
		di, err := pkcs1.DigestInfo(cmdHash, pp.Digest())
		if err != nil {
			results[i].Err = err
			continue
		}
		prepared[i] = pp
		docs = append(docs, cmd.Document{ID: strconv.Itoa(i), Name: filepath.Base(job.Input), Hash: di})
	}
	if len(docs) == 0 {
		return nil
	}
	var processID string
	var err error
	if len(docs) == 1 {
		processID, err = c.Sign(ctx, opts.UserID, pin, docs[0])
	} else {
		processID, err = c.SignMultiple(ctx, opts.UserID, pin, docs)
	}
	if err != nil {
		return err
	}
	signed, err := cmdSecurityCode(ctx, c, p, processID, opts)
	if err != nil {
		return err
	}
	for _, d := range docs {
		i, _ := strconv.Atoi(d.ID)
		sig := signed.Signature
		if len(docs) > 1 {
			var ok bool
			if sig, ok = signed.Signatures[d.ID]; !ok {
				results[i].Err = fmt.Errorf("%w: no signature for %s in the answer", cmd.ErrBadResponse, d.Name)
				continue
			}
		}
		results[i].Err = writeRemoteSigned(ctx, prepared[i], sig, jobs[i].Output, chain[0], opts.Level, pdfOpts.Timestamper, opts.LTV, opts.Verify)
	}
	return nil
}

// cmdSecurityCode asks the person for the security code of a process
// until the service takes one, the tries run out, or the person gives
// up; the person may have a new code sent instead of typing one.
func cmdSecurityCode(ctx context.Context, c *cmd.Client, p prompt.Prompter, processID string, opts CMDOptions) (*cmd.Signed, error) {
	tries := opts.OTPTries
	if tries <= 0 {
		tries = DefaultOTPTries
	}
	left := -1
	for {
		otp, err := p.Secret(ctx, prompt.Request{Kind: prompt.OTP, Token: "Chave Móvel Digital " + opts.UserID, TriesLeft: left, CanResend: true})
		if errors.Is(err, prompt.ErrResend) {
			if err := c.ForceSMS(ctx, processID, opts.UserID); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		signed, err := c.ValidateOtp(ctx, processID, otp)
		clear(otp)
		if errors.Is(err, cmd.ErrWrongOTP) {
			if tries--; tries > 0 {
				left = tries
				continue
			}
			return nil, fmt.Errorf("%w: no tries left; start again", err)
		}
		return signed, err
	}
}

// prepareFile opens a job's input and prepares its signature; closeIn
// closes the input once the signed document is written.
func prepareFile(ctx context.Context, job Job, chain []*x509.Certificate, opts pdf.Options, overwrite bool) (*pdf.Prepared, func(), error) {
	if err := checkOutput(job.Output, overwrite); err != nil {
		return nil, nil, err
	}
	f, err := os.Open(job.Input)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	pp, err := pdf.Prepare(ctx, f, info.Size(), chain, opts)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return pp, func() { f.Close() }, nil
}
