package remote

import (
	"strings"
	"testing"
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
