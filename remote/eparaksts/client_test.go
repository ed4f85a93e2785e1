package eparaksts_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/remote/eparaksts"
	"github.com/signet-sign/signet/remote/eparaksts/fake"
)

func start(t *testing.T) (*fake.Server, *eparaksts.Client) {
	t.Helper()
	s, err := fake.Start("id", "secret", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c, err := eparaksts.New(eparaksts.Config{Endpoints: eparaksts.Endpoints{API: s.URL, Auth: s.URL}, ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestNewChecksURLs(t *testing.T) {
	for _, tc := range []struct {
		name, api string
		ok        bool
	}{
		{"ok https", "https://signapi-prep.eparaksts.lv", true},
		{"ok loopback http", "http://127.0.0.1:8080", true},
		{"ok localhost http", "http://localhost:8080", true},
		{"fail plain http elsewhere", "http://signapi.eparaksts.lv", false},
		{"fail other scheme", "ftp://x", false},
		{"fail not a URL", "::", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eparaksts.New(eparaksts.Config{Endpoints: eparaksts.Endpoints{API: tc.api, Auth: "https://eidas-demo.eparaksts.lv"}, ClientID: "a", ClientSecret: "b"})
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	if _, err := eparaksts.New(eparaksts.Config{Endpoints: eparaksts.Profiles["prep"]}); !errors.Is(err, eparaksts.ErrNoCredentials) {
		t.Errorf("missing credentials: %v", err)
	}
}

func TestClient(t *testing.T) {
	s, c := start(t)
	ctx := context.Background()

	t.Run("ok session, upload, list, download, delete, close", func(t *testing.T) {
		sid, err := c.StartSession(ctx)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := c.Upload(ctx, sid, "līgums.pdf", bytes.NewReader([]byte("%PDF-1.4 test")))
		if err != nil || doc.Name != "līgums.pdf" || doc.Size != 13 {
			t.Fatalf("upload: %+v, %v", doc, err)
		}
		docs, err := c.List(ctx, sid)
		if err != nil || len(docs) != 1 || docs[0].ID != doc.ID {
			t.Fatalf("list: %+v, %v", docs, err)
		}
		data, err := c.Download(ctx, sid, doc.ID)
		if err != nil || string(data) != "%PDF-1.4 test" {
			t.Fatalf("download: %q, %v", data, err)
		}
		if err := c.Delete(ctx, sid, doc.ID); err != nil {
			t.Fatal(err)
		}
		if err := c.CloseSession(ctx, sid); err != nil {
			t.Fatal(err)
		}
		var ae *eparaksts.Error
		if _, err := c.List(ctx, sid); !errors.As(err, &ae) || ae.HTTPStatus != 404 || !strings.Contains(err.Error(), "sessions expire") {
			t.Errorf("closed session: %v", err)
		}
	})
	t.Run("ok config and public key", func(t *testing.T) {
		cfg, err := c.Config(ctx)
		if err != nil || cfg["sessionTimeout"] == nil {
			t.Fatalf("config: %v, %v", cfg, err)
		}
		pub, err := c.PublicKey(ctx)
		if err != nil || !pub.Equal(s.SealPublicKey()) {
			t.Fatalf("public key: %v", err)
		}
	})
	t.Run("ok a 5xx on an idempotent call is tried once more", func(t *testing.T) {
		before := s.Requests["GET /api-config/v1.0/"]
		s.FailNext("/api-config/v1.0/", http.StatusServiceUnavailable, "")
		if _, err := c.Config(ctx); err != nil {
			t.Fatal(err)
		}
		if n := s.Requests["GET /api-config/v1.0/"] - before; n != 2 {
			t.Errorf("config asked %d times, want 2", n)
		}
	})
	t.Run("fail a 5xx on a state-changing call is not repeated", func(t *testing.T) {
		before := s.Requests["GET /api-session/v1.0/start"]
		s.FailNext("/api-session/v1.0/start", http.StatusInternalServerError, "")
		_, err := c.StartSession(ctx)
		var ae *eparaksts.Error
		if !errors.As(err, &ae) || ae.HTTPStatus != 500 || !strings.Contains(err.Error(), "try again later") {
			t.Fatalf("err = %v", err)
		}
		if n := s.Requests["GET /api-session/v1.0/start"] - before; n != 1 {
			t.Errorf("start sent %d times", n)
		}
	})
	t.Run("fail 403 says what it means", func(t *testing.T) {
		s.FailNext("", http.StatusForbidden, "ACCESS_DENIED")
		_, err := c.StartSession(ctx)
		if err == nil || !strings.Contains(err.Error(), "not allowed") || !strings.Contains(err.Error(), "ACCESS_DENIED") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("fail wrong secret", func(t *testing.T) {
		bad, _ := eparaksts.New(eparaksts.Config{Endpoints: eparaksts.Endpoints{API: s.URL, Auth: s.URL}, ClientID: "id", ClientSecret: "wrong"})
		_, err := bad.StartSession(ctx)
		if !errors.Is(err, eparaksts.ErrAuth) || strings.Contains(err.Error(), "wrong") {
			t.Errorf("err = %v (and the secret must not be echoed)", err)
		}
	})
	t.Run("fail CalculateDigest without a certificate the service can read", func(t *testing.T) {
		sid, _ := c.StartSession(ctx)
		_, err := c.CalculateDigest(ctx, []string{sid}, &x509.Certificate{Raw: []byte("junk")}, true, false)
		var ae *eparaksts.Error
		if !errors.As(err, &ae) || ae.Code != "INVALID_CERTIFICATE" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("ok eSeal password travels encrypted", func(t *testing.T) {
		pki, _ := testpki.New()
		auth, _ := pki.NewEntity(testpki.P256, testpki.Authentication, "Seal Auth", testpki.IssueOptions{})
		sid, _ := c.StartSession(ctx)
		// Not a PKCS#12 file: the service decrypts the password and then
		// refuses the key, which proves the encryption matched.
		_, err := c.ESealCreate(ctx, []string{sid}, []byte("not a pfx"), []byte("pw"), auth.Cert, true, false)
		var ae *eparaksts.Error
		if !errors.As(err, &ae) || ae.Code != "INVALID_SIGN_KEY" {
			t.Errorf("err = %v", err)
		}
	})
}

func TestClient401(t *testing.T) {
	s, c := start(t)
	ctx := context.Background()
	t.Run("ok one 401 renews the token", func(t *testing.T) {
		s.FailNext("/api-session/v1.0/start", http.StatusUnauthorized, "invalid_token")
		if _, err := c.StartSession(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("fail a 401 after renewing is reported", func(t *testing.T) {
		before := s.Requests["GET /api-session/v1.0/start"]
		s.FailNext("/api-session/v1.0/start", http.StatusUnauthorized, "invalid_token")
		s.FailNext("/api-session/v1.0/start", http.StatusUnauthorized, "invalid_token")
		_, err := c.StartSession(ctx)
		var ae *eparaksts.Error
		if !errors.As(err, &ae) || ae.HTTPStatus != 401 || !strings.Contains(err.Error(), "even after renewing") {
			t.Fatalf("err = %v", err)
		}
		if n := s.Requests["GET /api-session/v1.0/start"] - before; n != 2 {
			t.Errorf("sent %d times, want 2 (one renewal)", n)
		}
	})
}
