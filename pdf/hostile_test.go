package pdf

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/testhostile"
	"github.com/signet-sign/signet/internal/testpki"
)

// TestHostileFiles reads each crafted file through every entry point that
// takes a document from a stranger: page info (the agent and the app ask
// it first), verification and signing. Each must end with an error that
// names the problem, never a panic, and stay within its memory budget.
func TestHostileFiles(t *testing.T) {
	_, e, _ := softEntity(t)
	chain := []*x509.Certificate{e.Cert}
	for _, h := range testhostile.All() {
		t.Run(h.Name, func(t *testing.T) {
			r := bytes.NewReader(h.Data)
			size := int64(len(h.Data))
			var before runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)

			_, pageErr := PageInfo(r, size, 1)
			rep, verifyErr := Verify(context.Background(), r, size, VerifyOptions{Roots: x509.NewCertPool()})
			_, signErr := Prepare(context.Background(), r, size, chain, Options{})

			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			// Allocated bytes, not peak RSS (the CLI test measures that):
			// a budget of 64 MB plus 4 × the file size, with slack for
			// what decoding throws away.
			if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(4*(64<<20+4*size)); got > limit {
				t.Errorf("allocated %d MB, more than %d MB", got>>20, limit>>20)
			}
			checks := map[string]error{"sign": signErr}
			// These two attack the form, not the page tree: reading a
			// page's size is right to succeed.
			if h.Name != "byterange-overflow" && h.Name != "field-tree-cycle" {
				checks["page info"] = pageErr
			} else if pageErr != nil {
				t.Errorf("page info: %v", pageErr)
			}
			for what, err := range checks {
				if err == nil {
					t.Errorf("%s: no error", what)
					continue
				}
				var bug *InternalError
				if errors.As(err, &bug) || !(errors.Is(err, ErrBrokenPDF) || errors.Is(err, ErrTooComplex)) {
					t.Errorf("%s: %v, want ErrBrokenPDF or ErrTooComplex", what, err)
				}
			}
			// Verification may read such a file and find its signature
			// broken; it must never call it valid.
			switch {
			case verifyErr != nil:
				var bug *InternalError
				if errors.As(verifyErr, &bug) {
					t.Errorf("verify: %v", verifyErr)
				}
			case rep.Valid():
				t.Error("verify: a hostile file reported valid")
			}
			t.Logf("page info: %v; verify: %v; sign: %v", pageErr, verifyErr, signErr)
		})
	}
}

// TestLimitsConfigurable: a caller can lower the budget, and the error
// says which limit was met.
func TestLimitsConfigurable(t *testing.T) {
	data := testhostile.DoubleFlatePages(1)
	_, err := Verify(context.Background(), bytes.NewReader(data), int64(len(data)), VerifyOptions{Limits: Limits{Stream: 1 << 20}})
	if err == nil {
		// No signatures is also an error; the limit must come first.
		t.Fatal("no error")
	}
	_, e, doc := softEntity(t)
	_, err = Prepare(context.Background(), bytes.NewReader(doc), int64(len(doc)), []*x509.Certificate{e.Cert}, Options{Limits: Limits{DecodedBase: 1, DecodedPerByte: 1}})
	if !errors.Is(err, ErrTooComplex) {
		t.Fatalf("a one-byte budget: %v, want ErrTooComplex", err)
	}
	_, err = Prepare(context.Background(), bytes.NewReader(data), int64(len(data)), []*x509.Certificate{e.Cert}, Options{Limits: Limits{Stream: 1 << 20}})
	if !errors.Is(err, ErrTooComplex) || !bytes.Contains([]byte(err.Error()), []byte("Limits.Stream")) {
		t.Fatalf("a 1 MB stream limit: %v, want ErrTooComplex naming Limits.Stream", err)
	}
}

// TestRecoverBug: a panic becomes an InternalError naming the file.
func TestRecoverBug(t *testing.T) {
	err := func() (err error) {
		defer RecoverBug("bad.pdf", &err)
		var pages []int
		_ = pages[len(pages)] // an index out of range, as a bug would
		return nil
	}()
	var bug *InternalError
	if !errors.As(err, &bug) || bug.File != "bad.pdf" || len(bug.Stack) == 0 {
		t.Fatalf("got %v, want an InternalError for bad.pdf with a stack", err)
	}
	if !bytes.Contains([]byte(err.Error()), []byte("bad.pdf")) {
		t.Errorf("%q does not name the file", err)
	}
}

// TestSignAndVerifyAgree: Signet never writes a signature on a document
// its own verifier would refuse as damaged or over its limits (issue 27):
// every hostile document is either refused by signing, or signed into a
// file the verifier reads.
func TestSignAndVerifyAgree(t *testing.T) {
	e := hostileSigner(t)
	for _, h := range append(testhostile.All(), testhostile.Round2()...) {
		t.Run(h.Name, func(t *testing.T) {
			var out bytes.Buffer
			err := Sign(context.Background(), bytes.NewReader(h.Data), int64(len(h.Data)), &out, e.Key, []*x509.Certificate{e.Cert}, Options{})
			if err != nil {
				t.Logf("signing refused: %v", err)
				return
			}
			_, err = Verify(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()), VerifyOptions{})
			if errors.Is(err, ErrTooComplex) || errors.Is(err, ErrBrokenPDF) {
				t.Errorf("signed, and the signature then refused by the verifier: %v", err)
			}
		})
	}
}

// TestFieldNameRefused: a field name that would print a line of its own
// in every verifier is refused (issue 27).
func TestFieldNameRefused(t *testing.T) {
	e := hostileSigner(t)
	doc := testhostile.ManyUpdates(1)
	for _, name := range []string{"Approval\n  ✓ valid", "a\u202eb", "a\x1b[2J"} {
		err := Sign(context.Background(), bytes.NewReader(doc), int64(len(doc)), io.Discard, e.Key, []*x509.Certificate{e.Cert}, Options{FieldName: name})
		if err == nil || !strings.Contains(err.Error(), "control or formatting") {
			t.Errorf("field %q: %v", name, err)
		}
	}
}

// TestOlderTrailerLongerThanNewest: the xref buffer shared by a
// document's sections is sized for the file, not for the newest section
// (a regression of the shared buffer: an older trailer longer than what
// followed the newest section read as damaged).
func TestOlderTrailerLongerThanNewest(t *testing.T) {
	for _, title := range []int{10, 200, 5000} {
		var b bytes.Buffer
		b.WriteString("%PDF-1.7\n")
		o1 := b.Len()
		b.WriteString("1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n")
		o2 := b.Len()
		b.WriteString("2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\n")
		x1 := b.Len()
		fmt.Fprintf(&b, "xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n", o1, o2)
		fmt.Fprintf(&b, "trailer\n<</Size 3/Root 1 0 R/Info<</Title(%s)>>>>\nstartxref\n%d\n%%%%EOF\n", strings.Repeat("T", title), x1)
		x2 := b.Len()
		fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 3/Root 1 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n", x1, x2)
		rep, err := Verify(context.Background(), bytes.NewReader(b.Bytes()), int64(b.Len()), VerifyOptions{})
		if !errors.Is(err, ErrNoSignatures) || rep == nil || rep.Revisions != 2 {
			t.Errorf("title of %d: %v %+v", title, err, rep)
		}
	}
}

// hostileSigner is a software signing key for the hostile-input tests.
func hostileSigner(t *testing.T) testpki.Entity {
	t.Helper()
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Zoë Ørsted", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}
