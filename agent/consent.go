package agent

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// Consent that a page cannot farm: what the agent remembers of origins,
// one question at a time, and how often one registrable domain may ask.
// Every origin here is canonical (see [CanonicalOrigin]).

// Permission is what a page is asked to be allowed.
type Permission int

const (
	// PermissionUse: to see the person's certificates and to ask for
	// signatures of documents Signet shows and for logins.
	PermissionUse Permission = iota
	// PermissionDigests: to ask for signatures over bare digests, data
	// Signet cannot show. A digest can be the hash of any contract's
	// signed attributes, so this is asked separately, once, with that
	// warning, and no page has it until the person grants it.
	PermissionDigests
)

// originState is the person's answer about an origin.
type originState struct {
	allowed bool
	until   time.Time // zero: for the session (or, allowed, always)
}

// maxOpenPerDomain bounds the questions one registrable domain may have
// open or waiting at once: its subdomains are origins each, and a page
// could otherwise queue questions in front of every other site's.
const maxOpenPerDomain = 2

// decided returns the person's standing answer about origin, if any.
// s.mu is held.
func (s *Server) decided(p Permission, origin string) (originState, bool) {
	st, ok := s.perms[p][origin]
	if ok && !st.until.IsZero() && !s.now().Before(st.until) {
		return originState{}, false
	}
	return st, ok
}

// allowedNow reports whether origin has permission p without a question.
func (s *Server) allowedNow(p Permission, origin string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.decided(p, origin)
	return ok && st.allowed
}

// errNotAsked: the person was not asked (the page gave up, or asked too
// often); nothing is remembered.
var errNotAsked = errors.New("not asked")

// askKey names an open question: one per origin and permission.
type askKey struct {
	p      Permission
	origin string
}

// ask returns nil when origin has permission p, asking the person when
// they have not answered (once, even when several requests from it arrive
// together). A page that gives up while the question is open takes the
// question away, and no answer is recorded.
func (s *Server) ask(ctx context.Context, p Permission, origin string) error {
	domain := registrableDomain(origin)
	key := askKey{p, origin}
	for {
		s.mu.Lock()
		if st, known := s.decided(p, origin); known {
			s.mu.Unlock()
			if st.allowed {
				return nil
			}
			return refusal(p, origin)
		}
		if s.silenced[domain] {
			s.mu.Unlock()
			return fmt.Errorf("the person asked not to be asked again about %s", domain)
		}
		wait, busy := s.asking[key]
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
	// Limits per registrable domain: subdomains and ports are new origins
	// each, but one site. Open questions are capped for every question,
	// and each kind of question has its own rate.
	if s.open[domain] >= maxOpenPerDomain {
		s.mu.Unlock()
		return fmt.Errorf("%w: %s has %d questions open already; try again when they are answered", errNotAsked, domain, maxOpenPerDomain)
	}
	// The rate is counted per site and kind of question.
	now := s.now()
	rateKey := domain
	if p == PermissionDigests {
		rateKey += " (digests)"
	}
	s.pruneAsked(now)
	recent := slices.DeleteFunc(s.asked[rateKey], func(t time.Time) bool { return now.Sub(t) > questionWindow })
	if len(recent) >= maxQuestions {
		s.asked[rateKey] = recent
		s.mu.Unlock()
		return fmt.Errorf("%w: %s asked %d times within %v; try again later", errNotAsked, domain, len(recent), questionWindow)
	}
	s.asked[rateKey] = append(recent, now)
	s.open[domain]++
	done := make(chan struct{})
	s.asking[key] = done
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.asking, key)
		if s.open[domain]--; s.open[domain] <= 0 {
			delete(s.open, domain)
		}
		s.mu.Unlock()
		close(done)
	}()

	if err := s.questions.Acquire(ctx); err != nil {
		return fmt.Errorf("%w: the page gave up", errNotAsked)
	}
	u, _ := url.Parse(origin)
	// A page from this machine over http is not on any network path
	// (browsers count it a secure context): no warning about http.
	insecure := u.Scheme == "http" && !loopbackOrigin(origin)
	d, err := s.cfg.Consent.Origin(ctx, OriginQuestion{Origin: origin, Domain: domain, Insecure: insecure, Permission: p})
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
		s.perms[p][origin] = originState{allowed: true}
	case AllowOnce:
		s.perms[p][origin] = originState{allowed: true, until: s.now().Add(AllowOnceFor)}
	case Silence:
		if p == PermissionUse {
			s.silenced[domain] = true
		}
		s.perms[p][origin] = originState{}
	default:
		s.perms[p][origin] = originState{}
	}
	s.mu.Unlock()
	if d == AllowAlways && s.cfg.OnAllowAlways != nil {
		s.cfg.OnAllowAlways(p, origin)
	}
	if d == AllowOnce || d == AllowAlways {
		return nil
	}
	return refusal(p, origin)
}

// pruneAsked forgets question times past the window once many sites
// have asked, so that the record of who asked stays small. s.mu is held.
func (s *Server) pruneAsked(now time.Time) {
	if len(s.asked) < 256 {
		return
	}
	for k, times := range s.asked {
		if len(times) == 0 || now.Sub(times[len(times)-1]) > questionWindow {
			delete(s.asked, k)
		}
	}
}

// refusal is the error for an origin the person did not allow.
func refusal(p Permission, origin string) error {
	if p == PermissionDigests {
		return fmt.Errorf("the person did not allow %s to ask for signatures over data Signet cannot show", origin)
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
