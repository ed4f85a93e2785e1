package asice

import (
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/digitorus/timestamp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// XAdES signatures (ETSI EN 319 132-1) in a container's signature
// documents: the XML-DSig core (each reference's digest, the signature
// value over the canonical SignedInfo), the signing certificate's binding
// (SigningCertificateV2) and its chain. Canonicalization is goxmldsig's
// (exclusive and inclusive C14N 1.0, C14N 1.1), the XML tree etree's.
//
// Levels: a signature timestamp (B-T) proves the time the chain is
// checked at; CertificateValues and RevocationValues (B-LT) complete the
// chain and give the signer's status at that time without going online;
// archive timestamps (B-LTA) are checked over what precedes each.

const (
	nsDS       = "http://www.w3.org/2000/09/xmldsig#"
	nsXAdES    = "http://uri.etsi.org/01903/v1.3.2#"
	nsXAdES141 = "http://uri.etsi.org/01903/v1.4.1#"

	typeSignedProperties = "http://uri.etsi.org/01903#SignedProperties"
)

// digestMethods are the reference digests XAdES baseline allows.
var digestMethods = map[string]crypto.Hash{
	"http://www.w3.org/2001/04/xmlenc#sha256":         crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384":   crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":         crypto.SHA512,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-256": crypto.SHA3_256,
}

// signatureMethods are the SignatureMethods verified: the hash, and
// whether RSA signs PSS.
var signatureMethods = map[string]struct {
	hash crypto.Hash
	pss  bool
}{
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":      {crypto.SHA256, false},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384":      {crypto.SHA384, false},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":      {crypto.SHA512, false},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256":    {crypto.SHA256, false},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384":    {crypto.SHA384, false},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512":    {crypto.SHA512, false},
	"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1": {crypto.SHA256, true},
	"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1": {crypto.SHA384, true},
	"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1": {crypto.SHA512, true},
}

// canonicalizer is the Canonicalizer of a CanonicalizationMethod or
// Transform algorithm, or nil for one this reader does not know.
func canonicalizer(alg string) dsig.Canonicalizer {
	switch alg {
	case string(dsig.CanonicalXML10ExclusiveAlgorithmId):
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	case string(dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId):
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList("")
	case string(dsig.CanonicalXML11AlgorithmId):
		return dsig.MakeC14N11Canonicalizer()
	case string(dsig.CanonicalXML11WithCommentsAlgorithmId):
		return dsig.MakeC14N11WithCommentsCanonicalizer()
	case string(dsig.CanonicalXML10RecAlgorithmId):
		return dsig.MakeC14N10RecCanonicalizer()
	case string(dsig.CanonicalXML10WithCommentsAlgorithmId):
		return dsig.MakeC14N10WithCommentsCanonicalizer()
	}
	return nil
}

// VerifyOptions choose what to trust.
type VerifyOptions struct {
	// Roots are the trust anchors; nil means the system's.
	Roots *x509.CertPool
	// ExtraRoots are trusted besides Roots.
	ExtraRoots []*x509.Certificate
	// Intermediates may complete chains the signatures do not carry
	// whole (many carry the signer's certificate only).
	Intermediates []*x509.Certificate
	// Issuers completes, from the issuer cache and caIssuers URLs, the
	// chains that neither the signature nor Intermediates complete; nil
	// completes none.
	Issuers *keys.ChainSource
	// Now is the validation time; defaults to the current time.
	Now time.Time
	// Online allows fetching the signer's revocation status when the
	// signature carries none; HTTPClient fetches it.
	Online     bool
	HTTPClient *http.Client
}

// SignatureReport is what holds of one XAdES signature.
type SignatureReport struct {
	File   string            `json:"file"` // the signature document
	ID     string            `json:"id,omitempty"`
	Signer *x509.Certificate `json:"-"`
	// SignerName is the signer certificate's common name.
	SignerName string `json:"signer,omitempty"`
	// Level is the XAdES baseline level reached: B-B; B-T with a valid
	// signature timestamp; B-LT when the signature also carries its
	// certificates and a revocation status that holds; B-LTA with a valid
	// archive timestamp over that.
	Level string `json:"level,omitempty"`
	// ProvenTime is the signature timestamp's time.
	ProvenTime *time.Time `json:"provenTime,omitempty"`
	// Covers lists the data files the signature's references cover.
	Covers []string `json:"covers"`
	Checks []Check  `json:"checks"`
	Valid  bool     `json:"valid"`
	// Indication: passed, indeterminate (nothing failed, something
	// could not be decided) or failed, as for PDF signatures.
	Indication pdf.Indication `json:"indication"`

	// missingLT names the certificates a B-T signature lacks revocation
	// values for, to be B-LT.
	missingLT []string
}

// Verify checks every signature of the container's signature documents,
// and reports data files no valid signature covers as a failed container
// check: a file added after signing (and listed in the manifest) is how a
// signed container is tampered with, and libdigidocpp, DigiDoc4's
// engine, refuses it too. Each signature's report lists the files it
// covers.
func (c *Container) Verify(ctx context.Context, opts VerifyOptions) []SignatureReport {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	var reports []SignatureReport
	names := make([]string, 0, len(c.Signatures))
	for name := range c.Signatures {
		names = append(names, name)
	}
	slices.SortFunc(names, entryOrder)
	covered := map[string]bool{}
	for _, name := range names {
		for _, r := range c.verifyDocument(ctx, name, c.Signatures[name], opts) {
			if r.Valid {
				for _, f := range r.Covers {
					covered[f] = true
				}
			}
			reports = append(reports, r)
		}
	}
	var bare []string
	for _, f := range c.Files {
		if !covered[f.Name] {
			bare = append(bare, f.Name)
		}
	}
	// Said when some signature holds: without one, the container is not
	// valid already, and "added after signing" would mislead.
	if len(bare) > 0 && len(covered) > 0 {
		c.Checks = append(c.Checks, check("coverage", Failed, "asice.coverage", map[string]any{"Files": listed(escape.List(bare, maxListed))}))
	}
	return reports
}

// VerifyDocument checks the signatures of one signature document (by
// its entry name) alone: what reading back a signature just added needs,
// without the cost of every earlier signature.
func (c *Container) VerifyDocument(ctx context.Context, name string, opts VerifyOptions) []SignatureReport {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	doc, ok := c.Signatures[name]
	if !ok {
		return nil
	}
	return c.verifyDocument(ctx, name, doc, opts)
}

// entryOrder orders signature documents as people count them:
// signatures2.xml before signatures10.xml — by the name without its
// trailing number, then by that number, then by name.
func entryOrder(a, b string) int {
	sa, na := splitNumber(a)
	sb, nb := splitNumber(b)
	return cmp.Or(strings.Compare(sa, sb), cmp.Compare(na, nb), strings.Compare(a, b))
}

// splitNumber splits name into what precedes the number right before
// ".xml" and that number (-1 when there is none).
func splitNumber(name string) (string, int) {
	stem := strings.TrimSuffix(name, ".xml")
	i := len(stem)
	for i > 0 && stem[i-1] >= '0' && stem[i-1] <= '9' {
		i--
	}
	if i == len(stem) || len(stem)-i > 9 {
		return stem, -1
	}
	n, _ := strconv.Atoi(stem[i:])
	return stem[:i], n
}

// verifyDocument verifies the ds:Signature elements of one signature
// document.
func (c *Container) verifyDocument(ctx context.Context, name string, data []byte, opts VerifyOptions) []SignatureReport {
	if err := checkXML(data); err != nil {
		return []SignatureReport{{File: name, Indication: pdf.TotalFailed, Checks: []Check{check("XML", Failed, "asice.xml_bad", map[string]any{"File": name, "Err": err})}}}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil || doc.Root() == nil {
		if err == nil {
			err = errors.New("no root element")
		}
		return []SignatureReport{{File: name, Indication: pdf.TotalFailed, Checks: []Check{check("XML", Failed, "asice.xml_bad", map[string]any{"File": name, "Err": err})}}}
	}
	var reports []SignatureReport
	d := indexDocument(doc)
	// Found by Signet's own walk (bounded by checkXML): goxmldsig's
	// stops at 1,000 elements, which a signature over a few hundred files
	// exceeds.
	for _, sig := range findAll(doc.Root(), nsDS, "Signature") {
		reports = append(reports, c.verifySignature(ctx, name, d, sig, opts))
	}
	if len(reports) == 0 {
		return []SignatureReport{{File: name, Indication: pdf.TotalFailed, Checks: []Check{check("XML", Failed, "asice.xml_bad", map[string]any{"File": name, "Err": errors.New("no XML-DSig signature in it")})}}}
	}
	return reports
}

func (c *Container) verifySignature(ctx context.Context, name string, doc *document, sig *etree.Element, opts VerifyOptions) (r SignatureReport) {
	r = SignatureReport{File: name, ID: attrOf(sig, "Id")}
	add := func(name string, st Status, id string, data map[string]any) {
		r.Checks = append(r.Checks, check(name, st, id, data))
	}
	unreadable := func(err error) {
		add("signature", Failed, "asice.sig_unreadable", map[string]any{"Err": err})
	}
	defer func() {
		r.Indication = pdf.IndicationOf(r.Checks)
		r.Valid = r.Indication != pdf.TotalFailed
	}()

	// Cheap things first, expensive last (as libdigidocpp and xmlsec1
	// order it): the structure and the number of references, then the
	// signature value over SignedInfo, and only then the references,
	// which cost hashing and canonicalization. An unsigned document that
	// names thousands of references to large files buys nothing.
	signedInfo := child(sig, nsDS, "SignedInfo")
	if signedInfo == nil {
		unreadable(errors.New("no SignedInfo"))
		return r
	}
	refs := children(signedInfo, nsDS, "Reference")
	if lim := c.limits().References; len(refs) > lim {
		unreadable(fmt.Errorf("%d references, more than the %d a signature may have", len(refs), lim))
		return r
	}
	if !c.spendReferences(len(refs)) {
		unreadable(fmt.Errorf("the container's signatures have more than %d references together", 10*c.limits().References))
		return r
	}
	cert, pool := keyInfoCerts(sig)
	if cert == nil {
		add("signer certificate", Failed, "verify.check.no_signer_cert", nil)
		return r
	}
	r.Signer, r.SignerName = cert, cert.Subject.CommonName

	// The signature value over the canonical SignedInfo.
	method := attrOf(child(signedInfo, nsDS, "SignatureMethod"), "Algorithm")
	canon := canonicalizer(attrOf(child(signedInfo, nsDS, "CanonicalizationMethod"), "Algorithm"))
	sm, known := signatureMethods[method]
	valueOK := false
	switch {
	case canon == nil:
		unreadable(errors.New("unknown canonicalization method"))
	case !known:
		unreadable(fmt.Errorf("unknown signature method %q", method))
	default:
		value, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(textOf(child(sig, nsDS, "SignatureValue"))), ""))
		if err != nil {
			unreadable(errors.New("the signature value is not base64"))
			break
		}
		canonical, err := canonical(signedInfo, canon)
		if err != nil {
			unreadable(fmt.Errorf("SignedInfo cannot be canonicalized: %v", err))
			break
		}
		if err := checkValue(cert, sm.hash, sm.pss, canonical, value); err != nil {
			add("signature", Failed, "verify.check.sig_bad", map[string]any{"Err": err})
		} else {
			add("signature", Passed, "verify.check.sig_ok", map[string]any{"Name": cert.Subject.CommonName})
			valueOK = true
		}
	}
	if !valueOK {
		// What an invalid signature points at proves nothing: nothing
		// more is read or hashed for it.
		add("references", Failed, "asice.refs_unchecked", nil)
		return r
	}

	// References: each data file, and the signed properties.
	var signedProps *etree.Element
	refsOK := true
	for _, ref := range refs {
		if ctx.Err() != nil {
			unreadable(ctx.Err())
			return r
		}
		uri := attrOf(ref, "URI")
		alg := attrOf(child(ref, nsDS, "DigestMethod"), "Algorithm")
		h, ok := digestMethods[alg]
		if !ok {
			add("references", Failed, "asice.ref_bad", map[string]any{"URI": uri, "Err": fmt.Errorf("digest method %q is not one XAdES baseline allows", alg)})
			refsOK = false
			continue
		}
		want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(textOf(child(ref, nsDS, "DigestValue"))))
		if err != nil {
			add("references", Failed, "asice.ref_bad", map[string]any{"URI": uri, "Err": errors.New("the digest value is not base64")})
			refsOK = false
			continue
		}
		got, target, file, err := c.referenceDigest(ctx, doc, ref, h)
		if err != nil {
			add("references", Failed, "asice.ref_bad", map[string]any{"URI": uri, "Err": err})
			refsOK = false
			continue
		}
		if target != nil && attrOf(ref, "Type") == typeSignedProperties {
			signedProps = target
		}
		if file != "" {
			r.Covers = append(r.Covers, file)
		}
		if !bytes.Equal(got, want) {
			add("references", Failed, "asice.ref_changed", map[string]any{"URI": cmp.Or(file, uri), "Hash": h.String()})
			refsOK = false
		}
	}
	if refsOK {
		add("references", Passed, "asice.refs_ok", map[string]any{"Count": len(r.Covers)})
	}
	if len(r.Covers) == 0 {
		add("references", Failed, "asice.no_data_file", nil)
	}

	// The signing certificate's binding (XAdES SigningCertificateV2).
	// The claimed SigningTime proves nothing: without a timestamp the
	// certificate is judged now, as a PDF's is.
	signingTime := opts.Now
	if signedProps == nil {
		add("signing certificate", Failed, "asice.no_signed_properties", nil)
	} else if err := checkBinding(signedProps, cert); err != nil {
		add("signing certificate", Failed, "verify.check.scv2_bad", map[string]any{"Err": err})
	} else {
		add("signing certificate", Passed, "verify.check.scv2_ok", nil)
	}

	// Long-term data (B-LT) the signature carries: certificates that
	// complete chains, and revocation values.
	usp := find(sig, nsXAdES, "UnsignedSignatureProperties")
	lt := readLongTerm(usp)
	pool = append(pool, lt.certs...)

	// XAdES B-T: a signature timestamp proves the time the chain is
	// checked at.
	r.Level = "B-B"
	if t, ok := c.checkSignatureTimestamp(ctx, sig, opts, pool, add); ok {
		signingTime, r.Level = t, "B-T"
		r.ProvenTime = &t
	}

	// The chain, at the proven time, else now.
	whenID := func(now, then string) string {
		if r.ProvenTime != nil {
			return then
		}
		return now
	}
	chain, err := verifyChain(ctx, cert, pool, signingTime, x509.ExtKeyUsageAny, opts)
	var unknown x509.UnknownAuthorityError
	switch {
	case signingTime.Before(cert.NotBefore) || signingTime.After(cert.NotAfter):
		add("certificate", Failed, whenID("verify.check.cert_expired_now", "verify.check.cert_expired_then"),
			map[string]any{"From": i18n.Day(cert.NotBefore), "To": i18n.Day(cert.NotAfter)})
		chain = nil
	case errors.As(err, &unknown):
		top := keys.BuildChain(cert, append(slices.Clone(pool), opts.Intermediates...))
		add("certificate", Failed, "verify.check.cert_untrusted", map[string]any{"Name": top[len(top)-1].Issuer.CommonName})
	case err != nil:
		add("certificate", Failed, whenID("verify.check.chain_bad_now", "verify.check.chain_bad_then"), map[string]any{"Err": err})
	default:
		add("certificate", Passed, whenID("verify.check.cert_ok_now", "verify.check.cert_ok_then"), map[string]any{"Name": chain[len(chain)-1].Subject.CommonName})
	}

	// Revocation: from the signature's RevocationValues, else online
	// when allowed.
	embedded := len(lt.ocsps)+len(lt.crls) > 0
	if len(chain) >= 2 {
		k := pdf.CheckRevocation(ctx, cert, chain[1], lt.ocsps, lt.crls, signingTime, pdf.VerifyOptions{Online: opts.Online, HTTPClient: opts.HTTPClient})
		r.Checks = append(r.Checks, k)
		// B-LT (EN 319 132-1): the certificates and revocation values
		// of the signer's chain and of the signature timestamp's
		// authority, in the signature.
		if r.Level == "B-T" && k.Status == Passed && embedded && lt.hasCertValues {
			r.missingLT = pdf.MissingValidationData(lt.ocsps, lt.crls, signingTime, chain, c.tsaChain(ctx, sig, opts, pool))
			if len(r.missingLT) == 0 {
				r.Level = "B-LT"
			}
		}
	}

	// B-LTA: archive timestamps over the signature and its long-term
	// data, each checked over what precedes it.
	if len(lt.archive) > maxArchiveTimestamps {
		add("archive timestamp", Failed, "asice.sig_unreadable", map[string]any{"Err": fmt.Errorf("%d archive timestamps, more than the %d a signature may have", len(lt.archive), maxArchiveTimestamps)})
		return r
	}
	for _, ats := range lt.archive {
		if ctx.Err() != nil {
			unreadable(ctx.Err())
			return r
		}
		t, f := c.checkArchiveTimestamp(ctx, doc, sig, ats, opts, pool)
		if f != nil && f.id == "asice.ats_legacy" {
			add("archive timestamp", Warning, f.id, f.data)
			if r.Level == "B-LT" {
				r.Level = "B-LTA"
			}
			continue
		}
		if f != nil {
			add("archive timestamp", Failed, f.id, f.data)
			continue
		}
		add("archive timestamp", Passed, "asice.ats_ok", map[string]any{"Time": t})
		if r.Level == "B-LT" {
			r.Level = "B-LTA"
		}
	}
	levelChecks(&r, add)
	return r
}

// levelChecks says, for a valid signature, what its XAdES level rests on
// and what the next level lacks (EN 319 132-1 section 6), as PDFs' do.
func levelChecks(r *SignatureReport, add func(string, Status, string, map[string]any)) {
	for _, k := range r.Checks {
		if k.Status == Failed {
			return
		}
	}
	level := func(id string, data map[string]any) { add("level", Passed, id, data) }
	next := func(id string) { add("next level", Passed, id, nil) }
	if r.ProvenTime == nil {
		level("verify.check.level_bb", nil)
		next("asice.level_next_bt")
		return
	}
	level("verify.check.level_proof_sig", map[string]any{"Level": r.Level, "Time": *r.ProvenTime})
	switch r.Level {
	case "B-T":
		if len(r.missingLT) > 0 {
			add("next level", Passed, "asice.level_next_blt_for", map[string]any{"Names": strings.Join(r.missingLT, ", ")})
		} else {
			next("asice.level_next_blt")
		}
	case "B-LT":
		next("asice.level_next_blta")
	}
}

// XML limits, checked on the token stream before any tree is built: a
// signature document is a few kilobytes to a few megabytes (CRLs), a few
// levels deep, its elements carrying a handful of attributes and
// namespace declarations. The tree walks (here and in goxmldsig)
// recurse, and a tree costs many times its text, so what could make
// either expensive is refused first, naming the limit. (The document's
// size is bounded when it is read: Limits.Signature.)
const (
	maxXMLDepth      = 64
	maxXMLElements   = 100_000
	maxXMLText       = 8 << 20  // one text node: a CRL or a certificate in base64
	maxXMLAttrValue  = 64 << 10 // one attribute value
	maxXMLAttrs      = 64       // attributes on one element
	maxXMLAttrsTotal = 50_000   // attributes in the document (each costs a tree node)
	maxXMLNodes      = 200_000  // elements, texts, comments and processing instructions
	maxXMLNamespaces = 64       // namespace declarations in scope at once
)

// checkXML reads data's tokens (no tree) and refuses what is over the
// limits, or holds a document type declaration (XAdES has none; entities
// are never expanded, and now not even read).
func checkXML(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, elements, inScope, attrs, nodes := 0, 0, 0, 0, 0
	var declared []int // namespace declarations of each open element
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML: %v", err)
		}
		if _, end := tok.(xml.EndElement); !end {
			if nodes++; nodes > maxXMLNodes {
				return fmt.Errorf("XML with more than %d nodes (elements, texts, comments, instructions)", maxXMLNodes)
			}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			elements++
			if depth > maxXMLDepth {
				return fmt.Errorf("XML nested deeper than %d elements", maxXMLDepth)
			}
			if elements > maxXMLElements {
				return fmt.Errorf("XML with more than %d elements", maxXMLElements)
			}
			if len(t.Attr) > maxXMLAttrs {
				return fmt.Errorf("an XML element with more than %d attributes", maxXMLAttrs)
			}
			if attrs += len(t.Attr); attrs > maxXMLAttrsTotal {
				return fmt.Errorf("XML with more than %d attributes", maxXMLAttrsTotal)
			}
			ns := 0
			for _, a := range t.Attr {
				if len(a.Value) > maxXMLAttrValue {
					return fmt.Errorf("an XML attribute value longer than %d bytes", maxXMLAttrValue)
				}
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					ns++
				}
			}
			if inScope += ns; inScope > maxXMLNamespaces {
				return fmt.Errorf("more than %d XML namespace declarations in scope", maxXMLNamespaces)
			}
			declared = append(declared, ns)
		case xml.EndElement:
			depth--
			if n := len(declared); n > 0 {
				inScope -= declared[n-1]
				declared = declared[:n-1]
			}
		case xml.CharData:
			if len(t) > maxXMLText {
				return fmt.Errorf("an XML text longer than %d bytes", maxXMLText)
			}
		case xml.Directive:
			return errors.New("an XML document type declaration (XAdES has none)")
		}
	}
}

// failure is a check that did not pass: a message of the catalogue and
// its data.
type failure struct {
	id   string
	data map[string]any
}

func fail(id string, data map[string]any) *failure { return &failure{id, data} }

// checkSignatureTimestamp checks a XAdES SignatureTimeStamp: an RFC 3161
// token over the canonical ds:SignatureValue element (EN 319 132-1
// 5.3), from a trusted TSA. It returns the proven time.
func (c *Container) checkSignatureTimestamp(ctx context.Context, sig *etree.Element, opts VerifyOptions, pool []*x509.Certificate, add func(string, Status, string, map[string]any)) (time.Time, bool) {
	st := find(sig, nsXAdES, "SignatureTimeStamp")
	if st == nil {
		return time.Time{}, false
	}
	canon, ts, err := timestampToken(st)
	if err != nil {
		add("signature timestamp", Failed, "verify.check.ts_bad", map[string]any{"Err": err})
		return time.Time{}, false
	}
	value := child(sig, nsDS, "SignatureValue")
	if value == nil {
		add("signature timestamp", Failed, "verify.check.ts_other", nil)
		return time.Time{}, false
	}
	input, err := canonical(value, canon)
	if err != nil {
		add("signature timestamp", Failed, "verify.check.ts_bad", map[string]any{"Err": fmt.Errorf("SignatureValue cannot be canonicalized: %v", err)})
		return time.Time{}, false
	}
	if f := checkToken(ctx, ts, func(w io.Writer) { w.Write(input) }, opts, pool, "verify.check.ts_other"); f != nil {
		add("signature timestamp", Failed, f.id, f.data)
		return time.Time{}, false
	}
	add("signature timestamp", Passed, "verify.check.ts_ok", map[string]any{"Time": ts.Time, "Name": ts.Certificates[0].Subject.CommonName})
	return ts.Time, true
}

// tsaChain is the chain of the signature timestamp's authority, nil when
// there is none or it does not verify (checkSignatureTimestamp said why).
func (c *Container) tsaChain(ctx context.Context, sig *etree.Element, opts VerifyOptions, pool []*x509.Certificate) []*x509.Certificate {
	st := find(sig, nsXAdES, "SignatureTimeStamp")
	if st == nil {
		return nil
	}
	_, ts, err := timestampToken(st)
	if err != nil || len(ts.Certificates) == 0 {
		return nil
	}
	chain, err := verifyChain(ctx, ts.Certificates[0], append(slices.Clone(ts.Certificates), pool...), ts.Time, x509.ExtKeyUsageTimeStamping, opts)
	if err != nil {
		return nil
	}
	return chain
}

// timestampToken reads a XAdES time-stamp element (SignatureTimeStamp,
// ArchiveTimeStamp): the canonicalization of what it covers (inclusive
// C14N 1.0 when it names none) and its RFC 3161 token.
func timestampToken(el *etree.Element) (dsig.Canonicalizer, *timestamp.Timestamp, error) {
	canon := canonicalizer(string(dsig.CanonicalXML10RecAlgorithmId))
	if m := child(el, nsDS, "CanonicalizationMethod"); m != nil {
		canon = canonicalizer(attrOf(m, "Algorithm"))
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(textOf(child(el, nsXAdES, "EncapsulatedTimeStamp"))), ""))
	if err != nil || canon == nil {
		return nil, nil, errors.New("not a base64 token with a known canonicalization")
	}
	ts, err := timestamp.Parse(der)
	if err != nil {
		return nil, nil, err
	}
	return canon, ts, nil
}

// checkToken checks that ts is over the input write writes (else the
// failure otherID) and that its TSA chains to a trusted root at the time
// it states.
func checkToken(ctx context.Context, ts *timestamp.Timestamp, write func(io.Writer), opts VerifyOptions, pool []*x509.Certificate, otherID string) *failure {
	if !ts.HashAlgorithm.Available() {
		return fail("verify.check.ts_bad", map[string]any{"Err": fmt.Errorf("unknown digest (%v)", ts.HashAlgorithm)})
	}
	h := ts.HashAlgorithm.New()
	write(h)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		return fail(otherID, nil)
	}
	if len(ts.Certificates) == 0 {
		return fail("verify.check.ts_no_cert", nil)
	}
	tsa := ts.Certificates[0]
	if _, err := verifyChain(ctx, tsa, append(slices.Clone(ts.Certificates), pool...), ts.Time, x509.ExtKeyUsageTimeStamping, opts); err != nil {
		return fail("verify.check.ts_untrusted", map[string]any{"Name": tsa.Subject.CommonName, "Err": err})
	}
	return nil
}

// verifyChain builds cert's chain to the trust anchors at time t; pool and
// opts.Intermediates help, and opts.Issuers completes what they lack.
func verifyChain(ctx context.Context, cert *x509.Certificate, pool []*x509.Certificate, t time.Time, usage x509.ExtKeyUsage, opts VerifyOptions) ([]*x509.Certificate, error) {
	chain, _, err := keys.VerifyChainWith(ctx, opts.Issuers, cert, append(slices.Clone(pool), opts.Intermediates...), opts.Roots, opts.ExtraRoots, t, usage)
	return chain, err
}

// longTerm is a signature's long-term data.
type longTerm struct {
	certs         []*x509.Certificate
	hasCertValues bool
	ocsps, crls   [][]byte
	archive       []*etree.Element // xades141:ArchiveTimeStamp, in order
}

// readLongTerm reads CertificateValues, RevocationValues and archive
// timestamps from UnsignedSignatureProperties (nil: none).
func readLongTerm(usp *etree.Element) longTerm {
	var lt longTerm
	if usp == nil {
		return lt
	}
	decode := func(el *etree.Element) []byte {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(el.Text()), ""))
		if err != nil {
			return nil
		}
		return b
	}
	for _, el := range usp.ChildElements() {
		switch {
		case el.Tag == "CertificateValues" && el.NamespaceURI() == nsXAdES:
			lt.hasCertValues = true
			for _, x := range children(el, nsXAdES, "EncapsulatedX509Certificate") {
				if c, err := x509.ParseCertificate(decode(x)); err == nil {
					lt.certs = append(lt.certs, c)
				}
			}
		case el.Tag == "RevocationValues" && el.NamespaceURI() == nsXAdES:
			for _, x := range children(child(el, nsXAdES, "OCSPValues"), nsXAdES, "EncapsulatedOCSPValue") {
				if b := decode(x); b != nil {
					lt.ocsps = append(lt.ocsps, b)
				}
			}
			for _, x := range children(child(el, nsXAdES, "CRLValues"), nsXAdES, "EncapsulatedCRLValue") {
				if b := decode(x); b != nil {
					lt.crls = append(lt.crls, b)
				}
			}
		case el.Tag == "ArchiveTimeStamp" && el.NamespaceURI() == nsXAdES141:
			lt.archive = append(lt.archive, el)
		case el.Tag == "TimeStampValidationData" && el.NamespaceURI() == nsXAdES141:
			// Chains of earlier archive timestamps' authorities.
			for _, x := range children(child(el, nsXAdES, "CertificateValues"), nsXAdES, "EncapsulatedX509Certificate") {
				if c, err := x509.ParseCertificate(decode(x)); err == nil {
					lt.certs = append(lt.certs, c)
				}
			}
		}
	}
	return lt
}

// hasNodeSetReference tells whether a SignedInfo reference is a
// same-document one without transforms, whose archive input depends on
// the canonicalization chosen for it.
func hasNodeSetReference(sig *etree.Element) bool {
	for _, ref := range children(child(sig, nsDS, "SignedInfo"), nsDS, "Reference") {
		if strings.HasPrefix(attrOf(ref, "URI"), "#") && child(ref, nsDS, "Transforms") == nil {
			return true
		}
	}
	return false
}

// checkArchiveTimestamp checks one archive timestamp over what precedes
// it and returns the time it proves. A timestamp over the input earlier
// Signets computed returns its time with the failure "asice.ats_legacy",
// a warning: it holds, not as the standard computes it.
func (c *Container) checkArchiveTimestamp(ctx context.Context, doc *document, sig, ats *etree.Element, opts VerifyOptions, pool []*x509.Certificate) (time.Time, *failure) {
	canon, ts, err := timestampToken(ats)
	if err != nil {
		return time.Time{}, fail("verify.check.ts_bad", map[string]any{"Err": err})
	}
	var inputErr error
	f := checkToken(ctx, ts, func(w io.Writer) { inputErr = c.writeArchiveInput(ctx, w, doc, sig, ats, canon, false) }, opts, pool, "asice.ats_other")
	if f != nil && f.id == "asice.ats_other" && inputErr == nil && hasNodeSetReference(sig) {
		// Signet before December 2026 canonicalized a reference
		// without transforms with inclusive C14N whatever the archive
		// timestamp declared: its archives still hold, said so.
		legacy := checkToken(ctx, ts, func(w io.Writer) { inputErr = c.writeArchiveInput(ctx, w, doc, sig, ats, canon, true) }, opts, pool, "asice.ats_other")
		if legacy == nil && inputErr == nil {
			return ts.Time, fail("asice.ats_legacy", map[string]any{"Time": ts.Time})
		}
	}
	if inputErr != nil {
		return time.Time{}, fail("verify.check.ts_bad", map[string]any{"Err": inputErr})
	}
	if f != nil {
		return time.Time{}, f
	}
	return ts.Time, nil
}

// maxArchiveTimestamps bounds a signature's archive timestamps: each
// covers the data files again (one is added every few years).
const maxArchiveTimestamps = 16

// writeArchiveInput writes what an archive timestamp covers (ETSI EN 319 132-1
// 5.5.2.2.1, not distributed case): the output of every ds:Reference
// in order; the canonical SignedInfo, SignatureValue and KeyInfo; the
// canonical unsigned signature properties that precede the timestamp,
// in order; the canonical ds:Objects other than the one holding the
// QualifyingProperties.
//
// The data files stream into w (a hash), never held; the input is
// bounded by twice the container's total budget, however many references
// repeat a file.
func (c *Container) writeArchiveInput(ctx context.Context, w io.Writer, doc *document, sig, ats *etree.Element, canon dsig.Canonicalizer, legacy bool) error {
	signedInfo := child(sig, nsDS, "SignedInfo")
	if signedInfo == nil {
		return errors.New("no SignedInfo")
	}
	refs := children(signedInfo, nsDS, "Reference")
	var total int64
	for _, ref := range refs {
		if _, internal := strings.CutPrefix(attrOf(ref, "URI"), "#"); internal {
			continue
		}
		if i := c.fileIndex(fileName(ref)); i >= 0 {
			total += c.Files[i].Size
		}
	}
	if budget := 2 * c.limits().Total; total > budget || !c.spendArchive(total) {
		return fmt.Errorf("its input would be %d bytes of data files, more than the %d allowed for the container's archive timestamps together", total, budget)
	}
	for _, ref := range refs {
		if err := c.writeReference(ctx, w, doc, ref, canon, legacy); err != nil {
			return fmt.Errorf("reference %q: %v", attrOf(ref, "URI"), err)
		}
	}
	for _, name := range []string{"SignedInfo", "SignatureValue", "KeyInfo"} {
		el := child(sig, nsDS, name)
		if el == nil {
			if name == "KeyInfo" {
				continue
			}
			return fmt.Errorf("no %s", name)
		}
		b, err := canonical(el, canon)
		if err != nil {
			return err
		}
		w.Write(b)
	}
	usp := ats.Parent()
	for _, el := range usp.ChildElements() {
		if el == ats {
			break
		}
		b, err := canonical(el, canon)
		if err != nil {
			return err
		}
		w.Write(b)
	}
	for _, obj := range children(sig, nsDS, "Object") {
		if child(obj, nsXAdES, "QualifyingProperties") != nil {
			continue
		}
		b, err := canonical(obj, canon)
		if err != nil {
			return err
		}
		w.Write(b)
	}
	return nil
}

// fileName is the data file a reference's URI names (percent-decoded).
func fileName(ref *etree.Element) string {
	uri := attrOf(ref, "URI")
	name, err := url.PathUnescape(uri)
	if err != nil {
		return uri
	}
	return name
}

// sameDocument resolves a same-document reference ("#Id") to its
// element; a second element with that Id makes which one was signed
// ambiguous (the trick of signature wrapping attacks).
func sameDocument(doc *document, uri string) (*etree.Element, error) {
	id, _ := strings.CutPrefix(uri, "#")
	if doc.dup[id] {
		return nil, errors.New("two elements have that Id")
	}
	target := doc.ids[id]
	if target == nil {
		return nil, errors.New("no element has that Id")
	}
	return target, nil
}

// noTransforms refuses a data-file reference that declares transforms:
// ASiC-E signs a data file's bytes as they are, and a transform Signet
// does not apply (base64, XPath, XSLT) would make the signature value
// cover something else than what is reported as signed.
func noTransforms(ref *etree.Element) error {
	if ts := child(ref, nsDS, "Transforms"); ts != nil && len(ts.ChildElements()) > 0 {
		algs := make([]string, 0, 1)
		for _, t := range ts.ChildElements() {
			algs = append(algs, attrOf(t, "Algorithm"))
		}
		return fmt.Errorf("unsupported transform %s on a data file (a data file is signed as it is)", strings.Join(algs, ", "))
	}
	return nil
}

// writeReference writes a reference's data after its transforms into w:
// a data file streamed, or an element of the signature document
// canonicalized.
func (c *Container) writeReference(ctx context.Context, w io.Writer, doc *document, ref *etree.Element, canon dsig.Canonicalizer, legacy bool) error {
	uri := attrOf(ref, "URI")
	if strings.HasPrefix(uri, "#") {
		target, err := sameDocument(doc, uri)
		if err != nil {
			return err
		}
		// XAdES 1.4.1 section 8.2.1 (EN 319 132-1 5.5.2): a reference
		// whose result is a node-set (a same-document URI and no
		// transforms) is canonicalized with the archive timestamp's own
		// CanonicalizationMethod; one with a canonicalization transform
		// gives octets already, taken as they are. (legacy: inclusive
		// C14N, as Signet did before.)
		var content []byte
		if child(ref, nsDS, "Transforms") == nil && !legacy {
			content, err = canonical(target, canon)
		} else {
			content, err = transform(target, ref)
		}
		if err != nil {
			return err
		}
		if err := doc.spendCanonical(len(content)); err != nil {
			return err
		}
		_, err = w.Write(content)
		return err
	}
	if err := noTransforms(ref); err != nil {
		return err
	}
	return c.writeFile(ctx, w, fileName(ref))
}

// referenceDigest is the h digest of a reference's data after its
// transforms: a data file (named by file) or an element of the signature
// document (target). Each is computed once per document, however many
// references repeat it.
func (c *Container) referenceDigest(ctx context.Context, doc *document, ref *etree.Element, h crypto.Hash) (sum []byte, target *etree.Element, file string, err error) {
	uri := attrOf(ref, "URI")
	if strings.HasPrefix(uri, "#") {
		if target, err = sameDocument(doc, uri); err != nil {
			return nil, nil, "", err
		}
		key := fmt.Sprint(uri, "|", h, "|", transformKey(ref))
		if sum, ok := doc.digests[key]; ok {
			return sum, target, "", nil
		}
		content, err := transform(target, ref)
		if err != nil {
			return nil, nil, "", err
		}
		if err := doc.spendCanonical(len(content)); err != nil {
			return nil, nil, "", err
		}
		d := h.New()
		d.Write(content)
		sum = d.Sum(nil)
		doc.digests[key] = sum
		return sum, target, "", nil
	}
	if err := noTransforms(ref); err != nil {
		return nil, nil, "", err
	}
	file = fileName(ref)
	if c.fileIndex(file) < 0 {
		return nil, nil, "", errors.New("the container has no such file")
	}
	sum, err = c.fileDigest(ctx, file, h)
	return sum, nil, file, err
}

// transformKey names a reference's transform, for the digest cache.
func transformKey(ref *etree.Element) string {
	alg, err := transformAlgorithm(ref)
	if err != nil {
		return "invalid"
	}
	return alg
}

// checkBinding compares SigningCertificateV2's digest with the signer's
// certificate.
func checkBinding(props *etree.Element, cert *x509.Certificate) error {
	certEl := find(props, nsXAdES, "CertDigest")
	if certEl == nil {
		return errors.New("no SigningCertificateV2 digest")
	}
	h, ok := digestMethods[attrOf(child(certEl, nsDS, "DigestMethod"), "Algorithm")]
	if !ok {
		return errors.New("unknown digest method in SigningCertificateV2")
	}
	want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(textOf(child(certEl, nsDS, "DigestValue"))))
	hh := h.New()
	hh.Write(cert.Raw)
	if err != nil || !bytes.Equal(hh.Sum(nil), want) {
		return errors.New("its digest is not the signer's certificate's")
	}
	return nil
}

// checkValue verifies an XML-DSig signature value: RSA PKCS#1 v1.5 or
// PSS, or ECDSA as r‖s (RFC 4050), over digest h of data.
func checkValue(cert *x509.Certificate, h crypto.Hash, pss bool, data, value []byte) error {
	hh := h.New()
	hh.Write(data)
	digest := hh.Sum(nil)
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if pss {
			return rsa.VerifyPSS(pub, h, digest, value, nil)
		}
		return rsa.VerifyPKCS1v15(pub, h, digest, value)
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(value) != 2*size {
			return fmt.Errorf("an ECDSA value of %d bytes for a %d-bit key", len(value), pub.Curve.Params().BitSize)
		}
		r, s := new(big.Int).SetBytes(value[:size]), new(big.Int).SetBytes(value[size:])
		if !ecdsa.Verify(pub, digest, r, s) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("key of type %T", cert.PublicKey)
}

// canonical canonicalizes el with the namespaces in scope where it is
// in its document.
func canonical(el *etree.Element, canon dsig.Canonicalizer) ([]byte, error) {
	return canon.Canonicalize(detach(el))
}

// detach copies el out of its document with the namespace declarations
// in scope where it stood (its own, then its ancestors', the nearest
// first), as a canonicalizer needs it. (goxmldsig's NSDetatch does the
// same but refuses subtrees of more than 1,000 elements: a SignedInfo
// over a few hundred files has more. The depth and size of the tree are
// bounded by checkXML.)
func detach(el *etree.Element) *etree.Element {
	cp := el.Copy()
	declared := map[string]bool{}
	note := func(a etree.Attr) (prefix string, ok bool) {
		switch {
		case a.Space == "xmlns" && (a.Key == "xml" || a.Key == "xmlns"):
			return "", false // implicit, never declared again (as NSDetatch)
		case a.Space == "xmlns":
			return a.Key, true
		case a.Space == "" && a.Key == "xmlns":
			return "", true
		}
		return "", false
	}
	for _, a := range cp.Attr {
		if p, ok := note(a); ok {
			declared[p] = true
		}
	}
	for p := el.Parent(); p != nil; p = p.Parent() {
		for _, a := range p.Attr {
			if prefix, ok := note(a); ok && !declared[prefix] {
				declared[prefix] = true
				cp.Attr = append(cp.Attr, a)
			}
		}
	}
	return cp
}

// transform applies a same-document reference's transforms to target:
// one canonicalization (the only transform XAdES baseline uses on
// SignedProperties); without any, inclusive C14N 1.0 (XML-DSig 4.4.3.2).
func transform(target *etree.Element, ref *etree.Element) ([]byte, error) {
	alg, err := transformAlgorithm(ref)
	if err != nil {
		return nil, err
	}
	canon := canonicalizer(alg)
	if canon == nil {
		return nil, fmt.Errorf("transform %q is not supported", alg)
	}
	return canonical(target, canon)
}

// transformAlgorithm is a same-document reference's one transform: a
// canonicalization (inclusive C14N 1.0 when it declares none). A
// Transforms element holding anything else than one ds:Transform is
// refused: what it holds would change nothing here, and only make each
// such reference a new one to compute.
func transformAlgorithm(ref *etree.Element) (string, error) {
	ts := child(ref, nsDS, "Transforms")
	if ts == nil {
		return string(dsig.CanonicalXML10RecAlgorithmId), nil
	}
	list := ts.ChildElements()
	if len(list) != 1 || list[0].Tag != "Transform" || list[0].NamespaceURI() != nsDS || len(list[0].ChildElements()) != 0 {
		return "", fmt.Errorf("%d transforms; one canonicalization is supported", len(list))
	}
	return attrOf(list[0], "Algorithm"), nil
}

// child is el's first child named local in namespace ns.
func child(el *etree.Element, ns, local string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

// children are el's children named local in namespace ns (none for a
// nil el).
func children(el *etree.Element, ns, local string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

// find is the first descendant of el named local in namespace ns.
func find(el *etree.Element, ns, local string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			return c
		}
		if f := find(c, ns, local); f != nil {
			return f
		}
	}
	return nil
}

// document is a signature document read, with its elements by Id
// (built once: references resolve in constant time whatever their
// number).
type document struct {
	ids map[string]*etree.Element
	dup map[string]bool // Ids more than one element has
	// digests of same-document references, by URI, hash and transforms
	digests map[string][]byte
	// canonical counts the bytes canonicalized for references, against
	// maxCanonical: each archive timestamp canonicalizes its signature's
	// same-document references again.
	canonical int64
}

// maxCanonical bounds the canonical bytes made for one signature
// document's references, all its signatures and archive timestamps
// together.
const maxCanonical = 256 << 20

// spendCanonical counts n canonical bytes against the document's budget.
func (d *document) spendCanonical(n int) error {
	if d.canonical += int64(n); d.canonical > maxCanonical {
		return fmt.Errorf("its references canonicalize to more than %d bytes together", maxCanonical)
	}
	return nil
}

func indexDocument(tree *etree.Document) *document {
	d := &document{ids: map[string]*etree.Element{}, dup: map[string]bool{}, digests: map[string][]byte{}}
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) { // depth bounded by checkXML
		if id := attrOf(el, "Id"); id != "" {
			if _, seen := d.ids[id]; seen {
				d.dup[id] = true
			}
			d.ids[id] = el
		}
		for _, c := range el.ChildElements() {
			walk(c)
		}
	}
	if root := tree.Root(); root != nil {
		walk(root)
	}
	return d
}

// limits are the container's limits (DefaultLimits for a Container made
// by hand).
func (c *Container) limits() Limits { return c.lim.withDefaults() }

// spendArchive counts n bytes of data files hashed for archive
// timestamps against the container's budget (twice its total), reporting
// whether they fit.
func (c *Container) spendArchive(n int64) bool {
	c.digestsMu.Lock()
	defer c.digestsMu.Unlock()
	c.archiveSpent += n
	return c.archiveSpent <= 2*c.limits().Total
}

// spendReferences counts n references against the container's budget
// (ten signatures' worth), reporting whether they fit.
func (c *Container) spendReferences(n int) bool {
	c.digestsMu.Lock()
	defer c.digestsMu.Unlock()
	c.refsSpent += n
	return c.refsSpent <= 10*c.limits().References
}

// fileIndex is the index in c.Files of the data file named name, or -1.
func (c *Container) fileIndex(name string) int {
	if c.byName == nil {
		c.indexFiles() // a Container made by hand (tests)
	}
	if i, ok := c.byName[name]; ok {
		return i
	}
	return -1
}

// attrOf is el's attribute name without a prefix (etree's
// SelectAttrValue would also match x:Id or x:URI, which other validators
// read as other attributes: an element with x:Id="a" Id="SP" must not
// escape the duplicate-Id check).
func attrOf(el *etree.Element, name string) string {
	if el == nil {
		return ""
	}
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == name {
			return a.Value
		}
	}
	return ""
}

func textOf(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.Text()
}

// keyInfoCerts reads the certificates of every X509Data of KeyInfo
// (XML-DSig sets neither their count nor their order: some signers put
// one certificate per X509Data, some the CA's first). The signer's is the
// one the signed properties' SigningCertificateV2 (or SigningCertificate)
// names by its digest; without one, the first. The others serve chain
// building.
func keyInfoCerts(sig *etree.Element) (*x509.Certificate, []*x509.Certificate) {
	var certs []*x509.Certificate
	for _, data := range children(child(sig, nsDS, "KeyInfo"), nsDS, "X509Data") {
		for _, el := range children(data, nsDS, "X509Certificate") {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(el.Text()), ""))
			if err != nil {
				continue
			}
			if c, err := x509.ParseCertificate(der); err == nil {
				certs = append(certs, c)
			}
		}
	}
	if len(certs) == 0 {
		return nil, nil
	}
	signer := 0
	named := find(sig, nsXAdES, "SigningCertificateV2")
	if named == nil {
		named = find(sig, nsXAdES, "SigningCertificate")
	}
	if named != nil {
		for i, c := range certs {
			if checkBinding(named, c) == nil {
				signer = i
				break
			}
		}
	}
	pool := append(slices.Clone(certs[:signer]), certs[signer+1:]...)
	return certs[signer], pool
}
