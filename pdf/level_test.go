package pdf

import (
	"bytes"
	"context"
	"encoding/asn1"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testocsp"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
)

// TestLevelPaths signs and extends along every path (sign at each level,
// each extension, renewal, a file poppler signed, and the single-timestamp
// shape an earlier Extend wrote) and wants the level verify reports to be
// the one a structural reading of the file, written from EN 319 142-1
// apart from Signet's parser, gives.
func TestLevelPaths(t *testing.T) {
	pdfcheck.Require(t, "pdfsig", "pk12util", "openssl")
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	v := pdfcheck.New(t, pki)
	responder, err := testocsp.Start(pki)
	if err != nil {
		t.Fatal(err)
	}
	defer responder.Close()
	tsaServer, err := testtsa.StartWith(pki, testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer tsaServer.Close()
	tsa := &TSAClient{URL: tsaServer.URL}
	signer, err := pki.NewEntity(testpki.RSA2048, testpki.Signing, "Level Signer", testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ltv := LTVOptions{Roots: pki.Roots()}
	sign := func(o Options) []byte {
		t.Helper()
		out := filepath.Join(t.TempDir(), "signed.pdf")
		if err := SignFile(ctx, in, out, signer.Key, pki.Chain(signer.Cert), o); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(out)
		return data
	}
	extend := func(data []byte, level Level) []byte {
		t.Helper()
		var out bytes.Buffer
		if err := Extend(ctx, bytes.NewReader(data), int64(len(data)), &out, level, tsa, ltv); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	bb, bt := sign(Options{}), sign(Options{Timestamper: tsa})
	popplerPath := filepath.Join(dir, "poppler.pdf")
	v.SignWithPDFSig(t, signer, in, popplerPath)
	poppler, _ := os.ReadFile(popplerPath)

	// The shape Extend wrote for B-B → B-LTA before: the signer's
	// validation data, then a single document timestamp that must be
	// both the time proof and the archive timestamp.
	var dss bytes.Buffer
	if err := AddValidationData(ctx, bytes.NewReader(bb), int64(len(bb)), &dss, ltv); err != nil {
		t.Fatal(err)
	}
	var single bytes.Buffer
	if err := timestampDocument(ctx, bytes.NewReader(dss.Bytes()), int64(dss.Len()), &single, tsa, 0, ""); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"sign B-B", bb, "B-B"},
		{"sign B-T", bt, "B-T"},
		{"B-T to B-LT", extend(bt, LevelBLT), "B-LT"},
		{"B-T to B-LTA", extend(bt, LevelBLTA), "B-LTA"},
		{"B-B to B-LT", extend(bb, LevelBLT), "B-LT"},
		{"B-B to B-LTA", extend(bb, LevelBLTA), "B-LTA"},
		{"B-LT to B-LTA", extend(extend(bt, LevelBLT), LevelBLTA), "B-LTA"},
		{"B-LTA renewed", extend(extend(bt, LevelBLTA), LevelBLTA), "B-LTA"},
		// pdfsig signs adbe.pkcs7.detached, which has no PAdES level:
		// the structure is B-LTA's, the level reported none.
		{"pdfsig's to B-LTA", extend(poppler, LevelBLTA), "B-LTA"},
		{"one timestamp for time and archive", single.Bytes(), "B-T"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "doc.pdf")
			os.WriteFile(path, tc.data, 0o644)
			structural := structuralLevel(t, path, 2) // the signer's and the TSA's certificates name an OCSP responder
			if structural != tc.want {
				t.Fatalf("the structural reading gives %s, want %s: the test's premise is wrong", structural, tc.want)
			}
			rep, err := VerifyFile(ctx, path, VerifyOptions{Roots: pki.Roots()})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			want := tc.want
			if s.SubFilter != string(PAdES) {
				want = ""
			}
			if !s.Valid || s.Level != want {
				t.Errorf("verify: valid %v, level %q, want %q: %+v", s.Valid, s.Level, want, s.Checks)
			}
			if n := strings.Count(string(tc.data), "/ETSI.RFC3161"); strings.HasPrefix(tc.name, "B-B to B-LTA") || strings.HasPrefix(tc.name, "pdfsig") {
				if n != 2 {
					t.Errorf("%d document timestamps, want the time proof and the archive timestamp", n)
				}
				v.PDFSig(t, path, 1)
			}
			if want == "B-B" || want == "" {
				return
			}
			// The time proof is said, and for all but B-LTA what the
			// next level lacks.
			var level, next string
			for _, c := range s.Checks {
				switch c.Name {
				case "level":
					level = c.Detail
				case "next level":
					next = c.Detail
				}
			}
			if !strings.HasPrefix(level, tc.want+": its time is proven by") {
				t.Errorf("level check %q", level)
			}
			if (tc.want == "B-LTA") != (next == "") {
				t.Errorf("next level %q at %s", next, tc.want)
			}
		})
	}
}

var (
	oidTSTInfo      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidSigTimestamp = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	dssDictRE       = regexp.MustCompile(`/DSS\s+(\d+)\s+0\s+R`)
	ocspsRE         = regexp.MustCompile(`/(OCSPs|CRLs)\s*\[([^\]]*)\]`)
)

// structuralLevel reads the level of the file's first signature from its
// bytes alone, as EN 319 142-1 states the levels (no Signet parser): B-T
// needs a signature timestamp, or a document timestamp whose signed
// range covers the signature; B-LT a DSS, written after that time proof,
// holding at least revData OCSP responses or CRLs (one per certificate
// that names a revocation source: the signer's and the proof's TSA's);
// B-LTA a document timestamp whose signed range covers that DSS.
func structuralLevel(t *testing.T, path string, revData int) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sigs := pdfcheck.Signatures(t, path)
	end := func(s pdfcheck.Signature) int64 { return s.ByteRange[2] + s.ByteRange[3] }
	isDocTS := func(s pdfcheck.Signature) bool {
		p7, err := pkcs7.Parse(s.CMS)
		if err != nil {
			return false
		}
		_, err = timestamp.Parse(s.CMS)
		return err == nil && p7 != nil && bytes.Contains(s.CMS, mustMarshal(t, oidTSTInfo))
	}
	first := sigs[0]
	proofEnd := int64(-1)
	if bytes.Contains(first.CMS, mustMarshal(t, oidSigTimestamp)) {
		proofEnd = end(first)
	} else {
		for _, s := range sigs[1:] {
			if isDocTS(s) && end(s) > end(first) {
				proofEnd = end(s)
				break
			}
		}
	}
	if proofEnd < 0 {
		return "B-B"
	}
	// Each catalog that names a DSS written after the time proof: the
	// DSS object's dictionary (the last one of that number) counts its
	// OCSP responses and CRLs.
	dssAt := int64(-1)
	for _, m := range dssDictRE.FindAllSubmatchIndex(data, -1) {
		if int64(m[0]) < proofEnd {
			continue
		}
		obj := regexp.MustCompile(`(?s)\b` + string(data[m[2]:m[3]]) + `\s+0\s+obj(.*?)endobj`)
		defs := obj.FindAllSubmatch(data[proofEnd:], -1)
		if len(defs) == 0 {
			continue
		}
		n := 0
		for _, arr := range ocspsRE.FindAllSubmatch(defs[len(defs)-1][1], -1) {
			n += bytes.Count(arr[2], []byte(" R"))
		}
		if n >= revData {
			dssAt = int64(m[0])
			break
		}
	}
	if dssAt < 0 {
		return "B-T"
	}
	for _, s := range sigs[1:] {
		if isDocTS(s) && end(s) > dssAt {
			return "B-LTA"
		}
	}
	return "B-LT"
}

func mustMarshal(t *testing.T, oid asn1.ObjectIdentifier) []byte {
	t.Helper()
	b, err := asn1.Marshal(oid)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
