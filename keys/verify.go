package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"

	"github.com/signet-sign/signet/i18n"
)

// ErrBadSignature reports a signature that does not verify with the
// certificate it is said to belong to.
var ErrBadSignature = i18n.Errorf("err.bad_signature", nil)

// VerifyDigest checks sig over digest (made with h) against pub: RSA
// PKCS#1 v1.5, or PSS with a salt as long as the hash, or ECDSA (DER).
// Every signature Signet hands on is checked first: a token, a cloud
// service or another process that signed with another key, or the bare
// hash instead of a DigestInfo, is caught where it happens.
func VerifyDigest(pub crypto.PublicKey, h crypto.Hash, digest, sig []byte, pss bool) error {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		var err error
		if pss {
			err = rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			err = rsa.VerifyPKCS1v15(pub, h, digest, sig)
		}
		if err != nil {
			return fmt.Errorf("%w (RSA)", ErrBadSignature)
		}
		return nil
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, digest, sig) {
			return fmt.Errorf("%w (ECDSA)", ErrBadSignature)
		}
		return nil
	}
	return fmt.Errorf("%w: unsupported key %T", ErrBadSignature, pub)
}
