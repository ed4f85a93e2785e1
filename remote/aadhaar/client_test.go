package aadhaar_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/remote/aadhaar"
	"github.com/signet-sign/signet/remote/aadhaar/fake"
)

// TestEndpoints calls the endpoints the flows do not: documents, audit,
// delete and templates, against the fake.
func TestEndpoints(t *testing.T) {
	srv, err := fake.Start("c", "s", "i")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := aadhaar.New(aadhaar.Config{URL: srv.URL, ClientID: "c", ClientSecret: "s", ProductInstanceID: "i"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.pdf")
	if err := testpdf.WriteFile(path, testpdf.Options{Pages: 1}); err != nil {
		t.Fatal(err)
	}
	pdfData, _ := os.ReadFile(path)
	ctx := context.Background()

	doc, err := c.UploadDocument(ctx, "a.pdf", pdfData, "")
	if err != nil || doc.ID == "" || doc.Name != "a.pdf" {
		t.Fatalf("upload: %+v %v", doc, err)
	}
	got, err := c.GetDocument(ctx, doc.ID)
	if err != nil || got.DocumentType != "application/pdf" {
		t.Fatalf("get document: %+v %v", got, err)
	}
	if data, err := c.Fetch(ctx, got.DownloadURL); err != nil || !bytes.Equal(data, pdfData) {
		t.Fatalf("fetch: %v", err)
	}
	r, err := c.CreateRequest(ctx, aadhaar.RequestInput{DocumentID: doc.ID, RedirectURL: "https://x.example/done",
		Signers: []aadhaar.SignerInput{{Identifier: "1234", DisplayName: "A", Signature: &aadhaar.Placement{OnPages: []string{"1"}, Position: "bottom-left", Height: 60, Width: 180}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DownloadURL(ctx, r.ID); err == nil || !bytes.Contains([]byte(err.Error()), []byte("not signed by every signer")) {
		t.Fatalf("download before signing: %v", err)
	}
	if err := srv.Sign(r.ID, 0); err != nil {
		t.Fatal(err)
	}
	audit, err := c.Audit(ctx, r.ID)
	if err != nil || audit.ID != r.ID || len(audit.Events) < 2 || audit.Events[1].Activity != "signed" {
		t.Fatalf("audit: %+v %v", audit, err)
	}
	if p, err := c.AuditPDF(ctx, r.ID); err != nil || !bytes.HasPrefix(p, []byte("%PDF-")) {
		t.Fatalf("audit PDF: %v", err)
	}
	if err := c.Delete(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	var ae *aadhaar.Error
	if _, err := c.GetRequest(ctx, r.ID); !errors.As(err, &ae) || !ae.NotFound() {
		t.Fatalf("after delete: %v", err)
	}

	tpl, err := c.UploadTemplate(ctx, "form.pdf", pdfData, map[string][2]float64{"name": {100, 590}})
	if err != nil || tpl.ID == "" || string(tpl.Parameters["name"]) != "[100,590]" {
		t.Fatalf("upload template: %+v %v", tpl, err)
	}
	if g, err := c.GetTemplate(ctx, tpl.ID); err != nil || g.ID != tpl.ID {
		t.Fatalf("get template: %+v %v", g, err)
	}
	rd, err := c.RenderTemplate(ctx, tpl.ID, "filled", map[string]string{"name": "Ananya Rao"})
	if err != nil || rd.ID == "" || rd.Name != "filled" {
		t.Fatalf("render: %+v %v", rd, err)
	}
	// The rendered document can be signed like an upload.
	if _, err := c.CreateRequest(ctx, aadhaar.RequestInput{DocumentID: rd.ID, RedirectURL: "https://x.example/done",
		Signers: []aadhaar.SignerInput{{Identifier: "1234", DisplayName: "A", Signature: &aadhaar.Placement{OnPages: []string{"1"}, Position: "bottom-left"}}}}); err != nil {
		t.Fatal(err)
	}
	// A download link is fetched without the client's credentials and
	// within the limit.
	small, _ := aadhaar.New(aadhaar.Config{URL: srv.URL, ClientID: "c", ClientSecret: "s", ProductInstanceID: "i", DownloadLimit: 10})
	if _, err := small.Fetch(ctx, got.DownloadURL); !errors.Is(err, aadhaar.ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := c.Fetch(ctx, "ftp://x/y"); err == nil {
		t.Fatal("a non-https link was fetched")
	}
}
