package testcard

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

// libcacard is opened at run time (Debian's libcacard0), so that building
// the tests needs neither its headers nor glib's and NSS's. The
// prototypes are libcacard 2.8's (vcard_emul.h, vreader.h); its handles
// are opaque here.
typedef void *(*options_fn)(const char *);
typedef int (*init_fn)(const void *);
typedef void *(*reader_by_name_fn)(const char *);
typedef int (*power_on_fn)(void *, unsigned char *, int *);
typedef int (*power_off_fn)(void *);
typedef int (*xfr_fn)(void *, unsigned char *, int, unsigned char *, int *);

static void *lib;
static options_fn p_options;
static init_fn p_init;
static reader_by_name_fn p_reader_by_name;
static power_on_fn p_power_on;
static power_off_fn p_power_off;
static xfr_fn p_xfr;

static const char *cacard_open(void) {
	lib = dlopen("libcacard.so.0", RTLD_NOW);
	if (!lib) return dlerror();
	p_options = (options_fn)dlsym(lib, "vcard_emul_options");
	p_init = (init_fn)dlsym(lib, "vcard_emul_init");
	p_reader_by_name = (reader_by_name_fn)dlsym(lib, "vreader_get_reader_by_name");
	p_power_on = (power_on_fn)dlsym(lib, "vreader_power_on");
	p_power_off = (power_off_fn)dlsym(lib, "vreader_power_off");
	p_xfr = (xfr_fn)dlsym(lib, "vreader_xfr_bytes");
	if (!p_options || !p_init || !p_reader_by_name || !p_power_on || !p_power_off || !p_xfr)
		return "libcacard.so.0 lacks a function of libcacard 2.8";
	return NULL;
}

static int cacard_init(const char *args) {
	void *opts = p_options(args);
	if (!opts) return -1;
	return p_init(opts);
}
static void *cacard_reader(const char *name) { return p_reader_by_name(name); }
static int cacard_power_on(void *r, unsigned char *atr, int *len) { return p_power_on(r, atr, len); }
static int cacard_power_off(void *r) { return p_power_off(r); }
static int cacard_xfr(void *r, unsigned char *in, int n, unsigned char *out, int *outlen) {
	return p_xfr(r, in, n, out, outlen);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// emulator is a CAC card emulated by libcacard from an NSS database.
type emulator struct{ reader unsafe.Pointer }

// newEmulator starts libcacard's software card: the NSS database at db
// (its password is the PIN) holds the certificates named by nicknames,
// the first one's key being the card's signing key. The card sits in a
// virtual reader of libcacard's own named readerName.
func newEmulator(db, readerName string, nicknames []string) (*emulator, error) {
	if msg := C.cacard_open(); msg != nil {
		return nil, fmt.Errorf("libcacard: %s", C.GoString(msg))
	}
	// vcard_emul_options' syntax: soft=(<card name>,<reader>,<type>,<type
	// params>,<cert nickname>,…); db= names the NSS database.
	certs := ""
	for _, n := range nicknames {
		certs += "," + n
	}
	args := fmt.Sprintf(`db="sql:%s" use_hw=no soft=(,%s,CAC,%s)`, db, readerName, certs)
	cargs := C.CString(args)
	defer C.free(unsafe.Pointer(cargs))
	if rc := C.cacard_init(cargs); rc != 0 {
		return nil, fmt.Errorf("libcacard: vcard_emul_init(%s) failed (%d)", args, int(rc))
	}
	cname := C.CString(readerName)
	defer C.free(unsafe.Pointer(cname))
	r := C.cacard_reader(cname)
	if r == nil {
		return nil, errors.New("libcacard: the virtual reader was not created")
	}
	return &emulator{reader: r}, nil
}

// powerOn resets the card and returns its ATR.
func (e *emulator) powerOn() ([]byte, error) {
	var atr [64]C.uchar
	n := C.int(len(atr))
	if rc := C.cacard_power_on(e.reader, &atr[0], &n); rc != 0 {
		return nil, fmt.Errorf("libcacard: power on: status %d", int(rc))
	}
	return C.GoBytes(unsafe.Pointer(&atr[0]), n), nil
}

func (e *emulator) powerOff() { C.cacard_power_off(e.reader) }

// transmit sends a command APDU and returns the card's response APDU.
func (e *emulator) transmit(apdu []byte) ([]byte, error) {
	if len(apdu) == 0 {
		return nil, errors.New("empty APDU")
	}
	in := C.CBytes(apdu)
	defer C.free(in)
	var out [65536 + 2]C.uchar
	n := C.int(len(out))
	if rc := C.cacard_xfr(e.reader, (*C.uchar)(in), C.int(len(apdu)), &out[0], &n); rc != 0 {
		return nil, fmt.Errorf("libcacard: transfer: status %d", int(rc))
	}
	return C.GoBytes(unsafe.Pointer(&out[0]), n), nil
}
