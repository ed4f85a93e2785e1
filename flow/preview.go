package flow

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
)

// ErrNoRenderer reports that no page renderer is installed; the app then
// shows the page's outline at its true aspect ratio.
var ErrNoRenderer = i18n.Errorf("err.no_renderer", nil)

// RenderPage draws page n (1-based) of the PDF at path, its longer side
// 1.5 × width pixels (about width wide for an A4 or Letter page upright),
// with poppler's pdftoppm when it is installed: a maintained renderer
// under the GPL, run as a separate program. Bounding the longer side, not
// the width, keeps a freak page (10 × 3000 pt) from asking for an image of
// gigabytes; a render takes renderTimeout at most.
func RenderPage(ctx context.Context, path string, n, width int) (image.Image, error) {
	return render(ctx, path, nil, n, width)
}

// RenderPDF is [RenderPage] for a document in memory (one a web page sent
// to the agent): pdftoppm reads it from its standard input.
func RenderPDF(ctx context.Context, data []byte, n, width int) (image.Image, error) {
	return render(ctx, "-", data, n, width)
}

// renderTimeout bounds one page's render.
const renderTimeout = 20 * time.Second

func render(ctx context.Context, path string, data []byte, n, width int) (image.Image, error) {
	tool, err := exec.LookPath("pdftoppm")
	if err != nil {
		return nil, ErrNoRenderer
	}
	ctx, cancel := context.WithTimeout(ctx, renderTimeout)
	defer cancel()
	var out, stderr bytes.Buffer
	args := []string{"-f", strconv.Itoa(n), "-l", strconv.Itoa(n),
		"-scale-to", strconv.Itoa(width * 3 / 2), "-png", "-singlefile",
		// The page as viewers show it, and as pdf.PageMarks measures it:
		// its CropBox (pdftoppm draws the MediaBox unless told).
		"-cropbox"}
	if path != "-" {
		args = append(args, "--")
	}
	cmd := exec.CommandContext(ctx, tool, append(args, path)...)
	if data != nil {
		cmd.Stdin = bytes.NewReader(data)
	}
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("render page %d: %v: %s", n, err, bytes.TrimSpace(stderr.Bytes()))
	}
	img, err := png.Decode(&out)
	if err != nil {
		return nil, fmt.Errorf("render page %d: %w", n, err)
	}
	return img, nil
}

// PageFacts are page n's size and its signature fields, of the PDF at
// path (one reading of it).
func PageFacts(path string, n int) (pdf.PageSize, []pdf.Box, error) {
	f, err := os.Open(path)
	if err != nil {
		return pdf.PageSize{}, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return pdf.PageSize{}, nil, err
	}
	return pdf.PageMarks(f, st.Size(), n, "")
}
