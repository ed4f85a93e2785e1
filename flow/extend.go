package flow

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
)

// ExtendOptions control extending signed PDFs for the long term.
type ExtendOptions struct {
	// Level is B-LT (validation data) or B-LTA (and a document
	// timestamp).
	Level pdf.Level
	// Renew requires each file to be B-LTA already and adds fresh
	// validation data for its newest document timestamp and a new one,
	// so the archive outlives that timestamp's certificate.
	Renew       bool
	Timestamper pdf.Timestamper
	LTV         pdf.LTVOptions
	// Verify checks each result: every signature that was intact stays
	// so, at the level asked.
	Verify pdf.VerifyOptions
	// Backup, for a job whose output is its input (in place): the
	// original is first copied to Input+Backup, which must not exist.
	Backup    string
	Overwrite bool
	Progress  func(done, total int, current string)
	// Password opens encrypted documents ("" opens most); Passwords asks
	// for the ones it does not (see [BatchOptions.Passwords]).
	Password  string
	Passwords prompt.Prompter
}

// ErrNotArchive reports a renewal asked of a file that is not B-LTA.
var ErrNotArchive = i18n.Errorf("err.not_archive", nil)

// ExtendPDFs extends signed PDFs — whoever signed them — to B-LT or
// B-LTA: validation data for every signature and timestamp, then a
// document timestamp for B-LTA. Each output is written only once checked
// (the signatures intact before are intact after, the level reached);
// in place, the original is kept as a backup first. A file that fails
// does not stop the others.
func ExtendPDFs(ctx context.Context, jobs []Job, opts ExtendOptions) []Result {
	results := make([]Result, len(jobs))
	if opts.Renew {
		opts.Level = pdf.LevelBLTA
	}
	for i, job := range jobs {
		results[i].Job = job
		if opts.Progress != nil {
			opts.Progress(i, len(jobs), job.Input)
		}
		if err := ctx.Err(); err != nil {
			results[i].Err = fmt.Errorf("%w (%w)", ErrStopped, err)
			continue
		}
		results[i].Err = extendOne(ctx, job, opts)
	}
	if opts.Progress != nil {
		opts.Progress(len(jobs), len(jobs), "")
	}
	return results
}

func extendOne(ctx context.Context, job Job, opts ExtendOptions) error {
	if opts.Level != pdf.LevelBLT && opts.Level != pdf.LevelBLTA {
		return fmt.Errorf("extend to B-LT or B-LTA, not %q", opts.Level)
	}
	inPlace := sameFile(job.Input, job.Output)
	if !inPlace {
		if err := checkOutput(job.Output, opts.Overwrite); err != nil {
			return err
		}
	}
	if IsContainer(job.Input) {
		return extendContainer(ctx, job, inPlace, opts)
	}
	// B-LTA adds a document timestamp, a signature field: the
	// permissions must allow one.
	password, err := unlock(ctx, opts.Passwords, job.Input, opts.Password, opts.Level == pdf.LevelBLTA)
	if err != nil {
		return err
	}
	opts.Verify.Password, opts.LTV.Password = password, password
	f, err := os.Open(job.Input)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	before, err := pdf.Verify(ctx, f, info.Size(), opts.Verify)
	if err != nil {
		return err
	}
	if opts.Renew && !isArchive(before) {
		return fmt.Errorf("%w: %s is %s", ErrNotArchive, job.Input, levelOf(before))
	}
	if err := backupFirst(job, inPlace, opts.Backup); err != nil {
		return err
	}
	return atomicfile.WriteChecked(job.Output, func(w io.Writer) error {
		return pdf.Extend(ctx, f, info.Size(), w, opts.Level, opts.Timestamper, opts.LTV)
	}, func(r io.ReaderAt, size int64) error {
		after, err := pdf.Verify(ctx, r, size, opts.Verify)
		if err != nil {
			return err
		}
		for i, s := range before.Signatures {
			if intact(s) == nil && (i >= len(after.Signatures) || intact(after.Signatures[i]) != nil) {
				return fmt.Errorf("extending would break the signature %s", s.Field)
			}
		}
		if got := levelOf(after); got != "" && got != string(opts.Level) {
			return fmt.Errorf("extended, the signatures are at %s, not %s", got, opts.Level)
		}
		if after.Revisions <= before.Revisions {
			return errors.New("extending added nothing")
		}
		return nil
	})
}

// extendContainer extends every signature of a container; the output is
// written only once every signature valid before is valid after, at the
// level asked. Renewing requires every signature at B-LTA already (a new
// archive timestamp is added over each).
func extendContainer(ctx context.Context, job Job, inPlace bool, opts ExtendOptions) error {
	raw, err := os.ReadFile(job.Input)
	if err != nil {
		return err
	}
	verify := func(data []byte) (*ContainerReport, error) {
		c, err := asice.Open(bytes.NewReader(data), int64(len(data)), asice.Limits{})
		if err != nil {
			return nil, err
		}
		rep := &ContainerReport{Checks: c.Checks}
		rep.Signatures = c.Verify(ctx, asice.VerifyOptions{Roots: opts.Verify.Roots, ExtraRoots: opts.Verify.ExtraRoots, Issuers: opts.Verify.Issuers})
		return rep, nil
	}
	before, err := verify(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(job.Input), err)
	}
	if opts.Renew {
		for _, s := range before.Signatures {
			if s.Level != string(pdf.LevelBLTA) {
				return fmt.Errorf("%w: %s has a signature at %s", ErrNotArchive, job.Input, cmp.Or(s.Level, "no level"))
			}
		}
	}
	extended, err := asice.ExtendContainer(ctx, bytes.NewReader(raw), int64(len(raw)), opts.Level, opts.Timestamper, opts.LTV)
	if err != nil {
		return err
	}
	if err := backupFirst(job, inPlace, opts.Backup); err != nil {
		return err
	}
	return atomicfile.WriteChecked(job.Output, func(w io.Writer) error {
		_, err := w.Write(extended)
		return err
	}, func(r io.ReaderAt, size int64) error {
		data := make([]byte, size)
		if _, err := r.ReadAt(data, 0); err != nil {
			return err
		}
		after, err := verify(data)
		if err != nil {
			return err
		}
		if len(after.Signatures) != len(before.Signatures) {
			return errors.New("extending changed the number of signatures")
		}
		for i, s := range before.Signatures {
			if !s.Valid {
				continue
			}
			if !after.Signatures[i].Valid {
				return fmt.Errorf("extending would break the signature %s", cmp.Or(s.ID, s.File))
			}
			if after.Signatures[i].Level != string(opts.Level) {
				return fmt.Errorf("extended, the signature %s is at %s, not %s", cmp.Or(s.ID, s.File), after.Signatures[i].Level, opts.Level)
			}
		}
		return nil
	})
}

// isArchive: the document ends with a document timestamp over
// validation data.
func isArchive(r *pdf.Report) bool { return levelOf(r) == string(pdf.LevelBLTA) }

// levelOf is the PAdES level the document's signatures reach together:
// the lowest of its PAdES signatures'. Other signatures (adbe.pkcs7.*,
// as poppler's pdfsig makes) have no PAdES level; a document of only
// those has "".
func levelOf(r *pdf.Report) string {
	order := map[string]int{"B-B": 0, "B-T": 1, "B-LT": 2, "B-LTA": 3}
	lowest := ""
	for _, s := range r.Signatures {
		if s.SubFilter != string(pdf.PAdES) {
			continue
		}
		if lowest == "" || order[s.Level] < order[lowest] {
			lowest = s.Level
		}
	}
	return lowest
}

// ExtendChoices are the document's level (its signatures' lowest, "" when
// it has no PAdES signature or no report) and the levels it can be
// extended to: those above it, and for a B-LTA document B-LTA again (a
// renewal: fresh validation data and a new document timestamp).
func ExtendChoices(r *pdf.Report) (current pdf.Level, levels []pdf.Level) {
	if r != nil {
		current = pdf.Level(levelOf(r))
	}
	switch current {
	case pdf.LevelBT:
		return current, []pdf.Level{pdf.LevelBLT, pdf.LevelBLTA}
	case pdf.LevelBLT, pdf.LevelBLTA:
		return current, []pdf.Level{pdf.LevelBLTA}
	}
	return current, []pdf.Level{pdf.LevelBT, pdf.LevelBLT, pdf.LevelBLTA}
}

func sameFile(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

// backupFirst, for a job extended in place, copies its input to
// Input+backup first.
func backupFirst(job Job, inPlace bool, backup string) error {
	if !inPlace {
		return nil
	}
	if backup == "" {
		return errors.New("extending in place needs a backup of the original")
	}
	return copyNew(job.Input, job.Input+backup)
}

// copyNew copies src to dst, which must not exist, atomically.
func copyNew(src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("backup: %s exists already", dst)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := atomicfile.Write(dst, func(w io.Writer) error { _, err := io.Copy(w, in); return err }); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// ArchiveWarning says when an archive's newest timestamp certificate
// expires within window of now (or has expired): time to renew. "" when
// there is no document timestamp or the date is further away.
func ArchiveWarning(r *pdf.Report, now time.Time, window time.Duration) error {
	exp := r.ArchiveExpires()
	switch {
	case exp.IsZero():
		return nil
	case now.After(exp):
		return i18n.Errorf("flow.archive.expired", map[string]any{"When": i18n.Day(exp)})
	case exp.Sub(now) <= window:
		return i18n.Errorf("flow.archive.expires", map[string]any{"When": i18n.Day(exp), "Days": int(exp.Sub(now).Hours() / 24)})
	}
	return nil
}
