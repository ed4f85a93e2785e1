// Package agent is Signet's localhost API: web apps on the person's own
// machine ask it to sign a digest or a PDF, the person approves each
// request in Signet's window and types the PIN there, never in the page.
//
// Unlike agents that answer "Access-Control-Allow-Origin: *" to any page,
// this one serves 127.0.0.1 only, checks the Host header (DNS rebinding),
// answers CORS only for origins the person allowed, and asks the person
// before every signature. The API is described in openapi.yaml.
package agent

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/internal/turns"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// DefaultPort is where the agent listens unless configured otherwise.
const DefaultPort = 27413

// Decision is the person's answer about an origin.
type Decision int

const (
	// Deny refuses the origin until the agent restarts.
	Deny Decision = iota
	// AllowOnce allows the origin for this visit: AllowOnceFor after the
	// question (a page load cannot be seen from here; a visit's requests
	// come within minutes), then it is asked again.
	AllowOnce
	// AllowAlways allows it and keeps it on the allow-list.
	AllowAlways
	// Silence denies it and asks nothing more from its registrable
	// domain (example.com for a.example.com) until the agent restarts.
	Silence
)

// AllowOnceFor is how long "Allow once" lasts.
const AllowOnceFor = 10 * time.Minute

// Questions about origins are rate-limited per registrable domain: at
// most maxQuestions in questionWindow; past that the origin is refused
// without a question (and not remembered).
const (
	maxQuestions   = 3
	questionWindow = 10 * time.Minute
)

// OriginQuestion is what the person is asked about a web page.
type OriginQuestion struct {
	Origin string
	// Domain is the registrable domain (example.com), what Silence
	// silences.
	Domain string
	// Insecure: an http:// origin not on this machine, whose page anyone
	// on the network path could have changed.
	Insecure bool
	// Permission is what the page asks for: to use Signet at all, or, a
	// page allowed already, to ask for signatures over bare digests.
	Permission Permission
}

// Request is a signing request as the person is asked to approve it.
type Request struct {
	Origin string
	// Certificate is the key's certificate (its issuer and validity tell
	// a person's keys apart), Purpose what it is for, Token where the key
	// is (a token's label).
	Certificate *x509.Certificate
	Purpose     keys.Purpose
	Token       string
	// Documents names the PDFs to sign (their names made safe to show,
	// see [DisplayName]); empty for digests. PDFs says what each is; the
	// rest, how the signature will look and what it will say.
	Documents []string
	PDFs      []Document
	Reason    string
	Location  string
	Level     string // "B-B" or "B-T"
	// Visible is nil for an invisible signature.
	Visible *Visible
	// Login: the page asks the person to log in with an authentication
	// key (POST /v1/authenticate), not to sign. The signature binds the
	// login to Origin (Web eID's authentication token); nothing else of
	// it means anything to a person.
	Login bool
	// Digests are the bare digests to sign (their content cannot be
	// shown), Hashes the algorithm of each ("SHA-256"): a batch may mix
	// them, and each is shown as what it is.
	Digests [][]byte
	Hashes  []string
}

// Document is a PDF as the person sees it before approving.
type Document struct {
	// Name is what the page calls it (made safe to show): the page's
	// claim, not something Signet checked.
	Name   string
	Pages  int
	Size   int64
	SHA256 string // hex
	// SignaturePage is the page a visible signature goes on, 1-based, as
	// the request's page number resolves in this document; 0 for an
	// invisible signature.
	SignaturePage int
	// Data is the document itself, for a preview of its pages.
	Data []byte
	// Preview, for a visible signature, is the document as it will look
	// once signed (the signature drawn on its page, the signature value
	// not made yet): what the preview shows, since the page's rectangle
	// and image could cover what the person reads in Data.
	Preview []byte
}

// Visible is a visible signature as it will be drawn (its page is each
// document's SignaturePage).
type Visible struct {
	// Width and Height are its rectangle's, in points: a box over half a
	// page draws over what is signed.
	Width, Height float64
	// Lines are the text, cleaned as it will be drawn ([CleanText]);
	// empty means Signet's own (signer, date, reason, location).
	Lines []string
	Image bool
}

// Consent is how the agent asks the person; the app implements it with
// dialogs, tests with a double.
type Consent interface {
	// Origin asks whether a web page may use the agent. Questions (and
	// approvals) come one at a time; ctx ends when the page gives up, and
	// then the question must go away, unanswered.
	Origin(ctx context.Context, q OriginQuestion) (Decision, error)
	// Approve asks the person to approve a signing; an error declines.
	Approve(ctx context.Context, r Request) error
}

// Keys are the certificates the agent offers and how to open their keys.
type Keys interface {
	Choices() ([]flow.KeyChoice, error)
	Open(ctx context.Context, c flow.KeyChoice) (keys.Signer, error)
}

// Config configures a Server.
type Config struct {
	// Port on 127.0.0.1; 0 picks a free one (tests).
	Port    int
	Consent Consent
	Keys    Keys
	// Allowed are the origins on the person's allow-list, AllowedDigests
	// those also allowed to ask for signatures over bare digests
	// ([PermissionDigests]); OnAllowAlways is told when one is added to
	// either.
	Allowed        []string
	AllowedDigests []string
	OnAllowAlways  func(p Permission, origin string)
	// Timestamper makes PDF signatures B-T when a request asks for it.
	Timestamper pdf.Timestamper
	// Chain completes the certificate chain PDF signatures carry, as the
	// app's and the CLI's do (flow.CompleteChain); with Chain.Require an
	// incomplete one is refused (incomplete_chain, 502) before any PIN.
	Chain flow.ChainOptions
	// MaxPDF is the largest PDF accepted, in bytes (default 50 MB).
	MaxPDF int64
	// MaxInFlight bounds the request bodies held at once, in bytes, across
	// all requests; a request past it is refused (503, busy). Default: one
	// request of the largest PDF, plus 1 MB for small requests beside it.
	MaxInFlight int64
	// LoopbackHTTPLogin lets pages served over plain http from this
	// machine (localhost, 127.0.0.0/8, [::1]) log in. Web eID's token
	// format binds logins to https origins, and so does Signet unless this
	// is set (tests, and a site developed on this machine without a local
	// certificate).
	LoopbackHTTPLogin bool
	// Activity, when set, is told +1 when a request comes and -1 when it
	// has been answered: the window process, started for a page's
	// question, stays while any request is under way (the approval, then
	// the PIN, then the next page's question) and no longer.
	Activity func(delta int)
	// Version is reported by /v1/info.
	Version string
	Log     *log.Logger
}

// Server is a running agent.
type Server struct {
	cfg  Config
	ln   net.Listener
	ln6  net.Listener // [::1], nil without IPv6
	http *http.Server
	port int

	mu       sync.Mutex
	perms    map[Permission]map[string]originState // canonical origins
	asking   map[askKey]chan struct{}
	silenced map[string]bool          // registrable domains
	asked    map[string][]time.Time   // questions per registrable domain
	open     map[string]int           // questions open per registrable domain
	locks    map[string]chan struct{} // one signing at a time per token

	// inflight bounds the bytes of request bodies held at once.
	inflight *semaphore.Weighted

	// questions: one question to the person at a time, in arrival order.
	questions turns.Queue
	now       func() time.Time

	// The certificates listed last, kept briefly: listing a token's
	// objects costs more than signing with it.
	choicesMu   sync.Mutex
	choices     []flow.KeyChoice
	choicesTime time.Time
}

// choicesTTL is how long a listing of the tokens is reused.
const choicesTTL = 2 * time.Second

// forgetChoices drops the kept listing (a token went away).
func (s *Server) forgetChoices() {
	s.choicesMu.Lock()
	s.choices = nil
	s.choicesMu.Unlock()
}

// listChoices lists the certificates, or reuses a listing younger than
// choicesTTL; fresh forces a new one.
func (s *Server) listChoices(fresh bool) ([]flow.KeyChoice, error) {
	s.choicesMu.Lock()
	defer s.choicesMu.Unlock()
	if !fresh && s.choices != nil && time.Since(s.choicesTime) < choicesTTL {
		return s.choices, nil
	}
	c, err := s.cfg.Keys.Choices()
	if err != nil {
		s.choices = nil
		return nil, err
	}
	s.choices, s.choicesTime = c, time.Now()
	return c, nil
}

// Start listens on 127.0.0.1 and serves until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.Consent == nil || cfg.Keys == nil {
		return nil, errors.New("agent: Consent and Keys are required")
	}
	s := newServer(cfg, 0)
	ln, ln6, err := listen(s.cfg)
	if err != nil {
		return nil, err
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	s.ln, s.ln6 = ln, ln6
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       2 * time.Minute,
		// A signing waits for the person (approval, PIN): minutes.
		WriteTimeout: 10 * time.Minute,
		IdleTimeout:  time.Minute,
		ErrorLog:     cfg.Log,
		// Who is at the other end, told once per connection.
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			same, known := sameUser(c.RemoteAddr(), c.LocalAddr())
			return context.WithValue(ctx, peerKey{}, peer{same: same, known: known})
		},
	}
	go func() { _ = s.http.Serve(ln) }()
	if s.ln6 != nil {
		go func() { _ = s.http.Serve(s.ln6) }()
	}
	return s, nil
}

// listen takes the port on 127.0.0.1 and the same port on [::1]: a
// browser that resolves localhost to ::1 must reach Signet, not another
// local user's program that took that address. Taken already is an error
// (for port 0, a free port is tried again: the one 127.0.0.1 gave may be
// busy on ::1); no IPv6 on this machine is not.
func listen(cfg Config) (ln, ln6 net.Listener, err error) {
	for try := 0; ; try++ {
		ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.Port)))
		if err != nil {
			return nil, nil, fmt.Errorf("agent: listen on 127.0.0.1:%d: %w", cfg.Port, err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln6, err = net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(port)))
		switch {
		case err == nil:
			return ln, ln6, nil
		case errors.Is(err, syscall.EADDRINUSE):
			ln.Close()
			if cfg.Port == 0 && try < 8 {
				continue
			}
			return nil, nil, fmt.Errorf("agent: [::1]:%d is taken by another program, which pages asking localhost could reach instead of Signet: %w", port, err)
		default:
			cfg.Log.Printf("agent: no IPv6 loopback (%v); listening on 127.0.0.1 only", err)
			return ln, nil, nil
		}
	}
}

// newServer is a Server on port, not yet listening, with cfg's defaults
// filled in.
func newServer(cfg Config, port int) *Server {
	if cfg.MaxPDF <= 0 {
		cfg.MaxPDF = 50 << 20
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = pdfBodyLimit(cfg.MaxPDF) + 1<<20
	}
	if cfg.Log == nil {
		cfg.Log = log.New(io.Discard, "", 0)
	}
	s := &Server{cfg: cfg, port: port,
		perms:  map[Permission]map[string]originState{PermissionUse: {}, PermissionDigests: {}},
		asking: map[askKey]chan struct{}{}, locks: map[string]chan struct{}{}, open: map[string]int{},
		silenced: map[string]bool{}, asked: map[string][]time.Time{}, now: time.Now,
		inflight: semaphore.NewWeighted(cfg.MaxInFlight)}
	s.SetAllowed(PermissionUse, cfg.Allowed)
	s.SetAllowed(PermissionDigests, cfg.AllowedDigests)
	return s
}

// Port is the port the agent listens on.
func (s *Server) Port() int { return s.port }

// URL is the agent's base URL.
func (s *Server) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.port) }

// Close stops the agent.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return s.http.Shutdown(ctx)
}

// Allowed lists the origins allowed p always, in canonical form.
func (s *Server) Allowed(p Permission) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for o, st := range s.perms[p] {
		if st.allowed && st.until.IsZero() {
			out = append(out, o)
		}
	}
	slices.Sort(out)
	return out
}

// SetAllowed replaces the origins allowed p always (the person edited the
// list in Settings). Entries that are not web origins are left out.
func (s *Server) SetAllowed(p Permission, origins []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for o, st := range s.perms[p] {
		if st.allowed && st.until.IsZero() {
			delete(s.perms[p], o)
		}
	}
	for _, o := range origins {
		if c, ok := CanonicalOrigin(o); ok {
			s.perms[p][c] = originState{allowed: true}
		}
	}
}

// certificateID is a certificate's stable id: the hex SHA-256 of its DER.
func certificateID(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// lockToken takes the token of c (or its key file) for one signing at a
// time; a page that leaves while it waits stops waiting. unlock gives it
// back.
func (s *Server) lockToken(ctx context.Context, c flow.KeyChoice) (unlock func(), err error) {
	key := c.Token
	if key == "" {
		key = c.Ref
	}
	s.mu.Lock()
	turn, ok := s.locks[key]
	if !ok {
		turn = make(chan struct{}, 1)
		s.locks[key] = turn
	}
	s.mu.Unlock()
	select {
	case turn <- struct{}{}:
		return func() { <-turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
