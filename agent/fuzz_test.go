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

// FuzzRequests sends arbitrary bodies to every POST endpoint: the agent
// must answer each with a JSON error or success, never fail inside.
func FuzzRequests(f *testing.F) {
	for _, seed := range []string{
		`{"certificateId":"ab","digest":"AAAA","algorithm":"SHA-256"}`,
		`{"certificateId":"ab","items":[{"digest":"AAAA","algorithm":"SHA-512"}]}`,
		`{"certificateId":"ab","name":"a.pdf","document":"JVBERi0=","options":{"visible":{"page":-1,"rect":[1,2,3,4]}}}`,
		`{"certificateId":"ab","documents":[{"name":"x","document":""}],"options":{"level":"B-T"}}`,
		`[]`, `null`, `{"certificateId":1}`, `{}{}`,
	} {
		f.Add(seed)
	}
	srv := newServer(Config{Consent: &consent{}, Keys: noKeys{}, MaxPDF: 1 << 20, Log: log.New(io.Discard, "", 0), Allowed: []string{page}}, 27413)
	h := srv.routes()
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/v1/sign/digest", "/v1/sign/digest/batch", "/v1/sign/pdf", "/v1/sign/pdf/batch"} {
			req := httptest.NewRequest("POST", path, bytes.NewReader([]byte(body)))
			req.Host = "127.0.0.1:" + strconv.Itoa(srv.port)
			req.Header.Set("Origin", page)
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
