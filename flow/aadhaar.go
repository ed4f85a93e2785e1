package flow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/aadhaar"
)

// AadhaarSigner is one person asked to sign with Aadhaar eSign.
type AadhaarSigner struct {
	// Name is the display name (matched against Aadhaar's when the
	// service's name match is on); ID the identifier (the Aadhaar
	// number, or what the service takes); BirthYear optional.
	Name, ID, BirthYear string
	// Place is where the signature goes; nil: aadhaar.DefaultRect.
	Place *aadhaar.Rect
}

// ParseAadhaarSigner reads "NAME,IDENTIFIER,BIRTH-YEAR" (the year may be
// left out).
func ParseAadhaarSigner(s string) (AadhaarSigner, error) {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return AadhaarSigner{}, fmt.Errorf("signer %q: write NAME,IDENTIFIER,BIRTH-YEAR (the year may be left out)", s)
	}
	sg := AadhaarSigner{Name: parts[0], ID: parts[1]}
	if len(parts) == 3 && parts[2] != "" {
		y := parts[2]
		if len(y) != 4 || strings.Trim(y, "0123456789") != "" {
			return AadhaarSigner{}, fmt.Errorf("signer %q: the birth year %q is not four digits", s, y)
		}
		sg.BirthYear = y
	}
	return sg, nil
}

// AadhaarOptions control an Aadhaar eSign request.
type AadhaarOptions struct {
	// RedirectURL is where signers go after signing (the service wants
	// a public URL).
	RedirectURL string
	// Position, when set, places every signature by the service's named
	// position (e.g. "bottom-left") on the last page instead of a
	// signing config built from each signer's Place.
	Position string
	// Poll is the first interval between status checks, doubling up to
	// MaxPoll; Deadline ends the wait (0: none, ctx decides).
	Poll, MaxPoll, Deadline time.Duration
	// OnStatus hears each status read while waiting.
	OnStatus func(*aadhaar.Request)
	// BeforeUpload is called once everything is checked, right before
	// the document is sent (to tell the person so); nil: nothing.
	BeforeUpload func()
	// Verify checks the signed document; its roots must include the
	// eSign provider's CA.
	Verify    pdf.VerifyOptions
	Overwrite bool
}

// StartAadhaar uploads a PDF and asks the signers to sign it: each
// signer's place becomes a rectangle of a signing config (or the
// service's named position), and the request's signers come back with
// their signing URLs.
func StartAadhaar(ctx context.Context, c *aadhaar.Client, input string, signers []AadhaarSigner, opts AadhaarOptions) (*aadhaar.Request, error) {
	doc, err := os.ReadFile(input)
	if err != nil {
		return nil, err
	}
	return startAadhaar(ctx, c, input, doc, signers, opts)
}

// startAadhaar is StartAadhaar with the document read.
func startAadhaar(ctx context.Context, c *aadhaar.Client, input string, doc []byte, signers []AadhaarSigner, opts AadhaarOptions) (*aadhaar.Request, error) {
	if n := len(signers); n == 0 || n > aadhaar.MaxSigners {
		return nil, fmt.Errorf("an Aadhaar eSign request takes 1 to %d signers, not %d", aadhaar.MaxSigners, n)
	}
	if opts.RedirectURL == "" {
		return nil, errors.New("a redirect URL is needed: the service sends each signer there after signing")
	}
	info, err := pdf.PageInfo(bytes.NewReader(doc), int64(len(doc)), 1)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", input, err)
	}
	in := aadhaar.RequestInput{RedirectURL: opts.RedirectURL}
	var cfg aadhaar.SigningConfig
	for i, sg := range signers {
		si := aadhaar.SignerInput{Identifier: sg.ID, DisplayName: sg.Name, BirthYear: sg.BirthYear}
		if opts.Position != "" {
			if si.Signature, err = aadhaar.NamedPlacement(opts.Position, -1, info.Pages); err != nil {
				return nil, err
			}
		} else {
			place := aadhaar.DefaultRect(i)
			if sg.Place != nil {
				place = *sg.Place
			}
			// A page the document lacks is SignRectangleFor's to say.
			if n := pdf.PageNumber(place.Page, info.Pages); n >= 1 && n <= info.Pages {
				if place, err = unturnedPlace(doc, place); err != nil {
					return nil, fmt.Errorf("signer %s: %w", sg.Name, err)
				}
			}
			rect, err := aadhaar.SignRectangleFor(place, info.Pages)
			if err != nil {
				return nil, fmt.Errorf("signer %s: %w", sg.Name, err)
			}
			cfg.Signers = append(cfg.Signers, aadhaar.ConfigSigner{SignRectangles: []aadhaar.SignRectangle{rect}})
			si.SignerConfigNumber = i + 1
		}
		in.Signers = append(in.Signers, si)
	}
	if opts.BeforeUpload != nil {
		opts.BeforeUpload()
	}
	if opts.Position == "" {
		if in.ConfigID, _, err = c.UploadConfig(ctx, cfg); err != nil {
			return nil, err
		}
	}
	d, err := c.UploadDocument(ctx, filepath.Base(input), doc, "")
	if err != nil {
		return nil, err
	}
	in.DocumentID = d.ID
	return c.CreateRequest(ctx, in)
}

// ErrAadhaarDeadline reports a request not complete by the deadline.
var ErrAadhaarDeadline = i18n.Errorf("err.aadhaar_deadline", nil)

// WaitAadhaar follows a request until every signer signed: it reads the
// status with backoff (OnStatus hears each), and stops at a signer's
// failure that cannot be tried again (declined, identity mismatch, an
// Aadhaar that cannot sign) or at the deadline. A failure a signer can
// retry from their link (a wrong or expired OTP) is reported through
// OnStatus and the wait goes on.
func WaitAadhaar(ctx context.Context, c *aadhaar.Client, id string, opts AadhaarOptions) (*aadhaar.Request, error) {
	poll, maxPoll := opts.Poll, opts.MaxPoll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	if maxPoll < poll {
		maxPoll = max(poll, 30*time.Second)
	}
	if opts.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Deadline)
		defer cancel()
	}
	for {
		r, err := c.GetRequest(ctx, id)
		if err != nil {
			if ctx.Err() != nil && opts.Deadline > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("%w after %v (request %s)", ErrAadhaarDeadline, opts.Deadline, id)
			}
			return nil, err
		}
		if opts.OnStatus != nil {
			opts.OnStatus(r)
		}
		if r.Status == aadhaar.StatusComplete {
			return r, nil
		}
		for _, sg := range r.Signers {
			if sg.Status != aadhaar.SignerSigned && aadhaar.SignerErrorFinal(sg.ErrCode) {
				return r, &aadhaar.SignerError{Signer: sg.DisplayName, ErrCode: sg.ErrCode}
			}
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) && opts.Deadline > 0 {
				return r, i18n.Errorf("flow.aadhaar.deadline", map[string]any{"Err": ErrAadhaarDeadline, "After": opts.Deadline.String(), "Progress": progressOf(r), "ID": id}, ErrAadhaarDeadline)
			}
			return r, ctx.Err()
		case <-time.After(poll):
		}
		poll = min(2*poll, maxPoll)
	}
}

// AadhaarProgress says in words how far a request is: "1 of 2 signed".
func AadhaarProgress(r *aadhaar.Request) string { return i18n.Say(progressOf(r)) }

// aadhaarProgress is how many of a request's signers signed, said when
// the message holding it is.
type aadhaarProgress struct{ signed, of int }

func progressOf(r *aadhaar.Request) aadhaarProgress {
	p := aadhaarProgress{of: len(r.Signers)}
	for _, sg := range r.Signers {
		if sg.Status == aadhaar.SignerSigned {
			p.signed++
		}
	}
	return p
}

func (p aadhaarProgress) SayIn(l *i18n.Localizer) string {
	return i18n.In(l, "flow.aadhaar.progress", -1, map[string]any{"Signed": p.signed, "Of": p.of})
}

// FetchAadhaar downloads the signed document of a complete request and
// writes it to out once proven: orig (the uploaded bytes; nil fetches
// them from the service) unchanged at its start, one new intact
// signature per signer from certificates the verification trusts (the
// eSign provider's CA), nothing else changed after them. A download
// link that expired before it was used is asked for again. A document
// that fails is kept beside out as NAME.rejected.pdf with
// NAME.rejected.json (the report) and the error is an
// *RejectedError.
func FetchAadhaar(ctx context.Context, c *aadhaar.Client, r *aadhaar.Request, orig []byte, out string, opts AadhaarOptions) (*pdf.Report, error) {
	if err := checkOutput(out, opts.Overwrite); err != nil {
		return nil, err
	}
	if orig == nil {
		d, err := c.GetDocument(ctx, r.DocumentID)
		if err != nil {
			return nil, fmt.Errorf("the uploaded document: %w", err)
		}
		if orig, err = c.Fetch(ctx, d.DownloadURL); err != nil {
			return nil, fmt.Errorf("the uploaded document: %w", err)
		}
	}
	var signed []byte
	for try := 0; ; try++ {
		d, err := c.DownloadURL(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		signed, err = c.Fetch(ctx, d.URL)
		if errors.Is(err, aadhaar.ErrLinkExpired) && try < 2 {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	rep, reasons := proveSigned(ctx, orig, signed, len(r.Signers), "", opts.Verify)
	return rep, writeProven(out, signed, r.ID, rep, reasons, "Aadhaar eSign")
}

// SignWithAadhaar has the signers sign each document in turn, one request
// per document: started (OnStatus hears the new request first), followed,
// downloaded and proven — each document read once. Cancelling ctx stops
// it; the documents left are ErrStopped.
func SignWithAadhaar(ctx context.Context, c *aadhaar.Client, jobs []Job, signers []AadhaarSigner, opts AadhaarOptions, progress func(done, total int, current string)) []Result {
	results := make([]Result, len(jobs))
	for i, job := range jobs {
		results[i].Job = job
		if err := ctx.Err(); err != nil {
			results[i].Err = fmt.Errorf("%w (%w)", ErrStopped, err)
			continue
		}
		if progress != nil {
			progress(i, len(jobs), job.Input)
		}
		results[i].Err = signOneWithAadhaar(ctx, c, job, signers, opts)
	}
	if progress != nil {
		progress(len(jobs), len(jobs), "")
	}
	return results
}

func signOneWithAadhaar(ctx context.Context, c *aadhaar.Client, job Job, signers []AadhaarSigner, opts AadhaarOptions) error {
	doc, err := os.ReadFile(job.Input)
	if err != nil {
		return err
	}
	req, err := startAadhaar(ctx, c, job.Input, doc, signers, opts)
	if err != nil {
		return err
	}
	if opts.OnStatus != nil {
		opts.OnStatus(req)
	}
	done, err := WaitAadhaar(ctx, c, req.ID, opts)
	if err != nil {
		return fmt.Errorf("%w (request %s)", err, req.ID)
	}
	_, err = FetchAadhaar(ctx, c, done, doc, job.Output, opts)
	return err
}
