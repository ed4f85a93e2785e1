package pdf

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"crypto/rc4"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/signet-sign/signet/i18n"
)

// Encrypted documents: the standard security handler (PDF 32000-1
// section 7.6.3, ISO 32000-2 for AES-256), RC4 40/128 and AES-128/256,
// revisions 2 to 6.
//
// The file key comes from pdfcpu's implementation of the password
// algorithms (2, 2.A, 2.B, 3 to 7, 11, 12), run on a skeleton PDF that
// holds only the document's /Encrypt dictionary and /ID: pdfcpu's reader
// would otherwise load every object of the document. What pdfcpu does not
// export, and what a reader of single objects needs, is small and lives
// here: the per-object key (algorithm 1) and the RC4 and AES-CBC ciphers
// over strings and streams, both ways.
//
// Not encrypted, as the standard says: the /Encrypt dictionary itself,
// cross-reference streams, the /Contents of signature dictionaries, and
// (with /EncryptMetadata false) metadata streams.

var (
	// ErrPasswordRequired reports a PDF that opens only with a password.
	ErrPasswordRequired = i18n.Errorf("err.password_required", nil)
	// ErrWrongPassword reports a password that opens neither as the user
	// nor as the owner password.
	ErrWrongPassword = i18n.Errorf("err.wrong_password", nil)
	// ErrPermission reports a document whose permissions (/P) forbid what
	// Signet was asked to do; the owner password lifts them.
	ErrPermission = i18n.Errorf("err.permission", nil)
)

func init() {
	// pdfcpu would otherwise write its configuration files into the
	// user's configuration directory the first time it is asked for one.
	model.ConfigPath = "disable"
}

// permAnnotate is /P bit 6: add or modify annotations and fill in form
// fields, which a new signature field (a widget annotation) needs.
const permAnnotate = 1 << 5

// cryptAlg is how one kind of data (strings, streams) is encrypted.
type cryptAlg int

const (
	cryptNone cryptAlg = iota // Identity crypt filter
	cryptRC4
	cryptAESV2 // AES-128, per-object keys
	cryptAESV3 // AES-256, the file key itself
)

// security is an open document's decryption state.
type security struct {
	key       []byte
	strings   cryptAlg
	streams   cryptAlg
	metadata  bool // metadata streams are encrypted
	encryptNr int  // the /Encrypt dictionary's object number, 0 if direct
	p         int32
	r         int
	owner     bool // opened with the owner password: no restrictions
}

// describe names the encryption for messages.
func (s *security) describe() string {
	switch s.streams {
	case cryptAESV3:
		return "AES-256"
	case cryptAESV2:
		return "AES-128"
	case cryptRC4:
		return fmt.Sprintf("RC4 %d-bit", len(s.key)*8)
	}
	return "no cipher"
}

// openSecurity derives the file key of a document encrypted with the
// standard security handler from password, tried as the owner password
// and then as the user password ("" is the empty user password most
// encrypted PDFs have).
func openSecurity(enc types.Dict, encryptNr int, id types.Array, password string) (*security, error) {
	filter := enc.NameEntry("Filter")
	if filter == nil {
		return nil, fmt.Errorf("%w, but its /Encrypt dictionary names no security handler", ErrEncrypted)
	}
	if *filter != "Standard" {
		return nil, fmt.Errorf("%w with the %s security handler (for certificates, not a password); Signet opens only password-protected PDFs", ErrEncrypted, *filter)
	}
	s := &security{encryptNr: encryptNr, metadata: true}
	if b := enc.BooleanEntry("EncryptMetadata"); b != nil {
		s.metadata = *b
	}
	if p := enc.IntEntry("P"); p != nil {
		s.p = int32(*p)
	}
	v := 0
	if n := enc.IntEntry("V"); n != nil {
		v = *n
	}
	switch v {
	case 1, 2:
		s.strings, s.streams = cryptRC4, cryptRC4
	case 4, 5:
		var err error
		if s.strings, err = cryptFilter(enc, "StrF"); err != nil {
			return nil, err
		}
		if s.streams, err = cryptFilter(enc, "StmF"); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w with an unknown algorithm (/V %d)", ErrEncrypted, v)
	}

	skeleton := encryptSkeleton(enc, id)
	// The owner password first, with a user password that cannot match
	// (random): success then means the owner's, which lifts the
	// permissions.
	nonce := make([]byte, 16)
	rand.Read(nonce)
	other := hex.EncodeToString(nonce)
	if password != "" {
		if key, r, err := fileKey(skeleton, password, other); err == nil {
			s.key, s.r, s.owner = key, r, true
			return s, nil
		} else if !errors.Is(err, pdfcpu.ErrWrongPassword) {
			return nil, err
		}
	}
	key, r, err := fileKey(skeleton, other, password)
	if errors.Is(err, pdfcpu.ErrWrongPassword) {
		if password == "" {
			return nil, ErrPasswordRequired
		}
		return nil, ErrWrongPassword
	}
	if err != nil {
		return nil, err
	}
	s.key, s.r = key, r
	return s, nil
}

// cryptFilter reads the method of the crypt filter named by /StmF or /StrF.
func cryptFilter(enc types.Dict, key string) (cryptAlg, error) {
	name := "Identity"
	if n := enc.NameEntry(key); n != nil {
		name = *n
	}
	if name == "Identity" {
		return cryptNone, nil
	}
	cf := enc.DictEntry("CF")
	f := cf.DictEntry(name)
	if f == nil {
		return 0, brokenf("the /Encrypt dictionary's /%s names %s, which /CF does not define", key, name)
	}
	method := "None"
	if m := f.NameEntry("CFM"); m != nil {
		method = *m
	}
	switch method {
	case "None":
		return cryptNone, nil
	case "V2":
		return cryptRC4, nil
	case "AESV2":
		return cryptAESV2, nil
	case "AESV3":
		return cryptAESV3, nil
	}
	return 0, fmt.Errorf("%w with the crypt filter method %s, which Signet does not know", ErrEncrypted, method)
}

// encryptSkeleton is a PDF of one empty page tree, the document's
// /Encrypt dictionary and its /ID: all pdfcpu needs to derive the key.
func encryptSkeleton(enc types.Dict, id types.Array) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	var offsets []int
	for _, body := range []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [] /Count 0 >>",
		enc.PDFString(),
	} {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	trailer := types.Dict{"Size": types.Integer(len(offsets) + 1), "Root": ref(1), "Encrypt": ref(3)}
	if id != nil {
		trailer["ID"] = id
	}
	fmt.Fprintf(&b, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", trailer.PDFString(), xref)
	return b.Bytes()
}

// fileKey runs pdfcpu's password check on the skeleton. The /Encrypt
// dictionary comes from the document as it is: should pdfcpu fail on it
// with a panic, that is a damaged document too.
func fileKey(skeleton []byte, ownerPW, userPW string) (key []byte, r int, err error) {
	defer func() {
		if p := recover(); p != nil {
			key, r, err = nil, 0, brokenf("the /Encrypt dictionary: %v", p)
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.OwnerPW, conf.UserPW = ownerPW, userPW
	conf.ValidationMode = model.ValidationRelaxed
	conf.Cmd = model.VALIDATE
	ctx, err := pdfcpu.Read(bytes.NewReader(skeleton), conf)
	if err != nil {
		if errors.Is(err, pdfcpu.ErrWrongPassword) {
			return nil, 0, pdfcpu.ErrWrongPassword
		}
		return nil, 0, fmt.Errorf("%w: the /Encrypt dictionary: %v", ErrBrokenPDF, err)
	}
	if ctx.EncKey == nil || ctx.E == nil {
		return nil, 0, brokenf("the /Encrypt dictionary gives no key")
	}
	return ctx.EncKey, ctx.E.R, nil
}

// checkPermission refuses, unless the owner password opened the
// document, what /P forbids: adding a signature field needs bit 6.
func (s *security) checkPermission() error {
	if s == nil || s.owner || s.p&permAnnotate != 0 {
		return nil
	}
	return fmt.Errorf("%w: adding or changing annotations and filling in form fields (a signature is a form field) is not allowed; give the owner password to sign it", ErrPermission)
}

// objectKey is the key for object nr, generation gen (algorithm 1).
func (s *security) objectKey(alg cryptAlg, nr, gen int) []byte {
	if alg == cryptAESV3 {
		return s.key
	}
	h := md5.New()
	h.Write(s.key)
	h.Write([]byte{byte(nr), byte(nr >> 8), byte(nr >> 16), byte(gen), byte(gen >> 8)})
	if alg == cryptAESV2 {
		h.Write([]byte("sAlT"))
	}
	return h.Sum(nil)[:min(len(s.key)+5, 16)]
}

// decrypt decrypts data of object nr.
func (s *security) decrypt(alg cryptAlg, nr, gen int, data []byte) ([]byte, error) {
	switch alg {
	case cryptNone:
		return data, nil
	case cryptRC4:
		c, err := rc4.NewCipher(s.objectKey(alg, nr, gen))
		if err != nil {
			return nil, err
		}
		out := make([]byte, len(data))
		c.XORKeyStream(out, data)
		return out, nil
	}
	if len(data) == 0 {
		return data, nil
	}
	if len(data) < 2*aes.BlockSize || len(data)%aes.BlockSize != 0 {
		return nil, brokenf("object %d: %d bytes are not AES-CBC data (an IV and whole blocks)", nr, len(data))
	}
	block, err := aes.NewCipher(s.objectKey(alg, nr, gen))
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data)-aes.BlockSize)
	cipher.NewCBCDecrypter(block, data[:aes.BlockSize]).CryptBlocks(out, data[aes.BlockSize:])
	pad := int(out[len(out)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, brokenf("object %d: bad AES padding (a wrong key, or damaged data)", nr)
	}
	return out[:len(out)-pad], nil
}

// encrypt encrypts data of object nr: AES with a fresh random IV.
func (s *security) encrypt(alg cryptAlg, nr, gen int, data []byte) []byte {
	switch alg {
	case cryptNone:
		return data
	case cryptRC4:
		c, _ := rc4.NewCipher(s.objectKey(alg, nr, gen)) // keys are 5 to 16 bytes
		out := make([]byte, len(data))
		c.XORKeyStream(out, data)
		return out
	}
	block, _ := aes.NewCipher(s.objectKey(alg, nr, gen)) // 16 or 32 bytes
	pad := aes.BlockSize - len(data)%aes.BlockSize
	out := make([]byte, aes.BlockSize+len(data)+pad)
	if _, err := io.ReadFull(rand.Reader, out[:aes.BlockSize]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the system's randomness is gone
	}
	copy(out[aes.BlockSize:], data)
	for i := len(out) - pad; i < len(out); i++ {
		out[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, out[:aes.BlockSize]).CryptBlocks(out[aes.BlockSize:], out[aes.BlockSize:])
	return out
}

// isSignatureDict tells a signature (or document timestamp) dictionary,
// whose /Contents is never encrypted.
func isSignatureDict(d types.Dict) bool {
	if _, ok := d["ByteRange"]; ok {
		return true
	}
	t := d.NameEntry("Type")
	return t != nil && (*t == "Sig" || *t == "DocTimeStamp")
}

// decryptObject decrypts, in place, the strings of object nr: they become
// hex strings of their plain bytes.
func (s *security) decryptObject(o types.Object, nr, gen int) (types.Object, error) {
	switch v := o.(type) {
	case types.StringLiteral:
		raw, err := types.Unescape(string(v))
		if err != nil {
			return nil, brokenf("object %d: %v", nr, err)
		}
		return s.decryptString(raw, nr, gen)
	case types.HexLiteral:
		raw, err := v.Bytes()
		if err != nil {
			return nil, brokenf("object %d: %v", nr, err)
		}
		return s.decryptString(raw, nr, gen)
	case types.Dict:
		sig := isSignatureDict(v)
		for k, e := range v {
			if sig && k == "Contents" {
				continue
			}
			d, err := s.decryptObject(e, nr, gen)
			if err != nil {
				return nil, err
			}
			v[k] = d
		}
	case types.Array:
		for i, e := range v {
			d, err := s.decryptObject(e, nr, gen)
			if err != nil {
				return nil, err
			}
			v[i] = d
		}
	}
	return o, nil
}

func (s *security) decryptString(raw []byte, nr, gen int) (types.Object, error) {
	plain, err := s.decrypt(s.strings, nr, gen, raw)
	if err != nil {
		return nil, err
	}
	return types.HexLiteral(hex.EncodeToString(plain)), nil
}

// encryptObject returns a copy of o with its strings encrypted for
// object nr; o itself (perhaps a cached, decrypted object) is unchanged.
func (s *security) encryptObject(o types.Object, nr, gen int) types.Object {
	switch v := o.(type) {
	case types.StringLiteral:
		raw, err := types.Unescape(string(v))
		if err != nil {
			raw = []byte(v)
		}
		return types.HexLiteral(hex.EncodeToString(s.encrypt(s.strings, nr, gen, raw)))
	case types.HexLiteral:
		raw, err := v.Bytes()
		if err != nil {
			raw = nil
		}
		return types.HexLiteral(hex.EncodeToString(s.encrypt(s.strings, nr, gen, raw)))
	case types.Dict:
		out := make(types.Dict, len(v))
		for k, e := range v {
			out[k] = s.encryptObject(e, nr, gen)
		}
		return out
	case types.Array:
		out := make(types.Array, len(v))
		for i, e := range v {
			out[i] = s.encryptObject(e, nr, gen)
		}
		return out
	}
	return o
}

// streamAlg is how the data of a stream with dictionary dict is
// encrypted: not at all for xref streams, metadata left in clear text,
// and streams whose own /Crypt filter says Identity.
func (s *security) streamAlg(dict types.Dict) cryptAlg {
	if t := dict.NameEntry("Type"); t != nil {
		if *t == "XRef" || (*t == "Metadata" && !s.metadata) {
			return cryptNone
		}
	}
	if f, ok := dict["Filter"].(types.Array); ok && len(f) > 0 {
		if n, ok := f[0].(types.Name); ok && n == "Crypt" {
			return cryptNone // only the Identity filter is in use with the standard handler in practice
		}
	}
	if n, ok := dict["Filter"].(types.Name); ok && n == "Crypt" {
		return cryptNone
	}
	return s.streams
}

// decryptingReader returns the plain bytes of a stream's raw data: RC4 as
// a stream, AES (whose padding is at the end) read whole, within limit.
func (s *security) decryptingReader(alg cryptAlg, nr, gen int, raw io.Reader, rawLen, limit int64) (io.Reader, error) {
	switch alg {
	case cryptNone:
		return raw, nil
	case cryptRC4:
		c, err := rc4.NewCipher(s.objectKey(alg, nr, gen))
		if err != nil {
			return nil, err
		}
		return &cipher.StreamReader{S: c, R: raw}, nil
	}
	if rawLen > limit+2*aes.BlockSize {
		return nil, tooComplexf("one stream may decode to %d MB (Limits.Stream)", limit>>20)
	}
	data := make([]byte, rawLen)
	if _, err := io.ReadFull(raw, data); err != nil {
		return nil, fmt.Errorf("read PDF: %w", err)
	}
	plain, err := s.decrypt(alg, nr, gen, data)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(plain), nil
}

// encryption names the document's encryption, "" when there is none.
func (d *document) encryption() string {
	if d.sec == nil {
		return ""
	}
	return d.sec.describe()
}

// Unlock tells whether password opens the PDF in r: nil for a document
// that is not encrypted or that it opens, else ErrPasswordRequired or
// ErrWrongPassword. With toSign it also checks that the permissions allow
// adding a signature (ErrPermission), as [Sign] will.
func Unlock(r io.ReaderAt, size int64, password string, toSign bool) (err error) {
	defer RecoverBug("", &err)
	d, err := openDocumentLimits(r, size, Limits{}, password)
	if err != nil {
		return err
	}
	if toSign {
		return d.sec.checkPermission()
	}
	return nil
}
