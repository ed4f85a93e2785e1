// Package asice reads, verifies and writes ASiC-E containers (.asice,
// .edoc, .bdoc; ETSI EN 319 162-1): a zip whose first entry is the stored
// "mimetype", data files, META-INF/manifest.xml listing them, and
// META-INF/*signatures*.xml with XAdES baseline signatures (ETSI EN 319
// 132-1, B-B to B-LTA) over them.
//
// Open reads a container and checks its structure; Verify checks its
// signatures (xades.go); Prepare, Extend, Write and AddSignature make
// them (write.go, ltv.go). A container is untrusted input: the zip is read under limits on the number
// of entries, each entry's and the total uncompressed size (zip bombs),
// and entry names that leave the container (../, absolute paths,
// backslashes) are refused.
package asice

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
)

// MimeType is the content of an ASiC-E container's mimetype entry.
const MimeType = "application/vnd.etsi.asic-e+zip"

var (
	// ErrNotContainer reports input that is not a zip container.
	ErrNotContainer = errors.New("not an ASiC-E container")
	// ErrUnsafe reports a container refused for what it would do to the
	// reader: too many entries, too much data, names leaving it.
	ErrUnsafe = errors.New("container refused")
)

// Limits bound what reading one container may cost.
type Limits struct {
	Entries int   // entries in the zip
	Entry   int64 // uncompressed bytes of one entry
	Total   int64 // uncompressed bytes of all entries together
}

// DefaultLimits suit the containers people sign (documents, scans):
// 10,000 entries, 512 MB each, 1 GB together.
func DefaultLimits() Limits {
	return Limits{Entries: 10_000, Entry: 512 << 20, Total: 1 << 30}
}

// Status and Check are PDF verification's: containers and PDFs report
// alike.
type (
	Status = pdf.Status
	Check  = pdf.Check
)

const (
	Passed  = pdf.Passed
	Failed  = pdf.Failed
	Warning = pdf.Warning
)

// File is a data file of the container.
type File struct {
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType,omitempty"` // as the manifest says
	Data     []byte `json:"-"`
}

// Container is a container as read: its data files, signature files and
// what its structure shows.
type Container struct {
	Files []File
	// Signatures are the META-INF signature documents, by entry name.
	Signatures map[string][]byte
	Checks     []Check
	byName     map[string]int // Files by name, made by Open
}

// indexFiles makes byName from Files.
func (c *Container) indexFiles() {
	c.byName = make(map[string]int, len(c.Files))
	for i, f := range c.Files {
		c.byName[f.Name] = i
	}
}

// check is a check whose detail is the message id of the i18n catalogue
// with its data: front ends say it in the person's language; Detail is
// its English, the same everywhere (machine output), as PDF checks do.
func check(name string, st Status, id string, data map[string]any) Check {
	return Check{Name: name, Status: st, Detail: i18n.In(i18n.For("en"), id, -1, data), ID: id, Data: data}
}

// Valid tells whether no structural check failed.
func (c *Container) Valid() bool {
	return !slices.ContainsFunc(c.Checks, func(k Check) bool { return k.Status == Failed })
}

// Open reads the container in r (size bytes) under lim (zero fields take
// DefaultLimits).
func Open(r io.ReaderAt, size int64, lim Limits) (*Container, error) {
	def := DefaultLimits()
	if lim.Entries <= 0 {
		lim.Entries = def.Entries
	}
	if lim.Entry <= 0 {
		lim.Entry = def.Entry
	}
	if lim.Total <= 0 {
		lim.Total = def.Total
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotContainer, err)
	}
	if len(zr.File) > lim.Entries {
		return nil, fmt.Errorf("%w: %d entries, more than the %d allowed", ErrUnsafe, len(zr.File), lim.Entries)
	}
	c := &Container{Signatures: map[string][]byte{}}
	add := func(name string, st Status, id string, data map[string]any) {
		c.Checks = append(c.Checks, check(name, st, id, data))
	}
	seen := map[string]bool{}
	var total int64
	var manifest []byte
	for i, f := range zr.File {
		if err := safeName(f.Name); err != nil {
			return nil, err
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("%w: the entry %q appears twice", ErrUnsafe, f.Name)
		}
		seen[f.Name] = true
		if f.FileInfo().IsDir() {
			continue
		}
		data, err := readEntry(f, lim.Entry, lim.Total-total)
		if err != nil {
			return nil, err
		}
		total += int64(len(data))
		switch {
		case f.Name == "mimetype":
			switch {
			case i != 0:
				add("mimetype", Failed, "asice.mimetype_not_first", nil)
			case f.Method != zip.Store:
				add("mimetype", Failed, "asice.mimetype_compressed", nil)
			case string(data) != MimeType:
				add("mimetype", Failed, "asice.mimetype_wrong", map[string]any{"Got": string(data), "Want": MimeType})
			default:
				add("mimetype", Passed, "asice.mimetype_ok", map[string]any{"Type": MimeType})
			}
		case f.Name == "META-INF/manifest.xml":
			manifest = data
		case strings.HasPrefix(f.Name, "META-INF/"):
			if base := path.Base(f.Name); strings.Contains(base, "signatures") && strings.HasSuffix(base, ".xml") {
				c.Signatures[f.Name] = data
			}
		default:
			c.Files = append(c.Files, File{Name: f.Name, Size: int64(len(data)), Data: data})
		}
	}
	c.indexFiles()
	if !seen["mimetype"] {
		add("mimetype", Failed, "asice.mimetype_missing", nil)
	}
	c.checkManifest(manifest, add)
	if len(c.Signatures) == 0 {
		add("signatures", Warning, "asice.no_signatures", nil)
	}
	return c, nil
}

// safeName refuses entry names that would leave the container when
// extracted, or that name it ambiguously.
func safeName(name string) error {
	if name == "" || strings.Contains(name, "\\") || strings.HasPrefix(name, "/") || !fs.ValidPath(strings.TrimSuffix(name, "/")) {
		return fmt.Errorf("%w: the entry name %q leaves the container or is not a plain path", ErrUnsafe, name)
	}
	return nil
}

// readEntry reads one entry, within its limit and what is left of the
// total; the declared size is not trusted.
func readEntry(f *zip.File, limit, left int64) ([]byte, error) {
	limit = min(limit, left)
	if f.UncompressedSize64 > uint64(max(limit, 0)) {
		return nil, fmt.Errorf("%w: the entry %q would be %d bytes uncompressed, more than allowed (%d)", ErrUnsafe, f.Name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: entry %q: %v", ErrNotContainer, f.Name, err)
	}
	defer rc.Close()
	var b bytes.Buffer
	n, err := io.Copy(&b, io.LimitReader(rc, limit+1))
	if n > limit {
		return nil, fmt.Errorf("%w: the entry %q decompresses to more than allowed (%d bytes)", ErrUnsafe, f.Name, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: entry %q: %v", ErrNotContainer, f.Name, err)
	}
	return b.Bytes(), nil
}

// manifestXML is META-INF/manifest.xml (OASIS OpenDocument manifest, as
// ETSI EN 319 162-1 section A.1 uses it).
type manifestXML struct {
	Entries []struct {
		FullPath  string `xml:"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0 full-path,attr"`
		MediaType string `xml:"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0 media-type,attr"`
	} `xml:"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0 file-entry"`
}

// checkManifest checks that the manifest lists exactly the data files.
func (c *Container) checkManifest(data []byte, add func(string, Status, string, map[string]any)) {
	if data == nil {
		add("manifest", Failed, "asice.manifest_missing", nil)
		return
	}
	var m manifestXML
	if err := xml.Unmarshal(data, &m); err != nil {
		add("manifest", Failed, "asice.manifest_bad", map[string]any{"Err": err})
		return
	}
	listed := map[string]string{}
	for _, e := range m.Entries {
		if e.FullPath != "/" {
			listed[e.FullPath] = e.MediaType
		}
	}
	var missing, extra []string
	for i, f := range c.Files {
		mt, ok := listed[f.Name]
		if !ok {
			missing = append(missing, f.Name)
			continue
		}
		c.Files[i].MimeType = mt
		delete(listed, f.Name)
	}
	for name := range listed {
		extra = append(extra, name)
	}
	slices.Sort(extra)
	if len(missing) > 0 {
		add("manifest", Failed, "asice.manifest_unlisted", map[string]any{"Files": strings.Join(missing, ", ")})
	}
	if len(extra) > 0 {
		add("manifest", Failed, "asice.manifest_extra", map[string]any{"Files": strings.Join(extra, ", ")})
	}
	if len(missing)+len(extra) == 0 {
		add("manifest", Passed, "asice.manifest_ok", map[string]any{"Count": len(c.Files)})
	}
}
