package cli

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/remote/eparaksts/fake"
)

// TestVerifyContainer: signet verify reads .edoc containers beside PDFs:
// valid, and changed after signing.
func TestVerifyContainer(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Jānis Bērziņš", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The fake's containers carry the signer's certificate only: the
	// intermediate is trusted here in the root's stead.
	inter := filepath.Join(dir, "intermediate.pem")
	os.WriteFile(inter, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Intermediate.Cert.Raw}), 0o644)
	data, err := fake.Container([]fake.File{{Name: "līgums.txt", Data: []byte("Apstiprinu.")}}, e.Key, e.Cert, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "līgums.edoc")
	os.WriteFile(good, data, 0o644)
	t.Setenv("LANG", "C")
	// B-B with no revocation data: valid, not fully checked (exit 3).
	code, stdout, stderr := run(t, "verify", "--trust", inter, good)
	if code != 3 || !strings.Contains(stdout, "? valid, not fully checked") || !strings.Contains(stdout, "Jānis Bērziņš · XAdES B-B · līgums.txt") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "verify", "--json", "--trust", inter, good)
	var res []flow.Verification
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 3 || res[0].Container == nil || res[0].Container.Signatures[0].SignerName != "Jānis Bērziņš" || res[0].Indication != "INDETERMINATE" {
		t.Fatalf("--json: exit %d %v\n%s", code, err, stdout)
	}
	// A data file changed after signing: not valid, exit 1, the reference
	// named. A container cut short: unreadable, exit 2.
	bad := filepath.Join(dir, "mainīts.edoc")
	os.WriteFile(bad, rezip(t, data, "līgums.txt", []byte("Noraidu.")), 0o644)
	code, stdout, _ = run(t, "verify", "--trust", inter, bad)
	if code != 1 || !strings.Contains(stdout, "✗ NOT VALID") || !strings.Contains(stdout, `“līgums.txt” was changed after signing`) {
		t.Errorf("a changed file: exit %d\n%s", code, stdout)
	}
	// A file added after signing, listed in the manifest: the signature
	// holds over what it signed, the container does not (exit 1), and
	// the file is named.
	withManifest := rezip(t, data, "META-INF/manifest.xml", []byte(strings.Replace(string(entry(t, data, "META-INF/manifest.xml")),
		"</manifest:manifest>", `<manifest:file-entry manifest:full-path="pielikums.txt" manifest:media-type="text/plain"/></manifest:manifest>`, 1)))
	added := filepath.Join(dir, "papildināts.edoc")
	os.WriteFile(added, rezip(t, withManifest, "pielikums.txt", []byte("Pievienots vēlāk.")), 0o644)
	code, stdout, _ = run(t, "verify", "--trust", inter, added)
	if code != 1 || !strings.Contains(stdout, "? valid, not fully checked") || !strings.Contains(stdout, "no valid signature covers pielikums.txt") {
		t.Errorf("a file added after signing: exit %d\n%s", code, stdout)
	}
	// In Latvian: the check and what it found in the person's words.
	t.Setenv("LANG", "lv_LV.UTF-8")
	code, stdout, _ = run(t, "verify", "--trust", inter, bad)
	if code != 1 || !strings.Contains(stdout, "atsauces") || !strings.Contains(stdout, "“līgums.txt” mainīts pēc parakstīšanas") {
		t.Errorf("in Latvian: exit %d\n%s", code, stdout)
	}
	t.Setenv("LANG", "C")
	// A directory: the PDF and the containers in it, one line each.
	mixed := filepath.Join(dir, "mixed")
	os.Mkdir(mixed, 0o755)
	os.WriteFile(filepath.Join(mixed, "a.edoc"), data, 0o644)
	os.WriteFile(filepath.Join(mixed, "notes.txt"), []byte("not a document"), 0o644)
	testpdf.WriteFile(filepath.Join(mixed, "b.pdf"), testpdf.Options{})
	code, stdout, _ = run(t, "verify", "--trust", inter, "--json", mixed)
	var mixedRes []flow.Verification
	if err := json.Unmarshal([]byte(stdout), &mixedRes); err != nil || len(mixedRes) != 2 || mixedRes[0].Container == nil || mixedRes[1].Container != nil || code != 1 {
		t.Errorf("a directory: exit %d %v\n%s", code, err, stdout)
	}
	cut := filepath.Join(dir, "cut.edoc")
	os.WriteFile(cut, data[:len(data)-10], 0o644)
	code, stdout, _ = run(t, "verify", "--trust", inter, cut)
	if code != 2 || !strings.Contains(stdout, "cannot verify") {
		t.Errorf("a truncated container: exit %d\n%s", code, stdout)
	}
}

// entry is the content of one entry of the container data.
func entry(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	body, _ := io.ReadAll(rc)
	return body
}

// rezip is the container data with one entry's content replaced, or
// the entry added at the end when there is none of that name.
func rezip(t *testing.T, data []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			body = content
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		w.Write(body)
	}
	if !slices.ContainsFunc(zr.File, func(f *zip.File) bool { return f.Name == name }) {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		w.Write(content)
	}
	zw.Close()
	return b.Bytes()
}

// TestSignContainer: sign --container asice puts any files into one
// container with the token key; verify reads it back.
func TestSignContainer(t *testing.T) {
	env := softhsmtest.Require(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "līgums.txt"), filepath.Join(dir, "tabula.csv")
	os.WriteFile(a, []byte("Apstiprinu."), 0o644)
	os.WriteFile(b, []byte("a;b\n1;2\n"), 0o644)
	out := filepath.Join(dir, "abi.asice")
	t.Setenv("LANG", "C")
	code, stdout, stderr := run(t, "--module", env.Module, "sign", "--key", "pkcs11:token=signet-test;object=P-256 signing",
		"--pin-file", pinFile(t, softhsmtest.PIN), "--container", "asice", "-o", out, a, b)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	inter := filepath.Join(dir, "intermediate.pem")
	os.WriteFile(inter, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: env.PKI.Intermediate.Cert.Raw}), 0o644)
	code, stdout, _ = run(t, "verify", "--trust", inter, out)
	if code != 3 || !strings.Contains(stdout, "? valid, not fully checked") || !strings.Contains(stdout, "līgums.txt, tabula.csv") {
		t.Fatalf("verify: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := run(t, "--module", env.Module, "sign", "--key", "pkcs11:token=signet-test;object=P-256 signing",
		"--pin-file", pinFile(t, softhsmtest.PIN), "--container", "asice", "-o", out, a); code != 1 || !strings.Contains(stderr, "output file exists") {
		t.Errorf("an existing output: exit %d %s", code, stderr)
	}
	// A container given with --container is ambiguous (add a signature,
	// or wrap it?): refused, saying which form adds a signature (issue 27).
	wrapped := filepath.Join(dir, "wrapped.asice")
	if code, _, stderr := run(t, "--module", env.Module, "sign", "--key", "pkcs11:token=signet-test;object=P-256 signing",
		"--pin-file", pinFile(t, softhsmtest.PIN), "--container", "asice", "-o", wrapped, out); code != 2 || !strings.Contains(stderr, "without --container") {
		t.Errorf("a container with --container: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(wrapped); !os.IsNotExist(err) {
		t.Error("the ambiguous form wrote a container")
	}
}

// TestContainerLevels: a seal (PKCS#12) signs two files into a container
// at B-LTA; the SoftHSM2 token adds a second signature (B-T) to it,
// written beside it as NAME-signed.asice; verify reads both signatures at
// their levels and xmlsec1 verifies both. A level that cannot be reached
// (no revocation source in the certificate) leaves a B-T container and
// exit 3; containers and PDFs in one run are refused. A B-B container is
// extended to B-LTA and renewed; a B-B one is not renewed.
func TestContainerLevels(t *testing.T) {
	env := softhsmtest.Require(t)
	ltv, err := testtsa.StartLTV(env.PKI)
	if err != nil {
		t.Fatal(err)
	}
	defer ltv.Close()
	seal, err := env.PKI.NewEntity(testpki.RSA2048, testpki.Signing, "Zīmogs SIA", ltv.Issue)
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := env.PKI.PKCS12(seal, "pw")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "seal.p12")
	os.WriteFile(key, pfx, 0o600)
	root, err := env.PKI.WriteRootPEM(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "līgums.txt"), filepath.Join(dir, "pielikums 1.csv")
	os.WriteFile(a, []byte("Apstiprinu."), 0o644)
	os.WriteFile(b, []byte("a;b\n1;2\n"), 0o644)
	out := filepath.Join(dir, "abi.asice")
	t.Setenv("LANG", "C")
	code, stdout, stderr := run(t, "sign", "--key", key, "--pin-file", pinFile(t, "pw"), "--tsa", ltv.TSA.URL, "--level", "B-LTA",
		"--trust", root, "--container", "asice", "-o", out, a, b)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "--module", env.Module, "sign", "--key", "pkcs11:token=signet-test;object=P-256 signing",
		"--pin-file", pinFile(t, softhsmtest.PIN), "--tsa", ltv.TSA.URL, out)
	added := filepath.Join(dir, "abi-signed.asice")
	if code != 0 || !strings.Contains(stdout, added) {
		t.Fatalf("adding a signature: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "verify", "--json", "--trust", root, added)
	var res []flow.Verification
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 3 || res[0].Container == nil {
		t.Fatalf("verify: exit %d %v\n%s", code, err, stdout)
	}
	sigs := res[0].Container.Signatures
	if len(sigs) != 2 || sigs[0].Level != "B-LTA" || sigs[0].SignerName != "Zīmogs SIA" || sigs[1].Level != "B-T" || !sigs[1].Valid {
		t.Errorf("signatures %+v", sigs)
	}
	data, err := os.ReadFile(added)
	if err != nil {
		t.Fatal(err)
	}
	pdfcheck.XmlsecContainer(t, data, 3)
	if orig, _ := os.ReadFile(out); bytes.Equal(orig, data) {
		t.Error("the input container was changed")
	}

	// The token's certificate names no OCSP responder nor CRL: B-LT
	// cannot be had; the B-T container is written, exit 3.
	partly := filepath.Join(dir, "partly.asice")
	code, stdout, stderr = run(t, "--module", env.Module, "sign", "--key", "pkcs11:token=signet-test;object=P-256 signing",
		"--pin-file", pinFile(t, softhsmtest.PIN), "--tsa", ltv.TSA.URL, "--level", "B-LT", "--trust", root, "-o", partly, out)
	if code != 3 || !strings.Contains(stdout, "(B-T, not B-LT)") {
		t.Errorf("a level not reached: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(partly); err != nil {
		t.Errorf("the B-T container was not kept: %v", err)
	}

	// A B-B container extended to B-LTA, then renewed.
	bb := filepath.Join(dir, "bb.asice")
	if code, stdout, stderr := run(t, "sign", "--key", key, "--pin-file", pinFile(t, "pw"), "--container", "asice", "-o", bb, a); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := run(t, "extend", "--tsa", ltv.TSA.URL, "--trust", root, bb); code != 0 {
		t.Fatalf("extend: exit %d\n%s%s", code, stdout, stderr)
	}
	lta := filepath.Join(dir, "bb-extended.asice")
	if code, stdout, stderr := run(t, "extend", "--renew", "--tsa", ltv.TSA.URL, "--trust", root, "-o", filepath.Join(dir, "renewed.asice"), lta); code != 0 {
		t.Fatalf("renew: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range []string{lta, filepath.Join(dir, "renewed.asice")} {
		code, stdout, _ := run(t, "verify", "--json", "--trust", root, f)
		var res []flow.Verification
		if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 0 || res[0].Container == nil || res[0].Container.Signatures[0].Level != "B-LTA" {
			t.Errorf("%s: exit %d %v\n%s", f, code, err, stdout)
		}
	}
	if code, _, stderr := run(t, "extend", "--renew", "--tsa", ltv.TSA.URL, "--trust", root, "-o", filepath.Join(dir, "x.asice"), bb); code != 1 || !strings.Contains(stderr, "only a B-LTA file can be renewed") {
		t.Errorf("renewing a B-B container: exit %d %s", code, stderr)
	}

	doc := filepath.Join(dir, "doc.pdf")
	testpdf.WriteFile(doc, testpdf.Options{})
	if code, _, stderr := run(t, "sign", "--key", key, "--pin-file", pinFile(t, "pw"), out, doc); code != 2 || !strings.Contains(stderr, "separate runs") {
		t.Errorf("a container and a PDF: exit %d %s", code, stderr)
	}
}
