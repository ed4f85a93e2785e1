// Package pdfcheck runs independent validators on signed PDFs in tests:
// poppler's pdfsig (with the test root trusted in an NSS database), qpdf
// --check, openssl cms -verify over the signed byte ranges, and pdfcpu's
// signature validation; xmlsec1 on ASiC-E containers' XAdES signatures.
// None of them shares code with Signet's writer.
//
// Missing tools fail the test under CI=true and skip it elsewhere.
package pdfcheck

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/digitorus/pkcs7"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/signet-sign/signet/internal/testpki"
)

// Validators hold the trust settings for one test PKI.
type Validators struct {
	Dir     string // NSS database, root PEM, pdfcpu configuration
	NSS     string // "sql:<dir>"
	RootPEM string
	// Password opens encrypted documents in qpdf and pdfsig (as the
	// user password; qpdf also takes the owner's).
	Password string
}

// Require skips, or under CI=true fails, when a tool is missing.
func Require(tb testing.TB, tools ...string) {
	tb.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				tb.Fatalf("%s is not installed (make test installs it)", tool)
			}
			tb.Skipf("%s is not installed; this fails under CI=true", tool)
		}
	}
}

var pdfcpuMu sync.Mutex // pdfcpu's trust store is process-global

// New prepares the validators to trust pki's root; pdfsig's database
// also holds the intermediate, untrusted, as a person's browser profile
// may.
func New(tb testing.TB, pki *testpki.PKI) *Validators {
	tb.Helper()
	v := NewRootOnly(tb, pki)
	// The intermediate, untrusted in itself, lets pdfsig -add-signature
	// embed the whole chain when it signs a fixture.
	inter := filepath.Join(v.Dir, "intermediate.pem")
	if err := os.WriteFile(inter, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Intermediate.Cert.Raw}), 0o644); err != nil {
		tb.Fatal(err)
	}
	run(tb, "certutil", "-A", "-n", "Signet Test Intermediate", "-t", ",,", "-i", inter, "-d", v.NSS)
	return v
}

// NewRootOnly prepares the validators to trust pki's root and to know
// nothing else: a signature's chain must come from the signature.
func NewRootOnly(tb testing.TB, pki *testpki.PKI) *Validators {
	tb.Helper()
	Require(tb, "pdfsig", "qpdf", "openssl", "certutil")
	dir := tb.TempDir()
	v := &Validators{Dir: dir, NSS: "sql:" + filepath.Join(dir, "nss")}
	var err error
	if v.RootPEM, err = pki.WriteRootPEM(dir); err != nil {
		tb.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "nss"), 0o700); err != nil {
		tb.Fatal(err)
	}
	run(tb, "certutil", "-N", "--empty-password", "-d", v.NSS)
	run(tb, "certutil", "-A", "-n", "Signet Test Root", "-t", "CT,C,C", "-i", v.RootPEM, "-d", v.NSS)
	return v
}

func run(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Check runs every validator on path and expects n signatures, all valid.
func (v *Validators) Check(tb testing.TB, path string, n int) {
	tb.Helper()
	v.QPDF(tb, path)
	v.PDFSig(tb, path, n)
	v.OpenSSL(tb, path, n)
	v.PDFCPU(tb, path, n)
}

// QPDF runs qpdf --check and wants no error and no warning.
func (v *Validators) QPDF(tb testing.TB, path string) {
	tb.Helper()
	args := []string{"--check", path}
	if v.Password != "" {
		args = append(args, "--password="+v.Password)
	}
	out, err := exec.Command("qpdf", args...).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("WARNING")) {
		tb.Errorf("qpdf --check %s: %v\n%s", filepath.Base(path), err, out)
	}
}

// PDFSig runs pdfsig and wants n signatures, each valid and trusted.
func (v *Validators) PDFSig(tb testing.TB, path string, n int) string {
	tb.Helper()
	args := []string{"-nssdir", v.NSS, path}
	if v.Password != "" {
		args = append([]string{"-upw", v.Password}, args...)
	}
	out, _ := exec.Command("pdfsig", args...).CombinedOutput()
	text := string(out)
	if got := strings.Count(text, "Signature Validation: Signature is Valid."); got != n {
		tb.Errorf("pdfsig: %d of %d signatures valid:\n%s", got, n, text)
	}
	if got := strings.Count(text, "Certificate Validation: Certificate is Trusted."); got != n {
		tb.Errorf("pdfsig: %d of %d certificates trusted:\n%s", got, n, text)
	}
	return text
}

var byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// Signature is one signature found by scanning the file's bytes.
type Signature struct {
	ByteRange [4]int64
	CMS       []byte // DER, trailing padding removed
	Signed    []byte // the bytes the ByteRange covers
}

// Signatures finds the signatures by their /ByteRange, without a PDF
// parser, and cuts out the CMS from the gap.
func Signatures(tb testing.TB, path string) []Signature {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var sigs []Signature
	for _, m := range byteRangeRE.FindAllSubmatch(data, -1) {
		var br [4]int64
		for i := range br {
			br[i], _ = strconv.ParseInt(string(m[i+1]), 10, 64)
		}
		if br[0] != 0 || br[1] < 0 || br[2] <= br[1] || br[2]+br[3] > int64(len(data)) {
			tb.Fatalf("bad /ByteRange %v in a file of %d bytes", br, len(data))
		}
		gap := bytes.Trim(data[br[1]:br[2]], "<>")
		der, err := hex.DecodeString(string(gap))
		if err != nil {
			tb.Fatalf("/Contents is not hex: %v", err)
		}
		// DER knows its length: drop the zero padding after it.
		if len(der) > 4 && der[0] == 0x30 && der[1] == 0x82 {
			der = der[:4+int(der[2])<<8+int(der[3])]
		} else if len(der) > 5 && der[0] == 0x30 && der[1] == 0x83 {
			der = der[:5+int(der[2])<<16+int(der[3])<<8+int(der[4])]
		}
		signed := append(append([]byte(nil), data[:br[1]]...), data[br[2]:br[2]+br[3]]...)
		sigs = append(sigs, Signature{ByteRange: br, CMS: der, Signed: signed})
	}
	return sigs
}

// OpenSSL verifies each signature's CMS over its byte ranges with
// openssl cms -verify, trusting the test root.
func (v *Validators) OpenSSL(tb testing.TB, path string, n int) {
	tb.Helper()
	sigs := Signatures(tb, path)
	if len(sigs) != n {
		tb.Errorf("found %d signatures, want %d", len(sigs), n)
	}
	dir := tb.TempDir()
	for i, s := range sigs {
		cms := filepath.Join(dir, fmt.Sprintf("sig%d.der", i))
		content := filepath.Join(dir, fmt.Sprintf("content%d.bin", i))
		os.WriteFile(cms, s.CMS, 0o600)
		os.WriteFile(content, s.Signed, 0o600)
		out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", cms,
			"-content", content, "-CAfile", v.RootPEM, "-purpose", "any", "-out", os.DevNull).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("Verification successful")) {
			tb.Errorf("openssl cms -verify, signature %d: %v\n%s", i+1, err, out)
		}
	}
}

// PDFCPU runs pdfcpu's signature validation with the test root as its
// only trusted certificate.
func (v *Validators) PDFCPU(tb testing.TB, path string, n int) {
	tb.Helper()
	pdfcpuMu.Lock()
	defer pdfcpuMu.Unlock()
	cfgDir := filepath.Join(v.Dir, "pdfcpu")
	if err := api.EnsureDefaultConfigAt(cfgDir); err != nil {
		tb.Fatal(err)
	}
	root, _ := os.ReadFile(v.RootPEM)
	if b, _ := pem.Decode(root); b == nil {
		tb.Fatal("root PEM")
	}
	if err := os.WriteFile(filepath.Join(model.TrustedCertDir, "signet-test-root.pem"), root, 0o644); err != nil {
		tb.Fatal(err)
	}
	model.MarkCertificateStoreChanged()
	results, err := api.ValidateSignatures(path, true, model.NewDefaultConfiguration())
	if err != nil {
		tb.Errorf("pdfcpu: %v", err)
		return
	}
	if len(results) != n {
		tb.Errorf("pdfcpu found %d signatures, want %d", len(results), n)
	}
	for i, r := range results {
		// pdfcpu says "valid" only once revocation is proven. Until test
		// certificates carry OCSP/CRL pointers, "revocation unknown" is
		// the best verdict; every cryptographic and trust check has run
		// by then, and any failure of those gives another reason.
		revocationOnly := r.Status == model.SignatureStatusUnknown && r.Reason == model.SignatureReasonCertRevocationUnknown
		if r.Status != model.SignatureStatusValid && !revocationOnly {
			tb.Errorf("pdfcpu, signature %d: %s", i+1, r)
		}
	}
}

// PageText is the text poppler's pdftotext extracts from page n.
func PageText(path string, n int) (string, error) {
	out, err := exec.Command("pdftotext", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), path, "-").Output()
	if err != nil {
		return "", fmt.Errorf("pdftotext %s: %w", path, err)
	}
	return string(out), nil
}

// SignWithPDFSig signs in into out with poppler's pdfsig (another tool's
// signature, made through the NSS database) using e's key, which it
// imports under e's common name.
func (v *Validators) SignWithPDFSig(tb testing.TB, e testpki.Entity, in, out string) {
	tb.Helper()
	Require(tb, "pdfsig", "pk12util", "openssl")
	nick := e.Cert.Subject.CommonName
	keyDER, err := x509.MarshalPKCS8PrivateKey(e.Key)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	// openssl writes the friendlyName that pdfsig's -nick looks for.
	keyPath, certPath, p12Path := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.p12")
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.Cert.Raw}), 0o600)
	run(tb, "openssl", "pkcs12", "-export", "-inkey", keyPath, "-in", certPath, "-name", nick, "-out", p12Path, "-passout", "pass:pw")
	run(tb, "pk12util", "-i", p12Path, "-d", v.NSS, "-W", "pw")
	run(tb, "pdfsig", "-add-signature", "-nssdir", v.NSS, "-nick", nick, "-digest", "SHA256", in, out)
}

// XmlsecContainer checks every XAdES signature document of the ASiC-E
// container (bytes) with xmlsec1, an independent XML-DSig
// implementation: the signature value over the canonical SignedInfo and
// the digest of each reference (the data files and the signed
// properties); refs is how many references each signature has. The
// chain is not what it checks (--insecure).
func XmlsecContainer(tb testing.TB, container []byte, refs int) {
	tb.Helper()
	Require(tb, "xmlsec1")
	zr, err := zip.NewReader(bytes.NewReader(container), int64(len(container)))
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	var sigs []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		// The references are relative to the container's root: the
		// signature documents go there too.
		name := f.Name
		if dirName, base := path.Split(f.Name); dirName == "META-INF/" {
			if !strings.Contains(base, "signatures") {
				continue
			}
			name = base
			sigs = append(sigs, base)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	if len(sigs) == 0 {
		tb.Fatal("the container has no signature documents")
	}
	for _, s := range sigs {
		// xmlsec1 counts a bare relative URI ("doc.pdf") as "remote".
		cmd := exec.Command("xmlsec1", "--verify", "--enabled-reference-uris", "empty,same-doc,local,remote",
			"--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
			"--enabled-key-data", "x509", "--insecure", s)
		cmd.Dir = dir
		want := fmt.Sprintf("SignedInfo References (ok/all): %d/%d", refs, refs)
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), want) {
			tb.Errorf("xmlsec1 --verify of %s: %v\n%s", s, err, out)
		}
	}
}

// CMSCertificates returns the certificates the CMS of each signature of
// path carries.
func CMSCertificates(t *testing.T, path string) [][]*x509.Certificate {
	t.Helper()
	var out [][]*x509.Certificate
	for _, s := range Signatures(t, path) {
		p7, err := pkcs7.Parse(s.CMS)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p7.Certificates)
	}
	return out
}
