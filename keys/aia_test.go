package keys_test

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/digitorus/pkcs7"

	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/keys"
)

func TestFetchIssuers(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := pkcs7.DegenerateCertificate(pki.Intermediate.Cert.Raw)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/int.crt", func(w http.ResponseWriter, _ *http.Request) { w.Write(pki.Intermediate.Cert.Raw) })
	mux.HandleFunc("/int.pem", func(w http.ResponseWriter, _ *http.Request) {
		w.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Intermediate.Cert.Raw}))
	})
	mux.HandleFunc("/int.p7c", func(w http.ResponseWriter, _ *http.Request) { w.Write(bundle) })
	mux.HandleFunc("/root.crt", func(w http.ResponseWriter, _ *http.Request) { w.Write(pki.Root.Cert.Raw) })
	mux.HandleFunc("/junk", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("<html>")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cases := []struct {
		name, path string
		wantErr    string
	}{
		{"ok DER", "/int.crt", ""},
		{"ok PEM", "/int.pem", ""},
		{"ok PKCS#7 bundle", "/int.p7c", ""},
		{"ok no AIA", "", ""},
		{"fail not found", "/missing", "HTTP 404"},
		{"fail another CA's certificate", "/root.crt", "holds no certificate that issued"},
		{"fail not a certificate", "/junk", "neither a certificate nor a PKCS#7 bundle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := testpki.IssueOptions{}
			if tc.path != "" {
				opts.IssuerURL = srv.URL + tc.path
			}
			e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Leaf", opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := keys.FetchIssuers(context.Background(), e.Cert, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if tc.path == "" {
				want = 0
			}
			if len(got) != want || (want == 1 && !got[0].Equal(pki.Intermediate.Cert)) {
				t.Errorf("got %d issuers", len(got))
			}
		})
	}
}
