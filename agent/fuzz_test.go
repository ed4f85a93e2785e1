package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/keys"
)

// noKeys offers no certificates: requests end before any token.
type noKeys struct{}

func (noKeys) Choices() ([]flow.KeyChoice, error) { return nil, nil }
func (noKeys) Open(context.Context, flow.KeyChoice) (keys.Signer, error) {
	return nil, errors.New("no keys")
}

// FuzzRequests sends arbitrary bodies from arbitrary origins to every
// POST endpoint: the agent must answer each with a JSON error or success,
// never fail inside. An origin that is valid must have one canonical
// form (canonicalizing it again changes nothing).
func FuzzRequests(f *testing.F) {
	for _, seed := range []struct{ body, origin string }{
		{`{"certificateId":"ab","digest":"AAAA","algorithm":"SHA-256"}`, page},
		{`{"certificateId":"ab","items":[{"digest":"AAAA","algorithm":"SHA-512"}]}`, page},
		{`{"certificateId":"ab","name":"a.pdf","document":"JVBERi0=","options":{"visible":{"page":-1,"rect":[1,2,3,4]}}}`, page},
		{`{"certificateId":"ab","documents":[{"name":"x","document":""}],"options":{"level":"B-T"}}`, page},
		{`{"certificateId":"ab","challengeNonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`, "https://login.example"},
		{`{"certificateId":"ab","challengeNonce":"x"}`, "http://quiet.example.:8765"},
		{`{"certificateId":"ab","name":"\u3164\u2800","document":"JVBERi0=","options":{"reason":"a\nb\u202e","location":"\u0336","visible":{"page":0,"rect":[1,2,3,4],"lines":["\u200b",""]}}}`, "https://BÜCHER.example."},
		{`{"certificateId":"ab","name":"a","document":"JVBERi0=","options":{"visible":{"page":-2,"rect":[0,0,0,0],"lines":["1","2","3","4","5","6","7","8","9"]}}}`, "http://[::1]:80"},
		{`[]`, page}, {`null`, page}, {`{"certificateId":1}`, page}, {`{}{}`, "null"},
	} {
		f.Add(seed.body, seed.origin)
	}
	srv := newServer(Config{Consent: &consent{}, Keys: noKeys{}, MaxPDF: 1 << 20, Log: log.New(io.Discard, "", 0),
		Allowed: []string{page}, AllowedDigests: []string{page}}, 27413)
	h := srv.routes()
	f.Fuzz(func(t *testing.T, body, origin string) {
		if c, ok := CanonicalOrigin(origin); ok {
			if again, ok := CanonicalOrigin(c); !ok || again != c {
				t.Fatalf("CanonicalOrigin(%q) = %q, which canonicalizes to %q, %v", origin, c, again, ok)
			}
		}
		for _, path := range []string{"/v1/sign/digest", "/v1/sign/digest/batch", "/v1/sign/pdf", "/v1/sign/pdf/batch", "/v1/authenticate"} {
			req := httptest.NewRequest("POST", path, bytes.NewReader([]byte(body)))
			req.Host = "127.0.0.1:" + strconv.Itoa(srv.port)
			req.Header.Set("Origin", origin)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusInternalServerError {
				t.Fatalf("%s %q: 500 %s", path, body, rec.Body)
			}
			var v map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatalf("%s %q: not JSON: %q", path, body, rec.Body)
			}
			if rec.Code != 200 && v["code"] == nil {
				t.Fatalf("%s %q: %d without a code", path, body, rec.Code)
			}
		}
	})
}
