// Package prompttest provides a [prompt.Prompter] test double that answers
// from a script and records every question, so tests can assert what a
// person would have been asked, and how often.
package prompttest

import (
	"context"
	"fmt"
	"sync"

	"github.com/signet-sign/signet/prompt"
)

// Prompter answers secrets with Answer and records the requests.
type Prompter struct {
	// Answer returns the secret for a request. Nil answers every request
	// with PIN.
	Answer func(req prompt.Request) ([]byte, error)
	// PIN is the default answer.
	PIN string

	mu       sync.Mutex
	requests []prompt.Request
	pinpads  []prompt.Request
	given    [][]byte
}

// WithPIN answers every request with pin.
func WithPIN(pin string) *Prompter { return &Prompter{PIN: pin} }

// ByKind answers each kind of secret from the map; a kind not in it is
// declined with [prompt.ErrCancelled].
func ByKind(answers map[prompt.Kind]string) *Prompter {
	return &Prompter{Answer: func(req prompt.Request) ([]byte, error) {
		a, ok := answers[req.Kind]
		if !ok {
			return nil, fmt.Errorf("prompttest: %v declined: %w", req.Kind, prompt.ErrCancelled)
		}
		return []byte(a), nil
	}}
}

// Secret records req and answers it.
func (p *Prompter) Secret(ctx context.Context, req prompt.Request) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, req)
	var secret []byte
	if p.Answer != nil {
		var err error
		if secret, err = p.Answer(req); err != nil {
			return nil, err
		}
	} else {
		secret = []byte(p.PIN)
	}
	p.given = append(p.given, secret)
	return secret, nil
}

// Pinpad records a pinpad notice.
func (p *Prompter) Pinpad(_ context.Context, req prompt.Request) func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pinpads = append(p.pinpads, req)
	return func() {}
}

// Requests returns the secret requests so far, in order.
func (p *Prompter) Requests() []prompt.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]prompt.Request(nil), p.requests...)
}

// Kinds returns the kinds of the secret requests so far, in order.
func (p *Prompter) Kinds() []prompt.Kind {
	var kinds []prompt.Kind
	for _, r := range p.Requests() {
		kinds = append(kinds, r.Kind)
	}
	return kinds
}

// Reset forgets the requests so far.
func (p *Prompter) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests, p.pinpads, p.given = nil, nil, nil
}

// AllZeroed reports whether every secret handed out has been zeroed by the
// code under test since, as Signet promises for PINs.
func (p *Prompter) AllZeroed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.given {
		for _, b := range s {
			if b != 0 {
				return false
			}
		}
	}
	return true
}
