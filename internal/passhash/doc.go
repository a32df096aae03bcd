// Package passhash verifies password hashes exported from other identity
// systems, so that bulk-imported users keep their passwords: at a user's
// first password sign-in the server checks the password against the
// imported hash with Parse and Hash.Verify, then replaces it with its own
// verifier. The package owns only that check: it never creates hashes in
// these formats and keeps no state.
//
// Imported hashes come from outside (CSV files), so Parse refuses absurd
// parameters before any work, naming the limit: input over 1 KiB; salts
// over 64 bytes; hashes under 16 or over 64 bytes; bcrypt cost over 14;
// argon2 memory over 256 MiB, time over 10 or parallelism over 255; PBKDF2
// iterations over 2,000,000; scrypt N over 2^20, r·p over 16 or memory
// (128·r·N) over 256 MiB. Parse itself does no hashing.
//
// Accepted encodings, one example each ("…" stands for base64 text):
//
//	bcrypt (Auth0, Devise, Kratos, PHP), $2a$, $2b$ or $2y$ with a two-digit cost:
//	  $2b$10$k2OrSbknQO2lZ2E2bM8LAujCe/qrTSTfHTDbF9oyXrCyuanAC1YUG
//
//	argon2id or argon2i, PHC string, version 19 only (Kratos, libsodium, argon2-cffi, PHP):
//	  $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>
//
//	PBKDF2, PHC form, prf sha1, sha256 or sha512:
//	  $pbkdf2-sha256$i=27500$<salt>$<hash>
//
//	PBKDF2, passlib (rounds as a bare number; "$pbkdf2$" is passlib's SHA-1):
//	  $pbkdf2-sha256$29000$KiUEYCxlbG1tTekdI4RQ6g$Gfbc0uh4LSzdjkx0fADVPluXUicJqMpqSHrottPL0Ss
//
//	PBKDF2, Django (the salt is literal text, only the hash is base64):
//	  pbkdf2_sha256$260000$zGjgoFMcKac9JimaDzHPMh$wXljIoGpnEa2pYmhI9Fkwg6Dceh8+bHabiDhN6/JXfk=
//	  pbkdf2_sha1$…
//
//	scrypt, PHC/passlib form (ln is log2 N):
//	  $scrypt$ln=16,r=8,p=1$<salt>$<hash>
//
//	Firebase Authentication's modified scrypt, a one-string form of the
//	user's passwordHash and salt with the project's hash parameters as
//	Firebase shows them (Firebase's own export records lack the project
//	parameters and are refused with a message saying so):
//	  $firebase-scrypt$mem_cost=14,rounds=8$<signer key>$<salt separator>$<salt>$<password hash>
//
//	Keycloak password credentials (algorithms pbkdf2, pbkdf2-sha256,
//	pbkdf2-sha512 and, from Keycloak 24, argon2), as exported JSON:
//	  {"algorithm":"pbkdf2-sha256","hashIterations":27500,"salt":"…","value":"…"}
//	  {"type":"password","secretData":"{\"value\":\"…\",\"salt\":\"…\"}",
//	   "credentialData":"{\"hashIterations\":27500,\"algorithm\":\"pbkdf2-sha256\"}"}
//	Other fields of an exported credential (id, createdDate, …) are ignored;
//	a type other than "password" is refused. Either shape can instead be
//	converted to the PHC form, Keycloak's pbkdf2 becoming pbkdf2-sha1:
//	  $pbkdf2-sha256$i=<hashIterations>$<salt>$<value>
//	and Keycloak's argon2 (type id or i) to
//	  $argon2id$v=19$m=<memory>,t=<hashIterations>,p=<parallelism>$<salt>$<value>
//
// Base64 fields use the standard alphabet with or without '=' padding;
// passlib's '.' in place of '+' is accepted too. Everything else, including
// argon2d, argon2 version 1.0, bcrypt $2x$ and Django's other hashers, is
// refused with an error that names what was expected. Errors never quote
// the hash material.
package passhash
