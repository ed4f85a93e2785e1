package flow

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// ContainerOptions say how a container signature is made.
type ContainerOptions struct {
	// Level is the XAdES baseline level: B-B (the default), B-T, B-LT,
	// B-LTA; above B-B it needs Timestamper.
	Level       pdf.Level
	Timestamper pdf.Timestamper
	// LTV says where B-LT's validation data comes from.
	LTV pdf.LTVOptions
	// Overwrite allows replacing an existing output.
	Overwrite bool
}

// SignContainer signs files (any kind, by their base names) into a new
// ASiC-E container at out with signer: a XAdES baseline signature at
// opts.Level. The container is read back and its signature verified
// before it is written (atomically). When the signature is made but the
// level cannot be reached (the TSA or a responder fails), the container
// is written at the level reached and a *PartlySignedError says so.
func SignContainer(ctx context.Context, signer keys.Signer, files []string, out string, opts ContainerOptions) error {
	if err := checkOutput(out, opts.Overwrite); err != nil {
		return err
	}
	var data []asice.File
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		if seen[name] {
			return fmt.Errorf("two files are named %s: a container holds each name once", name)
		}
		seen[name] = true
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		data = append(data, asice.File{Name: name, Data: b})
	}
	name, doc, reached, extendErr := containerSignature(ctx, signer, data, 0, opts)
	if doc == nil {
		return extendErr
	}
	container, err := asice.Write(data, map[string][]byte{name: doc})
	if err != nil {
		return err
	}
	return writeContainer(ctx, out, container, signer, name, len(data), reached, opts.Level, extendErr)
}

// AddContainerSignature adds a signature by signer over every data file
// of the container at in, written as a new container at out: the
// container's files, manifest and signatures stay byte for byte as they
// were. A container whose structure fails its checks is not signed.
func AddContainerSignature(ctx context.Context, signer keys.Signer, in, out string, opts ContainerOptions) error {
	if err := checkOutput(out, opts.Overwrite); err != nil {
		return err
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	c, err := asice.Open(bytes.NewReader(raw), int64(len(raw)), asice.Limits{})
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(in), err)
	}
	for _, k := range c.Checks {
		if k.Status == asice.Failed {
			return fmt.Errorf("%s is not a sound container, so it is not signed: %s: %s", filepath.Base(in), k.Name, k.Detail)
		}
	}
	if len(c.Files) == 0 {
		return fmt.Errorf("%s holds no data files to sign", filepath.Base(in))
	}
	name, doc, reached, extendErr := containerSignature(ctx, signer, c.Files, c.NextIndex(), opts)
	if doc == nil {
		return extendErr
	}
	container, err := asice.AddSignature(bytes.NewReader(raw), int64(len(raw)), name, doc)
	if err != nil {
		return err
	}
	return writeContainer(ctx, out, container, signer, name, len(c.Files), reached, opts.Level, extendErr)
}

// containerSignature makes a signature document numbered index over files
// and extends it to opts.Level. A nil doc means nothing was signed; a doc
// with an error is a signature at the lower level reached.
func containerSignature(ctx context.Context, signer keys.Signer, files []asice.File, index int, opts ContainerOptions) (string, []byte, pdf.Level, error) {
	if opts.Level != "" && opts.Level != pdf.LevelBB && opts.Timestamper == nil {
		return "", nil, "", fmt.Errorf("XAdES %s needs a timestamp authority", opts.Level)
	}
	p, err := asice.Prepare(files, signer.Certificate(), time.Now(), asice.PrepareOptions{Index: index, Chain: signer.Chain()})
	if err != nil {
		return "", nil, "", err
	}
	sig, err := signer.SignContext(ctx, p.Digest(), crypto.SHA256)
	if err != nil {
		return "", nil, "", err
	}
	doc, err := p.Signature(sig)
	if err != nil {
		return "", nil, "", err
	}
	doc, reached, err := asice.Extend(ctx, doc, files, opts.Level, opts.Timestamper, opts.LTV)
	return p.Name(), doc, reached, err
}

// writeContainer reads the container back — sound, its signature document
// name holding one signature that covers files files and verifies — and
// writes it to out atomically. extendErr, the reason the level was not
// reached, becomes a *PartlySignedError once the container is written.
func writeContainer(ctx context.Context, out string, container []byte, signer keys.Signer, name string, files int, reached, wanted pdf.Level, extendErr error) error {
	err := atomicfile.WriteChecked(out, func(w io.Writer) error {
		_, err := w.Write(container)
		return err
	}, func(r io.ReaderAt, size int64) error {
		c, err := asice.Open(r, size, asice.Limits{})
		if err != nil {
			return err
		}
		// Trust is not this check's business (the person's verify is):
		// the structure, references, value and binding are.
		// Only the new signature document: the earlier ones are as they
		// were, and each could cost what its author made it cost.
		ours := c.VerifyDocument(ctx, name, asice.VerifyOptions{Intermediates: signer.Chain()})
		if !c.Valid() || len(ours) != 1 || len(ours[0].Covers) != files {
			return fmt.Errorf("the container does not read back as signed (%v)", c.Checks)
		}
		for _, k := range ours[0].Checks {
			if k.Status == asice.Failed && (k.Name == "references" || k.Name == "signature" || k.Name == "signing certificate") {
				return fmt.Errorf("the container's signature does not verify: %s: %s", k.Name, k.Detail)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if extendErr != nil {
		return &PartlySignedError{Output: out, Reached: reached, Wanted: wanted, Err: extendErr}
	}
	return nil
}

// AddContainerSignatures adds a signature by signer to each job's
// container, one after the other, in order. As for PDFs, a failure of the
// key itself (wrong PIN, token gone, cancelled) leaves the containers not
// started unsigned with ErrStopped; any other failure stays with its
// container.
func AddContainerSignatures(ctx context.Context, signer keys.Signer, jobs []Job, opts ContainerOptions) []Result {
	results := make([]Result, len(jobs))
	stopped := false
	for i, j := range jobs {
		results[i].Job = j
		if stopped {
			results[i].Err = ErrStopped
			continue
		}
		start := time.Now()
		err := AddContainerSignature(ctx, signer, j.Input, j.Output, opts)
		results[i].Err, results[i].Took = err, time.Since(start)
		if err != nil && !PartlySigned(err) && (KeyFailure(err) || ctx.Err() != nil) {
			stopped = true
		}
	}
	return results
}

// ContainerJob is files signed into one new container at Output.
type ContainerJob struct {
	Files  []string
	Output string
}

// SigningPlan is what signing a list of documents with one's own key
// does: PDFs get a PAdES signature, containers a signature added, and
// the other files — with the PDFs too when asked — go into one new
// container.
type SigningPlan struct {
	PDFs       []Job
	Containers []Job
	New        *ContainerJob
}

// NeedsOwnKey tells whether the plan signs containers, which only one's
// own key (card, token, key file) does, not a signing service.
func (p SigningPlan) NeedsOwnKey() bool {
	return len(p.Containers) > 0 || p.New != nil
}

// Outputs are every file the plan writes.
func (p SigningPlan) Outputs() []string {
	var out []string
	for _, j := range append(slices.Clone(p.PDFs), p.Containers...) {
		out = append(out, j.Output)
	}
	if p.New != nil {
		out = append(out, p.New.Output)
	}
	return out
}

// PlanSigning sorts paths into a plan, the outputs named as
// [OutputPathSuffix] names them; a new container is named after its first
// file, with the extension .edoc (what Latvian and Estonian recipients
// open).
func PlanSigning(paths []string, asContainer bool, dir, suffix string) SigningPlan {
	var p SigningPlan
	var loose []string
	for _, in := range paths {
		switch {
		case IsContainer(in):
			p.Containers = append(p.Containers, Job{Input: in, Output: OutputPathSuffix(in, dir, suffix)})
		case IsPDFFile(in) && !asContainer:
			p.PDFs = append(p.PDFs, Job{Input: in, Output: OutputPathSuffix(in, dir, suffix)})
		default:
			loose = append(loose, in)
		}
	}
	if len(loose) > 0 {
		first := OutputPathSuffix(loose[0], dir, suffix)
		p.New = &ContainerJob{Files: loose, Output: strings.TrimSuffix(first, filepath.Ext(first)) + ".edoc"}
	}
	return p
}

// SignPlan carries out the plan with signer: the PDFs as a batch (opts),
// then each container, then the new one. The results are in that order;
// the new container's Input names its files. A key failure stops what is
// not started.
func SignPlan(ctx context.Context, signer keys.Signer, p SigningPlan, opts BatchOptions) []Result {
	copts := ContainerOptions{Level: opts.Level, Timestamper: opts.PDF.Timestamper, LTV: opts.LTV, Overwrite: opts.Overwrite}
	var results []Result
	if len(p.PDFs) > 0 {
		results = SignPDFs(ctx, signer, p.PDFs, opts)
	}
	stopped := BatchKeyFailure(results) != nil || slices.ContainsFunc(results, func(r Result) bool { return errors.Is(r.Err, ErrStopped) })
	if len(p.Containers) > 0 {
		if stopped {
			for _, j := range p.Containers {
				results = append(results, Result{Job: j, Err: ErrStopped})
			}
		} else {
			rs := AddContainerSignatures(ctx, signer, p.Containers, copts)
			results = append(results, rs...)
			stopped = slices.ContainsFunc(rs, func(r Result) bool { return errors.Is(r.Err, ErrStopped) || KeyFailure(r.Err) })
		}
	}
	if p.New != nil {
		job := Job{Input: strings.Join(p.New.Files, ", "), Output: p.New.Output}
		if stopped {
			return append(results, Result{Job: job, Err: ErrStopped})
		}
		start := time.Now()
		err := SignContainer(ctx, signer, p.New.Files, p.New.Output, copts)
		results = append(results, Result{Job: job, Err: err, Took: time.Since(start)})
	}
	return results
}
