package flow

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/testpki"
)

// container builds an ASiC-E zip with the given entries, mimetype first
// (stored) when mimetype is set.
func container(f *testing.F, mimetype string, entries map[string]string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	if mimetype != "" {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
		if err != nil {
			f.Fatal(err)
		}
		w.Write([]byte(mimetype))
	}
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			f.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		f.Fatal(err)
	}
	return b.Bytes()
}

// FuzzCheckContainer feeds arbitrary bytes, as a container eParaksts sent
// back, to the check run on it before it is written: any input gives a
// list of entries or an error, never a panic, within the bounds on entries
// and bytes read.
func FuzzCheckContainer(f *testing.F) {
	pki, err := testpki.New()
	if err != nil {
		f.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Jānis Bērziņš", testpki.IssueOptions{})
	if err != nil {
		f.Fatal(err)
	}
	sig := "<X509Certificate>" + base64.StdEncoding.EncodeToString(e.Cert.Raw) + "</X509Certificate>"
	const asice = "application/vnd.etsi.asic-e+zip"
	f.Add(container(f, asice, map[string]string{"doc.pdf": "%PDF-1.7", "META-INF/signatures0.xml": sig, "META-INF/manifest.xml": "<manifest/>"}))
	f.Add(container(f, asice, map[string]string{"doc.pdf": "%PDF-1.7"}))
	f.Add(container(f, "text/plain", map[string]string{"doc.pdf": "x", "META-INF/signatures0.xml": sig}))
	f.Add(container(f, "", map[string]string{"META-INF/signatures1.xml": sig}))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, data []byte) {
		names, err := checkContainer(data, "doc.pdf", e.Cert)
		if err == nil && (len(names) == 0 || names[0] != "mimetype") {
			t.Fatalf("accepted a container whose first entry is not its mimetype: %v", names)
		}
	})
}

// TestCheckContainerBounds: a container listing more files than Signet
// reads is refused, not walked.
func TestCheckContainerBounds(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range maxContainerEntries + 1 {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("f%d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	pki, _ := testpki.New()
	e, _ := pki.NewEntity(testpki.P256, testpki.Signing, "Anna", testpki.IssueOptions{})
	if _, err := checkContainer(b.Bytes(), "doc.pdf", e.Cert); err == nil || !strings.Contains(err.Error(), "more than the 1000") {
		t.Fatalf("got %v", err)
	}
}
