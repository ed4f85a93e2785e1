package pdf

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// cmsSeeds returns the CMS containers in testdata/cms: DER from Signet,
// BER from pdfsig (NSS).
func cmsSeeds(f *testing.F) [][]byte {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "cms", "*.der"))
	var seeds [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	if len(seeds) == 0 {
		f.Fatal("no CMS seeds in testdata/cms")
	}
	return seeds
}

// FuzzParseCMS feeds arbitrary bytes to the CMS parser, DER and BER paths.
func FuzzParseCMS(f *testing.F) {
	for _, s := range cmsSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseCMS(data)
		if err != nil {
			return
		}
		p.signerCert()
		p.attr(oidAttrMessageDigest)
	})
}

// FuzzVerify runs the whole verifier on arbitrary files: no input may make
// it panic or hang.
func FuzzVerify(f *testing.F) {
	pdfSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		withinSeconds(t, 5, func() {
			// An empty trust store: the system's would be copied on every
			// run, and chains fail the same way without a root.
			Verify(context.Background(), bytes.NewReader(data), int64(len(data)), VerifyOptions{Roots: x509.NewCertPool(), Now: time.Unix(1.8e9, 0)})
		})
	})
}

func TestParseCMSEncodings(t *testing.T) {
	for _, tc := range []struct{ file, signer string }{
		{"signet-der.der", "Jānis Bērziņš"},
		{"pdfsig-ber.der", "Other Tool Signer"},
	} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "cms", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		p, err := parseCMS(data)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if c := p.signerCert(); c == nil || c.Subject.CommonName != tc.signer {
			t.Errorf("%s: signer %v, want %s", tc.file, c, tc.signer)
		}
		if len(p.signedSet) == 0 || p.attr(oidAttrMessageDigest) == nil {
			t.Errorf("%s: signed attributes missing", tc.file)
		}
	}
}
