package asice

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/pdf"
)

// xmlsecSigned signs doc.txt (doc) with xmlsec1 over a hand-assembled
// XAdES template, by a new signer of pki issued with issue; pretty puts
// line breaks and indentation between the elements (inside SignedInfo
// too, where they are signed), as many tools write. It returns a function
// making the container around any content of doc.txt.
func xmlsecSigned(t *testing.T, pki *testpki.PKI, issue testpki.IssueOptions, doc []byte, pretty bool) func(data []byte) []byte {
	t.Helper()
	pdfcheck.Require(t, "xmlsec1")
	e, err := pki.NewEntity(testpki.RSA2048, testpki.Signing, "Zoë Ørsted", issue)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	der, _ := x509.MarshalPKCS8PrivateKey(e.Key)
	keyPEM := filepath.Join(dir, "key.pem")
	os.WriteFile(keyPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, "doc.txt"), doc, 0o644)
	nl := ""
	if pretty {
		nl = "\n  "
	}
	certDigest := sha256.Sum256(e.Cert.Raw)
	const (
		exc    = "http://www.w3.org/2001/10/xml-exc-c14n#"
		sha256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	)
	template := `<?xml version="1.0" encoding="UTF-8"?>
<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"><ds:Signature Id="S0"><ds:SignedInfo>` +
		nl + `<ds:CanonicalizationMethod Algorithm="` + exc + `"/>` +
		`<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
		nl + `<ds:Reference URI="doc.txt"><ds:DigestMethod Algorithm="` + sha256 + `"/><ds:DigestValue></ds:DigestValue></ds:Reference>` +
		`<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#S0-SP"><ds:Transforms><ds:Transform Algorithm="` + exc + `"/></ds:Transforms>` +
		`<ds:DigestMethod Algorithm="` + sha256 + `"/><ds:DigestValue></ds:DigestValue></ds:Reference>` +
		nl + `</ds:SignedInfo>` + nl + `<ds:SignatureValue></ds:SignatureValue>` + nl +
		`<ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + base64.StdEncoding.EncodeToString(e.Cert.Raw) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
		nl + `<ds:Object><xades:QualifyingProperties Target="#S0"><xades:SignedProperties Id="S0-SP"><xades:SignedSignatureProperties>` +
		`<xades:SigningTime>` + time.Now().UTC().Format(time.RFC3339) + `</xades:SigningTime>` +
		`<xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="` + sha256 + `"/>` +
		`<ds:DigestValue>` + base64.StdEncoding.EncodeToString(certDigest[:]) + `</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2>` +
		`</xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature></asic:XAdESSignatures>`
	tmpl := filepath.Join(dir, "template.xml")
	os.WriteFile(tmpl, []byte(template), 0o644)
	signed := filepath.Join(dir, "signed.xml")
	// xmlsec1 counts a relative reference ("doc.txt", resolved beside
	// the template) among "remote" URIs; nothing leaves the machine.
	cmd := exec.Command("xmlsec1", "--sign", "--privkey-pem", keyPEM,
		"--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
		"--enabled-reference-uris", "same-doc,local,remote", "--output", signed, tmpl)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xmlsec1 --sign: %v\n%s", err, out)
	}
	sigXML, _ := os.ReadFile(signed)
	return func(data []byte) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, e := range []entry{mimetype, {"doc.txt", string(data), zip.Deflate},
			{"META-INF/manifest.xml", manifest("doc.txt"), zip.Deflate}, {"META-INF/signatures0.xml", string(sigXML), zip.Deflate}} {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
			w.Write([]byte(e.data))
		}
		zw.Close()
		return b.Bytes()
	}
}

// TestVerifyXmlsec1Container: a container whose XAdES signature xmlsec1
// made (another XML-DSig implementation, over a hand-assembled template,
// the data file referenced by its name) verifies here, and fails once the
// data file changes.
func TestVerifyXmlsec1Container(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte("Apstiprinu šo līgumu.")
	container := xmlsecSigned(t, pki, testpki.IssueOptions{}, doc, false)
	opts := VerifyOptions{Roots: pki.Roots(), Intermediates: []*x509.Certificate{pki.Intermediate.Cert}}
	for _, tc := range []struct {
		data  []byte
		valid bool
	}{{doc, true}, {[]byte(strings.Replace(string(doc), "Apstiprinu", "Noraidu", 1)), false}} {
		data := container(tc.data)
		c, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		reps := c.Verify(context.Background(), opts)
		if len(reps) != 1 || reps[0].Valid != tc.valid {
			t.Errorf("valid %v expected; %+v", tc.valid, reps)
		}
		if !tc.valid && status(reps[0], "references") != Failed {
			t.Errorf("the changed file is not the failing check: %+v", reps[0].Checks)
		}
	}
}

// TestExtendOthersContainer: a container another tool signed (xmlsec1,
// the XML pretty-printed, whitespace inside SignedInfo signed, the
// signer's certificate alone: its issuer fetched from its AIA) is
// extended to B-LTA: its signature stays valid — here and for xmlsec1 —
// now at B-LTA; its data file and manifest are copied byte for byte.
// Extended again to B-LTA, it gets a second archive timestamp.
func TestExtendOthersContainer(t *testing.T) {
	f := newLTVFixture(t)
	// The signature carries its signer's certificate alone; the
	// intermediate is where the certificate's AIA says.
	aia := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(f.pki.Intermediate.Cert.Raw)
	}))
	defer aia.Close()
	issue := f.ltv.Issue
	issue.IssuerURL = aia.URL
	doc := []byte("Apstiprinu šo līgumu.")
	data := xmlsecSigned(t, f.pki, issue, doc, true)(doc)
	ts := &pdf.TSAClient{URL: f.ltv.TSA.URL}
	ltv := pdf.LTVOptions{Roots: f.pki.Roots()}
	extended, err := ExtendContainer(context.Background(), bytes.NewReader(data), int64(len(data)), pdf.LevelBLTA, ts, ltv)
	if err != nil {
		t.Fatal(err)
	}
	// No intermediates given: the CertificateValues carry the chain.
	opts := VerifyOptions{Roots: f.pki.Roots()}
	c, err := Open(bytes.NewReader(extended), int64(len(extended)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	reps := c.Verify(context.Background(), opts)
	if !c.Valid() || len(reps) != 1 || !reps[0].Valid || reps[0].Level != "B-LTA" {
		t.Fatalf("container %+v\nsignatures %+v", c.Checks, reps)
	}
	pdfcheck.XmlsecContainer(t, extended, 2)
	before, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	after, _ := zip.NewReader(bytes.NewReader(extended), int64(len(extended)))
	for i, e := range before.File {
		if e.Name == "META-INF/signatures0.xml" {
			continue
		}
		if after.File[i].Name != e.Name || after.File[i].CRC32 != e.CRC32 || after.File[i].Method != e.Method {
			t.Errorf("entry %d: %s became %s", i, e.Name, after.File[i].Name)
		}
	}

	again, err := ExtendContainer(context.Background(), bytes.NewReader(extended), int64(len(extended)), pdf.LevelBLTA, ts, ltv)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = Open(bytes.NewReader(again), int64(len(again)), Limits{})
	reps = c.Verify(context.Background(), opts)
	n := 0
	for _, k := range reps[0].Checks {
		if k.Name == "archive timestamp" && k.Status == Passed {
			n++
		}
	}
	if len(reps) != 1 || !reps[0].Valid || reps[0].Level != "B-LTA" || n != 2 {
		t.Errorf("renewed: %d archive timestamps; %+v", n, reps)
	}
	// The first archive timestamp's authority: its chain and status
	// before the second, which covers them.
	renewed := c.Signatures["META-INF/signatures0.xml"]
	tsvd := bytes.Index(renewed, []byte("TimeStampValidationData"))
	if tsvd < 0 || bytes.Count(renewed, []byte("<xades:EncapsulatedOCSPValue>")) != 3 || tsvd > bytes.LastIndex(renewed, []byte("ArchiveTimeStamp")) {
		t.Errorf("no TimeStampValidationData before the new archive timestamp:\n%s", renewed)
	}
}
