package pkcs11

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/internal/pkcs1"
)

// hashInfo ties a hash to its PKCS#11 hash and MGF1 identifiers (for
// RSA-PSS parameters).
type hashInfo struct {
	mech uint
	mgf  uint
}

var hashes = map[crypto.Hash]hashInfo{
	crypto.SHA224: {p11.CKM_SHA224, p11.CKG_MGF1_SHA224},
	crypto.SHA256: {p11.CKM_SHA256, p11.CKG_MGF1_SHA256},
	crypto.SHA384: {p11.CKM_SHA384, p11.CKG_MGF1_SHA384},
	crypto.SHA512: {p11.CKM_SHA512, p11.CKG_MGF1_SHA512},
}

// signOp is one signature to make: the mechanism and the bytes C_Sign takes.
type signOp struct {
	name  string // for messages: "RSA PKCS#1 v1.5"
	mech  *p11.Mechanism
	input []byte
	// ecdsaSize is, for ECDSA, the byte length of r and s; the token
	// returns r‖s and CMS wants DER.
	ecdsaSize int
}

// newSignOp chooses the mechanism for pub and opts. Only mechanisms that
// sign a digest computed by the caller are used (CKM_RSA_PKCS,
// CKM_RSA_PKCS_PSS, CKM_ECDSA), never one that hashes again.
func newSignOp(pub crypto.PublicKey, digest []byte, opts crypto.SignerOpts) (signOp, error) {
	h := opts.HashFunc()
	if h != 0 {
		if _, ok := hashes[h]; !ok {
			return signOp{}, fmt.Errorf("%w: digest algorithm %v (use SHA-256, SHA-384 or SHA-512)", ErrMechanism, h)
		}
		if len(digest) != h.Size() {
			return signOp{}, fmt.Errorf("digest is %d bytes, %v needs %d", len(digest), h, h.Size())
		}
	}
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			return pssOp(pub, digest, pss)
		}
		input := digest
		if h != 0 {
			var err error
			if input, err = pkcs1.DigestInfo(h, digest); err != nil {
				return signOp{}, err
			}
		}
		// h == 0: the caller already encoded the DigestInfo (the
		// crypto.Signer contract for RSA).
		return signOp{name: "RSA PKCS#1 v1.5", mech: p11.NewMechanism(p11.CKM_RSA_PKCS, nil), input: input}, nil
	case *ecdsa.PublicKey:
		return signOp{
			name:      "ECDSA",
			mech:      p11.NewMechanism(p11.CKM_ECDSA, nil),
			input:     digest,
			ecdsaSize: (pub.Curve.Params().BitSize + 7) / 8,
		}, nil
	}
	return signOp{}, fmt.Errorf("%w: keys of type %T", ErrMechanism, pub)
}

func pssOp(pub *rsa.PublicKey, digest []byte, opts *rsa.PSSOptions) (signOp, error) {
	h := opts.HashFunc()
	hi, ok := hashes[h]
	if !ok {
		return signOp{}, errors.New("RSA-PSS needs a digest algorithm")
	}
	salt := opts.SaltLength
	switch salt {
	case rsa.PSSSaltLengthEqualsHash:
		salt = h.Size()
	case rsa.PSSSaltLengthAuto:
		// Go signs "auto" with the longest salt that fits; tokens and
		// verifiers expect the hash length (RFC 8017 section 9.1 and
		// RFC 4055 default to it), so we use that.
		salt = h.Size()
	}
	if salt < 0 || salt > pub.Size()-h.Size()-2 {
		return signOp{}, fmt.Errorf("RSA-PSS salt of %d bytes does not fit a %d-bit key", salt, pub.N.BitLen())
	}
	params := p11.NewPSSParams(hi.mech, hi.mgf, uint(salt))
	return signOp{name: "RSA-PSS", mech: p11.NewMechanism(p11.CKM_RSA_PKCS_PSS, params), input: digest}, nil
}

// ecdsaDER turns the r‖s that CKM_ECDSA returns (PKCS#11 v2.40 curr.
// section 2.3.1) into the DER ECDSA-Sig-Value of RFC 5480 section 2.2.
func ecdsaDER(raw []byte, size int) ([]byte, error) {
	if len(raw) != 2*size {
		return nil, fmt.Errorf("token returned an ECDSA signature of %d bytes, want %d", len(raw), 2*size)
	}
	return asn1.Marshal(struct{ R, S *big.Int }{
		new(big.Int).SetBytes(raw[:size]),
		new(big.Int).SetBytes(raw[size:]),
	})
}

func (op signOp) mechType() uint { return op.mech.Mechanism }
