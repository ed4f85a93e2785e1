package asice

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"golang.org/x/crypto/ocsp"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
)

// ltvFixture is a test PKI with a TSA and an OCSP responder.
type ltvFixture struct {
	pki *testpki.PKI
	ltv *testtsa.LTV
}

// startLTV starts a TSA and an OCSP responder for pki.
var startLTV = testtsa.StartLTV

func newLTVFixture(t *testing.T) *ltvFixture {
	t.Helper()
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	ltv, err := startLTV(pki)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ltv.Close)
	return &ltvFixture{pki: pki, ltv: ltv}
}

// sign makes a signature document over files by e at level, numbered
// index.
func (f *ltvFixture) sign(t testing.TB, files []File, e testpki.Entity, level Level, index int) (string, []byte) {
	t.Helper()
	p, err := Prepare(files, e.Cert, time.Now(), PrepareOptions{Index: index, Chain: []*x509.Certificate{f.pki.Intermediate.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := e.Key.Sign(rand.Reader, p.Digest(), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := p.Signature(sig)
	if err != nil {
		t.Fatal(err)
	}
	doc, reached, err := Extend(context.Background(), doc, files, level, &pdf.TSAClient{URL: f.ltv.TSA.URL}, pdf.LTVOptions{Roots: f.pki.Roots()})
	if err != nil || reached != level {
		t.Fatalf("extended to %s of %s: %v", reached, level, err)
	}
	return p.Name(), doc
}

func (f *ltvFixture) verify(t *testing.T, data []byte) (*Container, []SignatureReport) {
	t.Helper()
	c, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return c, c.Verify(context.Background(), VerifyOptions{Roots: f.pki.Roots()})
}

var twoFiles = []File{{Name: "līgums.pdf", Data: []byte("%PDF-1.7 līgums")}, {Name: "pielikums 1.txt", Data: []byte("Apstiprinu.")}}

// TestSignLevels: RSA and EC signatures at B-B, B-T, B-LT and B-LTA on a
// two-file container verify at that level here, with the revocation
// status read from the signature (nothing is fetched while verifying),
// and xmlsec1 verifies their references and SignedInfo.
func TestSignLevels(t *testing.T) {
	f := newLTVFixture(t)
	for _, alg := range []testpki.KeyAlg{testpki.RSA2048, testpki.P256} {
		e, err := f.pki.NewEntity(alg, testpki.Signing, "Jānis Bērziņš", f.ltv.Issue)
		if err != nil {
			t.Fatal(err)
		}
		for _, level := range []Level{pdf.LevelBB, pdf.LevelBT, pdf.LevelBLT, pdf.LevelBLTA} {
			t.Run(string(alg)+" "+string(level), func(t *testing.T) {
				name, doc := f.sign(t, twoFiles, e, level, 0)
				data, err := Write(twoFiles, map[string][]byte{name: doc})
				if err != nil {
					t.Fatal(err)
				}
				c, reps := f.verify(t, data)
				if !c.Valid() || len(reps) != 1 || !reps[0].Valid || reps[0].Level != string(level) || len(reps[0].Covers) != 2 {
					t.Fatalf("container %+v\nsignatures %+v", c.Checks, reps)
				}
				want := map[string]Status{"references": Passed, "signature": Passed, "signing certificate": Passed, "certificate": Passed}
				if level != pdf.LevelBB {
					want["signature timestamp"] = Passed
				}
				if level == pdf.LevelBLT || level == pdf.LevelBLTA {
					want["revocation"] = Passed
				}
				if level == pdf.LevelBLTA {
					want["archive timestamp"] = Passed
				}
				for check, st := range want {
					if got := status(reps[0], check); got != st {
						t.Errorf("%s: %s, want %s: %+v", check, got, st, reps[0].Checks)
					}
				}
				pdfcheck.XmlsecContainer(t, data, 3)
			})
		}
	}
}

// TestFileInFolder: a data file in a folder is referenced by its path,
// slashes kept ("pielikumi/tabula%201.csv"), so that other verifiers
// find it; both Signet and xmlsec1 verify it.
func TestFileInFolder(t *testing.T) {
	f := newLTVFixture(t)
	e, err := f.pki.NewEntity(testpki.RSA2048, testpki.Signing, "Jānis Bērziņš", f.ltv.Issue)
	if err != nil {
		t.Fatal(err)
	}
	files := []File{{Name: "līgums.pdf", Data: []byte("%PDF-1.7")}, {Name: "pielikumi/tabula 1.csv", Data: []byte("a;b")}}
	name, doc := f.sign(t, files, e, pdf.LevelBB, 0)
	if !strings.Contains(string(doc), `URI="pielikumi/tabula%201.csv"`) {
		t.Errorf("the reference is not the file's path:\n%s", doc)
	}
	data, err := Write(files, map[string][]byte{name: doc})
	if err != nil {
		t.Fatal(err)
	}
	c, reps := f.verify(t, data)
	if !c.Valid() || len(reps) != 1 || !reps[0].Valid || len(reps[0].Covers) != 2 {
		t.Fatalf("container %+v\nsignatures %+v", c.Checks, reps)
	}
	pdfcheck.XmlsecContainer(t, data, 3)
}

// TestLongTermTamper: an archive timestamp covers the validation data
// and the signature: editing either after it fails it; a certificate
// revoked before the proven time fails the revocation check.
func TestLongTermTamper(t *testing.T) {
	f := newLTVFixture(t)
	e, err := f.pki.NewEntity(testpki.P256, testpki.Signing, "Zoë Ørsted", f.ltv.Issue)
	if err != nil {
		t.Fatal(err)
	}
	name, doc := f.sign(t, twoFiles, e, pdf.LevelBLTA, 0)
	data, err := Write(twoFiles, map[string][]byte{name: doc})
	if err != nil {
		t.Fatal(err)
	}
	es := entries(t, data)
	dropFirst := func(tag string) func(string) string {
		return func(s string) string {
			i := strings.Index(s, "<"+tag+">")
			j := strings.Index(s[i:], "</"+tag+">")
			if i < 0 || j < 0 {
				t.Fatalf("no %s in %s", tag, s)
			}
			return s[:i] + s[i+j+len("</"+tag+">"):]
		}
	}
	for _, tc := range []struct {
		name   string
		edit   func(string) string
		checks []string
	}{
		{"certificate value removed", dropFirst("xades:EncapsulatedX509Certificate"), []string{"archive timestamp"}},
		{"OCSP value removed", dropFirst("xades:EncapsulatedOCSPValue"), []string{"archive timestamp"}},
		{"KeyInfo certificate removed", func(s string) string {
			i := strings.LastIndex(s, "<ds:X509Certificate>")
			j := strings.Index(s[i:], "</ds:X509Certificate>")
			return s[:i] + s[i+j+len("</ds:X509Certificate>"):]
		}, []string{"archive timestamp"}},
		{"signing time edited", func(s string) string {
			return strings.Replace(s, "<xades:SigningTime>", "<xades:SigningTime>1", 1)
		}, []string{"references", "archive timestamp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, reps := f.verify(t, build(t, edit(es, name, tc.edit)...))
			if len(reps) != 1 || reps[0].Valid || reps[0].Level == string(pdf.LevelBLTA) {
				t.Fatalf("%+v", reps)
			}
			for _, check := range tc.checks {
				if status(reps[0], check) != Failed {
					t.Errorf("%s: %+v", check, reps[0].Checks)
				}
			}
		})
	}

	t.Run("revoked before signing", func(t *testing.T) {
		e, err := f.pki.NewEntity(testpki.RSA2048, testpki.Signing, "Revoked", f.ltv.Issue)
		if err != nil {
			t.Fatal(err)
		}
		f.ltv.OCSP.Revoke(e.Cert.SerialNumber, time.Now().Add(-time.Minute))
		p, err := Prepare(twoFiles, e.Cert, time.Now(), PrepareOptions{Chain: []*x509.Certificate{f.pki.Intermediate.Cert}})
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := e.Key.Sign(rand.Reader, p.Digest(), crypto.SHA256)
		doc, err := p.Signature(sig)
		if err != nil {
			t.Fatal(err)
		}
		// Gathering refuses nothing about status: it takes the answer;
		// the verifier judges it.
		doc, _, err = Extend(context.Background(), doc, twoFiles, pdf.LevelBLT, &pdf.TSAClient{URL: f.ltv.TSA.URL}, pdf.LTVOptions{Roots: f.pki.Roots()})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := Write(twoFiles, map[string][]byte{p.Name(): doc})
		_, reps := f.verify(t, data)
		if len(reps) != 1 || reps[0].Valid || status(reps[0], "revocation") != Failed {
			t.Errorf("%+v", reps)
		}
	})
}

// TestAddSignature: a second signature added to a container keeps the
// first one valid and byte for byte the same; both verify here and with
// xmlsec1. Tampering with the signed container is caught whichever part
// is changed.
func TestAddSignature(t *testing.T) {
	f := newLTVFixture(t)
	first, err := f.pki.NewEntity(testpki.RSA2048, testpki.Signing, "Pirmais Parakstītājs", f.ltv.Issue)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.pki.NewEntity(testpki.P256, testpki.Signing, "Otrais Parakstītājs", f.ltv.Issue)
	if err != nil {
		t.Fatal(err)
	}
	name, doc := f.sign(t, twoFiles, first, pdf.LevelBT, 0)
	one, err := Write(twoFiles, map[string][]byte{name: doc})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.verify(t, one)
	index := c.NextIndex()
	if index != 1 {
		t.Fatalf("next index %d", index)
	}
	name2, doc2 := f.sign(t, c.Files, second, pdf.LevelBLTA, index)
	two, err := AddSignature(bytes.NewReader(one), int64(len(one)), name2, doc2)
	if err != nil {
		t.Fatal(err)
	}
	c2, reps := f.verify(t, two)
	if !c2.Valid() || len(reps) != 2 || !reps[0].Valid || !reps[1].Valid || reps[0].Level != "B-T" || reps[1].Level != "B-LTA" {
		t.Fatalf("container %+v\nsignatures %+v", c2.Checks, reps)
	}
	if reps[0].SignerName != "Pirmais Parakstītājs" || reps[1].SignerName != "Otrais Parakstītājs" {
		t.Errorf("signers %q, %q", reps[0].SignerName, reps[1].SignerName)
	}
	if !bytes.Equal(c2.Signatures[name], doc) {
		t.Error("the first signature document changed")
	}
	pdfcheck.XmlsecContainer(t, two, 3)
	if _, err := AddSignature(bytes.NewReader(two), int64(len(two)), name2, doc2); err == nil {
		t.Error("a signature document was written over")
	}

	// Tamper classes on the signed container.
	es := entries(t, two)
	for _, tc := range []struct {
		name    string
		entries []entry
		check   string // a container check, or a signature check of both
	}{
		{"data file changed", edit(es, "pielikums 1.txt", func(string) string { return "Noraidu." }), "references"},
		{"signature XML edited", edit(es, name, func(s string) string {
			return strings.Replace(s, `URI="#S0-SignedProperties"`, `URI="#S1-SignedProperties"`, 1)
		}), "references"},
		{"manifest edited", edit(es, "META-INF/manifest.xml", func(s string) string {
			return strings.Replace(s, `full-path="pielikums 1.txt"`, `full-path="pielikums 2.txt"`, 1)
		}), "manifest"},
		{"mimetype compressed", append([]entry{{"mimetype", MimeType, zip.Deflate}}, es[1:]...), "mimetype"},
		{"data file added", append(es, entry{"cits.txt", "x", zip.Deflate}), "manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, reps := f.verify(t, build(t, tc.entries...))
			if tc.check == "references" {
				if reps[0].Valid || status(reps[0], "references") != Failed {
					t.Errorf("%+v", reps[0].Checks)
				}
				return
			}
			if c.Valid() || checkStatus(c, tc.check) != Failed {
				t.Errorf("%s: %+v", tc.check, c.Checks)
			}
		})
	}
}

// TestExtendRefuses: levels above B-B need a TSA; unknown levels and
// documents that are not one signature are refused, the document handed
// back unchanged.
func TestExtendRefuses(t *testing.T) {
	ctx := context.Background()
	doc := []byte("<x/>")
	for _, tc := range []struct {
		level Level
		ts    pdf.Timestamper
		says  string
	}{
		{pdf.LevelBT, nil, "timestamp authority"},
		{"B-X", nil, "unknown XAdES level"},
		{pdf.LevelBT, &pdf.TSAClient{URL: "http://127.0.0.1:1"}, "0 signatures"},
	} {
		out, reached, err := Extend(ctx, doc, nil, tc.level, tc.ts, pdf.LTVOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.says) || reached != pdf.LevelBB || !bytes.Equal(out, doc) {
			t.Errorf("%s: %v (%s)", tc.level, err, reached)
		}
	}
}

// TestManyFiles: a container of 400 files signed at B-LTA verifies. Its
// SignedInfo has more than 1,000 elements, which goxmldsig's traversal
// limit refused to canonicalize (the signature was reported unreadable).
func TestManyFiles(t *testing.T) {
	f := newLTVFixture(t)
	e, err := f.pki.NewEntity(testpki.P256, testpki.Signing, "Zoë Ørsted", f.ltv.Issue)
	if err != nil {
		t.Fatal(err)
	}
	files := make([]File, 400)
	for i := range files {
		files[i] = File{Name: fmt.Sprintf("pielikums %03d.txt", i), Data: []byte(fmt.Sprint(i))}
	}
	name, doc := f.sign(t, files, e, pdf.LevelBLTA, 0)
	data, err := Write(files, map[string][]byte{name: doc})
	if err != nil {
		t.Fatal(err)
	}
	c, reps := f.verify(t, data)
	if !c.Valid() || len(reps) != 1 || !reps[0].Valid || len(reps[0].Covers) != 400 || reps[0].Level != "B-LTA" {
		t.Fatalf("container %+v\nsignatures %+v", c.Checks, reps)
	}
}

// TestLevelNeedsTSAValues: B-LT wants the revocation values of the
// signature timestamp's authority as well as the signer's (EN 319 132-1):
// a signature whose RevocationValues lack the TSA's is B-T, and says what
// B-LT lacks, naming the TSA.
func TestLevelNeedsTSAValues(t *testing.T) {
	f := newLTVFixture(t)
	e, err := f.pki.NewEntity(testpki.P256, testpki.Signing, "Jānis Bērziņš", f.ltv.Issue)
	if err != nil {
		t.Fatal(err)
	}
	name, doc := f.sign(t, twoFiles, e, pdf.LevelBLT, 0)
	// Drop the TSA's OCSP response: of the EncapsulatedOCSPValues, the
	// one that is not about the signer.
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		t.Fatal(err)
	}
	dropped := 0
	for _, v := range d.FindElements("//EncapsulatedOCSPValue") {
		der, _ := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v.Text()), ""))
		if resp, err := ocsp.ParseResponse(der, nil); err == nil && resp.SerialNumber.Cmp(e.Cert.SerialNumber) != 0 {
			v.Parent().RemoveChild(v)
			dropped++
		}
	}
	if dropped != 1 {
		t.Fatalf("%d OCSP values dropped, want the TSA's", dropped)
	}
	edited, err := d.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	data, err := Write(twoFiles, map[string][]byte{name: edited})
	if err != nil {
		t.Fatal(err)
	}
	_, reps := f.verify(t, data)
	if len(reps) != 1 || !reps[0].Valid || reps[0].Level != string(pdf.LevelBT) {
		t.Fatalf("level %s: %+v", reps[0].Level, reps[0].Checks)
	}
	next := ""
	for _, k := range reps[0].Checks {
		if k.Name == "next level" {
			next = k.Detail
		}
	}
	if !strings.Contains(next, "Signet Test TSA") {
		t.Errorf("next level %q does not name the TSA", next)
	}
}
