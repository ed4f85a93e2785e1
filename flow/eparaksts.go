package flow

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/remote/eparaksts"
)

// ErrNoAuthCertificate reports a card without an authentication
// certificate, which eParaksts needs to finalize.
var ErrNoAuthCertificate = i18n.Errorf("err.no_auth_cert", nil)

// ToSign is one digest about to be signed, as the person is shown it.
type ToSign struct {
	Document  string
	SessionID string
	Digest    []byte
	Algorithm string
}

// EParakstsOptions control an eParaksts signing.
type EParakstsOptions struct {
	// Archive adds an archive timestamp after finalizing.
	Archive bool
	// Confirm is shown what is about to be signed, before any PIN is
	// asked; an error cancels everything. Nil signs without asking.
	Confirm func(ctx context.Context, items []ToSign) error
	// Verify are the trust settings of the local verification of the
	// signed documents.
	Verify pdf.VerifyOptions
	// Overwrite allows replacing existing output files.
	Overwrite bool
	// Container asks for an ASiC-E container (.edoc) with a XAdES
	// signature instead of a signed PDF.
	Container bool
}

// EParakstsResult is what became of one document.
type EParakstsResult struct {
	Result
	SessionID string
	// Signature is Signet's own verification of the new signature (PDF).
	Signature *pdf.SignatureReport
	// Contents lists the files of an ASiC-E container.
	Contents []string
}

// ContainerPath names the ASiC-E container of in: NAME.edoc in dir, or
// beside in when dir is empty.
func ContainerPath(in, dir string) string {
	if dir == "" {
		dir = filepath.Dir(in)
	}
	base := filepath.Base(in)
	return filepath.Join(dir, strings.TrimSuffix(base, filepath.Ext(base))+".edoc")
}

// digestHashes maps the API's algorithm names to hashes.
var digestHashes = map[string]crypto.Hash{"SHA256": crypto.SHA256, "SHA384": crypto.SHA384, "SHA512": crypto.SHA512}

// SignWithEParaksts signs PDFs through the eParaksts Signing API with the
// person's card: signer holds the signing key, authCert is the same card's
// authentication certificate. Each document's fate is reported on its own;
// a key failure (wrong PIN, card removed, cancelled) stops the signing of
// the rest, and finalizeSigning is never sent twice.
func SignWithEParaksts(ctx context.Context, c *eparaksts.Client, signer keys.Signer, authCert *x509.Certificate, jobs []Job, opts EParakstsOptions) []EParakstsResult {
	results, docIDs := newResults(jobs)
	// Sessions are closed whatever happens: the service deletes the files.
	defer closeAll(ctx, c, results)

	// 1. A session per document, with the document uploaded.
	uploadAll(ctx, c, results, docIDs, opts.Overwrite)
	// 2. The data to sign, for the card's signing certificate.
	idx, sessions := pendingSessions(results)
	if len(idx) == 0 {
		return results
	}
	digests, err := c.CalculateDigest(ctx, sessions, signer.Certificate(), !opts.Container, false)
	if err != nil {
		failAll(results, idx, err)
		return results
	}
	h, ok := digestHashes[strings.ToUpper(strings.ReplaceAll(digests.Algorithm, "-", ""))]
	if !ok {
		failAll(results, idx, fmt.Errorf("%w: digest algorithm %q", eparaksts.ErrBadResponse, digests.Algorithm))
		return results
	}
	bySession := map[string]eparaksts.SessionDigest{}
	for _, d := range digests.SessionDigests {
		bySession[d.SessionID] = d
	}
	var items []ToSign
	var itemIdx []int
	for _, i := range idx {
		d, ok := bySession[results[i].SessionID]
		if !ok {
			results[i].Err = fmt.Errorf("%w: no digest for this document's session", eparaksts.ErrBadResponse)
			continue
		}
		if err := d.Err(); err != nil {
			results[i].Err = err
			continue
		}
		digest, err := d.Bytes()
		if err == nil && len(digest) != h.Size() {
			err = fmt.Errorf("%w: the digest is %d bytes, a %v digest is %d", eparaksts.ErrBadResponse, len(digest), h, h.Size())
		}
		if err != nil {
			results[i].Err = err
			continue
		}
		items = append(items, ToSign{Document: filepath.Base(jobs[i].Input), SessionID: d.SessionID, Digest: digest, Algorithm: h.String()})
		itemIdx = append(itemIdx, i)
	}
	if len(items) == 0 {
		return results
	}

	// 3. The person sees what is signed before any PIN is asked.
	if opts.Confirm != nil {
		if err := opts.Confirm(ctx, items); err != nil {
			failAll(results, itemIdx, err)
			return results
		}
	}

	// 4. The card signs each digest.
	var values []eparaksts.SignatureValue
	var signedIdx []int
	var stopped error
	for k, item := range items {
		i := itemIdx[k]
		if stopped != nil {
			results[i].Err = fmt.Errorf("%w (%v)", ErrStopped, stopped)
			continue
		}
		sig, err := signer.SignContext(ctx, item.Digest, h)
		if err != nil {
			results[i].Err = err
			if KeyFailure(err) {
				stopped = err
			}
			continue
		}
		values = append(values, eparaksts.SignatureValue{SessionID: item.SessionID, SignatureValue: encodeB64(sig)})
		signedIdx = append(signedIdx, i)
	}
	if len(values) == 0 {
		return results
	}

	// 5. Finalize once; a failure is reported, never retried.
	final, err := c.FinalizeSigning(ctx, values, authCert)
	if err != nil {
		failAll(results, signedIdx, fmt.Errorf("finalize: %w", err))
		return results
	}
	applyResults(results, signedIdx, final)

	// 6. Optionally an archive timestamp.
	if opts.Archive {
		var archiveIdx []int
		var ids []string
		for _, i := range signedIdx {
			if results[i].Err == nil {
				archiveIdx, ids = append(archiveIdx, i), append(ids, results[i].SessionID)
			}
		}
		if len(ids) > 0 {
			res, err := c.AddArchive(ctx, ids, authCert)
			if err != nil {
				failAll(results, archiveIdx, fmt.Errorf("archive timestamp: %w", err))
			} else {
				applyResults(results, archiveIdx, res)
			}
		}
	}

	// 7. Download, verify locally, write.
	if opts.Container {
		downloadContainers(ctx, c, results, docIDs, signedIdx, signer.Certificate())
	} else {
		downloadAll(ctx, c, results, docIDs, signedIdx, signer.Certificate(), opts.Verify)
	}
	return results
}

// downloadContainers fetches ASiC-E containers, checks that each is one
// and holds the document with an intact signature by cert, lists its
// files, and writes it.
func downloadContainers(ctx context.Context, c *eparaksts.Client, results []EParakstsResult, docIDs []string, idx []int, cert *x509.Certificate) {
	for _, i := range idx {
		if results[i].Err != nil {
			continue
		}
		data, err := c.Download(ctx, results[i].SessionID, docIDs[i])
		if err != nil {
			results[i].Err = fmt.Errorf("download the container: %w", err)
			continue
		}
		contents, err := checkContainer(data, filepath.Base(results[i].Input), cert)
		if err != nil {
			results[i].Err = err
			continue
		}
		results[i].Contents = contents
		results[i].Err = atomicfile.Write(results[i].Output, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
	}
}

// Bounds on a container from the service: its entries, and the bytes of
// its files (decompressed).
const (
	maxContainerEntries = 1000
	maxContainerBytes   = 1 << 30
)

// checkContainer reads the ASiC-E container the service returned (the
// asice package: bounded, its structure checked) and verifies its XAdES
// signatures: it must hold the document and a signature by cert that
// covers it, whose references, value and certificate binding hold (its
// chain is for 'signet verify' to judge against the person's trust). The
// entries are listed as the zip has them.
func checkContainer(data []byte, document string, cert *x509.Certificate) ([]string, error) {
	c, err := asice.Open(bytes.NewReader(data), int64(len(data)), asice.Limits{Entries: maxContainerEntries, Total: maxContainerBytes})
	if err != nil {
		return nil, fmt.Errorf("the container from eParaksts: %w", err)
	}
	for _, k := range c.Checks {
		if k.Status == asice.Failed {
			return nil, fmt.Errorf("the container from eParaksts is not a proper ASiC-E container: %s: %s", k.Name, k.Detail)
		}
	}
	if !slices.ContainsFunc(c.Files, func(f asice.File) bool { return f.Name == document }) {
		return nil, fmt.Errorf("the container from eParaksts does not hold %s", document)
	}
	signed := false
	for _, r := range c.Verify(context.Background(), asice.VerifyOptions{Roots: x509.NewCertPool()}) {
		if r.Signer == nil || !r.Signer.Equal(cert) || !slices.Contains(r.Covers, document) {
			continue
		}
		intact := true
		for _, k := range r.Checks {
			if k.Name != "certificate" && k.Status == asice.Failed {
				intact = false
			}
		}
		signed = signed || intact
	}
	if !signed {
		return nil, errors.New("the container from eParaksts holds no intact signature of your document with your certificate")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(zr.File))
	for i, f := range zr.File {
		names[i] = f.Name
	}
	return names, nil
}

// uploadAll opens a session per job and uploads its document, unless the
// output exists and may not be replaced.
func uploadAll(ctx context.Context, c *eparaksts.Client, results []EParakstsResult, docIDs []string, overwrite bool) {
	for i := range results {
		job := results[i].Job
		if err := checkOutput(job.Output, overwrite); err != nil {
			results[i].Err = err
			continue
		}
		sid, err := c.StartSession(ctx)
		if err != nil {
			results[i].Err = err
			continue
		}
		results[i].SessionID = sid
		f, err := os.Open(job.Input)
		if err != nil {
			results[i].Err = err
			continue
		}
		doc, err := c.Upload(ctx, sid, filepath.Base(job.Input), f)
		f.Close()
		if err != nil {
			results[i].Err = fmt.Errorf("upload %s: %w", filepath.Base(job.Input), err)
			continue
		}
		docIDs[i] = doc.ID
	}
}

// downloadAll fetches the processed documents of idx, checks the new
// signature of cert in each, and writes them atomically.
func downloadAll(ctx context.Context, c *eparaksts.Client, results []EParakstsResult, docIDs []string, idx []int, cert *x509.Certificate, verify pdf.VerifyOptions) {
	for _, i := range idx {
		if results[i].Err != nil {
			continue
		}
		data, err := c.Download(ctx, results[i].SessionID, docIDs[i])
		if err != nil {
			results[i].Err = fmt.Errorf("download the signed document: %w", err)
			continue
		}
		report, err := verifyServiceSigned(ctx, "eParaksts", data, cert, verify)
		results[i].Signature = report
		if err != nil {
			results[i].Err = err
			continue
		}
		results[i].Err = atomicfile.Write(results[i].Output, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
	}
}

// closeAll closes the jobs' sessions; the service deletes their files.
func closeAll(ctx context.Context, c *eparaksts.Client, results []EParakstsResult) {
	for _, r := range results {
		if r.SessionID != "" {
			_ = c.CloseSession(context.WithoutCancel(ctx), r.SessionID)
		}
	}
}

// pendingSessions are the jobs still without error that have a session.
func pendingSessions(results []EParakstsResult) ([]int, []string) {
	var idx []int
	var ids []string
	for i, r := range results {
		if r.Err == nil && r.SessionID != "" {
			idx, ids = append(idx, i), append(ids, r.SessionID)
		}
	}
	return idx, ids
}

// SealWithEParaksts puts an organization's eSeal on PDFs: the service signs
// with the seal's PKCS#12 (its password encrypted for the service), and
// each result is verified locally before it is written.
func SealWithEParaksts(ctx context.Context, c *eparaksts.Client, pfx, password []byte, authCert *x509.Certificate, jobs []Job, opts EParakstsOptions) []EParakstsResult {
	results, docIDs := newResults(jobs)
	defer closeAll(ctx, c, results)
	seal, err := keys.LoadPKCS12(pfx, password)
	if err != nil {
		failAll(results, allIndexes(results), fmt.Errorf("open the seal: %w", err))
		return results
	}
	uploadAll(ctx, c, results, docIDs, opts.Overwrite)
	idx, ids := pendingSessions(results)
	if len(ids) == 0 {
		return results
	}
	res, err := c.ESealCreate(ctx, ids, pfx, password, authCert, true, false)
	if err != nil {
		failAll(results, idx, fmt.Errorf("eSeal: %w", err))
		return results
	}
	applyResults(results, idx, res)
	downloadAll(ctx, c, results, docIDs, idx, seal.Certificate(), opts.Verify)
	return results
}

// ArchiveWithEParaksts adds an archive timestamp to signed PDFs.
func ArchiveWithEParaksts(ctx context.Context, c *eparaksts.Client, authCert *x509.Certificate, jobs []Job, opts EParakstsOptions) []EParakstsResult {
	results, docIDs := newResults(jobs)
	defer closeAll(ctx, c, results)
	uploadAll(ctx, c, results, docIDs, opts.Overwrite)
	idx, ids := pendingSessions(results)
	if len(ids) == 0 {
		return results
	}
	res, err := c.AddArchive(ctx, ids, authCert)
	if err != nil {
		failAll(results, idx, fmt.Errorf("archive timestamp: %w", err))
		return results
	}
	applyResults(results, idx, res)
	for _, i := range idx {
		if results[i].Err != nil {
			continue
		}
		data, err := c.Download(ctx, results[i].SessionID, docIDs[i])
		if err != nil {
			results[i].Err = fmt.Errorf("download the archived document: %w", err)
			continue
		}
		rep, err := pdf.Verify(ctx, bytes.NewReader(data), int64(len(data)), opts.Verify)
		if err != nil || len(rep.Signatures) == 0 {
			results[i].Err = fmt.Errorf("the archived document cannot be verified: %v", err)
			continue
		}
		last := rep.Signatures[len(rep.Signatures)-1]
		results[i].Signature = &last
		results[i].Err = atomicfile.Write(results[i].Output, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
	}
	return results
}

func newResults(jobs []Job) ([]EParakstsResult, []string) {
	results := make([]EParakstsResult, len(jobs))
	for i, job := range jobs {
		results[i].Job = job
	}
	return results, make([]string, len(jobs))
}

func allIndexes(results []EParakstsResult) []int {
	idx := make([]int, len(results))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func failAll(results []EParakstsResult, idx []int, err error) {
	for _, i := range idx {
		if results[i].Err == nil {
			results[i].Err = err
		}
	}
}

func applyResults(results []EParakstsResult, idx []int, res []eparaksts.Result) {
	by := map[string]eparaksts.Result{}
	for _, r := range res {
		by[r.SessionID] = r
	}
	for _, i := range idx {
		r, ok := by[results[i].SessionID]
		switch {
		case !ok:
			results[i].Err = fmt.Errorf("%w: no result for this document's session", eparaksts.ErrBadResponse)
		case r.Err() != nil:
			results[i].Err = r.Err()
		}
	}
}

// AuthCertificate finds the authentication certificate of the card that
// holds signer's key: on the same token, or on a token of the same module
// with the same serial (cards whose PINs appear as two tokens). One with
// the signer's name is preferred.
func AuthCertificate(signer keys.Signer) (*x509.Certificate, error) {
	key, ok := signer.(*pkcs11.Key)
	if !ok {
		return nil, fmt.Errorf("%w: the key is not on a card; name the authentication certificate", ErrNoAuthCertificate)
	}
	tok := key.Info().Token
	tokens, err := tok.Module().Tokens()
	if err != nil {
		return nil, err
	}
	var found []*x509.Certificate
	for _, t := range tokens {
		if t.SlotID() != tok.SlotID() && (t.Serial != tok.Serial || t.Serial == "") {
			continue
		}
		certs, err := t.Certificates()
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			if keys.CertificatePurpose(c.Cert) == keys.PurposeAuthentication {
				found = append(found, c.Cert)
			}
		}
	}
	for _, c := range found {
		if c.Subject.CommonName == signer.Certificate().Subject.CommonName {
			return c, nil
		}
	}
	if len(found) > 0 {
		return found[0], nil
	}
	return nil, ErrNoAuthCertificate
}

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
