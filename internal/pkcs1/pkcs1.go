// Package pkcs1 encodes what an RSA PKCS#1 v1.5 signature signs: the
// DigestInfo of RFC 8017 section 9.2 (EMSA-PKCS1-v1_5), steps 1 and 2. A
// token's CKM_RSA_PKCS and a remote signing service that signs "the hash"
// both want it, so both build it here.
package pkcs1

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

// OIDs of the hashes (RFC 8017 appendix B.1).
var OIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA224: {2, 16, 840, 1, 101, 3, 4, 2, 4},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

// DigestInfo encodes digest, made with h, as a DigestInfo with the NULL
// parameters of appendix B.1: for SHA-256 the 19-byte prefix
// 30 31 30 0d 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 and the digest.
func DigestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	oid, ok := OIDs[h]
	if !ok {
		return nil, fmt.Errorf("no DigestInfo for hash %v", h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("a %v digest has %d bytes, not %d", h, h.Size(), len(digest))
	}
	return asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}{pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}, digest})
}
