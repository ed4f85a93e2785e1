package pdf

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"

	"github.com/digitorus/timestamp"

	"github.com/signet-sign/signet/i18n"
)

// Level is a PAdES baseline level to sign at (ETSI EN 319 142-1).
type Level string

const (
	LevelBB   Level = "B-B"
	LevelBT   Level = "B-T"   // + a signature timestamp
	LevelBLT  Level = "B-LT"  // + validation data (certificates, OCSP/CRL) in a DSS
	LevelBLTA Level = "B-LTA" // + a document timestamp over it all
)

// ErrValidationData reports validation data that could not be gathered.
var ErrValidationData = i18n.Errorf("err.validation_data", nil)

// LTVOptions say where validation data comes from.
type LTVOptions struct {
	// Roots complete chains up to a trust anchor; the system's roots are
	// used when nil.
	Roots *x509.CertPool
	// HTTPClient fetches OCSP responses and CRLs; defaults to a 15 s
	// timeout.
	HTTPClient *http.Client
	// Limits bound the work of reading the document; zero fields take
	// their defaults ([DefaultLimits]).
	Limits Limits
	// Password opens an encrypted document (see [Options.Password]).
	Password string
}

// AddValidationData appends to the PDF in r a revision with a Document
// Security Store holding, for every signature and signature timestamp in
// it, the certificates of its chain and an OCSP response (or, when a
// certificate names no responder, a CRL) for each certificate below the
// root: PAdES B-LT. It fails when the status of an end-entity certificate
// cannot be fetched, rather than producing a document that claims more
// than it has.
func AddValidationData(ctx context.Context, r io.ReaderAt, size int64, w io.Writer, opts LTVOptions) (err error) {
	defer RecoverBug("", &err)
	d, err := openDocumentLimits(r, size, opts.Limits, opts.Password)
	if err != nil {
		return err
	}
	v := &verifier{d: d, ctx: ctx, opts: VerifyOptions{Roots: opts.Roots, HTTPClient: opts.HTTPClient}}
	if v.opts.Roots == nil {
		if v.opts.Roots, err = x509.SystemCertPool(); err != nil {
			v.opts.Roots = x509.NewCertPool()
		}
	}
	if err := v.loadDSS(); err != nil {
		return err
	}
	fields, err := v.signatureFields()
	if err != nil {
		return err
	}
	if len(fields) == 0 {
		return ErrNoSignatures
	}

	// Every certificate that must be shown valid: signers and TSAs.
	var leaves []*x509.Certificate
	for _, f := range fields {
		cms, err := parseCMS(f.cms)
		if err != nil {
			continue
		}
		v.pool = append(v.pool, cms.certs...)
		if f.docTS {
			if ts, err := timestamp.Parse(f.cms); err == nil && len(ts.Certificates) > 0 {
				leaves = append(leaves, ts.Certificates[0])
				v.pool = append(v.pool, ts.Certificates...)
			}
			continue
		}
		if c := cms.signerCert(); c != nil {
			leaves = append(leaves, c)
		}
		for _, tok := range cms.unsigned[oidAttrTimestampToken.String()] {
			if ts, err := timestamp.Parse(tok); err == nil && len(ts.Certificates) > 0 {
				leaves = append(leaves, ts.Certificates[0])
				v.pool = append(v.pool, ts.Certificates...)
			}
		}
	}

	data, err := v.gather(leaves)
	if err != nil {
		return err
	}
	upd, err := appendDSS(r, size, opts.Password, data.Certs, data.OCSPs, data.CRLs)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, io.NewSectionReader(r, 0, size)); err != nil {
		return err
	}
	_, err = w.Write(upd)
	return err
}

// Extend brings a signed PDF to the level asked: B-LT adds validation
// data, B-LTA also a document timestamp. A signature whose time nothing
// proves yet (B-B: no signature timestamp, no later document timestamp)
// first gets a document timestamp — the B-T that EN 319 142-1 allows —
// so that B-LT and B-LTA mean what they say whoever made the signature:
// for B-LTA, signature | document timestamp | DSS (the signer's and that
// timestamp's validation data) | document timestamp.
func Extend(ctx context.Context, r io.ReaderAt, size int64, w io.Writer, level Level, ts Timestamper, opts LTVOptions) error {
	switch level {
	case LevelBB, LevelBT, "":
		_, err := io.Copy(w, io.NewSectionReader(r, 0, size))
		return err
	case LevelBLT, LevelBLTA:
		// B-LT: after the time proof, the validation data of the
		// signer's chain and of the time proof's TSA; B-LTA: then a
		// document timestamp over it. One timestamp cannot be both the
		// time proof and the archive timestamp (EN 319 142-1, 5.4).
		untimed, err := hasUntimed(ctx, r, size, opts)
		if err != nil {
			return err
		}
		if untimed {
			var t bytes.Buffer
			if err := timestampDocument(ctx, r, size, &t, ts, 0, opts.Password); err != nil {
				return err
			}
			r, size = bytes.NewReader(t.Bytes()), int64(t.Len())
		}
		if level == LevelBLT {
			return AddValidationData(ctx, r, size, w, opts)
		}
		var lt bytes.Buffer
		if err := AddValidationData(ctx, r, size, &lt, opts); err != nil {
			return err
		}
		return timestampDocument(ctx, bytes.NewReader(lt.Bytes()), int64(lt.Len()), w, ts, 0, opts.Password)
	}
	return fmt.Errorf("unknown PAdES level %q (use B-B, B-T, B-LT or B-LTA)", level)
}

// hasUntimed tells whether a signature has neither a signature timestamp
// nor a document timestamp after it. It reads the signature fields and
// their CMS only: no digest over the file, no chain (this runs on every
// B-LT extension, a batch's hot path).
func hasUntimed(ctx context.Context, r io.ReaderAt, size int64, opts LTVOptions) (bool, error) {
	d, err := openDocumentLimits(r, size, opts.Limits, opts.Password)
	if err != nil {
		return false, err
	}
	v := &verifier{d: d, ctx: ctx}
	fields, err := v.signatureFields()
	if err != nil {
		return false, err
	}
	if len(fields) == 0 {
		return false, ErrNoSignatures
	}
	end := func(f *sigField) int64 { e, _ := byteRangeEnd(f.br, size); return e }
	for _, f := range fields {
		if f.docTS {
			continue
		}
		if cms, err := parseCMS(f.cms); err == nil && len(cms.unsigned[oidAttrTimestampToken.String()]) > 0 {
			continue
		}
		timed := false
		for _, g := range fields {
			timed = timed || (g.docTS && end(g) > end(f))
		}
		if !timed {
			return true, nil
		}
	}
	return false, nil
}
