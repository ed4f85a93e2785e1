package asice

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/pdf"
)

// benchFiles are a 1 MB document and a small attachment.
func benchFiles() []File {
	return []File{{Name: "līgums.pdf", Data: bytes.Repeat([]byte("%PDF-1.7 līgums "), 1<<16)}, {Name: "pielikums.txt", Data: []byte("Apstiprinu.")}}
}

// BenchmarkSignContainer: a B-B container over 1 MB with a P-256 key in
// memory (the token's share is its signature alone).
func BenchmarkSignContainer(b *testing.B) {
	pki, err := testpki.New()
	if err != nil {
		b.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Bench", testpki.IssueOptions{})
	if err != nil {
		b.Fatal(err)
	}
	files := benchFiles()
	b.ReportAllocs()
	for b.Loop() {
		p, err := Prepare(files, e.Cert, time.Now(), PrepareOptions{})
		if err != nil {
			b.Fatal(err)
		}
		sig, _ := e.Key.Sign(rand.Reader, p.Digest(), crypto.SHA256)
		if _, err := p.Finish(sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyContainer: opening and verifying a B-LTA container over
// 1 MB (two timestamps, OCSP values), nothing fetched.
func BenchmarkVerifyContainer(b *testing.B) {
	pki, err := testpki.New()
	if err != nil {
		b.Fatal(err)
	}
	f := &ltvFixture{pki: pki}
	if f.ltv, err = startLTV(pki); err != nil {
		b.Fatal(err)
	}
	defer f.ltv.Close()
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Bench", f.ltv.Issue)
	if err != nil {
		b.Fatal(err)
	}
	files := benchFiles()
	name, doc := f.sign(b, files, e, pdf.LevelBLTA, 0)
	data, err := Write(files, map[string][]byte{name: doc})
	if err != nil {
		b.Fatal(err)
	}
	opts := VerifyOptions{Roots: pki.Roots()}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		c, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if reps := c.Verify(context.Background(), opts); len(reps) != 1 || reps[0].Level != "B-LTA" {
			b.Fatalf("%+v", reps)
		}
	}
}
