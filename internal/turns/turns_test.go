package turns

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestQueueOrderAndGivingUp(t *testing.T) {
	var q Queue
	if err := q.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	gaveUp, giveUp := context.WithCancel(context.Background())
	for i := range 5 {
		ctx := context.Background()
		if i == 2 {
			ctx = gaveUp
		}
		wg.Go(func() {
			if err := q.Acquire(ctx); err != nil {
				return // gave up: never gets a turn
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			q.Release()
		})
		for q.Waiting() != i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	giveUp()
	for q.Waiting() != 4 {
		time.Sleep(time.Millisecond)
	}
	q.Release()
	wg.Wait()
	if want := []int{0, 1, 3, 4}; !slices.Equal(order, want) {
		t.Errorf("turns in the order %v, want %v", order, want)
	}
	// Free again.
	if err := q.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	q.Release()
}
