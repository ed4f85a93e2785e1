package remotesigning

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/signet-sign/signet/pdf"
)

// MetaDataFor builds signCloudMetaData for a whole-file PDF signature from
// the same options Signet uses to sign locally (pdf.Options and its
// Appearance), so a person chooses the look once for both. textColor is
// the service's TEXTCOLOR ("red"); empty keeps the service's default.
//
// The service draws the text itself from fixed parts (signer, date,
// reason, location), so free text lines cannot be sent; a certification
// that forbids changes becomes LOCKAFTERSIGNING. The document's table runs
// some key names together ("SHOWSIGNERINFOSIGNERINFOPREFIX"); its examples
// show them as separate keys ({SHOWSIGNERINFO: true, SIGNERINFOPREFIX:
// 'Signed by'}), which is what is sent. TEXTDIRECTION LEFTTORIGHT puts the
// text on the left and the image on the right.
func MetaDataFor(opts pdf.Options, textColor string) (*MetaData, error) {
	var e []MetaEntry
	add := func(k, v string) { e = append(e, MetaEntry{Key: k, Value: v}) }
	switch opts.Certify {
	case 0:
	case pdf.NoChanges:
		add("LOCKAFTERSIGNING", "true")
	default:
		return nil, errors.New("the service can only lock the document (no changes) or leave it open; it cannot certify with other permissions")
	}
	if opts.Reason != "" {
		add("SIGNREASON", opts.Reason)
	}
	if opts.Location != "" {
		add("LOCATION", opts.Location)
	}
	a := opts.Appearance
	if a == nil {
		add("VISIBLESIGNATURE", "false")
		return &MetaData{SingletonSigning: &MetaEntries{Entry: e}}, nil
	}
	if len(a.Lines) > 0 {
		return nil, errors.New("the service draws the signature text itself (signer, date, reason, location); custom text lines cannot be sent")
	}
	add("VISIBLESIGNATURE", "true")
	page := "First"
	switch {
	case a.Page < 0:
		if a.Page != -1 {
			return nil, fmt.Errorf("the service places a signature on the first, the last or a numbered page, not page %d from the end", -a.Page)
		}
		page = "Last"
	case a.Page > 1:
		page = strconv.Itoa(a.Page)
	}
	add("PAGENO", page)
	add("COORDINATE", fmt.Sprintf("%d,%d,%d,%d", int(a.Rect[0]), int(a.Rect[1]), int(a.Rect[2]), int(a.Rect[3])))
	if len(a.Image) > 0 {
		add("SIGNATUREIMAGE", base64.StdEncoding.EncodeToString(a.Image))
		add("IMAGEANDTEXT", "true")
		dir := "RIGHTTOLEFT"
		if a.ImageRight {
			dir = "LEFTTORIGHT"
		}
		add("TEXTDIRECTION", dir)
	}
	if textColor != "" {
		add("TEXTCOLOR", textColor)
	}
	add("SHOWSIGNERINFO", "true")
	add("SIGNERINFOPREFIX", "Signed by")
	add("SHOWDATETIME", "true")
	add("DATETIMEPREFIX", "Date")
	if opts.Reason != "" {
		add("SHOWREASON", "true")
		add("SIGNREASONPREFIX", "Reason")
	}
	if opts.Location != "" {
		add("SHOWLOCATION", "true")
		add("LOCATIONPREFIX", "Location")
	}
	return &MetaData{SingletonSigning: &MetaEntries{Entry: e}}, nil
}
