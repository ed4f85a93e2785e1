// Package turns gives one caller at a time its turn, in the order they
// came: the person is asked one question at a time (the agent's origin
// questions and approvals, the app's PIN and code dialogs), never two
// dialogs hiding each other.
package turns

import (
	"context"
	"slices"
	"sync"
)

// Queue is a first-come, first-served lock whose waiters can give up.
// The zero value is free.
type Queue struct {
	mu      sync.Mutex
	busy    bool
	waiting []chan struct{}
}

// Acquire waits for the turn; a ctx that ends first leaves the queue and
// returns its error.
func (q *Queue) Acquire(ctx context.Context) error {
	q.mu.Lock()
	if !q.busy {
		q.busy = true
		q.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	q.waiting = append(q.waiting, turn)
	q.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
		q.mu.Lock()
		if i := slices.Index(q.waiting, turn); i >= 0 {
			q.waiting = slices.Delete(q.waiting, i, i+1)
			q.mu.Unlock()
			return ctx.Err()
		}
		q.mu.Unlock()
		q.Release() // the turn came just now: pass it on
		return ctx.Err()
	}
}

// Release hands the turn to the next in line.
func (q *Queue) Release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting) == 0 {
		q.busy = false
		return
	}
	next := q.waiting[0]
	q.waiting = q.waiting[1:]
	close(next)
}

// Waiting is how many wait for their turn.
func (q *Queue) Waiting() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}
