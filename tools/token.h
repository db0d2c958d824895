// Bearer tokens for the principals file: `creneau token new` makes one,
// prints it once for its holder, and prints the line the server's
// principals file needs (which keeps only the token's SHA-256).
#ifndef CRENEAU_TOOLS_TOKEN_H_
#define CRENEAU_TOOLS_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace creneau::tools {

// A fresh bearer token: "crn_" and 32 bytes from the system's CSPRNG
// (OpenSSL RAND_bytes) in base64url without padding: 47 characters, 256
// bits. The prefix keeps a token from starting with '-' (base64url may),
// which command lines would take for an option, and lets secret scanners
// recognise one.
std::string NewBearerToken();

// "sha256:" and the 64 lowercase hex digits of the token's SHA-256: what
// the principals file stores (creneaud computes the same digest of the
// token a call presents).
std::string BearerTokenDigest(absl::string_view token);

// The principals-file line "<credential> <name> <role> <organisation>
// <scope>" for a new principal, checked as creneaud will read it:
// INVALID_ARGUMENT names the bad part. `credential` is a digest or
// "cn:<common name>".
absl::StatusOr<std::string> PrincipalLine(absl::string_view credential,
                                          absl::string_view name,
                                          absl::string_view role,
                                          absl::string_view organisation,
                                          absl::string_view scope);

// Appends `line` to the principals file at `path`, creating it readable by
// its owner only (mode 0600, as creneaud requires). FAILED_PRECONDITION
// when the existing file is readable by others, ALREADY_EXISTS when it
// already has a principal of that name (the line's second field),
// UNAVAILABLE when it cannot be read or written.
absl::Status AppendPrincipalLine(const std::string& path,
                                 absl::string_view line);

}  // namespace creneau::tools

#endif  // CRENEAU_TOOLS_TOKEN_H_
