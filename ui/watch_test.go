package ui

import (
	"context"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpki"
)

// TestTokenWatch: with the app's watcher at its real interval, a token
// added shows within 2 s and a token removed goes within 2 s.
func TestTokenWatch(t *testing.T) {
	const token = "signet-ui-watched"
	h := newHarness(t, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.app.signer.watch(ctx, watchInterval)
	time.Sleep(watchInterval + 100*time.Millisecond) // the first look, before the change
	// SoftHSM2 does not see tokens another process makes until it is
	// loaded again; one made through this process's module shows at once,
	// as a card put in a reader does with a real module.
	h.off(func() {
		if err := h.env.InsertToken(token, softhsmtest.KeySpec{ID: []byte{1}, Label: "card", Alg: testpki.P256, Profile: testpki.Signing, CN: "Watched Holder"}); err != nil {
			t.Fatal(err)
		}
	})
	added := time.Now()
	h.waitFor("the new token listed", func() bool { return listed(h, token) })
	if d := time.Since(added); d > 2500*time.Millisecond {
		t.Errorf("the token showed after %v", d)
	}
	h.off(func() {
		if err := h.env.RemoveToken(token); err != nil {
			t.Fatal(err)
		}
	})
	removed := time.Now()
	h.waitFor("the token gone", func() bool { return !listed(h, token) })
	if d := time.Since(removed); d > 2500*time.Millisecond {
		t.Errorf("the token went after %v", d)
	}
}

// listed tells whether a certificate of token is in the signer list.
func listed(h *harness, token string) bool {
	for _, c := range h.app.signer.all() {
		if c.Token == token {
			return true
		}
	}
	return false
}
