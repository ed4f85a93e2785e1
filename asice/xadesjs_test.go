package asice

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/digitorus/timestamp"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
)

// xadesjs is scripts/xadesjs/xades.js, the independent XAdES
// implementation (xadesjs from npm) the interop tests use; its modules
// are installed by scripts/deps.sh test.
func xadesjs(t *testing.T, args ...string) string {
	t.Helper()
	pdfcheck.Require(t, "node")
	dir, err := filepath.Abs(filepath.Join("..", "scripts", "xadesjs"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "xadesjs")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("xadesjs is not installed in %s (scripts/deps.sh test installs it)", dir)
		}
		t.Skipf("xadesjs is not installed in %s (scripts/deps.sh test installs it; this fails under CI=true)", dir)
	}
	cmd := exec.Command("node", append([]string{filepath.Join(dir, "xades.js")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xades.js %s: %v\n%s", args[0], err, stderr.String())
	}
	return string(out)
}

// TestXadesjsInterop: a container signed by xadesjs, whose signature
// carries the signer's and the CA's certificates in separate X509Data,
// the CA's first, and a SignedProperties reference without transforms,
// verifies in Signet; Signet extends it to B-LTA; the extended signature
// still verifies in xadesjs, and the archive timestamp's imprint,
// recomputed there from XAdES 1.4.1 section 8.2.1 (the node-set
// canonicalized with the archive timestamp's own method), is the one the
// token holds.
func TestXadesjsInterop(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	ltv, err := testtsa.StartLTV(pki)
	if err != nil {
		t.Fatal(err)
	}
	defer ltv.Close()
	for _, alg := range []testpki.KeyAlg{testpki.P256, testpki.RSA2048} {
		t.Run(string(alg), func(t *testing.T) {
			signer, err := pki.NewEntity(alg, testpki.Signing, "Interop Signer", ltv.Issue)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			files := map[string]string{"iesniegums.txt": "Lūdzu apstiprināt.\n", "pielikums.csv": "a;b\n1;2\n"}
			var paths []string
			for name, content := range files {
				p := filepath.Join(dir, name)
				os.WriteFile(p, []byte(content), 0o644)
				paths = append(paths, p)
			}
			pk8, err := x509.MarshalPKCS8PrivateKey(signer.Key)
			if err != nil {
				t.Fatal(err)
			}
			write := func(name, typ string, der []byte) string {
				p := filepath.Join(dir, name)
				os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
				return p
			}
			keyFile := write("key.pem", "PRIVATE KEY", pk8)
			certFile := write("signer.pem", "CERTIFICATE", signer.Cert.Raw)
			caFile := write("ca.pem", "CERTIFICATE", pki.Intermediate.Cert.Raw)
			sigXML := xadesjs(t, append([]string{"sign", keyFile, certFile, caFile}, paths...)...)

			entries := []entry{mimetype, {"META-INF/manifest.xml", manifest("iesniegums.txt", "pielikums.csv"), zip.Deflate}}
			for name, content := range files {
				entries = append(entries, entry{name, content, zip.Deflate})
			}
			container := build(t, append(entries, entry{"META-INF/signatures0.xml", sigXML, zip.Deflate})...)
			opts := VerifyOptions{Roots: pki.Roots()}

			c, err := Open(bytes.NewReader(container), int64(len(container)), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			reps := c.Verify(context.Background(), opts)
			if !c.Valid() || len(reps) != 1 || !reps[0].Valid || reps[0].Level != string(pdf.LevelBB) || reps[0].SignerName != "Interop Signer" {
				t.Fatalf("xadesjs's container in Signet: %+v %+v", c.Checks, reps)
			}

			extended, err := ExtendContainer(context.Background(), bytes.NewReader(container), int64(len(container)), pdf.LevelBLTA,
				&pdf.TSAClient{URL: ltv.TSA.URL}, pdf.LTVOptions{Roots: pki.Roots()})
			if err != nil {
				t.Fatal(err)
			}
			c, err = Open(bytes.NewReader(extended), int64(len(extended)), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if reps := c.Verify(context.Background(), opts); !c.Valid() || len(reps) != 1 || !reps[0].Valid || reps[0].Level != string(pdf.LevelBLTA) {
				t.Fatalf("extended, in Signet: %+v %+v", c.Checks, reps)
			}

			// Back to xadesjs.
			sigFile := filepath.Join(dir, "signatures0.xml")
			os.WriteFile(sigFile, entryData(t, extended, "META-INF/signatures0.xml"), 0o644)
			if out := xadesjs(t, "verify", sigFile, dir, certFile); strings.TrimSpace(out) != "valid" {
				t.Fatalf("xadesjs: %s", out)
			}
			want := strings.TrimSpace(xadesjs(t, "ats-input", sigFile, dir, "0"))
			got := archiveImprint(t, entryData(t, extended, "META-INF/signatures0.xml"))
			if got != want {
				t.Errorf("archive timestamp imprint %s, xadesjs computes %s", got, want)
			}

			// An archive earlier Signets wrote over this signature
			// (its reference without transforms canonicalized with
			// inclusive C14N) still holds, with a warning to extend
			// again: xadesjs computes another imprint.
			writeLegacyArchives = true
			old, err := ExtendContainer(context.Background(), bytes.NewReader(container), int64(len(container)), pdf.LevelBLTA,
				&pdf.TSAClient{URL: ltv.TSA.URL}, pdf.LTVOptions{Roots: pki.Roots()})
			writeLegacyArchives = false
			if err != nil {
				t.Fatal(err)
			}
			c, err = Open(bytes.NewReader(old), int64(len(old)), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			reps = c.Verify(context.Background(), opts)
			if !c.Valid() || len(reps) != 1 || !reps[0].Valid || reps[0].Level != string(pdf.LevelBLTA) || status(reps[0], "archive timestamp") != Warning {
				t.Fatalf("an earlier Signet's archive: %+v %+v", c.Checks, reps)
			}
			os.WriteFile(sigFile, entryData(t, old, "META-INF/signatures0.xml"), 0o644)
			if legacy := strings.TrimSpace(xadesjs(t, "ats-input", sigFile, dir, "0")); legacy == archiveImprint(t, entryData(t, old, "META-INF/signatures0.xml")) {
				t.Error("the legacy archive's imprint is what xadesjs computes: the test shows nothing")
			}
		})
	}
}

// entryData is a zip entry's content.
func entryData(t *testing.T, container []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(container), int64(len(container)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// archiveImprint is the message imprint (hex) of the first
// ArchiveTimeStamp's token.
func archiveImprint(t *testing.T, sigXML []byte) string {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(sigXML); err != nil {
		t.Fatal(err)
	}
	ats := doc.FindElement("//ArchiveTimeStamp/EncapsulatedTimeStamp")
	if ats == nil {
		t.Fatal("no ArchiveTimeStamp")
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(ats.Text()), ""))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := timestamp.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(tok.HashedMessage)
}
