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
	"cmp"
	"crypto"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/pdf"
)

// MimeType is the content of an ASiC-E container's mimetype entry.
const MimeType = "application/vnd.etsi.asic-e+zip"

var (
	// ErrNotContainer reports input that is not a zip container.
	ErrNotContainer = i18n.Errorf("err.not_container", nil)
	// ErrUnsafe reports a container refused for what it would do to the
	// reader: too many entries, too much data, names leaving it.
	ErrUnsafe = i18n.Errorf("err.container_refused", nil)
)

// Limits bound what reading one container may cost. What is checked
// against them is what is produced, not what the zip declares (archive/zip
// refuses an entry that decompresses to more than its declared size, and
// Open refuses declared sizes over the limits before reading anything).
type Limits struct {
	Entries int   // entries in the zip
	Entry   int64 // uncompressed bytes of one data file
	Total   int64 // uncompressed bytes of all entries together
	// Manifest and Signature bound META-INF/manifest.xml and each
	// signature document, which are read whole into memory (the data
	// files never are: they are hashed as they stream).
	Manifest  int64
	Signature int64
	// References bounds the ds:References of one signature, and, times
	// 10, of all the container's signatures together: each costs a
	// lookup and possibly hashing before the signature is trusted.
	References int
}

// DefaultLimits suit the containers people sign (documents, scans):
// 10,000 entries, 512 MB each, 1 GB together; a 4 MB manifest, 16 MB
// signature documents, 1,000 references a signature.
func DefaultLimits() Limits {
	return Limits{Entries: 10_000, Entry: 512 << 20, Total: 1 << 30, Manifest: 4 << 20, Signature: 16 << 20, References: 1000}
}

// withDefaults fills lim's zero fields from DefaultLimits.
func (lim Limits) withDefaults() Limits {
	def := DefaultLimits()
	lim.Entries = cmp.Or(max(lim.Entries, 0), def.Entries)
	lim.Entry = cmp.Or(max(lim.Entry, 0), def.Entry)
	lim.Total = cmp.Or(max(lim.Total, 0), def.Total)
	lim.Manifest = cmp.Or(max(lim.Manifest, 0), def.Manifest)
	lim.Signature = cmp.Or(max(lim.Signature, 0), def.Signature)
	lim.References = cmp.Or(max(lim.References, 0), def.References)
	return lim
}

// maxMimetype bounds the mimetype entry: it holds one media type.
const maxMimetype = 256

// maxSignatureDocuments bounds the META-INF signature documents of one
// container (each usually holds one signature).
const maxSignatureDocuments = 1000

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

// File is a data file of the container, or one to put in a container.
// A file read from a container is not held in memory: [File.Open] streams
// it from the zip. A file to sign is given whole in Data.
type File struct {
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType,omitempty"` // as the manifest says
	Data     []byte `json:"-"`
	zf       *zip.File
}

// Open reads the file: from Data, or streamed from the container, its
// size and CRC checked by archive/zip as it ends.
func (f File) Open() (io.ReadCloser, error) {
	if f.zf == nil {
		return io.NopCloser(bytes.NewReader(f.Data)), nil
	}
	rc, err := f.zf.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: entry %q: %v", ErrDamaged, f.Name, err)
	}
	return rc, nil
}

// Container is a container as read: its data files, signature files and
// what its structure shows.
type Container struct {
	Files []File
	// Signatures are the META-INF signature documents, by entry name.
	Signatures map[string][]byte
	Checks     []Check
	byName     map[string]int // Files by name, made by Open
	lim        Limits

	// digests caches each data file's digest by hash: however many
	// references point at a file, it is hashed once per algorithm.
	digestsMu    sync.Mutex
	digests      map[fileDigest][]byte
	refsSpent    int   // references of the signatures verified so far
	archiveSpent int64 // data-file bytes hashed for archive timestamps
}

type fileDigest struct {
	name string
	hash crypto.Hash
}

// indexFiles makes byName from Files.
func (c *Container) indexFiles() {
	c.byName = make(map[string]int, len(c.Files))
	for i, f := range c.Files {
		c.byName[f.Name] = i
	}
}

// check is a container check: pdf.NewCheck, which says it in the
// person's language and makes what comes from the file printable.
func check(name string, st Status, id string, data map[string]any) Check {
	return pdf.NewCheck(name, st, id, data)
}

// listed is a list of names made printable already (escape.List).
type listed = pdf.Printable

// maxListed bounds the names a check lists: a manifest of two million
// entries is told in one short line.
const maxListed = 20

// Valid tells whether no structural check failed.
func (c *Container) Valid() bool {
	return !slices.ContainsFunc(c.Checks, func(k Check) bool { return k.Status == Failed })
}

// Open reads the container in r (size bytes) under lim (zero fields take
// DefaultLimits): its zip structure (the central directory and every
// local header, which must agree), the mimetype, the manifest and the
// signature documents. Data files are not read here: they are hashed as
// they stream when a signature is verified. r must stay readable while
// the Container is used.
func Open(r io.ReaderAt, size int64, lim Limits) (*Container, error) {
	lim = lim.withDefaults()
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotContainer, err)
	}
	if len(zr.File) > lim.Entries {
		return nil, fmt.Errorf("%w: %d entries, more than the %d allowed", ErrUnsafe, len(zr.File), lim.Entries)
	}
	if err := checkLayout(r, size, zr.File); err != nil {
		return nil, err
	}
	// Every size is known from the directory, and archive/zip holds each
	// entry to its size: the budgets are checked before anything is
	// decompressed.
	seen := make(map[string]bool, len(zr.File))
	folded := make(map[string]string, len(zr.File))
	var total, sigBytes uint64
	sigDocs := 0
	for _, f := range zr.File {
		if err := safeName(f.Name); err != nil {
			return nil, err
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("%w: the entry “%s” appears twice", ErrUnsafe, escape.Text(f.Name))
		}
		seen[f.Name] = true
		// Two names that one file system takes for one file (Doc.txt
		// and doc.txt on a case-insensitive one; composed and decomposed
		// accents on another): extracting one overwrites the other.
		key := strings.ToLower(norm.NFC.String(f.Name))
		if other, clash := folded[key]; clash {
			return nil, fmt.Errorf("%w: the entries “%s” and “%s” name one file where case or accents are not told apart", ErrUnsafe, escape.Text(other), escape.Text(f.Name))
		}
		folded[key] = f.Name
		// A directory is a name ending in "/", holding nothing: what the
		// external attributes say is not trusted (an entry flagged as a
		// directory is extracted as a file by other readers).
		if strings.HasSuffix(f.Name, "/") && f.UncompressedSize64 != 0 {
			return nil, fmt.Errorf("%w: the folder entry “%s” holds data", ErrUnsafe, escape.Text(f.Name))
		}
		limit := uint64(lim.Entry)
		switch {
		case f.Name == "mimetype":
			limit = maxMimetype
		case f.Name == "META-INF/manifest.xml":
			limit = uint64(lim.Manifest)
		case isSignatureDocument(f.Name):
			limit = uint64(lim.Signature)
			// All signature documents are held while verifying: their
			// number and bytes together are bounded too.
			sigDocs++
			if sigBytes += f.UncompressedSize64; sigDocs > maxSignatureDocuments || sigBytes > 4*uint64(lim.Signature) {
				return nil, fmt.Errorf("%w: more than %d signature documents, or more than %d bytes of them", ErrUnsafe, maxSignatureDocuments, 4*lim.Signature)
			}
		}
		if f.UncompressedSize64 > limit {
			return nil, fmt.Errorf("%w: the entry “%s” is %d bytes uncompressed, more than the %d allowed", ErrUnsafe, escape.Text(f.Name), f.UncompressedSize64, limit)
		}
		if total += f.UncompressedSize64; total > uint64(lim.Total) {
			return nil, fmt.Errorf("%w: the entries are more than %d bytes uncompressed together", ErrUnsafe, lim.Total)
		}
	}

	c := &Container{Signatures: map[string][]byte{}, lim: lim}
	add := func(name string, st Status, id string, data map[string]any) {
		c.Checks = append(c.Checks, check(name, st, id, data))
	}
	var manifest []byte
	for i, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		switch {
		case f.Name == "mimetype":
			data, err := readEntry(f)
			if err != nil {
				return nil, err
			}
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
			if manifest, err = readEntry(f); err != nil {
				return nil, err
			}
		case isSignatureDocument(f.Name):
			if c.Signatures[f.Name], err = readEntry(f); err != nil {
				return nil, err
			}
		case strings.HasPrefix(f.Name, "META-INF/"):
		default:
			c.Files = append(c.Files, File{Name: f.Name, Size: int64(f.UncompressedSize64), zf: f})
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

// isSignatureDocument: META-INF/*signatures*.xml (ETSI EN 319 162-1 A.1).
func isSignatureDocument(name string) bool {
	dir, base := path.Split(name)
	return dir == "META-INF/" && strings.Contains(base, "signatures") && strings.HasSuffix(base, ".xml")
}

// safeName refuses entry names that would leave the container when
// extracted, or that name it ambiguously.
func safeName(name string) error {
	if name == "" || strings.Contains(name, "\\") || strings.HasPrefix(name, "/") || !fs.ValidPath(strings.TrimSuffix(name, "/")) {
		return fmt.Errorf("%w: the entry name “%s” leaves the container or is not a plain path", ErrUnsafe, escape.Text(name))
	}
	// NUL ends a name for C readers (unzip keeps what precedes it);
	// control characters and invalid UTF-8 name no file alike anywhere.
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return fmt.Errorf("%w: the entry name “%s” holds control characters or is not UTF-8", ErrUnsafe, escape.Text(name))
	}
	return nil
}

// readEntry reads a small entry whole: its declared size is within its
// budget (checked by Open), and archive/zip stops it there.
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: entry “%s”: %v", ErrDamaged, escape.Text(f.Name), err)
	}
	defer rc.Close()
	b := make([]byte, 0, f.UncompressedSize64)
	buf := bytes.NewBuffer(b)
	if _, err := io.Copy(buf, io.LimitReader(rc, int64(f.UncompressedSize64)+1)); err != nil {
		return nil, fmt.Errorf("%w: entry “%s”: %v", ErrDamaged, escape.Text(f.Name), err)
	}
	if uint64(buf.Len()) != f.UncompressedSize64 {
		return nil, fmt.Errorf("%w: entry “%s” is not the size its directory record says", ErrDamaged, escape.Text(f.Name))
	}
	return buf.Bytes(), nil
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
	inManifest := map[string]string{}
	for _, e := range m.Entries {
		if e.FullPath != "/" {
			inManifest[e.FullPath] = e.MediaType
		}
	}
	var missing, extra []string
	for i, f := range c.Files {
		mt, ok := inManifest[f.Name]
		if !ok {
			missing = append(missing, f.Name)
			continue
		}
		c.Files[i].MimeType = mt
		delete(inManifest, f.Name)
	}
	for name := range inManifest {
		extra = append(extra, name)
	}
	slices.Sort(extra)
	if len(missing) > 0 {
		add("manifest", Failed, "asice.manifest_unlisted", map[string]any{"Files": listed(escape.List(missing, maxListed))})
	}
	if len(extra) > 0 {
		add("manifest", Failed, "asice.manifest_extra", map[string]any{"Files": listed(escape.List(extra, maxListed))})
	}
	if len(missing)+len(extra) == 0 {
		add("manifest", Passed, "asice.manifest_ok", map[string]any{"Count": len(c.Files)})
	}
}
