package agent

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/keys"
)

// The agent's memory under large requests is measured in a process of its
// own: the test binary, started again with memChildEnv set, serves the
// agent with a software key and reports its peak memory when its standard
// input closes.
const memChildEnv = "SIGNET_AGENT_MEMORY_CHILD"

// maxAgentMemory is the issue's bound on the agent's memory while eight
// pages send 66 MB bodies at once.
const maxAgentMemory = 400 << 20

// allowAll is a person who allows every page and approves everything.
type allowAll struct{}

func (allowAll) Origin(context.Context, OriginQuestion) (Decision, error) { return AllowOnce, nil }
func (allowAll) Approve(context.Context, Request) error                   { return nil }

// softKeys offers one software key (real signatures, no token: the
// process measured is the agent alone).
type softKeys struct{ e testpki.Entity }

func (k softKeys) Choices() ([]flow.KeyChoice, error) {
	return []flow.KeyChoice{{Ref: "memory", Label: "memory", Cert: k.e.Cert, CertificateSummary: keys.Summarize(k.e.Cert), HasKey: true}}, nil
}
func (k softKeys) Open(context.Context, flow.KeyChoice) (keys.Signer, error) {
	return softSigner(k), nil
}

type softSigner struct{ e testpki.Entity }

func (s softSigner) Public() crypto.PublicKey       { return s.e.Key.Public() }
func (s softSigner) Certificate() *x509.Certificate { return s.e.Cert }
func (s softSigner) Chain() []*x509.Certificate     { return []*x509.Certificate{s.e.Cert} }
func (s softSigner) Close() error                   { return nil }
func (s softSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return s.e.Key.Sign(r, d, o)
}
func (s softSigner) SignContext(_ context.Context, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return s.e.Key.Sign(nil, d, o)
}

// memChild serves the agent until standard input closes, then prints its
// peak Go memory (what the runtime mapped: heap, stacks, metadata).
func memChild() int {
	pki, err := testpki.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Memory Test", testpki.IssueOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv, err := Start(Config{Consent: allowAll{}, Keys: softKeys{e}, Version: "memory"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	fmt.Printf("%s %s\n", srv.URL(), certificateID(e.Cert))
	io.Copy(io.Discard, os.Stdin)
	close(stop)
	mu.Lock()
	fmt.Printf("peak %d\n", peak)
	mu.Unlock()
	return 0
}

// TestLargeBodiesInFlight (issue 26, 8): eight pages send 66 MB PDF
// requests at once. The agent holds at most MaxInFlight bytes of bodies:
// the others are refused at once (503, busy) and the agent's memory stays
// under 400 MB. The requests taken are signed whole.
func TestLargeBodiesInFlight(t *testing.T) {
	var doc bytes.Buffer
	if err := testpdf.Write(&doc, testpdf.Options{PadBytes: 49 << 20, PadByte: 'A'}); err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), memChildEnv+"=1")
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("the agent did not start: %v", err)
	}
	url, id, _ := strings.Cut(strings.TrimSpace(line), " ")

	var body bytes.Buffer
	fmt.Fprintf(&body, `{"certificateId":%q,"name":"big.pdf","document":"`, id)
	body.WriteString(padded64(t, doc.Bytes(), 'A'))
	body.WriteString(`"}`)
	t.Logf("body %d MB", body.Len()>>20)

	statuses := make([]int, 8)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", url+"/v1/sign/pdf", bytes.NewReader(body.Bytes()))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", page)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			statuses[i] = resp.StatusCode
			if resp.StatusCode == 200 {
				// The signed document streams back whole: the original
				// and an update after it.
				n, err := io.Copy(io.Discard, resp.Body)
				if err != nil || n < int64(body.Len()) {
					t.Errorf("answer of %d bytes: %v", n, err)
				}
			}
		})
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		switch s {
		case 200:
			ok++
		case http.StatusServiceUnavailable:
		default:
			t.Errorf("status %d, want 200 or 503", s)
		}
	}
	if ok == 0 {
		t.Errorf("no request was served: %v", statuses)
	}
	stdin.Close()
	line, _ = out.ReadString('\n')
	if err := child.Wait(); err != nil {
		t.Fatal(err)
	}
	peak, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(line), "peak "), 10, 64)
	if err != nil {
		t.Fatalf("the agent said %q", line)
	}
	rss := int64(child.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10
	t.Logf("statuses %v; agent peak Go memory %d MB, peak RSS %d MB (race detector: %v)", statuses, peak>>20, rss>>20, raceEnabled)
	if peak > maxAgentMemory {
		t.Errorf("the agent's Go memory peaked at %d MB, over %d MB", peak>>20, maxAgentMemory>>20)
	}
	// Under the race detector the process also holds the detector's
	// shadow memory, several times the program's own: the Go memory above
	// is the measure there.
	if !raceEnabled && rss > maxAgentMemory {
		t.Errorf("the agent's peak RSS was %d MB, over %d MB", rss>>20, maxAgentMemory>>20)
	}
}

// padded64 is the base64 of a PDF whose one large stream is a run of b,
// made by repeating the run's encoding: base64 in instrumented code costs
// seconds a 66 MB body under the race detector, a copy does not.
func padded64(t *testing.T, doc []byte, b byte) string {
	t.Helper()
	obj := bytes.Index(doc, []byte("5 0 obj"))
	start := bytes.Index(doc[obj:], []byte("stream\n")) + obj + len("stream\n")
	end := bytes.Index(doc[start:], []byte("\nendstream")) + start
	if obj < 0 || start < obj || end < start {
		t.Fatal("no pad stream in the test PDF")
	}
	start += (3 - start%3) % 3 // whole 3-byte groups from here
	run := (end - start) / 3 * 3
	enc := base64.StdEncoding
	return enc.EncodeToString(doc[:start]) +
		strings.Repeat(enc.EncodeToString([]byte{b, b, b}), run/3) +
		enc.EncodeToString(doc[start+run:])
}
