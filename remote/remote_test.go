package remote

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		raw, wantErr string
	}{
		{"https://api.example.lv", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://[::1]:8080/x", ""},
		{"http://localhost:9", ""},
		{"http://api.example.lv", "loopback addresses only"},
		{"http://10.0.0.1", "loopback addresses only"},
		{"ftp://api.example.lv", "must be https"},
		{"api.example.lv", "is not a URL"},
		{"https://%zz", "is not a URL"},
	} {
		_, err := ParseURL("Test API", c.raw)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%q: %v", c.raw, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.HasPrefix(err.Error(), "Test API URL")):
			t.Errorf("%q: error %v, want one naming Test API and saying %q", c.raw, err, c.wantErr)
		}
	}
}

// TestReason (issue 31, 21): why a service gave no answer, without Go's
// repetition of the method and URL.
func TestReason(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	untrusted := httptest.NewTLSServer(http.NotFoundHandler())
	defer untrusted.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(time.Second) }))
	defer slow.Close()
	for _, tc := range []struct {
		name, url string
		client    *http.Client
		want      string
	}{
		{"refused", url, http.DefaultClient, "nothing answers there (connection refused)"},
		{"no such name", "http://no-such-host.invalid/", http.DefaultClient, "the name no-such-host.invalid does not resolve"},
		{"untrusted", untrusted.URL, http.DefaultClient, "its TLS certificate is not trusted"},
		{"slow", slow.URL, &http.Client{Timeout: 100 * time.Millisecond}, "no answer in time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.Post(tc.url, "text/plain", nil)
			if err == nil {
				t.Fatal("no error")
			}
			got := Reason(err)
			if !strings.HasPrefix(got, tc.want) || strings.Contains(got, "Post ") {
				t.Errorf("%q, want %q…", got, tc.want)
			}
		})
	}
}
