package keys

import (
	"bytes"
	"crypto/x509"
	"slices"
	"testing"
)

// TestSystemRootsFor: the lazy index holds exactly the roots
// x509.SystemCertPool holds, and a chain ending at any of them finds it.
func TestSystemRootsFor(t *testing.T) {
	sys, err := x509.SystemCertPool()
	if err != nil {
		t.Skipf("no system roots: %v", err)
	}
	//lint:ignore SA1019 the subjects of a pool read from files are complete on Linux, which this compares
	want := sys.Subjects()
	idx := loadRootIndex()
	if idx == nil {
		t.Skip("system roots are not in PEM files here")
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
