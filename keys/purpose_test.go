package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"
)

func cert(t *testing.T, tmpl x509.Certificate) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl.SerialNumber = big.NewInt(1)
	tmpl.NotBefore, tmpl.NotAfter = time.Now(), time.Now().Add(time.Hour)
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func qcType(t *testing.T, typ asn1.ObjectIdentifier) pkix.Extension {
	info, _ := asn1.Marshal([]asn1.ObjectIdentifier{typ})
	v, err := asn1.Marshal([]struct {
		ID   asn1.ObjectIdentifier
		Info asn1.RawValue
	}{{oidQcType, asn1.RawValue{FullBytes: info}}})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: oidQcStatements, Value: v}
}

func TestCheckSigning(t *testing.T) {
	person := pkix.Name{CommonName: "Jānis Bērziņš", ExtraNames: []pkix.AttributeTypeAndValue{
		{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: "Jānis"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 4}, Value: "Bērziņš"}}}
	org := pkix.Name{CommonName: "Acme SIA e-seal", Organization: []string{"Acme SIA"},
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidOrganizationIdentifier, Value: "VATLV-40003000000"}}}
	company := pkix.Name{CommonName: "Jane Doe", Organization: []string{"Example Corp"}} // no organizationIdentifier
	docSigning := []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 36}}
	for _, tc := range []struct {
		name string
		tmpl x509.Certificate
		ok   bool
	}{
		{"ok signing (non-repudiation)", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}, true},
		{"ok seal by QcType", x509.Certificate{Subject: pkix.Name{CommonName: "Seal"}, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtraExtensions: []pkix.Extension{qcType(t, oidQcTypeESeal)}}, true},
		{"ok seal of an organisation", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature}, true},
		{"fail eID authentication (clientAuth)", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, false},
		{"fail a person's digitalSignature", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageDigitalSignature}, false},
		{"fail organisation TLS client", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}}, false},
		{"fail QcType esign without non-repudiation", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtraExtensions: []pkix.Extension{qcType(t, asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 1})}}, false},
		{"fail encryption", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageKeyEncipherment}, false},
		// Issue 26: logon-style certificates issued to a person under a
		// company's name looked like seals (an organisation, no given
		// name or surname) once their EKU held more than TLS.
		{"fail corporate logon (O, clientAuth, msSmartcardLogon, pkinit)", x509.Certificate{Subject: pkix.Name{CommonName: "Jane Doe", Organization: []string{"Example Corp"}},
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 311, 20, 2, 2}, {1, 3, 6, 1, 5, 2, 3, 4}}}, false},
		{"fail clientAuth and emailProtection", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}}, false},
		{"fail organisation e-mail only", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}, false},
		{"fail organisation code signing", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}, false},
		{"fail pseudonym under an organisation", x509.Certificate{Subject: pkix.Name{CommonName: "JD", Organization: []string{"Example Corp"},
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 65}, Value: "jd"}}}, KeyUsage: x509.KeyUsageDigitalSignature}, false},
		{"fail QcType eseal limited to TLS", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, ExtraExtensions: []pkix.Extension{qcType(t, oidQcTypeESeal)}}, false},
		{"fail CA", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true}, false},
		{"ok organisation seal with documentSigning (RFC 9336)", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			UnknownExtKeyUsage: docSigning}, true},
		{"ok a person's documentSigning certificate", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageDigitalSignature,
			UnknownExtKeyUsage: docSigning}, true},
		// The review of the first fix: a company's name, with no EKU at
		// all, is how PIV authentication certificates look.
		{"fail company name without organizationIdentifier, no EKU (PIV authentication)", x509.Certificate{Subject: company, KeyUsage: x509.KeyUsageDigitalSignature}, false},
		{"fail documentSigning beside logon purposes", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, UnknownExtKeyUsage: append([]asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 311, 20, 2, 2}}, docSigning...)}, false},
		{"fail QcType eseal with clientAuth and emailProtection", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}, ExtraExtensions: []pkix.Extension{qcType(t, oidQcTypeESeal)}}, false},
		{"fail QcType eseal with any purpose", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, ExtraExtensions: []pkix.Extension{qcType(t, oidQcTypeESeal)}}, false},
		{"fail QcType eseal with PIV card authentication", x509.Certificate{Subject: org, KeyUsage: x509.KeyUsageDigitalSignature,
			UnknownExtKeyUsage: []asn1.ObjectIdentifier{{2, 16, 840, 1, 101, 3, 6, 8}}, ExtraExtensions: []pkix.Extension{qcType(t, oidQcTypeESeal)}}, false},
		{"ok non-repudiation whatever the EKU", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageContentCommitment,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cert(t, tc.tmpl)
			if got := CertificatePurpose(c) == PurposeSigning; got != tc.ok {
				t.Errorf("CertificatePurpose says %q", CertificatePurpose(c))
			}
			err := CheckSigning(c)
			if tc.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrNotForSigning) {
				t.Errorf("got %v, want ErrNotForSigning", err)
			}
		})
	}
}

// TestDigestsAndLogins: bare digests refuse dual-use certificates; a
// login needs an authentication certificate with clientAuth.
func TestDigestsAndLogins(t *testing.T) {
	person := pkix.Name{CommonName: "Anna Bērziņa"}
	for _, tc := range []struct {
		name           string
		tmpl           x509.Certificate
		digests, login bool
	}{
		{"ok signing certificate signs digests", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageContentCommitment}, true, false},
		{"fail dual use (non-repudiation and clientAuth)", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageContentCommitment | x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, false, false},
		{"ok eID authentication logs in", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, false, true},
		{"fail digitalSignature without clientAuth logs in", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageDigitalSignature}, false, false},
		{"fail code signing logs in", x509.Certificate{Subject: person, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cert(t, tc.tmpl)
			if err := CheckDigestSigning(c); (err == nil) != tc.digests || (err != nil && !errors.Is(err, ErrNotForSigning)) {
				t.Errorf("CheckDigestSigning: %v", err)
			}
			if err := CheckLogin(c); (err == nil) != tc.login || (err != nil && !errors.Is(err, ErrNotForLogin)) {
				t.Errorf("CheckLogin: %v", err)
			}
		})
	}
}
