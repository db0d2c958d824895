// TestPki: a throwaway certificate authority and certificates, made with
// Debian's openssl command line in a directory, for the TLS and mutual TLS
// tests. Keys are P-256; server certificates name localhost and 127.0.0.1.
#ifndef CRENEAU_TESTS_SUPPORT_TEST_PKI_H_
#define CRENEAU_TESTS_SUPPORT_TEST_PKI_H_

#include <string>

#include "absl/status/statusor.h"

namespace creneau::testing {

struct CertificateFiles {
  std::string cert;  // PEM.
  std::string key;   // PEM.
};

class TestPki {
 public:
  // The authority's files go in `dir` (which must exist), named after
  // `name`.
  TestPki(std::string dir, std::string name = "ca");

  // Creates the authority's key and self-signed certificate.
  absl::Status Init();
  // A certificate signed by the authority for common name `cn`, valid for
  // `days` (a negative number gives one that expired); `server` adds the
  // names localhost and 127.0.0.1.
  absl::StatusOr<CertificateFiles> Issue(const std::string& file_name,
                                         const std::string& cn, int days,
                                         bool server);
  const std::string& ca_cert() const { return ca_.cert; }

 private:
  std::string dir_;
  std::string name_;
  CertificateFiles ca_;
};

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_SUPPORT_TEST_PKI_H_
