package agent

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Consent that a page cannot farm: what the agent remembers of origins,
// one question at a time, and how often one registrable domain may ask.

// originState is the person's answer about an origin.
type originState struct {
	allowed bool
	until   time.Time // zero: for the session (or, allowed, always)
}

// allowedNow reports whether origin may use the agent without a question.
func (s *Server) allowedNow(origin string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.origins[origin]
	return ok && st.allowed && (st.until.IsZero() || s.now().Before(st.until))
}

// registrableDomain is the domain a person would name (example.com for
// a.b.example.com); the host itself for IP addresses and localhost.
func registrableDomain(origin string) string {
	u, err := url.Parse(origin)
	if err != nil {
		return origin
	}
	host := u.Hostname()
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// errNotAsked: the person was not asked (the page gave up, or asked too
// often); nothing is remembered.
var errNotAsked = errors.New("not asked")

// askOrigin returns nil when origin may use the agent, asking the person
// when they have not answered (once, even when several requests from it
// arrive together). A page that gives up while the question is open takes
// the question away, and no answer is recorded.
func (s *Server) askOrigin(ctx context.Context, origin string) error {
	domain := registrableDomain(origin)
	for {
		s.mu.Lock()
		st, known := s.origins[origin]
		if known && (st.until.IsZero() || s.now().Before(st.until)) {
			s.mu.Unlock()
			if st.allowed {
				return nil
			}
			return fmt.Errorf("the person did not allow %s to use Signet", origin)
		}
		if s.silenced[domain] {
			s.mu.Unlock()
			return fmt.Errorf("the person asked not to be asked again about %s", domain)
		}
		wait, busy := s.asking[origin]
		if !busy {
			break // this request asks; s.mu still held
		}
		s.mu.Unlock()
		select {
		case <-wait:
			continue // answered (or given up): look again
		case <-ctx.Done():
			return fmt.Errorf("%w: the page gave up", errNotAsked)
		}
	}
	// Rate limit per registrable domain: subdomains and ports are new
	// origins each, but one site.
	now := s.now()
	recent := slices.DeleteFunc(s.asked[domain], func(t time.Time) bool { return now.Sub(t) > questionWindow })
	if len(recent) >= maxQuestions {
		s.asked[domain] = recent
		s.mu.Unlock()
		return fmt.Errorf("%w: %s asked %d times within %v; try again later", errNotAsked, domain, len(recent), questionWindow)
	}
	s.asked[domain] = append(recent, now)
	done := make(chan struct{})
	s.asking[origin] = done
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.asking, origin)
		s.mu.Unlock()
		close(done)
	}()

	if err := s.questions.Acquire(ctx); err != nil {
		return fmt.Errorf("%w: the page gave up", errNotAsked)
	}
	u, _ := url.Parse(origin)
	d, err := s.cfg.Consent.Origin(ctx, OriginQuestion{Origin: origin, Domain: domain, Insecure: u.Scheme == "http"})
	s.questions.Release()
	if ctx.Err() != nil {
		return fmt.Errorf("%w: the page gave up", errNotAsked)
	}
	if err != nil {
		d = Deny
	}
	s.mu.Lock()
	switch d {
	case AllowAlways:
		s.origins[origin] = originState{allowed: true}
	case AllowOnce:
		s.origins[origin] = originState{allowed: true, until: s.now().Add(AllowOnceFor)}
	case Silence:
		s.silenced[domain] = true
		s.origins[origin] = originState{}
	default:
		s.origins[origin] = originState{}
	}
	s.mu.Unlock()
	if d == AllowAlways && s.cfg.OnAllowAlways != nil {
		s.cfg.OnAllowAlways(origin)
	}
	if d == AllowOnce || d == AllowAlways {
		return nil
	}
	return fmt.Errorf("the person did not allow %s to use Signet", origin)
}

// approve asks the person to approve a signing, in the question queue.
func (s *Server) approve(ctx context.Context, r Request) error {
	if err := s.questions.Acquire(ctx); err != nil {
		return err
	}
	defer s.questions.Release()
	return s.cfg.Consent.Approve(ctx, r)
}
