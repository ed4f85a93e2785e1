package biometrid

import (
	"encoding/json"
	"testing"
)

// FuzzDecode feeds arbitrary answers to the decoding of both calls: a
// value or an error with words in it, never a panic.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"status":true,"message":"Success! Next step: invoke ValidateOTP","processId":"bdb972f1-4ec4-444c-8f64-68e888c01e09"}`,
		`{"status":false,"data":{"message":"INVALID_IDENTIFIER"}}`,
		`{"status":false,"data":{"message":"CLIENT_NOT_FOUND/CHECK_AUTHENTICATION_HEADERS"}}`,
		`{"status":true,"message":"Success","document":"JVBERi0xLjcK"}`,
		`{"status":false,"message":"x","data":"not an object"}`,
		`<html>502</html>`,
	} {
		f.Add([]byte(seed), 200)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if status < 100 || status > 599 {
			status = 200
		}
		fields, err := decode("/p", status, body)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		var s string
		_ = json.Unmarshal(fields["processId"], &s)
		_ = json.Unmarshal(fields[DefaultOTPStep.DocumentField], &s)
	})
}
