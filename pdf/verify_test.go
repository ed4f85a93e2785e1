package pdf

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testocsp"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
)

// pdfsigVerdict is what poppler's pdfsig says of the last signature.
type pdfsigVerdict struct {
	SignatureValid bool
	Certificate    string // the "Certificate Validation:" line
}

var certLineRE = regexp.MustCompile(`Certificate Validation: (.*)`)

func pdfsigLast(t *testing.T, v *pdfcheck.Validators, path string) pdfsigVerdict {
	t.Helper()
	out, _ := exec.Command("pdfsig", "-nssdir", v.NSS, path).CombinedOutput()
	sigs := strings.Split(string(out), "Signature #")
	last := sigs[len(sigs)-1]
	var pv pdfsigVerdict
	pv.SignatureValid = strings.Contains(last, "Signature Validation: Signature is Valid.")
	if m := certLineRE.FindStringSubmatch(last); m != nil {
		pv.Certificate = strings.TrimSpace(m[1])
	}
	return pv
}

// modify applies fn to a copy of in and returns the new file.
func modify(t *testing.T, in string, fn func([]byte) []byte) string {
	t.Helper()
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "modified.pdf")
	if err := os.WriteFile(out, fn(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// addPage appends an incremental update that adds a page: a change no
// signature permits.
func addPage(t *testing.T, data []byte) []byte {
	t.Helper()
	d, err := openDocument(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	u := newUpdate(d, true)
	cat, _, _ := d.catalog()
	pagesRef := cat.IndirectRefEntry("Pages")
	pages, _ := d.dict(*pagesRef)
	pages = pages.Clone().(types.Dict)
	content := "BT /F1 24 Tf 72 700 Td (Added after signing) Tj ET"
	contentNr, pageNr := u.alloc(), u.alloc()
	u.writeStream(contentNr, types.Dict{}, []byte(content))
	u.writeObject(pageNr, types.Dict{
		"Type": types.Name("Page"), "Parent": *pagesRef,
		"MediaBox": types.Array{types.Integer(0), types.Integer(0), types.Integer(595), types.Integer(842)},
		"Contents": ref(contentNr),
	})
	pages["Kids"] = append(copyArray(pages.ArrayEntry("Kids")), ref(pageNr))
	pages["Count"] = types.Integer(*pages.IntEntry("Count") + 1)
	u.writeObject(pagesRef.ObjectNumber.Value(), pages)
	u.writeXRef()
	return append(bytes.Clone(data), u.buf.Bytes()...)
}

// signWrongCertHash signs with a signing-certificate-v2 attribute that
// names another certificate, the signature itself being good: the
// substitution OpenSSL and pdfsig do not notice.
func signWrongCertHash(t *testing.T, f *fixture, in, out string) {
	t.Helper()
	e := f.keys["rsa"]
	other := f.keys["ecdsa"]
	data, _ := os.ReadFile(in)
	p, err := Prepare(context.Background(), bytes.NewReader(data), int64(len(data)), f.pki.Chain(e.Cert), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The attributes, recomputed with the other certificate's hash.
	wrong := p.signer
	wrong.chain = f.pki.Chain(other.Cert)
	attrs, err := wrong.signedAttributes(p.docDigest)
	if err != nil {
		t.Fatal(err)
	}
	p.signedAttrs = attrs
	h := crypto.SHA256.New()
	h.Write(attrs)
	p.digest = h.Sum(nil)
	sig, err := e.Key.Sign(rand.Reader, p.digest, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Finish(context.Background(), sig); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	p.WriteTo(&buf)
	os.WriteFile(out, buf.Bytes(), 0o644)
}

// TestVerifyAgreesWithPdfsig builds each kind of file the issue names and
// compares Signet's verdict with poppler's pdfsig. Signet's "valid" means
// what pdfsig's "Signature is Valid" and "Certificate is Trusted" mean
// together; where the two disagree, the case says why Signet is right.
func TestVerifyAgreesWithPdfsig(t *testing.T) {
	f := newFixture(t)
	inputs := f.inputs(t)
	responder, err := testocsp.Start(f.pki)
	if err != nil {
		t.Fatal(err)
	}
	defer responder.Close()
	classic := inputs["classic"]
	dir := t.TempDir()
	signed := func(name, key string, opts Options) string {
		out := filepath.Join(dir, name+".pdf")
		f.sign(t, classic, out, key, opts)
		return out
	}
	withKey := func(name string, e testpki.Entity, opts Options) string {
		out := filepath.Join(dir, name+".pdf")
		if err := SignFile(context.Background(), classic, out, e.Key, f.pki.Chain(e.Cert), opts); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tsa := &TSAClient{URL: f.tsa.URL}

	good := signed("signet", "rsa", Options{Timestamper: tsa})

	expiredKey, err := f.pki.NewEntity(testpki.RSA2048, testpki.Signing, "Expired Signer",
		testpki.IssueOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	otherPKI, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	strangerKey, err := otherPKI.NewEntity(testpki.P256, testpki.Signing, "Stranger", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	revokedKey, err := f.pki.NewEntity(testpki.P256, testpki.Signing, "Revoked Signer", testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	responder.Revoke(revokedKey.Cert.SerialNumber, time.Now().Add(-time.Hour))
	revokedSigned := withKey("revoked-signed", revokedKey, Options{})
	revoked := modify(t, revokedSigned, func(b []byte) []byte {
		resp, err := responder.Response(revokedKey.Cert)
		if err != nil {
			t.Fatal(err)
		}
		upd, err := appendDSS(bytes.NewReader(b), int64(len(b)), "", nil, [][]byte{resp}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return append(b, upd...)
	})
	wrongHash := filepath.Join(dir, "wrong-sigcertv2.pdf")
	signWrongCertHash(t, f, classic, wrongHash)

	for _, tc := range []struct {
		name           string
		file           string
		signetValid    bool
		failing        string // the check Signet fails
		pdfsigValid    bool   // signature and certificate
		disagreementOK string // why Signet is right when the two differ
	}{
		{name: "signet-signed", file: good, signetValid: true, pdfsigValid: true},
		{name: "pdfsig-signed", file: inputs["presigned"], signetValid: true, pdfsigValid: true},
		// pdfsig 22.12 leaves its field out of an existing form; Signet
		// still finds it, and warns.
		{name: "pdfsig-signed over a form", file: f.presigned(t, inputs["acroform"]), signetValid: true, pdfsigValid: true},
		{name: "tampered inside the byte range", file: modify(t, good, func(b []byte) []byte {
			return bytes.Replace(b, []byte("Signet test page 1"), []byte("Signet test page 9"), 1)
		}), failing: "document digest"},
		{name: "bytes appended after the signature", file: modify(t, good, func(b []byte) []byte {
			return append(b, []byte("% appended, no revision\n")...)
		}), signetValid: true, pdfsigValid: true},
		{name: "page added after signing", file: modify(t, good, func(b []byte) []byte { return addPage(t, b) }),
			failing: "changes after signing", pdfsigValid: true,
			disagreementOK: "pdfsig checks the signed bytes only and reports the signature valid; the document a reader now shows has a page nobody signed, which Signet reports as a change no signature permits"},
		{name: "certificate expired at signing time", file: withKey("expired", expiredKey, Options{Timestamper: tsa}), failing: "certificate"},
		{name: "untrusted root", file: withKey("untrusted", strangerKey, Options{}), failing: "certificate"},
		{name: "revoked certificate with embedded OCSP", file: revoked, failing: "revocation"},
		{name: "broken CMS", file: modify(t, good, func(b []byte) []byte {
			sig := pdfcheck.Signatures(t, good)[0]
			garbage := make([]byte, len(sig.CMS))
			rand.Read(garbage)
			garbage[0] = 0x30 // still looks like DER at a glance
			broken := bytes.Replace(b, []byte(hex.EncodeToString(sig.CMS)), []byte(hex.EncodeToString(garbage)), 1)
			if bytes.Equal(broken, b) {
				t.Fatal("the CMS was not found in the file")
			}
			return broken
		}), failing: "CMS"},
		{name: "wrong signing-certificate-v2 hash", file: wrongHash, failing: "signing certificate", pdfsigValid: true,
			disagreementOK: "the signature binds another certificate than the one it carries; pdfsig, like OpenSSL, does not check the signing-certificate-v2 attribute (RFC 5035), so it cannot see the substitution"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := VerifyFile(context.Background(), tc.file, VerifyOptions{Roots: f.pki.Roots()})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			last := rep.Signatures[len(rep.Signatures)-1]
			if last.Valid != tc.signetValid {
				t.Errorf("Signet says valid=%v, want %v: %+v", last.Valid, tc.signetValid, last.Checks)
			}
			if tc.failing != "" {
				found := false
				for _, c := range last.Checks {
					found = found || (c.Name == tc.failing && c.Status == Failed)
				}
				if !found {
					t.Errorf("the %q check did not fail: %+v", tc.failing, last.Checks)
				}
			}
			ps := pdfsigLast(t, f.v, tc.file)
			pdfsigValid := ps.SignatureValid && ps.Certificate == "Certificate is Trusted."
			if pdfsigValid != tc.pdfsigValid {
				t.Errorf("pdfsig says signature valid=%v, certificate %q; expected valid=%v", ps.SignatureValid, ps.Certificate, tc.pdfsigValid)
			}
			if pdfsigValid != last.Valid && tc.disagreementOK == "" {
				t.Errorf("Signet (valid=%v) and pdfsig (valid=%v) disagree without a documented reason", last.Valid, pdfsigValid)
			}
			t.Logf("Signet valid=%v; pdfsig: signature valid=%v, %s", last.Valid, ps.SignatureValid, ps.Certificate)
		})
	}
}

func TestVerifyLevels(t *testing.T) {
	f := newFixture(t)
	in := filepath.Join(f.dir, "doc.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, "B-B"},
		{Options{Timestamper: &TSAClient{URL: f.tsa.URL}}, "B-T"},
		{Options{SubFilter: Adobe}, ""},
	} {
		t.Run(fmt.Sprintf("ok level %q", tc.want), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "s.pdf")
			f.sign(t, in, out, "ecdsa", tc.opts)
			rep, err := VerifyFile(context.Background(), out, VerifyOptions{Roots: f.pki.Roots()})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			if !s.Valid || s.Level != tc.want {
				t.Errorf("valid=%v level=%q, want level %q: %+v", s.Valid, s.Level, tc.want, s.Checks)
			}
			if tc.opts.Timestamper != nil && (s.ProvenTime == nil || s.TimestampAuthority == nil) {
				t.Error("no proven time from the timestamp")
			}
		})
	}
}

// TestVerifyLongTerm builds B-LT (validation data in a DSS after a B-T
// signature) and B-LTA (a document timestamp after that) and checks the
// levels Signet reports, and that pdfsig accepts the document timestamp.
func TestVerifyLongTerm(t *testing.T) {
	f := newFixture(t)
	responder, err := testocsp.Start(f.pki)
	if err != nil {
		t.Fatal(err)
	}
	defer responder.Close()
	in := filepath.Join(f.dir, "doc.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	bt := filepath.Join(t.TempDir(), "b-t.pdf")
	tsa := &TSAClient{URL: f.tsa.URL}
	f.sign(t, in, bt, "ecdsa", Options{Timestamper: tsa})

	signer := f.keys["ecdsa"].Cert
	resp, err := responder.Response(signer)
	if err != nil {
		t.Fatal(err)
	}
	lt := modify(t, bt, func(b []byte) []byte {
		upd, err := appendDSS(bytes.NewReader(b), int64(len(b)), "",
			[][]byte{signer.Raw, f.pki.Intermediate.Cert.Raw, f.pki.Root.Cert.Raw}, [][]byte{resp}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return append(b, upd...)
	})
	lta := filepath.Join(t.TempDir(), "b-lta.pdf")
	data, _ := os.ReadFile(lt)
	var out bytes.Buffer
	if err := TimestampDocument(context.Background(), bytes.NewReader(data), int64(len(data)), &out, tsa, crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(lta, out.Bytes(), 0o644)

	for _, tc := range []struct {
		file, level string
		sigs        int
	}{
		{bt, "B-T", 1},
		{lt, "B-LT", 1},
		{lta, "B-LTA", 2},
	} {
		rep, err := VerifyFile(context.Background(), tc.file, VerifyOptions{Roots: f.pki.Roots()})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Signatures) != tc.sigs {
			t.Fatalf("%s: %d signatures, want %d", tc.level, len(rep.Signatures), tc.sigs)
		}
		s := rep.Signatures[0]
		if !s.Valid || s.Level != tc.level {
			t.Errorf("want %s: valid=%v level=%q %+v", tc.level, s.Valid, s.Level, s.Checks)
		}
		if tc.level != "B-T" {
			revoked := false
			for _, c := range s.Checks {
				revoked = revoked || (c.Name == "revocation" && c.Status == Passed)
			}
			if !revoked {
				t.Errorf("%s: the embedded OCSP response was not used: %+v", tc.level, s.Checks)
			}
			if !slices.Contains(s.ChangesAfter, changeDSS) {
				t.Errorf("%s: changes after = %v, want the DSS", tc.level, s.ChangesAfter)
			}
		}
	}
	rep, _ := VerifyFile(context.Background(), lta, VerifyOptions{Roots: f.pki.Roots()})
	if ts := rep.Signatures[1]; !ts.Valid || ts.TimestampAuthority == nil || ts.SubFilter != "ETSI.RFC3161" {
		t.Errorf("document timestamp: %+v", ts)
	}
	f.v.QPDF(t, lta)
	// pdfsig 22.12 cannot check document timestamps ("Unimplemented
	// Feature"); it must still accept the signature before them, and
	// openssl ts checks the token over the byte ranges independently.
	if out, _ := exec.Command("pdfsig", "-nssdir", f.v.NSS, lta).CombinedOutput(); !strings.Contains(string(out), "Signature is Valid") {
		t.Errorf("pdfsig no longer accepts the signature:\n%s", out)
	}
	sigs := pdfcheck.Signatures(t, lta)
	dir := t.TempDir()
	token, signedData := filepath.Join(dir, "token.der"), filepath.Join(dir, "data.bin")
	os.WriteFile(token, sigs[1].CMS, 0o600)
	os.WriteFile(signedData, sigs[1].Signed, 0o600)
	cmd := exec.Command("openssl", "ts", "-verify", "-data", signedData, "-in", token, "-token_in", "-CAfile", f.v.RootPEM,
		"-untrusted", filepath.Join(dir, "chain.pem"))
	chain := append(pemCert(f.tsa.Entity.Cert.Raw), pemCert(f.pki.Intermediate.Cert.Raw)...)
	os.WriteFile(filepath.Join(dir, "chain.pem"), chain, 0o600)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Errorf("openssl ts -verify of the document timestamp: %v\n%s", err, out)
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// fillField appends a revision that changes the value of form field nr.
func fillField(t *testing.T, data []byte, nr int, value string) []byte {
	t.Helper()
	d, err := openDocument(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	field, err := d.dict(ref(nr))
	if err != nil || field == nil {
		t.Fatalf("field %d: %v", nr, err)
	}
	field = field.Clone().(types.Dict)
	field["V"] = pdfText(value)
	u := newUpdate(d, true)
	u.writeObject(nr, field)
	u.writeXRef()
	return append(bytes.Clone(data), u.buf.Bytes()...)
}

func TestVerifyFieldLocks(t *testing.T) {
	f := newFixture(t)
	in := filepath.Join(f.dir, "form.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{Form: true}); err != nil {
		t.Fatal(err)
	}
	const nameField = 4 // testpdf's text field "Name"
	for _, tc := range []struct {
		name  string
		lock  *FieldLock
		valid bool
	}{
		{"ok no lock", nil, true},
		{"ok other field locked", &FieldLock{Action: "Include", Fields: []string{"Address"}}, true},
		{"fail field locked", &FieldLock{Action: "Include", Fields: []string{"Name"}}, false},
		{"fail all locked", &FieldLock{Action: "All"}, false},
		{"ok excluded from lock", &FieldLock{Action: "Exclude", Fields: []string{"Name"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed := filepath.Join(t.TempDir(), "signed.pdf")
			f.sign(t, in, signed, "rsa", Options{Lock: tc.lock})
			filled := modify(t, signed, func(b []byte) []byte { return fillField(t, b, nameField, "Zoë Ørsted") })
			rep, err := VerifyFile(context.Background(), filled, VerifyOptions{Roots: f.pki.Roots()})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			if s.Valid != tc.valid {
				t.Errorf("valid=%v, want %v: %+v", s.Valid, tc.valid, s.Checks)
			}
			if !slices.Contains(s.ChangesAfter, changeFormFilling) {
				t.Errorf("changes after = %v, want form filling", s.ChangesAfter)
			}
		})
	}
}

func TestVerifyDocMDP(t *testing.T) {
	f := newFixture(t)
	in := filepath.Join(f.dir, "form.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{Form: true}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		perms Permissions
		valid bool
	}{
		{NoChanges, false},
		{FormFilling, true},
		{Annotating, true},
	} {
		t.Run(fmt.Sprintf("certified P=%d then form filling", tc.perms), func(t *testing.T) {
			signed := filepath.Join(t.TempDir(), "certified.pdf")
			f.sign(t, in, signed, "ecdsa", Options{Certify: tc.perms})
			filled := modify(t, signed, func(b []byte) []byte { return fillField(t, b, 4, "changed") })
			rep, err := VerifyFile(context.Background(), filled, VerifyOptions{Roots: f.pki.Roots()})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			if s.Valid != tc.valid || s.Certification != int(tc.perms) {
				t.Errorf("valid=%v certification=%d, want %v, %d: %+v", s.Valid, s.Certification, tc.valid, tc.perms, s.Checks)
			}
		})
	}
}

func TestVerifyOnlineRevocation(t *testing.T) {
	f := newFixture(t)
	responder, err := testocsp.Start(f.pki)
	if err != nil {
		t.Fatal(err)
	}
	defer responder.Close()
	// A CRL endpoint revoking one serial.
	revokedSerial := new(big.Int)
	crlServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
			Number:                    big.NewInt(1),
			ThisUpdate:                time.Now().Add(-time.Minute),
			NextUpdate:                time.Now().Add(time.Hour),
			RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: revokedSerial, RevocationTime: time.Now().Add(-time.Hour)}},
		}, f.pki.Intermediate.Cert, f.pki.Intermediate.Key)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(crl)
	}))
	defer crlServer.Close()
	// A version-1 CRL, as OpenSSL CAs issue by default.
	v1Server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var revoked []*big.Int
		if revokedSerial.Sign() != 0 {
			revoked = append(revoked, revokedSerial)
		}
		crl, err := testpki.V1CRL(f.pki.Intermediate, time.Now().Add(-time.Minute), time.Now().Add(time.Hour), revoked...)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(crl)
	}))
	defer v1Server.Close()

	in := filepath.Join(f.dir, "doc.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		issue   testpki.IssueOptions
		revoke  bool
		online  bool
		want    Status
		wantVal bool
	}{
		{"ok offline is unknown", testpki.IssueOptions{OCSPServer: responder.URL}, false, false, Unknown, true},
		{"ok online OCSP good", testpki.IssueOptions{OCSPServer: responder.URL}, false, true, Passed, true},
		{"fail online OCSP revoked", testpki.IssueOptions{OCSPServer: responder.URL}, true, true, Failed, false},
		{"ok online CRL good", testpki.IssueOptions{CRLDistributionPoint: crlServer.URL}, false, true, Passed, true},
		{"fail online CRL revoked", testpki.IssueOptions{CRLDistributionPoint: crlServer.URL}, true, true, Failed, false},
		{"ok online version-1 CRL good", testpki.IssueOptions{CRLDistributionPoint: v1Server.URL}, false, true, Passed, true},
		{"fail online version-1 CRL revoked", testpki.IssueOptions{CRLDistributionPoint: v1Server.URL}, true, true, Failed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := f.pki.NewEntity(testpki.P256, testpki.Signing, "Online Signer", tc.issue)
			if err != nil {
				t.Fatal(err)
			}
			revokedSerial.SetInt64(0)
			if tc.revoke {
				responder.Revoke(e.Cert.SerialNumber, time.Now().Add(-time.Hour))
				revokedSerial.Set(e.Cert.SerialNumber)
			}
			out := filepath.Join(t.TempDir(), "s.pdf")
			if err := SignFile(context.Background(), in, out, e.Key, f.pki.Chain(e.Cert), Options{}); err != nil {
				t.Fatal(err)
			}
			rep, err := VerifyFile(context.Background(), out, VerifyOptions{Roots: f.pki.Roots(), Online: tc.online})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			var got Status
			for _, c := range s.Checks {
				if c.Name == "revocation" {
					got = c.Status
				}
			}
			if got != tc.want || s.Valid != tc.wantVal {
				t.Errorf("revocation %q valid=%v, want %q valid=%v: %+v", got, s.Valid, tc.want, tc.wantVal, s.Checks)
			}
		})
	}
}

func TestVerifyAlgorithmsAndUsage(t *testing.T) {
	f := newFixture(t)
	in := filepath.Join(f.dir, "doc.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	verify := func(t *testing.T, path string) SignatureReport {
		t.Helper()
		rep, err := VerifyFile(context.Background(), path, VerifyOptions{Roots: f.pki.Roots()})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Signatures[0]
	}
	for _, tc := range []struct {
		key  string
		opts Options
		alg  string
	}{
		{"rsa", Options{Hash: crypto.SHA256}, "RSA PKCS#1 v1.5 with SHA-256"},
		{"rsa3072", Options{PSS: true, Hash: crypto.SHA384}, "RSA-PSS with SHA-384"},
		{"ecdsa", Options{Hash: crypto.SHA256}, "ECDSA with SHA-256"},
		{"ecdsa384", Options{Hash: crypto.SHA512}, "ECDSA with SHA-512"},
	} {
		t.Run("ok "+tc.alg, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "s.pdf")
			f.sign(t, in, out, tc.key, tc.opts)
			if s := verify(t, out); !s.Valid || s.SignatureAlgorithm != tc.alg {
				t.Errorf("valid=%v algorithm %q, want %q: %+v", s.Valid, s.SignatureAlgorithm, tc.alg, s.Checks)
			}
		})
	}
	t.Run("fail certificate may not sign", func(t *testing.T) {
		e, err := f.pki.NewEntity(testpki.RSA2048, testpki.Encryption, "Encryption Only", testpki.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "s.pdf")
		if err := SignFile(context.Background(), in, out, e.Key, f.pki.Chain(e.Cert), Options{}); err != nil {
			t.Fatal(err)
		}
		s := verify(t, out)
		if s.Valid || !hasFailed(s, "certificate", "key usage") {
			t.Errorf("an encryption-only certificate passed: %+v", s.Checks)
		}
	})
	t.Run("fail timestamp for another signature", func(t *testing.T) {
		// A TSA that stamps a different imprint than it was asked for.
		other := &TSAClient{URL: f.tsa.URL}
		lying := swapTSA{inner: other}
		out := filepath.Join(t.TempDir(), "s.pdf")
		f.sign(t, in, out, "rsa", Options{Timestamper: lying})
		s := verify(t, out)
		if s.Valid || !hasFailed(s, "signature timestamp", "another signature") || s.ProvenTime != nil {
			t.Errorf("a timestamp over another imprint passed: %+v", s.Checks)
		}
	})
}

// swapTSA asks the real TSA for a token over a different digest.
type swapTSA struct{ inner *TSAClient }

func (s swapTSA) Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	other := bytes.Clone(digest)
	other[0] ^= 0xff
	return s.inner.Timestamp(ctx, other, h)
}
func (s swapTSA) MaxTokenSize(ctx context.Context) (int, error) { return s.inner.MaxTokenSize(ctx) }

func hasFailed(s SignatureReport, check, mention string) bool {
	for _, c := range s.Checks {
		if c.Name == check && c.Status == Failed && strings.Contains(c.Detail, mention) {
			return true
		}
	}
	return false
}

// TestExtendLevels signs B-T and extends to B-LT and B-LTA with validation
// data fetched from an OCSP responder for the signer and the TSA.
func TestExtendLevels(t *testing.T) {
	f := newFixture(t)
	responder, err := testocsp.Start(f.pki)
	if err != nil {
		t.Fatal(err)
	}
	defer responder.Close()
	tsaServer, err := testtsa.StartWith(f.pki, testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer tsaServer.Close()
	tsa := &TSAClient{URL: tsaServer.URL}
	signer, err := f.pki.NewEntity(testpki.RSA2048, testpki.Signing, "Long Term", testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(f.dir, "doc.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	bt := filepath.Join(t.TempDir(), "bt.pdf")
	if err := SignFile(context.Background(), in, bt, signer.Key, f.pki.Chain(signer.Cert), Options{Timestamper: tsa}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(bt)
	for _, level := range []Level{LevelBLT, LevelBLTA} {
		t.Run("ok "+string(level), func(t *testing.T) {
			var out bytes.Buffer
			if err := Extend(context.Background(), bytes.NewReader(data), int64(len(data)), &out, level, tsa, LTVOptions{Roots: f.pki.Roots()}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "extended.pdf")
			os.WriteFile(path, out.Bytes(), 0o644)
			rep, err := VerifyFile(context.Background(), path, VerifyOptions{Roots: f.pki.Roots()})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			if !s.Valid || s.Level != string(level) || !hasPassed(s, "revocation") {
				t.Errorf("level %q valid=%v: %+v", s.Level, s.Valid, s.Checks)
			}
			f.v.QPDF(t, path)
			// pdfsig judges the signature; it cannot check the
			// document timestamp of B-LTA (see TestVerifyLongTerm).
			f.v.PDFSig(t, path, 1)
		})
	}
	t.Run("fail no revocation pointer", func(t *testing.T) {
		plain := filepath.Join(t.TempDir(), "plain.pdf")
		e := f.keys["ecdsa"] // no OCSP or CRL pointer
		if err := SignFile(context.Background(), in, plain, e.Key, f.pki.Chain(e.Cert), Options{Timestamper: tsa}); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(plain)
		err := Extend(context.Background(), bytes.NewReader(data), int64(len(data)), io.Discard, LevelBLT, tsa, LTVOptions{Roots: f.pki.Roots()})
		if !errors.Is(err, ErrValidationData) {
			t.Fatalf("err = %v, want ErrValidationData", err)
		}
	})
}

func hasPassed(s SignatureReport, check string) bool {
	for _, c := range s.Checks {
		if c.Name == check && c.Status == Passed {
			return true
		}
	}
	return false
}
