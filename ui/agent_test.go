package ui

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/internal/bridge"
	"github.com/signet-sign/signet/internal/config"
)

// agentGet sends GET /v1/certificates to the app's agent from a page of
// origin, the request that raises the question about a site; the answer
// comes on the channel.
func (h *harness) agentGet(srv *agent.Server, origin string) chan *http.Response {
	out := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest("GET", srv.URL()+"/v1/certificates", nil)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			h.t.Error(err)
		}
		if resp != nil {
			resp.Body.Close()
		}
		out <- resp
	}()
	return out
}

// originQuestion waits for the question about origin.
func (h *harness) originQuestion(origin string) *originDialog {
	h.t.Helper()
	var od *originDialog
	h.waitFor("the question about "+origin, func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		od = h.app.originDlg
		return od != nil && od.origin == origin
	})
	return od
}

// armed waits until a question's buttons answer clicks.
func (h *harness) armed(od *originDialog) {
	h.t.Helper()
	h.waitFor("the buttons to be armed", func() bool { return !od.buttons[agent.AllowAlways].Disabled() })
}

// startedAgent waits for the agent the settings turn on (run in the
// test by testLink, where the product runs signet agent).
func (h *harness) startedAgent() *agent.Server {
	h.t.Helper()
	h.waitFor("the agent to start", func() bool { return h.app.agentConnected() || h.lastError() != nil })
	srv := h.link.server()
	if srv == nil {
		h.t.Fatalf("the agent did not start: %v", h.lastError())
	}
	return srv
}

// testLink runs the agent in the test process, wired to the window as
// signet agent wires it over its socket (bridge.Host): the window's
// questions are the agent's Consent and PIN prompter.
type testLink struct {
	mu  sync.Mutex
	srv *agent.Server
	app *App
}

func (l *testLink) server() *agent.Server {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.srv
}

func (l *testLink) Connected() bool { return l.server() != nil }

func (l *testLink) Connect(w bridge.Window) (string, error) {
	a := w.(agentWindow).a
	s := a.cfg.Settings
	srv, err := agent.Start(agent.Config{Consent: w, Keys: agent.ModuleKeys{Modules: a.modules, Prompter: w},
		Allowed: s.AgentOrigins, AllowedDigests: s.AgentDigestOrigins, Version: Version,
		// The agent keeps "always" in the settings file and tells the
		// window to read it again; here, the settings in memory.
		OnAllowAlways: func(p agent.Permission, origin string) {
			a.do(func() {
				list := &s.AgentOrigins
				if p == agent.PermissionDigests {
					list = &s.AgentDigestOrigins
				}
				if !slices.Contains(*list, origin) {
					*list = append(*list, origin)
				}
			})
		}})
	if err != nil {
		return "", err
	}
	l.mu.Lock()
	l.srv, l.app = srv, a
	l.mu.Unlock()
	return srv.URL(), nil
}

func (l *testLink) Stop() error {
	srv := l.server()
	l.mu.Lock()
	l.srv = nil
	l.mu.Unlock()
	if srv != nil {
		return srv.Close()
	}
	return nil
}

// Reload does what signet agent does when the window saved the
// settings: it takes the allow-lists from them.
func (l *testLink) Reload() error {
	if srv := l.server(); srv != nil {
		s := l.app.cfg.Settings
		srv.SetAllowed(agent.PermissionUse, s.AgentOrigins)
		srv.SetAllowed(agent.PermissionDigests, s.AgentDigestOrigins)
	}
	return nil
}

// TestDoubleClickAnswersOneQuestion (issue 26, 4): two pages ask 0.3 s
// apart; a double click (120 ms) on the first question's "Always allow"
// answers the first only. The second question's buttons do nothing until
// it has been in view for a moment, and then answer as clicked.
func TestDoubleClickAnswersOneQuestion(t *testing.T) {
	h := newHarness(t, &config.Config{Agent: true, AgentPort: -1}, nil)
	srv := h.startedAgent()
	const first, second = "https://first.example", "https://second.example"
	resFirst := h.agentGet(srv, first)
	od1 := h.originQuestion(first)
	if !od1.buttons[agent.AllowAlways].Disabled() || !od1.buttons[agent.Deny].Disabled() {
		t.Error("a question answers clicks the moment it appears")
	}
	h.off(func() { time.Sleep(300 * time.Millisecond) })
	resSecond := h.agentGet(srv, second)
	h.armed(od1)

	test.Tap(od1.buttons[agent.AllowAlways]) // the double click's first click
	clicked := time.Now()
	od2 := h.originQuestion(second)
	if wait := 120*time.Millisecond - time.Since(clicked); wait > 0 {
		h.off(func() { time.Sleep(wait) })
	}
	test.Tap(od2.buttons[agent.AllowAlways]) // …and its second
	h.off(func() { time.Sleep(200 * time.Millisecond) })
	h.app.mu.Lock()
	open := h.app.originDlg
	h.app.mu.Unlock()
	if open != od2 {
		t.Fatal("the second click answered the second page's question")
	}
	if resp := receive(h, "the first page's answer", resFirst); resp.StatusCode != 200 {
		t.Errorf("the first page: %d", resp.StatusCode)
	}

	// Once armed, the second question answers as the person clicks.
	h.armed(od2)
	test.Tap(od2.buttons[agent.Deny])
	if resp := receive(h, "the second page's answer", resSecond); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the second page: %d", resp.StatusCode)
	}
	if got := h.app.cfg.Settings.AgentOrigins; !slices.Equal(got, []string{first}) {
		t.Errorf("sites remembered: %v, want the first only", got)
	}
}

// TestDontAskAgainHoldsForTrailingDots (issue 26, 3): "Don't ask again
// about quiet.example", clicked in the app, holds for the same host with
// a trailing dot and for its subdomains, as Chromium sends them.
func TestDontAskAgainHoldsForTrailingDots(t *testing.T) {
	h := newHarness(t, &config.Config{Agent: true, AgentPort: -1}, nil)
	srv := h.startedAgent()
	res := h.agentGet(srv, "http://quiet.example:8765")
	od := h.originQuestion("http://quiet.example:8765")
	h.armed(od)
	test.Tap(od.buttons[agent.Silence])
	if resp := receive(h, "the answer", res); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("silenced page: %d", resp.StatusCode)
	}
	for _, origin := range []string{"http://quiet.example.:8765", "http://b.quiet.example.:8765", "http://Quiet.Example.:8765"} {
		res := h.agentGet(srv, origin)
		resp := receive(h, "the answer to "+origin, res)
		h.app.mu.Lock()
		asked := h.app.originDlg
		h.app.mu.Unlock()
		if resp.StatusCode != http.StatusForbidden || asked != nil {
			t.Errorf("%s: %d, question %v", origin, resp.StatusCode, asked)
		}
	}
}

// TestApprovalSaysAllThatIsSigned (issue 26, 5, 9, 10): the approval
// shows every character of the reason, location and visible text (no cut
// at 80), the page the signature really goes on, and a document's name
// as the page's claim beside what Signet read itself.
func TestApprovalSaysAllThatIsSigned(t *testing.T) {
	reason := "I have read the terms, and waive my right of withdrawal and accept the penalty of EUR 10000 " + strings.Repeat("ā", 380)
	name := agent.DisplayName("contract.pdf (checked by Signet: safe)\u3164\u2800")
	text := approvalText(agent.Request{Origin: "https://shop.example", Documents: []string{name}, Reason: reason,
		Location: "Rīga, Brīvības iela 1", Level: "B-B", Visible: &agent.Visible{Lines: []string{strings.Repeat("x", 300)}, Width: 595.3, Height: 841.9},
		PDFs: []agent.Document{{Name: name, Pages: 3, Size: 2048, SHA256: "ab", SignaturePage: 2}}})
	for _, want := range []string{"reason “" + reason + "”", "location “Rīga, Brīvības iela 1”", "text “" + strings.Repeat("x", 300) + "”",
		"the signature goes on page 2 of 3", "visible, 595×842 pt", "named by the page “contract.pdf (checked by Signet: safe)”", "read by Signet: 3 pages"} {
		if !strings.Contains(text, want) {
			t.Errorf("the approval lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "…") || strings.Contains(text, "page 0") || strings.Contains(text, "page -") {
		t.Errorf("the approval cuts text or shows a page number as sent:\n%s", text)
	}
}
