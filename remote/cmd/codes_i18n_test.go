package cmd_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/remote/cmd"
)

// TestSaidInTheLanguage: the service's answers are said in the person's
// language, its own words quoted; the two messages AMA prescribes for a
// PIN to change stay as AMA wrote them; English stays English.
func TestSaidInTheLanguage(t *testing.T) {
	pt := i18n.For("pt-PT")
	wrongOTP := &cmd.StatusError{Op: "ValidateOtp", Status: cmd.Status{Code: cmd.CodeWrongOTP, Message: "OTP inválido"}}
	var said i18n.Said
	if !errors.As(error(wrongOTP), &said) {
		t.Fatal("a StatusError cannot say itself")
	}
	for _, tc := range []struct {
		got, want string
	}{
		{said.Say(pt), "o código de segurança está errado (o serviço diz: OTP inválido)"},
		{wrongOTP.Error(), "the security code is wrong (service says: OTP inválido)"},
		{(&cmd.StatusError{Status: cmd.Status{Code: cmd.CodeChangeSigningPIN}}).Say(i18n.For("lv")), cmd.MessageChangeSigningPIN},
		{(&cmd.StatusError{Status: cmd.Status{Code: "803", Field: "ApplicationId"}}).Say(pt), "o serviço recusou o valor de ApplicationId por ser inválido (código 803)"},
		{(&cmd.HTTPError{Op: "SCMDSign", Status: http.StatusUnauthorized}).Say(pt), cmd.ErrAuth.(i18n.Said).Say(pt)},
		{(&cmd.FaultError{Op: "SCMDSign", Fault: cmd.Fault{Code: "s:Client", String: " bad "}}).Say(pt), "o serviço Chave Móvel Digital falhou SCMDSign (falha SOAP s:Client: bad)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
