package flow

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/certeurope"
)

// CertEuropeOptions control signing through SignAPI.
type CertEuropeOptions struct {
	// Holder is the signer a one-time certificate is issued to
	// (workflows 1 and 2; not used by Seal).
	Holder certeurope.Holder
	// OTP is "" (workflow 1), "sms" or "email" (workflow 2).
	OTP string
	// ProofFiles make the proof folder (a zip) an advanced signature
	// needs; it then takes an SMS OTP.
	ProofFiles []string
	// Level is the PAdES level asked of the service (default B-T).
	Level pdf.Level
	// Appearance is the visible signature, nil for none.
	Appearance *pdf.Appearance
	// Mode is certeurope.SYNC (default) or ASYNC; ASYNC polls every
	// Poll (default 2 s) until Deadline (default 10 minutes).
	Mode           string
	Poll, Deadline time.Duration
	// OnStatus hears each document's status as it changes.
	OnStatus func(doc string, s certeurope.Status)
	// Verify checks the signed documents; its roots must include the
	// CA of the certificates the service signs with (--trust).
	Verify    pdf.VerifyOptions
	Overwrite bool
}

// signatureTypes are the API's names of the levels.
var signatureTypes = map[pdf.Level]string{
	pdf.LevelBB: "PAdES_BASELINE_B", pdf.LevelBT: "PAdES_BASELINE_T",
	pdf.LevelBLT: "PAdES_BASELINE_LT", pdf.LevelBLTA: "PAdES_BASELINE_LTA",
}

// maxProofFolder bounds the proof folder's zip.
const maxProofFolder = 32 << 20

// ProofFolder zips the named files (by their base names) into the
// base64 the order's proofFolder takes.
func ProofFolder(files []string) (string, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		if seen[name] {
			return "", fmt.Errorf("proof folder: two files are named %s", name)
		}
		seen[name] = true
		data, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("proof folder: %w", err)
		}
		w, err := zw.Create(name)
		if err != nil {
			return "", err
		}
		if _, err := w.Write(data); err != nil {
			return "", err
		}
		if buf.Len() > maxProofFolder {
			return "", fmt.Errorf("proof folder: more than %d MB", maxProofFolder>>20)
		}
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// certEuropeDoc is one document on its way through SignAPI.
type certEuropeDoc struct {
	index  int
	orig   []byte
	extID  string
	status certeurope.Status
}

func newExternalID(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// certEuropeRequests reads the jobs into signature requests; a job that
// cannot be read gets its error.
func certEuropeRequests(jobs []Job, results []Result, opts CertEuropeOptions) ([]certeurope.SignatureRequest, []*certEuropeDoc, error) {
	level := opts.Level
	if level == "" {
		level = pdf.LevelBT
	}
	sigType, ok := signatureTypes[level]
	if !ok {
		return nil, nil, fmt.Errorf("the SignAPI service signs PAdES B-B, B-T, B-LT or B-LTA, not %q", level)
	}
	var reqs []certeurope.SignatureRequest
	var docs []*certEuropeDoc
	for i, job := range jobs {
		if err := checkOutput(job.Output, opts.Overwrite); err != nil {
			results[i].Err = err
			continue
		}
		data, err := os.ReadFile(job.Input)
		if err != nil {
			results[i].Err = err
			continue
		}
		info, err := pdf.PageInfo(bytes.NewReader(data), int64(len(data)), 1)
		if err != nil {
			results[i].Err = err
			continue
		}
		req := certeurope.SignatureRequest{
			ExternalSignatureRequestID: newExternalID("signet"),
			SignatureOptions: certeurope.SignatureOptions{SignatureType: sigType, DigestAlgorithmName: "SHA256",
				SignaturePackagingType: "ENVELOPED", DocumentType: "INLINE"},
			ToSignContent: base64.StdEncoding.EncodeToString(data),
		}
		sum := sha1.Sum(data)
		req.Hash = hex.EncodeToString(sum[:]) // the documented "SHA1 document hash"
		if opts.Appearance != nil {
			var lines []string
			if h := opts.Holder; h.Firstname != "" {
				lines = []string{"Signé par " + h.Firstname + " " + h.Lastname}
			}
			placed := unturnedAppearance(data, pdf.Options{Appearance: opts.Appearance})
			if req.PDFSignatureOptions, err = certeurope.VisibleOptions(placed.Appearance, info.Pages, lines); err != nil {
				results[i].Err = err
				continue
			}
		}
		reqs = append(reqs, req)
		docs = append(docs, &certEuropeDoc{index: i, orig: data, extID: req.ExternalSignatureRequestID})
	}
	return reqs, docs, nil
}

// SignWithCertEurope signs PDFs with a one-time certificate issued to the
// holder (workflow 1), or after the holder's OTP (workflow 2, opts.OTP):
// an order, the documents in one batch, the OTP step (the code typed by
// the person; a wrong one asks again with the tries the service says
// are left), the signature (SYNC, or ASYNC with polling), and each signed
// document proven and written — or kept aside with its report. A
// document that fails does not stop the others.
func SignWithCertEurope(ctx context.Context, c *certeurope.Client, p prompt.Prompter, jobs []Job, opts CertEuropeOptions) []Result {
	results := make([]Result, len(jobs))
	for i, j := range jobs {
		results[i].Job = j
	}
	failAll := func(err error) []Result {
		for i := range results {
			if results[i].Err == nil {
				results[i].Err = err
			}
		}
		return results
	}
	if len(opts.ProofFiles) > 0 && opts.OTP != "sms" {
		return failAll(errors.New("an advanced signature (a proof folder) needs an OTP by SMS: add --otp sms"))
	}
	if opts.OTP != "" && opts.OTP != "sms" && opts.OTP != "email" {
		return failAll(fmt.Errorf("OTP %q: sms or email", opts.OTP))
	}
	reqs, docs, err := certEuropeRequests(jobs, results, opts)
	if err != nil {
		return failAll(err)
	}
	if len(reqs) == 0 {
		return results
	}
	order := certeurope.Order{ExternalOrderRequestID: newExternalID("signet-order"), Holder: opts.Holder}
	if len(opts.ProofFiles) > 0 {
		zipped, err := ProofFolder(opts.ProofFiles)
		if err != nil {
			return failAll(err)
		}
		order.ProofFolder = &certeurope.ProofFolder{ZipFiles: zipped}
	}
	triggered := opts.OTP != ""
	if triggered {
		on := true
		order.EnableOTP = &on
		order.OTPContact = opts.Holder.Mobile
		if opts.OTP == "email" {
			order.OTPContact = opts.Holder.Email
		}
	}
	createdOrder, err := c.CreateOrder(ctx, order)
	if err != nil {
		return failAll(err)
	}
	ref := certeurope.Ref{ID: createdOrder.OrderRequestID, ExternalID: createdOrder.ExternalOrderRequestID}
	created, err := c.CreateSignatureRequests(ctx, ref, reqs, triggered)
	if err != nil {
		return failAll(err)
	}
	for k, st := range created {
		docs[k].status = st
	}
	mode := opts.Mode
	if mode == "" {
		mode = certeurope.SYNC
	}
	var statuses []certeurope.Status
	if triggered {
		if err := c.Validate(ctx, ref, ""); err != nil {
			return failAll(err)
		}
		statuses, err = certEuropeOTP(ctx, c, p, ref, mode, opts)
	} else {
		statuses, err = c.Sign(ctx, ref, mode, nil, false)
	}
	if err != nil {
		return failAll(err)
	}
	finishCertEurope(ctx, c, jobs, results, docs, statuses, opts)
	return results
}

// certEuropeOTP asks for the OTP and signs with it; after a wrong one it
// asks again with the tries left, until the service blocks or the person
// gives up. The OTP is never sent twice by Signet itself.
func certEuropeOTP(ctx context.Context, c *certeurope.Client, p prompt.Prompter, ref certeurope.Ref, mode string, opts CertEuropeOptions) ([]certeurope.Status, error) {
	tries := -1
	for {
		otp, err := p.Secret(ctx, prompt.Request{Kind: prompt.OTP, Token: "SignAPI order " + ref.ID, TriesLeft: tries})
		if err != nil {
			return nil, err
		}
		st, err := c.Sign(ctx, ref, mode, otp, true)
		clear(otp)
		var ce *certeurope.Error
		if errors.Is(err, certeurope.ErrWrongOTP) && errors.As(err, &ce) && ce.TriesLeft() > 0 {
			tries = ce.TriesLeft()
			continue
		}
		return st, err
	}
}

// finishCertEurope follows each document to a final status and writes
// the signed ones once proven.
func finishCertEurope(ctx context.Context, c *certeurope.Client, jobs []Job, results []Result, docs []*certEuropeDoc, statuses []certeurope.Status, opts CertEuropeOptions) {
	for _, st := range statuses {
		for _, d := range docs {
			if st.SignatureRequestID == d.status.SignatureRequestID || (st.ExternalSignatureRequestID != "" && st.ExternalSignatureRequestID == d.extID) {
				d.status = st
			}
		}
	}
	poll := opts.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	deadline := opts.Deadline
	if deadline <= 0 {
		deadline = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	level := opts.Level
	if level == "" {
		level = pdf.LevelBT
	}
	for _, d := range docs {
		job := jobs[d.index]
		var st *certeurope.Status
		last := ""
		for {
			var err error
			st, err = c.Status(ctx, certeurope.Ref{ID: d.status.SignatureRequestID})
			if err != nil {
				if ctx.Err() != nil {
					err = i18n.Errorf("flow.ce.deadline", map[string]any{"Deadline": deadline.String(), "Status": certeurope.StatusText(last)}, err)
				}
				results[d.index].Err = err
				break
			}
			if st.Status != last && opts.OnStatus != nil {
				opts.OnStatus(job.Input, *st)
			}
			last = st.Status
			if certeurope.Final(st.Status) {
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
		}
		if results[d.index].Err != nil {
			continue
		}
		switch {
		case st.Status == certeurope.StatusRefused:
			results[d.index].Err = fmt.Errorf("%w: %s", ErrRefused, job.Input)
		case !certeurope.Signed(st.Status):
			data := map[string]any{"Err": ErrServiceFailed, "Status": certeurope.StatusText(st.Status), "Reason": st.Reason}
			if st.Reason == "" {
				results[d.index].Err = i18n.Errorf("flow.ce.not_signed_no_reason", data, ErrServiceFailed)
			} else {
				results[d.index].Err = i18n.Errorf("flow.ce.not_signed", data, ErrServiceFailed)
			}
		default:
			signed, err := base64.StdEncoding.DecodeString(st.SignedContent)
			if err != nil || len(signed) == 0 {
				results[d.index].Err = fmt.Errorf("%w: the signed content of %s is missing or not base64", certeurope.ErrBadResponse, job.Input)
				continue
			}
			rep, reasons := proveSigned(ctx, d.orig, signed, 1, level, opts.Verify)
			results[d.index].Err = writeProven(job.Output, signed, st.SignatureRequestID, rep, reasons, "SignAPI")
		}
	}
}

// ErrServiceFailed reports a document the service did not sign.
var ErrServiceFailed = i18n.Errorf("err.service_failed", nil)

// ErrRefused reports a signature request refused (by the signer or by a
// status change).
var ErrRefused = i18n.Errorf("err.refused", nil)

// SealWithCertEurope seals PDFs with the organisation's server seal
// (workflow 3, in the shape certeurope.Centralized assumes): the
// documents in one batch, signed at once (one call for several), each
// proven and written.
func SealWithCertEurope(ctx context.Context, c *certeurope.Client, jobs []Job, opts CertEuropeOptions) []Result {
	results := make([]Result, len(jobs))
	for i, j := range jobs {
		results[i].Job = j
	}
	opts.Holder = certeurope.Holder{}
	reqs, docs, err := certEuropeRequests(jobs, results, opts)
	if err == nil && len(reqs) > 0 {
		var created []certeurope.Status
		if created, err = c.CreateCentralized(ctx, reqs); err == nil {
			ids := make([]string, len(created))
			for k, st := range created {
				docs[k].status, ids[k] = st, st.SignatureRequestID
			}
			mode := opts.Mode
			if mode == "" {
				mode = certeurope.SYNC
			}
			var statuses []certeurope.Status
			if statuses, err = c.SignCentralized(ctx, ids, mode); err == nil {
				finishCertEurope(ctx, c, jobs, results, docs, statuses, opts)
			}
		}
	}
	if err != nil {
		for i := range results {
			if results[i].Err == nil {
				results[i].Err = err
			}
		}
	}
	return results
}
