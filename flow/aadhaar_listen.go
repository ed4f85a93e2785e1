package flow

import (
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/aadhaar"
)

// AadhaarListener receives the service's webhook notifications
// (notifications.mdx). It answers 200 at once, and never acts on a
// notification by itself — they are unsigned, and may come twice or out
// of order: each one only says which request to look at, which is
// fetched again from the service; a complete request is downloaded,
// proven and written once.
type AadhaarListener struct {
	Client *aadhaar.Client
	// Output names the file a complete request is written to.
	Output func(r *aadhaar.Request) string
	Opts   AadhaarOptions
	// Status hears each request as fetched; Done each download's result
	// (err nil: written to out). Either may be nil.
	Status func(r *aadhaar.Request)
	Done   func(r *aadhaar.Request, out string, rep *pdf.Report, err error)

	once    sync.Once
	queue   chan string
	mu      sync.Mutex
	pending map[string]bool // queued, not yet looked at
	done    map[string]bool // downloaded (or refused): not again
}

func (l *AadhaarListener) init() {
	l.once.Do(func() {
		l.queue = make(chan string, 256)
		l.pending, l.done = map[string]bool{}, map[string]bool{}
	})
}

// ServeHTTP takes a notification: 200 when it names a request (queued
// unless already queued or done), 400 when it is not one.
func (l *AadhaarListener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.init()
	if r.Method != http.MethodPost {
		http.Error(w, "POST notifications here", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	if err != nil {
		return
	}
	n, err := aadhaar.ParseNotification(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	id := n.Data.Esign.ID
	l.mu.Lock()
	skip := l.pending[id] || l.done[id]
	if !skip {
		l.pending[id] = true
	}
	l.mu.Unlock()
	if skip {
		return
	}
	select {
	case l.queue <- id:
	default:
		// Full: the service sends again when unanswered, but this one
		// was answered; drop the mark so the next one is taken.
		l.mu.Lock()
		delete(l.pending, id)
		l.mu.Unlock()
	}
}

// Run looks at the queued requests until ctx ends.
func (l *AadhaarListener) Run(ctx context.Context) {
	l.init()
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-l.queue:
			l.look(ctx, id)
		}
	}
}

func (l *AadhaarListener) look(ctx context.Context, id string) {
	l.mu.Lock()
	delete(l.pending, id)
	l.mu.Unlock()
	r, err := l.Client.GetRequest(ctx, id)
	if err != nil {
		if l.Done != nil {
			l.Done(&aadhaar.Request{ID: id}, "", nil, err)
		}
		return
	}
	if l.Status != nil {
		l.Status(r)
	}
	if r.Status != aadhaar.StatusComplete {
		return
	}
	l.mu.Lock()
	if l.done[id] {
		l.mu.Unlock()
		return
	}
	l.done[id] = true
	l.mu.Unlock()
	out := l.Output(r)
	rep, err := FetchAadhaar(ctx, l.Client, r, nil, out, l.Opts)
	if l.Done != nil {
		l.Done(r, out, rep, err)
	}
}
