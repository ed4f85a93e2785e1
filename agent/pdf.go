package agent

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"unicode/utf8"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/pdf"
)

// pdfOptions are a PDF request's signature options.
type pdfOptions struct {
	Reason   string `json:"reason,omitempty"`
	Location string `json:"location,omitempty"`
	// Level "B-B" (default) or "B-T" (a timestamp, from Signet's TSA).
	Level   string          `json:"level,omitempty"`
	Visible *visibleOptions `json:"visible,omitempty"`
}

type visibleOptions struct {
	// Page is 1-based; 0 is the first page and negative numbers count
	// from the end (-1 the last), as pdf.Appearance reads them.
	Page int        `json:"page"`
	Rect [4]float64 `json:"rect"` // points from the lower-left corner of the page as shown (crop box, /Rotate)
	// Lines of text; empty: signer, date, reason, location.
	Lines []string `json:"lines,omitempty"`
	Image string   `json:"image,omitempty"` // base64 PNG or JPEG
}

// pdfDocument is a document in a request or an answer. Document is the
// PDF's bytes, base64 in the JSON (decoded straight into bytes: a 50 MB
// document is not held a second time as a string).
type pdfDocument struct {
	Name     string `json:"name"`
	Document []byte `json:"document"`
}

type signPDFRequest struct {
	CertificateID string `json:"certificateId"`
	pdfDocument
	Options pdfOptions `json:"options"`
}

type signPDFBatchRequest struct {
	CertificateID string        `json:"certificateId"`
	Documents     []pdfDocument `json:"documents"`
	Options       pdfOptions    `json:"options"`
}

func (s *Server) signPDF(w http.ResponseWriter, r *http.Request, pr *pageRequest) {
	var req signPDFRequest
	if !decode(w, pr, &req) {
		return
	}
	out, ok := s.pdfs(w, r, pr, req.CertificateID, []pdfDocument{req.pdfDocument}, req.Options)
	if ok {
		writeDocuments(w, out, false)
	}
}

func (s *Server) signPDFBatch(w http.ResponseWriter, r *http.Request, pr *pageRequest) {
	var req signPDFBatchRequest
	if !decode(w, pr, &req) {
		return
	}
	if len(req.Documents) == 0 || len(req.Documents) > 50 {
		fail(w, http.StatusBadRequest, CodeBadRequest, "a batch holds 1 to 50 documents")
		return
	}
	out, ok := s.pdfs(w, r, pr, req.CertificateID, req.Documents, req.Options)
	if ok {
		writeDocuments(w, out, true)
	}
}

// writeDocuments answers signed documents, streaming each one's base64
// into the response instead of building the JSON in memory: an answer is
// 4/3 the size of the signed PDFs. The single form is {name, document};
// the batch form {"documents": [...]}.
func writeDocuments(w http.ResponseWriter, docs []pdfDocument, batch bool) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if batch {
		io.WriteString(w, `{"documents":[`)
	}
	for i, d := range docs {
		if i > 0 {
			io.WriteString(w, ",")
		}
		name, _ := json.Marshal(d.Name)
		fmt.Fprintf(w, `{"name":%s,"document":"`, name)
		enc := base64.NewEncoder(base64.StdEncoding, w)
		enc.Write(d.Document)
		enc.Close()
		io.WriteString(w, `"}`)
	}
	if batch {
		io.WriteString(w, `]}`)
	}
	io.WriteString(w, "\n")
}

// cleanOptions checks a request's texts and makes them what is shown and
// signed (see [CleanText]): longer than MaxText, or more than MaxLines
// lines, is refused rather than cut.
func cleanOptions(o *pdfOptions) error {
	clean := func(what string, s *string) error {
		*s = CleanText(*s)
		if n := utf8.RuneCountInString(*s); n > MaxText {
			return fmt.Errorf("%s has %d characters; at most %d are accepted, so that the person can read all that is signed", what, n, MaxText)
		}
		return nil
	}
	if err := clean("reason", &o.Reason); err != nil {
		return err
	}
	if err := clean("location", &o.Location); err != nil {
		return err
	}
	if v := o.Visible; v != nil {
		if len(v.Lines) > MaxLines {
			return fmt.Errorf("visible.lines has %d lines; at most %d are accepted", len(v.Lines), MaxLines)
		}
		for i := range v.Lines {
			if err := clean(fmt.Sprintf("visible.lines[%d]", i), &v.Lines[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) pdfs(w http.ResponseWriter, r *http.Request, pr *pageRequest, certID string, docs []pdfDocument, o pdfOptions) ([]pdfDocument, bool) {
	if err := cleanOptions(&o); err != nil {
		fail(w, http.StatusBadRequest, CodeBadRequest, "%v", err)
		return nil, false
	}
	opts := pdf.Options{Reason: o.Reason, Location: o.Location}
	switch o.Level {
	case "", "B-B":
	case "B-T":
		if s.cfg.Timestamper == nil {
			fail(w, http.StatusBadRequest, CodeBadRequest, "level B-T needs a timestamp service: set one in Signet's settings")
			return nil, false
		}
		opts.Timestamper = s.cfg.Timestamper
	default:
		fail(w, http.StatusBadRequest, CodeBadRequest, "level %q: use B-B or B-T", o.Level)
		return nil, false
	}
	if v := o.Visible; v != nil {
		a := &pdf.Appearance{Page: v.Page, Rect: v.Rect, Lines: v.Lines}
		if v.Image != "" {
			img, err := base64.StdEncoding.DecodeString(v.Image)
			if err != nil {
				fail(w, http.StatusBadRequest, CodeBadRequest, "visible.image is not base64")
				return nil, false
			}
			release, ok := s.holdImage(w, img)
			if !ok {
				return nil, false
			}
			defer release()
			a.Image = img
		}
		opts.Appearance = a
	}
	names := make([]string, len(docs))
	for i, d := range docs {
		if len(d.Document) == 0 {
			fail(w, http.StatusBadRequest, CodeBadRequest, "document %d is empty", i+1)
			return nil, false
		}
		names[i] = DisplayName(d.Name)
		if names[i] == "" {
			names[i] = fmt.Sprintf("document %d", i+1)
		}
	}
	c, ok := s.choice(w, certID)
	if !ok || !notForSigning(w, c) {
		return nil, false
	}
	// Each document is read and prepared as signing will do it before
	// the person is asked: a document Signet cannot sign (damaged,
	// hostile, a page or rectangle that does not exist) is refused
	// without raising a question.
	// (Without the timestamper: nothing leaves the computer before the
	// person has said yes.)
	check := opts
	check.Timestamper = nil
	shown := Request{Documents: names, Reason: o.Reason, Location: o.Location, Level: "B-B"}
	if opts.Timestamper != nil {
		shown.Level = "B-T"
	}
	if v := o.Visible; v != nil {
		shown.Visible = &Visible{Lines: v.Lines, Image: v.Image != "",
			Width: math.Abs(v.Rect[2] - v.Rect[0]), Height: math.Abs(v.Rect[3] - v.Rect[1])}
	}
	for i, d := range docs {
		data := d.Document
		prepared, err := pdf.Prepare(r.Context(), bytes.NewReader(data), int64(len(data)), []*x509.Certificate{c.Cert}, check)
		if err != nil {
			fail(w, http.StatusBadRequest, CodeBadDocument, "document %d (%s) is not a PDF Signet can sign: %v", i+1, names[i], err)
			return nil, false
		}
		info, err := pdf.PageInfo(bytes.NewReader(data), int64(len(data)), 1)
		if err != nil {
			fail(w, http.StatusBadRequest, CodeBadDocument, "document %d (%s) is not a PDF Signet can sign: %v", i+1, names[i], err)
			return nil, false
		}
		sum := sha256.Sum256(data)
		doc := Document{Name: names[i], Pages: info.Pages, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Data: data}
		if v := o.Visible; v != nil {
			// The page the signature goes on, as signing reads the
			// number (Prepare has checked that it exists).
			doc.SignaturePage = pdf.PageNumber(v.Page, info.Pages)
			if i == 0 { // the document the person sees previewed
				var b bytes.Buffer
				if err := prepared.WritePreview(&b); err == nil {
					doc.Preview = b.Bytes()
				}
			}
		}
		shown.PDFs = append(shown.PDFs, doc)
	}
	signer, release, ok := s.openApproved(w, r, c, approval(pr, c, shown))
	if !ok {
		return nil, false
	}
	defer release()
	if !s.completeChain(w, r, signer) {
		return nil, false
	}
	// The batch engine of the app and the CLI: as many documents at once
	// as the key allows, in order.
	out := make([]pdfDocument, len(docs))
	jobs := make([]flow.Job, len(docs))
	for i := range jobs {
		jobs[i].Input = names[i]
	}
	results := flow.Batch(r.Context(), signer, jobs, flow.BatchOptions{Jobs: runtime.NumCPU()}, func(i int) error {
		in := docs[i].Document
		var b bytes.Buffer
		b.Grow(len(in) + 512<<10) // the update: signature, appearance, xref
		if err := pdf.Sign(r.Context(), bytes.NewReader(in), int64(len(in)), &b, signer, signer.Chain(), opts); err != nil {
			return err
		}
		out[i] = pdfDocument{Name: names[i], Document: b.Bytes()}
		docs[i].Document = nil // signed: the input can go
		return nil
	})
	// The key's failure first (it stopped the others), then the first
	// document's.
	for _, res := range results {
		if flow.KeyFailure(res.Err) {
			signError(w, res.Err)
			return nil, false
		}
	}
	for i, res := range results {
		switch {
		case res.Err == nil:
		case errors.Is(res.Err, pdf.ErrTSA):
			fail(w, http.StatusBadGateway, CodeTimestampFailed, "%s: the timestamp service%s gave no timestamp, so nothing was signed: %v",
				names[i], s.tsaHost(), res.Err)
			return nil, false
		default:
			fail(w, http.StatusBadRequest, CodeBadDocument, "%s: %v", names[i], res.Err)
			return nil, false
		}
	}
	return out, true
}

// holdImage counts what decoding a visible signature's image will take
// against the bytes in flight: a small PNG can decode into tens of
// megabytes (a 2000×2000 one at 16 bits a channel: 32 MB, plus the
// samples written), once for the check before the question and again for
// each document signed. Refused when too large (400) or when the agent
// holds too much already (503).
func (s *Server) holdImage(w http.ResponseWriter, img []byte) (release func(), ok bool) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		fail(w, http.StatusBadRequest, CodeBadRequest, "visible.image is neither PNG nor JPEG: %v", err)
		return nil, false
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width <= 0 || cfg.Height <= 0 || pixels > pdf.MaxImagePixels {
		fail(w, http.StatusBadRequest, CodeBadRequest, "visible.image has %dx%d pixels; at most %d are accepted", cfg.Width, cfg.Height, pdf.MaxImagePixels)
		return nil, false
	}
	cost := pixels * 12 // decoded at 8 bytes a pixel, written as 3 + 1
	if !s.inflight.TryAcquire(cost) {
		w.Header().Set("Retry-After", "5")
		fail(w, http.StatusServiceUnavailable, CodeBusy, "Signet is busy with other large requests; try again in a few seconds")
		return nil, false
	}
	return func() { s.inflight.Release(cost) }, true
}

// tsaHost names the timestamp service by scheme and host (" at
// https://tsa.example"), or nothing when it has no URL: its path and
// query may hold an access token, which no page may see.
func (s *Server) tsaHost() string {
	c, ok := s.cfg.Timestamper.(*pdf.TSAClient)
	if !ok {
		return ""
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return ""
	}
	return " at " + u.Scheme + "://" + u.Host
}
