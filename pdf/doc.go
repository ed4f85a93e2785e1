// Package pdf signs and (later) verifies PDF documents: PAdES baseline
// signatures written as incremental updates that keep every original byte.
//
// It takes keys as a crypto.Signer with their certificate chain, or in two
// steps for keys that answer later (a cloud service, another process):
// [Prepare] gives the hash to sign, [Prepared.Finish] takes the signature.
// It knows nothing of tokens.
package pdf
