package pdf

// Verification: what holds in a signed PDF, signature by signature.
//
// Where each check lives:
//
//	ByteRange shape, gap = /Contents, revision coverage   checkByteRange
//	changes after the signature, against DocMDP            classifyChanges, checkChanges
//	message digest over the byte ranges                    checkDigest
//	CMS signature (RSA PKCS#1 v1.5, RSA-PSS, ECDSA)        checkSignature
//	content-type and signing-certificate(-v2) binding      checkAttributes
//	chain to trust anchors, validity, key usage            checkChain
//	revocation (CMS archival, DSS, online with Online)     checkRevocation
//	signature timestamp: imprint, TSA signature and chain  checkTimestamp
//	PAdES baseline level                                   level
//
// pdfcpu's validator (api.ValidateSignatures) reads the whole document into
// memory, trusts only its own certificate directory and will not call a
// signature valid without online revocation, so it serves as an
// independent cross-check in the tests rather than as the engine here.

import (
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/crypto/ocsp"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/keys"
)

// Status is a check's verdict.
type Status string

const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Warning Status = "warning" // holds, with a caveat the reader should know
	Unknown Status = "unknown" // could not be decided (e.g. no revocation data)
)

// Check is one verified property of a signature.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	// ID and Data say Detail as a message of the i18n catalogue, for the
	// app and the CLI to say it in the person's language; Detail is its
	// English, the same in every language (machine output).
	ID   string         `json:"-"`
	Data map[string]any `json:"-"`
}

// NewCheck is a check whose detail is the catalogue message id with its
// data: front ends say it in the person's language, Detail is its English
// (machine output). What in data comes from a file (names, texts, errors
// quoting them) is made printable here, once: escaped, each value within
// a line (see package escape). Values of type [Printable] are taken as
// they are.
func NewCheck(name string, st Status, id string, data map[string]any) Check {
	for k, v := range data {
		switch v := v.(type) {
		case Printable:
		case string:
			data[k] = Printable(escape.Cut(escape.Text(v), maxCheckValue))
		case error:
			data[k] = Printable(escape.Cut(escape.Text(v.Error()), maxCheckValue))
		}
	}
	return Check{Name: name, Status: st, Detail: i18n.In(i18n.For("en"), id, -1, i18n.Machine(data)), ID: id, Data: data}
}

// Printable is text made safe to print already (package escape).
type Printable string

// maxCheckValue bounds one value in a check's message, in characters.
const maxCheckValue = 500

// Signer describes a signing or timestamping certificate.
type Signer struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	Serial  string `json:"serial"`
	// NotAfter is when the certificate expires.
	NotAfter time.Time `json:"notAfter"`
}

// SignatureReport is what holds for one signature.
type SignatureReport struct {
	Field              string     `json:"field"`
	SubFilter          string     `json:"subFilter"`
	Signer             *Signer    `json:"signer,omitempty"`
	ClaimedTime        *time.Time `json:"claimedTime,omitempty"` // /M
	ProvenTime         *time.Time `json:"provenTime,omitempty"`  // signature timestamp
	TimestampAuthority *Signer    `json:"timestampAuthority,omitempty"`
	DigestAlgorithm    string     `json:"digestAlgorithm,omitempty"`
	SignatureAlgorithm string     `json:"signatureAlgorithm,omitempty"`
	Reason             string     `json:"reason,omitempty"`
	Location           string     `json:"location,omitempty"`
	// Certification is the DocMDP permission level (1–3) of a
	// certification signature, 0 for an approval signature.
	Certification int `json:"certification,omitempty"`
	// Revision is the 1-based revision the signature closes; Revisions
	// the file's count.
	Revision int `json:"revision"`
	// CoversWholeFile: nothing was appended after the signed revision.
	CoversWholeFile bool `json:"coversWholeFile"`
	// ChangesAfter lists the kinds of changes made in later revisions.
	ChangesAfter []string `json:"changesAfter,omitempty"`
	// Level is the PAdES baseline level reached (EN 319 142-1): B-B,
	// B-T, B-LT or B-LTA; the checks "level" and "next level" say what
	// it rests on and what the next one lacks.
	Level string `json:"level,omitempty"`
	// TimeProof is what proves when it was signed: ProofSignatureTimestamp
	// (then ProvenTime) or ProofDocumentTimestamp, a document timestamp
	// in a later revision (then SignedBefore, its time); empty: nothing.
	TimeProof    string     `json:"timeProof,omitempty"`
	SignedBefore *time.Time `json:"signedBefore,omitempty"`
	Checks       []Check    `json:"checks"`
	Valid        bool       `json:"valid"`
	// Certificates are the signer's certificate and its issuers as far
	// as known: the chain validated, or else the one the document's
	// certificates build (to be shown; not in machine output).
	Certificates []*x509.Certificate `json:"-"`
	// Indication is the outcome in EN 319 102-1's three terms: Valid
	// alone cannot tell "holds" from "holds as far as could be checked".
	Indication Indication `json:"indication"`
}

// Indication is a validation's outcome in the terms of ETSI EN 319 102-1
// §5.1.3, the words DSS, DigiDoc4 and Acrobat's panel report.
type Indication string

const (
	// TotalPassed: every check passed (warnings are caveats, not doubts).
	TotalPassed Indication = "TOTAL-PASSED"
	// Indeterminate: nothing failed, but something could not be decided,
	// e.g. no revocation status was available: valid, not fully checked.
	Indeterminate Indication = "INDETERMINATE"
	// TotalFailed: some check failed.
	TotalFailed Indication = "TOTAL-FAILED"
)

// IndicationOf is the outcome of checks: failed when one failed,
// indeterminate when one could not be decided, else passed. A signature
// whose time is only claimed is not made indeterminate by that alone:
// with no proven time its chain and revocation are judged at the
// validation time (now), the stricter reading.
func IndicationOf(checks []Check) Indication {
	out := TotalPassed
	for _, c := range checks {
		switch c.Status {
		case Failed:
			return TotalFailed
		case Unknown:
			out = Indeterminate
		}
	}
	return out
}

// Worst is the weaker of two outcomes: failed before indeterminate
// before passed. Anything else (a report that set none) counts as
// failed: a case missed fails closed.
func Worst(a, b Indication) Indication {
	rank := func(i Indication) int {
		switch i {
		case TotalPassed:
			return 0
		case Indeterminate:
			return 1
		}
		return 2
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// Report is the verification of a whole document.
type Report struct {
	Revisions  int               `json:"revisions"`
	Signatures []SignatureReport `json:"signatures"`
	// Encryption names the document's encryption ("AES-256", "RC4
	// 128-bit"); empty when it is not encrypted.
	Encryption string `json:"encryption,omitempty"`
}

// ArchiveExpires is when the certificate of the newest document
// timestamp expires — the date by which a B-LTA archive must be renewed
// (signet extend --renew) — or the zero time when there is none.
func (r *Report) ArchiveExpires() time.Time {
	var newest *SignatureReport
	for i, s := range r.Signatures {
		if s.SubFilter == "ETSI.RFC3161" && s.TimestampAuthority != nil && (newest == nil || s.Revision > newest.Revision) {
			newest = &r.Signatures[i]
		}
	}
	if newest == nil {
		return time.Time{}
	}
	return newest.TimestampAuthority.NotAfter
}

// Indication is the document's outcome: the weakest of its signatures',
// failed when it has none.
func (r *Report) Indication() Indication {
	if len(r.Signatures) == 0 {
		return TotalFailed
	}
	out := TotalPassed
	for _, s := range r.Signatures {
		out = Worst(out, s.Indication)
	}
	if out != TotalPassed && out != Indeterminate {
		return TotalFailed
	}
	return out
}

// Valid is true when the document has signatures and all are valid.
func (r *Report) Valid() bool {
	if len(r.Signatures) == 0 {
		return false
	}
	for _, s := range r.Signatures {
		if !s.Valid {
			return false
		}
	}
	return true
}

// VerifyOptions choose what to trust.
type VerifyOptions struct {
	// Roots are the trust anchors; nil means the system's roots.
	Roots *x509.CertPool
	// ExtraRoots are trusted besides Roots (a user's own roots).
	ExtraRoots []*x509.Certificate
	// Online allows fetching OCSP responses for certificates whose
	// revocation status is not embedded.
	Online     bool
	HTTPClient *http.Client
	// Issuers completes, from the issuer cache and caIssuers URLs, the
	// chains the document's certificates do not complete (many
	// signatures carry the signer's certificate alone); nil completes
	// none.
	Issuers *keys.ChainSource
	// Now is the validation time when no timestamp proves the signing
	// time; defaults to the current time.
	Now time.Time
	// Limits bound the work of reading the document; zero fields take
	// their defaults ([DefaultLimits]).
	Limits Limits
	// Password opens an encrypted document (see [Options.Password]).
	Password string
}

// Who names who made the signature: the signer, or for a document
// timestamp its authority.
func (s SignatureReport) Who() string {
	switch {
	case s.Signer != nil:
		return s.Signer.Name
	case s.TimestampAuthority != nil:
		return "document timestamp by " + s.TimestampAuthority.Name
	}
	return "unknown signer"
}

// When is the signing time: proven by a signature timestamp, or else as
// claimed in /M; ok is false when there is neither.
func (s SignatureReport) When() (t time.Time, proven, ok bool) {
	switch {
	case s.ProvenTime != nil:
		return *s.ProvenTime, true, true
	case s.ClaimedTime != nil:
		return *s.ClaimedTime, false, true
	}
	return time.Time{}, false, false
}

// ErrNoSignatures reports a PDF without signatures.
var ErrNoSignatures = i18n.Errorf("err.no_signatures", nil)

// Extra object identifiers for verification.
var (
	oidAttrSigningCertV1  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidAdbeRevocationInfo = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 8}
	oidSHA1WithRSA        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA256WithRSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
)

// sigField is a signature found in the form.
type sigField struct {
	name  string
	field types.Dict // the field (it may carry a /Lock)
	dict  types.Dict // the signature dictionary
	br    [4]int64
	cms   []byte
	objNr int
	docTS bool
	// outsideForm: found through a page's annotations, not the form's
	// field tree (pdfsig 22.12 writes such fields into documents that
	// already have a form).
	outsideForm bool
	revIdx      int // index into the revision list, oldest first
	// readErr: the field has a signature value (/V) that cannot be read
	// (over a limit, damaged): reported as a signature that cannot be
	// checked, never as no signature.
	readErr error

	// What the level is decided from, set by the checks: the signer's
	// chain to its trust anchor, and the chain of the timestamp's TSA (of
	// the signature timestamp, or of the document timestamp itself);
	// valid once every check passed; tsTime the timestamp's time.
	chain, tsChain []*x509.Certificate
	tsTime         time.Time
	valid          bool
}

// VerifyFile verifies the PDF at path.
func VerifyFile(ctx context.Context, path string, opts VerifyOptions) (rep *Report, err error) {
	defer RecoverBug(path, &err)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return Verify(ctx, f, info.Size(), opts)
}

// Verify verifies every signature of the PDF in r (size bytes). A
// document without signatures is [ErrNoSignatures], with a report that
// still counts its revisions.
func Verify(ctx context.Context, r io.ReaderAt, size int64, opts VerifyOptions) (_ *Report, err error) {
	defer RecoverBug("", &err)
	d, err := openDocumentLimits(r, size, opts.Limits, opts.Password)
	if err != nil {
		return nil, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	// Without Roots, the system's roots are read as chains need them
	// (keys.SystemRootsFor): building the whole system pool would be
	// most of the work of verifying a small file.
	if opts.Roots != nil {
		opts.Roots = opts.Roots.Clone()
		for _, c := range opts.ExtraRoots {
			opts.Roots.AddCert(c)
		}
	}
	v := &verifier{d: d, opts: opts, ctx: ctx}
	if err := v.loadDSS(); err != nil {
		return nil, err
	}
	fields, err := v.signatureFields()
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return &Report{Revisions: len(v.revisions), Encryption: v.d.encryption()}, ErrNoSignatures
	}
	// Certificates embedded anywhere in the document may complete any
	// chain: intermediates are only candidates, a chain must still end at
	// a trusted root. (A document timestamp's token often carries its TSA
	// certificate alone.)
	for _, f := range fields {
		if p, err := parseCMS(f.cms); err == nil {
			v.pool = append(v.pool, p.certs...)
		}
	}
	// Each field's revision first: a signature's level depends on what
	// later revisions (DSS, document timestamps) add.
	for _, f := range fields {
		f.revIdx = -1
		if end, ok := byteRangeEnd(f.br, size); !ok {
			continue
		} else if end == size {
			f.revIdx = len(v.revisions) - 1
		} else {
			f.revIdx = slices.Index(v.revisions, end)
		}
	}
	rep := &Report{Revisions: len(v.revisions), Encryption: v.d.encryption()}
	for _, f := range fields {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if f.readErr != nil {
			rep.Signatures = append(rep.Signatures, SignatureReport{Field: f.name, Indication: TotalFailed,
				Checks: []Check{NewCheck("signature", Failed, "verify.check.sig_unreadable", map[string]any{"Err": f.readErr})}})
			continue
		}
		rep.Signatures = append(rep.Signatures, v.verify(f, fields))
	}
	// Levels last: a signature's depends on what later revisions (DSS,
	// document timestamps) add, and whether those hold.
	for i, f := range fields {
		if f.readErr == nil {
			v.decideLevel(f, fields, &rep.Signatures[i])
		}
	}
	return rep, nil
}

type verifier struct {
	ctx       context.Context
	d         *document
	opts      VerifyOptions
	revisions []int64 // revision ends, oldest first
	dssCerts  []*x509.Certificate
	pool      []*x509.Certificate // certificates embedded in the signatures
	dssOCSP   [][]byte
	dssCRL    [][]byte
	dssRev    int // revision index where the DSS last changed, -1 if none
	// dssItems are the DSS's OCSP responses and CRLs, each with the
	// revision that added it; covered and crls remember what deciding
	// levels read of them.
	dssItems []dssItem
	covered  map[string]bool
	crls     map[string]parsedCRL
}

// maxDSSItems bounds the OCSP responses and CRLs the level is decided
// from (each one's revision is looked up in every section): a DSS of a
// thousand is already a hundred times what a signature needs.
const maxDSSItems = 1000

// dssItem is an OCSP response or a CRL of the DSS.
type dssItem struct {
	der []byte
	crl bool
	rev int
}

func (v *verifier) loadDSS() error {
	// Revisions, oldest first, from the sections' ends.
	for i := len(v.d.sections) - 1; i >= 0; i-- {
		if end := v.d.sectionEnd(v.d.sections[i]); end > 0 && !slices.Contains(v.revisions, end) {
			v.revisions = append(v.revisions, end)
		}
	}
	slices.Sort(v.revisions)
	v.dssRev = -1
	cat, _, err := v.d.catalog()
	if err != nil {
		return err
	}
	dss, err := v.d.dict(cat["DSS"])
	if err != nil || dss == nil {
		return err
	}
	if ref, ok := cat["DSS"].(types.IndirectRef); ok {
		v.dssRev = v.revisionOf(ref.ObjectNumber.Value())
	}
	streams := func(key string) [][]byte {
		arr, _ := v.d.resolve(dss[key])
		a, _ := arr.(types.Array)
		var out [][]byte
		for _, o := range a {
			ref, ok := o.(types.IndirectRef)
			if !ok {
				continue
			}
			e, ok := v.d.lookup(ref.ObjectNumber.Value())
			if !ok || e.free || e.inStm {
				continue
			}
			if _, data, err := v.d.readStreamAt(e.offset, v.d.limits.Stream); err == nil {
				out = append(out, data)
				if key != "Certs" && len(v.dssItems) < maxDSSItems {
					// The revision that added it: the later of the one
					// whose section lists it and the one its bytes lie
					// in (a section may point past its own revision's
					// end, at bytes appended after a later timestamp).
					rev := max(v.revisionOf(ref.ObjectNumber.Value()), v.revisionAt(e.offset))
					v.dssItems = append(v.dssItems, dssItem{der: data, crl: key == "CRLs", rev: rev})
				}
			}
		}
		return out
	}
	for _, der := range streams("Certs") {
		if c, err := x509.ParseCertificate(der); err == nil {
			v.dssCerts = append(v.dssCerts, c)
		}
	}
	v.dssOCSP = streams("OCSPs")
	v.dssCRL = streams("CRLs")
	return nil
}

// revisionAt is the index of the revision whose bytes hold offset: the
// first whose end lies past it (the last revision for bytes after every
// end).
func (v *verifier) revisionAt(offset int64) int {
	i, _ := slices.BinarySearch(v.revisions, offset+1)
	return min(i, len(v.revisions)-1)
}

// revisionOf is the index of the newest revision whose section lists nr.
func (v *verifier) revisionOf(nr int) int {
	for _, sec := range v.d.sections { // newest first
		if _, ok := sec.lookup(nr); ok {
			end := v.d.sectionEnd(sec)
			if i := slices.Index(v.revisions, end); i >= 0 {
				return i
			}
		}
	}
	return -1
}

// signatureFields walks the form for signed signature fields, in revision
// order.
func (v *verifier) signatureFields() ([]*sigField, error) {
	cat, _, err := v.d.catalog()
	if err != nil {
		return nil, err
	}
	form, err := v.d.dict(cat["AcroForm"])
	if err != nil || form == nil {
		return nil, err
	}
	fieldsObj, err := v.d.resolve(form["Fields"])
	if err != nil {
		return nil, err
	}
	top, _ := fieldsObj.(types.Array)
	var out []*sigField
	walker := newFieldWalker(v.d, func(fd types.Dict, name, ft string) error {
		if ft != "Sig" {
			return nil
		}
		sigRef, ok := fd["V"].(types.IndirectRef)
		var sd types.Dict
		var err error
		if ok {
			sd, err = v.d.dict(sigRef)
		} else if direct, isDict := fd["V"].(types.Dict); isDict {
			sd = direct
		}
		if err != nil {
			out = append(out, &sigField{name: name, field: fd, readErr: err})
			return nil
		}
		if sd == nil {
			return nil // an empty signature field
		}
		f := &sigField{name: name, field: fd, dict: sd}
		if ok {
			f.objNr = sigRef.ObjectNumber.Value()
		}
		if t := sd.NameEntry("Type"); t != nil && *t == "DocTimeStamp" {
			f.docTS = true
		}
		if sf := sd.NameEntry("SubFilter"); sf != nil && *sf == "ETSI.RFC3161" {
			f.docTS = true
		}
		out = append(out, f)
		return nil
	})
	if err := walker.walk(top, "", "", 0); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		var widgets types.Array
		err := v.d.forEachPage(func(page types.Dict) error {
			annots, err := v.d.resolve(page["Annots"])
			if err != nil {
				return err
			}
			a, _ := annots.(types.Array)
			widgets = append(widgets, a...)
			return nil
		})
		if err != nil {
			return nil, err
		}
		before := len(out)
		if err := walker.walk(widgets, "", "", 0); err != nil {
			return nil, err
		}
		for _, f := range out[before:] {
			f.outsideForm = true
		}
	}
	for _, f := range out {
		f.br, f.cms = byteRangeOf(f.dict), contentsOf(f.dict)
	}
	slices.SortStableFunc(out, func(a, b *sigField) int {
		// Malformed ranges (end -1) first; their checks say why.
		aEnd, _ := byteRangeEnd(a.br, v.d.size)
		bEnd, _ := byteRangeEnd(b.br, v.d.size)
		return cmp.Compare(aEnd, bEnd)
	})
	return out, nil
}

// textString decodes a PDF text string (PDFDocEncoding or UTF-16BE).
func textString(o types.Object) string {
	switch s := o.(type) {
	case types.StringLiteral:
		if v, err := types.StringLiteralToString(s); err == nil {
			return v
		}
	case types.HexLiteral:
		if v, err := types.HexLiteralToString(s); err == nil {
			return v
		}
	}
	return ""
}

func byteRangeOf(sd types.Dict) [4]int64 {
	var br [4]int64
	a := sd.ArrayEntry("ByteRange")
	if len(a) != 4 {
		return [4]int64{-1, -1, -1, -1}
	}
	for i, o := range a {
		n, ok := o.(types.Integer)
		if !ok {
			return [4]int64{-1, -1, -1, -1}
		}
		br[i] = int64(n)
	}
	return br
}

// byteRangeEnd checks a signature's /ByteRange [0 a b c] (two ranges,
// in order, the first from the start, both inside a size-byte file,
// without overflow) and returns where the signed bytes end.
func byteRangeEnd(br [4]int64, size int64) (int64, bool) {
	if br[0] != 0 || br[1] <= 0 || br[2] <= br[1] || br[1] > size {
		return -1, false
	}
	end, ok := rangeEnd(br[2], br[3], size)
	if !ok {
		return -1, false
	}
	return end, true
}

// contentsOf returns the /Contents bytes, without the zero padding after
// the DER.
func contentsOf(sd types.Dict) []byte {
	var raw []byte
	switch c := sd["Contents"].(type) {
	case types.HexLiteral:
		s := strings.Map(func(r rune) rune {
			if strings.ContainsRune(" \t\r\n\f", r) {
				return -1
			}
			return r
		}, string(c))
		if len(s)%2 == 1 {
			s += "0"
		}
		raw, _ = hex.DecodeString(s)
	case types.StringLiteral:
		raw, _ = types.Unescape(string(c))
	}
	return trimDER(raw)
}

// trimDER cuts a DER element from the front of b, dropping padding.
func trimDER(b []byte) []byte {
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(b, &v); err == nil && len(rest) < len(b) {
		return b[:len(b)-len(rest)]
	}
	return b
}

// verify runs every check on one signature.
func (v *verifier) verify(f *sigField, all []*sigField) SignatureReport {
	rep := SignatureReport{Field: f.name}
	if sf := f.dict.NameEntry("SubFilter"); sf != nil {
		rep.SubFilter = *sf
	}
	rep.Reason = textString(f.dict["Reason"])
	rep.Location = textString(f.dict["Location"])
	if m := textString(f.dict["M"]); m != "" {
		if t, ok := types.DateTime(m, true); ok {
			rep.ClaimedTime = &t
		}
	}
	for _, r := range f.dict.ArrayEntry("Reference") {
		rd, _ := v.d.dict(r)
		if m := rd.NameEntry("TransformMethod"); m != nil && *m == "DocMDP" {
			rep.Certification = 2
			if tp, _ := v.d.dict(rd["TransformParams"]); tp != nil {
				if p := tp.IntEntry("P"); p != nil && *p >= 1 && *p <= 3 {
					rep.Certification = *p
				}
			}
		}
	}
	add := func(name string, st Status, id string, data map[string]any) {
		rep.Checks = append(rep.Checks, NewCheck(name, st, id, data))
	}

	if f.outsideForm {
		add("form", Warning, "verify.check.form_unlisted", nil)
	}
	f.revIdx = v.checkByteRange(f, &rep, add)
	if f.revIdx >= 0 {
		rep.Revision = f.revIdx + 1
		v.checkChanges(f, all, &rep, add)
	}

	cms, err := parseCMS(f.cms)
	if err != nil {
		add("CMS", Failed, "verify.check.cms_bad", map[string]any{"Err": err})
		rep.Valid, rep.Indication = false, TotalFailed
		return rep
	}
	if f.docTS {
		v.verifyDocTimestamp(f, cms, &rep, add)
	} else {
		v.verifySignature(f, cms, &rep, add)
	}
	rep.Indication = IndicationOf(rep.Checks)
	rep.Valid = rep.Indication != TotalFailed
	f.valid = rep.Valid
	return rep
}

// checkByteRange checks the signed ranges and returns the index of the
// revision they close, or -1.
func (v *verifier) checkByteRange(f *sigField, rep *SignatureReport, add addCheck) int {
	br := f.br
	size := v.d.size
	end, ok := byteRangeEnd(br, size)
	if !ok {
		add("byte range", Failed, "verify.check.br_malformed", map[string]any{"ByteRange": fmt.Sprint(br), "Size": size})
		return -1
	}
	if br[2]-br[1] > 2*maxObjectText {
		add("byte range", Failed, "verify.check.br_gap_large", map[string]any{"Gap": br[2] - br[1]})
		return -1
	}
	// The gap must be exactly the /Contents hex string: nothing else
	// may escape the signature.
	gap := make([]byte, br[2]-br[1])
	if _, err := v.d.r.ReadAt(gap, br[1]); err != nil {
		add("byte range", Failed, "verify.check.br_unreadable", map[string]any{"Err": err})
		return -1
	}
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' {
		add("byte range", Failed, "verify.check.br_gap_not_contents", nil)
		return -1
	}
	inner, err := hex.DecodeString(string(bytes.Trim(gap[1:len(gap)-1], " \r\n\t")))
	if err != nil || !bytes.Equal(trimDER(inner), f.cms) {
		add("byte range", Failed, "verify.check.br_gap_other", nil)
		return -1
	}
	idx := slices.Index(v.revisions, end)
	if n := len(v.revisions); n > 0 && v.revisions[n-1] < size && end != size {
		add("trailing bytes", Warning, "verify.check.trailing", map[string]any{"Bytes": size - v.revisions[n-1]})
	}
	switch {
	case end == size:
		rep.CoversWholeFile = true
		add("byte range", Passed, "verify.check.br_whole", nil)
		if idx < 0 {
			idx = len(v.revisions) - 1
		}
	case idx >= 0:
		add("byte range", Passed, "verify.check.br_revision", map[string]any{"Revision": idx + 1, "Revisions": len(v.revisions), "Added": size - end})
	default:
		add("byte range", Failed, "verify.check.br_not_revision", map[string]any{"End": end})
	}
	return idx
}

// The kinds of later changes.
const (
	changeSignature   = "later signatures"
	changeDocTS       = "document timestamps"
	changeDSS         = "validation data (DSS)"
	changeFormFilling = "form filling"
	changeAnnotations = "annotations"
	changeOther       = "other changes"
)

// Changes are kinds of later changes, as a message says them: in each
// language (English in machine output).
type Changes []string

func (c Changes) SayIn(l *i18n.Localizer) string {
	words := make([]string, len(c))
	for i, k := range c {
		switch k {
		case changeSignature:
			words[i] = i18n.In(l, "change.signatures", -1)
		case changeDocTS:
			words[i] = i18n.In(l, "change.doc_timestamps", -1)
		case changeDSS:
			words[i] = i18n.In(l, "change.dss", -1)
		case changeFormFilling:
			words[i] = i18n.In(l, "change.form_filling", -1)
		case changeAnnotations:
			words[i] = i18n.In(l, "change.annotations", -1)
		default:
			words[i] = i18n.In(l, "change.other", -1)
		}
	}
	return strings.Join(words, ", ")
}

// checkChanges classifies what later revisions changed and judges it
// against the document's certification (DocMDP).
func (v *verifier) checkChanges(f *sigField, all []*sigField, rep *SignatureReport, add addCheck) {
	if f.revIdx == len(v.revisions)-1 {
		return
	}
	kinds, changedFields := v.classifyChanges(f.revIdx)
	rep.ChangesAfter = kinds
	if locked := v.lockedFields(f.field, changedFields); len(locked) > 0 {
		add("field locks", Failed, "verify.check.locks_broken", map[string]any{"Fields": strings.Join(locked, ", ")})
	}
	perm := 0
	for _, s := range all {
		if p := certificationOf(v.d, s.dict); p > 0 {
			perm = p
		}
	}
	allowed := map[string]bool{changeSignature: true, changeDocTS: true, changeDSS: true, changeFormFilling: true, changeAnnotations: true}
	switch perm {
	case int(NoChanges):
		allowed = map[string]bool{changeDocTS: true, changeDSS: true}
	case int(FormFilling):
		delete(allowed, changeAnnotations)
	}
	var forbidden []string
	for _, k := range kinds {
		if !allowed[k] {
			forbidden = append(forbidden, k)
		}
	}
	switch {
	case len(forbidden) > 0:
		add("changes after signing", Failed, "verify.check.changed", map[string]any{"Changes": Changes(forbidden)})
	case len(kinds) > 0:
		add("changes after signing", Passed, "verify.check.changes_ok", map[string]any{"Changes": Changes(kinds)})
	}
}

func certificationOf(d *document, sd types.Dict) int {
	for _, r := range sd.ArrayEntry("Reference") {
		rd, _ := d.dict(r)
		if m := rd.NameEntry("TransformMethod"); m != nil && *m == "DocMDP" {
			if tp, _ := d.dict(rd["TransformParams"]); tp != nil {
				if p := tp.IntEntry("P"); p != nil && *p >= 1 && *p <= 3 {
					return *p
				}
			}
			return 2
		}
	}
	return 0
}

// classifyChanges says what the revisions after revIdx changed, by the
// objects their xref sections list, compared with their older versions.
func (v *verifier) classifyChanges(revIdx int) ([]string, []string) {
	signedEnd := v.revisions[revIdx]
	// older finds the newest entry at or before the signed revision.
	older := func(nr int) (xrefEntry, bool) {
		for _, sec := range v.d.sections { // newest first
			if e := v.d.sectionEnd(sec); e > 0 && e <= signedEnd {
				if ent, ok := sec.lookup(nr); ok {
					return ent, true
				}
			}
		}
		return xrefEntry{}, false
	}
	kinds := map[string]bool{}
	var fields []string
	errStop := errors.New("stop")
	for _, sec := range v.d.sections {
		if e := v.d.sectionEnd(sec); e <= signedEnd && e > 0 {
			continue
		}
		err := sec.each(func(nr int, ent xrefEntry) error {
			if v.d.spend(8, "later revisions") != nil {
				kinds[changeOther] = true
				return errStop
			}
			if ent.free {
				if old, ok := older(nr); ok && !old.free {
					kinds[changeOther] = true // an object was deleted
				}
				return nil
			}
			obj, err := v.d.object(nr)
			if err != nil {
				kinds[changeOther] = true
				if errors.Is(err, ErrTooComplex) {
					return errStop
				}
				return nil
			}
			kind := v.classifyObject(nr, obj, older)
			kinds[kind] = true
			if kind == changeFormFilling {
				if d, ok := obj.(types.Dict); ok {
					fields = append(fields, v.fieldName(d))
				}
			}
			return nil
		})
		if err != nil {
			break
		}
	}
	delete(kinds, "")
	var out []string
	for _, k := range []string{changeSignature, changeDocTS, changeDSS, changeFormFilling, changeAnnotations, changeOther} {
		if kinds[k] {
			out = append(out, k)
		}
	}
	return out, fields
}

// fieldName is a field's full name: its /T and its parents', joined by dots.
func (v *verifier) fieldName(d types.Dict) string {
	var parts []string
	visited := map[int]bool{}
	for depth := 0; d != nil && depth < 32; depth++ {
		if t := textString(d["T"]); t != "" {
			parts = append([]string{t}, parts...)
		}
		ref, ok := d["Parent"].(types.IndirectRef)
		if !ok || visited[ref.ObjectNumber.Value()] {
			break // no parent, or a /Parent chain that loops
		}
		visited[ref.ObjectNumber.Value()] = true
		parent, err := v.d.dict(ref)
		if err != nil {
			break
		}
		d = parent
	}
	return strings.Join(parts, ".")
}

// lockedFields says which of the changed fields a signature field's /Lock
// (PDF 32000-1 table 233) forbids changing.
func (v *verifier) lockedFields(field types.Dict, changed []string) []string {
	lock, err := v.d.dict(field["Lock"])
	if err != nil || lock == nil {
		return nil
	}
	action := lock.NameEntry("Action")
	if action == nil {
		return nil
	}
	listed := map[string]bool{}
	for _, o := range lock.ArrayEntry("Fields") {
		listed[textString(o)] = true
	}
	var locked []string
	for _, name := range changed {
		switch *action {
		case "All":
			locked = append(locked, name)
		case "Include":
			if listed[name] {
				locked = append(locked, name)
			}
		case "Exclude":
			if !listed[name] {
				locked = append(locked, name)
			}
		}
	}
	return locked
}

// classifyObject says what kind of change a new or changed object is; ""
// for objects that only support another change (appearance streams,
// fonts, the xref stream itself).
func (v *verifier) classifyObject(nr int, obj types.Object, older func(int) (xrefEntry, bool)) string {
	dict, isDict := obj.(types.Dict)
	if !isDict {
		if _, isArray := obj.(types.Array); isArray {
			return "" // /Annots or /Fields arrays follow their elements
		}
		return changeOther
	}
	typ := ""
	if t := dict.NameEntry("Type"); t != nil {
		typ = *t
	}
	switch {
	case typ == "Sig":
		return changeSignature
	case typ == "DocTimeStamp":
		return changeDocTS
	case typ == "XRef", typ == "ObjStm", typ == "XObject", typ == "Font", typ == "FontDescriptor":
		return ""
	case typ == "DSS", dict["VRI"] != nil, typ == "VRI":
		return changeDSS
	}
	if ft := dict.NameEntry("FT"); ft != nil {
		if *ft == "Sig" {
			return changeSignature
		}
		return changeFormFilling
	}
	if st := dict.NameEntry("Subtype"); st != nil {
		switch *st {
		case "Widget":
			return changeFormFilling
		case "Form", "Image", "CIDFontType2", "Type0", "TrueType":
			return ""
		}
		if typ == "Annot" || typ == "" {
			return changeAnnotations
		}
	}
	old, existed := older(nr)
	switch typ {
	case "Catalog":
		return v.catalogChange(dict, old, existed)
	case "Page":
		if existed && v.onlyKeysChanged(dict, old, "Annots") {
			return "" // widgets or annotations were added; classified by themselves
		}
		return changeOther
	case "Pages":
		return changeOther
	}
	if _, ok := dict["Fields"]; ok {
		return "" // the AcroForm dictionary follows its fields
	}
	if _, ok := dict["Length"]; ok && typ == "" {
		return "" // a stream: DSS data, appearance, or content judged by who uses it
	}
	return changeOther
}

// catalogChange judges a changed catalog: new /AcroForm, /DSS or /Perms
// entries belong to signatures; anything else is another change.
func (v *verifier) catalogChange(now types.Dict, old xrefEntry, existed bool) string {
	if !existed {
		return changeOther
	}
	if v.onlyKeysChanged(now, old, "AcroForm", "Perms") {
		return ""
	}
	if v.onlyKeysChanged(now, old, "AcroForm", "Perms", "DSS") {
		return changeDSS
	}
	return changeOther
}

// onlyKeysChanged compares an object with its older version.
func (v *verifier) onlyKeysChanged(now types.Dict, old xrefEntry, keys ...string) bool {
	if old.inStm || old.free {
		return false
	}
	text, _, id, err := v.d.objectText(old.offset)
	if err != nil {
		return false
	}
	parsed, err := v.d.parse(text, id)
	if err != nil {
		return false
	}
	was, ok := parsed.(types.Dict)
	if !ok {
		return false
	}
	for k, val := range now {
		if slices.Contains(keys, k) {
			continue
		}
		if w, ok := was[k]; !ok || w.PDFString() != val.PDFString() {
			return false
		}
	}
	for k := range was {
		if _, ok := now[k]; !ok && !slices.Contains(keys, k) {
			return false
		}
	}
	return true
}

// verifySignature runs the CMS checks of a signature.
func (v *verifier) verifySignature(f *sigField, cms *parsedCMS, rep *SignatureReport, add addCheck) {
	cert := cms.signerCert()
	if cert == nil {
		add("signer certificate", Failed, "verify.check.no_signer_cert", nil)
		return
	}
	rep.Signer = SignerOf(cert)
	h, ok := hashFor(cms.digestAlg)
	if !ok {
		add("digest", Failed, "verify.check.digest_unknown", map[string]any{"Alg": fmt.Sprint(cms.digestAlg)})
		return
	}
	rep.DigestAlgorithm = h.String()
	v.checkDigest(f, cms, h, add)
	v.checkSignature(cms, cert, h, rep, add)
	v.checkAttributes(cms, cert, rep, add)
	signingTime := v.checkTimestamp(f, cms, h, rep, add)
	chain := v.checkChain(cert, cms.certs, signingTime, rep, add, x509.ExtKeyUsageAny)
	f.chain = chain
	rep.Certificates = chain
	if chain == nil {
		rep.Certificates = keys.BuildChain(cert, append(slices.Clone(cms.certs), v.dssCerts...))
	}
	v.checkRevocation(cert, chain, cms, signingTime, add)
}

// SignerOf describes a certificate as reports show signers.
func SignerOf(c *x509.Certificate) *Signer {
	return &Signer{Name: c.Subject.CommonName, Subject: c.Subject.String(), Issuer: c.Issuer.String(), Serial: fmt.Sprintf("%X", c.SerialNumber), NotAfter: c.NotAfter}
}

// checkDigest hashes the byte ranges from the file and compares the
// message-digest attribute.
func (v *verifier) checkDigest(f *sigField, cms *parsedCMS, h crypto.Hash, add addCheck) {
	sum, err := hashRanges(v.d.r, f.br, h)
	if err != nil {
		add("document digest", Failed, "verify.check.digest_unreadable", map[string]any{"Err": err})
		return
	}
	var md []byte
	if raw := cms.attr(oidAttrMessageDigest); raw != nil {
		if _, err := asn1.Unmarshal(raw, &md); err != nil {
			md = nil
		}
	}
	switch {
	case md == nil:
		add("document digest", Failed, "verify.check.digest_missing", nil)
	case !bytes.Equal(md, sum):
		add("document digest", Failed, "verify.check.digest_changed", map[string]any{"Hash": fmt.Sprint(h)})
	default:
		add("document digest", Passed, "verify.check.digest_ok", map[string]any{"Hash": fmt.Sprint(h)})
	}
}

// copyBuffer is a buffer for streaming n bytes: 1 MB for big files (few
// reads), no more than n for small ones (a batch of one-page documents
// allocated and zeroed 1 MB each).
func copyBuffer(n int64) []byte {
	return make([]byte, min(max(n, 4096), 1<<20))
}

func hashRanges(r io.ReaderAt, br [4]int64, h crypto.Hash) ([]byte, error) {
	if _, ok := byteRangeEnd(br, math.MaxInt64); !ok {
		return nil, fmt.Errorf("malformed /ByteRange %v", br)
	}
	hh := h.New()
	buf := copyBuffer(max(br[1], br[3]))
	if _, err := io.CopyBuffer(hh, io.NewSectionReader(r, br[0], br[1]), buf); err != nil {
		return nil, err
	}
	if _, err := io.CopyBuffer(hh, io.NewSectionReader(r, br[2], br[3]), buf); err != nil {
		return nil, err
	}
	return hh.Sum(nil), nil
}

// checkSignature verifies the signature over the signed attributes.
func (v *verifier) checkSignature(cms *parsedCMS, cert *x509.Certificate, h crypto.Hash, rep *SignatureReport, add addCheck) {
	alg := cms.sigAlg.Algorithm
	ah := h.New()
	ah.Write(cms.signedSet)
	digest := ah.Sum(nil)
	var err error
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		switch {
		case alg.Equal(oidRSASSAPSS):
			ph, salt, perr := pssParams(cms.sigAlg.Parameters.FullBytes)
			if perr != nil {
				err = perr
				break
			}
			rep.SignatureAlgorithm = "RSA-PSS with " + ph.String()
			pd := ph.New()
			pd.Write(cms.signedSet)
			err = rsa.VerifyPSS(pub, ph, pd.Sum(nil), cms.signature, &rsa.PSSOptions{SaltLength: salt, Hash: ph})
		case alg.Equal(oidRSAEncryption), alg.Equal(oidSHA256WithRSA), alg.Equal(oidSHA384WithRSA), alg.Equal(oidSHA512WithRSA), alg.Equal(oidSHA1WithRSA):
			rep.SignatureAlgorithm = "RSA PKCS#1 v1.5 with " + h.String()
			err = rsa.VerifyPKCS1v15(pub, h, digest, cms.signature)
		default:
			err = fmt.Errorf("unsupported signature algorithm %v", alg)
		}
	case *ecdsa.PublicKey:
		rep.SignatureAlgorithm = "ECDSA with " + h.String()
		if !ecdsa.VerifyASN1(pub, digest, cms.signature) {
			err = errors.New("ECDSA signature does not verify")
		}
	default:
		err = fmt.Errorf("unsupported key type %T", cert.PublicKey)
	}
	if err != nil {
		add("signature", Failed, "verify.check.sig_bad", map[string]any{"Err": err})
		return
	}
	add("signature", Passed, "verify.check.sig_ok", map[string]any{"Name": cert.Subject.CommonName})
}

// pssParams reads RSASSA-PSS-params (RFC 4055).
func pssParams(der []byte) (crypto.Hash, int, error) {
	var p struct {
		Hash    pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
		MGF     pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
		Salt    int                      `asn1:"optional,explicit,tag:2,default:20"`
		Trailer int                      `asn1:"optional,explicit,tag:3,default:1"`
	}
	if _, err := asn1.Unmarshal(der, &p); err != nil {
		return 0, 0, fmt.Errorf("RSA-PSS parameters: %v", err)
	}
	h := crypto.SHA1
	if len(p.Hash.Algorithm) > 0 {
		var ok bool
		if h, ok = hashFor(p.Hash.Algorithm); !ok {
			return 0, 0, fmt.Errorf("RSA-PSS hash %v", p.Hash.Algorithm)
		}
	}
	return h, p.Salt, nil
}

// checkAttributes checks content-type and the signing-certificate binding,
// which OpenSSL does not check: without it, another certificate with the
// same key could be substituted.
func (v *verifier) checkAttributes(cms *parsedCMS, cert *x509.Certificate, rep *SignatureReport, add addCheck) {
	var ct asn1.ObjectIdentifier
	if raw := cms.attr(oidAttrContentType); raw == nil {
		add("content type", Failed, "verify.check.ct_missing", nil)
	} else if _, err := asn1.Unmarshal(raw, &ct); err != nil || !ct.Equal(oidData) {
		add("content type", Failed, "verify.check.ct_not_data", nil)
	}
	pades := rep.SubFilter == string(PAdES)
	v2 := cms.attr(oidAttrSigningCertV2)
	v1 := cms.attr(oidAttrSigningCertV1)
	switch {
	case v2 != nil:
		if err := checkESSCertIDv2(v2, cert); err != nil {
			add("signing certificate", Failed, "verify.check.scv2_bad", map[string]any{"Err": err})
			return
		}
		add("signing certificate", Passed, "verify.check.scv2_ok", nil)
	case v1 != nil:
		if err := checkESSCertID(v1, cert); err != nil {
			add("signing certificate", Failed, "verify.check.sc_bad", map[string]any{"Err": err})
			return
		}
		add("signing certificate", Passed, "verify.check.sc_ok", nil)
	case pades:
		add("signing certificate", Failed, "verify.check.sc_required", nil)
	default:
		add("signing certificate", Warning, "verify.check.sc_missing", nil)
	}
	if pades {
		if _, has := cms.signedAttr[oidAttrSigningTime.String()]; has {
			add("PAdES attributes", Warning, "verify.check.signing_time", nil)
		}
	}
}

func checkESSCertIDv2(der []byte, cert *x509.Certificate) error {
	var scv2 struct {
		Certs []struct {
			HashAlg  pkix.AlgorithmIdentifier `asn1:"optional"`
			CertHash []byte
			Serial   asn1.RawValue `asn1:"optional"`
		}
	}
	if _, err := asn1.Unmarshal(der, &scv2); err != nil || len(scv2.Certs) == 0 {
		return errors.New("malformed attribute")
	}
	id := scv2.Certs[0]
	h := crypto.SHA256
	if len(id.HashAlg.Algorithm) > 0 {
		var ok bool
		if h, ok = hashFor(id.HashAlg.Algorithm); !ok {
			return fmt.Errorf("unknown hash %v", id.HashAlg.Algorithm)
		}
	}
	hh := h.New()
	hh.Write(cert.Raw)
	if !bytes.Equal(hh.Sum(nil), id.CertHash) {
		return fmt.Errorf("the %v hash of the certificate differs", h)
	}
	return nil
}

func checkESSCertID(der []byte, cert *x509.Certificate) error {
	var sc struct {
		Certs []struct {
			CertHash []byte
			Serial   asn1.RawValue `asn1:"optional"`
		}
	}
	if _, err := asn1.Unmarshal(der, &sc); err != nil || len(sc.Certs) == 0 {
		return errors.New("malformed attribute")
	}
	hh := crypto.SHA1.New()
	hh.Write(cert.Raw)
	if !bytes.Equal(hh.Sum(nil), sc.Certs[0].CertHash) {
		return errors.New("the SHA-1 hash of the certificate differs")
	}
	return nil
}

// checkTimestamp verifies the signature timestamp and returns the time at
// which the signature is validated: the proven time, or now.
func (v *verifier) checkTimestamp(f *sigField, cms *parsedCMS, h crypto.Hash, rep *SignatureReport, add addCheck) time.Time {
	tokens := cms.unsigned[oidAttrTimestampToken.String()]
	if len(tokens) == 0 {
		return v.opts.Now
	}
	ts, err := timestamp.Parse(tokens[0])
	if err != nil {
		add("signature timestamp", Failed, "verify.check.ts_bad", map[string]any{"Err": err})
		return v.opts.Now
	}
	th := ts.HashAlgorithm.New()
	th.Write(cms.signature)
	if !bytes.Equal(th.Sum(nil), ts.HashedMessage) {
		add("signature timestamp", Failed, "verify.check.ts_other", nil)
		return v.opts.Now
	}
	if len(ts.Certificates) == 0 {
		add("signature timestamp", Failed, "verify.check.ts_no_cert", nil)
		return v.opts.Now
	}
	tsa := ts.Certificates[0]
	rep.TimestampAuthority = SignerOf(tsa)
	var pool []*x509.Certificate
	pool = append(pool, ts.Certificates...)
	pool = append(pool, cms.certs...)
	tsChain, err := v.verifyChain(tsa, pool, ts.Time, x509.ExtKeyUsageTimeStamping)
	if err != nil {
		add("signature timestamp", Failed, "verify.check.ts_untrusted", map[string]any{"Name": tsa.Subject.CommonName, "Err": err})
		return v.opts.Now
	}
	f.tsChain, f.tsTime = tsChain, ts.Time
	t := ts.Time
	rep.ProvenTime = &t
	add("signature timestamp", Passed, "verify.check.ts_ok", map[string]any{"Time": t, "Name": tsa.Subject.CommonName})
	return t
}

// addCheck records a check with its detail as catalogue message id,
// filled from data.
type addCheck func(name string, st Status, id string, data map[string]any)

// sourceID is the message for revocation data that was embedded, or
// fetched online.
func sourceID(source, embedded, online string) string {
	if source == "online" {
		return online
	}
	return embedded
}

// verifyChain builds a chain from cert to the trust anchors at time t,
// with the document's certificates (DSS, CMS) to complete it.
func (v *verifier) verifyChain(cert *x509.Certificate, pool []*x509.Certificate, t time.Time, usage x509.ExtKeyUsage) ([]*x509.Certificate, error) {
	all := append(append(slices.Clone(pool), v.dssCerts...), v.pool...)
	chain, more, err := keys.VerifyChainWith(v.ctx, v.opts.Issuers, cert, all, v.opts.Roots, v.opts.ExtraRoots, t, usage)
	v.pool = append(v.pool, more...) // found once for every signature of the document
	return chain, err
}

// checkChain checks the signer's certificate at the signing time.
func (v *verifier) checkChain(cert *x509.Certificate, pool []*x509.Certificate, t time.Time, rep *SignatureReport, add addCheck, usage x509.ExtKeyUsage) []*x509.Certificate {
	// Valid now, or at the signing time a timestamp proves.
	whenID := func(now, then string) string {
		if rep.ProvenTime != nil {
			return then
		}
		return now
	}
	if t.Before(cert.NotBefore) || t.After(cert.NotAfter) {
		add("certificate", Failed, whenID("verify.check.cert_expired_now", "verify.check.cert_expired_then"),
			map[string]any{"From": i18n.Day(cert.NotBefore), "To": i18n.Day(cert.NotAfter)})
		return nil
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		add("certificate", Failed, "verify.check.cert_usage", nil)
		return nil
	}
	chain, err := v.verifyChain(cert, pool, t, usage)
	if err != nil {
		var unknown x509.UnknownAuthorityError
		if errors.As(err, &unknown) {
			top := keys.BuildChain(cert, append(slices.Clone(pool), v.dssCerts...))
			add("certificate", Failed, "verify.check.cert_untrusted", map[string]any{"Name": top[len(top)-1].Issuer.CommonName})
		} else {
			add("certificate", Failed, whenID("verify.check.chain_bad_now", "verify.check.chain_bad_then"), map[string]any{"Err": err})
		}
		return nil
	}
	add("certificate", Passed, whenID("verify.check.cert_ok_now", "verify.check.cert_ok_then"), map[string]any{"Name": chain[len(chain)-1].Subject.CommonName})
	return chain
}

// checkRevocation looks for the revocation status of the signer's
// certificate in the CMS (adbe-revocationInfoArchival) and the DSS, and
// online when allowed.
func (v *verifier) checkRevocation(cert *x509.Certificate, chain []*x509.Certificate, cms *parsedCMS, t time.Time, add addCheck) {
	if len(chain) < 2 {
		return // no trusted chain: nothing to ask about
	}
	issuer := chain[1]
	ocsps := slices.Clone(v.dssOCSP)
	crls := slices.Clone(v.dssCRL)
	if raw := cms.attr(oidAdbeRevocationInfo); raw != nil {
		var archival struct {
			CRL  []asn1.RawValue `asn1:"optional,explicit,tag:0"`
			OCSP []asn1.RawValue `asn1:"optional,explicit,tag:1"`
		}
		if _, err := asn1.Unmarshal(raw, &archival); err == nil {
			for _, c := range archival.CRL {
				crls = append(crls, c.FullBytes)
			}
			for _, o := range archival.OCSP {
				ocsps = append(ocsps, o.FullBytes)
			}
		}
	}
	v.revocationStatus(cert, issuer, ocsps, crls, t, add)
}

// revocationStatus decides cert's status at time t from the OCSP
// responses and CRLs given (any may be for other certificates), fetching
// them online when none are given and the options allow.
func (v *verifier) revocationStatus(cert, issuer *x509.Certificate, ocsps, crls [][]byte, t time.Time, add addCheck) {
	source := "embedded"
	if len(ocsps) == 0 && len(crls) == 0 && v.opts.Online {
		switch {
		case len(cert.OCSPServer) > 0:
			resp, err := v.fetchOCSP(cert, issuer)
			if err != nil {
				add("revocation", Unknown, "verify.check.ocsp_unreachable", map[string]any{"Err": err})
				return
			}
			ocsps, source = append(ocsps, resp), "online"
		case len(cert.CRLDistributionPoints) > 0:
			crl, err := v.fetch(http.MethodGet, cert.CRLDistributionPoints[0], "", nil)
			if err != nil {
				add("revocation", Unknown, "verify.check.crl_unreachable", map[string]any{"Err": err})
				return
			}
			crls, source = append(crls, crl), "online"
		}
	}
	for _, der := range ocsps {
		resp, err := parseOCSP(der, cert, issuer)
		if err != nil {
			continue
		}
		switch resp.Status {
		case ocsp.Good:
			add("revocation", Passed, sourceID(source, "verify.check.ocsp_good_embedded", "verify.check.ocsp_good_online"), map[string]any{"Time": resp.ProducedAt})
			return
		case ocsp.Revoked:
			if resp.RevokedAt.After(t) {
				add("revocation", Passed, "verify.check.revoked_after", map[string]any{"Time": resp.RevokedAt})
			} else {
				add("revocation", Failed, "verify.check.revoked_before", map[string]any{"Time": resp.RevokedAt})
			}
			return
		}
	}
	for _, der := range crls {
		crl, err := parseCRL(der, issuer)
		if err != nil {
			continue
		}
		if at, revoked := crl.revokedAt(cert.SerialNumber); revoked && !at.After(t) {
			add("revocation", Failed, "verify.check.crl_revoked", map[string]any{"Time": at})
			return
		}
		add("revocation", Passed, sourceID(source, "verify.check.crl_good_embedded", "verify.check.crl_good_online"), map[string]any{"Time": crl.thisUpdate})
		return
	}
	if v.opts.Online {
		add("revocation", Unknown, "verify.check.no_ocsp_named", nil)
		return
	}
	add("revocation", Unknown, "verify.check.no_revocation_data", nil)
}

func (v *verifier) fetchOCSP(cert, issuer *x509.Certificate) ([]byte, error) {
	req, err := ocsp.CreateRequest(cert, issuer, nil)
	if err != nil {
		return nil, err
	}
	return v.fetch(http.MethodPost, cert.OCSPServer[0], "application/ocsp-request", req)
}

// fetch does one HTTP request for revocation data, with a timeout; TLS is
// verified as net/http does.
func (v *verifier) fetch(method, url, contentType string, body []byte) ([]byte, error) {
	client := v.opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	httpReq, err := http.NewRequestWithContext(v.ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		httpReq.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(httpReq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 16<<20))
}

// verifyDocTimestamp checks a document timestamp (ETSI.RFC3161): the token
// covers the byte ranges.
func (v *verifier) verifyDocTimestamp(f *sigField, cms *parsedCMS, rep *SignatureReport, add addCheck) {
	ts, err := timestamp.Parse(f.cms)
	if err != nil {
		add("document timestamp", Failed, "verify.check.dts_bad", map[string]any{"Err": err})
		return
	}
	sum, err := hashRanges(v.d.r, f.br, ts.HashAlgorithm)
	if err != nil || !bytes.Equal(sum, ts.HashedMessage) {
		add("document timestamp", Failed, "verify.check.dts_changed", nil)
		return
	}
	if len(ts.Certificates) == 0 {
		add("document timestamp", Failed, "verify.check.dts_no_cert", nil)
		return
	}
	rep.TimestampAuthority = SignerOf(ts.Certificates[0])
	t := ts.Time
	rep.ProvenTime = &t
	tsChain, err := v.verifyChain(ts.Certificates[0], append(ts.Certificates, cms.certs...), ts.Time, x509.ExtKeyUsageTimeStamping)
	if err != nil {
		add("document timestamp", Failed, "verify.check.dts_untrusted", map[string]any{"Err": err})
		return
	}
	f.tsChain, f.tsTime = tsChain, ts.Time
	add("document timestamp", Passed, "verify.check.dts_ok", map[string]any{"Time": t})
}
