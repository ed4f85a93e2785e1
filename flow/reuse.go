package flow

import (
	"bytes"
	"context"
	"sync"

	"github.com/signet-sign/signet/prompt"
)

// reusePrompter hands out the signature PIN given for the first signature
// of a batch again for the others. Only on the person's explicit request:
// it keeps the PIN in memory until the batch ends, which Signet otherwise
// never does.
type reusePrompter struct {
	prompt.Prompter
	mu  sync.Mutex
	pin []byte
}

// ReuseSignaturePIN wraps p for one batch: the signature PIN (asked before
// every signature by keys with CKA_ALWAYS_AUTHENTICATE) is asked once and
// reused. Call the returned function when the batch ends; it zeroes the
// kept PIN. Token PINs and passwords are asked as usual.
func ReuseSignaturePIN(p prompt.Prompter) (prompt.Prompter, func()) {
	r := &reusePrompter{Prompter: p}
	return r, r.forget
}

func (r *reusePrompter) Secret(ctx context.Context, req prompt.Request) ([]byte, error) {
	if req.Kind != prompt.SignaturePIN {
		return r.Prompter.Secret(ctx, req)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pin == nil {
		pin, err := r.Prompter.Secret(ctx, req)
		if err != nil {
			return nil, err
		}
		r.pin = bytes.Clone(pin)
		return pin, nil
	}
	// The caller zeroes what it gets: hand out a copy.
	return bytes.Clone(r.pin), nil
}

func (r *reusePrompter) forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.pin)
	r.pin = nil
}
