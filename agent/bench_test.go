package agent

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/prompt"
)

// BenchmarkSignDigest measures POST /v1/sign/digest round trips with the
// consent approved at once, ECDSA P-256 on SoftHSM2, against the token's
// own signing time on the same key and against a bare JSON round trip on
// loopback (the floor of any localhost agent), all in one run: p50/p99,
// the overhead over the token, and requests per second. Target: p50
// overhead under 5 ms.
//
//	go test -run '^$' -bench SignDigest -benchtime 2000x ./agent
func BenchmarkSignDigest(b *testing.B) {
	hsm := softhsmtest.Require(b)
	mods := flow.LoadModules([]string{hsm.Module}, nil)
	defer mods.Close()
	keys := ModuleKeys{Modules: func() *flow.Modules { return mods }, Prompter: pinOnly{}}
	srv, err := Start(Config{Consent: &consent{decision: map[string]Decision{page: AllowAlways}}, Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	cert := hsm.Cert(softhsmtest.MainToken, "P-256 signing")
	d := sha256.Sum256([]byte("benchmark"))
	body, _ := json.Marshal(digestBody(certificateID(cert), d[:]))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	post := func() {
		req, _ := http.NewRequest("POST", srv.URL()+"/v1/sign/digest", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", page)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%d %v", resp.StatusCode, out)
		}
	}
	post() // warm up: connection, module, session

	// The token's own time: the same key, opened once, signing directly.
	ctx := context.Background()
	signer, err := flow.OpenSigner(ctx, mods, "pkcs11:token="+softhsmtest.MainToken+";object=P-256%20signing", pinOnly{})
	if err != nil {
		b.Fatal(err)
	}
	defer signer.Close()

	// The floor of any localhost agent: a bare JSON round trip on
	// loopback, same client, no work behind it.
	floor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"signature":"","algorithm":""}`))
	}))
	defer floor.Close()
	bare := func() {
		resp, err := client.Post(floor.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	bare()

	var viaAgent, direct, http0 []time.Duration
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		t0 := time.Now()
		post()
		viaAgent = append(viaAgent, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := signer.SignContext(ctx, d[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
		direct = append(direct, time.Since(t0))
		t0 = time.Now()
		bare()
		http0 = append(http0, time.Since(t0))
	}
	pct := func(xs []time.Duration, p float64) time.Duration {
		s := slices.Clone(xs)
		slices.Sort(s)
		return s[min(len(s)-1, int(p*float64(len(s))))]
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) }
	b.ReportMetric(us(pct(viaAgent, 0.50)), "p50-µs")
	b.ReportMetric(us(pct(viaAgent, 0.99)), "p99-µs")
	b.ReportMetric(us(pct(direct, 0.50)), "token-p50-µs")
	b.ReportMetric(us(pct(http0, 0.50)), "bare-http-p50-µs")
	b.ReportMetric(us(pct(viaAgent, 0.50)-pct(direct, 0.50)), "overhead-p50-µs")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
}

// pinOnly answers the test tokens' PIN.
type pinOnly struct{}

func (pinOnly) Secret(context.Context, prompt.Request) ([]byte, error) {
	return []byte(softhsmtest.PIN), nil
}
func (pinOnly) Pinpad(context.Context, prompt.Request) func() { return func() {} }
