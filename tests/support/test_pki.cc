#include "tests/support/test_pki.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace creneau::testing {
namespace {

absl::Status Run(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  if (status != 0) {
    return absl::InternalError(
        absl::StrCat("openssl failed (", status, "): ", command));
  }
  return absl::OkStatus();
}

}  // namespace

TestPki::TestPki(std::string dir, std::string name)
    : dir_(std::move(dir)), name_(std::move(name)) {
  ca_.cert = absl::StrCat(dir_, "/", name_, ".crt");
  ca_.key = absl::StrCat(dir_, "/", name_, ".key");
}

absl::Status TestPki::Init() {
  return Run(absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -keyout ",
      ca_.key, " -out ", ca_.cert, " -days 30 -subj '/CN=creneau test ", name_,
      "'"));
}

absl::StatusOr<CertificateFiles> TestPki::Issue(const std::string& file_name,
                                                const std::string& cn, int days,
                                                bool server) {
  CertificateFiles files{absl::StrCat(dir_, "/", file_name, ".crt"),
                         absl::StrCat(dir_, "/", file_name, ".key")};
  const std::string csr = absl::StrCat(dir_, "/", file_name, ".csr");
  const std::string ext = absl::StrCat(dir_, "/", file_name, ".ext");
  std::ofstream(ext) << (server ? "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                  "extendedKeyUsage=serverAuth\n"
                                : "extendedKeyUsage=clientAuth\n");
  absl::Status status = Run(absl::StrCat(
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
      "-keyout ",
      files.key, " -out ", csr, " -subj '/CN=", cn, "'"));
  if (!status.ok()) return status;
  status = Run(absl::StrCat("openssl x509 -req -in ", csr, " -CA ", ca_.cert,
                            " -CAkey ", ca_.key, " -CAcreateserial -out ",
                            files.cert, " -days ", days, " -extfile ", ext));
  if (!status.ok()) return status;
  return files;
}

}  // namespace creneau::testing
