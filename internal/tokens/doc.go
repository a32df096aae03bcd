// Package tokens owns the JWT mechanics of Cognito-style tokens: RSA signing
// keys and their PKCS#8 form, RS256 signing with Cognito's exact header, the
// JWKS document that publishes the public keys, and verification of a token's
// signature and lifetime.
//
// It does not decide what a token says. The caller builds the claims when
// signing and, after Verify, checks iss, token_use, client_id and the rest
// itself. Storage and encryption of keys are also the caller's.
package tokens
