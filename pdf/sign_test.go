package pdf

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
)

type fixture struct {
	pki  *testpki.PKI
	v    *pdfcheck.Validators
	tsa  *testtsa.TSA
	dir  string
	keys map[string]testpki.Entity
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{pki: pki, v: pdfcheck.New(t, pki), dir: t.TempDir(), keys: map[string]testpki.Entity{}}
	if f.tsa, err = testtsa.Start(pki); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.tsa.Close)
	for name, alg := range map[string]testpki.KeyAlg{"rsa": testpki.RSA2048, "rsa3072": testpki.RSA3072, "ecdsa": testpki.P256, "ecdsa384": testpki.P384} {
		if f.keys[name], err = pki.NewEntity(alg, testpki.Signing, "Jānis Bērziņš "+name, testpki.IssueOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// inputs makes the documents of the matrix: each shape a signer meets.
func (f *fixture) inputs(t *testing.T) map[string]string {
	t.Helper()
	pdfcheck.Require(t, "qpdf", "pdfsig", "pk12util")
	in := map[string]string{}
	classic := filepath.Join(f.dir, "classic-1.4.pdf")
	catalog := "/Lang (lv-LV) /PageMode /UseOutlines /ViewerPreferences << /DisplayDocTitle true >>"
	if err := testpdf.WriteFile(classic, testpdf.Options{Pages: 3, Catalog: catalog}); err != nil {
		t.Fatal(err)
	}
	in["classic"] = classic
	form := filepath.Join(f.dir, "acroform.pdf")
	if err := testpdf.WriteFile(form, testpdf.Options{Pages: 2, Form: true, Catalog: catalog}); err != nil {
		t.Fatal(err)
	}
	in["acroform"] = form
	for name, args := range map[string][]string{
		"xrefstream": {"--object-streams=generate", "--min-version=1.5"},
		"linearized": {"--linearize"},
	} {
		out := filepath.Join(f.dir, name+".pdf")
		cmd := exec.Command("qpdf", append(args, form, out)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("qpdf %v: %v\n%s", args, err, b)
		}
		in[name] = out
	}
	in["presigned"] = f.presigned(t, classic)
	return in
}

// presigned signs in with poppler's pdfsig, another tool's signature that
// ours must leave valid.
func (f *fixture) presigned(t *testing.T, in string) string {
	t.Helper()
	other, err := f.pki.NewEntity(testpki.RSA2048, testpki.Signing, "Other Tool Signer", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(f.dir, "presigned-"+filepath.Base(in))
	f.v.SignWithPDFSig(t, other, in, out)
	return out
}

func (f *fixture) sign(t *testing.T, in, out, key string, opts Options) {
	t.Helper()
	e := f.keys[key]
	if err := SignFile(context.Background(), in, out, e.Key, f.pki.Chain(e.Cert), opts); err != nil {
		t.Fatalf("SignFile(%s, %s): %v", filepath.Base(in), key, err)
	}
	orig, _ := os.ReadFile(in)
	signed, _ := os.ReadFile(out)
	if !bytes.HasPrefix(signed, orig) {
		t.Fatalf("%s: the signed file does not start with the original bytes", filepath.Base(out))
	}
}

func TestSignMatrix(t *testing.T) {
	f := newFixture(t)
	inputs := f.inputs(t)
	signers := []struct {
		key  string
		opts Options
	}{
		{"rsa", Options{Hash: crypto.SHA256}},
		{"rsa3072", Options{PSS: true, Hash: crypto.SHA384}},
		{"ecdsa", Options{Hash: crypto.SHA256}},
		{"ecdsa384", Options{Hash: crypto.SHA512}},
	}
	for name, in := range inputs {
		existing := 0
		if name == "presigned" {
			existing = 1
		}
		for _, s := range signers {
			for _, level := range []string{"B-B", "B-T"} {
				t.Run(fmt.Sprintf("ok %s %s pss=%v %v %s", name, s.key, s.opts.PSS, s.opts.Hash, level), func(t *testing.T) {
					opts := s.opts
					opts.Reason, opts.Location = "Apstiprinu", "Rīga"
					if level == "B-T" {
						opts.Timestamper = &TSAClient{URL: f.tsa.URL}
					}
					out := filepath.Join(t.TempDir(), "signed.pdf")
					f.sign(t, in, out, s.key, opts)
					f.v.Check(t, out, existing+1)
					sigs := pdfcheck.Signatures(t, out)
					hasTS := hasTimestamp(t, sigs[len(sigs)-1].CMS)
					if hasTS != (level == "B-T") {
						t.Errorf("timestamp present = %v for %s", hasTS, level)
					}
				})
			}
		}
	}

	for _, name := range []string{"classic", "xrefstream", "linearized", "acroform"} {
		t.Run("ok three in a row "+name, func(t *testing.T) {
			dir := t.TempDir()
			prev := inputs[name]
			for i, key := range []string{"rsa", "ecdsa", "rsa3072"} {
				out := filepath.Join(dir, fmt.Sprintf("signed%d.pdf", i+1))
				f.sign(t, prev, out, key, Options{Timestamper: &TSAClient{URL: f.tsa.URL}})
				prev = out
			}
			f.v.Check(t, prev, 3)
			checkCatalogKept(t, inputs[name], prev)
		})
	}
}

// hasTimestamp reports whether the CMS carries a signature timestamp,
// as openssl reads it.
func hasTimestamp(t *testing.T, cms []byte) bool {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sig.der")
	os.WriteFile(path, cms, 0o600)
	out, err := exec.Command("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", path).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms -cmsout: %v\n%s", err, out)
	}
	// The TSA's own token has a signing time; ours must not (PAdES).
	signedPart, _, _ := bytes.Cut(out, []byte("unsignedAttrs:"))
	if bytes.Contains(signedPart, []byte("signingTime")) {
		t.Error("PAdES signature carries a signing-time attribute")
	}
	return bytes.Contains(out, []byte("id-smime-aa-timeStampToken"))
}

// checkCatalogKept compares the catalogs before and after signing: every
// original entry is still there with the same value.
func checkCatalogKept(t *testing.T, before, after string) {
	t.Helper()
	catalog := func(path string) map[string]string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := openDocument(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		cat, _, err := d.catalog()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range cat {
			out[k] = v.PDFString()
		}
		return out
	}
	was, is := catalog(before), catalog(after)
	for k, v := range was {
		if k == "AcroForm" {
			continue // gains the signature fields
		}
		if is[k] != v {
			t.Errorf("catalog /%s was %s, is %q", k, v, is[k])
		}
	}
}

// softEntity makes a test PKI with one P-256 signing key, and a small PDF.
func softEntity(t *testing.T) (*testpki.PKI, testpki.Entity, []byte) {
	t.Helper()
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Zoë Ørsted", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var doc bytes.Buffer
	if err := testpdf.Write(&doc, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	return pki, e, doc.Bytes()
}

func TestSignErrors(t *testing.T) {
	pki, e, goodBytes := softEntity(t)
	good := bytes.NewBuffer(goodBytes)
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"fail not a PDF", []byte("hello, world"), ErrNotPDF},
		{"fail truncated", good.Bytes()[:good.Len()/2], ErrBrokenPDF},
		{"fail encrypted", bytes.Replace(good.Bytes(), []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt 3 0 R"), 1), ErrEncrypted},
		{"fail bad startxref", bytes.Replace(good.Bytes(), []byte("startxref\n"), []byte("startxref\n9"), 1), ErrBrokenPDF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Sign(context.Background(), bytes.NewReader(tc.data), int64(len(tc.data)), &out, e.Key, pki.Chain(e.Cert), Options{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if out.Len() != 0 {
				t.Error("output written for a failed signature")
			}
		})
	}

	t.Run("fail signature from another key", func(t *testing.T) {
		p, err := Prepare(context.Background(), bytes.NewReader(good.Bytes()), int64(good.Len()), pki.Chain(e.Cert), Options{})
		if err != nil {
			t.Fatal(err)
		}
		other, _ := testpki.GenerateKey(testpki.P256)
		sig, _ := other.Sign(nil, p.Digest(), p.SignerOpts())
		if err := p.Finish(context.Background(), sig); !errors.Is(err, ErrBadSignatureValue) {
			t.Fatalf("err = %v, want ErrBadSignatureValue", err)
		}
	})
	t.Run("fail output over input", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "doc.pdf")
		os.WriteFile(path, good.Bytes(), 0o644)
		if err := SignFile(context.Background(), path, path, e.Key, pki.Chain(e.Cert), Options{}); err == nil {
			t.Fatal("signed over the input")
		}
		if data, _ := os.ReadFile(path); !bytes.Equal(data, good.Bytes()) {
			t.Fatal("input modified")
		}
	})
	t.Run("fail failed signing leaves no file", func(t *testing.T) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.pdf")
		os.WriteFile(in, []byte("not a pdf"), 0o644)
		out := filepath.Join(dir, "out.pdf")
		if err := SignFile(context.Background(), in, out, e.Key, pki.Chain(e.Cert), Options{}); err == nil {
			t.Fatal("no error")
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("directory holds %d files after a failure, want only the input", len(entries))
		}
	})
}

func TestTwoStep(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	v := pdfcheck.New(t, pki)
	e, err := pki.NewEntity(testpki.RSA2048, testpki.Signing, "Nguyễn Văn Đức", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var doc bytes.Buffer
	testpdf.Write(&doc, testpdf.Options{Pages: 2})
	p, err := Prepare(context.Background(), bytes.NewReader(doc.Bytes()), int64(doc.Len()), pki.Chain(e.Cert), Options{Reason: "Đồng ý"})
	if err != nil {
		t.Fatal(err)
	}
	// The signature arrives later, from elsewhere (here: the key in
	// memory, as a cloud service would return it).
	sig, err := e.Key.Sign(nil, p.Digest(), p.SignerOpts())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Finish(context.Background(), sig); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "two-step.pdf")
	f, _ := os.Create(out)
	if _, err := p.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	v.Check(t, out, 1)
}

func TestCertify(t *testing.T) {
	f := newFixture(t)
	in := filepath.Join(f.dir, "doc.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{Pages: 1, Form: true}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certified := filepath.Join(dir, "certified.pdf")
	f.sign(t, in, certified, "rsa", Options{Certify: FormFilling})

	t.Run("ok certification then approval", func(t *testing.T) {
		out := filepath.Join(dir, "approved.pdf")
		f.sign(t, certified, out, "ecdsa", Options{})
		f.v.Check(t, out, 2)
		if out := f.v.PDFSig(t, out, 2); !strings.Contains(out, "Signature #1") {
			t.Error("pdfsig lists no first signature")
		}
		// pdfcpu records a certification only in full validation, so
		// qpdf's object dump is the independent witness here: the
		// catalog's /Perms /DocMDP is the first field's signature, whose
		// /Reference carries DocMDP with P 2.
		perms := qpdfDocMDP(t, out)
		if perms != 2 {
			t.Errorf("DocMDP permissions = %d, want 2", perms)
		}
	})
	t.Run("fail certification after a signature", func(t *testing.T) {
		signed := filepath.Join(dir, "signed.pdf")
		f.sign(t, in, signed, "rsa", Options{})
		e := f.keys["ecdsa"]
		err := SignFile(context.Background(), signed, filepath.Join(dir, "x.pdf"), e.Key, f.pki.Chain(e.Cert), Options{Certify: NoChanges})
		if !errors.Is(err, ErrCertifyTooLate) {
			t.Fatalf("err = %v, want ErrCertifyTooLate", err)
		}
	})
	t.Run("fail signing a document locked by certification", func(t *testing.T) {
		locked := filepath.Join(dir, "locked.pdf")
		f.sign(t, in, locked, "rsa", Options{Certify: NoChanges})
		e := f.keys["ecdsa"]
		err := SignFile(context.Background(), locked, filepath.Join(dir, "y.pdf"), e.Key, f.pki.Chain(e.Cert), Options{})
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("err = %v, want ErrLocked", err)
		}
	})
	t.Run("fail field name taken", func(t *testing.T) {
		e := f.keys["ecdsa"]
		err := SignFile(context.Background(), certified, filepath.Join(dir, "z.pdf"), e.Key, f.pki.Chain(e.Cert), Options{FieldName: "Signature1"})
		if !errors.Is(err, ErrFieldExists) {
			t.Fatalf("err = %v, want ErrFieldExists", err)
		}
	})
}

// TestPlaceholderSize checks that the space reserved for the signature is
// never too small and never wasteful: sized from the real chain, key and
// timestamp token.
func TestPlaceholderSize(t *testing.T) {
	f := newFixture(t)
	in := filepath.Join(f.dir, "doc.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"rsa", "rsa3072", "ecdsa", "ecdsa384"} {
		for _, ts := range []bool{false, true} {
			t.Run(fmt.Sprintf("ok %s timestamp=%v", key, ts), func(t *testing.T) {
				opts := Options{Hash: crypto.SHA512}
				if ts {
					opts.Timestamper = &TSAClient{URL: f.tsa.URL}
				}
				out := filepath.Join(t.TempDir(), "out.pdf")
				f.sign(t, in, out, key, opts)
				sig := pdfcheck.Signatures(t, out)[0]
				reserved := int(sig.ByteRange[2]-sig.ByteRange[1]-2) / 2
				waste := reserved - len(sig.CMS)
				if waste < 0 || waste > 1024 {
					t.Errorf("reserved %d bytes for a %d-byte signature (%d unused)", reserved, len(sig.CMS), waste)
				}
			})
		}
	}
}

// qpdfDocMDP reads, with qpdf, the DocMDP permissions of the signature
// that the catalog's /Perms names, and checks that a field holds it.
func qpdfDocMDP(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("qpdf", "--json=2", "--json-key=qpdf", path).Output()
	if err != nil {
		t.Fatalf("qpdf --json: %v", err)
	}
	var doc struct {
		QPDF []json.RawMessage `json:"qpdf"` // [header, objects]
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.QPDF) < 2 {
		t.Fatalf("qpdf JSON: %v", err)
	}
	var objs map[string]struct {
		Value map[string]any `json:"value"`
	}
	if err := json.Unmarshal(doc.QPDF[1], &objs); err != nil {
		t.Fatalf("qpdf JSON objects: %v", err)
	}
	get := func(ref any) map[string]any {
		s, _ := ref.(string)
		return objs["obj:"+s].Value
	}
	cat := get(objs["trailer"].Value["/Root"])
	perms, _ := cat["/Perms"].(map[string]any)
	sigRef, _ := perms["/DocMDP"].(string)
	if sigRef == "" {
		t.Fatal("catalog has no /Perms /DocMDP")
	}
	form, _ := cat["/AcroForm"].(map[string]any)
	if form == nil {
		form = get(cat["/AcroForm"])
	}
	held := false
	fields, _ := form["/Fields"].([]any)
	for _, f := range fields {
		held = held || get(f)["/V"] == sigRef
	}
	if !held {
		t.Error("no field holds the certification signature")
	}
	refs, _ := get(sigRef)["/Reference"].([]any)
	if len(refs) != 1 {
		t.Fatalf("signature /Reference = %v", refs)
	}
	ref, _ := refs[0].(map[string]any)
	params, _ := ref["/TransformParams"].(map[string]any)
	if ref["/TransformMethod"] != "/DocMDP" || params == nil {
		t.Fatalf("signature reference = %v", ref)
	}
	p, _ := params["/P"].(float64)
	return int(p)
}

func TestAdobeSubFilter(t *testing.T) {
	f := newFixture(t)
	in := filepath.Join(f.dir, "doc.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "adobe.pdf")
	f.sign(t, in, out, "rsa", Options{SubFilter: Adobe, Timestamper: &TSAClient{URL: f.tsa.URL}})
	f.v.Check(t, out, 1)
	if text := f.v.PDFSig(t, out, 1); !strings.Contains(text, "Signature Type: adbe.pkcs7.detached") {
		t.Errorf("pdfsig does not see adbe.pkcs7.detached:\n%s", text)
	}
	// Old readers take the time from the CMS signing-time attribute.
	path := filepath.Join(t.TempDir(), "sig.der")
	os.WriteFile(path, pdfcheck.Signatures(t, out)[0].CMS, 0o600)
	dump, err := exec.Command("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if signed, _, _ := bytes.Cut(dump, []byte("unsignedAttrs:")); !bytes.Contains(signed, []byte("signingTime")) {
		t.Error("adbe.pkcs7.detached signature lacks signing-time")
	}
}

// lyingTSA promises small tokens and returns a big one.
type lyingTSA struct{ token []byte }

func (l lyingTSA) Timestamp(context.Context, []byte, crypto.Hash) ([]byte, error) {
	return l.token, nil
}
func (l lyingTSA) MaxTokenSize(context.Context) (int, error) { return 16, nil }

func TestPlaceholderTooSmall(t *testing.T) {
	pki, e, doc := softEntity(t)
	// A DER SEQUENCE of 8 KB standing in for a token.
	token := append([]byte{0x30, 0x82, 0x20, 0x00}, make([]byte, 0x2000)...)
	var out bytes.Buffer
	err := Sign(context.Background(), bytes.NewReader(doc), int64(len(doc)), &out, e.Key, pki.Chain(e.Cert),
		Options{Timestamper: lyingTSA{token}})
	var pe *PlaceholderError
	if !errors.As(err, &pe) || pe.Need <= pe.Have {
		t.Fatalf("err = %v, want a PlaceholderError saying how much was needed", err)
	}
	if out.Len() != 0 {
		t.Error("a document was written with a signature that does not fit")
	}
}
