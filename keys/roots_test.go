package keys

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/testpki"
)

// TestIndexPEM: the index keys each certificate of PEM files by the
// subject x509 reads, holds each certificate once (two roots may share a
// subject), skips what is not a certificate, and a pool made from it
// verifies a chain ending at either root.
func TestIndexPEM(t *testing.T) {
	a, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := testpki.New() // same subject names, other keys
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(certs ...*x509.Certificate) []byte {
		var out []byte
		for _, c := range certs {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		return out
	}
	noise := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	files := [][]byte{
		append(pemOf(a.Root.Cert), noise...),
		pemOf(b.Root.Cert, a.Root.Cert, a.Intermediate.Cert), // a's root again
	}
	idx := indexPEM(files)

	if !bytes.Equal(a.Root.Cert.RawSubject, b.Root.Cert.RawSubject) {
		t.Fatal("test set-up: the two roots should share a subject")
	}
	if got := len(idx[string(a.Root.Cert.RawSubject)]); got != 2 {
		t.Fatalf("roots under %s: %d, want 2 (each once)", a.Root.Cert.Subject, got)
	}
	if got := len(idx[string(a.Intermediate.Cert.RawSubject)]); got != 1 {
		t.Fatalf("intermediates indexed: %d, want 1", got)
	}
	if len(idx) != 2 {
		t.Fatalf("index has %d subjects, want 2", len(idx))
	}

	for _, p := range []*testpki.PKI{a, b} {
		leaf, err := p.NewEntity(testpki.P256, testpki.Signing, "Indexed Signer", testpki.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		inter := x509.NewCertPool()
		inter.AddCert(p.Intermediate.Cert)
		// The pool holds what issued the certificates on offer: the
		// intermediate's issuer is the root.
		roots := idx.poolFor([]*x509.Certificate{leaf.Cert, p.Intermediate.Cert})
		if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Errorf("chain to %s: %v", p.Root.Cert.Subject, err)
		}
	}
	// A chain from another PKI (same names, other keys) finds no root.
	other, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := other.NewEntity(testpki.P256, testpki.Signing, "Stranger", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stranger.Cert.Verify(x509.VerifyOptions{Roots: idx.poolFor([]*x509.Certificate{stranger.Cert})}); err == nil {
		t.Fatal("a certificate whose issuer is not indexed verified")
	}
}

// needSystemRoots fails the test under CI (where the test set-up installs
// ca-certificates) and on Linux when the roots are missing; elsewhere it
// skips.
func needSystemRoots(t *testing.T, why string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" || runtime.GOOS == "linux" {
		t.Fatalf(why, args...)
	}
	t.Skipf(why, args...)
}

// TestSystemRootsFor: the lazy index holds exactly the roots
// x509.SystemCertPool holds, and a chain ending at any of them finds it.
func TestSystemRootsFor(t *testing.T) {
	sys, err := x509.SystemCertPool()
	if err != nil {
		needSystemRoots(t, "no system roots: %v (install ca-certificates)", err)
	}
	//lint:ignore SA1019 the subjects of a pool read from files are complete on Linux, which this compares
	want := sys.Subjects()
	idx := loadRootIndex()
	if idx == nil {
		needSystemRoots(t, "system roots are not in PEM files here")
	}
	var got [][]byte
	for subject, ders := range idx {
		for range ders {
			got = append(got, []byte(subject))
		}
	}
	slices.SortFunc(want, bytes.Compare)
	slices.SortFunc(got, bytes.Compare)
	if len(want) == 0 || !slices.EqualFunc(want, got, bytes.Equal) {
		t.Fatalf("index holds %d roots, x509.SystemCertPool %d", len(got), len(want))
	}
	for subject, ders := range idx {
		root, err := x509.ParseCertificate(ders[0])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(root.RawSubject, []byte(subject)) {
			t.Fatalf("subject read from the DER differs from x509's for %s", root.Subject)
		}
		// A certificate the root issued (here: the root itself, as its
		// issuer is its subject) finds it.
		if _, err := root.Verify(x509.VerifyOptions{Roots: SystemRootsFor(root), CurrentTime: root.NotBefore}); err != nil {
			t.Errorf("%s: %v", root.Subject, err)
		}
	}
}

// TestLoadCertificatesDirectory (issue 31, 20): a directory of trust
// material holding CRLs beside the certificates gives the certificates;
// a CRL named as a certificate file is an error; a directory without any
// certificate adds none.
func TestLoadCertificatesDirectory(t *testing.T) {
	p, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	crl, err := testpki.V1CRL(p.Root, time.Now(), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Cert.Raw}))
	write("ca.crl.pem", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}))
	crlDER := write("ca.der", crl)
	certs, err := LoadCertificates([]string{dir})
	if err != nil || len(certs) != 1 || !certs[0].Equal(p.Root.Cert) {
		t.Fatalf("a directory with CRLs: %d certificates, %v", len(certs), err)
	}
	if _, err := LoadCertificates([]string{crlDER}); err == nil {
		t.Error("a CRL named as a certificate file was taken")
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "only.crl.pem"), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}), 0o644)
	// A directory with none gives none, not an error: the settings' other
	// anchors must not be lost with it.
	if certs, err := LoadCertificates([]string{dir, empty}); err != nil || len(certs) != 1 {
		t.Errorf("with a directory without certificates: %d certificates, %v", len(certs), err)
	}
}
