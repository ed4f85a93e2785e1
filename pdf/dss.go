package pdf

import (
	"fmt"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// appendDSS writes, after the PDF in r, an incremental update adding a
// Document Security Store (ETSI EN 319 142-1 section 5.4.2) with the given
// certificates, OCSP responses and CRLs, and returns the update's bytes.
// It is the validation data of PAdES B-LT; signing at that level will build
// on it.
func appendDSS(r io.ReaderAt, size int64, password string, certs, ocsps, crls [][]byte) ([]byte, error) {
	d, err := openDocumentLimits(r, size, Limits{}, password)
	if err != nil {
		return nil, err
	}
	last := make([]byte, 1)
	if _, err := r.ReadAt(last, size-1); err != nil {
		return nil, err
	}
	u := newUpdate(d, last[0] == '\n' || last[0] == '\r')
	cat, catNr, err := d.catalog()
	if err != nil {
		return nil, err
	}
	dss := types.Dict{"Type": types.Name("DSS")}
	for key, items := range map[string][][]byte{"Certs": certs, "OCSPs": ocsps, "CRLs": crls} {
		if len(items) == 0 {
			continue
		}
		var arr types.Array
		for _, item := range items {
			nr := u.alloc()
			u.writeStream(nr, types.Dict{"Filter": types.Name("FlateDecode")}, deflate(item))
			arr = append(arr, ref(nr))
		}
		dss[key] = arr
	}
	dssNr := u.alloc()
	u.writeObject(dssNr, dss)
	cat = cat.Clone().(types.Dict)
	cat["DSS"] = ref(dssNr)
	u.writeObject(catNr, cat)
	u.writeXRef()
	if u.buf.Len() == 0 {
		return nil, fmt.Errorf("empty DSS update")
	}
	return u.buf.Bytes(), nil
}
