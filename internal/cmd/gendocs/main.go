// Command gendocs writes what Signet's packages install beside the
// programs, generated from the sources so it never drifts from them:
// a man page for signet and one for each command (from the cobra
// commands), the bash, zsh and fish completions, and the icon at 256 px
// and as a scalable one. Dates come from SOURCE_DATE_EPOCH, so two runs
// on one commit write the same bytes (reproducible packages).
//
//	go run ./internal/cmd/gendocs -out DIR
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra/doc"
	"golang.org/x/image/draw"

	"github.com/signet-sign/signet/assets"
	"github.com/signet-sign/signet/internal/cli"
	"github.com/signet-sign/signet/internal/version"
)

func main() {
	out := flag.String("out", "dist/files", "where the files go")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// buildDate is SOURCE_DATE_EPOCH's time (the last commit's, as the
// Makefile sets it), else now.
func buildDate() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC()
}

func run(out string) error {
	man := filepath.Join(out, "man")
	comp := filepath.Join(out, "completions")
	icons := filepath.Join(out, "icons")
	for _, d := range []string{man, comp, icons} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	root := cli.Root()
	root.DisableAutoGenTag = true // no "Auto generated … on <date>" line
	date := buildDate()
	if err := doc.GenManTree(root, &doc.GenManHeader{Title: "SIGNET", Section: "1", Date: &date,
		Source: "Signet " + version.Signet, Manual: "Signet"}, man); err != nil {
		return err
	}
	// The window's page is written by hand (it has no commands).
	if err := copyFile("packaging/signet-app.1", filepath.Join(man, "signet-app.1")); err != nil {
		return err
	}
	// Debian's policy: manual pages and documentation gzipped, the same
	// bytes on every build (no name or time in the gzip header).
	if err := gzipAll(man, ".1"); err != nil {
		return err
	}
	docs := filepath.Join(out, "doc")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		return err
	}
	for _, f := range []struct{ from, to string }{
		{"README.md", "README.md.gz"}, {"packaging/changelog", "changelog.Debian.gz"},
	} {
		data, err := os.ReadFile(f.from)
		if err != nil {
			return err
		}
		if err := writeGzip(filepath.Join(docs, f.to), data); err != nil {
			return err
		}
	}
	if err := copyFile("packaging/copyright", filepath.Join(docs, "copyright")); err != nil {
		return err
	}
	if err := root.GenBashCompletionFileV2(filepath.Join(comp, "signet"), true); err != nil {
		return err
	}
	if err := root.GenZshCompletionFile(filepath.Join(comp, "_signet")); err != nil {
		return err
	}
	if err := root.GenFishCompletionFile(filepath.Join(comp, "signet.fish"), true); err != nil {
		return err
	}
	return writeIcons(icons)
}

// gzipAll replaces each file of dir ending in ext by its .gz.
func gzipAll(dir, ext string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ext {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := writeGzip(path+".gz", data); err != nil {
			return err
		}
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	return nil
}

// writeGzip writes data gzipped at the best level, with an empty header.
func writeGzip(path string, data []byte) error {
	var b bytes.Buffer
	z, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return err
	}
	z.Write(data)
	if err := z.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// writeIcons writes the icon at 256 px and as an SVG wrapping the
// 512 px drawing (the hicolor theme's scalable size).
func writeIcons(dir string) error {
	src, err := png.Decode(bytes.NewReader(assets.Icon))
	if err != nil {
		return err
	}
	small := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	draw.CatmullRom.Scale(small, small.Bounds(), src, src.Bounds(), draw.Src, nil)
	var b bytes.Buffer
	if err := png.Encode(&b, small); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "256.png"), b.Bytes(), 0o644); err != nil {
		return err
	}
	svg := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="512" height="512" viewBox="0 0 512 512">
  <title>Signet</title>
  <image width="512" height="512" xlink:href="data:image/png;base64,%s"/>
</svg>
`, base64.StdEncoding.EncodeToString(assets.Icon))
	return os.WriteFile(filepath.Join(dir, "scalable.svg"), []byte(svg), 0o644)
}
