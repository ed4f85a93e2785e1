package pdf

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/crypto/ocsp"

	"github.com/signet-sign/signet/internal/testocsp"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
)

// Tests from an outside review of the level rules (issue 29): each
// crafted file claimed a level, or a validity, it does not have.

// levelEnv is a PKI with an OCSP responder, a TSA whose certificate
// names it, and a signer whose certificate does too.
type levelEnv struct {
	pki       *testpki.PKI
	responder *testocsp.Responder
	tsaSrv    *testtsa.TSA
	tsa       *TSAClient
	signer    testpki.Entity
}

func newLevelEnv(t *testing.T) *levelEnv {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	responder, err := testocsp.Start(pki)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(responder.Close)
	tsaServer, err := testtsa.StartWith(pki, testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tsaServer.Close)
	signer, err := pki.NewEntity(testpki.RSA2048, testpki.Signing, "Level Signer", testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	return &levelEnv{pki, responder, tsaServer, &TSAClient{URL: tsaServer.URL}, signer}
}

func (e *levelEnv) signBT(t *testing.T) []byte {
	var in bytes.Buffer
	if err := testpdf.Write(&in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Sign(context.Background(), bytes.NewReader(in.Bytes()), int64(in.Len()), &out, e.signer.Key, e.pki.Chain(e.signer.Cert), Options{Timestamper: e.tsa}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func verifyFirst(t *testing.T, e *levelEnv, data []byte) SignatureReport {
	rep, err := Verify(context.Background(), bytes.NewReader(data), int64(len(data)), VerifyOptions{Roots: e.pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	return rep.Signatures[0]
}

// TestLevelDataAfterArchive: a DSS update before the archive timestamp
// lists OCSP objects whose bytes are appended only after it; nothing
// protects them, so the signature is not B-LTA.
func TestLevelDataAfterArchive(t *testing.T) {
	e := newLevelEnv(t)
	ctx := context.Background()
	bt := e.signBT(t)
	o1, err := e.responder.Response(e.signer.Cert)
	if err != nil {
		t.Fatal(err)
	}
	o2, err := e.responder.Response(e.tsaSrv.Entity.Cert)
	if err != nil {
		t.Fatal(err)
	}
	build := func(pa, pb int64) ([]byte, int, int) {
		d, err := openDocumentLimits(bytes.NewReader(bt), int64(len(bt)), Limits{}, "")
		if err != nil {
			t.Fatal(err)
		}
		u := newUpdate(d, true)
		a, b := u.alloc(), u.alloc()
		u.offsets[a], u.offsets[b] = pa, pb
		dssNr := u.alloc()
		u.writeObject(dssNr, types.Dict{"Type": types.Name("DSS"), "OCSPs": types.Array{ref(a), ref(b)}})
		cat, catNr, _ := d.catalog()
		cat = cat.Clone().(types.Dict)
		cat["DSS"] = ref(dssNr)
		u.writeObject(catNr, cat)
		u.writeXRef()
		return append(bytes.Clone(bt), u.buf.Bytes()...), a, b
	}
	var rev2 []byte
	var a, b int
	pa, pb := int64(1), int64(2)
	for i := 0; i < 4; i++ {
		var rev1 []byte
		rev1, a, b = build(pa, pb)
		var w bytes.Buffer
		if err := timestampDocument(ctx, bytes.NewReader(rev1), int64(len(rev1)), &w, e.tsa, 0, ""); err != nil {
			t.Fatal(err)
		}
		rev2 = w.Bytes()
		objA := fmt.Sprintf("%d 0 obj\n<</Length %d>>stream\n", a, len(o1))
		pa = int64(len(rev2))
		pb = pa + int64(len(objA)+len(o1)+len("\nendstream\nendobj\n"))
	}
	// Append the objects after the archive timestamp's %%EOF, then
	// repeat the last startxref so the file still opens.
	m := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF`).FindAllSubmatch(rev2, -1)
	lastX, _ := strconv.Atoi(string(m[len(m)-1][1]))
	var tail bytes.Buffer
	fmt.Fprintf(&tail, "%d 0 obj\n<</Length %d>>stream\n%s\nendstream\nendobj\n", a, len(o1), o1)
	if int64(len(rev2)+tail.Len()) != pb {
		t.Fatalf("offset mismatch %d %d", len(rev2)+tail.Len(), pb)
	}
	fmt.Fprintf(&tail, "%d 0 obj\n<</Length %d>>stream\n%s\nendstream\nendobj\n", b, len(o2), o2)
	fmt.Fprintf(&tail, "startxref\n%d\n%%%%EOF\n", lastX)
	final := append(bytes.Clone(rev2), tail.Bytes()...)
	tsEnd := len(rev2)

	s := verifyFirst(t, e, final)
	if s.Level == "B-LTA" {
		t.Errorf("B-LTA claimed although the validation data lies after the archive timestamp (it covers [0,%d), the OCSP objects are at %d..%d)", tsEnd, pa, len(final))
	}
}

// TestLevelRevokedTSA: a TSA revoked before it issued the signature
// timestamp: its "revoked" OCSP response is no validation data that
// shows it valid, so the signature is not B-LTA.
func TestLevelRevokedTSA(t *testing.T) {
	e := newLevelEnv(t)
	e.responder.Revoke(e.tsaSrv.Entity.Cert.SerialNumber, time.Now().Add(-30*time.Minute))
	bt := e.signBT(t)
	var out bytes.Buffer
	if err := Extend(context.Background(), bytes.NewReader(bt), int64(len(bt)), &out, LevelBLTA, e.tsa, LTVOptions{Roots: e.pki.Roots()}); err != nil {
		t.Fatal(err)
	}
	s := verifyFirst(t, e, out.Bytes())
	if s.Valid && s.Level == "B-LTA" {
		t.Errorf("revoked TSA (revoked before the timestamp) yet valid B-LTA")
	}
}

// TestForgedOCSPResponder: a revoked signer makes "good" OCSP responses
// for itself and the TSA with its own certificate as responder (its CA's,
// but without id-kp-OCSPSigning): they count for nothing — the
// revocation status stays unknown (offline), and they make no B-LT.
func TestForgedOCSPResponder(t *testing.T) {
	e := newLevelEnv(t)
	e.responder.Revoke(e.signer.Cert.SerialNumber, time.Now().Add(-30*time.Minute))
	bt := e.signBT(t)
	forge := func(c *x509.Certificate) []byte {
		now := time.Now()
		der, err := ocsp.CreateResponse(e.pki.Intermediate.Cert, e.signer.Cert, ocsp.Response{
			Status: ocsp.Good, SerialNumber: c.SerialNumber, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour), Certificate: e.signer.Cert,
		}, e.signer.Key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	upd, err := appendDSS(bytes.NewReader(bt), int64(len(bt)), "", nil, [][]byte{forge(e.signer.Cert), forge(e.tsaSrv.Entity.Cert)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := append(bytes.Clone(bt), upd...)
	s := verifyFirst(t, e, data)
	if hasPassed(s, "revocation") || s.Level != "B-T" {
		t.Errorf("a revoked signer's self-made OCSP response counts: level %s, checks %+v", s.Level, s.Checks)
	}
}
