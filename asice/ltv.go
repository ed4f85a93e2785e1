package asice

// Raising a signature Signet wrote to a higher XAdES baseline level (ETSI
// EN 319 132-1): B-T adds a SignatureTimeStamp, B-LT the certificates and
// revocation values that show the chains valid (CertificateValues,
// RevocationValues), B-LTA an archive timestamp over it all
// (xades141:ArchiveTimeStamp). Each element goes into the signature's
// UnsignedSignatureProperties; the signed parts are not touched. The
// timestamps' inputs are computed as the verifier computes them, from the
// document re-read after each addition.

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/beevik/etree"
	"github.com/digitorus/timestamp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/signet-sign/signet/pdf"
)

// Level is a baseline level, named as PAdES levels are.
type Level = pdf.Level

// Extend adds to the signature document doc (one ds:Signature, as
// [Pending.Signature] writes it) what level asks for, over the data files
// files: ts makes the timestamps, ltv says where validation data comes
// from. It returns the document and the level it reached: on an error
// the document returned is the last complete one (a valid signature at a
// lower level), so that a signature made with a PIN is not lost.
func Extend(ctx context.Context, doc []byte, files []File, level Level, ts pdf.Timestamper, ltv pdf.LTVOptions) ([]byte, Level, error) {
	reached := pdf.LevelBB
	switch level {
	case pdf.LevelBB, "":
		return doc, reached, nil
	case pdf.LevelBT, pdf.LevelBLT, pdf.LevelBLTA:
	default:
		return doc, reached, fmt.Errorf("unknown XAdES level %q (use B-B, B-T, B-LT or B-LTA)", level)
	}
	if ts == nil {
		return doc, reached, fmt.Errorf("XAdES %s needs a timestamp authority", level)
	}
	c := &Container{Files: files}
	c.indexFiles()
	// Each step adds what one level needs, unless the signature has it
	// (done); the document is written and read again between steps, so
	// each input is computed from what the file will hold.
	steps := []struct {
		level Level
		done  func(sig *etree.Element) bool
		add   func(*etree.Document, *etree.Element) ([]*etree.Element, error)
	}{
		{pdf.LevelBT, func(sig *etree.Element) bool { return find(sig, nsXAdES, "SignatureTimeStamp") != nil },
			func(d *etree.Document, sig *etree.Element) ([]*etree.Element, error) {
				el, err := signatureTimestamp(ctx, sig, ts)
				return []*etree.Element{el}, err
			}},
		{pdf.LevelBLT, func(sig *etree.Element) bool {
			return find(sig, nsXAdES, "CertificateValues") != nil && find(sig, nsXAdES, "RevocationValues") != nil
		}, func(d *etree.Document, sig *etree.Element) ([]*etree.Element, error) {
			return validationValues(ctx, sig, ltv)
		}},
		// Renewing a B-LTA signature: the validation data of the
		// archive timestamps before the new one (xades141:
		// TimeStampValidationData), which the new one then covers.
		{pdf.LevelBLTA, func(sig *etree.Element) bool { return len(findAll(sig, nsXAdES141, "ArchiveTimeStamp")) == 0 },
			func(d *etree.Document, sig *etree.Element) ([]*etree.Element, error) {
				el, err := timestampValidationData(ctx, sig, ltv)
				return []*etree.Element{el}, err
			}},
		// An archive timestamp is always added.
		{pdf.LevelBLTA, func(*etree.Element) bool { return false },
			func(d *etree.Document, sig *etree.Element) ([]*etree.Element, error) {
				el, err := c.archiveTimestamp(ctx, d, sig, ts)
				return []*etree.Element{el}, err
			}},
	}
	order := map[Level]int{pdf.LevelBT: 1, pdf.LevelBLT: 2, pdf.LevelBLTA: 3}
	for _, step := range steps {
		if order[step.level] > order[level] {
			break
		}
		d, sig, err := signatureOf(doc)
		if err != nil {
			return doc, reached, err
		}
		if step.done(sig) {
			// Made by another tool, or extended before: kept as it is.
			if step.level != pdf.LevelBLTA {
				reached = step.level
			}
			continue
		}
		els, err := step.add(d, sig)
		if err != nil {
			return doc, reached, fmt.Errorf("XAdES %s: %w", step.level, err)
		}
		usp := unsignedProperties(sig)
		for _, el := range els {
			usp.AddChild(el)
		}
		next, err := d.WriteToBytes()
		if err != nil {
			return doc, reached, err
		}
		doc = next
		if step.level != pdf.LevelBLTA {
			reached = step.level
		}
	}
	if order[level] == 3 {
		reached = pdf.LevelBLTA // the last step, the archive timestamp, was added
	}
	return doc, reached, nil
}

// ExtendContainer brings every signature of the container in r (size
// bytes) to level, whoever made it: each signature document is extended
// ([Extend]) and the container rewritten with the other entries copied
// as they are. A signature document with more than one signature, or
// any failure, stops it: the container is extended whole or not at all.
func ExtendContainer(ctx context.Context, r io.ReaderAt, size int64, level Level, ts pdf.Timestamper, ltv pdf.LTVOptions) ([]byte, error) {
	c, err := Open(r, size, Limits{})
	if err != nil {
		return nil, err
	}
	if !c.Valid() {
		return nil, errors.New("the container's structure fails its checks: it is not extended")
	}
	if len(c.Signatures) == 0 {
		return nil, errors.New("the container has no signatures to extend")
	}
	replaced := map[string][]byte{}
	for _, name := range slices.Sorted(maps.Keys(c.Signatures)) {
		doc, reached, err := Extend(ctx, c.Signatures[name], c.Files, level, ts, ltv)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if reached != level {
			return nil, fmt.Errorf("%s: reached %s, not %s", name, reached, level)
		}
		replaced[name] = doc
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotContainer, err)
	}
	return rewrite(zr, replaced, "", nil)
}

// rewrite copies the zip zr entry by entry (compressed data as it is),
// writing the entries named in replaced with their new content, and adds
// an entry addName (unless "") with addData at the end.
func rewrite(zr *zip.Reader, replaced map[string][]byte, addName string, addData []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	write := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	for _, f := range zr.File {
		var err error
		if data, ok := replaced[f.Name]; ok {
			err = write(f.Name, data)
		} else {
			err = zw.Copy(f)
		}
		if err != nil {
			return nil, err
		}
	}
	if addName != "" {
		if err := write(addName, addData); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// signatureOf reads a signature document holding one ds:Signature.
func signatureOf(doc []byte) (*etree.Document, *etree.Element, error) {
	if err := checkXML(doc); err != nil {
		return nil, nil, err
	}
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		return nil, nil, err
	}
	var sigs []*etree.Element
	if root := d.Root(); root != nil {
		if root.Tag == "Signature" && root.NamespaceURI() == nsDS {
			sigs = append(sigs, root)
		}
		sigs = append(sigs, children(root, nsDS, "Signature")...)
	}
	if len(sigs) != 1 {
		return nil, nil, fmt.Errorf("the signature document holds %d signatures; one can be extended", len(sigs))
	}
	if find(sigs[0], nsXAdES, "QualifyingProperties") == nil {
		return nil, nil, errors.New("the signature has no XAdES QualifyingProperties")
	}
	return d, sigs[0], nil
}

// unsignedProperties is the signature's UnsignedSignatureProperties,
// made (with UnsignedProperties) when missing.
func unsignedProperties(sig *etree.Element) *etree.Element {
	qp := find(sig, nsXAdES, "QualifyingProperties")
	up := child(qp, nsXAdES, "UnsignedProperties")
	if up == nil {
		up = qp.CreateElement(qp.Space + ":UnsignedProperties")
		if qp.Space == "" {
			up.Tag = "UnsignedProperties"
		}
	}
	usp := child(up, nsXAdES, "UnsignedSignatureProperties")
	if usp == nil {
		usp = up.CreateElement(up.Space + ":UnsignedSignatureProperties")
		if up.Space == "" {
			usp.Tag = "UnsignedSignatureProperties"
		}
	}
	return usp
}

// xadesElement makes an element of the XAdES 1.3.2 namespace, declaring
// it on the element so it reads the same wherever it is put.
func xadesElement(local string) *etree.Element {
	el := etree.NewElement("xades:" + local)
	el.CreateAttr("xmlns:xades", nsXAdES)
	return el
}

// timestampElement fills el (SignatureTimeStamp, ArchiveTimeStamp) with a
// token over digest, the SHA-256 of its input canonicalized exclusively.
func timestampElement(ctx context.Context, el *etree.Element, ts pdf.Timestamper, digest []byte) (*etree.Element, error) {
	token, err := ts.Timestamp(ctx, digest, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	if t, err := timestamp.Parse(token); err != nil || !bytes.Equal(t.HashedMessage, digest) {
		return nil, errors.New("the timestamp authority answered with a token for other data")
	}
	m := el.CreateElement("ds:CanonicalizationMethod")
	m.CreateAttr("xmlns:ds", nsDS)
	m.CreateAttr("Algorithm", excC14N)
	e := el.CreateElement("xades:EncapsulatedTimeStamp")
	e.CreateAttr("xmlns:xades", nsXAdES)
	e.SetText(b64(token))
	return el, nil
}

// signatureTimestamp is a SignatureTimeStamp over the canonical
// SignatureValue (B-T).
func signatureTimestamp(ctx context.Context, sig *etree.Element, ts pdf.Timestamper) (*etree.Element, error) {
	if find(sig, nsXAdES, "SignatureTimeStamp") != nil {
		return nil, errors.New("the signature has a timestamp already")
	}
	value := child(sig, nsDS, "SignatureValue")
	if value == nil {
		return nil, errors.New("no SignatureValue")
	}
	input, err := canonical(value, dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(""))
	if err != nil {
		return nil, err
	}
	el := xadesElement("SignatureTimeStamp")
	el.CreateAttr("Id", cmp.Or(attrOf(sig, "Id"), "S")+"-SignatureTimeStamp")
	digest := sha256.Sum256(input)
	return timestampElement(ctx, el, ts, digest[:])
}

// validationValues gathers, for the signer and each signature timestamp's
// authority, the chain and revocation data (B-LT): a CertificateValues
// and a RevocationValues element, in the schema's order.
func validationValues(ctx context.Context, sig *etree.Element, ltv pdf.LTVOptions) ([]*etree.Element, error) {
	cert, pool := keyInfoCerts(sig)
	if cert == nil {
		return nil, errors.New("the signature carries no certificate")
	}
	leaves := []*x509.Certificate{cert}
	for _, st := range findAll(sig, nsXAdES, "SignatureTimeStamp") {
		if _, tok, err := timestampToken(st); err == nil && len(tok.Certificates) > 0 {
			leaves = append(leaves, tok.Certificates[0])
			pool = append(pool, tok.Certificates...)
		}
	}
	data, err := pdf.GatherValidationData(ctx, leaves, pool, ltv)
	if err != nil {
		return nil, err
	}
	certs, revs := valueElements(data, cert.Raw)
	return []*etree.Element{certs, revs}, nil
}

// timestampValidationData is a xades141:TimeStampValidationData with the
// chains and revocation data of the authorities of the signature's
// archive timestamps.
func timestampValidationData(ctx context.Context, sig *etree.Element, ltv pdf.LTVOptions) (*etree.Element, error) {
	// The signature's own certificates help build the chains.
	_, pool := keyInfoCerts(sig)
	pool = append(pool, readLongTerm(find(sig, nsXAdES, "UnsignedSignatureProperties")).certs...)
	var leaves []*x509.Certificate
	for _, ats := range findAll(sig, nsXAdES141, "ArchiveTimeStamp") {
		if _, tok, err := timestampToken(ats); err == nil && len(tok.Certificates) > 0 {
			leaves = append(leaves, tok.Certificates[0])
			pool = append(pool, tok.Certificates...)
		}
	}
	if len(leaves) == 0 {
		return nil, errors.New("no archive timestamp to renew can be read")
	}
	data, err := pdf.GatherValidationData(ctx, leaves, pool, ltv)
	if err != nil {
		return nil, err
	}
	el := etree.NewElement("xades141:TimeStampValidationData")
	el.CreateAttr("xmlns:xades141", nsXAdES141)
	el.CreateAttr("Id", cmp.Or(attrOf(sig, "Id"), "S")+"-TimeStampValidationData-"+fmt.Sprint(len(leaves)))
	certs, revs := valueElements(data, nil)
	el.AddChild(certs)
	el.AddChild(revs)
	return el, nil
}

// valueElements are data as a CertificateValues (without skip, which
// KeyInfo holds) and a RevocationValues element.
func valueElements(data *pdf.ValidationData, skip []byte) (*etree.Element, *etree.Element) {
	certs := xadesElement("CertificateValues")
	for _, der := range data.Certs {
		if bytes.Equal(der, skip) {
			continue
		}
		certs.CreateElement("xades:EncapsulatedX509Certificate").SetText(b64(der))
	}
	revs := xadesElement("RevocationValues")
	if len(data.CRLs) > 0 {
		list := revs.CreateElement("xades:CRLValues")
		for _, der := range data.CRLs {
			list.CreateElement("xades:EncapsulatedCRLValue").SetText(b64(der))
		}
	}
	if len(data.OCSPs) > 0 {
		list := revs.CreateElement("xades:OCSPValues")
		for _, der := range data.OCSPs {
			list.CreateElement("xades:EncapsulatedOCSPValue").SetText(b64(der))
		}
	}
	return certs, revs
}

// writeLegacyArchives makes archiveTimestamp compute its input as Signet
// did before December 2026 (see checkArchiveTimestamp): tests set it to
// make such archives, which verification must still read.
var writeLegacyArchives = false

// archiveTimestamp is a xades141:ArchiveTimeStamp over the signature and
// everything before it (B-LTA).
func (c *Container) archiveTimestamp(ctx context.Context, d *etree.Document, sig *etree.Element, ts pdf.Timestamper) (*etree.Element, error) {
	usp := unsignedProperties(sig)
	el := usp.CreateElement("xades141:ArchiveTimeStamp") // in place, so the input is what precedes it
	el.CreateAttr("xmlns:xades141", nsXAdES141)
	el.CreateAttr("Id", cmp.Or(attrOf(sig, "Id"), "S")+"-ArchiveTimeStamp")
	// The input is computed with el in place (what precedes it is what
	// it covers), then el is taken out to be filled.
	h := sha256.New()
	err := c.writeArchiveInput(ctx, h, indexDocument(d), sig, el, dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(""), writeLegacyArchives)
	usp.RemoveChild(el)
	if err != nil {
		return nil, err
	}
	return timestampElement(ctx, el, ts, h.Sum(nil))
}

// findAll is every descendant of el named local in namespace ns.
func findAll(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			out = append(out, c)
		}
		out = append(out, findAll(c, ns, local)...)
	}
	return out
}
