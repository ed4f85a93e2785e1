package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// examples are each command's examples, by its path: what a person types,
// quoted as a shell wants it (a pkcs11: URI holds ';'). TestExamples
// checks every command has some and that their flags exist.
var examples = map[string]string{
	"signet tokens": `  signet tokens
  signet tokens --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so`,
	"signet certs": `  signet certs
  signet certs --token 'Jānis Bērziņš' --json`,
	"signet sign-digest": `  signet sign-digest --key 'pkcs11:token=signet-test;object=RSA-2048%20signing' --alg sha256 \
      --digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08`,
	"signet sign": `  # Sign with the card's signing key (the PIN is asked on the terminal):
  signet sign --key 'pkcs11:object=Signature%20key' iesniegums.pdf
  # A clerk's day: every PDF of a folder at B-LTA with a PKCS#12 seal:
  signet sign --key seal.p12 --pin-file seal.pass --tsa http://tsa.example.lv --level B-LTA \
      --out-dir signed/ inbox/*.pdf
  # Visible, on the last page, and certified (no changes after):
  signet sign --key seal.p12 --visible 360,40,560,100 --page last --reason Apstiprinu --certify 1 līgums.pdf
  # Several files into one ASiC-E container:
  signet sign --key seal.p12 --container asice -o pakete.asice līgums.pdf pielikums.xlsx`,
	"signet verify": `  signet verify līgums-signed.pdf
  signet verify --online --trust my-roots/ -v signed/
  signet verify --json pakete.asice`,
	"signet extend": `  signet extend --tsa http://tsa.example.lv līgums-signed.pdf
  signet extend --level B-LT --tsa http://tsa.example.lv --out-dir archive/ signed/*.pdf
  signet extend --renew --tsa http://tsa.example.lv --in-place --backup archive/*.pdf`,
	"signet agent": `  signet agent
  signet agent --port 28443 --install-autostart
  signet agent --stop`,
	"signet eparaksts sign": `  signet eparaksts sign --key 'pkcs11:object=Signature%20key' --auth-key 'pkcs11:object=Authentication%20key' iesniegums.pdf
  signet eparaksts sign --demo --key 'pkcs11:token=signet-test;object=RSA-2048%20signing' --yes --edoc iesniegums.pdf`,
	"signet eparaksts seal":    `  signet eparaksts seal --pfx seal.p12 --auth-cert auth.pem --pin-file seal.pass --out-dir sealed/ rēķini/*.pdf`,
	"signet eparaksts archive": `  signet eparaksts archive --auth-cert auth.pem --out-dir archive/ signed/*.pdf`,
	"signet eparaksts status":  `  signet eparaksts status --profile prep`,
	"signet remotesigning sign": `  signet remotesigning sign --agreement 2e2bd7d4-1f7e-4a55-9c1f-5a1c4e1d6c11 --tsa http://tsa.example.vn hợp-đồng.pdf
  signet remotesigning sign --agreement 2e2bd7d4-1f7e-4a55-9c1f-5a1c4e1d6c11 --auth otp-sms --level B-LTA \
      --tsa http://tsa.example.vn --reason 'Đồng ý' --visible 360,40,560,100 --out-dir đã-ký/ *.pdf`,
	"signet remotesigning sign-file": `  signet remotesigning sign-file --agreement 2e2bd7d4-1f7e-4a55-9c1f-5a1c4e1d6c11 --visible 40,40,260,100 --page last -o đã-ký.pdf hợp-đồng.pdf`,
	"signet remotesigning cert":      `  signet remotesigning cert --agreement 2e2bd7d4-1f7e-4a55-9c1f-5a1c4e1d6c11 --pem`,
	"signet remotesigning download":  `  signet remotesigning download 0123456789 -o đã-ký.pdf`,
	"signet remotesigning login":     `  signet remotesigning login`,
	"signet cmd sign": `  signet cmd sign --phone '+351 912 345 678' --tsa http://ts.cartaodecidadao.pt/tsa/server contrato.pdf
  signet cmd sign --phone '+351 912 345 678' --via biometrid --out-dir assinados/ *.pdf`,
	"signet cmd cert": `  signet cmd cert --phone '+351 912 345 678' --pem`,
	"signet aadhaar sign": `  signet aadhaar sign --signer 'Asha Verma,123412341234,1990' --signer 'Vikram Singh,567856785678' \
      --redirect-url https://example.in/signed --visible 40,40,240,100 --visible 300,40,500,100 -o anubandh-signed.pdf anubandh.pdf`,
	"signet aadhaar status":   `  signet aadhaar status REQ-1234 --wait 2h`,
	"signet aadhaar download": `  signet aadhaar download REQ-1234 -o anubandh-signed.pdf`,
	"signet aadhaar listen":   `  signet aadhaar listen --addr 127.0.0.1:8642 --out-dir signed/`,
	"signet aadhaar audit":    `  signet aadhaar audit REQ-1234 --pdf audit.pdf`,
	"signet aadhaar delete":   `  signet aadhaar delete REQ-1234`,
	"signet certeurope sign": `  signet certeurope sign --client-key client.p12 --pin-file client.pass --firstname Jeanne --lastname Martin \
      --email jeanne@example.fr --mobile '+33 6 12 34 56 78' --otp sms contrat.pdf`,
	"signet certeurope seal": `  signet certeurope seal --client-key client.p12 --pin-file client.pass --level B-LT --out-dir scellés/ factures/*.pdf`,
	"signet certeurope order create": `  signet certeurope order create --client-key client.p12 --firstname Jeanne --lastname Martin \
      --email jeanne@example.fr --mobile '+33 6 12 34 56 78'`,
	"signet certeurope order get":    `  signet certeurope order get 42`,
	"signet certeurope order delete": `  signet certeurope order delete 42`,
	"signet certeurope refuse":       `  signet certeurope refuse 1234`,
	"signet certeurope status":       `  signet certeurope status 1234`,
}

// addExamples gives each command its examples.
func addExamples(cmd *cobra.Command) {
	if e, ok := examples[cmd.CommandPath()]; ok {
		cmd.Example = strings.TrimRight(e, "\n")
	}
	for _, c := range cmd.Commands() {
		addExamples(c)
	}
}
