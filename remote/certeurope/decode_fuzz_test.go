package certeurope

import (
	"encoding/json"
	"testing"
)

// FuzzDecode feeds arbitrary bodies to what reads SignAPI's answers.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"signatureRequestId":"1458996","externalSignatureRequestId":"RR3","orderRequestId":"28555","externalOrderRequestId":"UY3","status":"SIGNED","reason":"","signedContent":"JVBERg==","signingDate":"2017-09-28T12:08:03Z"}`,
		`[{"signatureRequestId":"1","status":"SIGN_FAILED","reason":"x"}]`,
		`{"errorLabel":"INVALID_OTP","errorMsg":"invalid OTP, 2 tries left"}`,
		`{"message":"Forbidden"}`, `<html>`,
	} {
		f.Add([]byte(seed), 400)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		err := errorFrom("GET /x", status, body)
		var e *Error
		if err.Error() == "" || (err.(*Error)).TriesLeft() < -1 {
			t.Fatal("empty error or negative tries")
		}
		_ = e
		var s Status
		if json.Unmarshal(body, &s) == nil {
			_ = StatusWords(s.Status)
			_ = Final(s.Status)
		}
		var list []Status
		_ = json.Unmarshal(body, &list)
	})
}
