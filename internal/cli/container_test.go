package cli

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
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
	code, stdout, stderr := run(t, "verify", "--trust", inter, good)
	if code != 0 || !strings.Contains(stdout, "✓ valid") || !strings.Contains(stdout, "Jānis Bērziņš · XAdES B-B · līgums.txt") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "verify", "--json", "--trust", inter, good)
	var res []verifyFileJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 0 || res[0].Container == nil || res[0].Container.Signatures[0].SignerName != "Jānis Bērziņš" {
		t.Fatalf("--json: exit %d %v\n%s", code, err, stdout)
	}
	// A data file changed after signing: not valid, exit 1, the reference
	// named. A container cut short: unreadable, exit 2.
	bad := filepath.Join(dir, "mainīts.edoc")
	os.WriteFile(bad, rezip(t, data, "līgums.txt", []byte("Noraidu.")), 0o644)
	code, stdout, _ = run(t, "verify", "--trust", inter, bad)
	if code != 1 || !strings.Contains(stdout, "✗ NOT VALID") || !strings.Contains(stdout, `reference "l%C4%ABgums.txt"`) {
		t.Errorf("a changed file: exit %d\n%s", code, stdout)
	}
	// A directory: the PDF and the containers in it, one line each.
	mixed := filepath.Join(dir, "mixed")
	os.Mkdir(mixed, 0o755)
	os.WriteFile(filepath.Join(mixed, "a.edoc"), data, 0o644)
	os.WriteFile(filepath.Join(mixed, "notes.txt"), []byte("not a document"), 0o644)
	testpdf.WriteFile(filepath.Join(mixed, "b.pdf"), testpdf.Options{})
	code, stdout, _ = run(t, "verify", "--trust", inter, "--json", mixed)
	var mixedRes []verifyFileJSON
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

// rezip is the container data with one entry's content replaced.
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
	if code != 0 || !strings.Contains(stdout, "✓ valid") || !strings.Contains(stdout, "līgums.txt, tabula.csv") {
		t.Fatalf("verify: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := run(t, "--module", env.Module, "sign", "--key", "pkcs11:token=signet-test;object=P-256 signing",
		"--pin-file", pinFile(t, softhsmtest.PIN), "--container", "asice", "-o", out, a); code != 1 || !strings.Contains(stderr, "output file exists") {
		t.Errorf("an existing output: exit %d %s", code, stderr)
	}
}
