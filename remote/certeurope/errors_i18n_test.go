package certeurope

import (
	"net/http"
	"testing"

	"github.com/signet-sign/signet/i18n"
)

// TestSaidInTheLanguage: statuses and error answers are said in the
// person's language, the service's own words quoted as they came; the
// English (Error, logs, JSON) stays English.
func TestSaidInTheLanguage(t *testing.T) {
	lv := i18n.For("lv")
	for _, tc := range []struct {
		got, want string
	}{
		{StatusText(StatusSigned).SayIn(lv), "parakstīts"},
		{StatusText("SOMETHING_NEW").SayIn(lv), "stāvoklī SOMETHING_NEW"},
		{StatusText(StatusRefused).SayIn(i18n.For("en")), "refused"},
		{(&Error{HTTPStatus: http.StatusNotFound, Label: "NOT_FOUND", Msg: "no such request"}).Say(lv),
			"pakalpojums nezina tādu pasūtījumu vai paraksta pieprasījumu (pakalpojums saka: NOT_FOUND: no such request)"},
		{(&Error{HTTPStatus: http.StatusNotFound, Label: "NOT_FOUND"}).Error(),
			"the service knows no such order or signature request (service says: NOT_FOUND)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
