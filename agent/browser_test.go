package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpdf"
)

// trickDoc is the PDF the tricks page signs.
var trickDoc = func() []byte {
	var b bytes.Buffer
	if err := testpdf.Write(&b, testpdf.Options{Pages: 2}); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

// chromium finds Debian's Chromium; under CI=true its absence fails the
// test (pdfcheck.Require, the rule for every outside tool).
func chromium(t *testing.T) string {
	t.Helper()
	pdfcheck.Require(t, "chromium")
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// examplePage serves the example page and the client from one origin and
// receives the page's report.
func examplePage(t *testing.T) (*httptest.Server, chan map[string]any) {
	t.Helper()
	reports := make(chan map[string]any, 1)
	mux := http.NewServeMux()
	assets := filepath.Join("..", "assets")
	mux.HandleFunc("GET /agent-example.html", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(assets, "agent-example.html"))
	})
	mux.HandleFunc("GET /signet-agent.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(assets, "signet-agent.js"))
	})
	mux.HandleFunc("GET /tricks.html", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("testdata", "tricks.html"))
	})
	mux.HandleFunc("GET /doc.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(trickDoc)
	})
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		_ = json.NewDecoder(r.Body).Decode(&v)
		select {
		case reports <- v:
		default:
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, reports
}

// runPage opens the page in headless Chromium and waits for its report.
func runPage(t *testing.T, browser, url string, reports chan map[string]any) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Chromium's helper processes write to the profile after the main one
	// is gone: its own directory, removed best-effort.
	profile, err := os.MkdirTemp("", "signet-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(profile) })
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+profile, url)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the whole group
		_ = cmd.Wait()
	}()
	select {
	case r := <-reports:
		return r
	case <-ctx.Done():
		t.Fatal("the page reported nothing in 60 s")
	}
	return nil
}

func TestBrowser(t *testing.T) {
	browser := chromium(t)
	e := newEnv(t, nil)
	e.srv.cfg.LoopbackHTTPLogin = true // the example page is served over http from 127.0.0.1

	t.Run("ok an allowed page signs a digest and verifies it", func(t *testing.T) {
		page, reports := examplePage(t)
		e.consent.decide(page.URL, AllowOnce)
		r := runPage(t, browser, fmt.Sprintf("%s/agent-example.html?agent=%s&auto=/report", page.URL, e.srv.URL()), reports)
		if r["verified"] != true {
			t.Fatalf("page reported %v", r)
		}
		// The page also logged in: its Web eID token verifies for its own
		// origin and the nonce it sent, as its server would check it.
		token, _ := r["token"].(map[string]any)
		nonce, _ := r["nonce"].(string)
		if _, err := verifyWebEIDToken(token, page.URL, nonce); err != nil {
			t.Errorf("the page's login token: %v (%v)", err, r)
		}
		e.consent.mu.Lock()
		defer e.consent.mu.Unlock()
		n := len(e.consent.approved)
		if n < 2 {
			t.Fatalf("approved %d requests", n)
		}
		if digest, login := e.consent.approved[n-2], e.consent.approved[n-1]; digest.Origin != page.URL || len(digest.Digests) != 1 || !login.Login || login.Origin != page.URL {
			t.Errorf("the person approved %+v, then %+v", digest, login)
		}
	})
	t.Run("ok a page's tricks are shown for what they are", func(t *testing.T) {
		page, reports := examplePage(t)
		e.consent.decide(page.URL, AllowOnce)
		r := runPage(t, browser, fmt.Sprintf("%s/tricks.html?agent=%s", page.URL, e.srv.URL()), reports)
		if r["signed"] != true {
			t.Fatalf("page reported %v", r)
		}
		e.consent.mu.Lock()
		last := e.consent.approved[len(e.consent.approved)-1]
		e.consent.mu.Unlock()
		sum := sha256.Sum256(trickDoc)
		if want := "invoice.pdf • (content verified by Signet ✔)fdp.exe"; len(last.Documents) != 1 || last.Documents[0] != want {
			t.Errorf("name shown %q, want %q", last.Documents, want)
		}
		if len(last.PDFs) != 1 || last.PDFs[0].Pages != 2 || last.PDFs[0].SHA256 != hex.EncodeToString(sum[:]) || last.PDFs[0].Size != int64(len(trickDoc)) {
			t.Errorf("documents shown %+v", last.PDFs)
		}
		if last.Reason != "I agree to transfer 1,000,000 EUR" || last.Location != "Rīga" || last.Level != "B-B" {
			t.Errorf("reason %q, location %q, level %q", last.Reason, last.Location, last.Level)
		}
		if v := last.Visible; v == nil || last.PDFs[0].SignaturePage != 2 || len(v.Lines) != 1 || v.Lines[0] != "APPROVED: pay 1,000,000 EUR" {
			t.Errorf("visible signature shown %+v", v)
		}
	})
	t.Run("fail a page from an origin the person denies", func(t *testing.T) {
		page, reports := examplePage(t) // another port: another origin
		e.consent.mu.Lock()
		before := len(e.consent.approved)
		e.consent.mu.Unlock()
		r := runPage(t, browser, fmt.Sprintf("%s/agent-example.html?agent=%s&auto=/report", page.URL, e.srv.URL()), reports)
		if r["verified"] == true || r["error"] == nil {
			t.Fatalf("page reported %v", r)
		}
		e.consent.mu.Lock()
		defer e.consent.mu.Unlock()
		if len(e.consent.approved) != before {
			t.Error("a signing from a denied origin reached the person")
		}
		if e.consent.asked[len(e.consent.asked)-1] != page.URL {
			t.Errorf("the person was not asked about %s", page.URL)
		}
	})
}
