package ui

import (
	"context"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/testcard"
)

// TestCardInserted: with the app open and its watcher at its real
// interval, an eID card put into the reader (the virtual card behind
// pcscd and OpenSC) is listed within 2 s, its signing key chosen first;
// pulled out, it goes.
func TestCardInserted(t *testing.T) {
	s := testcard.Require(t)
	s.Remove()
	t.Cleanup(func() { s.Insert() })
	h := newHarnessWith(t, nil, nil, testcard.Module)
	if listed(h, testcard.TokenLabel) {
		t.Fatal("the card is listed before it is inserted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.app.signer.watch(ctx, watchInterval)
	time.Sleep(watchInterval + 100*time.Millisecond) // the first look, before the card
	start := time.Now()
	h.off(func() {
		if err := s.Insert(); err != nil {
			t.Fatal(err)
		}
	})
	h.waitFor("the card listed", func() bool { return listed(h, testcard.TokenLabel) })
	took := time.Since(start)
	t.Logf("card listed %v after it was put in", took.Round(time.Millisecond))
	if took > 2*time.Second {
		t.Errorf("the card showed after %v, want at most 2 s", took)
	}
	for _, c := range h.app.signer.all() {
		if c.Token == testcard.TokenLabel && c.Label != testcard.KeyLabel {
			t.Errorf("the card shows %q, want its key %q", c.Label, testcard.KeyLabel)
		}
	}

	h.off(s.Remove)
	start = time.Now()
	h.waitFor("the card gone", func() bool { return !listed(h, testcard.TokenLabel) })
	t.Logf("card gone %v after it was pulled out", time.Since(start).Round(time.Millisecond))
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the card went after %v, want at most 2 s", took)
	}
}
