package cmd

import (
	"encoding/base64"
	"encoding/xml"
)

// The messages of SCMDService.wsdl (BasicHttpBinding_SCMDService: SOAP
// 1.1, document/literal), as Go types. Operation elements and their
// parameters are in the service's namespace; the data contracts
// (SignRequest, SignStatus, …) in the datacontract namespace — both
// schemas are elementFormDefault="qualified", so every element carries
// its namespace. Field order is the WSDL's xs:sequence order (the
// datacontract's is alphabetical, as WCF writes it).
const (
	nsService  = "http://Ama.Authentication.Service/"
	nsData     = "http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature"
	nsSOAP     = "http://schemas.xmlsoap.org/soap/envelope/"
	actionBase = "http://Ama.Authentication.Service/SCMDService/"
)

// base64Binary is xs:base64Binary: bytes written as base64 text.
type base64Binary []byte

func (b base64Binary) MarshalText() ([]byte, error) {
	return []byte(base64.StdEncoding.EncodeToString(b)), nil
}

func (b *base64Binary) UnmarshalText(text []byte) error {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(out, text)
	if err != nil {
		return err
	}
	*b = out[:n]
	return nil
}

// signRequest is the datacontract SignRequest (SCMDSign's request).
type signRequest struct {
	ApplicationID base64Binary `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature ApplicationId"`
	DocName       string       `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature DocName,omitempty"`
	Hash          base64Binary `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Hash"`
	Pin           string       `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Pin"`
	UserID        string       `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature UserId"`
}

// multipleSignRequest is the datacontract MultipleSignRequest.
type multipleSignRequest struct {
	ApplicationID base64Binary `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature ApplicationId"`
	Pin           string       `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Pin"`
	UserID        string       `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature UserId"`
}

// Status is the datacontract SignStatus: the answer of SCMDSign,
// SCMDMultipleSign, GetCertificateWithPin and ForceSMS, and part of
// ValidateOtp's.
type Status struct {
	Code       string `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Code"`
	Field      string `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Field"`
	FieldValue string `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature FieldValue"`
	Message    string `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Message"`
	ProcessID  string `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature ProcessId"`
}

// hashStructure is the datacontract HashStructure. In a request Hash is
// a DigestInfo to sign; in ValidateOtp's answer it is the signature. The
// specification's table (§2.1.3.2) calls that field "Signature", but
// the WSDL — which is what the service's serializer follows — has one
// HashStructure type whose only bytes are "Hash"; Signet follows the
// WSDL.
type hashStructure struct {
	Hash base64Binary `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Hash"`
	Name string       `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Name"`
	ID   string       `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature id"`
}

// arrayOfHashStructure is the datacontract ArrayOfHashStructure.
type arrayOfHashStructure struct {
	Items []hashStructure `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature HashStructure"`
}

// signResponse is the datacontract SignResponse (ValidateOtp's answer).
// The specification's table calls the status "SignStatus"; the WSDL's
// element is "Status", which Signet follows.
type signResponse struct {
	Hashes      *arrayOfHashStructure `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature ArrayOfHashStructure"`
	Signature   base64Binary          `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Signature"`
	Status      *Status               `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature Status"`
	Certificate string                `xml:"http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature certificate"`
}

// The operations' input elements.

type scmdSign struct {
	XMLName xml.Name     `xml:"http://Ama.Authentication.Service/ SCMDSign"`
	Request *signRequest `xml:"http://Ama.Authentication.Service/ request"`
}

type scmdMultipleSign struct {
	XMLName   xml.Name              `xml:"http://Ama.Authentication.Service/ SCMDMultipleSign"`
	Request   *multipleSignRequest  `xml:"http://Ama.Authentication.Service/ request"`
	Documents *arrayOfHashStructure `xml:"http://Ama.Authentication.Service/ documents"`
}

type getCertificate struct {
	XMLName       xml.Name     `xml:"http://Ama.Authentication.Service/ GetCertificate"`
	ApplicationID base64Binary `xml:"http://Ama.Authentication.Service/ applicationId"`
	UserID        string       `xml:"http://Ama.Authentication.Service/ userId"`
}

type getCertificateWithPin struct {
	XMLName       xml.Name     `xml:"http://Ama.Authentication.Service/ GetCertificateWithPin"`
	ApplicationID base64Binary `xml:"http://Ama.Authentication.Service/ applicationId"`
	UserID        string       `xml:"http://Ama.Authentication.Service/ userId"`
	Pin           string       `xml:"http://Ama.Authentication.Service/ pin"`
}

type validateOtp struct {
	XMLName       xml.Name     `xml:"http://Ama.Authentication.Service/ ValidateOtp"`
	Code          string       `xml:"http://Ama.Authentication.Service/ code"`
	ProcessID     string       `xml:"http://Ama.Authentication.Service/ processId"`
	ApplicationID base64Binary `xml:"http://Ama.Authentication.Service/ applicationId"`
}

type forceSMS struct {
	XMLName       xml.Name     `xml:"http://Ama.Authentication.Service/ ForceSMS"`
	ProcessID     string       `xml:"http://Ama.Authentication.Service/ processId"`
	CitizenID     string       `xml:"http://Ama.Authentication.Service/ citizenId"`
	ApplicationID base64Binary `xml:"http://Ama.Authentication.Service/ applicationId"`
}

// The operations' output elements.

type scmdSignResponse struct {
	XMLName xml.Name `xml:"http://Ama.Authentication.Service/ SCMDSignResponse"`
	Result  *Status  `xml:"http://Ama.Authentication.Service/ SCMDSignResult"`
}

type scmdMultipleSignResponse struct {
	XMLName xml.Name `xml:"http://Ama.Authentication.Service/ SCMDMultipleSignResponse"`
	Result  *Status  `xml:"http://Ama.Authentication.Service/ SCMDMultipleSignResult"`
}

type getCertificateResponse struct {
	XMLName xml.Name `xml:"http://Ama.Authentication.Service/ GetCertificateResponse"`
	Result  string   `xml:"http://Ama.Authentication.Service/ GetCertificateResult"`
}

type getCertificateWithPinResponse struct {
	XMLName xml.Name `xml:"http://Ama.Authentication.Service/ GetCertificateWithPinResponse"`
	Result  *Status  `xml:"http://Ama.Authentication.Service/ GetCertificateWithPinResult"`
}

type validateOtpResponse struct {
	XMLName xml.Name      `xml:"http://Ama.Authentication.Service/ ValidateOtpResponse"`
	Result  *signResponse `xml:"http://Ama.Authentication.Service/ ValidateOtpResult"`
}

type forceSMSResponse struct {
	XMLName xml.Name `xml:"http://Ama.Authentication.Service/ ForceSMSResponse"`
	Result  *Status  `xml:"http://Ama.Authentication.Service/ ForceSMSResult"`
}

// The SOAP 1.1 envelope. A request's body holds one operation element;
// an answer's, the operation's response element or a Fault.

type requestEnvelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Content any
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

type responseEnvelope[T any] struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Fault   *Fault `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
		Content *T     `xml:",any"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

// Fault is a SOAP 1.1 fault (its children are unqualified).
type Fault struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
	Actor  string `xml:"faultactor"`
}
