package pdf

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/atomicfile"
)

// SubFilter is the signature encoding named in the signature dictionary.
type SubFilter string

const (
	// PAdES is ETSI.CAdES.detached: PAdES baseline (ETSI EN 319 142-1).
	PAdES SubFilter = "ETSI.CAdES.detached"
	// Adobe is adbe.pkcs7.detached, for old readers.
	Adobe SubFilter = "adbe.pkcs7.detached"
)

// Options says how to sign.
type Options struct {
	// Hash defaults to SHA-256.
	Hash crypto.Hash
	// PSS signs RSA keys with RSASSA-PSS instead of PKCS#1 v1.5.
	PSS bool
	// SubFilter defaults to PAdES.
	SubFilter SubFilter
	// Time is the claimed signing time written to /M; defaults to now.
	Time time.Time
	// Reason, Location, ContactInfo and Name go into the signature
	// dictionary. Name defaults to the certificate's common name.
	Reason, Location, ContactInfo, Name string
	// FieldName names the signature field; defaults to the first free
	// "SignatureN".
	FieldName string
	// Certify makes a certification signature (DocMDP) with these
	// permissions; 0 makes an approval signature.
	Certify Permissions
	// Timestamper adds an RFC 3161 signature timestamp (PAdES B-T).
	Timestamper Timestamper
	// Appearance makes the signature visible; nil signs invisibly.
	Appearance *Appearance
	// Lock names form fields that must not change after this signature.
	Lock *FieldLock
	// Limits bound the work of reading the input; zero fields take
	// their defaults ([DefaultLimits]).
	Limits Limits
	// Password opens an encrypted document: its owner password (which
	// lifts the permissions) or its user password; "" is the empty user
	// password most encrypted PDFs have.
	Password string
}

// FieldLock is a signature field's /Lock (PDF 32000-1 table 233).
type FieldLock struct {
	// Action is "All", "Include" (the Fields) or "Exclude" (all but them).
	Action string
	Fields []string
}

// Permissions are the DocMDP permissions of a certification signature
// (PDF 32000-1 table 254).
type Permissions int

const (
	// NoChanges: any change invalidates the certification.
	NoChanges Permissions = 1
	// FormFilling: filling forms and signing are allowed.
	FormFilling Permissions = 2
	// Annotating: as FormFilling, plus annotations.
	Annotating Permissions = 3
)

// Timestamper obtains RFC 3161 timestamp tokens.
type Timestamper interface {
	// Timestamp returns the DER TimeStampToken for digest (made with h).
	Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error)
	// MaxTokenSize bounds the size of the tokens it returns, so that the
	// signature's placeholder is big enough before the token exists.
	MaxTokenSize(ctx context.Context) (int, error)
}

var (
	// ErrPlaceholderTooSmall reports a signature that does not fit the
	// space reserved for it; see [PlaceholderError].
	ErrPlaceholderTooSmall = i18n.Errorf("err.placeholder_small", nil)
	// ErrBadSignatureValue reports a signature value that does not verify
	// with the signing certificate's key.
	ErrBadSignatureValue = i18n.Errorf("err.bad_signature_value", nil)
	// ErrCertifyTooLate reports a certification signature requested on a
	// document that is already signed: certification must come first.
	ErrCertifyTooLate = i18n.Errorf("err.certify_too_late", nil)
	// ErrLocked reports a document certified with "no changes allowed".
	ErrLocked = i18n.Errorf("err.locked", nil)
	// ErrFieldExists reports a requested field name already in use.
	ErrFieldExists = i18n.Errorf("err.field_exists", nil)
)

// PlaceholderError says how much space the signature needed.
type PlaceholderError struct{ Need, Have int }

func (e *PlaceholderError) Error() string {
	return fmt.Sprintf("%v: needs %d bytes, %d reserved", ErrPlaceholderTooSmall, e.Need, e.Have)
}

func (e *PlaceholderError) Unwrap() error { return ErrPlaceholderTooSmall }

// Prepared is a document ready for its signature value: the first step of
// two-step signing. Sign [Prepared.Digest] with [Prepared.SignerOpts]
// anywhere (a token, a cloud service, another process), then call
// [Prepared.Finish] and [Prepared.WriteTo].
type Prepared struct {
	in     io.ReaderAt
	inSize int64

	update      []byte // the incremental update, /Contents still zeros
	contentsAt  int    // offset in update of the first hex digit
	contentsLen int    // hex digits reserved

	signer      cmsSigner
	docTS       bool   // a document timestamp, not a signature
	docDigest   []byte // hash of the signed byte ranges
	signedAttrs []byte
	digest      []byte
	ts          Timestamper
	finished    bool
}

// Digest is the hash to sign: the hash of the CMS signed attributes.
func (p *Prepared) Digest() []byte { return bytes.Clone(p.digest) }

// SignerOpts are the options to sign Digest with.
func (p *Prepared) SignerOpts() crypto.SignerOpts { return p.signer.signerOpts() }

// Prepare builds the incremental update for a signature by the holder of
// chain[0] on the PDF in (size bytes), hashes the signed byte ranges, and
// returns what is to be signed. The input is read, never written.
func Prepare(ctx context.Context, in io.ReaderAt, size int64, chain []*x509.Certificate, opts Options) (_ *Prepared, err error) {
	defer RecoverBug("", &err)
	if opts.Hash == 0 {
		opts.Hash = crypto.SHA256
	}
	if opts.SubFilter == "" {
		opts.SubFilter = PAdES
	}
	if opts.Time.IsZero() {
		opts.Time = time.Now()
	}
	signer := cmsSigner{chain: chain, hash: opts.Hash, pss: opts.PSS}
	if opts.SubFilter == Adobe {
		signer.signingTime = opts.Time
	}
	if err := signer.check(); err != nil {
		return nil, err
	}
	if opts.Certify < 0 || opts.Certify > Annotating {
		return nil, fmt.Errorf("certification permissions must be 1, 2 or 3, not %d", opts.Certify)
	}
	// A field name is printed by every verifier: one that holds a line
	// break or a formatting character could print a line of its own.
	if strings.ContainsFunc(opts.FieldName, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
		return nil, fmt.Errorf("the signature field name %q holds control or formatting characters; use letters, digits and spaces", opts.FieldName)
	}
	doc, err := openDocumentLimits(in, size, opts.Limits, opts.Password)
	if err != nil {
		return nil, err
	}
	if err := readAsVerifierWould(ctx, doc); err != nil {
		return nil, err
	}
	tsSize := 0
	if opts.Timestamper != nil {
		if tsSize, err = opts.Timestamper.MaxTokenSize(ctx); err != nil {
			return nil, tsaError(err)
		}
	}
	last := make([]byte, 1)
	if _, err := in.ReadAt(last, size-1); err != nil {
		return nil, fmt.Errorf("read PDF: %w", err)
	}
	u := newUpdate(doc, last[0] == '\n' || last[0] == '\r')
	p := &Prepared{in: in, inSize: size, signer: signer, ts: opts.Timestamper}
	p.contentsLen = 2 * signer.estimateSize(tsSize)
	if err := p.build(u, opts); err != nil {
		return nil, err
	}
	if err := p.hash(); err != nil {
		return nil, err
	}
	return p, nil
}

// estimateSize bounds the DER size of the SignedData: the certificates,
// the signature, the signed attributes and the ASN.1 around them, plus the
// timestamp token and a little slack.
func (s cmsSigner) estimateSize(tsSize int) int {
	n := 0
	for _, c := range s.chain {
		n += len(c.Raw)
	}
	switch pub := s.chain[0].PublicKey.(type) {
	case *rsa.PublicKey:
		n += pub.Size()
	case *ecdsa.PublicKey:
		n += 2*((pub.Curve.Params().BitSize+7)/8) + 9
	}
	cert := s.chain[0]
	n += 2 * (len(cert.RawIssuer) + len(cert.SerialNumber.Bytes())) // sid + ESSCertIDv2
	n += 3*s.hash.Size() + 400                                      // attributes, algorithms, headers
	if tsSize > 0 {
		n += tsSize + 32
	}
	return n + 128
}

// build writes the signature's objects into u.
func (p *Prepared) build(u *update, opts Options) error {
	d := u.doc
	if err := d.sec.checkPermission(); err != nil {
		return err
	}
	cat, catNr, err := d.catalog()
	if err != nil {
		return err
	}
	cat = cat.Clone().(types.Dict)
	catChanged := false

	// The form: where the signature field goes.
	var form types.Dict
	formNr := 0 // 0: the form is direct in the catalog, or new
	switch v := cat["AcroForm"].(type) {
	case types.IndirectRef:
		formNr = v.ObjectNumber.Value()
		if form, err = d.dict(v); err != nil {
			return err
		}
	case types.Dict:
		form = v
	}
	if form == nil {
		form = types.Dict{}
		formNr = u.alloc()
		cat["AcroForm"] = ref(formNr)
		catChanged = true
	} else {
		form = form.Clone().(types.Dict)
	}
	fields, fieldsNr, err := p.fields(d, form)
	if err != nil {
		return err
	}
	names, signed, locked, err := p.existing(d, cat, fields)
	if err != nil {
		return err
	}
	// Document timestamps, like validation data, are permitted even under
	// "no changes" certification (ETSI EN 319 142-1 section 5.4.3).
	if locked && !p.docTS {
		return ErrLocked
	}
	if opts.Certify != 0 && signed {
		return ErrCertifyTooLate
	}
	fieldName := opts.FieldName
	if fieldName == "" {
		for i := 1; ; i++ {
			fieldName = fmt.Sprintf("Signature%d", i)
			if !names[fieldName] {
				break
			}
		}
	} else if names[fieldName] {
		return fmt.Errorf("%w: %q", ErrFieldExists, fieldName)
	}

	// The page that holds the widget: the first page for an invisible
	// signature.
	pageNr := 1
	if a := opts.Appearance; a != nil {
		pageNr = a.Page
	}
	pageRef, page, _, err := d.pageRef(pageNr)
	if err != nil {
		if opts.Appearance != nil {
			return fmt.Errorf("%w: %v", ErrAppearance, err)
		}
		return err
	}

	sigNr, fieldNr := u.alloc(), u.alloc()

	// The signature dictionary, with fixed-width placeholders for
	// /ByteRange and /Contents that are filled in place later.
	name := opts.Name
	if name == "" && !p.docTS {
		name = p.signer.chain[0].Subject.CommonName
	}
	var sig strings.Builder
	if p.docTS {
		// A document timestamp (ETSI EN 319 142-1 section 5.4.3): the
		// /Contents is an RFC 3161 token over the byte ranges.
		sig.WriteString("<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161\n")
	} else {
		fmt.Fprintf(&sig, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /%s\n", opts.SubFilter)
		fmt.Fprintf(&sig, "/M %s\n", u.text(sigNr, pdfDate(opts.Time)))
	}
	for _, kv := range [][2]string{{"Name", name}, {"Reason", opts.Reason}, {"Location", opts.Location}, {"ContactInfo", opts.ContactInfo}} {
		if kv[1] != "" {
			fmt.Fprintf(&sig, "/%s %s\n", kv[0], u.text(sigNr, kv[1]))
		}
	}
	if opts.Certify != 0 {
		fmt.Fprintf(&sig, "/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P %d /V /1.2 >> >>]\n", opts.Certify)
	}
	sig.WriteString("/ByteRange ")
	byteRangeAt := len(sig.String())
	sig.WriteString(byteRangePlaceholder)
	sig.WriteString("\n/Contents <")
	contentsAt := len(sig.String())
	sig.WriteString(strings.Repeat("0", p.contentsLen))
	sig.WriteString("> >>")

	sigObjStart := u.buf.Len()
	u.writeRaw(sigNr, sig.String())
	headerLen := len(fmt.Sprintf("%d 0 obj\n", sigNr))
	byteRangeAt += sigObjStart + headerLen
	p.contentsAt = sigObjStart + headerLen + contentsAt

	// The field, merged with its widget annotation (12.7.4.5), printable
	// and locked (F 132); invisible: a zero rectangle.
	widget := types.Dict{
		"Type":    types.Name("Annot"),
		"Subtype": types.Name("Widget"),
		"FT":      types.Name("Sig"),
		"T":       pdfText(fieldName),
		"V":       ref(sigNr),
		"F":       types.Integer(132),
		"Rect":    types.Array{types.Integer(0), types.Integer(0), types.Integer(0), types.Integer(0)},
		"P":       pageRef,
	}
	if l := opts.Lock; l != nil {
		switch l.Action {
		case "All", "Include", "Exclude":
		default:
			return fmt.Errorf("field lock action must be All, Include or Exclude, not %q", l.Action)
		}
		lock := types.Dict{"Type": types.Name("SigFieldLock"), "Action": types.Name(l.Action)}
		if l.Action != "All" {
			var names types.Array
			for _, n := range l.Fields {
				names = append(names, pdfText(n))
			}
			lock["Fields"] = names
		}
		widget["Lock"] = lock
	}
	if a := opts.Appearance; a != nil {
		view := d.view(page)
		rect, err := pageRect(view, a.Rect)
		if err != nil {
			return err
		}
		lines := a.Lines
		if len(lines) == 0 {
			lines = defaultLines(a.Lang, name, opts.Time, opts.Reason, opts.Location)
		}
		// Drawn in the rectangle as shown; turned with the page.
		apNr, err := u.writeAppearance(a, lines, a.Rect[2]-a.Rect[0], a.Rect[3]-a.Rect[1], view.matrix())
		if err != nil {
			return err
		}
		widget["Rect"] = types.Array{types.Float(rect[0]), types.Float(rect[1]), types.Float(rect[2]), types.Float(rect[3])}
		widget["AP"] = types.Dict{"N": ref(apNr)}
		if view.rotate != 0 {
			// The widget's turn relative to the page (§12.5.6.19), as
			// form editors record it for fields made on a turned page.
			widget["MK"] = types.Dict{"R": types.Integer(view.rotate)}
		}
	}
	u.writeObject(fieldNr, widget)

	// The page lists the widget among its annotations.
	page = page.Clone().(types.Dict)
	switch annots := page["Annots"].(type) {
	case types.IndirectRef:
		arr, err := d.resolve(annots)
		if err != nil {
			return err
		}
		a, _ := arr.(types.Array)
		a = append(copyArray(a), ref(fieldNr))
		u.writeObject(annots.ObjectNumber.Value(), a)
	case types.Array:
		page["Annots"] = append(copyArray(annots), ref(fieldNr))
		u.writeObject(pageRef.ObjectNumber.Value(), page)
	default:
		page["Annots"] = types.Array{ref(fieldNr)}
		u.writeObject(pageRef.ObjectNumber.Value(), page)
	}

	// The form lists the field; SigFlags 3: signatures exist, append only.
	fields = append(fields, ref(fieldNr))
	if fieldsNr != 0 {
		u.writeObject(fieldsNr, fields)
	} else {
		form["Fields"] = fields
	}
	form["SigFlags"] = types.Integer(3)
	if formNr != 0 {
		u.writeObject(formNr, form)
	} else {
		cat["AcroForm"] = form
		catChanged = true
	}
	if opts.Certify != 0 {
		perms, _ := d.dict(cat["Perms"])
		if perms == nil {
			perms = types.Dict{}
		} else {
			perms = perms.Clone().(types.Dict)
		}
		perms["DocMDP"] = ref(sigNr)
		cat["Perms"] = perms
		catChanged = true
	}
	if catChanged {
		u.writeObject(catNr, cat)
	}
	u.writeXRef()

	p.update = u.buf.Bytes()
	// /ByteRange: everything but the /Contents hex string with its <>.
	gapStart := p.inSize + int64(p.contentsAt) - 1
	gapEnd := p.inSize + int64(p.contentsAt+p.contentsLen) + 1
	total := p.inSize + int64(len(p.update))
	br := fmt.Sprintf("[0 %d %d %d]", gapStart, gapEnd, total-gapEnd)
	if len(br) > len(byteRangePlaceholder) {
		return errors.New("byte range does not fit its placeholder")
	}
	copy(p.update[byteRangeAt:], br+strings.Repeat(" ", len(byteRangePlaceholder)-len(br)))
	return nil
}

// byteRangePlaceholder is wide enough for four offsets of files up to
// 10^12 bytes.
const byteRangePlaceholder = "[0 0000000000000 0000000000000 0000000000000]"

// copyArray copies an array so that appending does not write into a cached
// object.
func copyArray(a types.Array) types.Array { return append(types.Array(nil), a...) }

// fields returns the form's /Fields array (a copy) and its object number
// when it is an indirect object.
func (p *Prepared) fields(d *document, form types.Dict) (types.Array, int, error) {
	switch v := form["Fields"].(type) {
	case types.IndirectRef:
		o, err := d.resolve(v)
		if err != nil {
			return nil, 0, err
		}
		a, _ := o.(types.Array)
		return copyArray(a), v.ObjectNumber.Value(), nil
	case types.Array:
		return copyArray(v), 0, nil
	}
	return nil, 0, nil
}

// existing reads the form's fields: their names, whether one holds a
// signature, and whether a certification forbids any change.
func (p *Prepared) existing(d *document, cat types.Dict, fields types.Array) (names map[string]bool, signed, locked bool, err error) {
	names = map[string]bool{}
	for _, f := range fields {
		fd, err := d.dict(f)
		if err != nil {
			return nil, false, false, err
		}
		if fd == nil {
			continue
		}
		if t, ok := fd["T"].(types.StringLiteral); ok {
			if s, err := types.StringLiteralToString(t); err == nil {
				names[s] = true
			}
		} else if t, ok := fd["T"].(types.HexLiteral); ok {
			if s, err := types.HexLiteralToString(t); err == nil {
				names[s] = true
			}
		}
		if ft := fd.NameEntry("FT"); ft != nil && *ft == "Sig" {
			if _, ok := fd["V"]; ok {
				signed = true
			}
		}
	}
	if err := checkFieldTree(d, fields); err != nil {
		return nil, false, false, err
	}
	perms, err := d.dict(cat["Perms"])
	if err != nil {
		return nil, false, false, err
	}
	if perms != nil {
		sig, err := d.dict(perms["DocMDP"])
		if err != nil {
			return nil, false, false, err
		}
		for _, r := range sig.ArrayEntry("Reference") {
			rd, _ := d.dict(r)
			if tp, _ := d.dict(rd["TransformParams"]); tp != nil {
				if pv := tp.IntEntry("P"); pv != nil && *pv == int(NoChanges) {
					locked = true
				}
			}
		}
	}
	return names, signed, locked, nil
}

// checkFieldTree refuses a form whose field tree loops or whose signed
// fields have a /ByteRange outside the file: a signature added to such a
// document would sit on a structure that readers cannot trust.
func checkFieldTree(d *document, fields types.Array) error {
	return newFieldWalker(d, func(fd types.Dict, name, ft string) error {
		if ft != "Sig" {
			return nil
		}
		if sd, err := d.dict(fd["V"]); err == nil && sd != nil {
			if _, ok := byteRangeEnd(byteRangeOf(sd), d.size); !ok {
				return brokenf("the existing signature %q has a /ByteRange outside the file", name)
			}
		}
		return nil
	}).walk(fields, "", "", 0)
}

// pdfDate formats t as a PDF date (7.9.4).
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, (off%3600)/60)
}

// hash computes the document digest over the byte ranges and the signed
// attributes. The input is streamed, never held in memory.
func (p *Prepared) hash() error {
	h := p.signer.hash.New()
	if _, err := io.CopyBuffer(h, io.NewSectionReader(p.in, 0, p.inSize), copyBuffer(p.inSize)); err != nil {
		return fmt.Errorf("read PDF: %w", err)
	}
	h.Write(p.update[:p.contentsAt-1])
	h.Write(p.update[p.contentsAt+p.contentsLen+1:])
	p.docDigest = h.Sum(nil)
	if p.docTS {
		return nil
	}
	attrs, err := p.signer.signedAttributes(p.docDigest)
	if err != nil {
		return err
	}
	p.signedAttrs = attrs
	ah := p.signer.hash.New()
	ah.Write(attrs)
	p.digest = ah.Sum(nil)
	return nil
}

// Finish embeds the signature value (the signature of [Prepared.Digest])
// after checking it against the signing certificate, and adds the
// signature timestamp when a Timestamper was given.
func (p *Prepared) Finish(ctx context.Context, signature []byte) error {
	if err := p.signer.verifySignatureValue(p.signedAttrs, signature); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignatureValue, err)
	}
	var unsigned [][]byte
	if p.ts != nil {
		// The timestamp covers the signature value (RFC 3161 appendix A).
		h := p.signer.hash.New()
		h.Write(signature)
		token, err := p.ts.Timestamp(ctx, h.Sum(nil), p.signer.hash)
		if err != nil {
			return fmt.Errorf("timestamp the signature: %w", tsaError(err))
		}
		unsigned = append(unsigned, timestampAttribute(token))
	}
	cms, err := p.signer.signedData(p.signedAttrs, signature, unsigned)
	if err != nil {
		return err
	}
	if 2*len(cms) > p.contentsLen {
		return &PlaceholderError{Need: len(cms), Have: p.contentsLen / 2}
	}
	hex.Encode(p.update[p.contentsAt:], cms)
	p.finished = true
	return nil
}

// WriteTo writes the signed document: the original bytes, then the update.
func (p *Prepared) WriteTo(w io.Writer) (int64, error) {
	if !p.finished {
		return 0, errors.New("write signed PDF: Finish has not been called")
	}
	// A writer's ReadFrom (an *os.File's) would copy through a 32 KB
	// buffer of its own for every document; ours fits the file.
	n, err := io.CopyBuffer(struct{ io.Writer }{w}, io.NewSectionReader(p.in, 0, p.inSize), copyBuffer(p.inSize))
	if err != nil {
		return n, fmt.Errorf("write signed PDF: %w", err)
	}
	m, err := w.Write(p.update)
	return n + int64(m), err
}

// readAsVerifierWould reads what verification reads of a document beyond
// what signing needs — every revision's end, the DSS, the signature
// fields — under the same limits and budget: signing and verifying agree
// on limits, so Signet never writes a signature on a document its own
// verifier would refuse as over them. (The signature adds one small
// revision, within what the budget grows by with the file.)
func readAsVerifierWould(ctx context.Context, d *document) error {
	v := &verifier{d: d, ctx: ctx}
	if err := v.loadDSS(); err != nil {
		return err
	}
	_, err := v.signatureFields()
	return err
}

// WritePreview writes the document as it will look once signed, before
// it is: the original bytes and the update, its signature value still
// zeros. It is for showing a person the signature's appearance on its
// page (a renderer draws it; a verifier would refuse it), never for
// keeping.
func (p *Prepared) WritePreview(w io.Writer) error {
	if _, err := io.Copy(w, io.NewSectionReader(p.in, 0, p.inSize)); err != nil {
		return fmt.Errorf("write preview: %w", err)
	}
	_, err := w.Write(p.update)
	return err
}

// contextSigner is implemented by keys that can ask for a PIN with a
// context (keys.Signer).
type contextSigner interface {
	SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error)
}

// Sign signs the PDF in (size bytes) with key and writes the signed PDF to
// w. It is [Prepare], a signature, [Prepared.Finish] and
// [Prepared.WriteTo] in one.
func Sign(ctx context.Context, in io.ReaderAt, size int64, w io.Writer, key crypto.Signer, chain []*x509.Certificate, opts Options) error {
	p, err := Prepare(ctx, in, size, chain, opts)
	if err != nil {
		return err
	}
	var sig []byte
	if cs, ok := key.(contextSigner); ok {
		sig, err = cs.SignContext(ctx, p.Digest(), p.SignerOpts())
	} else {
		sig, err = key.Sign(rand.Reader, p.Digest(), p.SignerOpts())
	}
	if err != nil {
		return err
	}
	if err := p.Finish(ctx, sig); err != nil {
		return err
	}
	_, err = p.WriteTo(w)
	return err
}

// SignFile signs the PDF at inPath into outPath. The output is written to
// a temporary file beside outPath and renamed only once complete, so a
// failure leaves no half-written file; the input is never modified.
func SignFile(ctx context.Context, inPath, outPath string, key crypto.Signer, chain []*x509.Certificate, opts Options) error {
	in, err := os.Open(inPath)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	if out, err := os.Stat(outPath); err == nil && os.SameFile(info, out) {
		return errors.New("the output would overwrite the input; choose another output file")
	}
	return atomicfile.Write(outPath, func(w io.Writer) error {
		return Sign(ctx, in, info.Size(), w, key, chain, opts)
	})
}

// pageRect places a rectangle given on the page as shown (points from
// its lower-left corner, see [pageView]) in the page's default user
// space, and checks that it is on the page.
func pageRect(v pageView, r [4]float64) ([4]float64, error) {
	// Written so that NaN, for which every comparison is false, fails.
	if !(r[2] > r[0] && r[3] > r[1]) {
		return r, fmt.Errorf("%w: rectangle %v must go from lower-left to upper-right", ErrAppearance, r)
	}
	w, h := v.size()
	if !(r[0] >= 0 && r[1] >= 0 && r[2] <= w+0.5 && r[3] <= h+0.5) {
		return r, fmt.Errorf("%w: rectangle %v is off the %gx%g-point page", ErrAppearance, r, w, h)
	}
	return v.toUser(r), nil
}

// TimestampDocument adds a document timestamp (PAdES, ETSI.RFC3161) to the
// PDF in r (size bytes) and writes the result to w: an RFC 3161 token over
// the document as it stands, which extends the life of the signatures and
// validation data before it (the B-LTA level).
func TimestampDocument(ctx context.Context, r io.ReaderAt, size int64, w io.Writer, ts Timestamper, h crypto.Hash) (err error) {
	defer RecoverBug("", &err)
	return timestampDocument(ctx, r, size, w, ts, h, "")
}

// timestampDocument is TimestampDocument on a document that password
// opens.
func timestampDocument(ctx context.Context, r io.ReaderAt, size int64, w io.Writer, ts Timestamper, h crypto.Hash, password string) error {
	if h == 0 {
		h = crypto.SHA256
	}
	if _, ok := hashOIDs[h]; !ok {
		return fmt.Errorf("%w: digest %v", ErrUnsupportedKey, h)
	}
	doc, err := openDocumentLimits(r, size, Limits{}, password)
	if err != nil {
		return err
	}
	if err := readAsVerifierWould(ctx, doc); err != nil {
		return err
	}
	tsSize, err := ts.MaxTokenSize(ctx)
	if err != nil {
		return tsaError(err)
	}
	last := make([]byte, 1)
	if _, err := r.ReadAt(last, size-1); err != nil {
		return fmt.Errorf("read PDF: %w", err)
	}
	u := newUpdate(doc, last[0] == '\n' || last[0] == '\r')
	p := &Prepared{in: r, inSize: size, signer: cmsSigner{hash: h}, docTS: true, contentsLen: 2 * (tsSize + 64)}
	if err := p.build(u, Options{Time: time.Now()}); err != nil {
		return err
	}
	if err := p.hash(); err != nil {
		return err
	}
	token, err := ts.Timestamp(ctx, p.docDigest, h)
	if err != nil {
		return fmt.Errorf("timestamp the document: %w", tsaError(err))
	}
	if 2*len(token) > p.contentsLen {
		return &PlaceholderError{Need: len(token), Have: p.contentsLen / 2}
	}
	hex.Encode(p.update[p.contentsAt:], token)
	p.finished = true
	_, err = p.WriteTo(w)
	return err
}
