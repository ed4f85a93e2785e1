package pkcs1

import (
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"testing"
)

func TestDigestInfo(t *testing.T) {
	// RFC 8017 section 9.2, note 1: the DER prefixes. AMA's CMD
	// specification (§3) gives the SHA-256 one byte by byte.
	prefixes := map[crypto.Hash]string{
		crypto.SHA224: "302d300d06096086480165030402040500041c",
		crypto.SHA256: "3031300d060960864801650304020105000420",
		crypto.SHA384: "3041300d060960864801650304020205000430",
		crypto.SHA512: "3051300d060960864801650304020305000440",
	}
	for h, prefix := range prefixes {
		digest := make([]byte, h.Size())
		rand.Read(digest)
		got, err := DigestInfo(h, digest)
		if err != nil {
			t.Fatal(err)
		}
		if want := prefix + hex.EncodeToString(digest); hex.EncodeToString(got) != want {
			t.Errorf("%v DigestInfo = %x, want %s", h, got, want)
		}
	}
	if _, err := DigestInfo(crypto.SHA256, make([]byte, 31)); err == nil {
		t.Error("a short digest was accepted")
	}
	if _, err := DigestInfo(crypto.MD5, make([]byte, 16)); err == nil {
		t.Error("MD5 was accepted")
	}
}
