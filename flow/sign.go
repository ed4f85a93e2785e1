package flow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

// ErrOutputExists reports an output file that exists and may not be
// overwritten.
var ErrOutputExists = i18n.Errorf("err.output_exists", nil)

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
var ErrStopped = i18n.Errorf("err.stopped", nil)

// Job is one document to sign.
type Job struct {
	Input, Output string
	// Doc overrides the batch's signature details for this document;
	// nil keeps them.
	Doc *DocOptions
}

// DocOptions are the signature details one document of a batch may have
// of its own (a line of `signet sign --from`); empty ones keep the
// batch's.
type DocOptions struct {
	Reason      string `json:"reason,omitempty"`
	Location    string `json:"location,omitempty"`
	ContactInfo string `json:"contact,omitempty"`
	Name        string `json:"name,omitempty"`
	FieldName   string `json:"field,omitempty"`
}

// apply sets o's details from d.
func (d *DocOptions) apply(o *pdf.Options) {
	if d == nil {
		return
	}
	for _, f := range []struct {
		dst *string
		v   string
	}{
		{&o.Reason, d.Reason}, {&o.Location, d.Location}, {&o.ContactInfo, d.ContactInfo}, {&o.Name, d.Name}, {&o.FieldName, d.FieldName},
	} {
		if f.v != "" {
			*f.dst = f.v
		}
	}
}

// Result is what became of one Job.
type Result struct {
	Job
	Err error
	// Took is how long the document took, from its start to its output
	// written (zero for a document the batch stopped before).
	Took time.Duration
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
	// Jobs is how many documents are signed at once (0 or 1: one at a
	// time), within what the key allows ([keys.Concurrency]): a token key
	// signs in as many sessions, a key that asks a PIN before every
	// signature one document at a time (Notice says so). Results and
	// Progress stay in input order.
	Jobs int
	// Notice receives what the person should know of how the batch runs.
	Notice func(string)
	// OnResult receives each document's result as soon as it and those
	// before it are done: in input order, while the batch runs.
	OnResult func(Result)
	// Passwords asks for the password of an encrypted document that
	// PDF.Password ("" by default, which opens most) does not open, or
	// whose permissions want the owner password; nil: such a document
	// fails.
	Passwords prompt.Prompter
}

// ErrStopRequested is why documents were left when the person stopped
// the batch.
var ErrStopRequested = i18n.Errorf("err.stop_requested", nil)

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
	ext := ".pdf"
	if IsContainer(in) {
		ext = filepath.Ext(base) // a container stays the kind it was (.edoc, .asice…)
	}
	name := strings.TrimSuffix(base, filepath.Ext(base))
	return filepath.Join(filepath.Dir(in), name+suffix+ext)
}

// SignPDFs signs each job's input with signer. The key stays open for the
// whole batch, so a token asks its PIN once; keys that want a PIN per
// signature ask it per document. A document that fails does not stop the
// others, except when the failure concerns the key itself (wrong or
// locked PIN, token removed, the person cancelled): then the documents not
// started are left unsigned, so that no PIN is tried again by itself; the
// ones finished stay signed, and none is left half-written.
//
// Documents are signed opts.Jobs at a time once the first signature has
// logged in (one PIN prompt, and the key then tells how many signatures it
// makes at once).
func SignPDFs(ctx context.Context, signer keys.Signer, jobs []Job, opts BatchOptions) []Result {
	return Batch(ctx, signer, jobs, opts, func(i int) error { return signOne(ctx, signer, jobs[i], opts) })
}

// Batch runs sign for each job as [SignPDFs] does: one at a time until a
// signature logs in, then opts.Jobs at once within what signer allows;
// stopping at a failure of the key, at opts.Stop or when ctx ends;
// results and progress in input order. The agent signs its batches of
// documents in memory through it.
func Batch(ctx context.Context, signer keys.Signer, jobs []Job, opts BatchOptions, sign func(i int) error) []Result {
	b := &batch{ctx: ctx, opts: opts, jobs: jobs, results: make([]Result, len(jobs)), done: make([]bool, len(jobs))}
	for i, job := range jobs {
		b.results[i].Job = job
	}
	if opts.Progress != nil && len(jobs) > 0 {
		opts.Progress(0, len(jobs), jobs[0].Input)
	}
	// One at a time until a signature is made: the login, and what the
	// key can do at once, are known then.
	i := 0
	for i < len(jobs) {
		err := b.do(i, sign)
		i++
		if err == nil || PartlySigned(err) {
			break
		}
	}
	workers := min(max(opts.Jobs, 1), keys.Concurrency(signer), len(jobs)-i)
	if opts.Jobs > 1 && keys.Concurrency(signer) == 1 && i < len(jobs) && opts.Notice != nil {
		if a, ok := signer.(interface{ AlwaysAuthenticate() bool }); ok && a.AlwaysAuthenticate() {
			opts.Notice(i18n.T("flow.notice.pin_each"))
		} else {
			opts.Notice(i18n.T("flow.notice.one_at_a_time"))
		}
	}
	if workers <= 1 {
		for ; i < len(jobs); i++ {
			b.do(i, sign)
		}
		return b.results
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				b.do(j, sign)
			}
		}()
	}
	for ; i < len(jobs); i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return b.results
}

// batch is a SignPDFs run: its results, why it stopped, and how far
// Progress has told, in input order.
type batch struct {
	ctx     context.Context
	opts    BatchOptions
	jobs    []Job
	results []Result

	mu       sync.Mutex
	stopped  error
	done     []bool
	reported int
}

// do signs document i, unless the batch stopped, and records the result.
func (b *batch) do(i int, sign func(int) error) error {
	err := b.stopReason()
	if err != nil {
		err = fmt.Errorf("%w (%w)", ErrStopped, err)
	} else {
		start := time.Now()
		err = sign(i)
		b.results[i].Took = time.Since(start)
		if KeyFailure(err) {
			b.stop(err)
		}
	}
	b.results[i].Err = err
	b.finish(i)
	return err
}

// stopReason is why no document may start now, or nil.
func (b *batch) stopReason() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped != nil {
		return b.stopped
	}
	if err := b.ctx.Err(); err != nil {
		b.stopped = err
		return err
	}
	select {
	case <-b.opts.Stop:
		b.stopped = ErrStopRequested
		return b.stopped
	default:
	}
	return nil
}

func (b *batch) stop(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped == nil {
		b.stopped = err
	}
}

// finish marks document i done and tells Progress of the documents done
// in input order.
func (b *batch) finish(i int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done[i] = true
	n := len(b.jobs)
	for b.reported < n && b.done[b.reported] {
		if b.opts.OnResult != nil {
			b.opts.OnResult(b.results[b.reported])
		}
		b.reported++
		if b.opts.Progress == nil {
			continue
		}
		if b.reported < n {
			b.opts.Progress(b.reported, n, b.jobs[b.reported].Input)
		} else {
			b.opts.Progress(n, n, "")
		}
	}
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
	job.Doc.apply(&o)
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
		errors.Is(err, pkcs11.ErrKeyGone) ||
		errors.Is(err, pkcs11.ErrNotLoggedIn) ||
		errors.Is(err, prompt.ErrCancelled) ||
		errors.Is(err, keys.ErrWrongPassword) ||
		errors.Is(err, context.Canceled)
}
