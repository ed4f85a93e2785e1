package agent

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// get sends GET path from origin with ctx, and returns the status.
func (e *env) get(ctx context.Context, path, origin string) int {
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL()+path, nil)
	req.Header.Set("Origin", origin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0 // the client gave up
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (c *consent) askedList() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.asked)
}

// TestQuestionsOneAtATime: six pages ask at once; the person sees one
// question, then the next, in the order they came.
func TestQuestionsOneAtATime(t *testing.T) {
	e := newEnv(t, nil)
	var origins []string
	for i := range 6 {
		origins = append(origins, fmt.Sprintf("https://site%d.example", i+1))
	}
	e.consent.mu.Lock()
	e.consent.holdOrigin = make(chan struct{})
	for _, o := range origins {
		e.consent.decision[o] = AllowOnce
	}
	e.consent.mu.Unlock()
	var wg sync.WaitGroup
	codes := make([]int, len(origins))
	for i, o := range origins {
		wg.Go(func() { codes[i] = e.get(context.Background(), "/v1/certificates", o) })
		// The next one arrives once this one is asked or waiting.
		waitUntil(t, func() bool { return len(e.consent.askedList())+e.srv.questions.Waiting() == i+1 })
	}
	for i := range origins {
		if got := e.consent.askedList(); len(got) != i+1 {
			t.Fatalf("%d questions asked while %d were answered, want one at a time: %v", len(got), i, got)
		}
		e.consent.holdOrigin <- struct{}{} // answer the visible one
		if i+1 < len(origins) {
			waitUntil(t, func() bool { return len(e.consent.askedList()) == i+2 })
		}
	}
	wg.Wait()
	if got := e.consent.askedList(); !slices.Equal(got, origins) {
		t.Errorf("asked in the order %v, want %v", got, origins)
	}
	for i, c := range codes {
		if c != 200 {
			t.Errorf("%s: %d", origins[i], c)
		}
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("timed out")
}

// TestConsentCannotBeFarmed: what raises a question, what does not, and
// what a page that gives up leaves behind.
func TestConsentCannotBeFarmed(t *testing.T) {
	e := newEnv(t, nil)
	const site = "https://new.example"
	e.consent.mu.Lock()
	e.consent.decision[site] = AllowOnce
	e.consent.mu.Unlock()

	t.Run("ok info, preflights and unknown paths ask nothing", func(t *testing.T) {
		e.get(context.Background(), "/v1/info", site)
		e.get(context.Background(), "/v1/nothing", site)
		resp, _ := e.call("OPTIONS", "/v1/sign/digest", site, nil, func(r *http.Request) {
			r.Header.Set("Access-Control-Request-Method", "POST")
		})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("preflight of an unknown origin: %d", resp.StatusCode)
		}
		if got := e.consent.askedList(); len(got) != 0 {
			t.Errorf("asked %v", got)
		}
	})
	t.Run("ok a page that gives up is asked again, no answer recorded", func(t *testing.T) {
		e.consent.mu.Lock()
		e.consent.holdOrigin = make(chan struct{})
		e.consent.mu.Unlock()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int)
		go func() { done <- e.get(ctx, "/v1/certificates", site) }()
		waitUntil(t, func() bool { return len(e.consent.askedList()) == 1 })
		cancel()
		<-done
		waitUntil(t, func() bool {
			e.srv.mu.Lock()
			defer e.srv.mu.Unlock()
			return len(e.srv.asking) == 0
		})
		if e.srv.allowedNow(PermissionUse, site) {
			t.Fatal("allowed without an answer")
		}
		e.srv.mu.Lock()
		_, recorded := e.srv.perms[PermissionUse][site]
		e.srv.mu.Unlock()
		if recorded {
			t.Fatal("an answer the person never gave was recorded")
		}
		e.consent.mu.Lock()
		e.consent.holdOrigin = nil
		e.consent.mu.Unlock()
		if code := e.get(context.Background(), "/v1/certificates", site); code != 200 || len(e.consent.askedList()) != 2 {
			t.Errorf("asked again: %d, questions %v", code, e.consent.askedList())
		}
	})
	t.Run("ok allow once lasts for the visit", func(t *testing.T) {
		start := time.Now()
		e.srv.mu.Lock()
		e.srv.now = func() time.Time { return start.Add(AllowOnceFor + time.Minute) }
		e.srv.mu.Unlock()
		defer func() {
			e.srv.mu.Lock()
			e.srv.now = time.Now
			e.srv.mu.Unlock()
		}()
		before := len(e.consent.askedList())
		e.get(context.Background(), "/v1/certificates", site)
		if n := len(e.consent.askedList()) - before; n != 1 {
			t.Errorf("asked %d times after the visit, want 1", n)
		}
	})
	t.Run("fail a domain asks at most three times, then not at all", func(t *testing.T) {
		before := len(e.consent.askedList())
		for i := range 5 {
			if code := e.get(context.Background(), "/v1/certificates", fmt.Sprintf("https://sub%d.evil.example", i+1)); code != http.StatusForbidden {
				t.Errorf("sub%d: %d", i+1, code)
			}
		}
		if n := len(e.consent.askedList()) - before; n != maxQuestions {
			t.Errorf("asked %d times, want %d", n, maxQuestions)
		}
	})
	t.Run("ok silence", func(t *testing.T) {
		e.consent.mu.Lock()
		e.consent.decision["https://a.quiet.example"] = Silence
		e.consent.mu.Unlock()
		before := len(e.consent.askedList())
		e.get(context.Background(), "/v1/certificates", "https://a.quiet.example")
		e.get(context.Background(), "/v1/certificates", "https://b.quiet.example:8443")
		if n := len(e.consent.askedList()) - before; n != 1 {
			t.Errorf("asked %d times, want 1", n)
		}
	})
	t.Run("ok http origins are flagged", func(t *testing.T) {
		e.get(context.Background(), "/v1/certificates", "http://plain.example")
		e.consent.mu.Lock()
		last := e.consent.questions[len(e.consent.questions)-1]
		e.consent.mu.Unlock()
		if !last.Insecure || last.Domain != "plain.example" {
			t.Errorf("question %+v", last)
		}
	})
	// issue 31, 15: a page served from this machine is not on a network
	// path; http is not flagged there.
	t.Run("ok http from localhost is not flagged", func(t *testing.T) {
		e.get(context.Background(), "/v1/certificates", "http://localhost:8000")
		e.consent.mu.Lock()
		last := e.consent.questions[len(e.consent.questions)-1]
		e.consent.mu.Unlock()
		if last.Origin != "http://localhost:8000" || last.Insecure {
			t.Errorf("question %+v", last)
		}
	})
}

func TestDisplayName(t *testing.T) {
	long := strings.Repeat("ā", 100)
	for _, tc := range []struct{ name, in, want string }{
		{"ok plain", "līgums.pdf", "līgums.pdf"},
		{"ok a newline faking a line of the dialog", "invoice.pdf\n• (content verified by Signet ✔)", "invoice.pdf • (content verified by Signet ✔)"},
		{"ok right-to-left override", "invoice\u202efdp.exe", "invoicefdp.exe"},
		{"ok isolates and zero-width", "a\u2066b\u2069c\u200bd\ufeff", "abcd"},
		{"ok controls", "a\x00b\x1bc\x7f", "abc"},
		{"ok spaces folded and trimmed", "  a \t\r\n  b  ", "a b"},
		{"ok long names cut", long, strings.Repeat("ā", 80) + "…"},
		{"ok empty", "\n\u202e", ""},
		// Issue 26 (10): blank lookalikes made a name look empty or
		// padded, overlays struck it through.
		{"ok Hangul fillers", "a\u3164\u115f\u1160\uffa0b", "ab"},
		{"ok braille blank", "\u2800\u2800pay.pdf\u2800", "pay.pdf"},
		{"ok combining overlay", "s\u0336i\u0336g\u0336n", "sign"},
		{"ok marks with no letter", "\u0301\u0300 x \u0302", "x"},
		{"ok Vietnamese keeps its marks", "Nguyễn Văn Đức", "Nguyễn Văn Đức"},
		{"ok decomposed marks kept, stacks cut", "e\u0301\u0302" + strings.Repeat("\u0303", 20), "e\u0301\u0302\u0303\u0303"},
		{"ok Hindi", "अनुबंध.pdf", "अनुबंध.pdf"},
		{"ok only blanks", "\u3164\u2800\u200b", ""},
		{"ok variation selectors and tags", "a\ufe0f\U000E0041b", "ab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DisplayName(tc.in); got != tc.want {
				t.Errorf("DisplayName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
