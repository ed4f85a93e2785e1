package aadhaar

import (
	"encoding/json"
	"testing"
)

// FuzzDecode feeds arbitrary bodies to what reads the service's answers
// and notifications: a value or an error with words, never a panic.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"documentId":"d","id":"r","redirectUrl":"https://x","signers":[{"displayName":"A","id":"s","identifier":"1","signatureDetails":null,"errCode":null,"status":"pending","url":"https://x/p"}],"status":"sign_initiated"}`,
		`{"error":{"code":"signature_request_not_found","detail":"Signature Request Not Found.","traceId":"t"}}`,
		`{"data":{"esign":{"id":"r","documentId":"d","status":"sign_complete","signers":[{"displayName":"A","id":"s","identifier":"1","status":"signed","errCode":"","signatureDetails":{"aadhaarName":"A"}}]}},"event":"ESIGN_WEBHOOK_NOTIFICATION","timeStamp":"2023-03-08T23:51:36.164321+05:30"}`,
		`{"downloadUrl":"https://s3/x","id":"r","validUpto":"2021-10-28T14:09:14+05:30"}`,
		`[]`, `{"error":"x"}`,
	} {
		f.Add([]byte(seed), 400)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if err := errorFrom("GET /x", status, body); err.Error() == "" {
			t.Fatal("empty error message")
		}
		var r Request
		if json.Unmarshal(body, &r) == nil {
			for _, sg := range r.Signers {
				_ = SignerErrorText(sg.ErrCode)
			}
		}
		var d Download
		_ = json.Unmarshal(body, &d)
		if n, err := ParseNotification(body); err == nil && n.Data.Esign.ID == "" {
			t.Fatal("a notification without a request id was accepted")
		} else if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}
