package cmd

import (
	"net/http"
	"testing"
)

// FuzzDecode feeds arbitrary answers to the SOAP decoding of every
// operation: a value or an error with words in it, never a panic.
func FuzzDecode(f *testing.F) {
	const env = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>`
	const end = `</s:Body></s:Envelope>`
	for _, seed := range []string{
		env + `<ValidateOtpResponse xmlns="http://Ama.Authentication.Service/"><ValidateOtpResult xmlns:a="http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:ArrayOfHashStructure><a:HashStructure><a:Hash>AAEC</a:Hash><a:Name>a.pdf</a:Name><a:id>0</a:id></a:HashStructure></a:ArrayOfHashStructure><a:Signature i:nil="true"/><a:Status><a:Code>200</a:Code><a:Field i:nil="true"/><a:FieldValue i:nil="true"/><a:Message>ok</a:Message><a:ProcessId>p</a:ProcessId></a:Status><a:certificate i:nil="true"/></ValidateOtpResult></ValidateOtpResponse>` + end,
		env + `<SCMDSignResponse xmlns="http://Ama.Authentication.Service/"><SCMDSignResult xmlns:a="http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature"><a:Code>801</a:Code><a:Message>Pins não correspondem</a:Message></SCMDSignResult></SCMDSignResponse>` + end,
		env + `<GetCertificateResponse xmlns="http://Ama.Authentication.Service/"><GetCertificateResult>-----BEGIN CERTIFICATE-----
MIIB
-----END CERTIFICATE-----</GetCertificateResult></GetCertificateResponse>` + end,
		env + `<s:Fault><faultcode>s:Client</faultcode><faultstring>no</faultstring></s:Fault>` + end,
		`<html>401</html>`,
	} {
		f.Add([]byte(seed), 200)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if status < 100 || status > 599 {
			status = http.StatusOK
		}
		check := func(err error) {
			if err != nil && err.Error() == "" {
				t.Fatal("empty error message")
			}
		}
		if v, err := decode[validateOtpResponse]("ValidateOtp", status, body); err == nil && v.Result != nil {
			_, err := checkStatus("ValidateOtp", v.Result.Status)
			check(err)
		} else {
			check(err)
		}
		if v, err := decode[scmdSignResponse]("SCMDSign", status, body); err == nil {
			_, err := processID("SCMDSign", v.Result)
			check(err)
		} else {
			check(err)
		}
		if v, err := decode[getCertificateResponse]("GetCertificate", status, body); err == nil {
			_, err := ParseChain(v.Result)
			check(err)
		} else {
			check(err)
		}
	})
}
