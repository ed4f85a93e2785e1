package remotesigning

import "testing"

// FuzzDecode feeds arbitrary answers to the response decoding: an error
// or a value, never a panic.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"responseCode":0,"responseMessage":"SUCCESSFULLY","billCode":"b","signatureValue":"AAEC"}`,
		`{"responseCode":1007,"responseMessage":"REQUEST ACCEPTED","billCode":"b","status":true}`,
		`{"responseCode":1004,"responseMessage":"INVALID AUTHORIZATION CODE","remainingCounter":2}`,
		`{"responseCode":0,"signatureValues":["AAEC","AwQF"]}`,
		`{"signedFiles":[{"fileName":"a.pdf","base64":"JVBERg==","mimeType":"application/pdf"}]}`,
		`{"error":{"statusCode":"401","name":"UnauthorizedError","message":"Invalid username or password"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := decode("/x", body)
		if err != nil {
			return
		}
		for _, pending := range []bool{false, true} {
			if err := check("/x", r, pending); err != nil && err.Error() == "" {
				t.Fatal("empty error message")
			}
		}
		signatures("/x", r, 1)
		signatures("/x", r, 2)
	})
}
