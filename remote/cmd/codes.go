package cmd

import (
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

func (e *StatusError) Error() string { return e.Say(i18n.For("en")) }

// Say is the error in l's language; the service's own words are quoted
// as they came. The two messages AMA prescribes for a PIN to change
// (901, 902) are shown as given, in Portuguese, in every language.
func (e *StatusError) Say(l *i18n.Localizer) string {
	say := func(id string, data ...any) string { return i18n.In(l, id, -1, data...) + e.says(l) }
	switch c := e.Code; {
	case c == CodeChangePINs:
		return MessageChangePINs
	case c == CodeChangeSigningPIN:
		return MessageChangeSigningPIN
	case c == CodeWrongPIN:
		return say("cmd.err.wrong_pin")
	case c == CodeWrongOTP:
		return say("cmd.err.wrong_otp")
	case c == CodeInactive:
		return say("cmd.err.inactive")
	case e.processGone():
		return say("cmd.err.process_gone")
	case strings.HasPrefix(c, "8") && e.Field != "":
		return say("cmd.err.invalid_field", map[string]any{"Field": e.Field, "Code": c})
	case strings.HasPrefix(c, "8"):
		return say("cmd.err.invalid", map[string]any{"Code": c})
	case c == CodeGeneric && e.Op == "SCMDMultipleSign":
		return say("cmd.err.batch")
	case c == CodeGeneric:
		return say("cmd.err.generic")
	case strings.HasPrefix(c, "5"):
		return say("cmd.err.failed", map[string]any{"Code": c})
	case c == "":
		return i18n.In(l, "cmd.err.no_code", -1, map[string]any{"Op": e.Op})
	}
	return say("cmd.err.other", map[string]any{"Code": e.Code, "Op": e.Op})
}

// says quotes the service's own words.
func (e *StatusError) says(l *i18n.Localizer) string {
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
	return " " + i18n.In(l, "cmd.err.service_says", -1, map[string]any{"Says": strings.Join(parts, "; ")})
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

func (e *FaultError) Error() string { return e.Say(i18n.For("en")) }

// Say is the error in l's language, the fault quoted as it came.
func (e *FaultError) Say(l *i18n.Localizer) string {
	return i18n.In(l, "cmd.err.fault", -1, map[string]any{"Op": e.Op, "Code": e.Code, "Fault": strings.TrimSpace(e.String)})
}

// HTTPError is an HTTP error answer that carries no SOAP fault.
type HTTPError struct {
	Op     string
	Status int
}

func (e *HTTPError) Error() string { return e.Say(i18n.For("en")) }

// Say is the error in l's language.
func (e *HTTPError) Say(l *i18n.Localizer) string {
	data := map[string]any{"Op": e.Op, "Status": e.Status}
	switch {
	case e.Status == http.StatusUnauthorized:
		return ErrAuth.(i18n.Said).Say(l)
	case e.Status == http.StatusNotFound:
		return i18n.In(l, "cmd.err.http_404", -1, data)
	case e.Status >= 500:
		return i18n.In(l, "cmd.err.http_5xx", -1, data)
	}
	return i18n.In(l, "cmd.err.http", -1, data)
}

func (e *HTTPError) Is(target error) bool {
	return target == ErrAuth && e.Status == http.StatusUnauthorized
}
