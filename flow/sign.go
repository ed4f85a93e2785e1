package flow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

// ErrOutputExists reports an output file that exists and may not be
// overwritten.
var ErrOutputExists = errors.New("output file exists")

// checkOutput refuses an output that exists unless overwriting is allowed.
func checkOutput(path string, overwrite bool) error {
	if overwrite {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: %s (allow overwriting to replace it)", ErrOutputExists, path)
	}
	return nil
}

// ErrStopped marks documents not signed because the batch stopped.
var ErrStopped = errors.New("not signed: the batch stopped before this document")

// Job is one document to sign.
type Job struct {
	Input, Output string
}

// Result is what became of one Job.
type Result struct {
	Job
	Err error
}

// BatchOptions control a batch.
type BatchOptions struct {
	PDF pdf.Options
	// Overwrite allows replacing existing output files.
	Overwrite bool
	// Progress is called before each document (done of total finished)
	// and once at the end with done == total.
	Progress func(done, total int, current string)
	// Level B-LT or B-LTA extends each signed document with validation
	// data (and a document timestamp); B-B and B-T need nothing more.
	Level pdf.Level
	// LTV says where validation data comes from, for B-LT and B-LTA.
	LTV pdf.LTVOptions
	// Stop, once closed, lets the document being signed finish and starts
	// no other (a person's "stop after this document"); cancelling ctx
	// stops at once.
	Stop <-chan struct{}
	// Passwords asks for the password of an encrypted document that
	// PDF.Password ("" by default, which opens most) does not open, or
	// whose permissions want the owner password; nil: such a document
	// fails.
	Passwords prompt.Prompter
}

// ErrStopRequested is why documents were left when the person stopped
// the batch.
var ErrStopRequested = errors.New("you stopped the batch")

// OutputPath names the signed copy of in: in dir (or beside in when dir
// is empty) as "<name>-signed.pdf", or as "<name>.pdf" when dir is given
// and differs from in's directory.
func OutputPath(in, dir string) string {
	return OutputPathSuffix(in, dir, "-signed")
}

// OutputPathSuffix is [OutputPath] with another suffix than "-signed"
// (a setting of the app).
func OutputPathSuffix(in, dir, suffix string) string {
	base := filepath.Base(in)
	if dir != "" && filepath.Clean(dir) != filepath.Dir(in) {
		return filepath.Join(dir, base)
	}
	if suffix == "" {
		suffix = "-signed"
	}
	name := strings.TrimSuffix(base, filepath.Ext(base))
	return filepath.Join(filepath.Dir(in), name+suffix+".pdf")
}

// SignPDFs signs each job's input with signer. The key stays open for the
// whole batch, so a token asks its PIN once; keys that want a PIN per
// signature ask it per document. A document that fails does not stop the
// others, except when the failure concerns the key itself (wrong or
// locked PIN, token removed, the person cancelled): then the remaining
// documents are left unsigned, so that no PIN is tried again by itself.
func SignPDFs(ctx context.Context, signer keys.Signer, jobs []Job, opts BatchOptions) []Result {
	results := make([]Result, len(jobs))
	stopped := error(nil)
	for i, job := range jobs {
		results[i].Job = job
		if opts.Progress != nil {
			opts.Progress(i, len(jobs), job.Input)
		}
		if stopped != nil {
			results[i].Err = fmt.Errorf("%w (%w)", ErrStopped, stopped)
			continue
		}
		if err := ctx.Err(); err != nil {
			stopped = err
			results[i].Err = fmt.Errorf("%w (%w)", ErrStopped, err)
			continue
		}
		select {
		case <-opts.Stop:
			stopped = ErrStopRequested
			results[i].Err = fmt.Errorf("%w (%w)", ErrStopped, stopped)
			continue
		default:
		}
		err := signOne(ctx, signer, job, opts)
		results[i].Err = err
		if KeyFailure(err) {
			stopped = err
		}
	}
	if opts.Progress != nil {
		opts.Progress(len(jobs), len(jobs), "")
	}
	return results
}

func signOne(ctx context.Context, signer keys.Signer, job Job, opts BatchOptions) error {
	if err := checkOutput(job.Output, opts.Overwrite); err != nil {
		return err
	}
	password, err := unlock(ctx, opts.Passwords, job.Input, opts.PDF.Password, true)
	if err != nil {
		return err
	}
	o, ltv := opts.PDF, opts.LTV
	o.Password, ltv.Password = password, password
	if err := pdf.SignFile(ctx, job.Input, job.Output, signer, signer.Chain(), o); err != nil {
		return err
	}
	return extendInPlace(ctx, job.Output, opts.Level, o.Timestamper, ltv)
}

// extendInPlace extends a signed file to level B-LT or B-LTA (other
// levels need nothing more), atomically: on failure the signed file
// stays as it was, and a *PartlySignedError says what is missing.
func extendInPlace(ctx context.Context, path string, level pdf.Level, ts pdf.Timestamper, ltv pdf.LTVOptions) error {
	if level != pdf.LevelBLT && level != pdf.LevelBLTA {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		return pdf.Extend(ctx, f, info.Size(), w, level, ts, ltv)
	})
	if err != nil {
		reached := pdf.LevelBB
		if ts != nil {
			reached = pdf.LevelBT
		}
		return &PartlySignedError{Output: path, Reached: reached, Wanted: level, Err: err}
	}
	return nil
}

// PartlySignedError: the document was signed and written, at a lower
// level than asked, because adding validation data (or the document
// timestamp) failed. The output is a valid signed file.
type PartlySignedError struct {
	Output          string
	Reached, Wanted pdf.Level
	Err             error
}

func (e *PartlySignedError) Error() string {
	return fmt.Sprintf("signed at %s and written to %s, but not extended to %s: %v", e.Reached, e.Output, e.Wanted, e.Err)
}

func (e *PartlySignedError) Unwrap() error { return e.Err }

// PartlySigned reports whether err left a signed output at a lower level
// than asked.
func PartlySigned(err error) bool {
	var p *PartlySignedError
	return errors.As(err, &p)
}

// BatchKeyFailure is the key's failure that left every document of a
// batch unsigned (a wrong PIN, a card pulled out), or nil: front ends say
// it once rather than once per document.
func BatchKeyFailure(results []Result) error {
	for _, r := range results {
		if r.Err == nil {
			return nil
		}
	}
	for _, r := range results {
		if !errors.Is(r.Err, ErrStopped) {
			if KeyFailure(r.Err) {
				return r.Err
			}
			return nil
		}
	}
	return nil
}

// KeyFailure tells errors that concern the key, not the document: a
// wrong or locked PIN, a token pulled out, a cancelled prompt. A batch
// stops at them, and the app shows them once instead of per document.
func KeyFailure(err error) bool {
	var pinErr *pkcs11.PINError
	return errors.As(err, &pinErr) ||
		errors.Is(err, pkcs11.ErrPINLocked) ||
		errors.Is(err, pkcs11.ErrTokenRemoved) ||
		errors.Is(err, pkcs11.ErrNotLoggedIn) ||
		errors.Is(err, prompt.ErrCancelled) ||
		errors.Is(err, keys.ErrWrongPassword) ||
		errors.Is(err, context.Canceled)
}
