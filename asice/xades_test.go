package asice

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
)

// entries unpacks a container, to tamper with it.
func entries(t *testing.T, data []byte) []entry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []entry
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		out = append(out, entry{f.Name, string(b), f.Method})
	}
	return out
}

func edit(es []entry, name string, fn func(string) string) []entry {
	out := append([]entry(nil), es...)
	for i := range out {
		if out[i].name == name {
			out[i].data = fn(out[i].data)
		}
	}
	return out
}

func status(r SignatureReport, check string) Status {
	for _, c := range r.Checks {
		if c.Name == check {
			return c.Status
		}
	}
	return ""
}

// TestVerifyXAdES: containers this package writes (which xmlsec1 verifies
// in the eParaksts flow's tests), RSA and EC, verify; each tamper class
// fails the check it should. TestVerifyXmlsec1Container checks the reader
// against another implementation's signature.
func TestVerifyXAdES(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	files := []File{{Name: "līgums.pdf", Data: []byte("%PDF-1.7 test")}, {Name: "pielikums 1.txt", Data: []byte("Apstiprinu.")}}
	for _, alg := range []testpki.KeyAlg{testpki.RSA2048, testpki.P256} {
		e, err := pki.NewEntity(alg, testpki.Signing, "Jānis Bērziņš", testpki.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := signContainer(files, e.Key, e.Cert, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		opts := VerifyOptions{Roots: pki.Roots(), Intermediates: []*x509.Certificate{pki.Intermediate.Cert}}
		verify := func(t *testing.T, data []byte) (*Container, []SignatureReport) {
			t.Helper()
			c, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			return c, c.Verify(context.Background(), opts)
		}
		t.Run("ok "+string(alg), func(t *testing.T) {
			c, reps := verify(t, data)
			if !c.Valid() || len(reps) != 1 || !reps[0].Valid || len(reps[0].Covers) != 2 {
				t.Fatalf("container %+v; signatures %+v", c.Checks, reps)
			}
			for _, check := range []string{"references", "signature", "signing certificate", "certificate"} {
				if status(reps[0], check) != Passed {
					t.Errorf("%s: %+v", check, reps[0].Checks)
				}
			}
		})
		es := entries(t, data)
		for _, tc := range []struct {
			name, check string
			entries     []entry
		}{
			{"data file changed", "references", edit(es, "pielikums 1.txt", func(string) string { return "Noraidu." })},
			{"signed properties edited", "references", edit(es, "META-INF/signatures0.xml", func(s string) string {
				return strings.Replace(s, "<xades:SigningTime>", "<xades:SigningTime>1", 1)
			})},
			{"signature value edited", "signature", edit(es, "META-INF/signatures0.xml", func(s string) string {
				i := strings.Index(s, `-SignatureValue">`) + len(`-SignatureValue">`)
				c := "A"
				if s[i] == 'A' {
					c = "B"
				}
				return s[:i] + c + s[i+1:]
			})},
			// Signature wrapping: a second element with the signed
			// properties' Id makes what was signed ambiguous.
			{"duplicate Id", "references", edit(es, "META-INF/signatures0.xml", func(s string) string {
				return strings.Replace(s, "</ds:Signature>", `<ds:Object Id="S0-SignedProperties"></ds:Object></ds:Signature>`, 1)
			})},
			{"signed info edited", "signature", edit(es, "META-INF/signatures0.xml", func(s string) string {
				return strings.Replace(s, `Id="r0"`, `Id="r9"`, 1)
			})},
		} {
			t.Run("fail "+tc.name+" "+string(alg), func(t *testing.T) {
				_, reps := verify(t, build(t, tc.entries...))
				if len(reps) != 1 || reps[0].Valid || status(reps[0], tc.check) != Failed {
					t.Errorf("%s: %+v", tc.check, reps)
				}
			})
		}
		t.Run("fail data file added "+string(alg), func(t *testing.T) {
			c, reps := verify(t, build(t, append(es, entry{"extra.txt", "x", zip.Deflate})...))
			if c.Valid() || len(reps) != 1 || !reps[0].Valid || checkStatus(c, "manifest") != Failed {
				t.Fatalf("container %+v", c.Checks)
			}
			found := false
			for _, k := range c.Checks {
				if k.Name == "coverage" && strings.Contains(k.Detail, "extra.txt") {
					found = true
				}
			}
			if !found {
				t.Errorf("the uncovered file is not reported: %+v", c.Checks)
			}
		})
		t.Run("fail data file added to the manifest "+string(alg), func(t *testing.T) {
			// A file added after signing and listed in the manifest: the
			// manifest holds, the signature is valid over what it
			// covers, and the container is not valid.
			added := append(edit(es, "META-INF/manifest.xml", func(s string) string {
				return strings.Replace(s, "</manifest:manifest>", `<manifest:file-entry manifest:full-path="extra.txt" manifest:media-type="text/plain"/></manifest:manifest>`, 1)
			}), entry{"extra.txt", "x", zip.Deflate})
			c, reps := verify(t, build(t, added...))
			if c.Valid() || len(reps) != 1 || !reps[0].Valid || checkStatus(c, "manifest") == Failed || checkStatus(c, "coverage") != Failed {
				t.Fatalf("container %+v", c.Checks)
			}
			if slices.Contains(reps[0].Covers, "extra.txt") {
				t.Errorf("the signature is said to cover the added file: %v", reps[0].Covers)
			}
		})
		t.Run("fail untrusted "+string(alg), func(t *testing.T) {
			c, _ := Open(bytes.NewReader(data), int64(len(data)), Limits{})
			other, _ := testpki.New()
			reps := c.Verify(context.Background(), VerifyOptions{Roots: other.Roots(), Intermediates: []*x509.Certificate{pki.Intermediate.Cert}})
			if len(reps) != 1 || reps[0].Valid || status(reps[0], "certificate") != Failed {
				t.Errorf("%+v", reps)
			}
		})
	}
}

// TestVerifySignatureTimestamp: a XAdES SignatureTimeStamp from a real
// RFC 3161 TSA over the exclusive-canonical SignatureValue (written here
// by hand from the W3C rules, not by the verifier's canonicalizer) makes
// the signature B-T with the proven time; over another value it fails.
func TestVerifySignatureTimestamp(t *testing.T) {
	pki, tsa, err := testtsa.StartPKI()
	if err != nil {
		t.Fatal(err)
	}
	defer tsa.Close()
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Zoë Ørsted", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := signContainer([]File{{Name: "a.txt", Data: []byte("x")}}, e.Key, e.Cert, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	es := entries(t, data)
	var sigXML string
	for _, x := range es {
		if x.name == "META-INF/signatures0.xml" {
			sigXML = x.data
		}
	}
	valueTag := `<ds:SignatureValue Id="S0-SignatureValue">`
	start := strings.Index(sigXML, valueTag) + len(valueTag)
	value := sigXML[start : start+strings.Index(sigXML[start:], "<")]
	withTimestamp := func(over string) []entry {
		// Exclusive C14N of the element alone: the namespace it uses
		// declared on it, the text as is.
		canonical := `<ds:SignatureValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="S0-SignatureValue">` + over + `</ds:SignatureValue>`
		digest := sha256.Sum256([]byte(canonical))
		token, err := (&pdf.TSAClient{URL: tsa.URL}).Timestamp(context.Background(), digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		unsigned := `<xades:UnsignedProperties><xades:UnsignedSignatureProperties><xades:SignatureTimeStamp>` +
			`<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></ds:CanonicalizationMethod>` +
			`<xades:EncapsulatedTimeStamp>` + base64.StdEncoding.EncodeToString(token) + `</xades:EncapsulatedTimeStamp>` +
			`</xades:SignatureTimeStamp></xades:UnsignedSignatureProperties></xades:UnsignedProperties>`
		return edit(es, "META-INF/signatures0.xml", func(s string) string {
			return strings.Replace(s, "</xades:QualifyingProperties>", unsigned+"</xades:QualifyingProperties>", 1)
		})
	}
	opts := VerifyOptions{Roots: pki.Roots(), Intermediates: []*x509.Certificate{pki.Intermediate.Cert}}
	check := func(t *testing.T, es []entry) SignatureReport {
		t.Helper()
		b := build(t, es...)
		c, err := Open(bytes.NewReader(b), int64(len(b)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		reps := c.Verify(context.Background(), opts)
		if len(reps) != 1 {
			t.Fatalf("%d signatures", len(reps))
		}
		return reps[0]
	}
	r := check(t, withTimestamp(value))
	if !r.Valid || r.Level != "B-T" || r.ProvenTime == nil || status(r, "signature timestamp") != Passed {
		t.Fatalf("%+v", r)
	}
	r = check(t, withTimestamp("AAAA"+value[4:]))
	if r.Valid || r.Level != "B-B" || status(r, "signature timestamp") != Failed {
		t.Errorf("a timestamp over another value: %+v", r)
	}
}

// signContainer writes a container of files signed by key.
func signContainer(files []File, key crypto.Signer, cert *x509.Certificate, now time.Time) ([]byte, error) {
	p, err := Prepare(files, cert, now, PrepareOptions{})
	if err != nil {
		return nil, err
	}
	sig, err := key.Sign(rand.Reader, p.Digest(), crypto.SHA256)
	if err != nil {
		return nil, err
	}
	return p.Finish(sig)
}

// FuzzCheckXML: the token-stream budgets never fail inside, and what they
// accept is a document the tree parser reads within those budgets.
func FuzzCheckXML(f *testing.F) {
	for _, seed := range []string{
		`<a xmlns="x"><b c="d">e</b></a>`,
		`<a ` + strings.Repeat(`x="1" `, maxXMLAttrs+1) + `/>`,
		`<a ` + strings.Repeat(`xmlns:p="u" `, 2) + `/>`,
		`<a b="` + strings.Repeat("v", maxXMLAttrValue+1) + `"/>`,
		strings.Repeat("<a>", maxXMLDepth+1),
		`<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`,
		`<a><![CDATA[` + strings.Repeat("z", 1000) + `]]></a>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkXML(data); err != nil {
			return
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(data); err != nil {
			return
		}
		var depth func(el *etree.Element) int
		depth = func(el *etree.Element) int {
			d := 0
			for _, c := range el.ChildElements() {
				d = max(d, depth(c))
			}
			if len(el.Attr) > maxXMLAttrs {
				t.Fatalf("accepted an element with %d attributes", len(el.Attr))
			}
			return d + 1
		}
		if root := doc.Root(); root != nil && depth(root) > maxXMLDepth {
			t.Fatalf("accepted a document deeper than %d", maxXMLDepth)
		}
	})
}

// TestReviewedXML: what the review of the container reader found in its
// XML handling (each refused or read as other validators read it).
func TestReviewedXML(t *testing.T) {
	t.Run("fail a flood of comments or instructions", func(t *testing.T) {
		for _, node := range []string{"<!---->", "<?a?>"} {
			if err := checkXML([]byte("<a>" + strings.Repeat(node, maxXMLNodes) + "</a>")); err == nil || !strings.Contains(err.Error(), "nodes") {
				t.Errorf("%s × %d: %v", node, maxXMLNodes, err)
			}
		}
	})
	t.Run("fail junk beside the transform", func(t *testing.T) {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(`<ds:Reference xmlns:ds="` + nsDS + `" URI="#a"><ds:Transforms><ds:Transform Algorithm="` + excC14N + `"/><x Algorithm="1"/></ds:Transforms></ds:Reference>`); err != nil {
			t.Fatal(err)
		}
		if _, err := transformAlgorithm(doc.Root()); err == nil {
			t.Error("a Transforms element holding more than its transform was accepted")
		}
	})
	t.Run("ok a prefixed Id is not an Id", func(t *testing.T) {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(`<r xmlns:x="urn:x"><a x:Id="SP" Id="A"/><b Id="SP"/></r>`); err != nil {
			t.Fatal(err)
		}
		d := indexDocument(doc)
		if d.ids["SP"] == nil || d.ids["SP"].Tag != "b" || d.dup["SP"] || d.ids["A"] == nil {
			t.Errorf("ids %v, duplicates %v", d.ids, d.dup)
		}
	})
	t.Run("ok detach declares no xml or xmlns prefix", func(t *testing.T) {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(`<r xmlns:xml="http://www.w3.org/XML/1998/namespace" xmlns:p="urn:p"><p:a/></r>`); err != nil {
			t.Fatal(err)
		}
		got, err := canonical(doc.Root().ChildElements()[0], canonicalizer(string(dsig.CanonicalXML10RecAlgorithmId)))
		if err != nil || string(got) != `<p:a xmlns:p="urn:p"></p:a>` {
			t.Errorf("%s %v", got, err)
		}
	})
}
