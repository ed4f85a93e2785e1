package cmd

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/signet-sign/signet/i18n"
)

// Status codes (specification §4.1, "Códigos de Erro").
const (
	CodeOK = "200"
	// 500–599: system errors.
	// 800–899: invalid parameters, among them:
	CodeWrongPIN = "801" // "Pins não correspondem"
	CodeWrongOTP = "802" // "OTP inválido"
	CodeInactive = "817" // the account's signature service is inactive; no OTP is sent
	// CodeGeneric is "Erro genérico"; it is also the answer to a
	// SCMDMultipleSign with more than MaxDocuments documents.
	CodeGeneric          = "900"
	CodeChangePINs       = "901"
	CodeChangeSigningPIN = "902"
)

// The texts the specification says must be shown to the citizen exactly
// as written (codes 901 and 902).
const (
	MessageChangePINs       = "Para continuar a usar a assinatura da CMD, tem de alterar o seu PIN de assinatura. Para o alterar, basta iniciar sessão com CMD em www.autenticacao.gov.pt."
	MessageChangeSigningPIN = "Para continuar a usar a assinatura da CMD, tem de alterar o seu PIN de assinatura em www.autenticacao.gov.pt. Inicie sessão e aceda a \"Área Reservada -> A Minha Chave Móvel Digital\" e escolha editar em \"Assinatura Digital\"."
)

var (
	// ErrNoCredentials reports missing service credentials.
	ErrNoCredentials = i18n.Errorf("err.cmd_no_credentials", nil)
	// ErrUnreachable reports a network failure or timeout.
	ErrUnreachable = i18n.Errorf("err.cmd_unreachable", nil)
	// ErrBadResponse reports an answer that does not follow the WSDL.
	ErrBadResponse = i18n.Errorf("err.cmd_bad_response", nil)
	// ErrAuth reports Basic-auth credentials the service refused.
	ErrAuth = i18n.Errorf("err.cmd_auth", nil)

	// The kinds of status codes, for errors.Is.
	ErrWrongPIN     = i18n.Errorf("err.cmd_wrong_pin", nil)
	ErrWrongOTP     = i18n.Errorf("err.cmd_wrong_otp", nil)
	ErrInactive     = i18n.Errorf("err.cmd_inactive", nil)
	ErrMustChange   = i18n.Errorf("err.cmd_must_change", nil)
	ErrInvalid      = i18n.Errorf("err.cmd_invalid", nil)
	ErrService      = i18n.Errorf("err.cmd_service", nil)
	ErrProcessGone  = i18n.Errorf("err.cmd_process_gone", nil)
	ErrTooManyItems = i18n.Errorf("err.cmd_too_many", nil)
)

// StatusError is a SignStatus whose Code is not 200.
type StatusError struct {
	Op string // the operation, e.g. "SCMDSign"
	Status
}

func (e *StatusError) Error() string {
	switch c := e.Code; {
	case c == CodeChangePINs:
		return MessageChangePINs
	case c == CodeChangeSigningPIN:
		return MessageChangeSigningPIN
	case c == CodeWrongPIN:
		return "the signature PIN is wrong (it does not match the one of this Chave Móvel Digital); no code was sent" + e.says()
	case c == CodeWrongOTP:
		return "the security code is wrong" + e.says()
	case c == CodeInactive:
		return "the signature of this Chave Móvel Digital is not active, so no security code was sent: activate it at www.autenticacao.gov.pt" + e.says()
	case e.processGone():
		return "the signing process is unknown to the service or has expired: start again" + e.says()
	case strings.HasPrefix(c, "8"):
		what := "a value"
		if e.Field != "" {
			what = fmt.Sprintf("the value of %s", e.Field)
		}
		return fmt.Sprintf("the service refused %s as invalid (code %s)%s", what, c, e.says())
	case c == CodeGeneric && e.Op == "SCMDMultipleSign":
		return "the service refused the batch (code 900; more than 100 documents in one request is one cause)" + e.says()
	case c == CodeGeneric:
		return "the service could not do it (code 900, a general error)" + e.says()
	case strings.HasPrefix(c, "5"):
		return fmt.Sprintf("the Chave Móvel Digital service failed (code %s); try again later%s", c, e.says())
	case c == "":
		return fmt.Sprintf("the service's %s answer has no status code", e.Op)
	}
	return fmt.Sprintf("the service answered code %s to %s%s", e.Code, e.Op, e.says())
}

// says quotes the service's own words.
func (e *StatusError) says() string {
	var parts []string
	if m := strings.TrimSpace(e.Message); m != "" {
		parts = append(parts, m)
	}
	if e.Field != "" && e.FieldValue != "" {
		parts = append(parts, e.Field+"="+e.FieldValue)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (service says: " + strings.Join(parts, "; ") + ")"
}

// processGone: an invalid-parameter answer about the process id — the
// specification gives no code of its own for an expired process.
func (e *StatusError) processGone() bool {
	return strings.HasPrefix(e.Code, "8") && strings.EqualFold(e.Field, "processId")
}

// Is sorts the code into the kinds above.
func (e *StatusError) Is(target error) bool {
	c := e.Code
	switch target {
	case ErrWrongPIN:
		return c == CodeWrongPIN
	case ErrWrongOTP:
		return c == CodeWrongOTP
	case ErrInactive:
		return c == CodeInactive
	case ErrMustChange:
		return c == CodeChangePINs || c == CodeChangeSigningPIN
	case ErrProcessGone:
		return e.processGone()
	case ErrInvalid:
		return strings.HasPrefix(c, "8")
	case ErrService:
		return strings.HasPrefix(c, "5")
	case ErrTooManyItems:
		return c == CodeGeneric && e.Op == "SCMDMultipleSign"
	}
	return false
}

// FaultError is a SOAP fault.
type FaultError struct {
	Op         string
	HTTPStatus int
	Fault
}

func (e *FaultError) Error() string {
	return fmt.Sprintf("the Chave Móvel Digital service failed %s (SOAP fault %s: %s)", e.Op, e.Code, strings.TrimSpace(e.String))
}

// HTTPError is an HTTP error answer that carries no SOAP fault.
type HTTPError struct {
	Op     string
	Status int
}

func (e *HTTPError) Error() string {
	switch {
	case e.Status == http.StatusUnauthorized:
		return ErrAuth.Error()
	case e.Status == http.StatusNotFound:
		return fmt.Sprintf("%s: HTTP 404: the service URL is wrong (it ends in SCMDService.svc)", e.Op)
	case e.Status >= 500:
		return fmt.Sprintf("the Chave Móvel Digital service failed %s (HTTP %d); try again later", e.Op, e.Status)
	}
	return fmt.Sprintf("the Chave Móvel Digital service answered %s with HTTP %d", e.Op, e.Status)
}

func (e *HTTPError) Is(target error) bool {
	return target == ErrAuth && e.Status == http.StatusUnauthorized
}
