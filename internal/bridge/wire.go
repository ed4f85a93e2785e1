package bridge

import (
	"crypto/x509"
	"errors"
	"net/rpc"
	"strings"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/prompt"
)

// The calls' arguments as gob carries them: certificates as DER (gob
// cannot carry an x509.Certificate), everything else as is. TestWire
// fails when agent.Request or prompt.Request gain a field these miss.

// OriginArgs asks about a web origin.
type OriginArgs struct {
	ID uint64
	Q  agent.OriginQuestion
}

// ApproveArgs asks to approve a signing.
type ApproveArgs struct {
	ID          uint64
	Origin      string
	Certificate []byte
	Purpose     keys.Purpose
	Token       string
	Documents   []string
	PDFs        []agent.Document
	Reason      string
	Location    string
	Level       string
	Visible     *agent.Visible
	Login       bool
	Digests     [][]byte
	Hashes      []string
}

// SecretArgs asks for a PIN (or shows the pinpad notice).
type SecretArgs struct {
	ID          uint64
	Kind        prompt.Kind
	Token       string
	Key         string
	Certificate []byte
	TriesLeft   int
	TriesLow    bool
	CanResend   bool
	Owner       bool
}

func der(c *x509.Certificate) []byte {
	if c == nil {
		return nil
	}
	return c.Raw
}

// parseDER reads a certificate the agent sent; one that does not parse
// is left out (the question is still asked, with less to show).
func parseDER(b []byte) *x509.Certificate {
	if len(b) == 0 {
		return nil
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		return nil
	}
	return c
}

func approveArgs(id uint64, r agent.Request) ApproveArgs {
	return ApproveArgs{ID: id, Origin: r.Origin, Certificate: der(r.Certificate), Purpose: r.Purpose, Token: r.Token,
		Documents: r.Documents, PDFs: r.PDFs, Reason: r.Reason, Location: r.Location, Level: r.Level,
		Visible: r.Visible, Login: r.Login, Digests: r.Digests, Hashes: r.Hashes}
}

func (a ApproveArgs) request() agent.Request {
	return agent.Request{Origin: a.Origin, Certificate: parseDER(a.Certificate), Purpose: a.Purpose, Token: a.Token,
		Documents: a.Documents, PDFs: a.PDFs, Reason: a.Reason, Location: a.Location, Level: a.Level,
		Visible: a.Visible, Login: a.Login, Digests: a.Digests, Hashes: a.Hashes}
}

func secretArgs(id uint64, r prompt.Request) SecretArgs {
	return SecretArgs{ID: id, Kind: r.Kind, Token: r.Token, Key: r.Key, Certificate: der(r.Certificate),
		TriesLeft: r.TriesLeft, TriesLow: r.TriesLow, CanResend: r.CanResend, Owner: r.Owner}
}

func (a SecretArgs) request() prompt.Request {
	return prompt.Request{Kind: a.Kind, Token: a.Token, Key: a.Key, Certificate: parseDER(a.Certificate),
		TriesLeft: a.TriesLeft, TriesLow: a.TriesLow, CanResend: a.CanResend, Owner: a.Owner}
}

// The errors that cross the socket as text (net/rpc's ServerError) and
// are told apart again on the agent's side.
const (
	errTextDeclined  = "declined by the person"
	errTextCancelled = "cancelled by the user"
)

// ErrDeclined is the person's no to a signing, answered in the window.
var ErrDeclined = errors.New(errTextDeclined)

// ErrWindowClosed: the window went away before the person answered.
var ErrWindowClosed = errors.New("the window closed before the person answered")

// wireError turns a window-side error into the text that crosses.
func wireError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, prompt.ErrCancelled):
		return errors.New(errTextCancelled)
	case errors.Is(err, ErrDeclined):
		return errors.New(errTextDeclined)
	}
	return err
}

// fromWire turns what came back into the error the agent's code knows.
func fromWire(err error) error {
	var se rpc.ServerError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		switch string(se) {
		case errTextCancelled:
			return prompt.ErrCancelled
		case errTextDeclined:
			return ErrDeclined
		}
		return errors.New(strings.TrimSpace(string(se)))
	}
	// rpc.ErrShutdown, io.ErrUnexpectedEOF: the connection ended.
	return ErrWindowClosed
}
