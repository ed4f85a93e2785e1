package remotesigning

import (
	"encoding/base64"
	"fmt"
	"strconv"
)

// Look is how a person wants a visible signature to look, the same choices
// Signet offers for local signing (pdf.Appearance and its options), so it
// is chosen once for both.
type Look struct {
	// Page is 1-based; 0 the first page, negative the last.
	Page int
	// Rect is lower-left x, y, upper-right x, y in points.
	Rect       [4]float64
	Image      []byte // PNG or JPEG
	ImageRight bool   // image right of the text
	TextColor  string // e.g. "red"; the service's default when empty
	Reason     string
	Location   string
	// Lock forbids further signatures (LOCKAFTERSIGNING).
	Lock bool
}

// MetaData builds signCloudMetaData for a visible PDF signature from l.
//
// The document's table runs some key names together
// ("SHOWSIGNERINFOSIGNERINFOPREFIX"); its examples show them as separate
// keys ({SHOWSIGNERINFO: true, SIGNERINFOPREFIX: 'Signed by'}), which is
// what is sent. TEXTDIRECTION LEFTTORIGHT puts the text on the left and
// the image on the right.
func (l Look) MetaData() *MetaData {
	var e []MetaEntry
	add := func(k, v string) { e = append(e, MetaEntry{Key: k, Value: v}) }
	add("VISIBLESIGNATURE", "true")
	page := "First"
	switch {
	case l.Page < 0:
		page = "Last"
	case l.Page > 1:
		page = strconv.Itoa(l.Page)
	}
	add("PAGENO", page)
	add("COORDINATE", fmt.Sprintf("%d,%d,%d,%d", int(l.Rect[0]), int(l.Rect[1]), int(l.Rect[2]), int(l.Rect[3])))
	if len(l.Image) > 0 {
		add("SIGNATUREIMAGE", base64.StdEncoding.EncodeToString(l.Image))
		add("IMAGEANDTEXT", "true")
		dir := "RIGHTTOLEFT"
		if l.ImageRight {
			dir = "LEFTTORIGHT"
		}
		add("TEXTDIRECTION", dir)
	}
	if l.TextColor != "" {
		add("TEXTCOLOR", l.TextColor)
	}
	add("SHOWSIGNERINFO", "true")
	add("SIGNERINFOPREFIX", "Signed by")
	add("SHOWDATETIME", "true")
	add("DATETIMEPREFIX", "Date")
	if l.Reason != "" {
		add("SHOWREASON", "true")
		add("SIGNREASONPREFIX", "Reason")
		add("SIGNREASON", l.Reason)
	}
	if l.Location != "" {
		add("SHOWLOCATION", "true")
		add("LOCATIONPREFIX", "Location")
		add("LOCATION", l.Location)
	}
	if l.Lock {
		add("LOCKAFTERSIGNING", "true")
	}
	return &MetaData{SingletonSigning: &MetaEntries{Entry: e}}
}
