package eparaksts

import "testing"

// FuzzDecode feeds arbitrary answers to the response decoding of every
// call: an error or a value, never a panic.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"sessionDigests":[{"sessionId":"a","digest":"4xZX5G+R4gTbK2r6RlismZw4EBftvbSDcE3lXfpLMM4="}],"digests_summary":"x","algorithm":"SHA256"}}`,
		`{"data":{"results":[{"sessionId":"a","error":{"code":"E","message":"m"}}]}}`,
		`{"error":{"code":"INVALID","message":"bad","details":["d"]}}`,
		`{"data":{"sessionId":"abc"}}`,
		`{"data":[{"id":"1","name":"a.pdf","size":3,"type":"application/pdf","includedDocuments":[]}]}`,
		`{"data":"-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var d Digests
		if decode("/x", body, &d) == nil {
			for _, s := range d.SessionDigests {
				s.Err()
				s.Bytes()
			}
		}
		var r struct{ Results []Result }
		if decode("/x", body, &r) == nil {
			for _, res := range r.Results {
				res.Err()
			}
		}
		var docs []Document
		decode("/x", body, &docs)
		if msg := apiErrorFrom("/x", 500, body).Error(); msg == "" {
			t.Fatal("empty error message")
		}
	})
}
