package certeurope_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/remote/certeurope"
	"github.com/signet-sign/signet/remote/certeurope/fake"
)

// TestOrdersAndRefusal calls what the flows do not: get, search and
// delete orders, search and refuse signature requests, errors in words.
func TestOrdersAndRefusal(t *testing.T) {
	srv, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ent, _ := srv.NewClient("Acme")
	p12, _ := srv.PKI.PKCS12(ent, "pw")
	signer, err := keys.LoadPKCS12(p12, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := certeurope.TLSConfig(signer, []*x509.Certificate{srv.ServerCA()})
	c, err := certeurope.New(certeurope.Config{URL: srv.URL, TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	holder := certeurope.Holder{Firstname: "Jeanne", Lastname: "Martin", Email: "j@example.fr", Mobile: "0612345678", Country: "FR"}
	o, err := c.CreateOrder(ctx, certeurope.Order{ExternalOrderRequestID: "EXT-1", Holder: holder})
	if err != nil || o.Status != "CREATED" {
		t.Fatalf("%+v %v", o, err)
	}
	if got, err := c.GetOrder(ctx, certeurope.Ref{ExternalID: "EXT-1"}); err != nil || got.OrderRequestID != o.OrderRequestID {
		t.Fatalf("get by external id: %+v %v", got, err)
	}
	if list, err := c.SearchOrders(ctx, "j@example.fr", "", ""); err != nil || len(list) != 1 {
		t.Fatalf("search: %+v %v", list, err)
	}
	path := filepath.Join(t.TempDir(), "a.pdf")
	testpdf.WriteFile(path, testpdf.Options{Pages: 1})
	data, _ := os.ReadFile(path)
	ref := certeurope.Ref{ID: o.OrderRequestID}
	sts, err := c.CreateSignatureRequests(ctx, ref, []certeurope.SignatureRequest{{
		SignatureOptions: certeurope.SignatureOptions{SignatureType: "PAdES_BASELINE_B", DigestAlgorithmName: "SHA256", SignaturePackagingType: "ENVELOPED", DocumentType: "INLINE"},
		ToSignContent:    base64.StdEncoding.EncodeToString(data)}}, false)
	if err != nil || len(sts) != 1 || sts[0].Status != certeurope.StatusCreated {
		t.Fatalf("%+v %v", sts, err)
	}
	if err := c.Refuse(ctx, certeurope.Ref{ID: sts[0].SignatureRequestID}); err != nil {
		t.Fatal(err)
	}
	if found, err := c.SearchSignatures(ctx, ref, certeurope.StatusRefused); err != nil || len(found) != 1 {
		t.Fatalf("search refused: %+v %v", found, err)
	}
	if err := c.DeleteOrder(ctx, ref); err != nil {
		t.Fatal(err)
	}
	var ce *certeurope.Error
	if _, err := c.GetOrder(ctx, ref); !errors.As(err, &ce) || ce.HTTPStatus != 404 || ce.Label != "ORDER_NOT_FOUND" {
		t.Fatalf("after delete: %v", err)
	}
	srv.FailNext("POST /ephemeral/orders", 400, "INVALID_HOLDER", "mobile is not valid")
	if _, err := c.CreateOrder(ctx, certeurope.Order{Holder: holder}); err == nil || err.Error() != "the service refused POST /ephemeral/orders (HTTP 400) (service says: INVALID_HOLDER: mobile is not valid)" {
		t.Fatalf("error in words: %v", err)
	}
	wrong := &certeurope.Error{Label: "INVALID_OTP", Msg: "invalid OTP, 2 tries left"}
	if !errors.Is(wrong, certeurope.ErrWrongOTP) || wrong.TriesLeft() != 2 {
		t.Fatalf("wrong OTP: %v %d", wrong, wrong.TriesLeft())
	}
	for _, s := range []string{certeurope.StatusSigned, certeurope.StatusAwaitingValid, certeurope.StatusArchiveFailed, certeurope.StatusRefused} {
		if certeurope.StatusWords(s) == "in state "+s {
			t.Errorf("%s has no words", s)
		}
	}
}
