package agent

import (
	"context"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/prompt"
)

// ModuleKeys offers the certificates of the loaded PKCS#11 modules; PINs
// are asked through Prompter (the app's PIN dialog).
type ModuleKeys struct {
	Modules  func() *flow.Modules
	Prompter prompt.Prompter
}

// Choices lists the tokens' certificates now.
func (k ModuleKeys) Choices() ([]flow.KeyChoice, error) { return k.Modules().KeyChoices() }

// Open opens the key of a listed certificate.
func (k ModuleKeys) Open(ctx context.Context, c flow.KeyChoice) (keys.Signer, error) {
	return flow.OpenChoice(ctx, k.Modules(), c, k.Prompter)
}
