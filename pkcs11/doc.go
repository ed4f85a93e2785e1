// Package pkcs11 puts PKCS#11 tokens to work: smart cards and eID cards,
// USB tokens and HSMs, through github.com/miekg/pkcs11.
//
// # Finding tokens
//
// [FindModules] lists the configured modules and the well-known ones that
// are installed; [Open] loads one. [Module.Slots] and [ListTokens] tell
// what is present, with the flags a person cares about ([TokenFlags]: login
// required, pinpad, PIN count low, final try, locked).
//
// # Certificates and keys
//
// [Token.Certificates] lists X.509 certificates paired with their keys by
// CKA_ID. Every certificate has a PKCS#11 URI (RFC 7512, [URI]) that
// selects it again with [FindCertificate].
//
// # Signing
//
// [OpenKey] turns a certificate into a [Key], a crypto.Signer that logs in
// on first use and, for keys with CKA_ALWAYS_AUTHENTICATE, asks the
// signature PIN before each signature. Digests are signed with CKM_RSA_PKCS
// over a DigestInfo, CKM_RSA_PKCS_PSS or CKM_ECDSA: never with a mechanism
// that hashes again.
//
// # Errors
//
// Failures are [*Error] values wrapping this package's sentinels, and a
// refused PIN is a [*PINError] carrying the token's PIN state, so that
// callers can tell the person what happened and what to do with errors.Is
// and errors.As.
//
// # PINs
//
// PINs come from a [prompt.Prompter] as []byte, go straight to C_Login and
// are zeroed right after. They are never logged, stored or retried.
package pkcs11
